"""`make event-examples`: one real message per event type of the public topics, written to
docs/events/examples/<topic>/<EventType>.json (key, headers and envelope, as a consumer reads
them), a few more where one event type has states worth showing apart
(<EventType>.<variant>.json: the connection's needs_reconnect and disconnected), and one item's
journey across the two item topics (docs/events/examples/journey.md); then refreshes the
examples the pages beside the folder embed (see EMBEDDED).

    python scripts/event_examples.py [--out docs/events/examples]

Starts the real pipeline (countersign_harness.pipeline: ingest, approval, publisher and the two
sandboxes as processes) against KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, onboards one
organisation, takes Dext items down every path that emits an event, and then breaks, mends and
ends the organisation's Xero connection (event_examples_plan.py). Then it reads the topics from
the beginning and keeps, for each event type (and variant), the message chosen to show it
(PICKS). Exits 1 when one did not occur.

One thing is not left to the clock: a step deadline is at least an hour, so the laptop's step
is moved a day into the past in approval's table (as tests/integration/test_approval_workflow.py
does) and approval's reminder pass, running every half second here, finds its deadline a day
away; then two days and four hours, and it finds it overdue and escalates it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "scripts"), str(REPO)]

from aiokafka import ConsumerRecord  # noqa: E402 (after the path setup)
from countersign_contracts import (  # noqa: E402
    APPROVAL_REQUESTS,
    COST_ITEMS,
    LEDGER_CONNECTIONS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    TOPICS,
    decode,
    encode,
    kafka_headers,
)
from countersign_harness.infra import infrastructure_from  # noqa: E402
from countersign_harness.kafka import read_until  # noqa: E402
from countersign_harness.pipeline import Pipeline  # noqa: E402
from countersign_harness.provisioning import provision_organisation  # noqa: E402
from event_examples_plan import PATHS, PEOPLE, WORKFLOW  # noqa: E402

PUBLIC = (APPROVAL_REQUESTS, LEDGER_PUBLICATIONS, LEDGER_CONNECTIONS, LEDGER_MASTER_DATA)
OUT = REPO / "docs" / "events" / "examples"
EMBEDDED = re.compile(
    r"(?P<open><!-- example (?P<file>\S+\.json)(?P<payload> payload)? -->\n)"
    r".*?(?P<close><!-- end example -->)",
    re.DOTALL,
)
"""A page embeds an example between these markers: the whole message, or with ``payload``
its envelope's payload only."""


@dataclass(frozen=True)
class Pick:
    """Which message shows an event type: the first of ``item`` (an id prefix; "" for events
    not about an item) that ``shows``. A ``variant`` is an extra example of the event type, in
    <EventType>.<variant>.json; without one, the example is <EventType>.json."""

    topic: str
    event_type: str
    item: str
    shows: Callable[[dict[str, Any]], bool] = lambda payload: True
    variant: str = ""

    @property
    def file_name(self) -> str:
        suffix = f".{self.variant}" if self.variant else ""
        return f"{self.event_type}{suffix}.json"


PICKS = [
    Pick(APPROVAL_REQUESTS, "RequestOpened", "paper", lambda p: p["item_version"] == 2),
    Pick(APPROVAL_REQUESTS, "RequestStepDecided", "paper",
         lambda p: p["item_version"] == 2 and p["step"]["name"] == "Budget holder"),
    Pick(APPROVAL_REQUESTS, "RequestStepDeadlineApproaching", "laptop"),
    Pick(APPROVAL_REQUESTS, "RequestStepOverdue", "laptop"),
    Pick(APPROVAL_REQUESTS, "RequestStepEscalated", "laptop"),
    Pick(APPROVAL_REQUESTS, "RequestApproverReassigned", "paper"),
    Pick(APPROVAL_REQUESTS, "RequestAuthorised", "paper"),
    Pick(APPROVAL_REQUESTS, "RequestRejected", "paper"),
    Pick(APPROVAL_REQUESTS, "RequestSuperseded", "paper"),
    Pick(APPROVAL_REQUESTS, "RequestCancelled", "banner"),
    Pick(APPROVAL_REQUESTS, "RequestPublicationUpdated", "paper",
         lambda p: p["status"] == "published"),
    Pick(APPROVAL_REQUESTS, "PublicationRetryRequested", "pens"),
    Pick(APPROVAL_REQUESTS, "PublicationCancelRequested", "toner"),
    Pick(APPROVAL_REQUESTS, "RepublishRefused", "chairs"),
    Pick(APPROVAL_REQUESTS, "WithdrawalRefused", "desk"),
    Pick(LEDGER_PUBLICATIONS, "BillCreated", "paper"),
    Pick(LEDGER_PUBLICATIONS, "HistoryNotesAdded", "paper"),
    Pick(LEDGER_PUBLICATIONS, "AttachmentAdded", "paper",
         lambda p: p["attachment_kind"] == "original"),
    Pick(LEDGER_PUBLICATIONS, "PaymentRecorded", "paper"),
    Pick(LEDGER_PUBLICATIONS, "BankTransactionCreated", "parking"),
    Pick(LEDGER_PUBLICATIONS, "PublicationCompleted", "paper"),
    Pick(LEDGER_PUBLICATIONS, "PublicationFailed", "cover"),
    Pick(LEDGER_PUBLICATIONS, "PublicationCancelled", "toner"),
    Pick(LEDGER_PUBLICATIONS, "BillChangedInXero", "stapler"),
    Pick(LEDGER_PUBLICATIONS, "BillAuthorisedOutsideCountersign", ""),
    Pick(LEDGER_PUBLICATIONS, "BillAuthorised", "xero:"),
    Pick(LEDGER_PUBLICATIONS, "BillReturnedToDraft", "xero:"),
    # The admin's reconnect through Xero's consent: it names who connected.
    Pick(LEDGER_CONNECTIONS, "LedgerConnectionChanged", "",
         lambda p: p["status"] == "connected" and p["changed_by"] is not None),
    Pick(LEDGER_CONNECTIONS, "LedgerConnectionChanged", "",
         lambda p: p["status"] == "needs_reconnect", variant="needs_reconnect"),
    Pick(LEDGER_CONNECTIONS, "LedgerConnectionChanged", "",
         lambda p: p["status"] == "disconnected", variant="disconnected"),
    # The first read, right after the organisation was connected.
    Pick(LEDGER_MASTER_DATA, "LedgerMasterDataSynced", ""),
]  # fmt: skip
JOURNEY_ITEM = "paper"


# -- reading what was emitted ------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    headers: dict[str, str]
    value: dict[str, Any]

    @classmethod
    def of(cls, topic: str, record: ConsumerRecord[bytes, bytes]) -> Message:
        return cls(
            topic=topic,
            key=(record.key or b"").decode(),
            headers={name: raw.decode() for name, raw in record.headers},
            value=json.loads(record.value),
        )

    @property
    def event_type(self) -> str:
        return str(self.value["event_type"])

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.value["payload"]
        return payload

    @property
    def item(self) -> str:
        return str(self.payload.get("dext_item_id", ""))


def chosen(messages: list[Message], pick: Pick) -> Message | None:
    for message in messages:
        if (
            message.topic == pick.topic
            and message.event_type == pick.event_type
            and message.item.startswith(pick.item)
            and pick.shows(message.payload)
        ):
            return message
    return None


async def read(
    bootstrap: str, prefix: str, topic: str, complete: Callable[[list[Message]], bool]
) -> list[Message]:
    """The topic (named ``prefix + topic`` on the cluster) from the beginning, once ``complete``
    holds for what was read, or after a minute."""

    def messages(records: list[ConsumerRecord[bytes, bytes]]) -> list[Message]:
        return [Message.of(topic, record) for record in records]

    found = await read_until(
        bootstrap, prefix + topic, lambda rs: complete(messages(rs)), timeout_s=60
    )
    return messages(found)


def every_pick_of(topic: str) -> Callable[[list[Message]], bool]:
    wanted = [pick for pick in PICKS if pick.topic == topic]
    return lambda found: all(chosen(found, pick) is not None for pick in wanted)


def both_versions_submitted(found: list[Message]) -> bool:
    return {m.payload["version"] for m in found if m.item == JOURNEY_ITEM} >= {1, 2}


def in_order_of(value: Any, model: Any) -> Any:
    """``value`` with its object keys in the order ``model`` (the same JSON, re-encoded from the
    contract's models) has them. Only the order changes: on the wire it is not meaningful, and
    the envelope's own order reads better than the one the broker received."""
    if isinstance(value, dict) and isinstance(model, dict):
        keys = [*(k for k in model if k in value), *(k for k in value if k not in model)]
        return {k: in_order_of(value[k], model.get(k)) for k in keys}
    if isinstance(value, list) and isinstance(model, list) and len(value) == len(model):
        return [in_order_of(v, m) for v, m in zip(value, model, strict=True)]
    return value


def example_of(message: Message) -> dict[str, Any]:
    """The message as a consumer reads it; refuses one that breaks its topic's contract."""
    envelope = decode(message.topic, json.dumps(message.value))
    return {
        "topic": message.topic,
        "key": message.key,
        "headers": in_order_of(message.headers, kafka_headers(envelope)),
        "value": in_order_of(message.value, json.loads(encode(envelope))),
    }


def write_examples(messages: list[Message], out: Path) -> list[str]:
    """One file per event type, and one per variant; returns those that have none."""
    missing = []
    for topic in PUBLIC:
        folder = out / topic
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for event_type in TOPICS[topic].event_types:
            picks = [p for p in PICKS if (p.topic, p.event_type) == (topic, event_type)]
            picks = picks or [Pick(topic, event_type, "")]
            for pick in picks:
                message = chosen(messages, pick)
                if message is None and not pick.variant:  # any one will do, rather than none
                    message = chosen(messages, Pick(topic, event_type, ""))
                if message is None:
                    missing.append(f"{topic}/{pick.file_name}")
                    continue
                text = json.dumps(example_of(message), indent=2, ensure_ascii=False) + "\n"
                (folder / pick.file_name).write_text(text)
    return missing


def embed_examples(out: Path) -> list[Path]:
    """Rewrites every embedded example in the pages of ``out``'s parent; returns the pages."""

    def block(match: re.Match[str]) -> str:
        example = json.loads((out / match["file"]).read_text())
        shown = example["value"]["payload"] if match["payload"] else example
        text = json.dumps(shown, indent=2, ensure_ascii=False)
        return f"{match['open']}```json\n{text}\n```\n{match['close']}"

    pages = []
    for page in sorted(out.parent.glob("*.md")):
        text = page.read_text()
        embedded = EMBEDDED.sub(block, text)
        if embedded != text:
            page.write_text(embedded)
            pages.append(page)
    return pages


def summary(message: Message) -> str:
    """What one event of the journey says, in a few words."""
    payload = message.payload
    facts = {
        "RequestStepDecided": lambda: (
            f"{payload['step']['name']}: {payload['decision']} by {payload['decided_by']['name']}"
        ),
        "RequestRejected": lambda: f"by {payload['rejected_by']['name']}",
        "RequestSuperseded": lambda: f"by version {payload['superseded_by_item_version']}",
        "RequestOpened": lambda: (
            f"waits in {payload['current_step']['name']}" if payload.get("current_step") else ""
        ),
        "RequestAuthorised": lambda: f"{len(payload['audit_trail'])} audit entries",
        "RequestPublicationUpdated": lambda: str(payload["status"]),
        "AttachmentAdded": lambda: str(payload["attachment_kind"]),
        "HistoryNotesAdded": lambda: f"{payload['notes']} notes",
        "BillCreated": lambda: f"{payload['currency']} {payload['total']}",
        "PaymentRecorded": lambda: f"{payload['currency']} {payload['amount']}",
        "PublicationCompleted": lambda: str(payload["xero_status"]),
        "CostItemSubmitted": lambda: f"version {payload['version']}",
    }
    return facts.get(message.event_type, lambda: "")()


def journey(messages: list[Message], inbound: list[Message]) -> str:
    """The item's events on both public topics in the order they happened, each with the event
    that caused it."""
    mine = sorted(
        (m for m in messages if m.item == JOURNEY_ITEM),
        key=lambda m: (m.value["occurred_at"], m.value["event_id"]),
    )
    row_of = {m.value["event_id"]: n for n, m in enumerate(mine, 1)}
    internal = {m.value["event_id"]: m for m in inbound}
    first = mine[0].value
    requests = sorted({(m.payload["item_version"], m.payload["request_id"]) for m in mine})
    publications = sorted(
        {str(m.payload["publication_id"]) for m in mine if "publication_id" in m.payload}
    )
    lines = [
        "# One item's journey across both topics",
        "",
        "Written by `make event-examples` from the run that wrote the examples beside it:",
        f"every event about Dext item `{JOURNEY_ITEM}` on `approval.requests.v1` and",
        "`ledger.publications.v1`, in the order they occurred. Version 1 was rejected; Dext",
        "republished an amended version 2, which was approved, published to Xero and paid.",
        "",
        f"- `organisation_id`: `{first['organisation_id']}`",
        f"- `correlation_id` (every row): `{first['correlation_id']}`",
        f"- `dext_item_id`: `{JOURNEY_ITEM}`",
        *(f"- `request_id` of version {v}: `{r}`" for v, r in requests),
        *(f"- `publication_id`: `{p}`" for p in publications),
        "",
        "| # | topic | event | key (`subject_id`) | version | says | `causation_id` is |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, message in enumerate(mine, 1):
        cause = message.value["causation_id"]
        if cause is None:
            caused_by = "null: a person acted (over the API)"
        elif cause in row_of:
            caused_by = f"#{row_of[cause]}"
        elif cause in internal:
            upstream = internal[cause]
            caused_by = f"`{upstream.event_type}` ({summary(upstream)}) on `{upstream.topic}`"
        else:
            caused_by = f"`{cause}`"
        kind = "request" if message.topic == APPROVAL_REQUESTS else "publication"
        lines.append(
            f"| {n} | `{message.topic}` | `{message.event_type}` | {kind} "
            f"`{message.key[:8]}…` | {message.payload['item_version']} | {summary(message)} "
            f"| {caused_by} |"
        )
    lines += [
        "",
        "`dext.cost-items.v1` is the topic ingest writes for approval; it is not public, but an",
        "event caused by a Dext action names that topic's event in `causation_id`.",
    ]
    return "\n".join(lines) + "\n"


# -- the run -----------------------------------------------------------------------------------


async def run(out: Path) -> int:
    infra = infrastructure_from(os.environ)
    isolation = "examples" + uuid.uuid4().hex[:8]
    logs = REPO / ".local" / "event-examples" / isolation
    # The reminder pass every half second: an overdue step is reminded of within the run.
    fast_reminders = {"APPROVAL_REMINDER_INTERVAL_S": "0.5"}
    print(f"event-examples: starting the pipeline ({isolation}; logs in {logs})", flush=True)
    # Xero's webhooks registered for the whole run, as an organisation has them.
    with (
        Pipeline(infra, isolation, logs, service_env=fast_reminders) as pipeline,
        pipeline.xero_webhook(),
    ):
        org = await provision_organisation(
            pipeline.endpoints, WORKFLOW, PEOPLE, name="Northwind Trading Ltd"
        )
        for name, path in PATHS:
            print(f"  {name}", flush=True)
            await path(org, pipeline)
        bootstrap, prefix = infra.kafka_bootstrap_servers, f"{isolation}."
        messages: list[Message] = []
        for topic in PUBLIC:
            messages += await read(bootstrap, prefix, topic, every_pick_of(topic))
        inbound = await read(bootstrap, prefix, COST_ITEMS, both_versions_submitted)
    missing = write_examples(messages, out)
    (out / "journey.md").write_text(journey(messages, inbound))
    embed_examples(out)
    counts = {t: sum(m.topic == t for m in messages) for t in PUBLIC}
    print(f"event-examples: read {counts}; wrote {out}")
    for example in missing:
        print(f"event-examples: NO EXAMPLE {example}: it did not occur in the run")
    return 1 if missing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the examples go")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.out.resolve())))


if __name__ == "__main__":
    main()
