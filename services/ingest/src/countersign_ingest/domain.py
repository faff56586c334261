"""What ingest knows about a Dext item: its versions and where it is on its journey.

received ─▶ in_approval ─▶ authorised ─▶ published
                └────────▶ rejected
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

__all__ = ["ItemStatus", "content_digest"]


class ItemStatus(StrEnum):
    RECEIVED = "received"
    IN_APPROVAL = "in_approval"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"


def content_digest(content: dict[str, Any]) -> str:
    """Identifies a published payload, so that publishing the same one again is a no-op."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
