-- Master data from Xero (accounts, tax rates, tracking, currencies, lock dates): the latest
-- snapshot per organisation, as last emitted on ledger.master-data.v1, and when it is due
-- again. A row is made due by connecting (in the connect's transaction) and by each sync
-- (``due_at`` = now + PUBLISHER_MASTER_DATA_SYNC_INTERVAL_S, also the claim's lease).
CREATE TABLE master_data (
    organisation_id      uuid        PRIMARY KEY,
    due_at               timestamptz NOT NULL DEFAULT now(),
    content_hash         text,                 -- SHA-256 of the snapshot without synced_at
    snapshot             jsonb,                -- the LedgerMasterDataSynced payload
    accounts_changed_at  timestamptz,          -- newest Account UpdatedDateUTC: If-Modified-Since
    synced_at            timestamptz,          -- last read from Xero, changed or not
    changed_at           timestamptz           -- last emitted
);
CREATE INDEX master_data_due ON master_data (due_at);
