from countersign_publisher.spec import SERVICE


def test_publisher_reacts_to_authorised_requests_only() -> None:
    (subscription,) = SERVICE.consumes
    assert subscription.topic == "approval.requests.v1"
    assert subscription.group == "publisher"
    assert set(subscription.handlers) == {"RequestAuthorised"}
