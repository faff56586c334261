-- E-mail buttons (ADR 0048): a grant lets one person make one decision on one step of one
-- request, once, without signing in. Only its SHA-256 is kept; used_at marks it spent, in the
-- transaction that records the decision.

CREATE TABLE action_grants (
    grant_sha256    text        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    request_id      uuid        NOT NULL,
    user_id         uuid        NOT NULL REFERENCES users,
    step_index      integer     NOT NULL,
    client          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
