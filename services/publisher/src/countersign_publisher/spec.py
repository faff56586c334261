from countersign_contracts import (
    LEDGER_BILLS,
    LEDGER_CONNECTIONS,
    LEDGER_MASTER_DATA,
    LEDGER_PUBLICATIONS,
    LEDGER_SUPPLIERS,
    LEDGER_XERO_BILLS,
)
from countersign_platform.migrations import migrations_dir
from countersign_platform.sealing import SealedColumn
from countersign_platform.spec import ServiceSpec

from countersign_publisher.subscriptions import SUBSCRIPTIONS

__all__ = ["SERVICE"]

SERVICE = ServiceSpec(
    name="publisher",
    description="Turns authorised requests into Xero bills, keeps the supplier list and master"
    " data in sync, connects organisations to Xero and pulls the bills submitted there in the"
    " via-Xero mode.",
    migrations=migrations_dir(__file__),
    consumes=SUBSCRIPTIONS,
    produces=(
        LEDGER_PUBLICATIONS,
        LEDGER_SUPPLIERS,
        LEDGER_CONNECTIONS,
        LEDGER_MASTER_DATA,
        LEDGER_XERO_BILLS,
        LEDGER_BILLS,
    ),
    # Xero token sets (adapters/tokens.py) and consents in flight (handlers/connecting.py).
    sealed=(
        SealedColumn(
            "xero_connections",
            "access_token",
            "organisation_id",
            "publisher:xero-access:{organisation_id}",
        ),
        SealedColumn(
            "xero_connections",
            "refresh_token",
            "organisation_id",
            "publisher:xero-refresh:{organisation_id}",
        ),
        SealedColumn(
            "xero_authorisations", "code_verifier", "state_hash", "publisher:xero-pkce:{state_hash}"
        ),
        SealedColumn(
            "xero_authorisations", "tokens", "state_hash", "publisher:xero-pending:{state_hash}"
        ),
    ),
)
