-- The via-Xero mode (ADR 0058). Each organisation's mode, the newest approval announced
-- (approval.organisations.v1); and every bill pulled from Xero: what was last told about it
-- on ledger.xero-bills.v1 (its version, the bill, the status it had), so a state is told once
-- and a bill leaving SUBMITTED is told once.
CREATE TABLE ledger_modes (
    organisation_id uuid        PRIMARY KEY,
    ledger_mode     text        NOT NULL CHECK (ledger_mode IN ('direct', 'via_xero')),
    occurred_at     timestamptz NOT NULL
);

CREATE TABLE pulled_bills (
    organisation_id uuid        NOT NULL,
    xero_invoice_id uuid        NOT NULL,
    version         integer     NOT NULL CHECK (version >= 1),
    bill            jsonb       NOT NULL,
    status          text        NOT NULL,
    xero_updated_at timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, xero_invoice_id)
);
