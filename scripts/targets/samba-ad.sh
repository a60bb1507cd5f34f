# shellcheck shell=bash
# Samba AD target of scripts/targets.sh (sourced; constants and functions only).
#
# An Active Directory domain controller (Debian samba, samba-ad-dc, installed if missing),
# realm ROTOR.TEST (DC=rotor,DC=test), provisioned into $ROTOR_IT_HOME/samba, listening on
# 127.0.0.1 only. Samba cannot move its LDAP ports, so it takes 127.0.0.1:389 (StartTLS) and
# :636 (LDAPS), plus 88 (KDC); no smbd (445); certificate from the test CA. Administrator's
# password is ad-admin.secret (written straight into sam.ldb, never on a command line).
# Password settings: complexity on, min length 8, history 3, minimum age 0.
# ROTOR_IT_SKIP_AD=1 leaves it out (start, status and targets.env).

readonly AD_DIR="$HOME_DIR/samba"
readonly AD_REALM=ROTOR.TEST
readonly AD_BASE_DN="DC=rotor,DC=test"

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

# shellcheck disable=SC2034 # AD_UP is read by write_env (common.sh)
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

# The Samba AD line of `status` (none with ROTOR_IT_SKIP_AD=1); returns 3 when samba does not run.
cmd_status_ad() {
  local pid rc=0
  if [[ ${ROTOR_IT_SKIP_AD:-0} != 1 ]]; then
    if pid=$(ad_pid); then
      echo "samba-ad:   running  ldap://127.0.0.1:389 ldaps://127.0.0.1:636  pid $pid  dir $AD_DIR"
    elif [[ -f $AD_DIR/private/sam.ldb ]]; then
      echo "samba-ad:   stopped  dir $AD_DIR"; rc=3
    else
      echo "samba-ad:   not provisioned in $AD_DIR"; rc=3
    fi
  fi
  return $rc
}
