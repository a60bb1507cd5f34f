#!/usr/bin/env bash
# Start, stop and inspect the REAL targets that the *IT tests talk to.
#
#   scripts/targets.sh start    create/start everything (idempotent), write $ROTOR_IT_HOME/targets.env
#   scripts/targets.sh stop     stop our PostgreSQL cluster and sshd, drop the test users in MariaDB and Linux
#   scripts/targets.sh status   print what runs (exit 0 when everything is up, 3 otherwise)
#
# Runs as root on Debian 12. Everything listens on loopback only.
#   PostgreSQL: a dedicated cluster (the system one on 5432 trusts everybody, so it cannot prove that a
#               wrong password fails): $ROTOR_IT_HOME/pg, 127.0.0.1:${ROTOR_IT_PG_PORT:-55432}, SCRAM only,
#               TLS with a CA made here ($ROTOR_IT_HOME/ca.crt), superuser rotor_admin, database rotor_it.
#   MariaDB:    the machine's server on 127.0.0.1:3306 (installed/started if needed), accounts
#               rotor_admin@'%' and rotor_admin@'localhost'.
#   OpenLDAP:   our own slapd (Debian slapd, installed if missing), config in $ROTOR_IT_HOME/ldap, suffix
#               dc=rotor,dc=test, ldap://127.0.0.1:${ROTOR_IT_LDAP_PORT:-3389} (StartTLS offered) and
#               ldaps://127.0.0.1:${ROTOR_IT_LDAPS_PORT:-3636}, certificate from the same test CA, ppolicy
#               overlay on (default policy cn=default,ou=policies: pwdMinLength 8, pwdCheckQuality 2,
#               pwdInHistory 3), admin cn=rotor-admin,dc=rotor,dc=test (write access, not the rootdn, so
#               the policy applies to it). Root work goes over ldapi:// with SASL EXTERNAL.
#               The Debian package's own slapd service is never started (debconf: no configuration).
#   Samba AD:   an Active Directory domain controller (Debian samba, samba-ad-dc, installed if missing),
#               realm ROTOR.TEST (DC=rotor,DC=test), provisioned into $ROTOR_IT_HOME/samba, listening on
#               127.0.0.1 only. Samba cannot move its LDAP ports, so it takes 127.0.0.1:389 (StartTLS) and
#               :636 (LDAPS), plus 88 (KDC); no smbd (445); certificate from the test CA. Administrator's
#               password is ad-admin.secret (written straight into sam.ldb, never on a command line).
#               Password settings: complexity on, min length 8, history 3, minimum age 0.
#               ROTOR_IT_SKIP_AD=1 leaves it out.
#   OpenSSH:    a dedicated sshd on 127.0.0.1:${ROTOR_IT_SSH_PORT:-2222} with its own config and host keys
#               under $ROTOR_IT_HOME/ssh, Linux accounts rotor_it_ssh_*, rotor_it_sshadmin (sudo) and
#               rotor_it_suroot (a second uid-0 name, target of `su -`; root itself is not touched).
#   telnet:     inetutils telnetd behind socat on 127.0.0.1:${ROTOR_IT_TELNET_PORT:-2323}, same accounts.
# Passwords are random, live in $ROTOR_IT_HOME/*.secret (0600), and reach the servers only through
# stdin or files: never an argument of any process.
#
# Environment: ROTOR_IT_HOME (default /tmp/rotor-it), ROTOR_IT_PG_PORT (default 55432),
#              ROTOR_IT_LDAP_PORT (default 3389), ROTOR_IT_LDAPS_PORT (default 3636),
#              ROTOR_IT_PG_BIN (default /usr/lib/postgresql/15/bin, else the newest installed).
# Test users that tests create in MariaDB must be named rotor_it_*: `stop` drops them.
set -euo pipefail
umask 077

HOME_DIR=$(realpath -m -- "${ROTOR_IT_HOME:-/tmp/rotor-it}")
readonly HOME_DIR
readonly PG_PORT="${ROTOR_IT_PG_PORT:-55432}"
readonly PG_HOST=127.0.0.1
readonly PG_DATA="$HOME_DIR/pg"
readonly PG_SOCK="$HOME_DIR/run"
readonly PG_LOG="$HOME_DIR/pg.log"
readonly PG_DATABASE=rotor_it
readonly MARIA_HOST=127.0.0.1
readonly MARIA_PORT=3306
readonly ADMIN=rotor_admin
readonly MARKER="$HOME_DIR/.rotor-it"
readonly LDAP_HOST=127.0.0.1
readonly LDAP_PORT="${ROTOR_IT_LDAP_PORT:-3389}"
readonly LDAPS_PORT="${ROTOR_IT_LDAPS_PORT:-3636}"
readonly LDAP_DIR="$HOME_DIR/ldap"
readonly LDAP_SUFFIX="dc=rotor,dc=test"
readonly LDAP_ADMIN_DN="cn=rotor-admin,$LDAP_SUFFIX"
readonly AD_DIR="$HOME_DIR/samba"
readonly AD_REALM=ROTOR.TEST
readonly AD_BASE_DN="DC=rotor,DC=test"
readonly LDAP_ROOT_AUTHZ="gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"

log() { printf 'targets: %s\n' "$*" >&2; }
die() { printf 'targets: ERROR: %s\n' "$*" >&2; exit 1; }

# Settings from the caller's environment must not redirect our clients somewhere else.
for v in $(compgen -e); do
  case $v in PG*|MYSQL_*|MARIADB_*|LDAP*) unset "$v" ;; esac
done
# runuser keeps the working directory; postgres may not be allowed into the caller's one.
cd /

# ---------------------------------------------------------------------------------------------------
# common

require_root() { [[ $EUID -eq 0 ]] || die "run me as root (I run initdb/pg_ctl as the postgres user)"; }

pg_bin() {
  if [[ -n ${ROTOR_IT_PG_BIN:-} ]]; then printf '%s\n' "$ROTOR_IT_PG_BIN"; return; fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then printf '%s\n' /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql; .ci/run does it)"
  printf '%s\n' "$d"
}

as_pg() { runuser -u postgres -- "$@"; }

# psql as the cluster's bootstrap superuser over the unix socket (peer auth); SQL on stdin.
pg_psql() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "${1:-postgres}" -At
}

pg_running() { [[ -f $PG_DATA/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

# Make the secret file once; keep it across start/stop so a restart does not change the password.
ensure_secret() {
  local f=$1
  if [[ ! -s $f ]]; then
    openssl rand -base64 24 | tr -d '\n' >"$f.tmp"
    mv -f "$f.tmp" "$f"
  fi
  chown root:root "$f"
  chmod 0600 "$f"
}

# Secrets are base64, so they can be pasted into SQL literals and option files as they are.
read_secret() {
  local s
  s=$(<"$1")
  [[ $s =~ ^[A-Za-z0-9+/=]{16,}$ ]] || die "$1 is not a secret this script made; delete it and run start again"
  printf '%s' "$s"
}

prepare_home() {
  [[ $HOME_DIR =~ ^/[A-Za-z0-9/._-]+$ ]] || die "ROTOR_IT_HOME must be a plain path ([A-Za-z0-9/._-]): $HOME_DIR"
  if [[ -d $HOME_DIR && ! -e $MARKER && -n $(ls -A "$HOME_DIR") ]]; then
    die "$HOME_DIR exists, is not empty and was not made by this script; refusing to take it over"
  fi
  mkdir -p "$HOME_DIR"
  : >"$MARKER"
  # The PostgreSQL server (user postgres) keeps its data, socket and log here; root, which runs the
  # tests, can read everything anyway. The secrets inside stay root-owned 0600.
  chown postgres:postgres "$HOME_DIR"
  chmod 0700 "$HOME_DIR"
  as_pg test -x "$HOME_DIR" || die "user postgres cannot reach $HOME_DIR (a parent directory is closed); choose another ROTOR_IT_HOME"
}

lock_home() {
  exec 9>>"$HOME_DIR/.lock"
  flock -w 300 9 || die "another targets.sh holds $HOME_DIR/.lock"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

# Sets PG_RESTART=1 when it (re)made the certificates.
make_certs() {
  local d=$HOME_DIR
  if [[ -s $d/ca.crt && -s $d/ca.key && -s $d/pg-server.crt && -s $d/pg-server.key ]] &&
     openssl x509 -noout -checkend 86400 -in "$d/pg-server.crt" >/dev/null 2>&1 &&
     openssl verify -CAfile "$d/ca.crt" "$d/pg-server.crt" >/dev/null 2>&1; then
    return
  fi
  PG_RESTART=1
  log "making a test CA and a server certificate for 127.0.0.1/localhost"
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=Rotor IT test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$d/pg-server.key" -out "$d/pg-server.csr" 2>/dev/null
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >"$d/pg-server.ext"
  openssl x509 -req -sha256 -days 825 -in "$d/pg-server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$d/pg-server.ext" -out "$d/pg-server.crt" 2>/dev/null
  rm -f "$d/pg-server.csr" "$d/pg-server.ext"
  chmod 0600 "$d/ca.key"
  chmod 0644 "$d/ca.crt" "$d/pg-server.crt"
  chown postgres:postgres "$d/pg-server.key" "$d/pg-server.crt"
  chmod 0600 "$d/pg-server.key"
}

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

# ---------------------------------------------------------------------------------------------------
# MariaDB

MARIA_ROOT=()

maria_alive() {
  mariadb-admin --no-defaults --protocol=tcp -h "$MARIA_HOST" -P "$MARIA_PORT" --connect-timeout=2 ping >/dev/null 2>&1
}

maria_ensure_installed() {
  if [[ -x /usr/sbin/mariadbd ]] && command -v mariadb >/dev/null && command -v mariadb-admin >/dev/null; then
    return
  fi
  log "installing mariadb-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q mariadb-server mariadb-client
}

maria_ensure_running() {
  if maria_alive; then return; fi
  log "starting MariaDB"
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  if [[ ! -d /var/lib/mysql/mysql ]]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >"$HOME_DIR/mariadb-install.log" 2>&1 ||
      die "mariadb-install-db failed (see $HOME_DIR/mariadb-install.log)"
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1 9>&-
  local i
  for ((i = 0; i < 60; i++)); do
    maria_alive && return
    sleep 1
  done
  die "MariaDB does not answer on $MARIA_HOST:$MARIA_PORT after 60s (see /var/log/mysql/error.log)"
}

# root over the unix socket (Debian's default root@localhost uses unix_socket auth), else root with an
# empty password over TCP (how this machine image is set up). Returns 1 when neither works.
maria_root_detect() {
  if mariadb --protocol=socket -u root -N -B -e 'SELECT 1' >/dev/null 2>&1; then
    MARIA_ROOT=(mariadb --protocol=socket -u root)
  elif mariadb --protocol=tcp -h "$MARIA_HOST" -P "$MARIA_PORT" -u root -N -B -e 'SELECT 1' >/dev/null 2>&1; then
    MARIA_ROOT=(mariadb --protocol=tcp -h "$MARIA_HOST" -P "$MARIA_PORT" -u root)
  else
    return 1
  fi
}
readonly NO_MARIA_ROOT="cannot log in to MariaDB as root (tried the unix socket and TCP with an empty password)"

# SQL on stdin, tab-separated raw output.
maria_sql() { "${MARIA_ROOT[@]}" -N -B -r; }

# Log in over TCP to 127.0.0.1 as user/password (from an option file, not the command line) and print
# "USER() CURRENT_USER()"; fails when the server refuses.
maria_login_as() {
  local user=$1 pw=$2 cnf out rc=0
  cnf=$(mktemp "$HOME_DIR/.my.XXXXXX")
  printf '[client]\nuser=%s\npassword=%s\nprotocol=tcp\nhost=%s\nport=%s\nconnect-timeout=10\n' \
    "$user" "$pw" "$MARIA_HOST" "$MARIA_PORT" >"$cnf"
  out=$(mariadb --defaults-file="$cnf" -N -B -e 'SELECT USER(), CURRENT_USER()' 2>&1) || rc=$?
  rm -f "$cnf"
  printf '%s\n' "$out"
  return $rc
}

# Which account does a TCP client from 127.0.0.1 get? Tried on MariaDB 10.11 (Debian 12) with a fresh
# 'x'@'%' user. The server takes the matching row with the MOST SPECIFIC HOST first and only then looks
# at the user name, and an anonymous row ('' = any user) matches every name. The client's host is:
#   - skip-name-resolve on (this image's /etc/mysql/my.cnf): '127.0.0.1'. USER()=x@127.0.0.1,
#     CURRENT_USER()=x@%. An anonymous ''@'127.0.0.1' makes x's right password fail with 1045;
#     ''@'localhost' does not matter (it only matches unix-socket clients then).
#   - name resolution on (Debian's stock config): 127.0.0.1 resolves to 'localhost' through /etc/hosts.
#     USER()=x@localhost, CURRENT_USER()=x@%. BOTH ''@'localhost' and ''@'127.0.0.1' make it fail with
#     1045 (the host 'localhost' and the IP both count as more specific than '%').
# Debian's mariadb-install-db (--skip-test-db) creates no anonymous rows, older installs did. So we drop
# anonymous rows if there are any, then prove that a fresh 'rotor_it_probe'@'%' logs in with its password
# and is refused with a wrong one. rotor_admin has the same password on '%' and 'localhost', so it works
# whichever row matches (here it is rotor_admin@%).
maria_fix_anonymous() {
  local n
  n=$(maria_sql <<<"SELECT COUNT(*) FROM mysql.global_priv WHERE user = ''")
  if ((n > 0)); then
    log "MariaDB: dropping $n anonymous account(s): they shadow 'x'@'%' for clients on 127.0.0.1"
    maria_sql <<<"SELECT CONCAT('DROP USER ', QUOTE(user), '@', QUOTE(host), ';') FROM mysql.global_priv WHERE user = ''" |
      maria_sql
  fi
}

maria_probe() {
  local pw out
  pw=$(openssl rand -hex 16)
  maria_sql <<<"CREATE OR REPLACE USER 'rotor_it_probe'@'%' IDENTIFIED BY '$pw';"
  if ! out=$(maria_login_as rotor_it_probe "$pw"); then
    maria_sql <<<"DROP USER IF EXISTS 'rotor_it_probe'@'%';"
    die "MariaDB refuses the right password of a fresh 'rotor_it_probe'@'%': $out"
  fi
  if maria_login_as rotor_it_probe "x$pw" >/dev/null 2>&1; then
    maria_sql <<<"DROP USER IF EXISTS 'rotor_it_probe'@'%';"
    die "MariaDB accepted a wrong password for 'rotor_it_probe'@'%'"
  fi
  maria_sql <<<"DROP USER IF EXISTS 'rotor_it_probe'@'%';"
  log "MariaDB: a fresh 'x'@'%' user logs in over TCP: USER() / CURRENT_USER() = ${out//$'\t'/ / }; wrong password rejected"
}

maria_setup_admin() {
  local pw out
  pw=$(read_secret "$HOME_DIR/mariadb-admin.secret")
  maria_sql <<SQL
CREATE OR REPLACE USER '$ADMIN'@'%' IDENTIFIED BY '$pw';
CREATE OR REPLACE USER '$ADMIN'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO '$ADMIN'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$ADMIN'@'localhost' WITH GRANT OPTION;
GRANT CREATE USER ON *.* TO '$ADMIN'@'%';
GRANT CREATE USER ON *.* TO '$ADMIN'@'localhost';
SQL
  out=$(maria_login_as "$ADMIN" "$pw") || die "rotor_admin cannot log in to MariaDB: $out"
  log "MariaDB: rotor_admin logs in as ${out//$'\t'/ / }"
}

maria_drop_users() {
  if ! maria_alive; then
    log "MariaDB does not answer on $MARIA_HOST:$MARIA_PORT; no users to drop"
    return
  fi
  maria_root_detect || die "$NO_MARIA_ROOT"
  local drops
  drops=$(maria_sql <<'SQL'
SELECT CONCAT('DROP USER IF EXISTS ', QUOTE(user), '@', QUOTE(host), ';')
  FROM mysql.global_priv WHERE user = 'rotor_admin' OR user LIKE 'rotor\_it\_%';
SQL
)
  if [[ -n $drops ]]; then
    log "MariaDB: dropping $(wc -l <<<"$drops") test account(s)"
    maria_sql <<<"$drops"
  fi
}


# ---------------------------------------------------------------------------------------------------
# OpenSSH: a dedicated sshd (its own config, host keys and pid under $HOME_DIR/ssh) on 127.0.0.1:2222,
# never the system's. Real Linux accounts:
#   rotor_it_ssh_1..8  plain accounts (tests set their passwords themselves, locally, through chpasswd)
#   rotor_it_sshadmin  may run anything through sudo (password asked every time: timestamp_timeout=0)
#   rotor_it_suroot    a SECOND uid-0 name (useradd -o -u 0, home /root, no files of its own) with its own
#                      password: the target of the `su -` path. root's own password is never touched, and
#                      sshd refuses this name (DenyUsers), so it is reachable only through su.
# `stop` stops that sshd and removes the accounts and the sudoers file.

readonly SSH_HOST=127.0.0.1
readonly SSH_PORT="${ROTOR_IT_SSH_PORT:-2222}"
readonly SSH_DIR="$HOME_DIR/ssh"
readonly SSH_ADMIN=rotor_it_sshadmin
readonly SSH_SUROOT=rotor_it_suroot
readonly SSH_USER_COUNT=8
readonly SSH_SUDOERS=/etc/sudoers.d/rotor-it-ssh

ssh_ensure_installed() {
  local missing=()
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v sudo >/dev/null || missing+=(sudo)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  fi
}

ssh_running() { [[ -s $SSH_DIR/sshd.pid ]] && kill -0 "$(<"$SSH_DIR/sshd.pid")" 2>/dev/null; }

ssh_user_exists() { getent passwd "$1" >/dev/null; }

# Sets the password from stdin ("user:password" lines): never an argument.
ssh_set_password() {
  local user=$1 pw
  pw=$(read_secret "$2")
  printf '%s:%s\n' "$user" "$pw" | chpasswd
}

ssh_setup_accounts() {
  local i u
  for ((i = 1; i <= SSH_USER_COUNT; i++)); do
    u=rotor_it_ssh_$i
    ssh_user_exists "$u" || useradd -m -s /bin/bash "$u"
    ensure_secret "$SSH_DIR/$u.secret"
    ssh_set_password "$u" "$SSH_DIR/$u.secret"
  done
  ssh_user_exists "$SSH_ADMIN" || useradd -m -s /bin/bash "$SSH_ADMIN"
  ensure_secret "$HOME_DIR/ssh-admin.secret"
  ssh_set_password "$SSH_ADMIN" "$HOME_DIR/ssh-admin.secret"
  if ! ssh_user_exists "$SSH_SUROOT"; then
    useradd -o -u 0 -g 0 -N -M -d /root -s /bin/bash "$SSH_SUROOT"
  fi
  [[ $(id -u "$SSH_SUROOT") == 0 ]] || die "$SSH_SUROOT exists and is not uid 0"
  ensure_secret "$HOME_DIR/ssh-suroot.secret"
  ssh_set_password "$SSH_SUROOT" "$HOME_DIR/ssh-suroot.secret"
  printf '%s\n' "# scripts/targets.sh (Rotor integration tests); removed by 'targets.sh stop'" \
    "Defaults:$SSH_ADMIN timestamp_timeout=0, !lecture" \
    "$SSH_ADMIN ALL=(ALL:ALL) ALL" >"$SSH_SUDOERS.tmp"
  chmod 0440 "$SSH_SUDOERS.tmp"
  visudo -cq -f "$SSH_SUDOERS.tmp" || { rm -f "$SSH_SUDOERS.tmp"; die "the sudoers file made for $SSH_ADMIN does not parse"; }
  mv -f "$SSH_SUDOERS.tmp" "$SSH_SUDOERS"
}

ssh_remove_user() {
  local u=$1
  ssh_user_exists "$u" || return 0
  pkill -KILL -u "$u" 2>/dev/null || true
  userdel -r "$u" 2>/dev/null || userdel "$u" || true
}

ssh_remove_accounts() {
  local i
  rm -f "$SSH_SUDOERS"
  for ((i = 1; i <= SSH_USER_COUNT; i++)); do ssh_remove_user "rotor_it_ssh_$i"; done
  ssh_remove_user "$SSH_ADMIN"
  # uid 0: -f because root's processes share the uid; never -r (the home is /root)
  if ssh_user_exists "$SSH_SUROOT" && [[ $(id -u "$SSH_SUROOT") == 0 ]]; then userdel -f "$SSH_SUROOT" || true; fi
  log "SSH: test accounts and $SSH_SUDOERS removed"
}

ssh_configure() {
  install -d -m 0700 "$SSH_DIR"
  local t conf
  for t in ed25519 rsa ecdsa; do
    [[ -s $SSH_DIR/host_${t}_key ]] || ssh-keygen -q -t "$t" -N '' -C "rotor-it-$t" -f "$SSH_DIR/host_${t}_key"
  done
  conf="# scripts/targets.sh: Rotor integration tests only
ListenAddress $SSH_HOST:$SSH_PORT
HostKey $SSH_DIR/host_ed25519_key
HostKey $SSH_DIR/host_ecdsa_key
HostKey $SSH_DIR/host_rsa_key
PidFile $SSH_DIR/sshd.pid
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitEmptyPasswords no
UsePAM no
PermitRootLogin no
AllowUsers rotor_it_ssh_* $SSH_ADMIN
DenyUsers $SSH_SUROOT root
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
MaxStartups 200:30:400
MaxSessions 64
MaxAuthTries 6
LoginGraceTime 30
PrintMotd no
PrintLastLog no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp"
  if [[ ! -f $SSH_DIR/sshd_config || $(<"$SSH_DIR/sshd_config") != "$conf" ]]; then
    printf '%s\n' "$conf" >"$SSH_DIR/sshd_config"
    SSH_RESTART=1
  fi
  # what a client must trust: [host]:port and the three host keys
  : >"$SSH_DIR/known_hosts.tmp"
  for t in ed25519 ecdsa rsa; do
    printf '[%s]:%s %s\n' "$SSH_HOST" "$SSH_PORT" "$(cut -d' ' -f1-2 "$SSH_DIR/host_${t}_key.pub")" >>"$SSH_DIR/known_hosts.tmp"
  done
  chmod 0644 "$SSH_DIR/known_hosts.tmp"
  mv -f "$SSH_DIR/known_hosts.tmp" "$SSH_DIR/known_hosts"
}

ssh_start() {
  install -d -m 0755 /run/sshd
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "sshd refuses $SSH_DIR/sshd_config"
  log "starting sshd on $SSH_HOST:$SSH_PORT"
  /usr/sbin/sshd -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log" 9>&- || die "sshd did not start (see $SSH_DIR/sshd.log)"
  local i
  for ((i = 0; i < 50; i++)); do
    ssh_running && return
    sleep 0.2
  done
  die "sshd wrote no pid file (see $SSH_DIR/sshd.log)"
}

ssh_stop() {
  if ssh_running; then
    log "stopping sshd ($SSH_DIR/sshd.pid)"
    kill "$(<"$SSH_DIR/sshd.pid")" || true
    rm -f "$SSH_DIR/sshd.pid"
  else
    log "sshd ($SSH_DIR) is not running"
  fi
}

cmd_start_ssh() {
  local i
  ssh_ensure_installed
  SSH_RESTART=0
  ssh_configure
  ssh_setup_accounts
  if ssh_running; then
    if ((SSH_RESTART)); then
      log "sshd settings changed: restarting"
      ssh_stop
      sleep 0.5
      ssh_start
    else
      log "sshd already running"
    fi
  else
    ssh_start
  fi
  for ((i = 0; i < 50; i++)); do
    if (exec 3<>"/dev/tcp/$SSH_HOST/$SSH_PORT") 2>/dev/null; then
      log "sshd answers on $SSH_HOST:$SSH_PORT"
      return
    fi
    sleep 0.2
  done
  die "sshd does not answer on $SSH_HOST:$SSH_PORT (see $SSH_DIR/sshd.log)"
}

cmd_status_ssh() {
  if ssh_running; then
    echo "sshd:       running  $SSH_HOST:$SSH_PORT  pid $(<"$SSH_DIR/sshd.pid")  config $SSH_DIR/sshd_config"
  else
    echo "sshd:       not running ($SSH_DIR)"
    return 3
  fi
  ssh_user_exists "$SSH_ADMIN" || { echo "sshd:       account $SSH_ADMIN missing"; return 3; }
}


# ---------------------------------------------------------------------------------------------------
# telnet: inetutils telnetd behind socat on 127.0.0.1:2323 (socat accepts on loopback only and execs
# telnetd on the connection's socket, as inetd would); the system inetd's telnet line stays off. The
# accounts are the SSH ones (rotor_it_ssh_*), through /bin/login.

readonly TELNET_HOST=127.0.0.1
readonly TELNET_PORT="${ROTOR_IT_TELNET_PORT:-2323}"
readonly TELNET_PID="$HOME_DIR/ssh/telnet.pid"

telnet_ensure_installed() {
  local missing=()
  [[ -x /usr/sbin/telnetd ]] || missing+=(inetutils-telnetd)
  command -v socat >/dev/null || missing+=(socat)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  fi
}

telnet_running() { [[ -s $TELNET_PID ]] && kill -0 "$(<"$TELNET_PID")" 2>/dev/null; }

cmd_start_telnet() {
  local i
  telnet_ensure_installed
  if telnet_running; then
    log "telnetd (socat) already running"
  else
    log "starting telnetd on $TELNET_HOST:$TELNET_PORT"
    setsid socat "TCP-LISTEN:$TELNET_PORT,bind=$TELNET_HOST,reuseaddr,fork" EXEC:/usr/sbin/telnetd,nofork \
      >>"$HOME_DIR/ssh/telnet.log" 2>&1 </dev/null 9>&- &
    echo $! >"$TELNET_PID"
  fi
  for ((i = 0; i < 50; i++)); do
    if (exec 3<>"/dev/tcp/$TELNET_HOST/$TELNET_PORT") 2>/dev/null; then
      log "telnetd answers on $TELNET_HOST:$TELNET_PORT"
      return
    fi
    sleep 0.2
  done
  die "telnetd does not answer on $TELNET_HOST:$TELNET_PORT (see $HOME_DIR/ssh/telnet.log)"
}

telnet_stop() {
  if telnet_running; then
    log "stopping telnetd (socat pid $(<"$TELNET_PID"))"
    kill "$(<"$TELNET_PID")" || true
  fi
  rm -f "$TELNET_PID"
}

cmd_status_telnet() {
  if telnet_running; then
    echo "telnetd:    running  $TELNET_HOST:$TELNET_PORT  socat pid $(<"$TELNET_PID")"
  else
    echo "telnetd:    not running"
    return 3
  fi
}

# ---------------------------------------------------------------------------------------------------
# OpenLDAP (slapd)

ldapi_url() { printf 'ldapi://%s' "$(printf '%s' "$LDAP_DIR/run/ldapi" | sed 's|/|%2F|g')"; }

ldap_ensure_installed() {
  if [[ -x /usr/sbin/slapd && -x /usr/sbin/slapadd ]] && command -v ldapwhoami >/dev/null && command -v slappasswd >/dev/null; then
    return
  fi
  log "installing slapd and ldap-utils (debconf: no configuration, the package's own server is not used)"
  export DEBIAN_FRONTEND=noninteractive
  printf 'slapd slapd/no_configuration boolean true\n' | debconf-set-selections
  apt-get update -q
  apt-get install -y -q slapd ldap-utils
}

ldap_pid() {
  local pid
  [[ -s $LDAP_DIR/run/slapd.pid ]] || return 1
  pid=$(<"$LDAP_DIR/run/slapd.pid")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */slapd ]] || return 1
  printf '%s\n' "$pid"
}

ldap_running() { ldap_pid >/dev/null; }

# Sets LDAP_RESTART=1 when it (re)made the server certificate.
ldap_certs() {
  local d=$HOME_DIR
  if [[ -s $d/ldap-server.crt && -s $d/ldap-server.key ]] &&
     openssl x509 -noout -checkend 86400 -in "$d/ldap-server.crt" >/dev/null 2>&1 &&
     openssl verify -CAfile "$d/ca.crt" "$d/ldap-server.crt" >/dev/null 2>&1; then
    return
  fi
  LDAP_RESTART=1
  log "making the slapd certificate for 127.0.0.1/localhost (test CA $d/ca.crt)"
  openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$d/ldap-server.key" -out "$d/ldap-server.csr" 2>/dev/null
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >"$d/ldap-server.ext"
  openssl x509 -req -sha256 -days 825 -in "$d/ldap-server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$d/ldap-server.ext" -out "$d/ldap-server.crt" 2>/dev/null
  rm -f "$d/ldap-server.csr" "$d/ldap-server.ext"
  chmod 0600 "$d/ldap-server.key"
  chmod 0644 "$d/ldap-server.crt"
}

# cn=config made once with slapadd; slapd runs as root (it must read $ROTOR_IT_HOME, which is 0700).
ldap_init() {
  if [[ -f $LDAP_DIR/slapd.d/cn=config.ldif ]]; then return; fi
  rm -rf "$LDAP_DIR"
  install -d -m 0700 "$LDAP_DIR" "$LDAP_DIR/slapd.d" "$LDAP_DIR/db" "$LDAP_DIR/run"
  log "creating the slapd configuration in $LDAP_DIR (suffix $LDAP_SUFFIX)"
  cat >"$LDAP_DIR/config.ldif" <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $LDAP_DIR/run/slapd.pid
olcArgsFile: $LDAP_DIR/run/slapd.args
olcLogLevel: stats
olcTLSCACertificateFile: $HOME_DIR/ca.crt
olcTLSCertificateFile: $HOME_DIR/ldap-server.crt
olcTLSCertificateKeyFile: $HOME_DIR/ldap-server.key
olcTLSProtocolMin: 3.3

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif
include: file:///etc/ldap/schema/nis.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcAccess: {0}to * by dn.exact=$LDAP_ROOT_AUTHZ manage by * break
olcAccess: {1}to dn.base="" by * read
olcAccess: {2}to dn.base="cn=subschema" by * read

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by dn.exact=$LDAP_ROOT_AUTHZ manage by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: $LDAP_DIR/db
olcSuffix: $LDAP_SUFFIX
olcRootDN: cn=root,$LDAP_SUFFIX
olcDbMaxSize: 268435456
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcAccess: {0}to attrs=userPassword by dn.exact=$LDAP_ROOT_AUTHZ manage by dn.exact="$LDAP_ADMIN_DN" write by self write by anonymous auth by * none
olcAccess: {1}to * by dn.exact=$LDAP_ROOT_AUTHZ manage by dn.exact="$LDAP_ADMIN_DN" write by self read by users read by * none

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=policies,$LDAP_SUFFIX
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: FALSE
EOF
  slapadd -n 0 -F "$LDAP_DIR/slapd.d" -l "$LDAP_DIR/config.ldif" >"$LDAP_DIR/slapadd.log" 2>&1 ||
    { tail -n 20 "$LDAP_DIR/slapadd.log" >&2; rm -rf "$LDAP_DIR/slapd.d"; die "slapadd of the slapd configuration failed (see $LDAP_DIR/slapadd.log)"; }
}

ldap_start() {
  install -d -m 0700 "$LDAP_DIR/run"
  log "starting slapd on ldap://$LDAP_HOST:$LDAP_PORT and ldaps://$LDAP_HOST:$LDAPS_PORT"
  # 9>&-: slapd must not inherit our lock
  slapd -F "$LDAP_DIR/slapd.d" -h "ldap://$LDAP_HOST:$LDAP_PORT/ ldaps://$LDAP_HOST:$LDAPS_PORT/ $(ldapi_url)" \
    -l LOCAL4 >"$LDAP_DIR/slapd.out" 2>&1 9>&- ||
    { tail -n 20 "$LDAP_DIR/slapd.out" >&2; die "slapd did not start (see $LDAP_DIR/slapd.out)"; }
  local i
  for ((i = 0; i < 60; i++)); do
    ldapwhoami -x -H "ldap://$LDAP_HOST:$LDAP_PORT" -o nettimeout=2 >/dev/null 2>&1 && return
    sleep 0.5
  done
  die "slapd does not answer on $LDAP_HOST:$LDAP_PORT (see $LDAP_DIR/slapd.out)"
}

ldap_stop() {
  local pid i
  if pid=$(ldap_pid); then
    log "stopping slapd (pid $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < 60; i++)); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.5
    done
    die "slapd (pid $pid) did not stop"
  else
    log "slapd ($LDAP_DIR) is not running"
  fi
}

# As root over ldapi with SASL EXTERNAL; LDIF on stdin.
ldap_root() { ldapmodify -Q -Y EXTERNAL -H "$(ldapi_url)" "$@"; }

ldap_setup_tree() {
  local hash pwfile
  pwfile=$(mktemp "$HOME_DIR/.ldappw.XXXXXX")
  read_secret "$HOME_DIR/ldap-admin.secret" >"$pwfile"
  hash=$(slappasswd -h '{SSHA}' -T "$pwfile")
  rm -f "$pwfile"
  ldap_root -c <<EOF >/dev/null 2>"$LDAP_DIR/setup.err" || true
dn: $LDAP_SUFFIX
changetype: add
objectClass: dcObject
objectClass: organization
dc: rotor
o: Rotor integration tests

dn: ou=people,$LDAP_SUFFIX
changetype: add
objectClass: organizationalUnit
ou: people

dn: ou=policies,$LDAP_SUFFIX
changetype: add
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$LDAP_SUFFIX
changetype: add
objectClass: pwdPolicy
objectClass: device
cn: default
pwdAttribute: userPassword
pwdMinLength: 8
pwdCheckQuality: 2
pwdInHistory: 3
pwdAllowUserChange: TRUE
pwdMustChange: FALSE
pwdSafeModify: FALSE

dn: $LDAP_ADMIN_DN
changetype: add
objectClass: person
cn: rotor-admin
sn: Rotor admin
EOF
  # the admin password every start (the secret file may be new); the hash only, never the clear text
  ldap_root >/dev/null <<EOF || die "cannot set the LDAP admin password (see $LDAP_DIR/slapd.out)"
dn: $LDAP_ADMIN_DN
changetype: modify
replace: userPassword
userPassword: $hash
EOF
  ldapsearch -Q -LLL -Y EXTERNAL -H "$(ldapi_url)" -b "cn=default,ou=policies,$LDAP_SUFFIX" -s base dn >/dev/null 2>&1 ||
    die "the LDAP tree is incomplete (see $LDAP_DIR/setup.err)"
}

# Log in as the tests will: StartTLS and LDAPS verified against our CA; a wrong password must fail.
ldap_check_login() {
  local pwfile out
  pwfile=$(mktemp "$HOME_DIR/.ldappw.XXXXXX")
  read_secret "$HOME_DIR/ldap-admin.secret" >"$pwfile"
  out=$(LDAPTLS_CACERT="$HOME_DIR/ca.crt" LDAPTLS_REQCERT=demand ldapwhoami -x -ZZ -H "ldap://$LDAP_HOST:$LDAP_PORT" \
        -D "$LDAP_ADMIN_DN" -y "$pwfile" 2>&1) || { rm -f "$pwfile"; die "rotor-admin cannot bind (StartTLS): $out"; }
  LDAPTLS_CACERT="$HOME_DIR/ca.crt" LDAPTLS_REQCERT=demand ldapwhoami -x -H "ldaps://$LDAP_HOST:$LDAPS_PORT" \
    -D "$LDAP_ADMIN_DN" -y "$pwfile" >/dev/null 2>&1 || { rm -f "$pwfile"; die "rotor-admin cannot bind over LDAPS"; }
  printf 'wrong-' >"$pwfile.w"; cat "$pwfile" >>"$pwfile.w"
  if ldapwhoami -x -H "ldap://$LDAP_HOST:$LDAP_PORT" -D "$LDAP_ADMIN_DN" -y "$pwfile.w" >/dev/null 2>&1; then
    rm -f "$pwfile" "$pwfile.w"
    die "slapd accepted a wrong password for $LDAP_ADMIN_DN"
  fi
  rm -f "$pwfile" "$pwfile.w"
  log "OpenLDAP: $out (StartTLS and LDAPS verified); wrong password rejected"
}

# ---------------------------------------------------------------------------------------------------
# Samba AD DC

ad_ensure_installed() {
  if command -v samba >/dev/null && command -v samba-tool >/dev/null && command -v ldbmodify >/dev/null && command -v iconv >/dev/null; then
    return
  fi
  log "installing samba (AD DC)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q samba samba-ad-dc ldb-tools winbind
}

ad_pid() {
  local pid
  [[ -s $AD_DIR/run/samba.pid ]] || return 1
  pid=$(tr -dc '0-9' <"$AD_DIR/run/samba.pid")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */samba ]] || return 1
  printf '%s\n' "$pid"
}

ad_certs() {
  local d=$HOME_DIR
  if [[ -s $d/ad-server.crt && -s $d/ad-server.key ]] &&
     openssl x509 -noout -checkend 86400 -in "$d/ad-server.crt" >/dev/null 2>&1 &&
     openssl verify -CAfile "$d/ca.crt" "$d/ad-server.crt" >/dev/null 2>&1; then
    return
  fi
  AD_RESTART=1
  log "making the Samba AD certificate for 127.0.0.1/localhost (test CA $d/ca.crt)"
  openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$d/ad-server.key" -out "$d/ad-server.csr" 2>/dev/null
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >"$d/ad-server.ext"
  openssl x509 -req -sha256 -days 825 -in "$d/ad-server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$d/ad-server.ext" -out "$d/ad-server.crt" 2>/dev/null
  rm -f "$d/ad-server.csr" "$d/ad-server.ext"
  chmod 0600 "$d/ad-server.key"
  chmod 0644 "$d/ad-server.crt"
}

ad_provision() {
  if [[ -f $AD_DIR/private/sam.ldb && -f $AD_DIR/etc/smb.conf ]]; then return; fi
  rm -rf "$AD_DIR"
  install -d -m 0700 "$AD_DIR" "$AD_DIR/run"
  log "provisioning the Samba AD domain $AD_REALM in $AD_DIR"
  # no --adminpass: samba-tool picks a random one, which we replace below from ad-admin.secret
  samba-tool domain provision --realm="$AD_REALM" --domain=ROTOR --server-role=dc --dns-backend=NONE \
    --host-name=rotordc --targetdir="$AD_DIR" \
    --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
    --option="pid directory=$AD_DIR/run" \
    --option="tls enabled=yes" --option="tls keyfile=$HOME_DIR/ad-server.key" \
    --option="tls certfile=$HOME_DIR/ad-server.crt" --option="tls cafile=$HOME_DIR/ca.crt" \
    --option="server services=-dns -nbt -wrepl -ntp_signd -dnsupdate" \
    --option="old password allowed period=0" \
    2>&1 | grep -vi 'password' >"$AD_DIR/provision.log" || true
  [[ -f $AD_DIR/private/sam.ldb ]] || { tail -n 20 "$AD_DIR/provision.log" >&2; rm -rf "$AD_DIR"; die "samba-tool domain provision failed (see $AD_DIR/provision.log)"; }
  samba-tool domain passwordsettings set -H "$AD_DIR/private/sam.ldb" --complexity=on --min-pwd-length=8 \
    --history-length=3 --min-pwd-age=0 --max-pwd-age=0 >/dev/null
}

# Administrator's password from ad-admin.secret, written into sam.ldb (quoted UTF-16LE, base64 in LDIF on stdin).
ad_set_admin_password() {
  local value
  value=$(read_secret "$HOME_DIR/ad-admin.secret" | sed 's/^/"/; s/$/"/' | iconv -f UTF-8 -t UTF-16LE | base64 -w0)
  ldbmodify -H "$AD_DIR/private/sam.ldb" >/dev/null <<EOF || die "cannot set the Samba Administrator password"
dn: CN=Administrator,CN=Users,$AD_BASE_DN
changetype: modify
replace: unicodePwd
unicodePwd:: $value
EOF
}

ad_start() {
  log "starting Samba AD DC on 127.0.0.1 (ldap 389, ldaps 636)"
  samba -D -s "$AD_DIR/etc/smb.conf" >"$AD_DIR/samba.out" 2>&1 9>&- ||
    { tail -n 20 "$AD_DIR/samba.out" >&2; die "samba did not start (see $AD_DIR/samba.out)"; }
  local i
  for ((i = 0; i < 90; i++)); do
    ldapsearch -x -H ldap://127.0.0.1:389 -o nettimeout=2 -s base -b '' namingContexts >/dev/null 2>&1 && return
    sleep 0.5
  done
  die "Samba AD does not answer on 127.0.0.1:389 (see $AD_DIR/samba.out and $AD_DIR/private/../*.log)"
}

ad_stop() {
  local pid i
  if pid=$(ad_pid); then
    log "stopping Samba AD (pid $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < 60; i++)); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.5
    done
    die "samba (pid $pid) did not stop"
  else
    log "Samba AD ($AD_DIR) is not running"
  fi
}

ad_check_login() {
  local pwfile out
  pwfile=$(mktemp "$HOME_DIR/.adpw.XXXXXX")
  read_secret "$HOME_DIR/ad-admin.secret" >"$pwfile"
  # Samba has no WhoAmI extended operation: read our own entry instead
  out=$(LDAPTLS_CACERT="$HOME_DIR/ca.crt" LDAPTLS_REQCERT=demand ldapsearch -x -LLL -H ldaps://127.0.0.1:636 \
        -D "Administrator@rotor.test" -y "$pwfile" -s base -b "CN=Administrator,CN=Users,$AD_BASE_DN" userPrincipalName sAMAccountName 2>&1) ||
    { rm -f "$pwfile"; die "Administrator cannot bind to Samba AD over LDAPS: $out"; }
  out=$(grep -m1 '^dn:' <<<"$out")
  printf 'wrong-' >"$pwfile.w"; cat "$pwfile" >>"$pwfile.w"
  if LDAPTLS_CACERT="$HOME_DIR/ca.crt" ldapsearch -x -H ldaps://127.0.0.1:636 -D "Administrator@rotor.test" -y "$pwfile.w" \
       -s base -b "" namingContexts >/dev/null 2>&1; then
    rm -f "$pwfile" "$pwfile.w"
    die "Samba AD accepted a wrong password for Administrator"
  fi
  rm -f "$pwfile" "$pwfile.w"
  log "Samba AD: $out (LDAPS verified); wrong password rejected"
}

ad_start_all() {
  if [[ ${ROTOR_IT_SKIP_AD:-0} == 1 ]]; then log "Samba AD skipped (ROTOR_IT_SKIP_AD=1)"; return; fi
  AD_RESTART=0
  ensure_secret "$HOME_DIR/ad-admin.secret"
  ad_ensure_installed
  ad_certs
  ad_provision
  # Samba lets the OLD password log in (NTLM and simple binds) for 60 minutes after a change by default;
  # the tests prove that the old password fails, so that grace period is off here.
  if ! grep -q '^[[:space:]]*old password allowed period = 0' "$AD_DIR/etc/smb.conf"; then
    sed -i '/^\[global\]/a\\told password allowed period = 0' "$AD_DIR/etc/smb.conf"
    AD_RESTART=1
  fi
  # LDAP, CLDAP and the KDC only: no smbd (port 445), so an smbd of the machine's own samba package does not clash
  if ! grep -q '^[[:space:]]*server services = rpc, ldap, cldap, kdc, drepl, winbindd, kcc$' "$AD_DIR/etc/smb.conf"; then
    sed -i '/^[[:space:]]*server services[[:space:]]*=/d' "$AD_DIR/etc/smb.conf"
    sed -i '/^\[global\]/a\\tserver services = rpc, ldap, cldap, kdc, drepl, winbindd, kcc' "$AD_DIR/etc/smb.conf"
    AD_RESTART=1
  fi
  ad_set_admin_password
  if ad_pid >/dev/null; then
    if ((AD_RESTART)); then
      ad_stop
      ad_start
    else
      log "Samba AD already running"
    fi
  else
    ad_start
  fi
  ad_check_login
  AD_UP=1
}

# ---------------------------------------------------------------------------------------------------
# commands

write_env() {
  cat >"$HOME_DIR/targets.env.tmp" <<EOF
PG_HOST=$PG_HOST
PG_PORT=$PG_PORT
PG_ADMIN_USER=$ADMIN
PG_DATABASE=$PG_DATABASE
PG_CA_FILE=$HOME_DIR/ca.crt
MARIADB_HOST=$MARIA_HOST
MARIADB_PORT=$MARIA_PORT
MARIADB_ADMIN_USER=$ADMIN
LDAP_HOST=$LDAP_HOST
LDAP_PORT=$LDAP_PORT
LDAPS_PORT=$LDAPS_PORT
LDAP_BASE_DN=$LDAP_SUFFIX
LDAP_PEOPLE_DN=ou=people,$LDAP_SUFFIX
LDAP_POLICIES_DN=ou=policies,$LDAP_SUFFIX
LDAP_ADMIN_DN=$LDAP_ADMIN_DN
LDAP_CA_FILE=$HOME_DIR/ca.crt
SSH_HOST=$SSH_HOST
SSH_PORT=$SSH_PORT
SSH_KNOWN_HOSTS=$SSH_DIR/known_hosts
SSH_ADMIN_USER=$SSH_ADMIN
SSH_SU_USER=$SSH_SUROOT
TELNET_HOST=$TELNET_HOST
TELNET_PORT=$TELNET_PORT
SSH_USERS=$(seq -s, -f 'rotor_it_ssh_%g' 1 "$SSH_USER_COUNT")
EOF
  if ((${AD_UP:-0})); then
    cat >>"$HOME_DIR/targets.env.tmp" <<EOF
AD_HOST=127.0.0.1
AD_LDAP_PORT=389
AD_LDAPS_PORT=636
AD_BASE_DN=$AD_BASE_DN
AD_USERS_DN=CN=Users,$AD_BASE_DN
AD_UPN_SUFFIX=rotor.test
AD_ADMIN_USER=Administrator
AD_CA_FILE=$HOME_DIR/ca.crt
EOF
  fi
  chmod 0644 "$HOME_DIR/targets.env.tmp"
  mv -f "$HOME_DIR/targets.env.tmp" "$HOME_DIR/targets.env"
  # the LDAP part also on its own, so that tests find it whichever version of this script wrote targets.env
  grep -E '^(LDAPS?|AD)_' "$HOME_DIR/targets.env" >"$LDAP_DIR/ldap.env.tmp"
  chmod 0644 "$LDAP_DIR/ldap.env.tmp"
  mv -f "$LDAP_DIR/ldap.env.tmp" "$LDAP_DIR/ldap.env"
  # the SSH part alone too: a targets.sh without it (an older checkout) rewrites targets.env
  grep -E '^(SSH|TELNET)_' "$HOME_DIR/targets.env" >"$HOME_DIR/ssh.env.tmp"
  chmod 0644 "$HOME_DIR/ssh.env.tmp"
  mv -f "$HOME_DIR/ssh.env.tmp" "$HOME_DIR/ssh.env"
}

ldap_start_all() {
  for p in "$LDAP_PORT" "$LDAPS_PORT"; do
    [[ $p =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "bad LDAP port: $p"
  done
  LDAP_RESTART=0
  ldap_ensure_installed
  ldap_certs
  ldap_init
  if ldap_running; then
    if ((LDAP_RESTART)); then
      log "slapd certificate changed: restarting"
      ldap_stop
      ldap_start
    else
      log "slapd already running"
    fi
  else
    ldap_start
  fi
  ldap_setup_tree
  ldap_check_login
}

cmd_start() {
  require_root
  [[ $PG_PORT =~ ^[0-9]+$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) || die "bad ROTOR_IT_PG_PORT: $PG_PORT"
  PG_BIN=$(pg_bin)
  prepare_home
  lock_home
  rm -f "$HOME_DIR/targets.env"
  ensure_secret "$HOME_DIR/pg-admin.secret"
  ensure_secret "$HOME_DIR/mariadb-admin.secret"
  ensure_secret "$HOME_DIR/ldap-admin.secret"

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

  maria_ensure_installed
  maria_ensure_running
  maria_root_detect || die "$NO_MARIA_ROOT"
  maria_fix_anonymous
  maria_probe
  maria_setup_admin

  ldap_start_all
  ad_start_all
  cmd_start_ssh
  cmd_start_telnet

  write_env
  log "ready: $HOME_DIR/targets.env"
}

cmd_stop() {
  require_root
  PG_BIN=$(pg_bin)
  if [[ -d $HOME_DIR ]]; then
    lock_home
    rm -f "$HOME_DIR/targets.env"
    pg_stop
    ldap_stop
    ad_stop
  else
    log "$HOME_DIR does not exist: no PostgreSQL cluster or slapd to stop"
  fi
  if command -v mariadb >/dev/null; then maria_drop_users; fi
  if [[ -d $SSH_DIR ]]; then ssh_stop; telnet_stop; fi
  ssh_remove_accounts
  log "stopped (MariaDB itself keeps running; data and secrets stay in $HOME_DIR)"
}

cmd_status() {
  local up=0 pid users
  require_root
  PG_BIN=$(pg_bin)
  if pg_running; then
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    echo "postgresql: running  $PG_HOST:$PG_PORT  pid $pid  data $PG_DATA"
  elif [[ -f $PG_DATA/PG_VERSION ]]; then
    echo "postgresql: stopped  data $PG_DATA"; up=3
  else
    echo "postgresql: no cluster in $PG_DATA"; up=3
  fi
  if command -v mariadb >/dev/null && maria_alive; then
    users=""
    if maria_root_detect; then
      users=$(maria_sql <<<"SELECT GROUP_CONCAT(CONCAT(QUOTE(user),'@',QUOTE(host)) ORDER BY host SEPARATOR ' ') FROM mysql.global_priv WHERE user = '$ADMIN'")
    fi
    [[ -n $users && $users != NULL ]] || { users="(no rotor_admin accounts)"; up=3; }
    echo "mariadb:    running  $MARIA_HOST:$MARIA_PORT  $users"
  else
    echo "mariadb:    not answering on $MARIA_HOST:$MARIA_PORT"; up=3
  fi
  if pid=$(ldap_pid); then
    echo "openldap:   running  ldap://$LDAP_HOST:$LDAP_PORT ldaps://$LDAP_HOST:$LDAPS_PORT  pid $pid  config $LDAP_DIR"
  elif [[ -f $LDAP_DIR/slapd.d/cn=config.ldif ]]; then
    echo "openldap:   stopped  config $LDAP_DIR"; up=3
  else
    echo "openldap:   not set up in $LDAP_DIR"; up=3
  fi
  if [[ ${ROTOR_IT_SKIP_AD:-0} != 1 ]]; then
    if pid=$(ad_pid); then
      echo "samba-ad:   running  ldap://127.0.0.1:389 ldaps://127.0.0.1:636  pid $pid  dir $AD_DIR"
    elif [[ -f $AD_DIR/private/sam.ldb ]]; then
      echo "samba-ad:   stopped  dir $AD_DIR"; up=3
    else
      echo "samba-ad:   not provisioned in $AD_DIR"; up=3
    fi
  fi
  cmd_status_ssh || up=3
  cmd_status_telnet || up=3
  if [[ -f $HOME_DIR/targets.env ]]; then
    echo "targets.env: $HOME_DIR/targets.env"
  else
    echo "targets.env: absent (run scripts/targets.sh start)"; up=3
  fi
  return $up
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
