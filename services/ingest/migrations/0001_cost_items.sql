-- Every version Dext published of an item, and the item's current status as the other
-- services report it.

CREATE TABLE cost_items (
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    latest_version  integer     NOT NULL,
    correlation_id  uuid        NOT NULL,
    status          text        NOT NULL,
    status_detail   jsonb       NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, dext_item_id)
);

CREATE TABLE cost_item_versions (
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    version         integer     NOT NULL,
    content_sha256  text        NOT NULL,
    bill            jsonb       NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, dext_item_id, version),
    FOREIGN KEY (organisation_id, dext_item_id) REFERENCES cost_items
);
