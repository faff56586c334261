"""Ingest's SQL, one module per aggregate: items and their versions, original documents, the
supplier directory, and Dext credentials (secrets and the signatures already accepted)."""
