"""Every kind of bad body or query an approver, an administrator or the operator could send to
approval is refused with a 4xx problem naming the field and the rule, and leaves nothing behind:
no row changed in any table, no outbox row. The requests they aim at exist and wait for exactly
the caller, so a body that got through would be stored."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from countersign_harness.approval import OPERATOR_TOKEN, ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure

pytestmark = pytest.mark.integration

ANN, REX = "ann@example.com", "rex@example.com"
WORKFLOW: dict[str, Any] = {
    "review": {"reviewers": [REX]},
    "steps": [{"name": "Manager", "approvers": [{"approver": ANN}]}],
    "default_approver": "ada@example.com",
}
NUL, ESC, RLO, ZWSP = "\x00", "\x1b", "\u202e", "\u200b"


@dataclass(frozen=True)
class Bad:
    """``path`` names ``{deciding}`` (a request awaiting ANN), ``{reviewing}`` (one awaiting
    REX's review) or ``{user}`` (ANN's user id); ``who`` is an email, "admin" or "operator"."""

    name: str
    method: str
    path: str
    who: str
    field: str
    rule: str
    body: Any = None  # JSON-able, or the raw bytes sent as application/json
    params: dict[str, str] = field(default_factory=dict)
    status: int = 422
    content_type: str = "application/json"


def _user(name: str) -> dict[str, Any]:
    return {"email": "new@example.com", "name": name, "roles": ["approver"]}


def _registration(name: str = "Northwind", admin_email: str = "a@example.com") -> dict[str, Any]:
    return {
        "name": name,
        "base_currency": "GBP",
        "timezone": "Europe/London",
        "admin": {"email": admin_email, "name": "A"},
    }


def _workflow(step_name: str) -> dict[str, Any]:
    return {**WORKFLOW, "steps": [{**WORKFLOW["steps"][0], "name": step_name}]}


APPROVE = "/requests/{deciding}/approve"
DEEP = b'{"comment": "fine", "step": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
REJECT = "/requests/{deciding}/reject"

CASES = [
    Bad("NUL in an approve comment", "POST", APPROVE, ANN, "comment", "control_characters",
        {"comment": f"fine{NUL}"}),
    Bad("NUL in a reject reason", "POST", REJECT, ANN, "reason", "control_characters",
        {"reason": f"wrong{NUL}cost centre"}),
    Bad("NUL in a user name", "POST", "/users", "admin", "name", "control_characters",
        _user(f"Eve{NUL}")),
    Bad("NUL in a new name", "PATCH", "/users/{user}", "admin", "name", "control_characters",
        {"name": f"Ann{NUL}"}),
    Bad("line break in a user name", "POST", "/users", "admin", "name", "control_characters",
        _user("Eve\nAdmin")),
    Bad("C1 control in a user name", "POST", "/users", "admin", "name", "control_characters",
        _user("Eve\x85")),
    Bad("NUL in an e-mail", "POST", "/users", "admin", "email", "control_characters",
        {**_user("Eve"), "email": f"eve{NUL}@example.com"}),
    Bad("escape sequence in a force-reject comment", "POST", "/requests/{deciding}/force-reject",
        "admin", "comment", "control_characters", {"comment": f"{ESC}[2Jdone"}),
    Bad("NUL in a reassign comment", "POST", "/requests/{deciding}/reassign", "admin",
        "comment", "control_characters",
        {"from_email": ANN, "to_email": "ada@example.com", "comment": NUL}),
    Bad("NUL in a review comment", "POST", "/requests/{reviewing}/review", REX, "comment",
        "control_characters", {"comment": NUL}),
    Bad("NUL in a tracking option", "PATCH", "/requests/{reviewing}/lines/0", REX,
        "tracking[0].option", "control_characters",
        {"tracking": [{"category": "Region", "option": f"North{NUL}"}]}),
    Bad("NUL in an account code", "PATCH", "/requests/{reviewing}/lines/0", REX,
        "account_code", "control_characters", {"account_code": f"4{NUL}"}),
    Bad("NUL in a workflow step name", "PUT", "/workflow", "admin", "steps[0].name",
        "control_characters", _workflow(f"Manager{NUL}")),
    Bad("bidirectional override in a workflow step name", "PUT", "/workflow", "admin",
        "steps[0].name", "invisible_characters", _workflow(f"Manager{RLO}")),
    Bad("zero-width space in a supplier rule", "PUT", "/workflow", "admin",
        "auto_approval[0].conditions[0].supplier.values[0]", "invisible_characters",
        {**WORKFLOW, "auto_approval": [
            {"conditions": [{"field": "supplier", "values": [f"Acme{ZWSP} Ltd"]}]}]}),
    Bad("NUL in an organisation name", "POST", "", "operator", "name", "control_characters",
        _registration(f"North{NUL}wind")),
    Bad("NUL in a renamed organisation", "PATCH", "", "operator", "name", "control_characters",
        {"name": NUL}),
    Bad("NUL in a listing filter", "GET", "/requests", "admin", "dext_item_id",
        "control_characters", params={"dext_item_id": f"item{NUL}"}),
    Bad("comment twice in an approval", "POST", APPROVE, ANN, "comment", "duplicate_key",
        b'{"comment": "approved as coded", "comment": "approved"}'),
    Bad("reason twice in a rejection", "POST", REJECT, ANN, "reason", "duplicate_key",
        b'{"reason": "duplicate bill", "step": 1, "reason": "fine"}'),
    Bad("an approver twice in one object of a workflow", "PUT", "/workflow", "admin",
        "steps[0].approvers[0].approver", "duplicate_key",
        b'{"steps": [{"name": "M", "approvers": [{"approver": "ann@example.com",'
        b' "approver": "ada@example.com"}]}], "default_approver": "ada@example.com"}'),
    Bad("an approval body nested 100,000 deep", "POST", APPROVE, ANN, "body", "json_too_deep",
        DEEP),
    Bad("a workflow nested 100,000 deep", "PUT", "/workflow", "admin", "body", "json_too_deep",
        b'{"steps": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    Bad("a lone surrogate in a comment", "POST", APPROVE, ANN, "comment", "lone_surrogate",
        b'{"comment": "ok \\ud800"}'),
    Bad("NaN as the step", "POST", APPROVE, ANN, "body", "json_invalid", b'{"step": NaN}'),
    Bad("an approval body over 1 MB", "POST", APPROVE, ANN, "body", "max_bytes",
        b'{"comment": "' + b"x" * 1_000_000 + b'"}', status=413),
    Bad("an approval sent as text/plain", "POST", APPROVE, ANN, "Content-Type", "media_type",
        b'{"comment": "fine"}', status=415, content_type="text/plain"),
    Bad("an approval in UTF-16", "POST", APPROVE, ANN, "body", "json_invalid",
        '{"comment": "fine"}'.encode("utf-16")),
    Bad("1e400 as the step", "POST", APPROVE, ANN, "body", "json_invalid", b'{"step": 1e400}'),
    Bad("bidirectional override in a user name", "POST", "/users", "admin", "name",
        "invisible_characters", _user(f"Eve {RLO}nimdA")),
    Bad("a user with 80,000 roles", "POST", "/users", "admin", "roles", "too_long",
        {**_user("Eve"), "roles": ["approver"] * 80_000}),
    Bad("a supplier rule with 100,000 values", "PUT", "/workflow", "admin",
        "auto_approval[0].conditions[0].supplier.values", "too_long",
        {**WORKFLOW, "auto_approval": [
            {"conditions": [{"field": "supplier", "values": ["x"] * 100_000}]}]}),
    Bad("CRLF in a listing filter", "GET", "/requests", "admin", "dext_item_id",
        "control_characters", params={"dext_item_id": "x\r\nSet-Cookie: admin=1"}),
]  # fmt: skip


@dataclass
class World:
    approval: ApprovalHarness
    org: Org
    ids: dict[str, str]

    async def fingerprint(self) -> str:
        """Everything an API call could record, outbox publication marks aside."""
        queries = (
            "SELECT * FROM organisations ORDER BY organisation_id",
            "SELECT * FROM users ORDER BY user_id",
            "SELECT * FROM api_tokens ORDER BY token_sha256",
            "SELECT * FROM absences ORDER BY user_id",
            "SELECT * FROM workflows ORDER BY organisation_id, version",
            "SELECT * FROM requests ORDER BY request_id",
            "SELECT event_id, topic, key, headers, payload FROM outbox ORDER BY id",
        )
        digest = hashlib.sha256()
        async with self.approval.runtime.pool.acquire() as conn:
            for query in queries:
                for row in await conn.fetch(query):
                    digest.update(repr(tuple(row.values())).encode())
        return digest.hexdigest()

    def headers(self, who: str) -> dict[str, str]:
        if who == "operator":
            return {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
        return self.org.auth(None if who == "admin" else who)

    def path(self, case: Bad) -> str:
        if case.who == "operator":
            own = "" if case.method == "POST" else f"/{self.org.organisation_id}"
            return f"/v1/organisations{own}"
        return self.org.path(case.path.format(**self.ids))

    async def request_awaiting_ann(self, item: str) -> str:
        """A new request, reviewed by REX, now awaiting ANN's decision."""
        await self.approval.submit(self.org, item)
        found = await self.approval.request_of(self.org, item, state="in_review")
        reviewed = await self.approval.http.post(
            self.org.path(f"/requests/{found['request_id']}/review"),
            headers=self.org.auth(REX),
            json={},
        )
        assert reviewed.status_code == 200, reviewed.text
        await self.approval.request_of(self.org, item, state="in_approval")
        return str(found["request_id"])


@pytest.fixture(scope="module")
async def world(infra: Infrastructure) -> AsyncIterator[World]:
    async with running_approval(infra, "t" + uuid.uuid4().hex[:10]) as approval:
        org = await approval.register(users=[(ANN, ["approver"]), (REX, ["reviewer"])])
        await approval.put_workflow(org, WORKFLOW)
        await approval.submit(org, "reviewing")
        reviewing = await approval.request_of(org, "reviewing", state="in_review")
        world = World(approval, org, {"reviewing": reviewing["request_id"]})
        world.ids["deciding"] = await world.request_awaiting_ann("deciding")
        users = await approval.http.get(org.path("/users"), headers=org.auth())
        ann = next(u for u in users.json() if u["email"] == ANN)
        world.ids["user"] = ann["user_id"]
        yield world


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_bad_call_is_refused_naming_field_and_rule_and_changes_nothing(
    world: World, case: Bad
) -> None:
    before = await world.fingerprint()

    raw = isinstance(case.body, bytes)
    response = await world.approval.http.request(
        case.method,
        world.path(case),
        headers={**world.headers(case.who), "content-type": case.content_type},
        content=case.body if raw else None,
        json=None if raw else case.body,
        params=case.params,
    )

    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = [{"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]]
    assert {"field": case.field, "rule": case.rule} in errors, errors
    assert await world.fingerprint() == before


async def test_free_text_keeps_its_tabs_and_line_breaks(world: World) -> None:
    """The multi-line rule: a comment may span lines (and the request then moves on)."""
    request_id = await world.request_awaiting_ann("multi-line")

    response = await world.approval.http.post(
        world.org.path(f"/requests/{request_id}/approve"),
        headers=world.org.auth(ANN),
        json={"comment": "Checked:\r\n\t- totals\n\t- coding"},
    )

    assert response.status_code == 200, response.text
    [approved] = [e for e in response.json()["audit_trail"] if e["action"] == "approved"]
    assert approved["comment"] == "Checked:\r\n\t- totals\n\t- coding"


async def test_a_request_stored_before_the_text_rule_still_opens_and_is_decided(
    world: World,
) -> None:
    """Reviewer edits were not checked before: a tracking option with an escape character may
    be stored. Its request reads (tolerantly) and takes a decision like any other."""
    request_id = await world.request_awaiting_ann("stored-earlier")
    async with world.approval.runtime.pool.acquire() as conn:
        await conn.execute(
            "UPDATE requests SET document = jsonb_set(document,"
            " '{bill,lines,0,tracking,0,option}', to_jsonb($2::text))"
            " WHERE request_id = $1",
            uuid.UUID(request_id),
            f"North{ESC}[1m",
        )

    shown = await world.approval.http.get(
        world.org.path(f"/requests/{request_id}"), headers=world.org.auth()
    )
    approved = await world.approval.http.post(
        world.org.path(f"/requests/{request_id}/approve"),
        headers=world.org.auth(ANN),
        json={"comment": "fine"},
    )

    assert shown.status_code == 200, shown.text
    assert shown.json()["lines"][0]["tracking"][0]["option"] == f"North{ESC}[1m"
    assert approved.status_code == 200, approved.text
