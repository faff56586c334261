-- Where the organisation's bills start (ADR 0058): 'direct' from Dext, or 'via_xero' (pulled
-- from Xero when SUBMITTED there), with the user who owns the pulled requests. An
-- administrator's setting, announced on approval.organisations.v1.
ALTER TABLE organisations
    ADD COLUMN ledger_mode text NOT NULL DEFAULT 'direct'
        CHECK (ledger_mode IN ('direct', 'via_xero')),
    ADD COLUMN via_xero_requester uuid REFERENCES users,
    ADD CONSTRAINT organisations_via_xero_has_a_requester
        CHECK (ledger_mode = 'direct' OR via_xero_requester IS NOT NULL);
