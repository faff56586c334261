"""Composition root: the only place ingest is wired together."""

from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_ingest.api import router
from countersign_ingest.settings import IngestSettings
from countersign_ingest.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings or IngestSettings(), routers=[router])
