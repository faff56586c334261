"""The consumer docs of the public topics (docs/events/) against the contracts: every event
type has a real example (and so has each variant the pages show apart, such as a connection
that needs a reconnect) that validates against its committed JSON Schema and decodes, and the
pages name every event, field and enum value the contracts have. A contract change that the
docs do not follow fails here; `make event-examples` rewrites the examples."""

from __future__ import annotations

import ast
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from countersign_contracts import (
    APPROVAL_REQUESTS,
    LEDGER_CONNECTIONS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    TOPICS,
    AccountClass,
    ActorKind,
    AttachmentKind,
    AuditAction,
    AuditEntry,
    DuplicateReason,
    Envelope,
    Ledger,
    LedgerAccount,
    LedgerBound,
    LedgerConnectionStatus,
    LedgerTaxRate,
    LedgerTrackingCategory,
    LedgerTrackingOption,
    MasterDataStatus,
    PublicationKind,
    PublicationStatus,
    PublicationStep,
    StepDecision,
    XeroBankTransactionStatus,
    XeroInvoiceStatus,
    decode,
    encode,
    kafka_headers,
)
from countersign_contracts.cli import DEFAULT_SCHEMAS_DIR
from countersign_harness.infra import REPO

DOCS = REPO / "docs" / "events"
EXAMPLES = DOCS / "examples"
PUBLIC = (APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, LEDGER_CONNECTIONS, LEDGER_MASTER_DATA)
EVENT_TYPES = [(topic, event_type) for topic in PUBLIC for event_type in TOPICS[topic].event_types]
# Examples beyond one per event type (<EventType>.<variant>.json): a state worth showing apart.
VARIANTS = [
    (LEDGER_CONNECTIONS, "LedgerConnectionChanged", "needs_reconnect"),
    (LEDGER_CONNECTIONS, "LedgerConnectionChanged", "disconnected"),
]
EXAMPLE_FILES = [
    *((topic, event_type, event_type) for topic, event_type in EVENT_TYPES),
    *((topic, event_type, f"{event_type}.{variant}") for topic, event_type, variant in VARIANTS),
]
ENUMS: dict[str, tuple[type[StrEnum], ...]] = {
    APPROVAL_REQUESTS: (
        AuditAction,
        LedgerBound,
        PublicationStatus,
        StepDecision,
        ActorKind,
        DuplicateReason,
        Ledger,
    ),
    LEDGER_PUBLICATIONS: (
        PublicationKind,
        PublicationStep,
        AttachmentKind,
        XeroInvoiceStatus,
        XeroBankTransactionStatus,
        Ledger,
    ),
    LEDGER_CONNECTIONS: (LedgerConnectionStatus, Ledger),
    LEDGER_MASTER_DATA: (MasterDataStatus, AccountClass, Ledger),
}
EMBEDDED = re.compile(
    r"<!-- example (?P<file>\S+\.json)(?P<payload> payload)? -->\n```json\n(?P<json>.*?)\n```\n"
    r"<!-- end example -->",
    re.DOTALL,
)


def example(topic: str, name: str) -> dict[str, Any]:
    """The example file ``name`` (an event type, or ``<EventType>.<variant>``) of ``topic``."""
    found: dict[str, Any] = json.loads((EXAMPLES / topic / f"{name}.json").read_text())
    return found


def section(page: str, event_type: str) -> str:
    """The page's section about ``event_type``: from its heading to the next one of its level."""
    start = page.index(f"\n## `{event_type}`\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else len(page)]


def named_in_tables(text: str) -> set[str]:
    """What the first column of a table names in backticks."""
    return {
        name
        for row in re.findall(r"^\| ([^|]*) \|", text, re.MULTILINE)
        for name in re.findall(r"`(\w+)`", row)
    }


def test_every_event_type_of_the_public_topics_has_an_example_and_nothing_else_does() -> None:
    committed = {
        (path.parent.name, path.stem) for path in EXAMPLES.glob("*/*.json") if path.is_file()
    }

    assert committed == {(topic, name) for topic, _, name in EXAMPLE_FILES}


@pytest.mark.parametrize(("topic", "event_type", "name"), EXAMPLE_FILES)
def test_an_example_validates_against_its_committed_json_schema(
    topic: str, event_type: str, name: str
) -> None:
    schema = json.loads((DEFAULT_SCHEMAS_DIR / topic / f"{event_type}.json").read_text())

    jsonschema.Draft202012Validator(schema).validate(example(topic, name)["value"])


@pytest.mark.parametrize(("topic", "event_type", "name"), EXAMPLE_FILES)
def test_an_example_decodes_to_the_message_it_shows_key_and_headers_included(
    topic: str, event_type: str, name: str
) -> None:
    shown = example(topic, name)

    envelope: Envelope[Any] = decode(topic, json.dumps(shown["value"]))

    assert (shown["topic"], envelope.event_type) == (topic, event_type)
    assert shown["key"] == envelope.subject_id
    assert shown["headers"] == kafka_headers(envelope)
    # Nothing the models would add, drop or write differently: the example is current.
    assert json.loads(encode(envelope)) == shown["value"]


def test_the_connection_examples_show_each_state_an_admin_is_told_of() -> None:
    shown = {
        name: example(LEDGER_CONNECTIONS, name)["value"]["payload"]
        for topic, _, name in EXAMPLE_FILES
        if topic == LEDGER_CONNECTIONS
    }

    assert {name: (p["status"], p["reason"]) for name, p in shown.items()} == {
        "LedgerConnectionChanged": ("connected", None),
        "LedgerConnectionChanged.needs_reconnect": ("needs_reconnect", "invalid_grant"),
        "LedgerConnectionChanged.disconnected": ("disconnected", None),
    }
    # Each one for the organisation it is keyed by.
    assert all(
        p["organisation_id"] == example(LEDGER_CONNECTIONS, n)["key"] for n, p in shown.items()
    )


def test_the_authorised_example_carries_a_trail_of_review_rejection_and_reassignment() -> None:
    trail = example(APPROVAL_REQUESTS, "RequestAuthorised")["value"]["payload"]["audit_trail"]
    actions = {AuditEntry.model_validate(entry).action for entry in trail}

    assert {
        AuditAction.SUBMITTED,
        AuditAction.EDITED,
        AuditAction.REVIEW_SUBMITTED,
        AuditAction.REJECTED,
        AuditAction.SUPERSEDED,
        AuditAction.REASSIGNED,
        AuditAction.APPROVED,
        AuditAction.APPROVERS_CHANGED,
        AuditAction.AUTHORISED,
    } <= actions


@pytest.mark.parametrize(("topic", "event_type"), EVENT_TYPES)
def test_a_topic_page_describes_every_payload_field_of_an_event_and_links_its_example(
    topic: str, event_type: str
) -> None:
    described = section((DOCS / f"{topic}.md").read_text(), event_type)
    fields = TOPICS[topic].event_types[event_type].model_fields
    # The first column of the section's field table names each field.
    named = named_in_tables(described)

    missing = [name for name in fields if name not in named]

    assert missing == [], f"{topic}.md, section {event_type}: no row for {missing}"
    assert f"examples/{topic}/{event_type}.json" in described
    for variant in (v for t, e, v in VARIANTS if (t, e) == (topic, event_type)):
        assert f"examples/{topic}/{event_type}.{variant}.json" in described


@pytest.mark.parametrize(
    "part", [LedgerAccount, LedgerTaxRate, LedgerTrackingCategory, LedgerTrackingOption]
)
def test_the_master_data_page_describes_every_field_of_each_entry(part: type[Any]) -> None:
    described = section((DOCS / f"{LEDGER_MASTER_DATA}.md").read_text(), part.__name__)

    missing = [name for name in part.model_fields if name not in named_in_tables(described)]

    assert missing == [], f"{LEDGER_MASTER_DATA}.md, section {part.__name__}: no row for {missing}"


@pytest.mark.parametrize("topic", PUBLIC)
def test_a_topic_page_names_every_value_of_its_enums(topic: str) -> None:
    page = (DOCS / f"{topic}.md").read_text()

    missing = [
        f"{enum.__name__}.{value.name}"
        for enum in ENUMS[topic]
        for value in enum
        if f"`{value.value}`" not in page
    ]

    assert missing == []


def test_the_guide_describes_every_envelope_field_and_every_header() -> None:
    guide = (DOCS / "README.md").read_text()
    shown = decode(
        APPROVAL_REQUESTS, json.dumps(example(APPROVAL_REQUESTS, "RequestOpened")["value"])
    )
    names = [*Envelope.model_fields, *kafka_headers(shown)]

    assert [name for name in names if f"| `{name}` |" not in guide] == []


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda page: page.name)
def test_a_page_embeds_the_committed_examples(page: Path) -> None:
    embedded = list(EMBEDDED.finditer(page.read_text()))

    assert embedded, f"{page.name} embeds no example"
    for match in embedded:
        committed = json.loads((EXAMPLES / match["file"]).read_text())
        wanted = committed["value"]["payload"] if match["payload"] else committed
        assert json.loads(match["json"]) == wanted, f"{page.name}: {match['file']}"


def test_the_example_consumer_in_the_guide_is_python_with_a_handler_and_a_main() -> None:
    guide = (DOCS / "README.md").read_text()
    [consumer] = [
        code for code in re.findall(r"```python\n(.*?)```", guide, re.DOTALL) if "getmany" in code
    ]

    tree = ast.parse(consumer)

    functions = {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert {"handle", "main"} <= functions
