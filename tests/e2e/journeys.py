"""What the journey tests share: one pipeline per module, one organisation per test, its
workflow and people, and cost items whose accounts exist in the Xero sandbox's default tenant."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from countersign_dext_sandbox.documents import pdf
from countersign_dext_sandbox.samples import cost_item, line

from tests.support.infra import Infrastructure
from tests.support.organisation import Organisation, Person, provision_organisation
from tests.support.pipeline import Pipeline

__all__ = [
    "ANN",
    "PEOPLE",
    "WORKFLOW",
    "invoice",
    "organisation_fixture",
    "original",
    "pipeline_fixture",
    "sha256",
]

ANN = "ann@example.com"
PEOPLE = (Person(ANN, "Ann Approver", ("approver",)),)
# Bills under 50.00 need nobody; every other bill needs Ann, the budget holder.
WORKFLOW: dict[str, Any] = {
    "name": "Bill creation, review and approval",
    "auto_approval": [{"conditions": [{"field": "total", "operator": "<", "amount": "50"}]}],
    "steps": [{"name": "Budget holder", "approvers": [{"approver": ANN}]}],
    "default_approver": "ada@example.com",
}


@pytest.fixture(scope="module", name="pipeline")
def pipeline_fixture(
    infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    isolation = "j" + uuid.uuid4().hex[:10]
    with Pipeline(infra, isolation, tmp_path_factory.mktemp("pipeline")) as running:
        yield running


@pytest.fixture(name="org")
async def organisation_fixture(pipeline: Pipeline) -> Organisation:
    return await provision_organisation(pipeline.endpoints, WORKFLOW, PEOPLE)


def invoice(
    item: str,
    *lines: dict[str, Any],
    supplier: str = "Northwind Stationery Ltd",
    **options: Any,
) -> dict[str, Any]:
    """An invoice as Dext publishes it; by default 126.60 of printer paper, above the
    auto-approval threshold."""
    chosen = list(lines) or [line("Printer paper, A4, 5 boxes", "5", "21.10", account_code="461")]
    return cost_item(
        item,
        "invoice",
        chosen,
        supplier=supplier,
        reference=f"INV-{item}",
        due_in_days=30,
        **options,
    )


def original(item: str) -> bytes:
    return pdf("Northwind Stationery Ltd", f"Invoice INV-{item}")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
