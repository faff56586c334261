"""Verifying against the key set approval publishes: fetched once and kept, fetched again for a
key it does not know (at most every 30 s) or once it is five minutes old, and an unreadable set
is "unavailable", never "invalid"."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from countersign_platform.access import (
    AccessRefused,
    AccessUnavailable,
    AccessVerifier,
    Caller,
    SigningKeys,
    generate_seed,
)
from countersign_platform.published_keys import PublishedKeys, parse_jwks

from libs.platform.tests.fakes import FakeClock, KeySetEndpoint

ADA = Caller(uuid.uuid4(), uuid.uuid4(), frozenset({"admin"}), "Ada Admin")


def signing(*kids: str) -> SigningKeys:
    return SigningKeys.parse(",".join(f"{kid}:{generate_seed()}" for kid in kids))


def remote(endpoint: KeySetEndpoint, clock: FakeClock) -> tuple[AccessVerifier, PublishedKeys]:
    published = PublishedKeys(endpoint.url, endpoint.client(), clock=clock)
    return AccessVerifier(published), published


async def test_the_key_set_is_fetched_once_and_kept() -> None:
    keys = signing("k1")
    endpoint, clock = KeySetEndpoint(keys.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)

    for _ in range(5):
        assert await verifier.verify(keys.issue(ADA, 900)) == ADA
        clock.advance(10)

    assert endpoint.requests == 1


async def test_a_burst_of_tokens_before_the_first_fetch_makes_one_request() -> None:
    keys = signing("k1")
    endpoint = KeySetEndpoint(keys.jwks())
    verifier, _ = remote(endpoint, FakeClock())

    callers = await asyncio.gather(*(verifier.verify(keys.issue(ADA, 900)) for _ in range(20)))

    assert callers == [ADA] * 20 and endpoint.requests == 1


async def test_a_new_key_is_fetched_when_a_token_names_it() -> None:
    old = signing("k1")
    endpoint, clock = KeySetEndpoint(old.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)
    assert await verifier.verify(old.issue(ADA, 900)) == ADA
    clock.advance(31)

    rotated = signing("k2")
    endpoint.document = {"keys": rotated.jwks()["keys"] + old.jwks()["keys"]}

    assert await verifier.verify(rotated.issue(ADA, 900)) == ADA
    assert await verifier.verify(old.issue(ADA, 900)) == ADA
    assert endpoint.requests == 2


async def test_an_unknown_key_asks_again_at_most_every_30_seconds() -> None:
    keys, stranger = signing("k1"), signing("made-up")
    endpoint, clock = KeySetEndpoint(keys.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)
    await verifier.verify(keys.issue(ADA, 900))

    requests = []
    for _ in range(4):  # at 0, 10, 20, 30 s after the first fetch
        with pytest.raises(AccessRefused, match="key is unknown"):
            await verifier.verify(stranger.issue(ADA, 900))
        requests.append(endpoint.requests)
        clock.advance(10)

    assert requests == [1, 1, 1, 2]


async def test_a_set_older_than_five_minutes_is_fetched_again() -> None:
    first, second = signing("k1"), signing("k2")
    endpoint, clock = KeySetEndpoint(first.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)
    await verifier.verify(first.issue(ADA, 900))

    endpoint.document = second.jwks()  # k1 withdrawn
    clock.advance(301)

    with pytest.raises(AccessRefused, match="key is unknown"):
        await verifier.verify(first.issue(ADA, 900))
    assert endpoint.requests == 2


@pytest.mark.parametrize(
    "failure",
    [503, 404, httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
    ids=["503", "404", "refused", "timeout"],
)
async def test_an_unreadable_key_set_is_unavailable_not_invalid(
    failure: int | Exception,
) -> None:
    keys = signing("k1")
    endpoint = KeySetEndpoint(keys.jwks(), failure=failure)
    verifier, _ = remote(endpoint, FakeClock())

    with pytest.raises(AccessUnavailable):
        await verifier.verify(keys.issue(ADA, 900))


async def test_an_unknown_key_while_the_set_cannot_be_read_is_unavailable() -> None:
    old, new = signing("k1"), signing("k2")
    endpoint, clock = KeySetEndpoint(old.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)
    await verifier.verify(old.issue(ADA, 900))
    clock.advance(31)
    endpoint.failure = httpx.ConnectError("approval restarting")

    with pytest.raises(AccessUnavailable):
        await verifier.verify(new.issue(ADA, 900))


async def test_a_set_that_cannot_be_refreshed_is_kept() -> None:
    keys = signing("k1")
    endpoint, clock = KeySetEndpoint(keys.jwks()), FakeClock()
    verifier, _ = remote(endpoint, clock)
    await verifier.verify(keys.issue(ADA, 900))
    clock.advance(301)
    endpoint.failure = 502

    assert await verifier.verify(keys.issue(ADA, 900)) == ADA
    clock.advance(5)
    assert await verifier.verify(keys.issue(ADA, 900)) == ADA
    assert endpoint.requests == 2  # the failed refresh is not retried on every request


async def test_a_key_set_that_is_not_json_is_unavailable() -> None:
    keys = signing("k1")
    endpoint = KeySetEndpoint("not a key set")
    verifier, _ = remote(endpoint, FakeClock())

    with pytest.raises(AccessUnavailable):
        await verifier.verify(keys.issue(ADA, 900))


def test_only_ed25519_signing_keys_are_read_from_a_key_set() -> None:
    keys = signing("k1", "k2")
    ed25519 = keys.jwks()["keys"]
    document = {
        "keys": [
            ed25519[0],
            {**ed25519[1], "use": "enc"},
            {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**ed25519[1], "kid": "with-private", "d": "AAAA"},
            {**ed25519[1], "kid": "hs", "alg": "HS256"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "broken", "x": "!!"},
            "not a key",
        ]
    }

    assert list(parse_jwks(document)) == ["k1"]
    with pytest.raises(ValueError):
        parse_jwks({"no": "keys"})
