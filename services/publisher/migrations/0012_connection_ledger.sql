-- Which ledger an organisation is connected to (ADR 0065, issue 22): every connection so far
-- is to Xero, so the column defaults to it; 'qbo' becomes possible with the QBO adapter. Read
-- by the connection's API answer and LedgerConnectionChanged.ledger; nothing chooses it yet.
ALTER TABLE xero_connections
    ADD COLUMN ledger text NOT NULL DEFAULT 'xero' CHECK (ledger IN ('xero', 'qbo'));
