from countersign_contracts import APPROVAL_REQUESTS, ORGANISATIONS, PEOPLE
from countersign_platform.migrations import migrations_dir
from countersign_platform.spec import ServiceSpec

from countersign_approval.subscriptions import SUBSCRIPTIONS

__all__ = ["SERVICE"]

SERVICE = ServiceSpec(
    name="approval",
    description="Runs each organisation's bill approval workflow and serves the approver API.",
    migrations=migrations_dir(__file__),
    consumes=SUBSCRIPTIONS,
    produces=(APPROVAL_REQUESTS, ORGANISATIONS, PEOPLE),
)
