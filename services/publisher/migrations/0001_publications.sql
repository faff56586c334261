-- One publication per authorised request: the job that turns it into a Xero bill.

CREATE TABLE publications (
    publication_id  uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    request_id      uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    item_version    integer     NOT NULL,
    state           text        NOT NULL,
    bill            jsonb       NOT NULL,
    correlation_id  uuid        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, request_id)
);
