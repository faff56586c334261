-- Bypass detection (ADR 0055): a bill authorised in Xero that did not come through Countersign.
--
-- From when bills are judged: an organisation's own start date; none set, the day it first
-- connected its Xero tenant (first_connected_at, which reconnecting to the same tenant does
-- not move; connecting another tenant does), so a bill that existed before is never reported.
ALTER TABLE organisation_settings ADD COLUMN bypass_detection_from date;

ALTER TABLE xero_connections ADD COLUMN first_connected_at timestamptz;
UPDATE xero_connections SET first_connected_at = connected_at;
ALTER TABLE xero_connections
    ALTER COLUMN first_connected_at SET DEFAULT now(),
    ALTER COLUMN first_connected_at SET NOT NULL;

-- Each bill reported, once: its row is written in the transaction that keeps the Xero state and
-- puts BillAuthorisedOutsideCountersign in the outbox, so a repeated or reordered webhook, or
-- the poll, finds it and adds nothing. A bill made from a repeating template is reported for the
-- first one seen only: the second unique key refuses the template's later bills.
CREATE TABLE bypassed_bills (
    organisation_id       uuid        NOT NULL,
    xero_invoice_id       uuid        NOT NULL,
    repeating_invoice_id  uuid,
    xero_updated_at       timestamptz NOT NULL,
    reported_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, xero_invoice_id)
);
CREATE UNIQUE INDEX bypassed_bills_repeating ON bypassed_bills (organisation_id, repeating_invoice_id)
    WHERE repeating_invoice_id IS NOT NULL;
