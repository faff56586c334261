-- People signed in through the web app (ADR 0048). Only each secret's SHA-256 is kept, as for
-- API tokens: the tables alone let nobody in.
--
-- A sign-in code is the secret of one e-mailed link: one user of one organisation, single use
-- (used_at), short-lived. A session is what a redeemed link or a verified OpenID Connect sign-in
-- opens: it ends at expires_at, after idle_s without use, at sign-out (revoked_at), or when
-- its user is removed. An ID token is taken once: oidc_sign_ins keeps each one's hash until
-- it expires.

CREATE TABLE sign_in_codes (
    code_sha256     text        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    user_id         uuid        NOT NULL REFERENCES users,
    client          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);

CREATE TABLE sessions (
    session_sha256  text        PRIMARY KEY,
    session_id      uuid        NOT NULL UNIQUE,
    organisation_id uuid        NOT NULL,
    user_id         uuid        NOT NULL REFERENCES users,
    method          text        NOT NULL CHECK (method IN ('link', 'oidc')),
    client          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE oidc_sign_ins (
    id_token_sha256 text        PRIMARY KEY,
    expires_at      timestamptz NOT NULL
);
