"""Xero's Accounting OpenAPI description, vendored in ``xero-openapi/``, as a parsed dict.

Parsing the 900 KB YAML takes seconds (ruamel.yaml in pure Python, already pinned through
check-jsonschema), so the parsed form is kept as JSON under ``.local/fidelity/cache/``, named by
the YAML's SHA-256: a changed spec is parsed again, an unchanged one is read back in a blink.
Within one process the spec is loaded once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = ["REPO", "VENDORED_SPEC", "load_spec"]

REPO = Path(__file__).resolve().parents[2]
VENDORED_SPEC = Path(__file__).parent / "xero-openapi" / "xero_accounting.yaml"
CACHE = REPO / ".local" / "fidelity" / "cache"


@functools.cache
def load_spec(path: Path = VENDORED_SPEC) -> dict[str, Any]:
    raw = path.read_bytes()
    cached = CACHE / f"{path.stem}-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    if cached.exists():
        loaded: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        return loaded
    spec: dict[str, Any] = YAML(typ="safe", pure=True).load(raw)
    CACHE.mkdir(parents=True, exist_ok=True)
    # YAML may hold dates (in examples); JSON has none, and examples are never validated.
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(spec, default=str), encoding="utf-8")
    partial.replace(cached)  # a parallel reader never sees a half-written cache
    return json.loads(cached.read_text(encoding="utf-8"))  # the same values either way
