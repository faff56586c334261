"""``python -m tests.fidelity.check <recordings dir or files…>``: the Xero and QBO fidelity nets.

Reads the sandboxes' recordings, checks every Xero exchange (``checks``) and every QBO exchange
(``qbo``), prints one block per finding (operation, side, JSON path, rule, count, first
examples) and exits 1 when there is any drift. QBO calls the net does not know are listed as
unchecked (not failing). ``make test`` runs it over ``.local/fidelity/recordings/`` after pytest.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.fidelity.checks import Checker, Tally
from tests.fidelity.findings import Findings
from tests.fidelity.qbo import QboTally, check_qbo, summary, unchecked_report
from tests.fidelity.recordings import Exchange, read_recordings
from tests.fidelity.spec import load_spec

__all__ = ["check_exchanges", "check_qbo_exchanges", "main"]


def check_exchanges(exchanges: Iterable[Exchange], examples: int = 3) -> tuple[Findings, Tally]:
    checker = Checker(load_spec())
    findings = Findings(examples)
    for exchange in exchanges:
        checker.check(exchange, findings)
    return findings, checker.tally


def check_qbo_exchanges(
    exchanges: Iterable[Exchange], examples: int = 3
) -> tuple[Findings, QboTally]:
    findings = Findings(examples)
    return findings, check_qbo(exchanges, findings)


def _qbo_report(exchanges: list[Exchange], files: int, tally: QboTally) -> None:
    print(
        f"QBO fidelity: {len(exchanges)} exchanges in {files} recordings; {tally.answers}"
        f" Accounting answers and {tally.requests} requests ({tally.publisher_requests} the"
        " publisher's) checked against qbo-api.md and python-quickbooks 0.9.12's classes"
        f" ({tally.cut_short} answers cut short by injected faults skipped,"
        f" {tally.off_spec} requests marked off-spec on purpose not judged)"
    )
    if exchanges:
        print(summary(exchanges))
    if tally.unchecked:
        print(
            f"QBO calls the net does not know (unchecked, not failing):\n{unchecked_report(tally)}"
        )


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
    qbo_findings, qbo_tally = check_qbo_exchanges(recordings.qbo, args.examples)
    print(
        f"Xero fidelity: {len(recordings.exchanges)} exchanges in {recordings.files} recordings;"
        f" {tally.answers} Accounting answers and {tally.publisher_requests} publisher requests"
        " checked against Xero's OpenAPI 16.1.0 and the xero-python SDK"
        f" ({tally.cut_short} answers cut short by injected faults skipped)"
    )
    _qbo_report(recordings.qbo, recordings.qbo_files, qbo_tally)
    if recordings.unreadable:
        shown = ", ".join(recordings.unreadable[:5])
        print(f"skipped {len(recordings.unreadable)} unreadable lines (cut short?): {shown}")
    if args.require_recordings and not (recordings.exchanges and recordings.qbo):
        print("nothing was recorded: are XERO_/QBO_SANDBOX_RECORD_DIR reaching the sandboxes?")
        return 1
    if not findings and not qbo_findings:
        print("no drift")
        return 0
    for name, found in (("Xero", findings), ("QBO", qbo_findings)):
        if found:
            occurrences = sum(finding.count for finding in found)
            print(f"\n{name} DRIFT: {len(found)} findings ({occurrences} occurrences)\n")
            print(found.report())
    return 1


if __name__ == "__main__":
    sys.exit(main())
