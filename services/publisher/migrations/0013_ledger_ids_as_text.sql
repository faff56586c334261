-- Ledger ids as text (ADR 0068): a QBO id is digits ("146"), not a uuid. The text columns sit
-- beside the uuid ones, which a Xero organisation's rows keep filling (older pods of a rolling
-- deploy read them) and a QBO organisation's leave NULL. Xero's own protocol (bill_changes,
-- bypass, pulled_bills, xero_changes, authorisations) stays on uuids.

ALTER TABLE publications
    ADD COLUMN ledger_contact_id             text,
    ADD COLUMN ledger_bill_id                text,
    ADD COLUMN ledger_expense_id             text,
    ADD COLUMN ledger_original_attachment_id text,
    ADD COLUMN ledger_audit_attachment_id    text,
    ADD COLUMN ledger_payment_id             text;

UPDATE publications SET
    ledger_contact_id             = xero_contact_id::text,
    ledger_bill_id                = xero_invoice_id::text,
    ledger_expense_id             = xero_bank_transaction_id::text,
    ledger_original_attachment_id = original_attachment_id::text,
    ledger_audit_attachment_id    = audit_attachment_id::text,
    ledger_payment_id             = xero_payment_id::text
WHERE num_nonnulls(xero_contact_id, xero_invoice_id, xero_bank_transaction_id,
                   original_attachment_id, audit_attachment_id, xero_payment_id) > 0;

-- An older pod (before this migration's code) writes the uuid columns only: the text ones
-- follow, so a newer pod reading them never misses a step it did.
CREATE FUNCTION publications_ledger_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.ledger_contact_id := coalesce(NEW.ledger_contact_id, NEW.xero_contact_id::text);
    NEW.ledger_bill_id := coalesce(NEW.ledger_bill_id, NEW.xero_invoice_id::text);
    NEW.ledger_expense_id := coalesce(NEW.ledger_expense_id, NEW.xero_bank_transaction_id::text);
    NEW.ledger_original_attachment_id :=
        coalesce(NEW.ledger_original_attachment_id, NEW.original_attachment_id::text);
    NEW.ledger_audit_attachment_id :=
        coalesce(NEW.ledger_audit_attachment_id, NEW.audit_attachment_id::text);
    NEW.ledger_payment_id := coalesce(NEW.ledger_payment_id, NEW.xero_payment_id::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER publications_ledger_ids
    BEFORE INSERT OR UPDATE OF xero_contact_id, xero_invoice_id, xero_bank_transaction_id,
        original_attachment_id, audit_attachment_id, xero_payment_id ON publications
    FOR EACH ROW EXECUTE FUNCTION publications_ledger_ids();

-- The contact cache: keyed by the ledger's id. The uuid column becomes NULLable (a QBO vendor
-- has none), so it can no longer be part of the primary key: two unique indexes replace it, the
-- ledger id's, and the uuid's (NULLs never collide), which an older pod's
-- ON CONFLICT (organisation_id, xero_contact_id) still names.
ALTER TABLE contacts ADD COLUMN ledger_contact_id text;
UPDATE contacts SET ledger_contact_id = xero_contact_id::text;

CREATE FUNCTION contacts_ledger_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.ledger_contact_id := coalesce(NEW.ledger_contact_id, NEW.xero_contact_id::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER contacts_ledger_id BEFORE INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_ledger_id();

ALTER TABLE contacts
    ALTER COLUMN ledger_contact_id SET NOT NULL,
    DROP CONSTRAINT contacts_pkey,
    ALTER COLUMN xero_contact_id DROP NOT NULL;
CREATE UNIQUE INDEX contacts_ledger_contact ON contacts (organisation_id, ledger_contact_id);
CREATE UNIQUE INDEX contacts_xero_contact ON contacts (organisation_id, xero_contact_id);
