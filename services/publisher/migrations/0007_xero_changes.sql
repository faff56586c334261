-- Changes in Xero (ADR 0053): what Xero's webhooks tell, what the poll finds, and the latest
-- state seen of each invoice and contact.
--
-- One row per webhook event, recorded in the request's transaction: the unique key is what
-- makes a duplicated delivery record nothing new. The row is also the work the change watcher
-- does after the request (processed_at NULL): resolve the tenant, fetch the resource, keep it.
CREATE TABLE xero_change_events (
    change_id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        text        NOT NULL,
    event_category   text        NOT NULL CHECK (event_category IN ('INVOICE', 'CONTACT')),
    resource_id      uuid        NOT NULL,
    event_date_utc   timestamptz NOT NULL,
    event_type       text        NOT NULL CHECK (event_type IN ('CREATE', 'UPDATE')),
    received_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),  -- also the claim's lease
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text,
    organisation_id  uuid,                                -- once resolved
    outcome          text,  -- kept, unchanged, older_than_seen, no_organisation, suspended,
                            -- gone, failed
    processed_at     timestamptz,
    UNIQUE (tenant_id, event_category, resource_id, event_date_utc, event_type)
);
CREATE INDEX xero_change_events_due ON xero_change_events (next_attempt_at)
    WHERE processed_at IS NULL;

-- The newest state seen of each resource (webhook fetch or poll), by Xero's UpdatedDateUTC:
-- an older one never overwrites it.
CREATE TABLE xero_resources (
    organisation_id  uuid        NOT NULL,
    category         text        NOT NULL CHECK (category IN ('INVOICE', 'CONTACT')),
    resource_id      uuid        NOT NULL,
    xero_updated_at  timestamptz NOT NULL,
    state            jsonb       NOT NULL,
    seen_at          timestamptz NOT NULL DEFAULT now(),
    seen_by          text        NOT NULL CHECK (seen_by IN ('webhook', 'poll')),
    PRIMARY KEY (organisation_id, category, resource_id)
);

-- The polling fallback per connected organisation: the newest UpdatedDateUTC read so far per
-- collection (the next If-Modified-Since) and when the next poll is due (also its lease).
CREATE TABLE xero_change_polls (
    organisation_id  uuid        PRIMARY KEY,
    due_at           timestamptz NOT NULL DEFAULT now(),
    invoices_until   timestamptz,
    contacts_until   timestamptz,
    polled_at        timestamptz
);

-- Wake the change watcher when an event is recorded (or put back to work), on commit.
CREATE FUNCTION xero_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('xero_changes_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;

CREATE TRIGGER xero_change_events_notify
    AFTER INSERT ON xero_change_events
    FOR EACH STATEMENT EXECUTE FUNCTION xero_changes_notify();
