"""An example of a team downstream of Countersign: it keeps a table of bills by status from
approval.requests.v1 and ledger.publications.v1, as a tolerant reader (README.md)."""
