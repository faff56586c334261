"""``countersign-publisher``: serves publisher's HTTP API and Kafka consumers."""

from countersign_platform.server import serve

from countersign_publisher.app import create_app
from countersign_publisher.settings import PublisherSettings


def main() -> None:
    settings = PublisherSettings()
    serve(create_app(settings), settings, "publisher")


if __name__ == "__main__":
    main()
