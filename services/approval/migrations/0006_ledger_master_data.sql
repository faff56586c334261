-- The organisation's master data in its ledger, as the latest ledger.master-data.v1 event
-- carried it (whole: accounts, tax rates, tracking categories, currencies). Open requests are
-- checked against it whenever it changes, and recoding is checked against it. ``synced_at`` is
-- when the publisher read it: an older event arriving late never replaces a newer one.

CREATE TABLE ledger_master_data (
    organisation_id uuid PRIMARY KEY,
    document jsonb NOT NULL,
    synced_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

