#!/usr/bin/env bash
# Prints fresh local secrets for docker compose: scripts/compose-env.sh > .env (git-ignored).
set -euo pipefail
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
echo "COUNTERSIGN_ADMIN_TOKEN=$(secret)"
echo "DOCUMENT_LINK_SECRET=$(secret)"
echo "ENCRYPTION_KEYS=compose1:$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
# Each service's own Postgres role (ADR 0060): the db-roles one-shot gives it this password.
for service in INGEST APPROVAL PUBLISHER NOTIFIER; do echo "${service}_DB_PASSWORD=$(secret)"; done
echo "PUBLISHER_XERO_CLIENT_SECRET=$(secret)"
echo "PUBLISHER_XERO_WEBHOOK_KEY=$(secret)"
# Approval's access-token signing key: kid:base64url of a 32-byte Ed25519 seed (ADR 0044).
echo "APPROVAL_SIGNING_KEYS=compose1:$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')"
# The web app (ADR 0048) and the notifier (ADR 0050): their secrets as approval's clients, with
# the SHA-256 approval keeps of each; the keys that seal the web app's cookies; its OpenID
# Connect client secret at the Xero sandbox.
sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
web_client_secret=$(secret)
notifier_client_secret=$(secret)
echo "WEB_CLIENT_SECRET=$web_client_secret"
echo "NOTIFIER_CLIENT_SECRET=$notifier_client_secret"
echo "APPROVAL_CLIENTS=web:$(sha256 "$web_client_secret"),notifier:$(sha256 "$notifier_client_secret")"
echo "WEB_COOKIE_KEYS=compose1:$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
echo "WEB_OIDC_CLIENT_SECRET=$(secret)"
