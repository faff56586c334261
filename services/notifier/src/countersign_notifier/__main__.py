"""``countersign-notifier``: serves the notifier's consumers, its mail sender and its health."""

from countersign_platform.server import serve

from countersign_notifier.app import create_app
from countersign_notifier.settings import NotifierSettings


def main() -> None:
    settings = NotifierSettings()
    serve(create_app(settings), settings, "notifier")


if __name__ == "__main__":
    main()
