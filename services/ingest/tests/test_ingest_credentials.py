"""What verifies when during a Dext credential's rotation, and when its last use is worth a
write: the pure rules (domain/credentials.py), which secret signed a call (domain/signatures.py)
and the recording of a use that must never fail or hold up the call it records."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from countersign_ingest.domain.credentials import (
    LAST_USE_RESOLUTION,
    Credential,
    Role,
    live,
    previous_valid_until,
    use_worth_recording,
    verifies,
)
from countersign_ingest.domain.signatures import Verdict, check, sign
from countersign_ingest.handlers.credentials import Accepted, record_use
from countersign_platform.sealing import Keyring

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
KEYRING = Keyring.parse("k1:" + base64.b64encode(b"k" * 32).decode())


def credential(
    role: Role,
    valid_until: datetime | None = None,
    last_used_at: datetime | None = None,
) -> Credential:
    return Credential(uuid.uuid4(), role, NOW - WEEK, None, last_used_at, valid_until)


def test_the_current_credential_always_verifies() -> None:
    assert verifies(credential("current"), NOW)
    assert verifies(credential("current"), NOW + 100 * WEEK)


def test_a_previous_credential_verifies_until_its_overlap_ends_and_not_at_that_instant() -> None:
    until = previous_valid_until(NOW, WEEK)
    previous = credential("previous", valid_until=until)

    assert until == NOW + WEEK
    assert verifies(previous, NOW)
    assert verifies(previous, until - timedelta(microseconds=1))
    assert not verifies(previous, until)
    assert not verifies(previous, until + timedelta(seconds=1))


def test_a_previous_credential_without_an_end_never_verifies() -> None:
    assert not verifies(credential("previous", valid_until=None), NOW)


def test_a_zero_overlap_makes_the_replaced_credential_stop_at_once() -> None:
    until = previous_valid_until(NOW, timedelta(0))
    assert not verifies(credential("previous", valid_until=until), NOW)


def test_during_a_rotation_both_verify_current_first_and_after_it_only_the_current() -> None:
    current = credential("current")
    previous = credential("previous", valid_until=NOW + timedelta(hours=1))

    assert live([previous, current], NOW) == [current, previous]
    assert live([previous, current], NOW + timedelta(hours=1)) == [current]
    assert live([previous], NOW + timedelta(hours=2)) == []
    assert live([], NOW) == []


def test_a_first_use_is_always_recorded() -> None:
    assert use_worth_recording(None, NOW)


@pytest.mark.parametrize(
    ("ago", "worth"),
    [
        (timedelta(0), False),
        (timedelta(seconds=59, microseconds=999_999), False),
        (LAST_USE_RESOLUTION, True),
        (timedelta(hours=3), True),
    ],
)
def test_a_use_is_recorded_at_most_once_a_minute(ago: timedelta, worth: bool) -> None:
    assert use_worth_recording(NOW - ago, NOW) is worth


def test_a_valid_call_names_the_secret_it_was_signed_with() -> None:
    new, old = b"n" * 43, b"o" * 43
    signature = sign(old, "1764150000", "GET", "/v1/x", b"")

    valid = check([new, old], "1764150000", signature, "GET", "/v1/x", b"", 1764150000.0)
    refused = check([new], "1764150000", signature, "GET", "/v1/x", b"", 1764150000.0)

    assert (valid.verdict, valid.matched) == (Verdict.VALID, 1)
    assert (refused.verdict, refused.matched) == (Verdict.MISMATCH, None)


class _Connection:
    """Records the statements it is sent; fails them when told to."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure
        self.executed: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> str:
        self.executed.append((query, args, kwargs))
        if self.failure is not None:
            raise self.failure
        return "UPDATE 1"


async def test_a_use_is_written_with_a_bound_on_how_long_it_may_take() -> None:
    conn = _Connection()
    await record_use(conn, KEYRING, Accepted(credential("current"), b"s"))  # type: ignore[arg-type]

    [(query, _, kwargs)] = conn.executed
    assert "UPDATE dext_secrets SET last_used_at" in query and "SKIP LOCKED" in query
    assert 0 < kwargs["timeout"] <= 1


async def test_a_use_recorded_within_the_minute_writes_nothing() -> None:
    conn = _Connection()
    recent = credential("current", last_used_at=datetime.now(UTC) - timedelta(seconds=5))
    await record_use(conn, KEYRING, Accepted(recent, b"s"))  # type: ignore[arg-type]
    assert conn.executed == []


@pytest.mark.parametrize("failure", [TimeoutError(), OSError("connection reset")])
async def test_a_failed_write_of_the_last_use_does_not_fail_the_call(
    failure: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    conn = _Connection(failure)
    await record_use(conn, KEYRING, Accepted(credential("current"), b"the-secret"))  # type: ignore[arg-type]

    assert len(conn.executed) == 1
    assert "could not record a Dext credential's last use" in caplog.text
    assert "the-secret" not in caplog.text
