"""`countersign-contracts`: write the JSON Schemas of every event, or check them.

    countersign-contracts generate [--schemas-dir DIR] [--allow-breaking]
    countersign-contracts check    [--schemas-dir DIR]

Exit codes: 0 up to date (check) or written (generate); 1 a breaking change, or (check) changes
not yet written; 2 bad usage.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from countersign_contracts._schemas import (
    SchemaDiff,
    diff_schemas,
    event_schemas,
    load_schemas,
    write_schemas,
)

DEFAULT_SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"

_BREAKING_ADVICE = (
    "A published major version must stay readable by existing consumers. Make the change "
    "additive (a new optional field, a new enum value), or publish it on a new major topic "
    "(e.g. dext.cost-items.v2) next to the old one."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="countersign-contracts", description="Countersign event contracts: JSON Schemas."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write the JSON Schemas of every event")
    generate.add_argument(
        "--allow-breaking",
        action="store_true",
        help="write even a breaking change (only for a topic nobody consumes yet)",
    )
    check = commands.add_parser(
        "check", help="fail if the models differ from the committed JSON Schemas"
    )
    for command in (generate, check):
        command.add_argument("--schemas-dir", type=Path, default=DEFAULT_SCHEMAS_DIR)
    args = parser.parse_args(argv)

    directory: Path = args.schemas_dir
    if args.command == "check" and not directory.is_dir():
        print(f"contracts: no schemas directory at {directory}", file=sys.stderr)
        return 1
    current = event_schemas()
    committed = load_schemas(directory) if directory.is_dir() else {}
    diff = diff_schemas(committed, current)
    if args.command == "check":
        return _check(diff, directory)
    return _generate(diff, directory, current, args.allow_breaking)


def _check(diff: SchemaDiff, directory: Path) -> int:
    if diff.up_to_date:
        print(f"contracts: the schemas in {directory} match the models.")
        return 0
    out = sys.stderr
    if diff.breaking:
        _report_breaking(diff, out)
        return 1
    print("contracts: additive changes not yet published:", file=out)
    for path in diff.added:
        print(f"  new      {path}", file=out)
    for path in diff.changed:
        print(f"  changed  {path}", file=out)
    print("Run `make contracts` to publish these additive changes.", file=out)
    return 1


def _generate(
    diff: SchemaDiff,
    directory: Path,
    current: dict[str, dict[str, Any]],
    allow_breaking: bool,
) -> int:
    if diff.breaking and not allow_breaking:
        _report_breaking(diff, sys.stderr)
        print("Nothing written (pass --allow-breaking to write anyway).", file=sys.stderr)
        return 1
    write_schemas(directory, current)
    print(
        f"contracts: wrote {len(current)} schemas to {directory} "
        f"({len(diff.added)} new, {len(diff.changed)} changed, {len(diff.removed)} removed)."
    )
    return 0


def _report_breaking(diff: SchemaDiff, out: TextIO) -> None:
    print(f"contracts: {len(diff.breaking)} breaking change(s) to a published version:", file=out)
    for path, breaking in diff.breaking:
        print(f"  {path} {breaking}", file=out)
    print(_BREAKING_ADVICE, file=out)


if __name__ == "__main__":
    sys.exit(main())
