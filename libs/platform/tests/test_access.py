"""Access tokens: what approval's keys sign verifies everywhere, and everything else is
refused with a reason that names no token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from countersign_platform.access import (
    AccessRefused,
    AccessVerifier,
    Caller,
    SigningKeyError,
    SigningKeys,
    generate_seed,
    looks_like_access_token,
)
from cryptography.hazmat.primitives import serialization

ADA = Caller(
    user_id=uuid.uuid4(),
    organisation_id=uuid.uuid4(),
    roles=frozenset({"reviewer", "admin"}),
    name="Ada Admin",
)


def keys(*kids: str, **options: str) -> tuple[SigningKeys, str]:
    spec = ",".join(f"{kid}:{generate_seed()}" for kid in kids)
    return SigningKeys.parse(spec, **options), spec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
        signature,
    )


def forged(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(signature)}"


async def refusal(verifier: AccessVerifier, token: str) -> str:
    with pytest.raises(AccessRefused) as refused:
        await verifier.verify(token)
    assert not token or token not in str(refused.value)
    return refused.value.reason


async def test_an_issued_token_verifies_as_the_caller_it_names() -> None:
    signing, _ = keys("k1")
    token = signing.issue(ADA, 900)

    caller = await AccessVerifier(signing).verify(token)

    assert caller == ADA
    assert caller.has("admin") and caller.has("approver", "reviewer")
    assert not caller.has("approver")
    header, claims, _ = segments(token)
    assert header == {"alg": "EdDSA", "kid": "k1", "typ": "JWT"}
    assert claims["roles"] == ["admin", "reviewer"]
    assert (claims["sub"], claims["org"]) == (str(ADA.user_id), str(ADA.organisation_id))
    assert (claims["iss"], claims["aud"]) == ("countersign", "countersign")
    assert claims["name"] == ADA.name
    assert claims["exp"] - claims["iat"] == 900 and claims["nbf"] == claims["iat"]
    assert claims["jti"] != segments(signing.issue(ADA, 900))[1]["jti"]
    assert looks_like_access_token(token) and not looks_like_access_token("csk_abc-DEF_123")


def test_the_key_set_publishes_public_keys_only_current_first() -> None:
    signing, spec = keys("new", "old")

    published = signing.jwks()

    assert [k["kid"] for k in published["keys"]] == ["new", "old"]
    for key in published["keys"]:
        assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
        assert (key["use"], key["alg"]) == ("sig", "EdDSA")
    seeds = [entry.split(":", 1)[1] for entry in spec.split(",")]
    assert not any(seed in json.dumps(published) or seed in repr(signing) for seed in seeds)


async def test_a_token_signed_with_the_old_key_verifies_while_that_key_is_published() -> None:
    old, old_spec = keys("k1")
    token = old.issue(ADA, 900)
    rotated = SigningKeys.parse(f"k2:{generate_seed()},{old_spec}")
    retired = SigningKeys.parse(f"k2:{generate_seed()}")

    assert await AccessVerifier(rotated).verify(token) == ADA
    assert segments(rotated.issue(ADA, 900))[0]["kid"] == "k2"
    assert await refusal(AccessVerifier(retired), token) == "the token's key is unknown"


async def test_a_tampered_payload_is_refused() -> None:
    signing, _ = keys("k1")
    token = signing.issue(ADA, 900)
    header, _, signature = token.split(".")
    claims = segments(token)[1] | {"roles": ["admin", "auditor"]}

    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"

    assert await refusal(AccessVerifier(signing), tampered) == (
        "the token's signature does not match"
    )


async def test_an_unsigned_token_alg_none_is_refused() -> None:
    signing, _ = keys("k1")
    claims = segments(signing.issue(ADA, 900))[1]

    for header in ({"alg": "none", "kid": "k1"}, {"alg": "None"}, {"kid": "k1"}):
        assert await refusal(AccessVerifier(signing), forged(header, claims)) == (
            "only EdDSA tokens are accepted"
        )


async def test_hs256_with_the_public_key_as_its_secret_is_refused() -> None:
    signing, _ = keys("k1")
    claims = segments(signing.issue(ADA, 900))[1]
    public = signing._public["k1"]
    secrets = [
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        signing.jwks()["keys"][0]["x"].encode(),
    ]
    for secret in secrets:
        header = {"alg": "HS256", "kid": "k1", "typ": "JWT"}
        unsigned = forged(header, claims).rsplit(".", 1)[0]
        mac = hmac.new(secret, unsigned.encode(), hashlib.sha256).digest()
        assert await refusal(AccessVerifier(signing), f"{unsigned}.{b64(mac)}") == (
            "only EdDSA tokens are accepted"
        )


async def test_a_token_for_another_audience_or_from_another_issuer_is_refused() -> None:
    other_audience, _ = keys("k1", audience="billing")
    other_issuer, _ = keys("k1", issuer="someone-else")

    assert await refusal(AccessVerifier(other_audience), other_audience.issue(ADA, 900)) == (
        "the token is for another audience"
    )
    assert await refusal(AccessVerifier(other_issuer), other_issuer.issue(ADA, 900)) == (
        "the token is from another issuer"
    )


async def test_expiry_is_refused_beyond_30_seconds_of_leeway() -> None:
    signing, _ = keys("k1")
    verifier = AccessVerifier(signing)
    now = time.time()

    just_expired = signing.issue(ADA, 60, now=now - 60 - 10)
    long_expired = signing.issue(ADA, 60, now=now - 60 - 45)

    assert await verifier.verify(just_expired) == ADA
    assert await refusal(verifier, long_expired) == "the token has expired"


async def test_a_token_not_valid_yet_is_refused() -> None:
    signing, _ = keys("k1")

    early = signing.issue(ADA, 900, now=time.time() + 120)

    assert await refusal(AccessVerifier(signing), early) == "the token is not valid yet"


async def test_a_token_signed_by_a_key_not_in_the_set_is_refused() -> None:
    signing, _ = keys("k1")
    stranger, _ = keys("k9")

    assert await refusal(AccessVerifier(signing), stranger.issue(ADA, 900)) == (
        "the token's key is unknown"
    )


@pytest.mark.parametrize(
    "token",
    ["", "csk_abc", "a.b", "a.b.c", "e30.e30.", "!!.??.**", "x" * 5000],
    ids=["empty", "api-token", "two-parts", "junk", "empty-header", "not-base64", "huge"],
)
async def test_a_malformed_token_is_refused(token: str) -> None:
    signing, _ = keys("k1")

    reason = await refusal(AccessVerifier(signing), token)

    assert reason in {"the token is malformed", "only EdDSA tokens are accepted"}


async def test_a_validly_signed_token_with_malformed_claims_is_refused() -> None:
    signing, _ = keys("k1")
    claims = segments(signing.issue(ADA, 900))[1]
    private = signing._private["k1"]

    def signed(**changes: Any) -> str:
        return jwt.encode(claims | changes, private, algorithm="EdDSA", headers={"kid": "k1"})

    verifier = AccessVerifier(signing)
    assert await refusal(verifier, signed(sub="ada")) == "the token's claims are malformed"
    assert await refusal(verifier, signed(roles="admin")) == "the token's claims are malformed"
    assert await refusal(verifier, signed(name=7)) == "the token's claims are malformed"
    without_org = jwt.encode(
        {k: v for k, v in claims.items() if k != "org"},
        private,
        algorithm="EdDSA",
        headers={"kid": "k1"},
    )
    assert await refusal(verifier, without_org) == "the token lacks a required claim"


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "k1",
        f"k1:{generate_seed()},k1:{generate_seed()}",
        "k1:not*base64",
        "k1:" + "A" * 20,
        f"bad kid:{generate_seed()}",
    ],
    ids=["empty", "no-seed", "twice", "not-base64", "short", "bad-kid"],
)
def test_malformed_signing_keys_are_refused(spec: str) -> None:
    with pytest.raises(SigningKeyError) as refused:
        SigningKeys.parse(spec)
    seeds = [part.split(":", 1)[-1] for part in spec.split(",") if len(part) > 40]
    assert not any(seed in str(refused.value) for seed in seeds)


def test_a_generated_seed_is_32_bytes_of_base64url() -> None:
    seed = generate_seed()

    assert len(base64.urlsafe_b64decode(seed + "=")) == 32
    assert set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert seed != generate_seed()
