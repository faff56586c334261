"""Onboarding an organisation everywhere at once, as its operator and admin would: registers it
with approval (admin, users, workflow), gives ingest the Dext signing secret, creates its ledger
in a sandbox — a Xero tenant (accounts, tax rates, tracking, bank accounts: the sandbox's
UK-style defaults) or a QuickBooks Online company (a fresh UK one unless ``company`` says
otherwise) — and connects the publisher to it."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from countersign_harness.endpoints import Endpoints, mint_qbo_tokens, mint_xero_tokens
from countersign_harness.organisation import Organisation, Person
from countersign_platform.client_tls import client_tls

__all__ = ["mint_xero_tokens", "provision_organisation"]


ADA = Person("ada@example.com", "Ada Admin", ("admin",))


async def provision_organisation(
    endpoints: Endpoints,
    workflow: dict[str, Any],
    people: Sequence[Person] = (),
    *,
    name: str = "Northwind Trading Ltd",
    admin: Person = ADA,
    tenant: dict[str, Any] | None = None,
    connect_xero: bool = True,
    ledger: str = "xero",
) -> Organisation:
    """One organisation, onboarded in all three services and in its ledger's sandbox (its base
    currency is the ledger's, GBP unless ``tenant`` says otherwise). ``connect_xero=False``
    leaves its Xero connection to its admin (``xero_consent.XeroConsent``). ``ledger="qbo"``:
    a QuickBooks Online company (``tenant`` then specifies it: country, multicurrency…)."""
    org_id = uuid.uuid4()
    secret = base64.urlsafe_b64encode(os.urandom(32)).decode()
    spec = {"country": "GB", **(tenant or {})} if ledger == "qbo" else dict(tenant or {})
    base_currency = spec.get("base_currency", spec.get("home_currency", "GBP"))
    async with httpx.AsyncClient(timeout=30, verify=client_tls()) as http:
        admin_token = await _register(http, endpoints, org_id, name, base_currency, admin)
        tenant_id = await _create_books(http, endpoints, ledger, name, spec)
        org = Organisation(
            endpoints, org_id, secret, admin_token, tenant_id, name=name, ledger=ledger
        )
        org.tokens[admin.email] = admin_token
        await _add_people_and_workflow(http, org, people, workflow)
        await _connect_dext_and_ledger(http, org, connect_xero)
    return org


async def _create_books(
    http: httpx.AsyncClient, endpoints: Endpoints, ledger: str, name: str, spec: dict[str, Any]
) -> str:
    """The organisation's books in its ledger's sandbox: the Xero tenant id or QBO realmId."""
    if ledger == "qbo":
        created = await http.post(
            f"{endpoints.qbo_root}/_sandbox/companies", json={"name": name, **spec}
        )
        created.raise_for_status()
        return str(created.json()["realm_id"])
    created = await http.post(
        f"{endpoints.xero_root}/_sandbox/tenants",
        json={"name": name, "connect_client_id": endpoints.xero_client_id, **spec},
    )
    created.raise_for_status()
    return str(created.json()["tenant_id"])


async def _register(
    http: httpx.AsyncClient,
    endpoints: Endpoints,
    org_id: uuid.UUID,
    name: str,
    base_currency: str,
    admin: Person,
) -> str:
    """Registers the organisation with approval; answers its admin's token."""
    registered = await http.post(
        f"{endpoints.approval}/v1/organisations",
        headers=endpoints.operator,
        json={
            "organisation_id": str(org_id),
            "name": name,
            "base_currency": base_currency,
            "timezone": "Europe/London",
            "admin": {"email": admin.email, "name": admin.name},
        },
    )
    assert registered.status_code == 201, registered.text
    token: str = registered.json()["admin"]["token"]
    return token


async def _add_people_and_workflow(
    http: httpx.AsyncClient,
    org: Organisation,
    people: Sequence[Person],
    workflow: dict[str, Any],
) -> None:
    for person in people:
        added = await http.post(
            org._approval("/users"),
            headers=org.auth(),
            json={"email": person.email, "name": person.name, "roles": list(person.roles)},
        )
        assert added.status_code == 201, added.text
        org.tokens[person.email] = added.json()["token"]
    saved = await http.put(org._approval("/workflow"), headers=org.auth(), json=workflow)
    assert saved.status_code == 201, saved.text


async def _connect_dext_and_ledger(
    http: httpx.AsyncClient, org: Organisation, connect: bool
) -> None:
    """Gives ingest the Dext signing secret and the publisher a connection to the ledger."""
    endpoints = org.endpoints
    dext_secret = await http.put(
        f"{endpoints.ingest}/v1/operator/organisations/{org.organisation_id}/dext-secret",
        json={"secret": org.dext_secret},
        headers=endpoints.operator,
    )
    assert dext_secret.status_code == 201, dext_secret.text
    if not connect:
        return
    qbo = org.ledger == "qbo"
    tokens = (mint_qbo_tokens if qbo else mint_xero_tokens)(endpoints, org.tenant_id)
    connected = await http.put(
        f"{endpoints.publisher}/v1/organisations/{org.organisation_id}/{org.ledger}-connection",
        json={
            **{k: tokens[k] for k in ("access_token", "refresh_token", "expires_in")},
            ("realm_id" if qbo else "tenant_id"): org.tenant_id,
        },
        headers=endpoints.operator,
    )
    assert connected.status_code == 200, connected.text
