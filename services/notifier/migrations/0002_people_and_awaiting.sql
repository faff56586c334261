-- The organisation's people as approval.people.v1 tells them (latest state per user), so a
-- connection alert reaches the admins.
CREATE TABLE people (
    user_id         uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    email           text        NOT NULL,  -- lower-cased
    name            text        NOT NULL,
    roles           text[]      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX people_of_organisation ON people (organisation_id);

-- Who each running request awaits now: replaced by every request event that carries its
-- `awaiting` list, emptied by its outcome. The daily digest reads it. Events of one request
-- arrive in order (keyed by the request), so the latest list wins.
CREATE TABLE awaiting (
    request_id      uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    organisation_id uuid        NOT NULL,
    recipient       text        NOT NULL,  -- the address, lower-cased
    name            text        NOT NULL,
    step_name       text,
    due_at          timestamptz,
    since           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, user_id)
);

CREATE INDEX awaiting_by_person ON awaiting (organisation_id, recipient);
