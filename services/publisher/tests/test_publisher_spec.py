from countersign_publisher.spec import SERVICE


def test_publisher_reacts_to_authorised_requests_retries_cancels_and_bank_transactions() -> None:
    handled = {(s.topic, s.group): set(s.handlers) for s in SERVICE.consumes}
    assert handled == {
        ("approval.requests.v1", "publisher"): {
            "RequestAuthorised",
            "PublicationRetryRequested",
            "PublicationCancelRequested",
        },
        ("dext.bank-transactions.v1", "publisher"): {"BankTransactionSubmitted"},
    }
