-- The workflow engine: organisations and their people, versioned workflows, and requests kept
-- as documents. The foundation's pass-through table held nothing worth keeping.

DROP TABLE requests;

CREATE TABLE organisations (
    organisation_id uuid        PRIMARY KEY,
    name            text        NOT NULL,
    base_currency   text        NOT NULL,
    timezone        text        NOT NULL,
    status          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    user_id         uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL REFERENCES organisations,
    email           text        NOT NULL,
    name            text        NOT NULL,
    roles           text[]      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, email)
);

-- Only the SHA-256 of a token is kept: a stolen table grants nothing.
CREATE TABLE api_tokens (
    token_sha256 text        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE TABLE workflows (
    organisation_id uuid        NOT NULL REFERENCES organisations,
    version         integer     NOT NULL,
    workflow_id     uuid        NOT NULL,
    name            text        NOT NULL,
    document        jsonb       NOT NULL,
    saved_by        uuid        NOT NULL REFERENCES users,
    saved_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, version)
);

-- One row per cost item version. ``document`` is the request aggregate (state, bill, steps,
-- audit trail); the columns beside it are what queries filter on. A decision locks the row
-- (SELECT … FOR UPDATE), so two decisions on one request are applied one after the other.
CREATE TABLE requests (
    request_id       uuid        PRIMARY KEY,
    organisation_id  uuid        NOT NULL,
    dext_item_id     text        NOT NULL,
    item_version     integer     NOT NULL,
    state            text        NOT NULL,
    workflow_version integer,
    awaiting         uuid[]      NOT NULL DEFAULT '{}',
    participants     uuid[]      NOT NULL DEFAULT '{}',
    document         jsonb       NOT NULL,
    correlation_id   uuid        NOT NULL,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, dext_item_id, item_version)
);

CREATE INDEX requests_awaiting ON requests USING gin (awaiting);
CREATE INDEX requests_without_workflow ON requests (organisation_id)
    WHERE state = 'awaiting_workflow';
