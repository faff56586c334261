import base64
import os

import pytest
from countersign_platform import resealing
from countersign_platform.sealing import Keyring, SealedColumn, SealingError


def keyring(*ids: str) -> Keyring:
    return Keyring.parse(",".join(f"{i}:{base64.b64encode(os.urandom(32)).decode()}" for i in ids))


def test_a_sealed_secret_opens_in_its_context_and_hides_the_plaintext() -> None:
    ring = keyring("k1")
    sealed = ring.seal(b"dext-signing-secret", "ingest:dext:org-1")
    assert b"dext-signing-secret" not in sealed.encode()
    assert ring.open(sealed, "ingest:dext:org-1") == b"dext-signing-secret"


def test_a_sealed_secret_does_not_open_in_another_context() -> None:
    ring = keyring("k1")
    sealed = ring.seal(b"secret", "ingest:dext:org-1")
    with pytest.raises(SealingError):
        ring.open(sealed, "ingest:dext:org-2")


def test_rotation_new_key_seals_old_key_still_opens() -> None:
    old = keyring("k1")
    sealed_before = old.seal(b"token", "ctx")
    old_spec = "k1:" + base64.b64encode(old._keys["k1"]).decode()
    new_spec = "k2:" + base64.b64encode(os.urandom(32)).decode()
    rotated = Keyring.parse(f"{new_spec},{old_spec}")
    assert rotated.open(sealed_before, "ctx") == b"token"
    assert rotated.needs_resealing(sealed_before)
    assert not rotated.needs_resealing(rotated.seal(b"token", "ctx"))


def test_a_tampered_value_is_refused() -> None:
    ring = keyring("k1")
    sealed = ring.seal(b"secret", "ctx")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SealingError):
        ring.open(tampered, "ctx")


def test_a_malformed_keyring_is_refused() -> None:
    with pytest.raises(SealingError):
        Keyring.parse("k1:not-base64!")
    with pytest.raises(SealingError):
        Keyring.parse("k1:" + base64.b64encode(b"short").decode())


def test_a_sealed_column_knows_the_columns_its_context_is_made_of() -> None:
    column = SealedColumn("xero_authorisations", "tokens", "state_hash", "p:pending:{state_hash}")
    assert column.context_columns == ("state_hash",)
    assert column.context_of({"state_hash": "abc", "other": 1}) == "p:pending:abc"


def test_reseal_refuses_to_run_without_a_keyring_or_for_an_unknown_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    assert resealing.main(["publisher"]) == 2
    assert "ENCRYPTION_KEYS is not set" in capsys.readouterr().out
    assert resealing.main(["billing"]) == 2
    assert "unknown services: billing" in capsys.readouterr().out
