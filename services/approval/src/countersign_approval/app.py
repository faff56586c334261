"""Composition root: the only place approval is wired together."""

from countersign_platform.service import build_app
from fastapi import FastAPI

from countersign_approval.api import ROUTERS
from countersign_approval.settings import ApprovalSettings
from countersign_approval.spec import SERVICE

__all__ = ["create_app"]


def create_app(settings: ApprovalSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings or ApprovalSettings(), routers=ROUTERS)
