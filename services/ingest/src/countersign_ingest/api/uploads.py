"""Reading a signed publication: the multipart body (a JSON ``metadata`` part and a ``file``
part), its metadata checked against the model (the rules are the use case's), its file against
the accepted types. Every refusal is a problem naming the field and the rule."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TypeVar

from countersign_platform.json_bodies import parse_json as strict_json
from countersign_platform.problems import FieldError, Problem
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from countersign_ingest.domain.files import (
    MAX_FILE_BYTES,
    MAX_FILE_SIZE,
    Upload,
    file_name_problem,
    image_problem,
    sniff,
)
from countersign_ingest.domain.metadata import MAX_METADATA_BYTES, MAX_METADATA_SIZE

__all__ = ["MAX_PUBLICATION_BYTES", "parse_json", "read_publication"]

M = TypeVar("M", bound=BaseModel)

# The file, the metadata, and room for the multipart framing.
MAX_PUBLICATION_BYTES = MAX_FILE_BYTES + MAX_METADATA_BYTES + 16 * 1024


def _invalid(field: str, rule: str, message: str, status: int = 422) -> Problem:
    return Problem(
        status, "validation", "Request is not valid", message, [FieldError(field, rule, message)]
    )


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


class _Utf8Parts(MultiPartParser):
    """Starlette reads a text part that is not valid in its charset as latin-1 instead of
    refusing it: metadata holding an overlong "/" (C0 AF) was stored as "À¯". The metadata
    part is UTF-8 JSON, whatever charset the request names, or it is refused."""

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                text = part.data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _invalid(
                    part.field_name, "json_invalid", f"{part.field_name} is not UTF-8"
                ) from exc
            self.items.append((part.field_name, text))
            return
        super().on_part_end()


async def _parts(headers: Headers, body: bytes) -> tuple[str, str, bytes]:
    """The metadata, the file's name and its content. The parser spools the file to a
    temporary file: closed here whatever is refused, never left to the garbage collector."""
    if not headers.get("content-type", "").startswith("multipart/form-data"):
        raise Problem(
            415,
            "unsupported-media-type",
            "Send multipart/form-data",
            "a publication is multipart/form-data with a 'metadata' part and a 'file' part",
        )
    parser = _Utf8Parts(
        headers, _once(body), max_files=1, max_fields=1, max_part_size=MAX_METADATA_BYTES
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if "maximum size" in exc.message:
            raise _invalid(
                "metadata", "max_bytes", f"metadata is at most {MAX_METADATA_SIZE}", 413
            ) from exc
        raise _invalid("body", "multipart", exc.message) from exc
    try:
        metadata = form.get("metadata")
        upload = form.get("file")
        if not isinstance(metadata, str):
            raise _invalid("metadata", "required", "a 'metadata' part with the item as JSON")
        if not isinstance(upload, UploadFile):
            raise _invalid("file", "required", "a 'file' part with the original document")
        return metadata, upload.filename or "", await upload.read()
    finally:
        await form.close()


def parse_json(model: type[M], raw: str | bytes, part: str = "metadata") -> M:
    """The model from JSON read the strict way every service reads it (json_bodies.py:
    duplicate keys, depth, UTF-8), or the problem naming each field. ``part`` is "metadata"
    (its fields are named metadata.…) or "body" (a withdrawal's fields are named bare, as
    FastAPI's problem handler names every body field)."""
    decoded = strict_json(raw, field=part, prefix="" if part == "body" else part)
    try:
        return model.model_validate(decoded)
    except ValidationError as exc:
        errors = [{**error, "loc": (part, *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


async def read_publication(headers: Headers, body: bytes, model: type[M]) -> tuple[M, Upload]:
    """The metadata (shape checked, not yet the rules) and the checked file of a publication."""
    metadata, name, content = await _parts(headers, body)
    item = parse_json(model, metadata)
    problem = file_name_problem(name)
    if problem is not None:
        raise _invalid("file.filename", "file_name", problem)
    if len(content) > MAX_FILE_BYTES:
        raise _invalid("file", "max_bytes", f"the file is larger than {MAX_FILE_SIZE}", 413)
    if not content:
        raise _invalid("file", "not_empty", "the file is empty")
    kind = sniff(content)
    if kind is None:
        raise _invalid(
            "file",
            "file_type",
            "the file is not a PDF, JPEG, PNG, GIF, TIFF, BMP or WebP (judged by its content)",
            415,
        )
    image = image_problem(kind, content)
    if image is not None:
        raise _invalid("file", "image_dimensions", image)
    return item, Upload(file_name=name, media_type=kind.media_type, content=content)
