#!/usr/bin/env bash
# Local PostgreSQL 15 cluster for development and tests, without Docker.
#
#   scripts/infra/postgres.sh start    # install binaries if missing, initdb once, start, create DB
#   scripts/infra/postgres.sh stop     # pg_ctl -m fast stop
#   scripts/infra/postgres.sh crash    # pg_ctl -m immediate stop: every process quits at once,
#                                      # no checkpoint; the next start replays the WAL (crash
#                                      # recovery), as after a server crash
#   scripts/infra/postgres.sh status   # exit 0 when running, 1 otherwise
#   scripts/infra/postgres.sh env      # print DATABASE_URL=... (no side effects)
#
# Env:
#   COUNTERSIGN_PG_PORT   TCP port on 127.0.0.1, default 55432
#   COUNTERSIGN_LOCAL_DIR state root instead of .local (a second stack of one checkout)
#
# DATABASE_URL: postgresql://postgres@127.0.0.1:<port>/countersign, the administrator (trusted
# on loopback, local only). Every other role signs in with its password (SCRAM): the services'
# roles, which scripts/stack.sh creates with passwords it generates (ADR 0060).
#
# Why `runuser -u postgres`: initdb, pg_ctl and postgres itself refuse to run as root, with no
# override flag, and this machine's scripts run as root. So only those binaries run as the
# unprivileged `postgres` OS user (created by the Debian package); everything else stays root.
#
# State (git-ignored): .local/postgres/{data/,postgres.log,.s.PGSQL.<port>}, owned by postgres.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="/usr/lib/postgresql/15/bin"
PG_USER="postgres"

PG_DIR="${COUNTERSIGN_LOCAL_DIR:-$REPO_ROOT/.local}/postgres"
DATA_DIR="$PG_DIR/data"
LOG_FILE="$PG_DIR/postgres.log"
PORT="${COUNTERSIGN_PG_PORT:-55432}"
DB_NAME="countersign"
DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/$DB_NAME"

log() { echo "postgres: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# cd / first: the caller's working directory may not be readable by postgres (initdb and pg_ctl
# complain when they cannot return to it).
as_pg() { (cd / && runuser -u "$PG_USER" -- "$@"); }

# --- prerequisites ----------------------------------------------------------------------------

ensure_binaries() {
  if [ -x "$PG_BIN/initdb" ] && id "$PG_USER" >/dev/null 2>&1; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "$PG_BIN/initdb missing; install postgresql-15 (needs root)"
  log "installing postgresql-15 via apt-get (binaries missing)"
  # The Debian package also creates and may try to start a default cluster on 5432; we ignore
  # it: our cluster lives in .local/ on its own port.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  [ -x "$PG_BIN/initdb" ] || die "postgresql-15 installed but $PG_BIN/initdb is still missing"
}

# The server runs as `postgres`, so that user must be able to reach the data directory: every
# parent directory needs the execute (search) bit for "other". /work and /tmp usually allow it,
# but a checkout under e.g. /root (mode 700) does not. We add only o+x (traverse, not list or
# read), and only to the directories that lack it, and say so.
ensure_traversable() {
  local dir="$PG_DIR"
  if as_pg test -x "$dir" 2>/dev/null; then
    return 0
  fi
  dir="$(dirname "$dir")"
  while [ "$dir" != "/" ]; do
    if ! as_pg test -x "$dir" 2>/dev/null; then
      log "making $dir traversable for the $PG_USER user (chmod o+x)"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
  as_pg test -x "$PG_DIR" || die "the $PG_USER user still cannot reach $PG_DIR"
}

# Unix socket paths are limited to ~107 bytes. The socket normally sits next to the data dir
# (so it belongs to this checkout); a very deep checkout path falls back to a short per-checkout
# directory under /tmp.
socket_dir() {
  local dir="$PG_DIR"
  if [ "${#dir}" -gt 80 ]; then
    dir="/tmp/countersign-pg-$(printf '%s' "$PG_DIR" | sha256sum | cut -c1-12)"
  fi
  echo "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

is_running() { [ -f "$DATA_DIR/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" status -D "$DATA_DIR" >/dev/null 2>&1; }

# First line of postmaster.pid is the postmaster's pid (used by stack.sh to verify shutdown).
postmaster_pid() { head -n1 "$DATA_DIR/postmaster.pid" 2>/dev/null; }

# Line 4 of postmaster.pid is the port the running server listens on.
running_port() { sed -n 4p "$DATA_DIR/postmaster.pid" 2>/dev/null; }

psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "$1"; }

# --- commands ---------------------------------------------------------------------------------

init_cluster() {
  if [ -f "$DATA_DIR/PG_VERSION" ]; then
    return 0
  fi
  log "initdb in $DATA_DIR"
  local t0=$SECONDS
  # --no-sync and trust auth: a throwaway local cluster, speed over durability; it listens
  # on 127.0.0.1 only.
  as_pg "$PG_BIN/initdb" --no-sync -A trust -U postgres -E UTF8 -D "$DATA_DIR" >>"$LOG_FILE" 2>&1 \
    || { tail -n 20 "$LOG_FILE" >&2; die "initdb failed (see $LOG_FILE)"; }
  log "initdb done in $((SECONDS - t0)) s"
}

ensure_database() {
  if [ "$(psql_q "select 1 from pg_database where datname = '$DB_NAME'")" != "1" ]; then
    psql_q "create database $DB_NAME" >/dev/null
    log "created database $DB_NAME"
  fi
}

# Who may sign in how; written on every start, so a cluster made before the services had roles
# of their own gets it too. Only the administrator is trusted without a password.
write_hba() {
  as_pg tee "$DATA_DIR/pg_hba.conf" >/dev/null <<'HBA'
# Written by scripts/infra/postgres.sh (ADR 0060).
local   all  postgres                trust
host    all  postgres  127.0.0.1/32  trust
local   all  all                     scram-sha-256
host    all  all       127.0.0.1/32  scram-sha-256
HBA
}

cmd_start() {
  ensure_binaries
  mkdir -p "$PG_DIR"
  chown "$PG_USER:" "$PG_DIR"
  ensure_traversable
  local sock
  sock="$(socket_dir)"
  if [ "$sock" != "$PG_DIR" ]; then
    mkdir -p "$sock"
    chown "$PG_USER:" "$sock"
  fi
  # The log file is created as postgres by pg_ctl; make sure an old root-owned one is writable.
  touch "$LOG_FILE"
  chown "$PG_USER:" "$LOG_FILE"

  if is_running; then
    [ "$(running_port)" = "$PORT" ] \
      || die "already running (pid $(postmaster_pid)) on port $(running_port), not $PORT; stop it first"
    log "already running (pid $(postmaster_pid)) on 127.0.0.1:$PORT"
    write_hba
    as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" reload >/dev/null
  else
    port_in_use "$PORT" && die "port $PORT is already in use by another process; set COUNTERSIGN_PG_PORT"
    init_cluster
    write_hba
    log "starting on 127.0.0.1:$PORT (log: $LOG_FILE)"
    # fsync/full_page_writes off: test data is disposable and these make migrations and test
    # setup several times faster; they only matter if the machine itself goes down.
    # synchronous_commit stays on: a commit is answered only once its WAL is written (to the
    # OS), so a server crash (the chaos run's, the restart tests') loses no commit a client
    # was told about; off, a crash dropped the last few hundred ms of answered commits.
    # max_connections=200: three services with pools plus parallel tests.
    as_pg "$PG_BIN/pg_ctl" -w -t 60 -D "$DATA_DIR" -l "$LOG_FILE" start -o "\
-c listen_addresses=127.0.0.1 -p $PORT -k $sock \
-c fsync=off -c full_page_writes=off \
-c max_connections=200" >/dev/null \
      || { tail -n 40 "$LOG_FILE" >&2; die "pg_ctl start failed (see $LOG_FILE)"; }
  fi
  ensure_database
  log "ready: $DATABASE_URL (pid $(postmaster_pid))"
}

cmd_stop() {
  if ! [ -x "$PG_BIN/pg_ctl" ] || ! is_running; then
    log "not running"
    return 0
  fi
  log "stopping (pid $(postmaster_pid))"
  as_pg "$PG_BIN/pg_ctl" -w -t 30 -D "$DATA_DIR" -m fast stop >/dev/null
  log "stopped"
}

cmd_crash() {
  if ! [ -x "$PG_BIN/pg_ctl" ] || ! is_running; then
    log "not running"
    return 0
  fi
  log "crashing (immediate stop of pid $(postmaster_pid))"
  as_pg "$PG_BIN/pg_ctl" -w -t 30 -D "$DATA_DIR" -m immediate stop >/dev/null
  log "stopped without a checkpoint"
}

cmd_status() {
  if [ -x "$PG_BIN/pg_ctl" ] && is_running; then
    echo "postgres: running (pid $(postmaster_pid)) on 127.0.0.1:$(running_port)"
    return 0
  fi
  echo "postgres: stopped"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  crash) cmd_crash ;;
  status) cmd_status ;;
  # Prints the connection setting without starting anything (used by scripts/stack.sh).
  env) echo "DATABASE_URL=$DATABASE_URL" ;;
  *) echo "usage: $0 start|stop|crash|status|env" >&2; exit 2 ;;
esac
