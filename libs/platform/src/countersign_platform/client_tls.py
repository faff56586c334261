"""One TLS client context per process for every httpx client Countersign makes.

httpx builds a new ``ssl.SSLContext`` for each client (and each ``httpx.get``/``post``) unless
given one, and building one reads and parses the whole CA bundle: about 30 ms of CPU, paid
again for every short-lived client — a readiness probe, a token exchange, a test's request.
A context is safe to share between clients, threads and event loops, so each process builds
the verifying one once (the same trust as httpx's default: its CA bundle, or
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set) and passes it as ``verify=client_tls()``.
"""

from __future__ import annotations

import functools
import ssl

import httpx

__all__ = ["client_tls"]


@functools.cache
def client_tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()
