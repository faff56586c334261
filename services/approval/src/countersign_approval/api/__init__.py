"""Approval's HTTP API: the operator's organisation registry, the administrator's workflow and
people, the approver's requests, access tokens with the key set that verifies them, and signing
people in through the web app."""

from countersign_approval.api.access import router as access_router
from countersign_approval.api.action_grants import router as action_grants_router
from countersign_approval.api.interventions import router as interventions_router
from countersign_approval.api.listing import router as listing_router
from countersign_approval.api.operator import router as operator_router
from countersign_approval.api.people import router as people_router
from countersign_approval.api.requests import router as requests_router
from countersign_approval.api.settings import router as settings_router
from countersign_approval.api.sign_in import router as sign_in_router
from countersign_approval.api.workflow import router as workflow_router

__all__ = ["ROUTERS"]

# In this order the OpenAPI document lists the endpoints: access tokens and signing in last.
ROUTERS = (
    operator_router,
    people_router,
    settings_router,
    workflow_router,
    interventions_router,
    listing_router,
    requests_router,
    access_router,
    sign_in_router,
    action_grants_router,
)
