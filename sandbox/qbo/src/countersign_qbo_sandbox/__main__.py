"""``countersign-qbo-sandbox``: serve the sandbox with uvicorn."""

from __future__ import annotations

from countersign_xero_sandbox.hosting import run

from countersign_qbo_sandbox.app import build_app
from countersign_qbo_sandbox.settings import SandboxSettings


def main() -> None:
    run(build_app, SandboxSettings())


if __name__ == "__main__":
    main()
