"""``countersign-dext-sandbox``: plays Dext from the command line.

countersign-dext-sandbox                       serve (DEXT_SANDBOX_HTTP_PORT, default 8091)
countersign-dext-sandbox publish-samples --ingest-url URL --organisation ID --secret S
countersign-dext-sandbox suppliers       --ingest-url URL --organisation ID --secret S
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from countersign_dext_sandbox.client import DextClient
from countersign_dext_sandbox.samples import publish_samples

__all__ = ["main"]


def _account(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ingest-url", default=os.environ.get("INGEST_URL"))
    parser.add_argument("--organisation", required=True, help="the organisation's id")
    parser.add_argument(
        "--secret",
        default=os.environ.get("DEXT_SECRET"),
        help="its Dext signing secret (or DEXT_SECRET)",
    )


async def _publish(args: argparse.Namespace) -> int:
    async with DextClient(args.ingest_url, args.organisation, args.secret) as dext:
        report = await publish_samples(dext)
    for outcome in report.outcomes:
        mark = "ok " if outcome.ok else "ERR"
        print(f"{mark} {outcome.status_code} {outcome.step}")
        if not outcome.ok:
            print(f"      {outcome.detail}")
    print(f"suppliers pulled: {len(report.suppliers)}")
    return 0 if report.ok else 1


async def _suppliers(args: argparse.Namespace) -> int:
    async with DextClient(args.ingest_url, args.organisation, args.secret) as dext:
        print(json.dumps(await dext.suppliers(), indent=2))
    return 0


def _serve() -> int:
    import uvicorn

    from countersign_dext_sandbox.server import create_app

    uvicorn.run(
        create_app(os.environ.get("DEXT_SANDBOX_INGEST_URL") or os.environ.get("INGEST_URL")),
        host=os.environ.get("DEXT_SANDBOX_HTTP_HOST", "127.0.0.1"),
        port=int(os.environ.get("DEXT_SANDBOX_HTTP_PORT", "8091")),
        log_level="warning",
    )
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="countersign-dext-sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the sandbox's HTTP service")
    _account(commands.add_parser("publish-samples", help="publish the whole sample set"))
    _account(commands.add_parser("suppliers", help="pull the supplier list"))
    args = parser.parse_args(argv)
    if args.command in (None, "serve"):
        sys.exit(_serve())
    if not args.ingest_url or not args.secret:
        parser.error("--ingest-url (or INGEST_URL) and --secret (or DEXT_SECRET) are required")
    runner = _publish if args.command == "publish-samples" else _suppliers
    sys.exit(asyncio.run(runner(args)))
