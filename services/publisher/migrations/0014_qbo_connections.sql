-- QuickBooks Online connects beside Xero (ADR 0069, issue 22).
--
-- A tenant id is only unique within its ledger: Xero's are UUIDs, QBO's realmIds are digits,
-- and nothing stops one from equalling the other's. "One organisation per tenant" becomes one
-- per (ledger, tenant) among the connections not disconnected.
DROP INDEX xero_connections_one_organisation_per_tenant;
CREATE UNIQUE INDEX xero_connections_one_organisation_per_ledger_tenant
    ON xero_connections (ledger, tenant_id) WHERE status <> 'disconnected';

-- A consent in flight names the ledger it goes to: the callback redeems the code there.
ALTER TABLE xero_authorisations
    ADD COLUMN ledger text NOT NULL DEFAULT 'xero' CHECK (ledger IN ('xero', 'qbo'));
