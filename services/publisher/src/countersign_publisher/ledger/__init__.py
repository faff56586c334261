"""The ledger boundary (ADR 0065): what the publication steps ask of a ledger (``port``), the
values it answers with (``values``) and how it fails (``errors``). Nothing here knows Xero."""
