# shellcheck shell=bash
# OpenLDAP target of scripts/targets.sh (sourced; constants and functions only).
#
# Our own slapd (Debian slapd, installed if missing), config in $ROTOR_IT_HOME/ldap, suffix
# dc=rotor,dc=test, ldap://127.0.0.1:${ROTOR_IT_LDAP_PORT:-3389} (StartTLS offered) and
# ldaps://127.0.0.1:${ROTOR_IT_LDAPS_PORT:-3636}, certificate from the same test CA, ppolicy
# overlay on (default policy cn=default,ou=policies: pwdMinLength 8, pwdCheckQuality 2,
# pwdInHistory 3), admin cn=rotor-admin,dc=rotor,dc=test (write access, not the rootdn, so
# the policy applies to it). Root work goes over ldapi:// with SASL EXTERNAL. Size limits for the
# admin like a production directory's: 500 entries per plain search, any number page by page (RFC 2696),
# so a discovery that does not page is cut off.
# The Debian package's own slapd service is never started (debconf: no configuration).

readonly LDAP_HOST=127.0.0.1
readonly LDAP_PORT="${ROTOR_IT_LDAP_PORT:-3389}"
readonly LDAPS_PORT="${ROTOR_IT_LDAPS_PORT:-3636}"
readonly LDAP_DIR="$HOME_DIR/ldap"
readonly LDAP_SUFFIX="dc=rotor,dc=test"
readonly LDAP_ADMIN_DN="cn=rotor-admin,$LDAP_SUFFIX"
readonly LDAP_ROOT_AUTHZ="gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth"
readonly LDAP_ADMIN_LIMITS="dn.exact=\"$LDAP_ADMIN_DN\" size.soft=500 size.hard=500 size.prtotal=unlimited"

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
olcLimits: $LDAP_ADMIN_LIMITS

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

# Configs made before the limits were part of ldap_init get them here (cn=config changes apply live).
ldap_limits() {
  ldapsearch -Q -LLL -Y EXTERNAL -H "$(ldapi_url)" -b 'olcDatabase={1}mdb,cn=config' -s base olcLimits |
    grep -q 'size.prtotal=unlimited' && return
  log "slapd: size limits for $LDAP_ADMIN_DN (500 per plain search, paged searches unlimited)"
  ldap_root >/dev/null <<EOF || die "cannot set the slapd size limits"
dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcLimits
olcLimits: $LDAP_ADMIN_LIMITS
EOF
}

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
  ldap_limits
  ldap_setup_tree
  ldap_check_login
}

# The OpenLDAP line of `status`; returns 3 when slapd does not run.
cmd_status_ldap() {
  local pid rc=0
  if pid=$(ldap_pid); then
    echo "openldap:   running  ldap://$LDAP_HOST:$LDAP_PORT ldaps://$LDAP_HOST:$LDAPS_PORT  pid $pid  config $LDAP_DIR"
  elif [[ -f $LDAP_DIR/slapd.d/cn=config.ldif ]]; then
    echo "openldap:   stopped  config $LDAP_DIR"; rc=3
  else
    echo "openldap:   not set up in $LDAP_DIR"; rc=3
  fi
  return $rc
}
