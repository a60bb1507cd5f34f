# shellcheck shell=bash
# Shared by every target of scripts/targets.sh, which sources this file before the target files: the
# state directory ($ROTOR_IT_HOME, default /tmp/rotor-it), logging, root check, the secret files, the
# lock, the test CA and targets.env. Constants and functions only: sourcing it starts nothing.
#
# Passwords are random, live in $ROTOR_IT_HOME/*.secret (0600), and reach the servers only through
# stdin or files: never an argument of any process.

HOME_DIR=$(realpath -m -- "${ROTOR_IT_HOME:-/tmp/rotor-it}")
readonly HOME_DIR
readonly ADMIN=rotor_admin
readonly MARKER="$HOME_DIR/.rotor-it"

log() { printf 'targets: %s\n' "$*" >&2; }
die() { printf 'targets: ERROR: %s\n' "$*" >&2; exit 1; }

require_root() { [[ $EUID -eq 0 ]] || die "run me as root (I run initdb/pg_ctl as the postgres user)"; }

# Runs a command as the postgres user: PostgreSQL's tools, and prepare_home (postgres owns $HOME_DIR).
as_pg() { runuser -u postgres -- "$@"; }

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
# Test CA: made here together with PostgreSQL's server certificate (the first target to start);
# slapd's and Samba's certificates (ldap_certs, ad_certs) are signed by the same CA, $HOME_DIR/ca.crt.

# Sets PG_RESTART=1 when it (re)made the certificates.
# shellcheck disable=SC2034 # PG_RESTART is read by pg_start_all (postgresql.sh)
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

# ---------------------------------------------------------------------------------------------------
# $HOME_DIR/targets.env: what the tests read (no secrets), written last by `start`.

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
