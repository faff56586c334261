from countersign_platform.migrations import migrations_dir
from countersign_platform.spec import ServiceSpec

from countersign_notifier.subscriptions import SUBSCRIPTIONS

__all__ = ["SERVICE"]

SERVICE = ServiceSpec(
    name="notifier",
    description="Tells people by e-mail what concerns them: a bill awaiting their decision"
    " (with Approve and Reject buttons), a deadline near or passed, a daily digest, their bill"
    " rejected or in Xero; admins, a ledger connection that needs them.",
    migrations=migrations_dir(__file__),
    consumes=SUBSCRIPTIONS,
)
