"""The publisher's outside systems: Xero (its Accounting API, the call scheduler that keeps
every organisation inside Xero's limits, its identity service and the token store) and ingest,
which hands over the original documents. Nothing above this package sees a transport error or a
status code."""
