"""The process's one TLS client context: built once, and as strict as httpx's own."""

from __future__ import annotations

import ssl

from countersign_platform.client_tls import client_tls


def test_every_client_gets_the_same_context() -> None:
    assert client_tls() is client_tls()


def test_the_context_verifies_certificates_and_host_names() -> None:
    context = client_tls()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0
