#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start, stop and inspect the REAL targets that the *IT tests talk to.
#
#   scripts/targets.sh start    create/start everything (idempotent), write $ROTOR_IT_HOME/targets.env
#   scripts/targets.sh stop     stop our PostgreSQL cluster and sshd, drop the test users in MariaDB and Linux
#   scripts/targets.sh status   print what runs (exit 0 when everything is up, 3 otherwise)
#
# Runs as root on Debian 12. Everything listens on loopback only. One file per target under
# scripts/targets/ (sourced below; each describes its target in its header):
#   common.sh      $ROTOR_IT_HOME, log/die, secrets, the test CA, the lock, targets.env
#   postgresql.sh  a dedicated cluster on 127.0.0.1:55432 (SCRAM only, TLS)
#   mariadb.sh     the machine's MariaDB on 127.0.0.1:3306
#   openldap.sh    our own slapd on 127.0.0.1:3389 (StartTLS) and :3636 (LDAPS), ppolicy on
#   samba-ad.sh    a Samba AD domain controller on 127.0.0.1:389/636
#   sshd.sh        a dedicated sshd on 127.0.0.1:2222 and the rotor_it_* Linux accounts
#   telnetd.sh     inetutils telnetd behind socat on 127.0.0.1:2323
#   moto.sh        moto's AWS server (IAM, STS) on 127.0.0.1:5055, signature checking on; runs alone too
# Passwords are random, live in $ROTOR_IT_HOME/*.secret (0600), and reach the servers only through
# stdin or files: never an argument of any process.
#
# Environment: ROTOR_IT_HOME (default /tmp/rotor-it), ROTOR_IT_PG_PORT (default 55432),
#              ROTOR_IT_LDAP_PORT (default 3389), ROTOR_IT_LDAPS_PORT (default 3636),
#              ROTOR_IT_PG_BIN (default /usr/lib/postgresql/15/bin, else the newest installed),
#              ROTOR_IT_SSH_PORT (default 2222), ROTOR_IT_TELNET_PORT (default 2323),
#              ROTOR_IT_SKIP_AD=1 (no Samba AD), ROTOR_IT_MOTO_PORT (default 5055).
# Test users that tests create in MariaDB must be named rotor_it_*: `stop` drops them.
set -euo pipefail
umask 077

# Resolved before the `cd /` below; ROTOR_IT_HOME is resolved in common.sh, also before it.
TARGETS_LIB=$(dirname -- "$(realpath -e -- "${BASH_SOURCE[0]}")")/targets
readonly TARGETS_LIB
# shellcheck source=targets/common.sh
source "$TARGETS_LIB/common.sh"
# shellcheck source=targets/postgresql.sh
source "$TARGETS_LIB/postgresql.sh"
# shellcheck source=targets/mariadb.sh
source "$TARGETS_LIB/mariadb.sh"
# shellcheck source=targets/openldap.sh
source "$TARGETS_LIB/openldap.sh"
# shellcheck source=targets/samba-ad.sh
source "$TARGETS_LIB/samba-ad.sh"
# shellcheck source=targets/sshd.sh
source "$TARGETS_LIB/sshd.sh"
# shellcheck source=targets/telnetd.sh
source "$TARGETS_LIB/telnetd.sh"
# shellcheck source=targets/moto.sh
source "$TARGETS_LIB/moto.sh"

# Settings from the caller's environment must not redirect our clients somewhere else.
for v in $(compgen -e); do
  case $v in PG*|MYSQL_*|MARIADB_*|LDAP*) unset "$v" ;; esac
done
# runuser keeps the working directory; postgres may not be allowed into the caller's one.
cd /

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

  pg_start_all
  maria_start_all
  ldap_start_all
  ad_start_all
  cmd_start_ssh
  cmd_start_telnet
  cmd_start_moto

  write_env
  moto_write_env
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
  if [[ -d $MOTO_DIR ]]; then moto_stop; fi
  ssh_remove_accounts
  log "stopped (MariaDB itself keeps running; data and secrets stay in $HOME_DIR)"
}

cmd_status() {
  local up=0
  require_root
  PG_BIN=$(pg_bin)
  cmd_status_pg || up=3
  cmd_status_maria || up=3
  cmd_status_ldap || up=3
  cmd_status_ad || up=3
  cmd_status_ssh || up=3
  cmd_status_telnet || up=3
  cmd_status_moto || up=3
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
