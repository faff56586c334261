#!/usr/bin/env bash
# Single-node Kafka 4.x (KRaft, broker+controller in one JVM) for local development and tests,
# run straight from Maven jars: no Docker, no release tarball.
#
#   scripts/infra/kafka.sh start    # fetch jars (cached), format once, start, wait until ready
#   scripts/infra/kafka.sh stop     # SIGTERM, wait up to 20 s, then SIGKILL
#   scripts/infra/kafka.sh crash    # SIGKILL at once, as a lost machine would: the next start
#                                   # recovers the logs that were not closed cleanly
#   scripts/infra/kafka.sh empty    # stopped only: drop every topic and offset (the data
#                                   # directory); the next start formats it anew
#   scripts/infra/kafka.sh status   # exit 0 when running, 1 otherwise
#   scripts/infra/kafka.sh env      # print KAFKA_BOOTSTRAP_SERVERS=... and the admin's client
#                                   # settings (no side effects)
#
# Secured by default (ADR 0063): the client listener is SASL_SSL (TLS + SCRAM-SHA-512), the
# controller listener mutual TLS, and the StandardAuthorizer denies whatever no ACL allows. A CA,
# the broker's key and certificate and one SCRAM password per principal are generated once per
# checkout under .local/kafka/ (tls/, users.env); the users are added when the storage is
# formatted. Principals: admin and broker (super users), and one per service (ingest, approval,
# publisher, notifier) whose ACLs `countersign-topics` writes, and bill-board (a reader downstream).
#
# Env:
#   COUNTERSIGN_KAFKA_PORT             client port, default 19092
#   COUNTERSIGN_KAFKA_CONTROLLER_PORT  CONTROLLER (KRaft) port, default 19093
#   COUNTERSIGN_KAFKA_SECURITY         sasl_ssl (default) or plaintext (no TLS, no users, no ACLs)
#   COUNTERSIGN_KAFKA_JVM_EXTRA        extra JVM flags, e.g. -XX:TieredStopAtLevel=1
#   COUNTERSIGN_CACHE_DIR              jar cache root, default ${XDG_CACHE_HOME:-~/.cache}/countersign
#   COUNTERSIGN_LOCAL_DIR              state root instead of .local (a second stack of one checkout)
#
# State (git-ignored): .local/kafka/{server.properties,data/,kafka.pid,kafka.log,tls/,users.env}
# Jars: <cache>/kafka-<version>/libs, shared by every clone on this machine.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$REPO_ROOT/infra/kafka/pom.xml"
PYTHON="$REPO_ROOT/.venv/bin/python"

KAFKA_DIR="${COUNTERSIGN_LOCAL_DIR:-$REPO_ROOT/.local}/kafka"
DATA_DIR="$KAFKA_DIR/data"
PROPS="$KAFKA_DIR/server.properties"
PID_FILE="$KAFKA_DIR/kafka.pid"
LOG_FILE="$KAFKA_DIR/kafka.log"

PORT="${COUNTERSIGN_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${COUNTERSIGN_KAFKA_CONTROLLER_PORT:-19093}"
BOOTSTRAP="127.0.0.1:$PORT"
SECURITY="${COUNTERSIGN_KAFKA_SECURITY:-sasl_ssl}"
case "$SECURITY" in sasl_ssl | plaintext) ;; *) echo "kafka: COUNTERSIGN_KAFKA_SECURITY must be sasl_ssl or plaintext" >&2; exit 2 ;; esac
TLS_DIR="$KAFKA_DIR/tls"
USERS_FILE="$KAFKA_DIR/users.env"
# The storage remembers which users it was formatted with; another set means a new format.
SECURITY_STAMP="$DATA_DIR/countersign-security"
# admin: the topics job and the tests; broker: the broker itself (inter-broker SCRAM);
# bill-board: a team downstream (examples/bill-board), granted READ only by `countersign-topics
# --reader`.
USERS=(admin broker ingest approval publisher notifier bill-board)

# A fixed, valid cluster id (base64url of 16 bytes, "countersign-loca") saves the extra JVM start
# that `StorageTool random-uuid` would cost. One node, one cluster: uniqueness does not matter.
CLUSTER_ID="Y291bnRlcnNpZ24tbG9jYQ"

READY_DEADLINE_S=90
STOP_GRACE_S=20

log() { echo "kafka: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The single source of the Kafka version is the POM; the cache directory is named after it so
# that bumping the version fetches a fresh set of jars instead of mixing two versions.
kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1
}

CACHE_ROOT="${COUNTERSIGN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/countersign}"
KAFKA_VERSION="$(kafka_version)"
[ -n "$KAFKA_VERSION" ] || die "cannot read <kafka.version> from $POM"
LIBS_DIR="$CACHE_ROOT/kafka-$KAFKA_VERSION/libs"
# The stamp holds a hash of the POM: written only after a complete copy, so an interrupted
# download (or an edited POM, e.g. another logging binding) triggers a clean re-fetch.
STAMP="$CACHE_ROOT/kafka-$KAFKA_VERSION/.complete"

# --- process helpers --------------------------------------------------------------------------

# True when $1 is a live process that is *our* broker. Checking the command line guards against
# PID reuse after a reboot or a crash: we never signal a process we did not start.
is_our_kafka() {
  local pid="$1" cmdline
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || return 1
  [[ "$cmdline" == *kafka.Kafka* && "$cmdline" == *"$PROPS"* ]]
}

running_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  is_our_kafka "$pid" || return 1
  echo "$pid"
}

# The client port of the running broker, from the properties it was started with (the env may
# ask for a different port than the one in use).
running_port() { sed -n 's|^listeners=[A-Z_]*://127.0.0.1:\([0-9]*\),.*|\1|p' "$PROPS" 2>/dev/null; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- jars -------------------------------------------------------------------------------------

fetch_jars() {
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needs Maven 3 and Java 17+)"
  log "fetching Kafka $KAFKA_VERSION jars into $LIBS_DIR (first run only)"
  local t0=$SECONDS tmp="$LIBS_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # Copy into a temp dir and rename, so a concurrent or interrupted run never leaves a
  # half-filled libs/ that looks usable.
  # Maven's output goes to a file (even -q prints terminal escape codes) and is shown on failure.
  mvn -q -B -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1 \
    || { cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; die "mvn dependency:copy-dependencies failed"; }
  rm -f "$tmp.log"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  echo "$want" >"$STAMP"
  log "jars ready: $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - t0)) s"
}

# --- credentials ------------------------------------------------------------------------------

# One SCRAM password per principal, made once per checkout (600, git-ignored): name=password.
ensure_users() {
  local user
  touch "$USERS_FILE" && chmod 600 "$USERS_FILE"
  for user in "${USERS[@]}"; do
    grep -q "^$user=" "$USERS_FILE" \
      || echo "$user=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >>"$USERS_FILE"
  done
}

user_password() { sed -n "s/^$1=//p" "$USERS_FILE" 2>/dev/null; }

# A CA of this checkout and the broker's key and certificate (for 127.0.0.1 and localhost),
# as PEM files Kafka reads directly. The broker's certificate also serves as its client
# certificate on the controller listener (mutual TLS, principal CN=broker).
ensure_tls() {
  [ -f "$TLS_DIR/broker.pem" ] && [ -f "$TLS_DIR/ca.pem" ] && return 0
  command -v openssl >/dev/null || die "openssl not found (needed for the broker's certificates)"
  local tmp="$TLS_DIR.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp" && chmod 700 "$tmp"
  (
    cd "$tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=countersign-local-ca" \
      -keyout ca.key -out ca.pem
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out broker.key
    openssl req -new -key broker.key -subj "/CN=broker" -out broker.csr
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      "extendedKeyUsage=serverAuth,clientAuth" >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile broker.ext -out broker.crt
    cat broker.key broker.crt ca.pem >broker.pem
    rm -f broker.csr broker.ext ca.srl
  ) >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; die "openssl failed"; }
  rm -f "$tmp.log"
  rm -rf "$TLS_DIR" && mv "$tmp" "$TLS_DIR"
  log "made a CA and the broker's certificate in $TLS_DIR"
}

# --- configuration ----------------------------------------------------------------------------

listener_properties() {
  if [ "$SECURITY" = plaintext ]; then
    cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
EOF
    return 0
  fi
  cat <<EOF
# Clients: TLS + SASL/SCRAM-SHA-512. The controller listener: mutual TLS (the broker's own
# certificate, principal User:CN=broker). Anything no ACL allows is denied.
listeners=SASL_SSL://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$PORT
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(user_password broker)";
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:broker;User:CN=broker
allow.everyone.if.no.acl.found=false
EOF
}


# Rewritten on every start so port overrides take effect. The storage format (meta.properties)
# keeps only cluster.id/node.id/directory.id, so changing ports later is fine.
write_properties() {
  mkdir -p "$DATA_DIR"
  # It holds the broker's own SCRAM password.
  touch "$PROPS" && chmod 600 "$PROPS"
  cat >"$PROPS" <<EOF
# Generated by scripts/infra/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1

# Static quorum: the storage is formatted WITHOUT --standalone. Mixing controller.quorum.voters
# with --standalone (or with controller.quorum.bootstrap.servers) is a hard error in Kafka 4.x.
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT

controller.listener.names=CONTROLLER
$(listener_properties)

log.dirs=$DATA_DIR

# One broker: every internal topic must have replication factor 1, otherwise it is never
# created and consumer groups / transactions hang forever.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Dead-letter topics are created on first use.
auto.create.topics.enable=true
num.partitions=1

# Tests join and leave consumer groups constantly; the default 3 s delay would slow each one.
group.initial.rebalance.delay.ms=0

# Two-core machine.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
EOF
}

# What the storage was formatted for: the security mode and the users' passwords (hashed).
security_stamp() {
  if [ "$SECURITY" = plaintext ]; then echo plaintext; return; fi
  echo "sasl_ssl $(sha256sum "$USERS_FILE" | cut -d' ' -f1)"
}

format_storage() {
  if [ -f "$DATA_DIR/meta.properties" ]; then
    [ "$(cat "$SECURITY_STAMP" 2>/dev/null)" = "$(security_stamp)" ] && return 0
    # Formatted for another security mode (or other users): local data, formatted anew.
    log "storage formatted for other users or security; emptying it"
    rm -rf "$DATA_DIR" && mkdir -p "$DATA_DIR"
  fi
  log "formatting storage (cluster id $CLUSTER_ID)"
  local t0=$SECONDS
  local -a scram=() user
  if [ "$SECURITY" = sasl_ssl ]; then
    for user in "${USERS[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(user_password "$user")]")
    done
  fi
  java -Xmx256m -cp "$LIBS_DIR/*" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$PROPS" "${scram[@]}" >>"$LOG_FILE" 2>&1 \
    || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed (see $LOG_FILE)"; }
  security_stamp >"$SECURITY_STAMP"
  log "formatted in $((SECONDS - t0)) s"
}

# The admin's client settings (KEY=value lines): what stack.env gives the tests and tools.
client_env() {
  if [ "$SECURITY" = plaintext ]; then
    echo "KAFKA_SECURITY_PROTOCOL=PLAINTEXT"
    return 0
  fi
  echo "KAFKA_SECURITY_PROTOCOL=SASL_SSL"
  echo "KAFKA_SASL_MECHANISM=SCRAM-SHA-512"
  echo "KAFKA_SASL_USERNAME=admin"
  echo "KAFKA_SASL_PASSWORD=$(user_password admin)"
  echo "KAFKA_SSL_CAFILE=$TLS_DIR/ca.pem"
  # Where the harness and scripts/stack.sh find each service's own password.
  echo "COUNTERSIGN_KAFKA_USERS_FILE=$USERS_FILE"
}

# --- readiness --------------------------------------------------------------------------------

# A real metadata request (not just an open port): the broker answers it only after the KRaft
# controller has elected itself and the broker has registered and caught up with metadata.
# Returns 0 when the broker answers within the timeout, 1 otherwise.
probe_metadata() {
  # `export` is a builtin: the admin's password stays off every command line.
  # shellcheck disable=SC2046 # KEY=value words, none with spaces
  (export $(client_env) && exec "$PYTHON" - "$BOOTSTRAP") <<'PY'
import asyncio, sys
from aiokafka.admin import AIOKafkaAdminClient
from countersign_platform.kafka_security import client_options

async def main() -> int:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=sys.argv[1], request_timeout_ms=5000, **client_options()
    )
    try:
        await asyncio.wait_for(admin.start(), 8)
        await asyncio.wait_for(admin.list_topics(), 8)
        return 0
    except Exception:
        return 1
    finally:
        try:
            await admin.close()
        except Exception:
            pass

sys.exit(asyncio.run(main()))
PY
}

wait_ready() {
  local pid="$1" t0=$SECONDS
  while :; do
    if ! is_our_kafka "$pid"; then
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "broker exited during startup (log: $LOG_FILE)"
    fi
    # Do not burn a Python start (and CPU the JVM needs) before the port even listens.
    if port_in_use "$PORT" && probe_metadata; then
      log "ready on $BOOTSTRAP (pid $pid) after $((SECONDS - t0)) s"
      return 0
    fi
    if ((SECONDS - t0 >= READY_DEADLINE_S)); then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "not ready after ${READY_DEADLINE_S} s (pid $pid still running; log: $LOG_FILE)"
    fi
    sleep 1
  done
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    [ "$(running_port)" = "$PORT" ] \
      || die "already running (pid $pid) on port $(running_port), not $PORT; stop it first"
    log "already running (pid $pid) on $BOOTSTRAP"
    # Still confirm it answers, so callers can rely on "start returned 0 => usable".
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  [ -x "$PYTHON" ] || die "$PYTHON missing: run scripts/setup.sh first (the readiness probe uses aiokafka)"
  command -v java >/dev/null || die "java not found (Kafka 4.x needs Java 17+)"
  for p in "$PORT" "$CONTROLLER_PORT"; do
    port_in_use "$p" && die "port $p is already in use by another process; set COUNTERSIGN_KAFKA_PORT / COUNTERSIGN_KAFKA_CONTROLLER_PORT"
  done

  fetch_jars
  mkdir -p "$KAFKA_DIR"
  if [ "$SECURITY" = sasl_ssl ]; then
    ensure_users
    ensure_tls
  fi
  write_properties
  format_storage

  # Flags follow the release tarball's kafka-run-class.sh, with a heap sized for a 2-core
  # dev box. slf4j-simple logs to stderr, hence 2>&1 into the log file.
  local -a jvm=(
    -Xms256m -Xmx768m
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15
    -Djava.awt.headless=true
    -Dkafka.logs.dir="$KAFKA_DIR"
    -Dorg.slf4j.simpleLogger.showDateTime=true
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS"
  )
  # shellcheck disable=SC2206 # word splitting of the extra flags is intended
  [ -n "${COUNTERSIGN_KAFKA_JVM_EXTRA:-}" ] && jvm+=(${COUNTERSIGN_KAFKA_JVM_EXTRA})

  log "starting broker (log: $LOG_FILE)"
  echo "=== start $(date -Is) ===" >>"$LOG_FILE"
  # setsid: own session, so a Ctrl-C in the terminal that ran `start` does not reach the
  # broker later; nohup: survive the terminal closing. Neither forks here (the script's
  # background child is not a group leader), so $! is the JVM's own pid.
  nohup setsid java "${jvm[@]}" -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS" \
    >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  sleep 0.2
  wait_ready "$pid"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < STOP_GRACE_S * 5; i++)); do
    is_our_kafka "$pid" || break
    sleep 0.2
  done
  if is_our_kafka "$pid"; then
    log "still alive after ${STOP_GRACE_S} s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_crash() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "crashing (SIGKILL to pid $pid)"
  kill -KILL "$pid" 2>/dev/null || true
  while is_our_kafka "$pid"; do sleep 0.1; done
  rm -f "$PID_FILE"
  log "killed"
}

cmd_empty() {
  if running_pid >/dev/null; then
    die "empty: the broker is running; stop it first"
  fi
  rm -rf "$DATA_DIR"
  log "emptied: every topic and offset dropped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) on 127.0.0.1:$(running_port)"
    return 0
  fi
  echo "kafka: stopped"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  crash) cmd_crash ;;
  empty) cmd_empty ;;
  status) cmd_status ;;
  # Prints the connection setting without starting anything (used by scripts/stack.sh).
  env)
    echo "KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP"
    # Before the first start there are no credentials yet: only the address.
    if [ "$SECURITY" = plaintext ] || [ -s "$USERS_FILE" ]; then client_env; fi
    ;;
  *) echo "usage: $0 start|stop|crash|empty|status|env" >&2; exit 2 ;;
esac
