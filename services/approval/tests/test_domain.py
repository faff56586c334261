from countersign_approval.domain import authorise_on_arrival
from countersign_approval.spec import SERVICE


def test_the_stub_rule_authorises_every_request() -> None:
    assert authorise_on_arrival() is True


def test_approval_reacts_to_submitted_cost_items_only() -> None:
    (subscription,) = SERVICE.consumes
    assert subscription.topic == "dext.cost-items.v1"
    assert set(subscription.handlers) == {"CostItemSubmitted"}
