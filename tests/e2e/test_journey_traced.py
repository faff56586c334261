"""One trace from Dext's publish to the Xero bill (ADR 0059): the services, run as processes,
export their spans to the shared pipeline's in-memory OTLP receiver; the test follows the Xero
call's parents back to ingest's HTTP request."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from countersign_dext_sandbox.samples import line
from countersign_harness.organisation import Organisation
from countersign_harness.otlp_receiver import ReceivedSpan
from countersign_harness.pipeline import ADMIN_TOKEN, XERO_CLIENT_SECRET, Pipeline
from countersign_harness.waiting import eventually

from tests.e2e.journeys import invoice, original

pytestmark = pytest.mark.e2e
SHARED_PIPELINE = True  # its test changes nothing other modules see (conftest.py)

ITEM = "traced-1"
# 2 x 17.45 = 34.90 plus 6.98 tax, 41.88: under the workflow's 50.00, so approved with nobody's
# decision, and the whole journey is messages: ingest ─▶ approval ─▶ publisher ─▶ Xero.
AMOUNTS = ("17.45", "34.90", "6.98", "41.88")
E_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _ancestry(span: ReceivedSpan, spans: Iterable[ReceivedSpan]) -> list[ReceivedSpan]:
    """``span`` and its parents up to the root, as far as the parents were received."""
    by_id = {each.span_id: each for each in spans}
    chain = [span]
    while chain[-1].parent_span_id is not None and chain[-1].parent_span_id in by_id:
        chain.append(by_id[chain[-1].parent_span_id])
    return chain


def _hops(chain: list[ReceivedSpan], isolation: str) -> list[tuple[str, str, str]]:
    """The chain, root first, as (service, kind, name without the pipeline's topic prefix)."""
    return [
        (span.service, span.kind, span.name.removeprefix(f"{isolation}."))
        for span in reversed(chain)
    ]


async def test_one_trace_runs_from_dexts_publish_to_the_xero_bill(
    pipeline: Pipeline, org: Organisation
) -> None:
    traces = pipeline.traces
    assert traces is not None, "the shared pipeline exports its traces"
    metadata = invoice(ITEM, line("Staples, boxes of 1000", "2", AMOUNTS[0], account_code="461"))
    async with org.dext() as dext:
        accepted = await dext.publish_cost_item(metadata, f"{ITEM}.pdf", original(ITEM))
    assert accepted.status_code == 202, accepted.text
    publication = await org.wait_publication(ITEM)
    assert publication["state"] == "completed", pipeline.logs()

    [request] = await eventually(
        lambda: _found(traces.find(lambda s: _is_publish_request(s, org))), bool, 30
    )
    put = await eventually(
        lambda: _found(s for s in traces.trace(request.trace_id) if s.name == "Xero PUT /Invoices"),
        bool,
        30,
    )
    assert put, f"no Xero PUT /Invoices in the trace of {request.name}"
    # A parent span ends after its child, so it may be exported a moment after the call's:
    # the chain is read once every span up to the root has arrived (or the wait ends).
    chain = await eventually(
        lambda: _found(_ancestry(put[0], traces.trace(request.trace_id))),
        lambda found: found[-1] == request,
        30,
    )

    assert chain[-1] == request, f"the Xero call's parents stop at {chain[-1]}"
    assert _hops(chain, pipeline.isolation) == [
        ("ingest", "SERVER", request.name),
        ("ingest", "PRODUCER", "dext.cost-items.v1 publish"),
        ("approval", "CONSUMER", "dext.cost-items.v1 process"),
        ("approval", "PRODUCER", "approval.requests.v1 publish"),
        ("publisher", "CONSUMER", "approval.requests.v1 process"),
        ("publisher", "INTERNAL", "publication create_bill batch"),
        ("publisher", "CLIENT", "Xero PUT /Invoices"),
    ]
    assert request.name == "POST /v1/organisations/{organisation_id}/cost-items"
    assert {s.attributes.get("countersign.organisation_id") for s in chain} == {
        str(org.organisation_id)
    }
    every = traces.trace(request.trace_id)
    assert any(s.attributes.get("db.system.name") == "postgresql" for s in every)
    _assert_nothing_secret(every, org)


async def _found(spans: Iterable[ReceivedSpan]) -> list[ReceivedSpan]:
    """What the receiver holds now (``eventually`` awaits its probe)."""
    return list(spans)


def _is_publish_request(span: ReceivedSpan, org: Organisation) -> bool:
    return (
        span.service == "ingest"
        and span.kind == "SERVER"
        and span.attributes.get("countersign.dext_item_id") == ITEM
        and span.attributes.get("countersign.organisation_id") == str(org.organisation_id)
    )


def _assert_nothing_secret(spans: Iterable[ReceivedSpan], org: Organisation) -> None:
    secrets = (org.dext_secret, ADMIN_TOKEN, XERO_CLIENT_SECRET, *org.tokens.values())
    for span in spans:
        for name, value in span.attributes.items():
            text, where = str(value), f"{span.service} {span.name}: {name}"
            assert not any(secret in text for secret in secrets), f"{where} holds a secret"
            assert "bearer" not in text.lower(), f"{where} holds a token"
            assert not any(amount in text for amount in AMOUNTS), f"{where} holds an amount"
            assert not E_MAIL.search(text), f"{where} holds an e-mail address"
            assert not any(word in name.lower() for word in ("authorization", "token", "secret"))
