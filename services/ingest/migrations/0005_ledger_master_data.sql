-- The ledger's master data Dext's drop-downs show (ledger.master-data.v1): each account, tax
-- rate and tracking category as last seen, with when it last changed, so Dext pulls only what
-- changed. An entry gone from the ledger stays, marked removed, so Dext learns it went.
CREATE TABLE ledger_entries (
    organisation_id uuid        NOT NULL,
    kind            text        NOT NULL
        CHECK (kind IN ('account', 'tax_rate', 'tracking_category')),
    entry_key       text        NOT NULL,  -- account_id, tax_type or tracking_category_id
    content         jsonb       NOT NULL,  -- the entry as the contract carries it
    removed         boolean     NOT NULL DEFAULT false,
    changed_at      timestamptz NOT NULL,  -- synced_at of the event that changed it
    PRIMARY KEY (organisation_id, kind, entry_key)
);
CREATE INDEX ledger_entries_changes ON ledger_entries (organisation_id, kind, changed_at, entry_key);

-- The rest of the latest master data: currencies and lock dates, and which event it was.
CREATE TABLE ledger_settings (
    organisation_id       uuid        PRIMARY KEY,
    tenant_id             text        NOT NULL,
    base_currency         text        NOT NULL,
    currencies            jsonb       NOT NULL,
    period_lock_date      date,
    end_of_year_lock_date date,
    synced_at             timestamptz NOT NULL,
    changed_at            timestamptz NOT NULL
);
