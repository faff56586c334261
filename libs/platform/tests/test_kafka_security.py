"""The Kafka clients' security settings and the ACLs a service's principal gets (ADR 0063)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from countersign_contracts import APPROVAL_REQUESTS, COST_ITEMS, dlq_topic
from countersign_platform.kafka_acls import (
    Acl,
    Operation,
    Pattern,
    Resource,
    reader_acls,
    service_acls,
)
from countersign_platform.kafka_security import KafkaSecurity
from countersign_platform.spec import ServiceSpec
from countersign_platform.subscription import Subscription
from pydantic import ValidationError

pytestmark = pytest.mark.unit

SCRAM = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_USERNAME": "ingest",
    "KAFKA_SASL_PASSWORD": "s3cret-password",
}


@pytest.fixture(autouse=True)
def no_kafka_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SCRAM, "KAFKA_SASL_MECHANISM", "KAFKA_SSL_CAFILE"):
        monkeypatch.delenv(name, raising=False)


def test_without_settings_a_client_connects_in_plaintext() -> None:
    assert KafkaSecurity().client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_gives_tls_and_the_scram_user(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SCRAM.items():
        monkeypatch.setenv(name, value)
    options = KafkaSecurity().client_options()
    assert isinstance(options.pop("ssl_context"), ssl.SSLContext)
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ingest",
        "sasl_plain_password": "s3cret-password",
    }


def test_the_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SCRAM.items():
        monkeypatch.setenv(name, value)
    security = KafkaSecurity()
    assert "s3cret-password" not in repr(security) + str(security.model_dump())


@pytest.mark.parametrize("missing", ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
def test_sasl_without_a_user_or_password_is_refused(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    for name, value in SCRAM.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match="needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        KafkaSecurity()


def test_a_ca_file_that_does_not_exist_fails_when_connecting(tmp_path: Path) -> None:
    security = KafkaSecurity(security_protocol="SSL", ssl_cafile=str(tmp_path / "none.pem"))
    with pytest.raises(FileNotFoundError):
        security.client_options()


def test_as_user_keeps_the_connection_and_changes_the_principal() -> None:
    admin = KafkaSecurity(
        security_protocol="SASL_PLAINTEXT", sasl_username="admin", sasl_password="a"
    )
    options = admin.as_user("approval", "b").client_options()
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("approval", "b")
    assert admin.client_options()["sasl_plain_username"] == "admin"


SPEC = ServiceSpec(
    name="approval",
    description="",
    migrations=Path("."),
    consumes=(Subscription(COST_ITEMS, "approval"),),
    produces=(APPROVAL_REQUESTS,),
)


def test_a_service_writes_what_it_owns_and_its_dead_letters_and_reads_what_it_consumes() -> None:
    who = "User:approval"
    assert service_acls(SPEC, "t1.") == sorted(
        [
            Acl(who, Resource.TOPIC, "t1." + APPROVAL_REQUESTS, Pattern.LITERAL, Operation.WRITE),
            Acl(who, Resource.TOPIC, "t1." + COST_ITEMS, Pattern.LITERAL, Operation.READ),
            Acl(
                who,
                Resource.TOPIC,
                "t1." + dlq_topic(COST_ITEMS, "approval"),
                Pattern.LITERAL,
                Operation.WRITE,
            ),
            Acl(who, Resource.GROUP, "t1.approval", Pattern.PREFIXED, Operation.READ),
            Acl(
                who, Resource.CLUSTER, "kafka-cluster", Pattern.LITERAL, Operation.IDEMPOTENT_WRITE
            ),
        ]
    )


def test_the_principal_format_names_the_user() -> None:
    acls = service_acls(SPEC, principal_format="User:countersign-{service}")
    assert {acl.principal for acl in acls} == {"User:countersign-approval"}


def test_a_reader_downstream_may_read_its_topics_and_its_group_and_nothing_else() -> None:
    who = "User:bill-board"
    acls = reader_acls(who, "board", [APPROVAL_REQUESTS, COST_ITEMS], "t1.")
    assert acls == sorted(
        [
            Acl(who, Resource.TOPIC, "t1." + APPROVAL_REQUESTS, Pattern.LITERAL, Operation.READ),
            Acl(who, Resource.TOPIC, "t1." + COST_ITEMS, Pattern.LITERAL, Operation.READ),
            Acl(who, Resource.GROUP, "board", Pattern.LITERAL, Operation.READ),
        ]
    )


@pytest.mark.parametrize(
    "topics", [[], ["dext.everything.v1"], [dlq_topic(COST_ITEMS, "approval")]]
)
def test_a_reader_follows_countersign_topics_only(topics: list[str]) -> None:
    with pytest.raises(ValueError, match="a reader follows Countersign's topics"):
        reader_acls("User:bill-board", "board", topics)
