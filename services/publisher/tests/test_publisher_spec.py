from countersign_publisher.spec import SERVICE


def test_publisher_reacts_to_requests_bank_transactions_and_organisations() -> None:
    handled = {(s.topic, s.group): set(s.handlers) for s in SERVICE.consumes}
    assert handled == {
        ("approval.requests.v1", "publisher"): {
            "RequestAuthorised",
            "RequestRejected",
            "PublicationRetryRequested",
            "PublicationCancelRequested",
        },
        ("dext.bank-transactions.v1", "publisher"): {"BankTransactionSubmitted"},
        ("approval.organisations.v1", "publisher"): {
            "OrganisationRegistered",
            "OrganisationUpdated",
        },
    }


def test_the_sealed_columns_name_the_contexts_the_publisher_seals_in() -> None:
    """countersign-reseal opens each value in the context the spec names: the same one the
    token store and the consent flow seal it in."""
    from uuid import uuid4

    from countersign_publisher.adapters.tokens import _context
    from countersign_publisher.handlers.connecting import _pending_context, _verifier_context

    org, state_hash = uuid4(), "a" * 64
    row = {"organisation_id": org, "state_hash": state_hash}
    contexts = {(s.table, s.column): s.context_of(row) for s in SERVICE.sealed}
    assert contexts == {
        ("xero_connections", "access_token"): _context(org, "access"),
        ("xero_connections", "refresh_token"): _context(org, "refresh"),
        ("xero_authorisations", "code_verifier"): _verifier_context(state_hash),
        ("xero_authorisations", "tokens"): _pending_context(state_hash),
    }
