"""Publisher's HTTP API: ledger connections (admins connect through Xero's or Intuit's
consent; operators import a grant), publication status, retries, supplier sync, master data,
publication settings, Xero's and QuickBooks Online's webhooks."""

from countersign_publisher.api.connecting import (
    callback_router,
    qbo_callback_router,
    router as connecting_router,
)
from countersign_publisher.api.connections import router as connections_router
from countersign_publisher.api.master_data import router as master_data_router
from countersign_publisher.api.publications import router as publications_router
from countersign_publisher.api.qbo_webhooks import router as qbo_webhooks_router
from countersign_publisher.api.settings import router as settings_router
from countersign_publisher.api.webhooks import router as webhooks_router

__all__ = ["ROUTERS"]

ROUTERS = (
    publications_router,
    connections_router,
    master_data_router,
    settings_router,
    connecting_router,
    callback_router,
    qbo_callback_router,
    webhooks_router,
    qbo_webhooks_router,
)
