-- The publisher's ledger of work: one job per authorised request (a bill) or per submitted
-- bank transaction, with the Xero id each finished step returned, so a resumed job knows
-- exactly what already exists in Xero.

CREATE TABLE publications (
    publication_id      uuid        PRIMARY KEY,
    organisation_id     uuid        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('bill', 'bank_transaction')),
    request_id          uuid,
    dext_item_id        text        NOT NULL,
    item_version        integer     NOT NULL,
    state               text        NOT NULL,
    document            jsonb       NOT NULL,  -- the Bill, or the BankTransactionSubmitted
    audit               jsonb,                 -- RequestAuthorised minus the bill, for the report
    correlation_id      uuid        NOT NULL,
    causation_id        uuid        NOT NULL,
    -- progress: the Xero ids of finished steps
    xero_contact_id            uuid,
    xero_invoice_id            uuid,
    xero_bank_transaction_id   uuid,
    original_attachment_id     uuid,
    audit_attachment_id        uuid,
    xero_payment_id            uuid,
    xero_status                text,
    -- steps sent to Xero whose outcome is unknown (a crash or a dropped response)
    sent_steps          text[]      NOT NULL DEFAULT '{}',
    generation          integer     NOT NULL DEFAULT 1,   -- bumped by each retry request
    attempt             integer     NOT NULL DEFAULT 0,   -- transient failures this generation
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    leased_until        timestamptz,
    last_error          jsonb,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One publication per request, and per bank-transaction item version.
CREATE UNIQUE INDEX publications_request ON publications (organisation_id, request_id)
    WHERE kind = 'bill';
CREATE UNIQUE INDEX publications_bank_item ON publications (organisation_id, dext_item_id, item_version)
    WHERE kind = 'bank_transaction';
CREATE INDEX publications_due ON publications (next_attempt_at)
    WHERE state IN ('pending', 'running');
CREATE INDEX publications_item ON publications (organisation_id, dext_item_id);

-- A Xero organisation connection per Countersign organisation; tokens sealed at rest.
CREATE TABLE xero_connections (
    organisation_id     uuid        PRIMARY KEY,
    tenant_id           text        NOT NULL,
    tenant_name         text,
    access_token        text        NOT NULL,  -- sealed
    refresh_token       text        NOT NULL,  -- sealed
    expires_at          timestamptz NOT NULL,
    scope               text,
    status              text        NOT NULL DEFAULT 'connected',
    last_error          text,
    connected_at        timestamptz NOT NULL DEFAULT now(),
    refreshed_at        timestamptz
);

-- The organisation's Xero contacts as last seen (sync and bill creation).
CREATE TABLE contacts (
    organisation_id     uuid        NOT NULL,
    xero_contact_id     uuid        NOT NULL,
    name                text        NOT NULL,
    status              text        NOT NULL,
    is_supplier         boolean     NOT NULL DEFAULT false,
    details             jsonb       NOT NULL DEFAULT '{}',
    xero_updated_at     timestamptz,
    PRIMARY KEY (organisation_id, xero_contact_id)
);
CREATE INDEX contacts_name ON contacts (organisation_id, lower(name));

CREATE TABLE supplier_syncs (
    organisation_id     uuid        PRIMARY KEY,
    synced_until        timestamptz NOT NULL
);
