#!/usr/bin/env bash
# The whole local Countersign stack, without Docker: Kafka + Postgres + ingest, approval, the
# publisher and the notifier, the web app and the local sandboxes (Dext, Xero, QBO, mail).
#
#   scripts/stack.sh up [--infra-only]   # start infra (+ topics, migrations) and the services
#   scripts/stack.sh down                # stop what `up` started, then verify nothing is left
#   scripts/stack.sh status              # one line per component
#   scripts/stack.sh restart kafka|postgres [--check | --pause S] [--crash] [--empty]
#                                        # stop and start the broker or the database server
#                                        # `up` started, on its own data dir and port, and wait
#                                        # until it answers (--check: only say whether it can;
#                                        # --pause: stay down S seconds, as an outage would;
#                                        # --crash: kill it instead of a clean stop, so the
#                                        # start has to recover; --empty, kafka only: start
#                                        # it without any topic, as `make test` does before
#                                        # its chaos run)
#
# `up` writes .local/stack.env (KEY=value lines; `set -a; . .local/stack.env; set +a`).
#
# Bring-your-own infrastructure: when KAFKA_BOOTSTRAP_SERVERS (or DATABASE_URL) is already set
# in the environment, `up` uses it and does not start a local Kafka (or Postgres). What `up`
# did start is recorded in .local/stack.started, and `down` stops only those.
#
# Postgres: DATABASE_URL is the administrator's. Each service logs in as a role of its own that
# owns its schema (ADR 0060): `up` gives each one <PREFIX>_DATABASE_URL with a password it
# generates once per checkout (.local/secrets.env) and creates the roles as the administrator
# (countersign-db-roles). A <PREFIX>_DATABASE_URL already set in the environment is used as it
# is (its role made beforehand, as docs/deploying-to-kubernetes.md shows).
#
# Everything lives under the git-ignored .local/ of this checkout (logs, pids, data); the Kafka
# jars are cached per machine under ~/.cache/countersign (see scripts/infra/kafka.sh).
set -euo pipefail

# --- services ---------------------------------------------------------------------------------
# One row per long-running process that `up` starts after the infrastructure:
#   name  port  executable (in .venv/bin)  env prefix  readiness path
# `up` passes <PREFIX>_HTTP_PORT=<port> to the process and writes <PREFIX>_URL to stack.env.
# Add local sandboxes here (e.g. a Dext or Xero sandbox) the same way.
SERVICES=(
  "ingest     8081  countersign-ingest     INGEST     /health/ready"
  "approval   8082  countersign-approval   APPROVAL   /health/ready"
  "publisher  8083  countersign-publisher  PUBLISHER  /health/ready"
  "dext-sandbox  8091  countersign-dext-sandbox  DEXT_SANDBOX  /health/ready"
  "xero-sandbox  8092  countersign-xero-sandbox  XERO_SANDBOX  /_sandbox/health"
  "mail-sandbox  8093  countersign-mail-sandbox  MAIL_SANDBOX  /health/ready"
  "qbo-sandbox  8094  countersign-qbo-sandbox  QBO_SANDBOX  /_sandbox/health"
  "web        8084  countersign-web        WEB        /health/ready"
  "notifier   8085  countersign-notifier   NOTIFIER   /health/ready"
)
# The services with a Postgres schema (and so a role) of their own, by settings prefix.
DB_SERVICES=(INGEST APPROVAL PUBLISHER NOTIFIER)
# The mail sandbox also takes SMTP, on this second port (MAIL_SMTP_HOST/PORT in stack.env).
MAIL_SMTP_PORT=2525

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# COUNTERSIGN_LOCAL_DIR: a second stack of the same checkout keeps its state apart (make test
# runs the restart tests and the chaos run on a broker and database of their own; ADR 0074).
LOCAL_DIR="${COUNTERSIGN_LOCAL_DIR:-$REPO_ROOT/.local}"
VENV_BIN="$REPO_ROOT/.venv/bin"
PYTHON="$VENV_BIN/python"
KAFKA_SH="$REPO_ROOT/scripts/infra/kafka.sh"
POSTGRES_SH="$REPO_ROOT/scripts/infra/postgres.sh"

STACK_ENV="$LOCAL_DIR/stack.env"
STARTED_FILE="$LOCAL_DIR/stack.started"   # one line per infra component that `up` started
DB_ROLES_FILE="$LOCAL_DIR/stack.db-roles"  # the services whose Postgres role `up` makes
LOG_DIR="$LOCAL_DIR/logs"
PID_DIR="$LOCAL_DIR/pids"
KAFKA_PID_FILE="$LOCAL_DIR/kafka/kafka.pid"
PG_PID_FILE="$LOCAL_DIR/postgres/data/postmaster.pid"

READY_DEADLINE_S=60
STOP_GRACE_S=15

# Every service we launch carries this in its environment: it is how `down` recognises a
# service of *this* checkout whose pid file was lost, without matching anyone else's process.
STACK_MARKER="COUNTERSIGN_STACK_DIR=$LOCAL_DIR"

log() { echo "stack: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- generic process helpers ------------------------------------------------------------------

# Alive = exists and is not a zombie. Daemons we start get re-parented to init, which may reap
# them lazily; a zombie still answers `kill -0` but holds no ports, files or memory.
alive() {
  local state=""
  [ -n "${1:-}" ] || return 1
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}

read_pid() { [ -f "$1" ] && head -n1 "$1" 2>/dev/null | tr -dc '0-9' || true; }

cmdline_of() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

# True when pid $1 is a live process started by this checkout's stack.sh as service $2
# (guards against signalling an unrelated process that reused a stale pid).
is_our_service() {
  local pid="$1" exe="$2"
  alive "$pid" || return 1
  [[ "$(cmdline_of "$pid")" == *"$VENV_BIN/$exe"* ]] || return 1
  grep -qzxF "$STACK_MARKER" "/proc/$pid/environ" 2>/dev/null
}

# Signal a process and, when it leads its own process group (we start services with setsid),
# the whole group, so worker children (uvicorn reload/workers) go too.
signal_tree() {
  local sig="$1" pid="$2" pgid
  pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
  if [ "$pgid" = "$pid" ]; then
    kill "-$sig" -- "-$pid" 2>/dev/null || true
  else
    kill "-$sig" "$pid" 2>/dev/null || true
  fi
}

# SIGTERM, wait up to STOP_GRACE_S, then SIGKILL.
terminate() {
  local pid="$1" what="$2" i
  signal_tree TERM "$pid"
  for ((i = 0; i < STOP_GRACE_S * 5; i++)); do
    alive "$pid" || return 0
    sleep 0.2
  done
  log "$what (pid $pid) ignored SIGTERM for ${STOP_GRACE_S} s, sending SIGKILL"
  signal_tree KILL "$pid"
  sleep 0.3
}

http_ok() {
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    "$PYTHON" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
  fi
}

# A console script in .venv/bin exists as soon as its package is installed editable, even
# before the module it points at has been written. So "ready" means: the wrapper exists AND
# its target module can be found (checked without importing it).
entry_point_ready() {
  local exe="$VENV_BIN/$1" mod
  [ -x "$exe" ] || return 1
  mod="$(sed -n 's/^from \([A-Za-z0-9_.]*\) import .*/\1/p' "$exe" | head -n1)"
  [ -z "$mod" ] && return 0
  "$PYTHON" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)' \
    "$mod" 2>/dev/null
}

# --- started-components record ----------------------------------------------------------------

was_started() { [ -f "$STARTED_FILE" ] && grep -qx "$1" "$STARTED_FILE"; }
mark_started() { was_started "$1" || echo "$1" >>"$STARTED_FILE"; }
unmark_started() {
  [ -f "$STARTED_FILE" ] || return 0
  grep -vx "$1" "$STARTED_FILE" >"$STARTED_FILE.tmp" || true
  mv "$STARTED_FILE.tmp" "$STARTED_FILE"
}

# --- up ---------------------------------------------------------------------------------------

# Decide for one infra component whether to use the caller's setting or start our own.
# $1 component (kafka|postgres), $2 env var name, $3 script. Prints the value to use.
# A value equal to our own local address (e.g. a shell that sourced stack.env earlier) counts
# as "ours", so a second `up` after `down` still starts it again.
resolve_infra() {
  local comp="$1" var="$2" script="$3" ours given ports=""
  # Already running from this stack's state: on the ports it was started on, whatever the
  # caller's COUNTERSIGN_*_PORT say (a second `up` must not write the defaults to stack.env).
  if was_started "$comp" && "$script" status >/dev/null 2>&1; then
    ports="$(running_ports "$comp")"
  fi
  # shellcheck disable=SC2086 # NAME=value words for env
  ours="$(env $ports "$script" env | sed -n "s/^$var=//p")"
  given="${!var:-}"
  if [ -n "$given" ] && [ "$given" != "$ours" ]; then
    log "$comp: using $var=$given from the environment (not starting a local $comp)"
    echo "$given"
    return 0
  fi
  # 9>&- : do not hand our lock descriptor to a daemon that outlives this script.
  # shellcheck disable=SC2086
  env $ports "$script" start 9>&- >&2
  mark_started "$comp"
  echo "$ours"
}

# Local secrets, made once per checkout and kept in .local/secrets.env (never in git): the
# operator token for admin endpoints, the key that signs document links, the keyring for
# secrets at rest, approval's access-token signing key, and the web app's: its client secret
# at approval, the keys that seal its cookies and its OpenID Connect client secret; the
# notifier's client secret at approval; each service's Postgres password.
local_secret() {
  local name="$1" file="$LOCAL_DIR/secrets.env" value
  touch "$file" && chmod 600 "$file"
  value="$(sed -n "s/^$name=//p" "$file")"
  if [ -z "$value" ]; then
    if [ "$name" = ENCRYPTION_KEYS ] || [ "$name" = WEB_COOKIE_KEYS ]; then  # id:base64(32 bytes)
      value="local1:$("$PYTHON" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
    elif [ "$name" = APPROVAL_SIGNING_KEYS ]; then  # kid:base64url(32-byte Ed25519 seed)
      value="local1:$("$PYTHON" -c 'from countersign_platform.access import generate_seed; print(generate_seed())')"
    else
      value="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))')"
    fi
    echo "$name=$value" >>"$file"
  fi
  echo "$value"
}

# <PREFIX>_DATABASE_URL=... for each service with a schema, to stdout; the prefixes whose role
# `up` makes (not given by the caller) to $DB_ROLES_FILE. The administrator's URL $1 gives the
# server and database; each role signs in with its own generated password.
service_databases() {
  local db="$1" prefix var given ours password server="${1#*://}"
  server="${server##*@}"
  : >"$DB_ROLES_FILE"
  for prefix in "${DB_SERVICES[@]}"; do
    var="${prefix}_DATABASE_URL"
    password="$(local_secret "${prefix}_DB_PASSWORD")"
    ours="postgresql://countersign_${prefix,,}:$password@$server"
    given="${!var:-}"
    if [ -n "$given" ] && [ "$given" != "$ours" ]; then
      log "postgres: using $var from the environment for ${prefix,,}"
      echo "$var=$given"
    else
      echo "$var=$ours"
      echo "${prefix,,}" >>"$DB_ROLES_FILE"
    fi
  done
}

service_port() {
  local row name port rest
  for row in "${SERVICES[@]}"; do
    read -r name port rest <<<"$row"
    [ "$name" = "$1" ] && { echo "$port"; return; }
  done
}

# The web app's client at the Xero sandbox ("Sign in with Xero"); approval checks that the ID
# tokens were issued to it.
WEB_OIDC_CLIENT_ID=countersign-web-local

web_public_url() { echo "http://127.0.0.1:$(service_port web)"; }

# How clients connect to Kafka: for the broker `up` started, TLS + SCRAM as the admin (the
# tests' and tools' principal; each service gets its own in start_service; ADR 0063); for the
# caller's own broker, the KAFKA_* security settings the caller gave, if any.
kafka_client_env() {
  if was_started kafka; then
    "$KAFKA_SH" env | grep -v '^KAFKA_BOOTSTRAP_SERVERS='
  else
    env | grep -E '^(KAFKA_SECURITY_PROTOCOL|KAFKA_SASL_[A-Z]+|KAFKA_SSL_[A-Z]+)=' || true
  fi
}

write_stack_env() {
  local kafka="$1" db="$2" row name port exe prefix path tmp="$STACK_ENV.tmp"
  {
    echo "# Written by scripts/stack.sh up at $(date -Is). Source with: set -a; . $STACK_ENV; set +a"
    echo "KAFKA_BOOTSTRAP_SERVERS=$kafka"
    kafka_client_env
    echo "DATABASE_URL=$db"
    service_databases "$db"
    echo "COUNTERSIGN_ADMIN_TOKEN=${COUNTERSIGN_ADMIN_TOKEN:-$(local_secret COUNTERSIGN_ADMIN_TOKEN)}"
    echo "DOCUMENT_LINK_SECRET=${DOCUMENT_LINK_SECRET:-$(local_secret DOCUMENT_LINK_SECRET)}"
    echo "ENCRYPTION_KEYS=${ENCRYPTION_KEYS:-$(local_secret ENCRYPTION_KEYS)}"
    # Every service checks people's access tokens against the keys approval publishes there.
    echo "ACCESS_JWKS_URL=http://127.0.0.1:$(service_port approval)/.well-known/jwks.json"
    for row in "${SERVICES[@]}"; do
      read -r name port exe prefix path <<<"$row"
      # The Xero sandbox serves two of Xero's hosts: clients want the Accounting base URL
      # (…/api.xro/2.0) and, apart, the identity root (/connect/token, /connections).
      if [ "$prefix" = XERO_SANDBOX ]; then
        echo "XERO_SANDBOX_URL=http://127.0.0.1:$port/api.xro/2.0"
        echo "XERO_IDENTITY_URL=http://127.0.0.1:$port"
        continue
      fi
      # The QBO sandbox: clients want the Accounting base (…/v3) and, apart, the discovery
      # document that names its OAuth2 endpoints.
      if [ "$prefix" = QBO_SANDBOX ]; then
        echo "QBO_SANDBOX_URL=http://127.0.0.1:$port/v3"
        echo "QBO_DISCOVERY_URL=http://127.0.0.1:$port/.well-known/openid_sandbox_configuration"
        continue
      fi
      echo "${prefix}_URL=http://127.0.0.1:$port"
    done
    # Where a sender hands the mail sandbox its messages (its pages are at MAIL_SANDBOX_URL).
    echo "MAIL_SMTP_HOST=127.0.0.1"
    echo "MAIL_SMTP_PORT=$MAIL_SMTP_PORT"
    # The publisher talks to the local Xero sandbox and fetches originals from ingest; its
    # OAuth2 client is registered nowhere else, so any id with its own local secret will do.
    echo "PUBLISHER_XERO_API_URL=http://127.0.0.1:$(service_port xero-sandbox)/api.xro/2.0"
    echo "PUBLISHER_XERO_IDENTITY_URL=http://127.0.0.1:$(service_port xero-sandbox)"
    echo "PUBLISHER_INGEST_URL=http://127.0.0.1:$(service_port ingest)"
    echo "PUBLISHER_XERO_CLIENT_ID=countersign-local"
    echo "PUBLISHER_XERO_AUTHORIZE_URL=http://127.0.0.1:$(service_port xero-sandbox)/identity/connect/authorize"
    echo "PUBLISHER_XERO_REDIRECT_URI=http://127.0.0.1:$(service_port publisher)/v1/xero/callback"
    echo "PUBLISHER_XERO_CLIENT_SECRET=${PUBLISHER_XERO_CLIENT_SECRET:-$(local_secret PUBLISHER_XERO_CLIENT_SECRET)}"
    # QuickBooks Online (ADR 0069): the QBO sandbox's root (accounting under /v3/company) and the
    # discovery document naming its OAuth2 endpoints; `up` registers the publisher's Intuit
    # app there with its callback (register_qbo_app).
    echo "PUBLISHER_QBO_API_URL=http://127.0.0.1:$(service_port qbo-sandbox)"
    echo "PUBLISHER_QBO_DISCOVERY_URL=http://127.0.0.1:$(service_port qbo-sandbox)/.well-known/openid_sandbox_configuration"
    echo "PUBLISHER_QBO_CLIENT_ID=countersign-local"
    echo "PUBLISHER_QBO_REDIRECT_URI=http://127.0.0.1:$(service_port publisher)/v1/qbo/callback"
    echo "PUBLISHER_QBO_CLIENT_SECRET=${PUBLISHER_QBO_CLIENT_SECRET:-$(local_secret PUBLISHER_QBO_CLIENT_SECRET)}"
    # Xero's webhooks: `up` registers the publisher's with the sandbox (register_xero_webhook);
    # Intuit's likewise, signed with the verifier token (register_qbo_webhook, ADR 0072).
    echo "PUBLISHER_XERO_WEBHOOK_KEY=${PUBLISHER_XERO_WEBHOOK_KEY:-$(local_secret PUBLISHER_XERO_WEBHOOK_KEY)}"
    echo "PUBLISHER_QBO_WEBHOOK_VERIFIER=${PUBLISHER_QBO_WEBHOOK_VERIFIER:-$(local_secret PUBLISHER_QBO_WEBHOOK_VERIFIER)}"
    # The web app (its secrets go to it alone, in start_service): approval behind it, plain
    # HTTP on loopback, sign-in mail to the mail sandbox, "Sign in with Xero" at the Xero
    # sandbox, which `up` tells about the web app's client (register_web_oidc_client).
    echo "WEB_PUBLIC_URL=$(web_public_url)"
    echo "WEB_APPROVAL_URL=http://127.0.0.1:$(service_port approval)"
    echo "WEB_INGEST_URL=http://127.0.0.1:$(service_port ingest)"
    echo "WEB_PUBLISHER_URL=http://127.0.0.1:$(service_port publisher)"
    echo "WEB_SECURE_COOKIES=false"
    echo "WEB_SMTP_HOST=127.0.0.1"
    echo "WEB_SMTP_PORT=$MAIL_SMTP_PORT"
    echo "WEB_OIDC_ISSUER=http://127.0.0.1:$(service_port xero-sandbox)"
    echo "WEB_OIDC_CLIENT_ID=$WEB_OIDC_CLIENT_ID"
    # The notifier (its client secret goes to it alone, in start_service): mail to the mail
    # sandbox, buttons' grants from approval, links to the web app's public address.
    echo "NOTIFIER_WEB_URL=$(web_public_url)"
    echo "NOTIFIER_APPROVAL_URL=http://127.0.0.1:$(service_port approval)"
    echo "NOTIFIER_SMTP_HOST=127.0.0.1"
    echo "NOTIFIER_SMTP_PORT=$MAIL_SMTP_PORT"
  } >"$tmp"
  mv "$tmp" "$STACK_ENV"
  log "wrote $STACK_ENV"
}

# Run a one-shot tool from .venv/bin with stack.env loaded, or say why it is skipped.
run_tool() {
  local exe="$1"
  shift
  if ! entry_point_ready "$exe"; then
    log "skipping $exe: not available yet (no executable or its module is missing)"
    return 0
  fi
  log "running $exe $*"
  # shellcheck source=/dev/null
  (set -a && . "$STACK_ENV" && set +a && exec "$VENV_BIN/$exe" "$@") 9>&- \
    || die "$exe failed (exit $?)"
}

# The SHA-256 approval keeps of a client's secret (APPROVAL_CLIENTS holds name:hash pairs).
client_secret_sha256() {
  local variable="$1" secret
  secret="${!variable:-$(local_secret "$variable")}"
  printf '%s' "$secret" | sha256sum | cut -d' ' -f1
}

# Tells the Xero sandbox about the web app's client and its one redirect URI, as a developer
# does in Xero's portal. The sandbox keeps apps in memory, so every `up` does it again (with
# the same secret it is an update).
register_web_oidc_client() {
  local xero="http://127.0.0.1:$(service_port xero-sandbox)" secret
  http_ok "$xero/_sandbox/health" || { log "web: Xero sandbox not running, no Sign in with Xero"; return 0; }
  secret="${WEB_OIDC_CLIENT_SECRET:-$(local_secret WEB_OIDC_CLIENT_SECRET)}"
  "$PYTHON" - "$xero" "$WEB_OIDC_CLIENT_ID" "$secret" "$(web_public_url)/sign-in/oidc/callback" <<'PY' \
    || die "web: could not register its client with the Xero sandbox"
import json, sys, urllib.request
xero, client_id, secret, redirect_uri = sys.argv[1:]
body = {"client_id": client_id, "client_secret": secret, "redirect_uris": [redirect_uri],
        "name": "Countersign (web, local)"}
request = urllib.request.Request(f"{xero}/_sandbox/clients", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(request, timeout=5).read()
PY
  log "web: client $WEB_OIDC_CLIENT_ID registered with the Xero sandbox"
}

# Registers the publisher's Intuit app (client id, secret, its callback) with the QBO sandbox,
# as a developer does on Intuit's developer portal. In memory at the sandbox: every `up` does
# it again (the same app: an update).
register_qbo_app() {
  local qbo="http://127.0.0.1:$(service_port qbo-sandbox)"
  http_ok "$qbo/_sandbox/health" || return 0
  QBO_SECRET="${PUBLISHER_QBO_CLIENT_SECRET:-$(local_secret PUBLISHER_QBO_CLIENT_SECRET)}" \
    "$PYTHON" - "$qbo" "http://127.0.0.1:$(service_port publisher)/v1/qbo/callback" <<'PY' \
    || die "qbo: could not register the publisher's app with the QBO sandbox"
import json, os, sys, urllib.request
qbo, redirect_uri = sys.argv[1:]
body = {"client_id": "countersign-local", "client_secret": os.environ["QBO_SECRET"],
        "redirect_uris": [redirect_uri]}
request = urllib.request.Request(f"{qbo}/_sandbox/apps", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(request, timeout=5).read()
PY
  log "qbo: the publisher's app registered with the QBO sandbox"
}

# Registers the publisher's webhook with the Xero sandbox, as a developer does in Xero's portal;
# intent to receive runs against the publisher, so both must be up. In memory at the sandbox:
# every `up` does it again (the same app and URL: an update).
register_xero_webhook() {
  local xero="http://127.0.0.1:$(service_port xero-sandbox)"
  local publisher="http://127.0.0.1:$(service_port publisher)"
  http_ok "$xero/_sandbox/health" || return 0
  http_ok "$publisher/health/ready" || { log "xero webhook: publisher not running, not registered"; return 0; }
  WEBHOOK_KEY="${PUBLISHER_XERO_WEBHOOK_KEY:-$(local_secret PUBLISHER_XERO_WEBHOOK_KEY)}" \
    "$PYTHON" - "$xero" "$publisher/v1/xero/webhooks" <<'PY' \
    || die "xero webhook: the sandbox could not register the publisher's"
import json, os, sys, urllib.request
xero, url = sys.argv[1:]
body = {"client_id": "countersign-local", "url": url, "key": os.environ["WEBHOOK_KEY"]}
request = urllib.request.Request(f"{xero}/_sandbox/webhooks", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
status = json.loads(urllib.request.urlopen(request, timeout=30).read())["status"]
sys.exit(0 if status == "OK" else f"intent to receive: {status}")
PY
  log "xero webhook: the publisher's registered with the Xero sandbox"
}

# Registers the publisher's webhook with the QBO sandbox (its URL and the verifier token), as a
# developer does on Intuit's portal. In memory at the sandbox: every `up` does it again (the same
# URL: its token replaced).
register_qbo_webhook() {
  local qbo="http://127.0.0.1:$(service_port qbo-sandbox)"
  local publisher="http://127.0.0.1:$(service_port publisher)"
  http_ok "$qbo/_sandbox/health" || return 0
  http_ok "$publisher/health/ready" || { log "qbo webhook: publisher not running, not registered"; return 0; }
  VERIFIER="${PUBLISHER_QBO_WEBHOOK_VERIFIER:-$(local_secret PUBLISHER_QBO_WEBHOOK_VERIFIER)}" \
    "$PYTHON" - "$qbo" "$publisher/v1/qbo/webhooks" <<'PY' \
    || die "qbo webhook: the sandbox could not register the publisher's"
import json, os, sys, urllib.request
qbo, url = sys.argv[1:]
body = {"url": url, "verifier_token": os.environ["VERIFIER"]}
request = urllib.request.Request(f"{qbo}/_sandbox/webhooks", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(request, timeout=10).read()
PY
  log "qbo webhook: the publisher's registered with the QBO sandbox"
}

start_service() {
  local name="$1" port="$2" exe="$3" prefix="$4" pid_file="$PID_DIR/$1.pid" log_file="$LOG_DIR/$1.log" pid
  pid="$(read_pid "$pid_file")"
  if is_our_service "$pid" "$exe"; then
    log "$name: already running (pid $pid)"
    return 0
  fi
  rm -f "$pid_file"
  if ! entry_point_ready "$exe"; then
    log "$name: skipping, $exe not available yet"
    return 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "$name: port $port is already taken by another process"
  fi
  if [ "$prefix" = MAIL_SANDBOX ] && (exec 3<>"/dev/tcp/127.0.0.1/$MAIL_SMTP_PORT") 2>/dev/null; then
    die "$name: SMTP port $MAIL_SMTP_PORT is already taken by another process"
  fi
  echo "=== start $(date -Is) ===" >>"$log_file"
  # setsid: own process group, so `down` can stop the service with its children and a Ctrl-C
  # in this terminal does not reach it; nohup: survive the terminal closing. The subshell
  # execs all the way down, so $! is the service's own pid.
  (
    set -a
    # shellcheck source=/dev/null
    . "$STACK_ENV"
    set +a
    # shellcheck disable=SC2163 # STACK_MARKER holds "NAME=value", exported as such
    export "${prefix}_HTTP_PORT=$port" "$STACK_MARKER" PYTHONUNBUFFERED=1
    # A service gets its own database login only: not the administrator's, not another's.
    unset DATABASE_URL
    for other in "${DB_SERVICES[@]}"; do
      [ "$other" = "$prefix" ] || unset "${other}_DATABASE_URL"
    done
    # Kafka as the service's own principal, whose ACLs countersign-topics wrote; the admin's
    # password (in stack.env for the tests) goes to no service.
    if [ -n "${COUNTERSIGN_KAFKA_USERS_FILE:-}" ]; then
      kafka_password="$(sed -n "s/^$name=//p" "$COUNTERSIGN_KAFKA_USERS_FILE")"
      unset KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD COUNTERSIGN_KAFKA_USERS_FILE
      if [ -n "$kafka_password" ]; then
        export KAFKA_SASL_USERNAME="$name" KAFKA_SASL_PASSWORD="$kafka_password"
      fi
    fi
    # Approval's signing key goes to approval only (not into stack.env, which every process
    # and every test shell reads): the others need only the public keys it serves.
    if [ "$prefix" = APPROVAL ]; then
      export "APPROVAL_SIGNING_KEYS=${APPROVAL_SIGNING_KEYS:-$(local_secret APPROVAL_SIGNING_KEYS)}"
      # The web app and the notifier are approval's clients: approval keeps only the SHA-256
      # of their secrets. People may sign in with the Xero sandbox's ID tokens issued to the
      # web app.
      clients="web:$(client_secret_sha256 WEB_CLIENT_SECRET)"
      clients+=",notifier:$(client_secret_sha256 NOTIFIER_CLIENT_SECRET)"
      export "APPROVAL_CLIENTS=${APPROVAL_CLIENTS:-$clients}" \
        "APPROVAL_OIDC_ISSUER=${APPROVAL_OIDC_ISSUER:-$WEB_OIDC_ISSUER}" \
        "APPROVAL_OIDC_CLIENT_ID=${APPROVAL_OIDC_CLIENT_ID:-$WEB_OIDC_CLIENT_ID}"
    fi
    if [ "$prefix" = WEB ]; then
      export "WEB_CLIENT_SECRET=${WEB_CLIENT_SECRET:-$(local_secret WEB_CLIENT_SECRET)}" \
        "WEB_COOKIE_KEYS=${WEB_COOKIE_KEYS:-$(local_secret WEB_COOKIE_KEYS)}" \
        "WEB_OIDC_CLIENT_SECRET=${WEB_OIDC_CLIENT_SECRET:-$(local_secret WEB_OIDC_CLIENT_SECRET)}"
    fi
    if [ "$prefix" = NOTIFIER ]; then
      export "NOTIFIER_CLIENT_SECRET=${NOTIFIER_CLIENT_SECRET:-$(local_secret NOTIFIER_CLIENT_SECRET)}"
    fi
    if [ "$prefix" = MAIL_SANDBOX ]; then
      export "MAIL_SANDBOX_SMTP_PORT=$MAIL_SMTP_PORT"
    fi
    exec nohup setsid "$VENV_BIN/$exe"
  ) >>"$log_file" 2>&1 </dev/null 9>&- &
  echo "$!" >"$pid_file"
  log "$name: started (pid $!) on port $port, log $log_file"
}

wait_service_ready() {
  local name="$1" port="$2" exe="$3" path="$4" url pid t0=$SECONDS
  url="http://127.0.0.1:$port$path"
  pid="$(read_pid "$PID_DIR/$name.pid")"
  while ! http_ok "$url"; do
    if ! alive "$pid"; then
      log "$name exited before becoming ready; last 40 lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      die "$name failed to start (the rest keeps running: scripts/stack.sh status / down)"
    fi
    if ((SECONDS - t0 >= READY_DEADLINE_S)); then
      log "$name: $url not ready after ${READY_DEADLINE_S} s; last 40 lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      die "$name not ready (the rest keeps running: scripts/stack.sh status / down)"
    fi
    sleep 0.5
  done
  log "$name: ready at $url after $((SECONDS - t0)) s"
}

cmd_up() {
  local infra_only=0 t0=$SECONDS
  case "${1:-}" in
    "") ;;
    --infra-only) infra_only=1 ;;
    *) die "unknown option for up: $1" ;;
  esac
  [ -x "$PYTHON" ] || die "$PYTHON missing: run scripts/setup.sh first"

  local kafka db
  kafka="$(resolve_infra kafka KAFKA_BOOTSTRAP_SERVERS "$KAFKA_SH")"
  db="$(resolve_infra postgres DATABASE_URL "$POSTGRES_SH")"
  write_stack_env "$kafka" "$db"

  run_tool countersign-topics --bootstrap "$kafka"
  local -a roles
  mapfile -t roles <"$DB_ROLES_FILE"
  if ((${#roles[@]})); then
    run_tool countersign-db-roles "${roles[@]}"
  fi
  run_tool countersign-migrate --all

  if ((infra_only)); then
    log "infrastructure up in $((SECONDS - t0)) s (--infra-only: services not started)"
    return 0
  fi

  # The clients' secrets are read by two processes started in parallel (approval hashes them,
  # the client sends them): make them here, once, so that neither writes its own.
  local_secret WEB_CLIENT_SECRET >/dev/null
  local_secret NOTIFIER_CLIENT_SECRET >/dev/null

  # Start all, then wait for all: the services boot in parallel.
  local row name port exe prefix path
  local -a launched=()
  for row in "${SERVICES[@]}"; do
    read -r name port exe prefix path <<<"$row"
    if start_service "$name" "$port" "$exe" "$prefix"; then
      launched+=("$row")
    fi
  done
  for row in "${launched[@]+"${launched[@]}"}"; do
    read -r name port exe prefix path <<<"$row"
    wait_service_ready "$name" "$port" "$exe" "$path"
  done
  register_web_oidc_client
  register_xero_webhook
  register_qbo_app
  register_qbo_webhook
  log "stack up in $((SECONDS - t0)) s; env in $STACK_ENV"
}

# --- down -------------------------------------------------------------------------------------

# Java or postgres processes whose command line points into this stack's kafka/ or postgres/
# state (a Kafka JVM or postmaster whose pid file was lost; a second stack of the checkout is
# not this one's), plus services carrying our STACK_MARKER.
# Matching the executable name too keeps us from hitting, say, a shell whose command merely
# mentions the path. Pids in $1 (space separated) are left alone.
find_strays() {
  local keep=" ${1:-} " dir pid comm
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    [ "$pid" = "$$" ] && continue
    [[ "$keep" == *" $pid "* ]] && continue
    comm="$(cat "$dir/comm" 2>/dev/null || true)"
    case "$comm" in
      java | postgres)
        case "$(cmdline_of "$pid")" in
          *"$LOCAL_DIR/kafka/"* | *"$LOCAL_DIR/postgres/"*) echo "$pid" ;;
        esac
        ;;
      *)
        grep -qzxF "$STACK_MARKER" "$dir/environ" 2>/dev/null && echo "$pid"
        ;;
    esac
  done
  return 0
}

cmd_down() {
  local row name port exe prefix path pid
  local -a ours=()   # every pid we stop, re-checked at the end

  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    read -r name port exe prefix path <<<"${SERVICES[$i]}"
    pid="$(read_pid "$PID_DIR/$name.pid")"
    if is_our_service "$pid" "$exe"; then
      log "$name: stopping (pid $pid)"
      terminate "$pid" "$name"
      ours+=("$pid")
    fi
    rm -f "$PID_DIR/$name.pid"
  done

  # Infra we did not start (caller-provided, or started by hand via scripts/infra/*.sh) stays.
  local keep=""
  if was_started kafka; then
    pid="$(read_pid "$KAFKA_PID_FILE")"
    [ -n "$pid" ] && ours+=("$pid")
    "$KAFKA_SH" stop
    unmark_started kafka
  else
    keep+=" $(read_pid "$KAFKA_PID_FILE")"
  fi
  if was_started postgres; then
    pid="$(read_pid "$PG_PID_FILE")"
    [ -n "$pid" ] && ours+=("$pid")
    "$POSTGRES_SH" stop
    unmark_started postgres
  else
    keep+=" $(read_pid "$PG_PID_FILE")"
  fi

  local -a strays
  mapfile -t strays < <(find_strays "$keep")
  for pid in "${strays[@]+"${strays[@]}"}"; do
    log "stray process of this checkout: pid $pid: $(cmdline_of "$pid" | cut -c1-150)"
    # A postmaster treats SIGINT as "fast shutdown"; SIGTERM would wait for clients.
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
      kill -INT "$pid" 2>/dev/null || true
      sleep 1
    fi
    alive "$pid" && terminate "$pid" "stray"
    ours+=("$pid")
  done

  # Verify by pid: nothing we started (or swept) may survive.
  local -a survivors=()
  for pid in "${ours[@]+"${ours[@]}"}"; do
    alive "$pid" && survivors+=("$pid")
  done
  mapfile -t strays < <(find_strays "$keep")
  survivors+=("${strays[@]+"${strays[@]}"}")
  if ((${#survivors[@]})); then
    die "still alive after down: ${survivors[*]}"
  fi
  # stack.env describes a running stack; leaving it behind would point tests at nothing.
  rm -f "$STACK_ENV"
  log "down: verified, no process started by this stack is alive (${#ours[@]} stopped)"
}

# --- restart ----------------------------------------------------------------------------------

# The port the running component listens on, from its own state (not the caller's env): a
# restart must come back exactly where the stack's clients look for it.
running_ports() {
  case "$1" in
    kafka)
      local props="$LOCAL_DIR/kafka/server.properties"
      echo "COUNTERSIGN_KAFKA_PORT=$(sed -n 's|^listeners=[A-Z_]*://127.0.0.1:\([0-9]*\),.*|\1|p' "$props")"
      echo "COUNTERSIGN_KAFKA_CONTROLLER_PORT=$(sed -n 's|^listeners=.*CONTROLLER://127.0.0.1:\([0-9]*\).*|\1|p' "$props")"
      # Restarted as it was started: secured, or plaintext (ADR 0063).
      if grep -q '^listeners=SASL_SSL://' "$props"; then
        echo "COUNTERSIGN_KAFKA_SECURITY=sasl_ssl"
      else
        echo "COUNTERSIGN_KAFKA_SECURITY=plaintext"
      fi
      ;;
    postgres) echo "COUNTERSIGN_PG_PORT=$(sed -n 4p "$PG_PID_FILE" 2>/dev/null)" ;;
  esac
}

# Only what this checkout's `up` started, and only when stack.env still points at it: a server
# someone else runs (BYO infrastructure) is never stopped from here.
cmd_restart() {
  local comp="${1:-}" check=0 pause=0 empty=0 stop=stop script var ours given
  shift || true
  while (($#)); do
    case "$1" in
      --check) check=1 ;;
      --pause) pause="${2:?--pause needs seconds}"; shift ;;
      --crash) stop=crash ;;
      --empty) empty=1 ;;
      *) die "unknown option for restart: $1" ;;
    esac
    shift
  done
  case "$comp" in
    kafka) script="$KAFKA_SH" var=KAFKA_BOOTSTRAP_SERVERS ;;
    postgres) script="$POSTGRES_SH" var=DATABASE_URL ;;
    *) echo "usage: $0 restart kafka|postgres [--check | --pause S] [--crash] [--empty]" >&2; exit 2 ;;
  esac
  if ((empty)) && [ "$comp" != kafka ]; then die "restart: --empty is for kafka only"; fi
  # The caller's own setting when it has one (that is what it would see restarted).
  given="${!var:-$(sed -n "s/^$var=//p" "$STACK_ENV" 2>/dev/null || true)}"
  if ! was_started "$comp" || ! "$script" status >/dev/null; then
    log "cannot restart $comp: it was not started by this checkout's stack (${given:-no stack.env})"
    return 3
  fi
  ours="$(env $(running_ports "$comp") "$script" env | sed -n "s/^$var=//p")"
  if [ "$given" != "$ours" ]; then
    log "cannot restart $comp: it is asked for at $given, but this stack's runs at $ours"
    return 3
  fi
  ((check)) && { log "$comp: can restart ($ours)"; return 0; }
  local t0=$SECONDS ports
  ports="$(running_ports "$comp")"  # read before the stop removes the pid file
  # shellcheck disable=SC2086 # NAME=value words for env
  env $ports "$script" "$stop" 9>&- >&2
  if ((empty)); then "$script" empty >&2; fi
  sleep "$pause"
  # shellcheck disable=SC2086
  env $ports "$script" start 9>&- >&2
  log "$comp: restarted after a $stop in $((SECONDS - t0)) s ($ours)"
}

# --- status -----------------------------------------------------------------------------------

cmd_status() {
  local rc=0 env_kafka="" env_db="" row name port exe prefix path pid
  if [ -f "$STACK_ENV" ]; then
    env_kafka="$(sed -n 's/^KAFKA_BOOTSTRAP_SERVERS=//p' "$STACK_ENV")"
    env_db="$(sed -n 's/^DATABASE_URL=//p' "$STACK_ENV")"
  fi

  # "external" = stack.env names a server other than our local one.
  if was_started kafka; then
    "$KAFKA_SH" status || rc=1
  elif [ -n "$env_kafka" ] && [ "KAFKA_BOOTSTRAP_SERVERS=$env_kafka" != "$("$KAFKA_SH" env)" ]; then
    echo "kafka: external ($env_kafka), not managed by this stack"
  else
    "$KAFKA_SH" status || true
  fi
  if was_started postgres; then
    "$POSTGRES_SH" status || rc=1
  elif [ -n "$env_db" ] && [ "DATABASE_URL=$env_db" != "$("$POSTGRES_SH" env)" ]; then
    echo "postgres: external ($env_db), not managed by this stack"
  else
    "$POSTGRES_SH" status || true
  fi

  for row in "${SERVICES[@]}"; do
    read -r name port exe prefix path <<<"$row"
    pid="$(read_pid "$PID_DIR/$name.pid")"
    if is_our_service "$pid" "$exe"; then
      if http_ok "http://127.0.0.1:$port$path"; then
        echo "$name: running (pid $pid), ready at http://127.0.0.1:$port"
      else
        echo "$name: running (pid $pid), NOT ready at http://127.0.0.1:$port$path"
        rc=1
      fi
    elif [ -n "$pid" ]; then
      echo "$name: dead (stale pid file, pid $pid); see $LOG_DIR/$name.log"
      rc=1
    else
      echo "$name: stopped"
    fi
  done
  return "$rc"
}

# One `up`/`down` at a time per checkout (two concurrent `up`s would race on ports and pid
# files). fd 9 is closed for every process we launch so that no daemon inherits the lock.
take_lock() {
  mkdir -p "$LOG_DIR" "$PID_DIR"
  exec 9>"$LOCAL_DIR/stack.lock"
  flock -w 180 9 || die "another scripts/stack.sh up/down is still running in this checkout"
}

# --- main -------------------------------------------------------------------------------------

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) take_lock && cmd_up "$@" ;;
    down) take_lock && cmd_down ;;
    status) cmd_status ;;   # read-only: no lock, so it answers while an `up` is waiting
    restart) take_lock && cmd_restart "$@" ;;
    *) echo "usage: $0 up [--infra-only] | down | status | restart kafka|postgres [--check | --pause S] [--crash] [--empty]" >&2; exit 2 ;;
  esac
}

main "$@"
