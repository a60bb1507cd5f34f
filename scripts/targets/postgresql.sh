# shellcheck shell=bash
# PostgreSQL target of scripts/targets.sh (sourced; constants and functions only).
#
# A dedicated cluster (the system one on 5432 trusts everybody, so it cannot prove that a wrong password
# fails): $ROTOR_IT_HOME/pg, 127.0.0.1:${ROTOR_IT_PG_PORT:-55432}, SCRAM only, TLS with a CA made here
# ($ROTOR_IT_HOME/ca.crt, see make_certs in common.sh), superuser rotor_admin, database rotor_it.
# Binaries: ROTOR_IT_PG_BIN (default /usr/lib/postgresql/15/bin, else the newest installed).

readonly PG_PORT="${ROTOR_IT_PG_PORT:-55432}"
readonly PG_HOST=127.0.0.1
readonly PG_DATA="$HOME_DIR/pg"
readonly PG_SOCK="$HOME_DIR/run"
readonly PG_LOG="$HOME_DIR/pg.log"
readonly PG_DATABASE=rotor_it

pg_bin() {
  if [[ -n ${ROTOR_IT_PG_BIN:-} ]]; then printf '%s\n' "$ROTOR_IT_PG_BIN"; return; fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then printf '%s\n' /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql; .ci/run does it)"
  printf '%s\n' "$d"
}

# psql as the cluster's bootstrap superuser over the unix socket (peer auth); SQL on stdin.
pg_psql() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "${1:-postgres}" -At
}

pg_running() { [[ -f $PG_DATA/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_init() {
  if [[ -f $PG_DATA/PG_VERSION ]]; then return; fi
  rm -rf "$PG_DATA"  # left over from an interrupted initdb
  log "creating the PostgreSQL cluster in $PG_DATA"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 --no-instructions >"$HOME_DIR/initdb.log" 2>&1 ||
    { tail -n 20 "$HOME_DIR/initdb.log" >&2; die "initdb failed (see $HOME_DIR/initdb.log)"; }
  printf "\n# Rotor integration tests (scripts/targets.sh rewrites this file)\ninclude_if_exists = 'rotor-it.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# Writes the settings; sets PG_RESTART=1 when they changed (a running server must restart).
pg_configure() {
  local conf hba
  conf=$(cat <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
max_connections = 300
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '$HOME_DIR/pg-server.crt'
ssl_key_file = '$HOME_DIR/pg-server.key'
ssl_min_protocol_version = 'TLSv1.2'
# statements are never logged: CREATE/ALTER ROLE ... PASSWORD carries a password in clear text
log_statement = 'none'
log_min_error_statement = 'panic'
EOF
)
  hba=$(cat <<'EOF'
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer
host    all       all       127.0.0.1/32   scram-sha-256
EOF
)
  if [[ ! -f $PG_DATA/rotor-it.conf || $(<"$PG_DATA/rotor-it.conf") != "$conf" ]]; then
    printf '%s\n' "$conf" | as_pg tee "$PG_DATA/rotor-it.conf" >/dev/null
    PG_RESTART=1
  fi
  if [[ $(<"$PG_DATA/pg_hba.conf") != "$hba" ]]; then
    printf '%s\n' "$hba" | as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null
    PG_RESTART=1
  fi
}

pg_start() {
  install -d -o postgres -g postgres -m 0700 "$PG_SOCK"
  log "starting PostgreSQL on $PG_HOST:$PG_PORT"
  # 9>&-: the server must not inherit (and keep holding) our lock
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 90 start >/dev/null 9>&-; then
    tail -n 20 "$PG_LOG" >&2 || true
    die "PostgreSQL did not start (see $PG_LOG)"
  fi
}

pg_stop() {
  if pg_running; then
    log "stopping PostgreSQL ($PG_DATA)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 90 stop >/dev/null
  else
    log "PostgreSQL ($PG_DATA) is not running"
  fi
}

pg_setup_roles() {
  local pw
  pw=$(read_secret "$HOME_DIR/pg-admin.secret")
  # SQL on stdin: the password never shows up in an argument list.
  pg_psql postgres <<SQL
SELECT 'CREATE ROLE $ADMIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ADMIN')
\gexec
ALTER ROLE $ADMIN WITH SUPERUSER CREATEROLE CREATEDB LOGIN VALID UNTIL 'infinity' PASSWORD '$pw';
SELECT 'CREATE DATABASE $PG_DATABASE OWNER $ADMIN' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DATABASE')
\gexec
SQL
}

# Log in the way the tests will (TCP, SCRAM, TLS verified against our CA); the wrong password must fail.
pg_check_login() {
  local pw passfile ok
  pw=$(read_secret "$HOME_DIR/pg-admin.secret")
  passfile=$(mktemp "$HOME_DIR/.pgpass.XXXXXX")
  printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$ADMIN" "$pw" >"$passfile"
  ok=$(PGPASSFILE=$passfile PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -At -c \
        "SELECT current_user || ' ssl=' || ssl || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()" \
        "host=$PG_HOST port=$PG_PORT dbname=$PG_DATABASE user=$ADMIN sslmode=verify-full sslrootcert=$HOME_DIR/ca.crt" 2>&1) ||
    { rm -f "$passfile"; die "rotor_admin cannot log in to PostgreSQL: $ok"; }
  printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$ADMIN" "wrong-$pw" >"$passfile"
  if PGPASSFILE=$passfile PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -At -c 'SELECT 1' \
       "host=$PG_HOST port=$PG_PORT dbname=$PG_DATABASE user=$ADMIN sslmode=disable" >/dev/null 2>&1; then
    rm -f "$passfile"
    die "PostgreSQL accepted a wrong password: check $PG_DATA/pg_hba.conf"
  fi
  rm -f "$passfile"
  log "PostgreSQL: $ok; wrong password rejected"
}

# The PostgreSQL part of `start`; the certificates come from make_certs (common.sh).
pg_start_all() {
  PG_RESTART=0
  pg_init
  make_certs
  pg_configure
  if pg_running; then
    if ((PG_RESTART)); then
      log "PostgreSQL settings changed: restarting"
      pg_stop
      pg_start
    else
      log "PostgreSQL already running"
    fi
  else
    pg_start
  fi
  pg_setup_roles
  pg_check_login
}

# The PostgreSQL line of `status`; returns 3 when the cluster does not run.
cmd_status_pg() {
  local pid rc=0
  if pg_running; then
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    echo "postgresql: running  $PG_HOST:$PG_PORT  pid $pid  data $PG_DATA"
  elif [[ -f $PG_DATA/PG_VERSION ]]; then
    echo "postgresql: stopped  data $PG_DATA"; rc=3
  else
    echo "postgresql: no cluster in $PG_DATA"; rc=3
  fi
  return $rc
}
