"""``python -m tests.fidelity.check <recordings dir or files…>``: the Xero fidelity net.

Reads the Xero sandbox's recordings, checks every exchange (``checks``), prints one block per
finding (operation, side, JSON path, rule, count, first examples) and exits 1 when there is any
drift. The QBO sandbox's recordings in the same place are only counted and listed by operation
(``qbo``). ``make test`` runs it over ``.local/fidelity/recordings/`` after pytest.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.fidelity.checks import Checker, Tally
from tests.fidelity.findings import Findings
from tests.fidelity.qbo import summary
from tests.fidelity.recordings import Exchange, read_recordings
from tests.fidelity.spec import load_spec

__all__ = ["check_exchanges", "main"]


def check_exchanges(exchanges: Iterable[Exchange], examples: int = 3) -> tuple[Findings, Tally]:
    checker = Checker(load_spec())
    findings = Findings(examples)
    for exchange in exchanges:
        checker.check(exchange, findings)
    return findings, checker.tally


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fidelity.check", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, help="recording files or directories")
    parser.add_argument("--examples", type=int, default=3, help="examples shown per finding")
    parser.add_argument(
        "--require-recordings",
        action="store_true",
        help="fail when nothing was recorded (the recording wiring is broken)",
    )
    args = parser.parse_args(argv)
    recordings = read_recordings(args.paths)
    findings, tally = check_exchanges(recordings.exchanges, args.examples)
    print(
        f"Xero fidelity: {len(recordings.exchanges)} exchanges in {recordings.files} recordings;"
        f" {tally.answers} Accounting answers and {tally.publisher_requests} publisher requests"
        " checked against Xero's OpenAPI 16.1.0 and the xero-python SDK"
        f" ({tally.cut_short} answers cut short by injected faults skipped)"
    )
    print(
        f"QBO: {len(recordings.qbo)} exchanges in {recordings.qbo_files} recordings, counted"
        " by operation (their shapes are not checked yet)"
    )
    if recordings.qbo:
        print(summary(recordings.qbo))
    if recordings.unreadable:
        shown = ", ".join(recordings.unreadable[:5])
        print(f"skipped {len(recordings.unreadable)} unreadable lines (cut short?): {shown}")
    if args.require_recordings and not recordings.exchanges:
        print("nothing was recorded: is XERO_SANDBOX_RECORD_DIR reaching the sandboxes?")
        return 1
    if not findings:
        print("no drift")
        return 0
    occurrences = sum(finding.count for finding in findings)
    print(f"DRIFT: {len(findings)} findings ({occurrences} occurrences)\n")
    print(findings.report())
    return 1


if __name__ == "__main__":
    sys.exit(main())
