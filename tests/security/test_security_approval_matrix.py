"""Who may call what on approval's API: every role, every endpoint, own and other
organisation, read from the tables below. The endpoints are enumerated from the app itself, so
an endpoint added without a row here fails the test.

A refused call must leave nothing behind: the organisation's users, tokens, workflows, requests
(with their audit trails) and outbox are compared before and after it. A call aimed at another
organisation must never answer with its data."""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from countersign_approval.app import create_app
from countersign_approval.settings import ApprovalSettings
from countersign_contracts import PublicationFailed, PublicationKind, PublicationStep, Requester
from countersign_harness.approval import OPERATOR_TOKEN, ApprovalHarness, Org, running_approval
from countersign_harness.infra import Infrastructure
from countersign_harness.samples import sample_bill

from tests.security.endpoints import PUBLIC, endpoints_of, parse_table

pytestmark = pytest.mark.integration

ORG_PREFIX = "/v1/organisations/{organisation_id}"
CALLERS = ("admin", "reviewer", "approver", "requester", "auditor", "none", "bad", "operator")

# Each cell is the status the caller gets: an organisation's admin, reviewer (revw), approver
# (appr), requester (reqs) and auditor (audt); "none" sends no token, "bad" an unknown one, "oper"
# the operator's COUNTERSIGN_ADMIN_TOKEN. {org} is /v1/organisations/{organisation_id}, {req}
# is {request_id}. Here the users' own organisation is the one in the path. Every user may
# exchange their own API token for an access token (POST /access-tokens, no organisation).
# Signing in (/sign-in/…, /sessions/…) and e-mail actions (/action-grants…) are the web app's
# and the notifier's, with their client credential: no
# person's token, nor the operator's, opens it (the client's own rows are in
# tests/integration/test_approval_sign_in.py).
# State-changing calls that succeed act on a fresh request in the state named in TARGETS.
# {user_id} is the approver (Ann: her own absence is hers to set), except for a new token
# (Sam's, so no caller is locked out) and a user's removal (a user added for it).
OWN_ORGANISATION = """
endpoint                                      | admin revw appr reqs audt none bad  oper
POST  /v1/organisations                       | 401  401  401  401  401  401  401  201
PATCH {org}                                   | 401  401  401  401  401  401  401  200
POST  /access-tokens                          | 201  201  201  201  201  401  401  401
POST  /sign-in/links                          | 401  401  401  401  401  401  401  401
POST  /sign-in/links/redeem                   | 401  401  401  401  401  401  401  401
POST  /sign-in/oidc                           | 401  401  401  401  401  401  401  401
POST  /sessions/access-tokens                 | 401  401  401  401  401  401  401  401
POST  /sessions/sign-out                      | 401  401  401  401  401  401  401  401
POST  /action-grants                          | 401  401  401  401  401  401  401  401
POST  /action-grants/preview                  | 401  401  401  401  401  401  401  401
POST  /action-grants/decide                   | 401  401  401  401  401  401  401  401
POST  {org}/users                             | 201  403  403  403  403  401  401  401
GET   {org}/users                             | 200  403  403  403  403  401  401  401
PATCH {org}/users/{user_id}                   | 200  403  403  403  403  401  401  401
DELETE {org}/users/{user_id}                  | 204  403  403  403  403  401  401  401
POST  {org}/users/{user_id}/token             | 201  403  403  403  403  401  401  401
GET   {org}/users/{user_id}/out-of-office     | 200  403  200  403  403  401  401  401
PUT   {org}/users/{user_id}/absence           | 200  403  200  403  403  401  401  401
DELETE {org}/users/{user_id}/absence          | 204  403  204  403  403  401  401  401
GET   {org}/settings                          | 200  403  403  403  403  401  401  401
PATCH {org}/settings                          | 200  403  403  403  403  401  401  401
PUT   {org}/workflow                          | 201  403  403  403  403  401  401  401
GET   {org}/workflow                          | 200  403  403  403  403  401  401  401
GET   {org}/workflow/versions                 | 200  403  403  403  403  401  401  401
GET   {org}/workflow/versions/{version}       | 200  403  403  403  403  401  401  401
POST  {org}/requests/{req}/force-approve      | 200  403  403  403  403  401  401  401
POST  {org}/requests/{req}/force-reject       | 200  403  403  403  403  401  401  401
POST  {org}/requests/{req}/reassign           | 200  403  403  403  403  401  401  401
POST  {org}/requests/{req}/retry-publication  | 200  403  403  403  403  401  401  401
POST  {org}/requests/{req}/cancel-publication | 202  403  403  403  403  401  401  401
PATCH {org}/requests/{req}/publication/lines/{line_index} | 200 403 403 403 403 401 401 401
GET   {org}/requests                          | 200  200  200  200  200  401  401  401
GET   {org}/requests/pending                  | 200  200  200  200  200  401  401  401
GET   {org}/requests/{req}                    | 200  200  200  200  200  401  401  401
GET   {org}/coding-options                    | 200  200  200  200  200  401  401  401
POST  {org}/requests/{req}/approve            | 403  403  200  403  403  401  401  401
POST  {org}/requests/{req}/reject             | 403  403  200  403  403  401  401  401
PATCH {org}/requests/{req}/lines/{line_index} | 403  200  403  403  403  401  401  401
POST  {org}/requests/{req}/review             | 403  200  403  403  403  401  401  401
"""

# The same calls with the other organisation's id (and its request's id) in the path: a user
# token is answered as if that organisation did not exist. The operator's endpoints are the
# operator's for every organisation.
OTHER_ORGANISATION = """
endpoint                                      | admin revw appr reqs audt none bad  oper
PATCH {org}                                   | 401  401  401  401  401  401  401  200
POST  {org}/users                             | 404  404  404  404  404  401  401  401
GET   {org}/users                             | 404  404  404  404  404  401  401  401
PATCH {org}/users/{user_id}                   | 404  404  404  404  404  401  401  401
DELETE {org}/users/{user_id}                  | 404  404  404  404  404  401  401  401
POST  {org}/users/{user_id}/token             | 404  404  404  404  404  401  401  401
GET   {org}/users/{user_id}/out-of-office     | 404  404  404  404  404  401  401  401
PUT   {org}/users/{user_id}/absence           | 404  404  404  404  404  401  401  401
DELETE {org}/users/{user_id}/absence          | 404  404  404  404  404  401  401  401
GET   {org}/settings                          | 404  404  404  404  404  401  401  401
PATCH {org}/settings                          | 404  404  404  404  404  401  401  401
PUT   {org}/workflow                          | 404  404  404  404  404  401  401  401
GET   {org}/workflow                          | 404  404  404  404  404  401  401  401
GET   {org}/workflow/versions                 | 404  404  404  404  404  401  401  401
GET   {org}/workflow/versions/{version}       | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/force-approve      | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/force-reject       | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/reassign           | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/retry-publication  | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/cancel-publication | 404  404  404  404  404  401  401  401
PATCH {org}/requests/{req}/publication/lines/{line_index} | 404 404 404 404 404 401 401 401
GET   {org}/requests                          | 404  404  404  404  404  401  401  401
GET   {org}/requests/pending                  | 404  404  404  404  404  401  401  401
GET   {org}/requests/{req}                    | 404  404  404  404  404  401  401  401
GET   {org}/coding-options                    | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/approve            | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/reject             | 404  404  404  404  404  401  401  401
PATCH {org}/requests/{req}/lines/{line_index} | 404  404  404  404  404  401  401  401
POST  {org}/requests/{req}/review             | 404  404  404  404  404  401  401  401
"""

# The state a request must be in for the endpoint's call to be possible at all, so a refusal
# is about who calls, never about the request's state.
TARGETS = {
    "force-approve": "in_approval",
    "force-reject": "in_approval",
    "reassign": "in_approval",
    "retry-publication": "publish_failed",
    "cancel-publication": "publish_failed",
    "publication": "publish_failed",
    "approve": "in_approval",
    "reject": "in_approval",
    "lines": "in_review",
    "review": "in_review",
    "{request_id}": "in_approval",
}

WORKFLOW: dict[str, Any] = {
    "review": {"reviewers": ["rev@example.com"]},
    "steps": [{"name": "Manager", "approvers": [{"approver": "ann@example.com"}]}],
    "default_approver": "ann@example.com",
}
USERS = [
    ("rev@example.com", ["reviewer"]),
    ("ann@example.com", ["approver"]),
    ("req@example.com", ["requester"]),
    ("aud@example.com", ["auditor"]),
    ("sam@example.com", ["approver"]),
]


def absence() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "substitute_email": "sam@example.com",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=30)).isoformat(),
    }


EMAIL_OF = {
    "reviewer": "rev@example.com",
    "approver": "ann@example.com",
    "requester": "req@example.com",
    "auditor": "aud@example.com",
}


def parse(table: str) -> dict[str, dict[str, int]]:
    parsed = parse_table(table, CALLERS, {"{org}": ORG_PREFIX, "{req}": "{request_id}"})
    return {e: {c: s for c, s in row.items() if s is not None} for e, row in parsed.items()}


@dataclass
class World:
    """Two organisations with the same people and workflow, and requests in each state."""

    approval: ApprovalHarness
    orgs: dict[str, Org]
    shared: dict[tuple[str, str], str] = field(default_factory=dict)  # (org, state) → request
    numbers: itertools.count[int] = field(default_factory=itertools.count)

    async def request_in(self, org_name: str, state: str) -> str:
        org = self.orgs[org_name]
        item = f"{org_name}-{state}-{next(self.numbers)}"
        bill = sample_bill(f"INV-{item}").model_copy(
            update={
                "requester": Requester(
                    user_id="dext-req", name="Rea Quester", email="req@example.com"
                )
            }
        )
        await self.approval.submit(org, item, bill=bill)
        request = await self.approval.request_of(org, item, state="in_review")
        rid = str(request["request_id"])
        if state == "in_review":
            return rid
        await self._ok(org, "post", f"/requests/{rid}/review", "rev@example.com", {})
        await self.approval.request_of(org, item, state="in_approval")
        if state == "in_approval":
            return rid
        await self._ok(org, "post", f"/requests/{rid}/approve", "ann@example.com", {})
        await self.approval.publish_ledger(
            org,
            PublicationFailed(
                publication_id=uuid.uuid4(),
                kind=PublicationKind.BILL,
                request_id=UUID(rid),
                dext_item_id=item,
                item_version=1,
                step=PublicationStep.CREATE_BILL,
                messages=["Account code '429' has been archived"],
                retryable=False,
                attempt=1,
                http_status=400,
            ),
        )
        await self.approval.request_of(org, item, state="publish_failed")
        return rid

    async def _ok(self, org: Org, method: str, suffix: str, email: str, body: Any) -> None:
        response = await self.approval.http.request(
            method.upper(), org.path(suffix), headers=org.auth(email), json=body
        )
        assert response.status_code == 200, response.text

    async def target(self, org_name: str, state: str, fresh: bool) -> str:
        if fresh:
            return await self.request_in(org_name, state)
        if (org_name, state) not in self.shared:
            self.shared[org_name, state] = await self.request_in(org_name, state)
        return self.shared[org_name, state]

    async def user_in(self, org_name: str, endpoint: str, succeeds: bool) -> str:
        """The user a call to ``endpoint`` acts on; with ``succeeds``, one it can succeed on."""
        org = self.orgs[org_name]
        if endpoint.startswith("DELETE") and endpoint.endswith("/users/{user_id}") and succeeds:
            added = await self.approval.http.post(
                org.path("/users"),
                headers=org.auth(),
                json={
                    "email": f"leaver{next(self.numbers)}@example.com",
                    "name": "Leaver",
                    "roles": ["requester"],
                },
            )
            assert added.status_code == 201, added.text
            return str(added.json()["user_id"])
        # A new token for Ann would lock the matrix's approver out: Sam (no caller) gets it.
        email = "sam@example.com" if endpoint.endswith("/token") else EMAIL_OF["approver"]
        async with self.approval.runtime.pool.acquire() as conn:
            ann = await conn.fetchval(
                "SELECT user_id FROM users WHERE organisation_id = $1 AND email = $2",
                org.organisation_id,
                email,
            )
        if endpoint.startswith("DELETE") and endpoint.endswith("/absence") and succeeds:
            answer = await self.approval.http.put(
                org.path(f"/users/{ann}/absence"), headers=org.auth(), json=absence()
            )
            assert answer.status_code == 200, answer.text
        return str(ann)

    async def data_of(self, org_name: str) -> set[str]:
        """Values only the organisation's own people may see: its users' ids, its workflow's
        id, its items and requests (the ids a caller puts in the path are not among them)."""
        org = self.orgs[org_name].organisation_id
        async with self.approval.runtime.pool.acquire() as conn:
            users = await conn.fetch("SELECT user_id FROM users WHERE organisation_id = $1", org)
            flows = await conn.fetch(
                "SELECT workflow_id FROM workflows WHERE organisation_id = $1", org
            )
            items = await conn.fetch(
                "SELECT dext_item_id FROM requests WHERE organisation_id = $1", org
            )
        return (
            {str(r["user_id"]) for r in users}
            | {str(r["workflow_id"]) for r in flows}
            | {str(r["dext_item_id"]) for r in items}
        )

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


def headers_of(world: World, caller: str) -> dict[str, str]:
    org = world.orgs["own"]
    if caller == "admin":
        return org.auth()
    if caller in EMAIL_OF:
        return org.auth(EMAIL_OF[caller])
    if caller == "bad":
        return {"Authorization": "Bearer csk_" + uuid.uuid4().hex}
    if caller == "operator":
        return {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    return {}


def body_of(method: str, path: str, n: int) -> Any:
    if method in ("GET", "DELETE"):
        return None
    last = path.rsplit("/", 1)[-1]
    bodies: dict[str, Callable[[], Any]] = {
        "access-tokens": lambda: None,
        "organisations": lambda: {
            "name": f"Registered {n}",
            "base_currency": "GBP",
            "timezone": "Europe/London",
            "admin": {"email": f"first{n}@example.com", "name": "First"},
        },
        "{organisation_id}": lambda: {"name": "Northwind Trading Ltd"},
        "users": lambda: {"email": f"new{n}@example.com", "name": "New", "roles": ["requester"]},
        "{user_id}": lambda: {"name": "Ann Approver"},
        "token": dict,
        "absence": absence,
        "settings": lambda: {"duplicate_policy": "warn"},
        "workflow": lambda: WORKFLOW,
        "force-approve": lambda: {"comment": "month end"},
        "force-reject": lambda: {"comment": "duplicate"},
        "reassign": lambda: {"from_email": "ann@example.com", "to_email": "sam@example.com"},
        "retry-publication": dict,
        "cancel-publication": lambda: {"reason": "entered in Xero by hand"},
        "approve": dict,
        "reject": lambda: {"reason": "not ours"},
        "{line_index}": lambda: {"account_code": "463"},
        "review": dict,
        "links": lambda: {"email": "ann@example.com"},
        "redeem": lambda: {"code": "csl_" + "c" * 43},
        "oidc": lambda: {"id_token": "a.b.c" * 4, "nonce": "n" * 16},
        "sign-out": lambda: {"session_token": "css_" + "s" * 43},
        "action-grants": lambda: {
            "organisation_id": str(uuid.uuid4()),
            "request_id": str(uuid.uuid4()),
            "user_id": str(uuid.uuid4()),
        },
        "preview": lambda: {"grant": "csg_" + "g" * 43},
        "decide": lambda: {"grant": "csg_" + "g" * 43, "decision": "approve"},
    }
    return bodies[last]()


def target_state(path: str) -> str | None:
    if "{request_id}" not in path:
        return None
    after = path.split("{request_id}", 1)[1].strip("/").split("/")[0] or "{request_id}"
    return TARGETS[after]


CallOutcome = tuple[int, str, str]  # status, body, the path called


async def call(
    world: World, endpoint: str, caller: str, org_name: str, expected: int, n: int
) -> tuple[CallOutcome, bool]:
    """Makes the call; returns its status and body, and whether the stored state is unchanged."""
    method, template = endpoint.split(" ", 1)
    org = world.orgs[org_name]
    state = target_state(template)
    values: dict[str, str] = {"organisation_id": str(org.organisation_id), "version": "1"}
    values["line_index"] = "0"
    changes_state = expected < 300 and method != "GET"
    if state is not None:
        values["request_id"] = await world.target(org_name, state, fresh=changes_state)
    if "{user_id}" in template:
        values["user_id"] = await world.user_in(org_name, endpoint, changes_state)
    path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)
    before = await world.fingerprint()
    response = await world.approval.http.request(
        method, path, headers=headers_of(world, caller), json=body_of(method, template, n)
    )
    unchanged = before == await world.fingerprint()
    return (response.status_code, response.text, path), unchanged


async def run_matrix(
    world: World, table: dict[str, dict[str, int]], org_name: str
) -> tuple[list[str], list[str], list[str]]:
    wrong, recorded, leaked = [], [], []
    other_data = await world.data_of("other")
    n = itertools.count()
    for endpoint, row in table.items():
        for caller, expected in row.items():
            (status, text, path), unchanged = await call(
                world, endpoint, caller, org_name, expected, next(n)
            )
            cell = f"{endpoint} as {caller} ({org_name} organisation)"
            if status != expected:
                wrong.append(f"{cell}: {status}, expected {expected}: {text[:160]}")
            if status >= 300 and not unchanged:
                recorded.append(cell)
            if org_name == "other" and caller != "operator" and status < 300:
                leaked.append(cell)
            if org_name == "other" and caller != "operator":
                # What the caller put in the path they knew already (a problem's `instance`).
                shown = [v for v in other_data if v in text and v not in path]
                leaked += [f"{cell}: body shows {v}" for v in shown]
    return wrong, recorded, leaked


def test_every_approval_endpoint_has_a_row_in_both_tables() -> None:
    settings = ApprovalSettings(database_url="postgresql://unused", kafka_bootstrap_servers="-")
    endpoints = endpoints_of(create_app(settings))
    own, other = parse(OWN_ORGANISATION), parse(OTHER_ORGANISATION)
    organisation_free = {e for e in own if "{organisation_id}" not in e}
    assert endpoints - PUBLIC == set(own), "an endpoint without a row (or a row too many)"
    assert set(other) == set(own) - organisation_free


async def test_each_role_gets_exactly_its_cell_and_a_refusal_records_nothing(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        world = World(
            approval,
            {"own": await approval.register(users=USERS), "other": await approval.register()},
        )
        other = world.orgs["other"]
        for email, roles in USERS:
            added = await approval.http.post(
                other.path("/users"),
                headers=other.auth(),
                json={"email": email, "name": email.split("@")[0], "roles": roles},
            )
            assert added.status_code == 201, added.text
            other.tokens[email] = added.json()["token"]
        for org in world.orgs.values():
            await approval.put_workflow(org, WORKFLOW)
        for state in ("in_review", "in_approval", "publish_failed"):
            await world.target("other", state, fresh=False)

        own_result = await run_matrix(world, parse(OWN_ORGANISATION), "own")
        other_result = await run_matrix(world, parse(OTHER_ORGANISATION), "other")

    wrong, recorded, leaked = (a + b for a, b in zip(own_result, other_result, strict=True))
    assert wrong == []
    assert recorded == []
    assert leaked == []


async def test_people_who_do_not_see_everything_see_only_requests_they_take_part_in(
    infra: Infrastructure, isolation: str
) -> None:
    async with running_approval(infra, isolation) as approval:
        world = World(approval, {"own": await approval.register(users=USERS)})
        org = world.orgs["own"]
        await approval.put_workflow(org, WORKFLOW)
        theirs = await world.request_in("own", "in_approval")  # requested by req@
        await approval.submit(org, "someone-else")  # requested by a person who is no user
        others = str((await approval.request_of(org, "someone-else"))["request_id"])

        async def listed(email: str | None) -> set[str]:
            response = await approval.http.get(org.path("/requests"), headers=org.auth(email))
            assert response.status_code == 200, response.text
            return {r["request_id"] for r in response.json()}

        seen = {
            who: await listed(email)
            for who, email in {
                "admin": None,
                "auditor": "aud@example.com",
                "requester": "req@example.com",
                "uninvolved approver": "sam@example.com",
            }.items()
        }
        opened = await approval.http.get(
            org.path(f"/requests/{others}"), headers=org.auth("req@example.com")
        )
        by_stranger = await approval.http.get(
            org.path(f"/requests/{theirs}"), headers=org.auth("sam@example.com")
        )

    assert seen == {
        "admin": {theirs, others},
        "auditor": {theirs, others},
        "requester": {theirs},
        "uninvolved approver": set(),
    }
    assert (opened.status_code, by_stranger.status_code) == (403, 403)
