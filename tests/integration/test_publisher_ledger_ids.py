"""The publisher keeps ledger ids as text (ADR 0068, migration 0013) on the real Postgres: old
rows' uuids are backfilled as text, an older pod's uuid-only writes still reach the text columns,
a QBO organisation's digits are stored and read back (its uuid columns stay NULL) while a Xero
organisation's ids fill both, and the contact cache works by a QBO vendor's digit id."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from countersign_contracts import Ledger, PublicationKind, PublicationStep
from countersign_harness.infra import Infrastructure
from countersign_platform.migrations import migrate, migrations_dir
from countersign_publisher import spec as publisher_spec
from countersign_publisher.db.contacts import Contacts
from countersign_publisher.db.publications import Publications
from countersign_publisher.domain.progress import Progress

pytestmark = pytest.mark.integration

MIGRATIONS = migrations_dir(publisher_spec.__file__)
TEXT_IDS = "0013_ledger_ids_as_text.sql"


def migrations_before(directory: Path, version: str) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.name < version:
            shutil.copy(path, directory / path.name)
    return directory


@pytest.fixture
async def schema(infra: Infrastructure, isolation: str) -> AsyncIterator[asyncpg.Connection]:
    """The publisher's schema, migrated to the end, on a connection of its own."""
    await migrate(infra.database_url, isolation, MIGRATIONS)
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": isolation})
    try:
        yield conn
    finally:
        await conn.close()


async def test_old_rows_uuids_are_backfilled_as_text_and_older_pods_writes_follow(
    infra: Infrastructure, isolation: str, tmp_path: Path
) -> None:
    before = migrations_before(tmp_path / "before", TEXT_IDS)
    org, publication, contact = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    invoice, original = uuid.uuid4(), uuid.uuid4()
    await migrate(infra.database_url, isolation, before)
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": isolation})
    try:
        await conn.execute(
            "INSERT INTO publications (publication_id, organisation_id, kind, request_id,"
            " dext_item_id, item_version, state, document, correlation_id, causation_id,"
            " xero_contact_id, xero_invoice_id, original_attachment_id)"
            " VALUES ($1, $2, 'bill', $3, 'item-1', 1, 'publishing', '{}', $3, $3, $4, $5, $6)",
            *(publication, org, uuid.uuid4(), contact, invoice, original),
        )
        await conn.execute(
            "INSERT INTO contacts (organisation_id, xero_contact_id, name, status)"
            " VALUES ($1, $2, 'Acme Ltd', 'ACTIVE')",
            org,
            contact,
        )
        shutil.copy(MIGRATIONS / TEXT_IDS, before / TEXT_IDS)
        assert await migrate(infra.database_url, isolation, before) == ["0013_ledger_ids_as_text"]

        row = await conn.fetchrow(
            "SELECT ledger_contact_id, ledger_bill_id, ledger_original_attachment_id,"
            " ledger_payment_id FROM publications WHERE publication_id = $1",
            publication,
        )
        assert dict(row) == {
            "ledger_contact_id": str(contact),
            "ledger_bill_id": str(invoice),
            "ledger_original_attachment_id": str(original),
            "ledger_payment_id": None,
        }
        assert await Contacts(conn).named(org, "acme ltd") == str(contact)
        # An older pod, still running during the deploy, writes the uuid columns only.
        payment, other = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            "UPDATE publications SET xero_payment_id = $2 WHERE publication_id = $1",
            publication,
            payment,
        )
        for name in ("Acme Ltd (renamed)", "Beta Ltd"):
            await conn.execute(
                "INSERT INTO contacts (organisation_id, xero_contact_id, name, status)"
                " VALUES ($1, $2, $3, 'ACTIVE') ON CONFLICT (organisation_id, xero_contact_id)"
                " DO UPDATE SET name = EXCLUDED.name",
                org,
                contact if name.startswith("Acme") else other,
                name,
            )
        stored = await Publications(conn).get(org, publication)
        assert stored is not None and stored.progress.ledger_payment_id == str(payment)
        assert await Contacts(conn).named(org, "Beta Ltd") == str(other)
        assert await Contacts(conn).named(org, "Acme Ltd (renamed)") == str(contact)
    finally:
        await conn.close()


async def test_the_contact_cache_keeps_a_qbo_vendor_by_its_digit_id(
    schema: asyncpg.Connection,
) -> None:
    org, contacts = uuid.uuid4(), Contacts(schema)
    details = {"Id": "146", "DisplayName": "Acme Supplies"}

    first = await contacts.upsert(org, Ledger.QBO, "146", "Acme Supplies", "ACTIVE", details, None)
    became = await contacts.upsert(
        org, Ledger.QBO, "146", "Acme Supplies", "ACTIVE", details, None, is_supplier=True
    )
    again = await contacts.upsert(
        org, Ledger.QBO, "146", "Acme Supplies", "ACTIVE", details, None, is_supplier=True
    )

    assert (first, became, again) == (False, True, False)
    assert await contacts.named(org, "ACME SUPPLIES") == "146"
    assert await contacts.details(org, "146") == details
    assert await contacts.is_supplier(org, "146")
    row = await schema.fetchrow(
        "SELECT xero_contact_id FROM contacts WHERE organisation_id = $1", org
    )
    assert row["xero_contact_id"] is None  # a QBO vendor has no Xero uuid
    # The same digits in another organisation are another vendor.
    assert await contacts.named(uuid.uuid4(), "Acme Supplies") is None


async def stored_ids(conn: asyncpg.Connection, publication: uuid.UUID) -> dict[str, object]:
    row = await conn.fetchrow(
        "SELECT ledger_bill_id, xero_invoice_id, ledger_contact_id, xero_contact_id"
        " FROM publications WHERE publication_id = $1",
        publication,
    )
    return dict(row)


async def test_a_qbo_organisation_s_steps_store_text_ids_only_and_a_xero_one_s_both(
    schema: asyncpg.Connection,
) -> None:
    qbo_org, xero_org = uuid.uuid4(), uuid.uuid4()
    await schema.execute(
        "INSERT INTO xero_connections (organisation_id, tenant_id, access_token, refresh_token,"
        " expires_at, ledger) VALUES ($1, 'realm-1', 'x', 'x', now(), 'qbo')",
        qbo_org,
    )
    store = Publications(schema)
    ids = {}
    for org in (qbo_org, xero_org):
        ids[org] = uuid.uuid4()
        assert await store.add(
            ids[org], org, "bill", uuid.uuid4(), "item-1", 1, "{}", uuid.uuid4(), uuid.uuid4()
        )
    qbo = await store.get(qbo_org, ids[qbo_org])
    xero = await store.get(xero_org, ids[xero_org])
    assert qbo is not None and xero is not None
    assert (qbo.progress.ledger, xero.progress.ledger) == (Ledger.QBO, Ledger.XERO)

    bill, contact = str(uuid.uuid4()), str(uuid.uuid4())
    for row, (bill_id, contact_id) in ((qbo, ("146", "58")), (xero, (bill, contact))):
        done = Progress(
            kind=PublicationKind.BILL,
            paid=False,
            ledger=row.progress.ledger,
            ledger_bill_id=bill_id,
            ledger_contact_id=contact_id,
        )
        await store.record_step(row.publication_id, PublicationStep.CREATE_BILL, row.progress, done)

    assert await stored_ids(schema, ids[qbo_org]) == {
        "ledger_bill_id": "146",
        "xero_invoice_id": None,
        "ledger_contact_id": "58",
        "xero_contact_id": None,
    }
    assert await stored_ids(schema, ids[xero_org]) == {
        "ledger_bill_id": bill,
        "xero_invoice_id": uuid.UUID(bill),
        "ledger_contact_id": contact,
        "xero_contact_id": uuid.UUID(contact),
    }
    reread = await store.get(qbo_org, ids[qbo_org])
    assert reread is not None and reread.progress.ledger_bill_id == "146"
