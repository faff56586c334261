-- Approval requests: one per Dext item version that entered the workflow.

CREATE TABLE requests (
    request_id      uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    item_version    integer     NOT NULL,
    state           text        NOT NULL,
    bill            jsonb       NOT NULL,
    correlation_id  uuid        NOT NULL,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, dext_item_id, item_version)
);
