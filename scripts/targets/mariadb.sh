# shellcheck shell=bash
# MariaDB target of scripts/targets.sh (sourced; constants and functions only).
#
# The machine's server on 127.0.0.1:3306 (installed/started if needed), accounts rotor_admin@'%' and
# rotor_admin@'localhost'. Test users that tests create in MariaDB must be named rotor_it_*: `stop`
# drops them (and rotor_admin); MariaDB itself keeps running.

readonly MARIA_HOST=127.0.0.1
readonly MARIA_PORT=3306

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

# The MariaDB part of `start`.
maria_start_all() {
  maria_ensure_installed
  maria_ensure_running
  maria_root_detect || die "$NO_MARIA_ROOT"
  maria_fix_anonymous
  maria_probe
  maria_setup_admin
}

# The MariaDB line of `status`; returns 3 when the server does not answer or rotor_admin is missing.
cmd_status_maria() {
  local users rc=0
  if command -v mariadb >/dev/null && maria_alive; then
    users=""
    if maria_root_detect; then
      # `|| exit`: a failing query ends `status` with its error, as set -e would; set -e is off
      # here because cmd_status runs `cmd_status_maria || up=3`
      users=$(maria_sql <<<"SELECT GROUP_CONCAT(CONCAT(QUOTE(user),'@',QUOTE(host)) ORDER BY host SEPARATOR ' ') FROM mysql.global_priv WHERE user = '$ADMIN'") || exit
    fi
    [[ -n $users && $users != NULL ]] || { users="(no rotor_admin accounts)"; rc=3; }
    echo "mariadb:    running  $MARIA_HOST:$MARIA_PORT  $users"
  else
    echo "mariadb:    not answering on $MARIA_HOST:$MARIA_PORT"; rc=3
  fi
  return $rc
}
