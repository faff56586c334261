-- Ingest's own state: organisations' Dext secrets, the signatures already used, the original
-- files, every version Dext published of an item, the item's current status as the other
-- services report it, and the supplier directory Dext pulls.

-- A Dext signing secret, sealed with the ENCRYPTION_KEYS keyring. An organisation has one
-- current secret and, while a rotation is under way, one previous secret that still verifies.
CREATE TABLE dext_secrets (
    organisation_id uuid        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('current', 'previous')),
    sealed          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, role)
);

-- Signatures of accepted state-changing calls, kept until their timestamp is stale anyway, so
-- a captured request cannot be sent a second time.
CREATE TABLE seen_signatures (
    organisation_id uuid        NOT NULL,
    signature       text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, signature)
);
CREATE INDEX seen_signatures_expiry ON seen_signatures (organisation_id, expires_at);

-- Original files, one row per distinct content per organisation (see docs/adr/0010).
CREATE TABLE documents (
    document_id     uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    sha256          text        NOT NULL,
    media_type      text        NOT NULL,
    size_bytes      integer     NOT NULL,
    file_name       text        NOT NULL,
    content         bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, sha256)
);
-- Scans and PDFs are compressed already: store them out of line without trying again.
ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE TABLE items (
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('cost_item', 'bank_transaction')),
    latest_version  integer     NOT NULL,
    correlation_id  uuid        NOT NULL,
    status          text        NOT NULL,
    status_detail   jsonb       NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, dext_item_id)
);

CREATE TABLE item_versions (
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    version         integer     NOT NULL,
    content_sha256  text        NOT NULL,
    document_id     uuid        NOT NULL REFERENCES documents,
    payload         jsonb       NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, dext_item_id, version),
    FOREIGN KEY (organisation_id, dext_item_id) REFERENCES items
);

-- Xero contacts that are suppliers, newest state per contact, for Dext to pull.
CREATE TABLE suppliers (
    organisation_id  uuid        NOT NULL,
    xero_contact_id  uuid        NOT NULL,
    name             text        NOT NULL,
    status           text        NOT NULL,
    details          jsonb       NOT NULL,
    xero_updated_at  timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, xero_contact_id)
);
CREATE INDEX suppliers_changes ON suppliers (organisation_id, xero_updated_at, xero_contact_id);
