"""Ingest's master data for Dext, entry by entry: what a new full snapshot changed, what it
removed, and the cursor Dext resumes from."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from countersign_ingest.domain.ledger_entries import Stored, decode_cursor, diff, encode_cursor
from countersign_ingest.domain.refusals import CursorNotValid

NORTH = {"name": "North", "status": "ACTIVE"}
SOUTH = {"name": "South", "status": "ACTIVE"}


def test_diff_of_a_first_snapshot_changes_every_entry() -> None:
    changes = diff({}, {"a": NORTH, "b": SOUTH})
    assert changes.changed == {"a": NORTH, "b": SOUTH} and changes.removed == []


def test_diff_keeps_unchanged_entries_out_and_reports_what_changed() -> None:
    stored = {"a": Stored(NORTH, False), "b": Stored(SOUTH, False)}
    archived = {**SOUTH, "status": "ARCHIVED"}
    changes = diff(stored, {"a": dict(NORTH), "b": archived})
    assert changes.changed == {"b": archived} and changes.removed == []


def test_diff_marks_an_entry_gone_from_the_ledger_removed_once() -> None:
    stored = {"a": Stored(NORTH, False), "b": Stored(SOUTH, False)}
    assert diff(stored, {"a": NORTH}).removed == ["b"]
    gone = {"a": Stored(NORTH, False), "b": Stored(SOUTH, True)}
    assert diff(gone, {"a": NORTH}).removed == []


def test_diff_counts_an_entry_that_comes_back_as_changed() -> None:
    stored = {"b": Stored(SOUTH, True)}
    assert diff(stored, {"b": SOUTH}).changed == {"b": SOUTH}


def test_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, "INPUT2")) == (at, "INPUT2")
    with pytest.raises(CursorNotValid):
        decode_cursor("not-a-cursor")
