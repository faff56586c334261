"""``countersign-approval``: serves approval's HTTP API and Kafka consumers."""

from countersign_platform.server import serve

from countersign_approval.app import create_app
from countersign_approval.settings import ApprovalSettings


def main() -> None:
    settings = ApprovalSettings()
    serve(create_app(settings), settings, "approval")


if __name__ == "__main__":
    main()
