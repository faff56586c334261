"""Approval's HTTP API: the operator's organisation registry, the administrator's workflow and
people, the approver's requests, and access tokens with the key set that verifies them."""

from countersign_approval.api.access import router as access_router
from countersign_approval.api.interventions import router as interventions_router
from countersign_approval.api.operator import router as operator_router
from countersign_approval.api.people import router as people_router
from countersign_approval.api.requests import router as requests_router
from countersign_approval.api.workflow import router as workflow_router

__all__ = ["ROUTERS"]

# In this order the OpenAPI document lists the endpoints as it always has; access tokens last.
ROUTERS = (
    operator_router,
    people_router,
    workflow_router,
    interventions_router,
    requests_router,
    access_router,
)
