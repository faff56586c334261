"""The administrator's API for the workflow: save the next version, read the current one and
every version saved."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from countersign_platform.problems import Problem
from pydantic import BaseModel

from countersign_approval.api.auth import Admin, State
from countersign_approval.api.routing import organisation_router
from countersign_approval.domain.workflow import SavedWorkflow, Workflow
from countersign_approval.handlers import workflows

__all__ = ["router"]

router = organisation_router("administration")


class WorkflowVersionOut(BaseModel):
    workflow_id: UUID
    version: int
    saved_by: UUID
    saved_at: datetime
    document: Workflow


def _version_out(saved: SavedWorkflow) -> WorkflowVersionOut:
    return WorkflowVersionOut.model_validate(saved, from_attributes=True)


@router.put("/workflow", status_code=201, summary="Save the workflow as its next version")
async def put_workflow(
    organisation_id: UUID, document: Workflow, state: State, admin: Admin
) -> WorkflowVersionOut:
    saved = await workflows.save_workflow(state.pool, organisation_id, document, admin.user_id)
    return _version_out(saved)


@router.get("/workflow", summary="The current workflow")
async def get_workflow(organisation_id: UUID, state: State, _: Admin) -> WorkflowVersionOut:
    saved = await workflows.saved_workflow(state.pool, organisation_id)
    if saved is None:
        raise Problem(404, "not-found", "No workflow yet", "PUT one to /workflow")
    return _version_out(saved)


@router.get("/workflow/versions", summary="Every saved version, oldest first")
async def list_workflow_versions(
    organisation_id: UUID, state: State, _: Admin
) -> list[WorkflowVersionOut]:
    return [_version_out(s) for s in await workflows.workflow_versions(state.pool, organisation_id)]


@router.get("/workflow/versions/{version}", summary="One saved version")
async def get_workflow_version(
    organisation_id: UUID, version: int, state: State, _: Admin
) -> WorkflowVersionOut:
    saved = await workflows.saved_workflow(state.pool, organisation_id, version)
    if saved is None:
        raise Problem(404, "not-found", "No such workflow version", f"version {version}")
    return _version_out(saved)
