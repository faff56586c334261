"""The original files ingest accepts, recognised by their first bytes (never by their name or
the declared content type), and the rules for their names.

The accepted types are the image and document formats Xero takes as attachments that a capture
tool produces: PDF, JPEG, PNG, GIF, TIFF, BMP and WebP (docs/ingest-api.md lists them).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

from countersign_contracts import text_violation

from countersign_ingest.domain.image_headers import DIMENSION_READERS

__all__ = [
    "ACCEPTED",
    "MAX_FILE_BYTES",
    "MAX_FILE_SIZE",
    "MAX_IMAGE_PIXELS",
    "FileType",
    "StoredDocument",
    "Upload",
    "file_name_problem",
    "image_problem",
    "sniff",
]

# Xero's attachment limit, "10 MB", read the strict way: 10,000,000 bytes. A file ingest takes
# then passes Xero whether Xero means 10,000,000 or 10,485,760 (docs/ingest-api.md).
MAX_FILE_BYTES = 10_000_000
MAX_FILE_SIZE = "10 MB (10,000,000 bytes)"  # said this way in every message and document
# A scanned A4 page at 600 dpi is about 35 megapixels; a header claiming more than this is a
# trap for whoever decodes the image later (Xero, an approver's browser), not a receipt.
MAX_IMAGE_PIXELS = 100_000_000


@dataclass(frozen=True)
class FileType:
    media_type: str
    extension: str
    signatures: tuple[bytes, ...]

    def matches(self, head: bytes) -> bool:
        if self.media_type == "image/webp":  # RIFF container: the format is named at offset 8
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        return any(head.startswith(signature) for signature in self.signatures)


@dataclass(frozen=True)
class Upload:
    """An original file whose type and name have been checked."""

    file_name: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class StoredDocument:
    """What is known of an original without reading its content (``Documents.open`` reads it)."""

    document_id: UUID
    organisation_id: UUID
    sha256: str
    media_type: str
    size_bytes: int
    file_name: str


ACCEPTED = (
    FileType("application/pdf", "pdf", (b"%PDF-",)),
    FileType("image/jpeg", "jpg", (b"\xff\xd8\xff",)),
    FileType("image/png", "png", (b"\x89PNG\r\n\x1a\n",)),
    FileType("image/gif", "gif", (b"GIF87a", b"GIF89a")),
    FileType("image/tiff", "tiff", (b"II*\x00", b"MM\x00*")),
    FileType("image/bmp", "bmp", (b"BM",)),
    FileType("image/webp", "webp", ()),
)


def sniff(content: bytes) -> FileType | None:
    """The accepted type ``content`` is, judged by its leading bytes; None if none."""
    head = content[:16]
    return next((kind for kind in ACCEPTED if kind.matches(head)), None)


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be stored as a file name, or None when it can."""
    if not name or not name.strip():
        return "a file name is required"
    if len(name) > 255:
        return "a file name has at most 255 characters"
    if "/" in name or "\\" in name:
        return "a file name must not contain a path separator"
    broken = text_violation(name)
    if broken is not None:
        return f"a file name is one line of text: {broken[1]}"
    if name in (".", ".."):
        return "a file name must name a file"
    return None


def image_problem(kind: FileType, content: bytes) -> str | None:
    """Why an image cannot be an original (no readable image header, absurd dimensions), or
    None. Only the header is read: the image is never decoded or inflated here."""
    read = DIMENSION_READERS.get(kind.media_type)
    if read is None:
        return None
    name = kind.extension.upper().replace("JPG", "JPEG")
    try:
        dimensions = read(content)
    except struct.error:  # a header cut short inside a field
        dimensions = None
    if dimensions is None:
        return f"the {name} has no image header"
    width, height = dimensions
    if not width or not height or width * height > MAX_IMAGE_PIXELS:
        return f"an image of {width} x {height} pixels is not a document"
    return None
