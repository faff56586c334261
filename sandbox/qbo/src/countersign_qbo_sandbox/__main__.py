"""``countersign-qbo-sandbox``: serve the sandbox with uvicorn."""

from __future__ import annotations

import uvicorn

from countersign_qbo_sandbox.app import build_app
from countersign_qbo_sandbox.settings import SandboxSettings


def main() -> None:
    settings = SandboxSettings()
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
