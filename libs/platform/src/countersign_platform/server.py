"""Runs a service's app under uvicorn, logging as JSON from the first line."""

import uvicorn
from fastapi import FastAPI

from countersign_platform.settings import ServiceSettings
from countersign_platform.telemetry import configure_logging

__all__ = ["serve"]


def serve(app: FastAPI, settings: ServiceSettings, service: str) -> None:
    configure_logging(service, settings.log_level)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
