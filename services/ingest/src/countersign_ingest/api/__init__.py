"""Ingest's HTTP API: Dext's signed calls (every one behind ``signed.SignedCalls``), the
original documents behind signed links, the admins' Dext credentials (access tokens), and the
operator's Dext secrets."""

from countersign_ingest.api.credentials import router as credentials_router
from countersign_ingest.api.documents import router as documents_router
from countersign_ingest.api.items import router as items_router
from countersign_ingest.api.ledger import router as ledger_router
from countersign_ingest.api.operator import router as operator_router
from countersign_ingest.api.publications import router as publications_router
from countersign_ingest.api.suppliers import router as suppliers_router
from countersign_ingest.api.withdrawals import router as withdrawals_router

__all__ = ["ROUTERS"]

# In the order of the OpenAPI document: Dext's calls, documents, the admins', the operator's.
ROUTERS = (
    publications_router,
    withdrawals_router,
    items_router,
    suppliers_router,
    ledger_router,
    documents_router,
    credentials_router,
    operator_router,
)
