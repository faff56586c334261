"""``countersign-web``: serves the web app."""

import uvicorn
from countersign_platform.telemetry import configure_logging

from countersign_web.app import create_app
from countersign_web.settings import WebSettings


def main() -> None:
    settings = WebSettings()
    configure_logging("web", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
