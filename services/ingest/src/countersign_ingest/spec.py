from countersign_contracts import BANK_TRANSACTIONS, COST_ITEMS
from countersign_platform.migrations import migrations_dir
from countersign_platform.sealing import SealedColumn
from countersign_platform.spec import ServiceSpec

from countersign_ingest.subscriptions import SUBSCRIPTIONS

__all__ = ["SERVICE"]

SERVICE = ServiceSpec(
    name="ingest",
    description="The Dext-facing API: receives cost items and bank transactions, keeps their"
    " status current from the other services' events, and hands them on over Kafka.",
    migrations=migrations_dir(__file__),
    consumes=SUBSCRIPTIONS,
    produces=(COST_ITEMS, BANK_TRANSACTIONS),
    # The organisations' Dext signing secrets (db/credentials.py).
    sealed=(
        SealedColumn(
            "dext_secrets", "sealed", "credential_id", "ingest:dext-secret:{organisation_id}"
        ),
    ),
)
