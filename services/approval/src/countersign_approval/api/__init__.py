"""Approval's HTTP API: the operator's organisation registry, the administrator's workflow and
people, and the approver's requests."""

from countersign_approval.api.admin import router as admin_router
from countersign_approval.api.operator import router as operator_router
from countersign_approval.api.requests import router as requests_router

__all__ = ["ROUTERS"]

ROUTERS = (operator_router, admin_router, requests_router)
