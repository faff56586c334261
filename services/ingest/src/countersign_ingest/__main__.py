"""``countersign-ingest``: serves ingest's HTTP API and Kafka consumers."""

from countersign_platform.server import serve

from countersign_ingest.app import create_app
from countersign_ingest.settings import IngestSettings


def main() -> None:
    settings = IngestSettings()
    serve(create_app(settings), settings, "ingest")


if __name__ == "__main__":
    main()
