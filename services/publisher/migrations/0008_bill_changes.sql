-- Changes after approval (ADR 0054): every invoice change Xero reports is looked up among the
-- bills Countersign published, by the Xero invoice id.
CREATE INDEX publications_invoice ON publications (organisation_id, xero_invoice_id)
    WHERE xero_invoice_id IS NOT NULL;
