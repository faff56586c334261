"""Approval's side of access tokens without a database: who a token names, and the signing
keys read from the settings (a malformed key stops approval from starting)."""

from __future__ import annotations

import uuid

import pytest
from countersign_approval.app import create_app, signing_keys
from countersign_approval.domain.people import Person, Role
from countersign_approval.settings import ApprovalSettings
from countersign_platform.access import AccessVerifier, SigningKeyError, generate_seed
from pydantic import ValidationError

INFRASTRUCTURE = {"database_url": "postgresql://unused", "kafka_bootstrap_servers": "-"}


def test_a_person_is_named_to_other_services_with_their_roles_and_organisation() -> None:
    ann = Person(
        user_id=uuid.uuid4(),
        email="ann@example.com",
        name="Ann Approver",
        roles=frozenset({Role.APPROVER, Role.REVIEWER}),
    )
    organisation = uuid.uuid4()

    caller = ann.caller(organisation)

    assert (caller.user_id, caller.organisation_id, caller.name) == (
        ann.user_id,
        organisation,
        "Ann Approver",
    )
    assert caller.roles == frozenset({"approver", "reviewer"})
    assert all(type(role) is str for role in caller.roles)


async def test_the_signing_keys_carry_the_shared_issuer_and_audience() -> None:
    settings = ApprovalSettings(
        **INFRASTRUCTURE,
        signing_keys=f"new:{generate_seed()},old:{generate_seed()}",
        access_issuer="countersign-staging",
        access_audience="countersign-staging",
    )

    keys = signing_keys(settings)

    assert keys is not None and keys.current_kid == "new"
    ada = Person(user_id=uuid.uuid4(), email="a@example.com", name="A", roles={Role.ADMIN})
    token = keys.issue(ada.caller(uuid.uuid4()), settings.access_token_ttl_s)
    verifier = AccessVerifier(keys, issuer="countersign-staging", audience="countersign-staging")
    assert (await verifier.verify(token)).roles == {"admin"}


def test_without_signing_keys_approval_starts_and_signs_nothing() -> None:
    assert signing_keys(ApprovalSettings(**INFRASTRUCTURE)) is None
    assert signing_keys(ApprovalSettings(**INFRASTRUCTURE, signing_keys="  ")) is None


def test_a_malformed_signing_key_stops_approval_from_starting() -> None:
    settings = ApprovalSettings(**INFRASTRUCTURE, signing_keys="k1:too-short")

    with pytest.raises(SigningKeyError):
        create_app(settings)


@pytest.mark.parametrize("ttl", [59, 3601])
def test_an_access_token_lifetime_outside_a_minute_to_an_hour_is_refused(ttl: int) -> None:
    with pytest.raises(ValidationError):
        ApprovalSettings(**INFRASTRUCTURE, access_token_ttl_s=ttl)


def test_a_key_set_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValidationError):
        ApprovalSettings(**INFRASTRUCTURE, access_jwks_url="approval:8082/.well-known/jwks.json")
