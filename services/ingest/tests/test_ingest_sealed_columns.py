from uuid import uuid4

from countersign_ingest.db.credentials import _context
from countersign_ingest.spec import SERVICE


def test_the_sealed_column_names_the_context_dext_secrets_are_sealed_in() -> None:
    """countersign-reseal opens each Dext secret in the context the credential store uses."""
    org = uuid4()
    (sealed,) = SERVICE.sealed
    assert (sealed.table, sealed.column, sealed.key) == ("dext_secrets", "sealed", "credential_id")
    assert sealed.context_of({"organisation_id": org, "credential_id": uuid4()}) == _context(org)
