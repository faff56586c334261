"""Composition root: the only place publisher is wired together."""

from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_publisher.api import router
from countersign_publisher.settings import PublisherSettings
from countersign_publisher.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: PublisherSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings or PublisherSettings(), routers=[router])
