-- Organisations connect Xero themselves: OAuth2 authorization code with PKCE (ADR 0045).
--
-- An authorisation in flight. The state handed to Xero is a bearer secret: only its SHA-256 is
-- kept. The PKCE verifier is sealed. When Xero's consent reached several tenants, the token set
-- waits here, sealed, until the admin picks one; it is wiped once the flow ends either way.
CREATE TABLE xero_authorisations (
    state_hash      text        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    started_by      uuid        NOT NULL,
    code_verifier   text        NOT NULL,  -- sealed
    redirect_uri    text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    called_back_at  timestamptz,           -- Xero sent the browser back: the code is spent
    tokens          text,                  -- sealed JSON token set, while a tenant is chosen
    tenants         jsonb,                 -- [{tenant_id, tenant_name, connection_id}], idem
    ended_at        timestamptz,
    outcome         text
);
CREATE INDEX xero_authorisations_expiry ON xero_authorisations (expires_at);

-- Connection health speaks the contract's words (LedgerConnectionStatus); a disconnected
-- organisation keeps its row (tenant, who, when) with its tokens destroyed.
UPDATE xero_connections SET status = 'needs_reconnect' WHERE status = 'reconnect_required';
ALTER TABLE xero_connections
    ADD COLUMN xero_connection_id text,
    ADD COLUMN changed_by         uuid,
    ADD COLUMN changed_at         timestamptz NOT NULL DEFAULT now(),
    ALTER COLUMN access_token  DROP NOT NULL,
    ALTER COLUMN refresh_token DROP NOT NULL,
    ALTER COLUMN expires_at    DROP NOT NULL,
    ADD CONSTRAINT xero_connections_status
        CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
    ADD CONSTRAINT xero_connections_tokens
        CHECK (status = 'disconnected' OR (access_token IS NOT NULL AND refresh_token IS NOT NULL
                                           AND expires_at IS NOT NULL));

-- One Xero tenant serves one Countersign organisation at a time: two would publish the same
-- bills twice into one ledger and share one single-use refresh token.
CREATE UNIQUE INDEX xero_connections_one_organisation_per_tenant
    ON xero_connections (tenant_id) WHERE status <> 'disconnected';
