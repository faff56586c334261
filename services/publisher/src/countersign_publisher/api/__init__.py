"""Publisher's HTTP API (operators): Xero connections, publication status, retries, supplier
sync."""

from countersign_publisher.api.connections import router as connections_router
from countersign_publisher.api.publications import router as publications_router

__all__ = ["ROUTERS"]

ROUTERS = (publications_router, connections_router)
