"""Administering approval on the real broker and database: organisations and their event,
workflow validation and versions, requests that wait for a first workflow, withdrawal, force
actions, and the publisher's outcomes with an administrator's retry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from countersign_contracts import (
    ORGANISATIONS,
    BillCreated,
    CostItemWithdrawn,
    LedgerBound,
    PublicationCompleted,
    PublicationFailed,
    PublicationKind,
    PublicationRetryRequested,
    PublicationStep,
    RepublishRefused,
    Requester,
    RequestPublicationUpdated,
    WithdrawalRefused,
    XeroInvoiceStatus,
    decode,
    new_envelope,
)
from countersign_harness.approval import OPERATOR_TOKEN, as_record, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.kafka import produce, read_until
from countersign_harness.samples import sample_bill

pytestmark = pytest.mark.integration

ONE_STEP: dict[str, Any] = {
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ada@example.com",
}


async def test_registering_an_organisation_needs_the_operator_and_emits_its_event(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        anonymous = await approval.http.post(
            "/v1/organisations",
            json={
                "name": "X",
                "base_currency": "GBP",
                "timezone": "Europe/London",
                "admin": {"email": "a@example.com", "name": "A"},
            },
        )
        org = await approval.register(base_currency="EUR")
        renamed = await approval.http.patch(
            org.path(),
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            json={"name": "Northwind Europe"},
        )
        tokens = await approval.runtime.pool.fetch("SELECT token_sha256 FROM api_tokens")
        records = await read_until(
            infra.kafka_bootstrap_servers,
            approval.prefix + ORGANISATIONS,
            lambda rs: len(rs) >= 2,
        )

    assert anonymous.status_code == 401
    assert renamed.status_code == 200 and renamed.json()["name"] == "Northwind Europe"
    assert org.admin_token not in {row["token_sha256"] for row in tokens}
    events = [decode(ORGANISATIONS, r.value) for r in records]
    assert [e.event_type for e in events] == ["OrganisationRegistered", "OrganisationUpdated"]
    assert events[0].payload.base_currency == "EUR"
    assert all(r.key == str(org.organisation_id).encode() for r in records)


async def test_an_invalid_workflow_is_refused_naming_the_path_and_rule(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(
            users=[("ann@example.com", ["approver"]), ("aud@example.com", ["auditor"])]
        )
        bad_amount = await approval.http.put(
            org.path("/workflow"),
            headers=org.auth(),
            json={
                **ONE_STEP,
                "auto_approval": [
                    {"conditions": [{"field": "total", "operator": "<", "amount": 100.5}]}
                ],
            },
        )
        unknown_person = await approval.http.put(
            org.path("/workflow"),
            headers=org.auth(),
            json={
                **ONE_STEP,
                "steps": [
                    {
                        "name": "M",
                        "approvers": [
                            {"approver": "aud@example.com"},
                            {"approver": "zed@example.com"},
                        ],
                    }
                ],
            },
        )
        by_approver = await approval.http.put(
            org.path("/workflow"), headers=org.auth("ann@example.com"), json=ONE_STEP
        )
        none_yet = await approval.http.get(org.path("/workflow"), headers=org.auth())
        stored = await approval.runtime.pool.fetchval("SELECT count(*) FROM workflows")

    assert bad_amount.status_code == 422
    assert bad_amount.headers["content-type"] == "application/problem+json"
    field = bad_amount.json()["errors"][0]["field"]
    assert field.startswith("auto_approval[0].conditions[0]") and field.endswith("amount")
    assert unknown_person.status_code == 422
    errors = {e["field"]: e["rule"] for e in unknown_person.json()["errors"]}
    assert errors == {
        "steps[0].approvers[0].approver": "role_required",
        "steps[0].approvers[1].approver": "unknown_user",
    }
    assert by_approver.status_code == 403
    assert none_yet.status_code == 404
    assert stored == 0


async def test_requests_wait_for_a_first_workflow_and_keep_the_version_they_started_with(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(
            users=[("ann@example.com", ["approver"]), ("bob@example.com", ["approver"])]
        )
        await approval.submit(org, "early")
        waiting = await approval.request_of(org, "early", state="awaiting_workflow")
        first = await approval.put_workflow(org, ONE_STEP)
        started = await approval.request_of(org, "early", state="in_approval")
        second_document = {
            **ONE_STEP,
            "steps": [{"name": "Other", "approvers": [{"approver": "bob@example.com"}]}],
        }
        second = await approval.put_workflow(org, second_document)
        await approval.submit(org, "later")
        later = await approval.request_of(org, "later", state="in_approval")
        early_still = await approval.request_of(org, "early")
        versions = await approval.http.get(org.path("/workflow/versions"), headers=org.auth())
        one = await approval.http.get(org.path("/workflow/versions/1"), headers=org.auth())

    assert waiting["workflow"] is None and waiting["current_step"] is None
    assert (first["version"], second["version"]) == (1, 2)
    assert first["workflow_id"] == second["workflow_id"]
    assert started["workflow"]["version"] == 1 and started["current_step"]["name"] == "Manager"
    assert later["workflow"]["version"] == 2 and later["current_step"]["name"] == "Other"
    assert (
        early_still["workflow"]["version"] == 1 and early_still["current_step"]["name"] == "Manager"
    )
    assert [v["version"] for v in versions.json()] == [1, 2]
    assert one.json()["document"]["steps"][0]["name"] == "Manager"


async def _withdraw(
    approval: Any, infra: Infrastructure, org: Any, item: str, version: int
) -> None:
    withdrawn = new_envelope(
        CostItemWithdrawn(dext_item_id=item, version=version, withdrawn_at=datetime.now(UTC)),
        producer="ingest",
        organisation_id=org.organisation_id,
        correlation_id=uuid.uuid4(),
    )
    await produce(
        infra.kafka_bootstrap_servers,
        approval.prefix + "dext.cost-items.v1",
        [as_record(withdrawn)],
    )


async def test_withdrawal_cancels_and_force_reject_is_recorded_as_forced(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        await approval.put_workflow(org, ONE_STEP)
        await approval.submit(org, "gone")
        await approval.submit(org, "stopped")
        await approval.request_of(org, "gone", state="in_approval")
        await _withdraw(approval, infra, org, "gone", 1)
        cancelled = await approval.request_of(org, "gone", state="cancelled")
        stopped = await approval.request_of(org, "stopped", state="in_approval")
        forced = await approval.http.post(
            org.path(f"/requests/{stopped['request_id']}/force-reject"),
            headers=org.auth(),
            json={"comment": "duplicate of INV-9"},
        )
        by_approver = await approval.http.post(
            org.path(f"/requests/{stopped['request_id']}/force-approve"),
            headers=org.auth("ann@example.com"),
            json={"comment": "me"},
        )

    assert cancelled["audit_trail"][-1]["action"] == "cancelled"
    assert forced.status_code == 200 and forced.json()["state"] == "rejected"
    entry = forced.json()["audit_trail"][-1]
    assert entry["action"] == "force_rejected" and entry["comment"] == "duplicate of INV-9"
    assert by_approver.status_code == 403


async def test_a_new_version_or_a_withdrawal_of_an_authorised_request_is_refused_with_an_event(
    infra: Infrastructure, isolation: str
) -> None:
    """Ingest's copy of the status may be behind approval's: whatever Dext asked after the
    request was authorised is answered with an event that says why, never only a log line."""
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        await approval.put_workflow(org, ONE_STEP)
        await approval.submit(org, "late")
        request = await approval.request_of(org, "late", state="in_approval")
        rid = request["request_id"]
        await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("ann@example.com"), json={}
        )
        await approval.request_of(org, "late", state="authorised")
        await approval.submit(org, "late", version=2)  # republished a moment too late
        await _withdraw(approval, infra, org, "late", 2)  # then deleted in Dext
        events = await approval.events(rid, until="WithdrawalRefused")
        after = await approval.request_of(org, "late", state="authorised")
        versions = await approval.http.get(
            org.path("/requests"), headers=org.auth(), params={"dext_item_id": "late"}
        )

    republish = next(e for e in events if isinstance(e, RepublishRefused))
    withdrawal = next(e for e in events if isinstance(e, WithdrawalRefused))
    assert (republish.item_version, republish.refused_item_version) == (1, 2)
    assert republish.stage is LedgerBound.AUTHORISED
    assert "Version 2 was not taken" in republish.reason
    assert (withdrawal.item_version, withdrawal.withdrawn_item_version) == (1, 2)
    assert "Void the bill in Xero" in withdrawal.reason
    assert after["state"] == "authorised"
    assert [r["item_version"] for r in versions.json()] == [1]  # version 2 opened nothing


async def test_publication_outcomes_show_on_the_request_and_an_admin_retries_a_failure(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        await approval.put_workflow(org, ONE_STEP)
        await approval.submit(org, "pub")
        request = await approval.request_of(org, "pub", state="in_approval")
        rid = request["request_id"]
        await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("ann@example.com"), json={}
        )
        publication = uuid.uuid4()
        common = {
            "publication_id": publication,
            "kind": PublicationKind.BILL,
            "request_id": uuid.UUID(rid),
            "dext_item_id": "pub",
            "item_version": 1,
        }
        await approval.publish_ledger(
            org,
            PublicationFailed(
                **common,
                step=PublicationStep.CREATE_BILL,
                messages=["Account code '429' has been archived"],
                retryable=False,
                attempt=1,
                http_status=400,
            ),
        )
        failed = await approval.request_of(org, "pub", state="publish_failed")
        retried = await approval.http.post(
            org.path(f"/requests/{rid}/retry-publication"),
            headers=org.auth(),
            json={"comment": "account restored"},
        )
        invoice = uuid.uuid4()
        await approval.publish_ledger(
            org,
            BillCreated(
                **common,
                xero_invoice_id=invoice,
                xero_status=XeroInvoiceStatus.AUTHORISED,
                xero_contact_id=uuid.uuid4(),
                invoice_number="INV-pub",
                currency="GBP",
                total=failed["totals"]["total"],
            ),
            PublicationCompleted(**common, xero_invoice_id=invoice, xero_status="AUTHORISED"),
        )
        published = await approval.request_of(org, "pub", state="published")
        events = await approval.events(rid, until="PublicationRetryRequested")

    assert failed["publication"]["messages"] == ["Account code '429' has been archived"]
    assert retried.status_code == 200 and retried.json()["state"] == "publishing"
    assert published["publication"]["xero_invoice_id"] == str(invoice)
    updates = [e for e in events if isinstance(e, RequestPublicationUpdated)]
    assert updates[0].status == "publish_failed"
    retry = next(e for e in events if isinstance(e, PublicationRetryRequested))
    assert retry.publication_id == publication and retry.comment == "account restored"


async def test_reassign_then_force_approve_authorise_with_both_in_the_trail(
    infra: Infrastructure, isolation: str
) -> None:
    two_steps = {
        "steps": [
            {"name": "Manager", "approvers": [{"approver": "ann@example.com"}]},
            {"name": "CFO", "approvers": [{"approver": "bob@example.com"}]},
        ],
        "default_approver": "ada@example.com",
    }
    users = [
        ("ann@example.com", ["approver"]),
        ("bob@example.com", ["approver"]),
        ("cat@example.com", ["approver"]),
    ]
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        await approval.put_workflow(org, two_steps)
        await approval.submit(org, "holiday")
        rid = (await approval.request_of(org, "holiday", state="in_approval"))["request_id"]
        moved = await approval.http.post(
            org.path(f"/requests/{rid}/reassign"),
            headers=org.auth(),
            json={
                "from_email": "ann@example.com",
                "to_email": "cat@example.com",
                "comment": "away",
            },
        )
        ann_now = await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("ann@example.com"), json={}
        )
        cat_now = await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("cat@example.com"), json={}
        )
        forced = await approval.http.post(
            org.path(f"/requests/{rid}/force-approve"),
            headers=org.auth(),
            json={"comment": "CFO unreachable; approved by the board"},
        )
        events = await approval.events(rid, until="RequestAuthorised")

    assert moved.status_code == 200
    assert ann_now.status_code == 403 and cat_now.status_code == 200
    assert forced.status_code == 200 and forced.json()["state"] == "authorised"
    authorised = events[-1]
    assert authorised.event_type == "RequestAuthorised"
    actions = [e.action.value for e in authorised.audit_trail]  # type: ignore[attr-defined]
    assert actions == ["submitted", "reassigned", "approved", "force_approved", "authorised"]
    reassigned = authorised.audit_trail[1]  # type: ignore[attr-defined]
    assert (reassigned.changes[0].before, reassigned.changes[0].after) == (
        "ann@example.com",
        "cat@example.com",
    )
    forced_step = [e for e in events if e.event_type == "RequestStepDecided"][-1]
    assert forced_step.forced  # type: ignore[attr-defined]


def user_id_of(users: list[dict[str, Any]], email: str) -> str:
    return next(u["user_id"] for u in users if u["email"] == email)


async def test_a_new_token_replaces_every_earlier_one(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        users = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann = user_id_of(users, "ann@example.com")
        by_ann = await approval.http.post(
            org.path(f"/users/{ann}/token"), headers=org.auth("ann@example.com")
        )
        renewed = await approval.http.post(org.path(f"/users/{ann}/token"), headers=org.auth())
        old = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("ann@example.com")
        )
        org.tokens["ann@example.com"] = renewed.json()["token"]
        new = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("ann@example.com")
        )
        unknown = await approval.http.post(
            org.path(f"/users/{uuid.uuid4()}/token"), headers=org.auth()
        )

    assert by_ann.status_code == 403
    assert renewed.status_code == 201 and renewed.json()["email"] == "ann@example.com"
    assert old.status_code == 401 and new.status_code == 200
    assert unknown.status_code == 404 and unknown.json()["title"] == "No such user"


async def test_a_user_work_depends_on_is_not_removed_and_the_refusal_names_that_work(
    infra: Infrastructure, isolation: str
) -> None:
    users = [("ann@example.com", ["approver"]), ("cat@example.com", ["approver"])]
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann, ada = user_id_of(people, "ann@example.com"), user_id_of(people, "ada@example.com")
        await approval.put_workflow(org, ONE_STEP)
        await approval.submit(org, "waiting")
        rid = (await approval.request_of(org, "waiting", state="in_approval"))["request_id"]
        only_admin = await approval.http.delete(org.path(f"/users/{ada}"), headers=org.auth())
        named_and_awaited = await approval.http.delete(
            org.path(f"/users/{ann}"), headers=org.auth()
        )
        await approval.put_workflow(
            org,
            {
                **ONE_STEP,
                "steps": [{"name": "Manager", "approvers": [{"approver": "cat@example.com"}]}],
            },
        )
        moved = await approval.http.post(
            org.path(f"/requests/{rid}/reassign"),
            headers=org.auth(),
            json={"from_email": "ann@example.com", "to_email": "cat@example.com"},
        )
        still_pending_on_v1 = await approval.http.delete(
            org.path(f"/users/{ann}"), headers=org.auth()
        )
        ann_still_in = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("ann@example.com")
        )
        decided = await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("cat@example.com"), json={}
        )
        removed = await approval.http.delete(org.path(f"/users/{ann}"), headers=org.auth())

    assert only_admin.status_code == 409
    assert "only admin" in only_admin.json()["detail"]
    assert named_and_awaited.status_code == 409
    detail = named_and_awaited.json()["detail"]
    assert "the current workflow (version 1) names them at steps[0].approvers[0].approver" in detail
    assert "1 pending request(s) await their decision" in detail
    assert moved.status_code == 200
    assert still_pending_on_v1.status_code == 409
    assert still_pending_on_v1.json()["detail"] == (
        "pending requests run on workflow version 1, which names them at"
        " steps[0].approvers[0].approver: they must be decided (or force-decided) first"
    )
    assert ann_still_in.status_code == 200  # a refused removal changed nothing
    assert decided.status_code == 200 and decided.json()["state"] == "authorised"
    assert removed.status_code == 204


async def test_a_removed_user_is_locked_out_kept_in_the_trail_and_may_be_added_again(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=[("ann@example.com", ["approver"])])
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann = user_id_of(people, "ann@example.com")
        await approval.put_workflow(org, ONE_STEP)
        await approval.submit(org, "decided")
        rid = (await approval.request_of(org, "decided", state="in_approval"))["request_id"]
        approved = await approval.http.post(
            org.path(f"/requests/{rid}/approve"), headers=org.auth("ann@example.com"), json={}
        )
        await approval.put_workflow(
            org,
            {
                **ONE_STEP,
                "steps": [{"name": "Manager", "approvers": [{"approver": "ada@example.com"}]}],
            },
        )
        removed = await approval.http.delete(org.path(f"/users/{ann}"), headers=org.auth())
        locked_out = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth("ann@example.com")
        )
        again = await approval.http.delete(org.path(f"/users/{ann}"), headers=org.auth())
        listed = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        request = (await approval.http.get(org.path(f"/requests/{rid}"), headers=org.auth())).json()
        naming_her = await approval.http.put(
            org.path("/workflow"), headers=org.auth(), json=ONE_STEP
        )
        rehired = await approval.http.post(
            org.path("/users"),
            headers=org.auth(),
            json={"email": "ann@example.com", "name": "Ann", "roles": ["approver"]},
        )

    assert approved.status_code == 200
    assert removed.status_code == 204 and not removed.content
    assert locked_out.status_code == 401
    assert again.status_code == 404
    assert [u["email"] for u in listed] == ["ada@example.com"]
    approvals = [e for e in request["audit_trail"] if e["action"] == "approved"]
    assert [e["actor"]["name"] for e in approvals] == ["Ann"]
    assert naming_her.status_code == 422
    assert "ann@example.com is not a user of the organisation" in naming_her.text
    assert rehired.status_code == 201 and rehired.json()["user_id"] != ann


async def test_roles_change_unless_a_role_they_would_lose_is_still_needed(
    infra: Infrastructure, isolation: str
) -> None:
    users = [("ann@example.com", ["approver"]), ("bob@example.com", ["approver"])]
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann, ada, bob = (user_id_of(people, f"{n}@example.com") for n in ("ann", "ada", "bob"))
        await approval.put_workflow(org, ONE_STEP)

        async def patch(user_id: str, body: dict[str, Any], by: str | None = None) -> Any:
            return await approval.http.patch(
                org.path(f"/users/{user_id}"), headers=org.auth(by), json=body
            )

        ann_to_auditor = await patch(ann, {"roles": ["auditor"]})
        ann_to_admin = await patch(ann, {"roles": ["admin"]})
        ada_to_approver = await patch(ada, {"roles": ["approver"]})
        ada_no_longer_admin = await patch(bob, {"name": "Bobby"})
        admin_now = "ann@example.com"
        ann_last_admin = await patch(ann, {"roles": ["approver"]}, by=admin_now)
        bob_renamed = await patch(bob, {"name": "Robert"}, by=admin_now)
        new_email = await patch(bob, {"email": "robert@example.com"}, by=admin_now)
        unknown = await patch(str(uuid.uuid4()), {"name": "Nobody"}, by=admin_now)
        listed = (await approval.http.get(org.path("/users"), headers=org.auth(admin_now))).json()

    assert ann_to_auditor.status_code == 409
    assert ann_to_auditor.json()["detail"] == (
        "the current workflow (version 1) names them at steps[0].approvers[0].approver:"
        " save a version without them"
    )
    assert ann_to_admin.status_code == 200 and ann_to_admin.json()["roles"] == ["admin"]
    assert ada_to_approver.status_code == 200  # Ann is an admin now; Ada may still approve
    assert ada_no_longer_admin.status_code == 403
    assert ann_last_admin.status_code == 409
    assert "only admin" in ann_last_admin.json()["detail"]
    assert bob_renamed.status_code == 200 and bob_renamed.json()["roles"] == ["approver"]
    assert new_email.status_code == 422 and unknown.status_code == 404
    assert {u["email"]: (u["name"], u["roles"]) for u in listed} == {
        "ada@example.com": ("Ada Admin", ["approver"]),
        "ann@example.com": ("Ann", ["admin"]),
        "bob@example.com": ("Robert", ["approver"]),
    }


def away(substitute: str, starts_in_h: float = -1, lasts_h: float = 24) -> dict[str, str]:
    starts = datetime.now(UTC) + timedelta(hours=starts_in_h)
    return {
        "substitute_email": substitute,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=lasts_h)).isoformat(),
    }


async def test_a_substitute_decides_for_an_absent_approver_while_the_absence_lasts(
    infra: Infrastructure, isolation: str
) -> None:
    two_steps = {
        "steps": [
            {"name": "Manager", "approvers": [{"approver": "ann@example.com"}]},
            {"name": "CFO", "approvers": [{"approver": "cat@example.com"}]},
        ],
        "default_approver": "ada@example.com",
    }
    users = [(f"{n}@example.com", ["approver"]) for n in ("ann", "bob", "cat")]
    bob = "bob@example.com"
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann = user_id_of(people, "ann@example.com")
        await approval.put_workflow(org, two_steps)
        set_by_ann = await approval.http.put(
            org.path(f"/users/{ann}/absence"), headers=org.auth("ann@example.com"), json=away(bob)
        )
        listed = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        await approval.submit(org, "to-approve")
        await approval.submit(org, "to-reject")
        approve_id = (await approval.request_of(org, "to-approve", state="in_approval"))[
            "request_id"
        ]
        reject_id = (await approval.request_of(org, "to-reject", state="in_approval"))["request_id"]
        bobs_pending = await approval.http.get(org.path("/requests/pending"), headers=org.auth(bob))
        bob_reads = await approval.http.get(
            org.path(f"/requests/{approve_id}"), headers=org.auth(bob)
        )
        approved = await approval.http.post(
            org.path(f"/requests/{approve_id}/approve"), headers=org.auth(bob), json={}
        )
        cfo_step = await approval.http.post(
            org.path(f"/requests/{approve_id}/approve"), headers=org.auth(bob), json={}
        )
        rejected = await approval.http.post(
            org.path(f"/requests/{reject_id}/reject"),
            headers=org.auth(bob),
            json={"reason": "Not ordered by us", "on_behalf_of": "ann@example.com"},
        )
        events = await approval.events(approve_id, until="RequestStepDecided")
        back = await approval.http.delete(
            org.path(f"/users/{ann}/absence"), headers=org.auth("ann@example.com")
        )
        await approval.submit(org, "after-return")
        after_id = (await approval.request_of(org, "after-return", state="in_approval"))[
            "request_id"
        ]
        bobs_pending_after = await approval.http.get(
            org.path("/requests/pending"), headers=org.auth(bob)
        )
        bob_after_return = await approval.http.post(
            org.path(f"/requests/{after_id}/approve"), headers=org.auth(bob), json={}
        )

    assert set_by_ann.status_code == 200 and set_by_ann.json()["substitute_email"] == bob
    assert {u["email"]: (u["absence"] or {}).get("substitute_email") for u in listed} == {
        "ada@example.com": None,
        "ann@example.com": bob,
        "bob@example.com": None,
        "cat@example.com": None,
    }
    assert {r["request_id"] for r in bobs_pending.json()} == {approve_id, reject_id}
    assert bob_reads.status_code == 200
    assert approved.status_code == 200 and approved.json()["current_step"]["name"] == "CFO"
    entry = next(e for e in approved.json()["audit_trail"] if e["action"] == "approved")
    assert (entry["actor"]["name"], entry["actor"]["role"]) == ("Bob", "substitute")
    assert entry["on_behalf_of"]["name"] == "Ann"
    assert cfo_step.status_code == 403  # Cat is not away: Bob stands in for Ann only
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    decided = events[-1]
    assert decided.decided_by.name == "Bob"  # type: ignore[attr-defined]
    assert decided.on_behalf_of.name == "Ann"  # type: ignore[attr-defined]
    assert back.status_code == 204
    assert [r["request_id"] for r in bobs_pending_after.json()] == []
    assert bob_after_return.status_code == 403


async def test_an_absence_is_refused_naming_the_field_and_rule_and_binds_its_substitute(
    infra: Infrastructure, isolation: str
) -> None:
    users = [
        ("ann@example.com", ["approver"]),
        ("bob@example.com", ["approver"]),
        ("aud@example.com", ["auditor"]),
    ]
    async with running_approval(infra, isolation) as approval:
        org = await approval.register(users=users)
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        ann, bob = user_id_of(people, "ann@example.com"), user_id_of(people, "bob@example.com")
        path = org.path(f"/users/{ann}/absence")

        async def refusal(body: dict[str, str]) -> tuple[str, str]:
            answer = await approval.http.put(path, headers=org.auth(), json=body)
            assert answer.status_code == 422, answer.text
            error = answer.json()["errors"][0]
            return error["field"], error["rule"]

        refusals = [
            await refusal(away("zed@example.com")),
            await refusal(away("ann@example.com")),
            await refusal(away("aud@example.com")),
            await refusal(away("bob@example.com", lasts_h=-1)),
            await refusal(away("bob@example.com", starts_in_h=-48, lasts_h=24)),
            await refusal(away("bob@example.com", lasts_h=24 * 400)),
        ]
        by_someone_else = await approval.http.put(
            path, headers=org.auth("bob@example.com"), json=away("bob@example.com")
        )
        set_by_admin = await approval.http.put(
            path, headers=org.auth(), json=away("bob@example.com")
        )
        remove_substitute = await approval.http.delete(
            org.path(f"/users/{bob}"), headers=org.auth()
        )
        cleared = await approval.http.delete(path, headers=org.auth())
        cleared_again = await approval.http.delete(path, headers=org.auth())
        remove_after = await approval.http.delete(org.path(f"/users/{bob}"), headers=org.auth())

    assert refusals == [
        ("substitute_email", "unknown_user"),
        ("substitute_email", "not_self"),
        ("substitute_email", "role_required"),
        ("ends_at", "after_start"),
        ("ends_at", "in_future"),
        ("ends_at", "max_length"),
    ]
    assert by_someone_else.status_code == 403
    assert set_by_admin.status_code == 200
    assert remove_substitute.status_code == 409
    assert "they stand in for ann@example.com while away" in remove_substitute.json()["detail"]
    assert cleared.status_code == 204 and cleared_again.status_code == 404
    assert remove_after.status_code == 204


async def test_a_workflow_can_keep_requesters_from_approving_their_own_bills(
    infra: Infrastructure, isolation: str
) -> None:
    bobs_own_step = {
        "steps": [{"name": "Manager", "approvers": [{"approver": "bob@example.com"}]}],
        "default_approver": "ada@example.com",
        "requester_may_approve": False,
    }
    bob = "bob@example.com"
    ada_alone = {"name": "Manager", "approvers": [{"approver": "ada@example.com"}]}
    bobs_bill = sample_bill("INV-BOB").model_copy(
        update={"requester": Requester(user_id="dext-9", name="Bob", email=bob)}
    )
    async with running_approval(infra, isolation) as approval:
        alone = await approval.register(users=[("aud@example.com", ["auditor"])])
        too_few = await approval.http.put(
            alone.path("/workflow"),
            headers=alone.auth(),
            json={**ONE_STEP, "steps": [ada_alone], "requester_may_approve": False},
        )
        org = await approval.register(
            users=[("ann@example.com", ["approver"]), (bob, ["approver"])]
        )
        people = (await approval.http.get(org.path("/users"), headers=org.auth())).json()
        await approval.put_workflow(org, bobs_own_step)
        await approval.submit(org, "bobs-bill", bill=bobs_bill)
        opened = await approval.request_of(org, "bobs-bill", state="in_approval")
        request_path = org.path(f"/requests/{opened['request_id']}")
        by_bob = await approval.http.post(f"{request_path}/approve", headers=org.auth(bob), json={})
        by_ada = await approval.http.post(f"{request_path}/approve", headers=org.auth(), json={})
        ann_removed = await approval.http.delete(
            org.path(f"/users/{user_id_of(people, 'ann@example.com')}"), headers=org.auth()
        )
        bob_demoted = await approval.http.patch(
            org.path(f"/users/{user_id_of(people, bob)}"),
            headers=org.auth(),
            json={"roles": ["requester"]},
        )

    assert too_few.status_code == 422
    assert {e["field"]: e["rule"] for e in too_few.json()["errors"]} == {
        "requester_may_approve": "two_approvers_required"
    }
    # The step names only Bob, who requested the bill: the workflow's default approver takes it.
    assert [a["email"] for a in opened["steps"][0]["approvers"]] == ["ada@example.com"]
    assert by_bob.status_code == 403
    assert by_bob.headers["content-type"] == "application/problem+json"
    assert by_bob.json()["type"].endswith("own-bill")
    assert by_ada.status_code == 200 and by_ada.json()["state"] == "authorised"
    changed = [e for e in by_ada.json()["audit_trail"] if e["action"] == "approvers_changed"]
    assert len(changed) == 1 and changed[0]["actor"]["kind"] == "system"
    assert (changed[0]["changes"][0]["before"], changed[0]["changes"][0]["after"]) == (
        bob,
        "ada@example.com",
    )
    assert ann_removed.status_code == 204  # Ada and Bob may still approve
    assert bob_demoted.status_code == 409
    assert "keeps requesters from approving their own bills" in bob_demoted.json()["detail"]
