-- The bills in the organisation's Xero, as the publisher announces them on ledger.bills.v1
-- (ADR 0056): likely-duplicate candidates at intake under ADR 0052's rules, with the same folded
-- keys as item_versions. A bill a Countersign publication made carries its publication_id and is
-- never a candidate (the item that made it already is one). A removed bill (VOIDED or DELETED)
-- keeps its row, so an older announcement arriving late cannot bring it back.
CREATE TABLE ledger_bills (
    organisation_id uuid        NOT NULL,
    xero_invoice_id uuid        NOT NULL,
    invoice_number  text        NOT NULL,
    contact_name    text        NOT NULL,
    xero_status     text        NOT NULL,
    publication_id  uuid,                 -- the publication that made it; null: entered in Xero
    removed         boolean     NOT NULL DEFAULT false,
    reference_key   text,                 -- supplier | invoice number (null: no number)
    amount_key      text,                 -- supplier | date | currency | total
    xero_updated_at timestamptz NOT NULL, -- Xero's clock: the newest state wins
    PRIMARY KEY (organisation_id, xero_invoice_id)
);
CREATE INDEX ledger_bills_reference_key ON ledger_bills (organisation_id, reference_key)
    WHERE reference_key IS NOT NULL AND NOT removed AND publication_id IS NULL;
CREATE INDEX ledger_bills_amount_key ON ledger_bills (organisation_id, amount_key)
    WHERE amount_key IS NOT NULL AND NOT removed AND publication_id IS NULL;
