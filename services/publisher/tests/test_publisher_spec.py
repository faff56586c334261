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
