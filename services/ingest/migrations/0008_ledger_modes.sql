-- Each organisation's ledger mode, the newest approval announced (approval.organisations.v1;
-- ADR 0058): in the via-Xero mode bills start in Xero, and new Dext items are refused.
CREATE TABLE ledger_modes (
    organisation_id uuid        PRIMARY KEY,
    ledger_mode     text        NOT NULL CHECK (ledger_mode IN ('direct', 'via_xero')),
    occurred_at     timestamptz NOT NULL
);
