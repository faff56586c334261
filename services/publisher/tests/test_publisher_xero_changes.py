"""The pure rules of Xero's webhooks: the signature, eventDateUtc, "older than seen", and the
form a resource is kept in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from countersign_publisher.domain.xero_changes import (
    event_date,
    older_than_seen,
    signature_valid,
    stored_form,
)

BODY = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}'
KEY = "the-webhook-key"


def _signature(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def test_the_signature_is_base64_of_hmac_sha256_of_the_raw_body_with_the_key() -> None:
    assert signature_valid(BODY, KEY, _signature(BODY, KEY))


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        _signature(BODY, "another-key"),
        _signature(BODY + b" ", KEY),  # the same JSON, not the same bytes
        _signature(BODY, KEY)[:-4],
        "not base64 at all",
    ],
)
def test_a_missing_or_wrong_signature_is_refused(signature: str | None) -> None:
    assert not signature_valid(BODY, KEY, signature)


def test_no_key_refuses_every_signature() -> None:
    assert not signature_valid(BODY, "", _signature(BODY, ""))


def test_event_dates_without_an_offset_are_utc() -> None:
    assert event_date("2024-06-21T01:15:39.902") == datetime(2024, 6, 21, 1, 15, 39, 902000, UTC)
    assert event_date("2024-06-21T01:15:39Z") == datetime(2024, 6, 21, 1, 15, 39, tzinfo=UTC)


def test_an_event_no_later_than_the_state_kept_is_older_than_seen() -> None:
    seen = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert older_than_seen(seen, seen)
    assert older_than_seen(seen - timedelta(milliseconds=1), seen)
    assert not older_than_seen(seen + timedelta(milliseconds=1), seen)
    assert not older_than_seen(seen, None)


def test_a_resource_is_kept_with_exact_decimal_strings() -> None:
    kept = stored_form({"Total": Decimal("120.10"), "LineItems": [{"Quantity": Decimal("1.0")}]})
    assert kept == {"Total": "120.10", "LineItems": [{"Quantity": "1.0"}]}
