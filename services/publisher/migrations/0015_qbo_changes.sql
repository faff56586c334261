-- Changes in QuickBooks Online (ADR 0072): the QBO twins of migration 0007's tables, the same
-- shape (one SQL for both ledgers: db/xero_changes.ChangeTables), with QBO's text ids.
--
-- One row per webhook event (Intuit's legacy payload: realmId, entity, id, operation,
-- lastUpdated), recorded in the request's transaction; the unique key drops a duplicate.
CREATE TABLE qbo_change_events (
    change_id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        text        NOT NULL,                  -- the realmId
    event_category   text        NOT NULL CHECK (event_category IN ('BILL')),
    resource_id      text        NOT NULL,                  -- the Bill's Id
    event_date_utc   timestamptz NOT NULL,                  -- lastUpdated
    event_type       text        NOT NULL
        CHECK (event_type IN ('Create', 'Update', 'Delete', 'Void', 'Merge')),
    received_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),  -- also the claim's lease
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text,
    organisation_id  uuid,
    outcome          text,  -- kept, unchanged, older_than_seen, no_organisation, suspended,
                            -- gone, failed
    processed_at     timestamptz,
    UNIQUE (tenant_id, event_category, resource_id, event_date_utc, event_type)
);
CREATE INDEX qbo_change_events_due ON qbo_change_events (next_attempt_at)
    WHERE processed_at IS NULL;

-- The newest state seen of each bill, by QBO's MetaData.LastUpdatedTime, in the comparison's
-- ledger-neutral form ({bill_id, updated_at, state}): an older one never overwrites it.
CREATE TABLE qbo_resources (
    organisation_id  uuid        NOT NULL,
    category         text        NOT NULL CHECK (category IN ('BILL')),
    resource_id      text        NOT NULL,
    qbo_updated_at   timestamptz NOT NULL,
    state            jsonb       NOT NULL,
    seen_at          timestamptz NOT NULL DEFAULT now(),
    seen_by          text        NOT NULL CHECK (seen_by IN ('webhook', 'poll')),
    PRIMARY KEY (organisation_id, category, resource_id)
);

-- The CDC poll per QBO organisation: the newest LastUpdatedTime read (the next changedSince)
-- and when the next poll is due (also its lease).
CREATE TABLE qbo_change_polls (
    organisation_id  uuid        PRIMARY KEY,
    due_at           timestamptz NOT NULL DEFAULT now(),
    bills_until      timestamptz,
    polled_at        timestamptz
);

-- The same watcher serves both ledgers: the same wake-up channel.
CREATE TRIGGER qbo_change_events_notify
    AFTER INSERT ON qbo_change_events
    FOR EACH STATEMENT EXECUTE FUNCTION xero_changes_notify();

-- A change a QBO bill's webhook or CDC reports is looked up among the bills Countersign
-- published, by the ledger's bill id.
CREATE INDEX publications_ledger_bill ON publications (organisation_id, ledger_bill_id)
    WHERE ledger_bill_id IS NOT NULL;
