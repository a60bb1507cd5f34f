# shellcheck shell=bash
# AWS IAM/STS target of scripts/targets.sh: moto's server (moto 5.2, the machine's python3), on
# 127.0.0.1:${ROTOR_IT_MOTO_PORT:-5055}, state in memory only (a restart starts from scratch).
#
# Sourced by scripts/targets.sh (constants and functions only), or run on its own:
#   scripts/targets/moto.sh start|stop|status
# which starts only this target (for a developer working on the aws-iam connector).
#
# Signature checking is ON: INITIAL_NO_AUTH_ACTION_COUNT=4 lets exactly the first four requests through
# unsigned; we spend all four here (create rotor_it_aws_admin, give it an inline "*" policy, create its access
# key, list users), so every later request must be SigV4-signed by a key moto issued, and IAM policies are
# enforced. The admin key goes to $ROTOR_IT_HOME/moto-admin.secret (0600, "AKIA...:secret", the form an
# aws-iam account's secret has) and never to an argument or a log; the facts go to targets.env (MOTO_*).
# Known gap of moto (not of AWS): a key set Inactive still signs requests; tests prove revocation after delete.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  umask 077
  # shellcheck source=common.sh
  source "$(dirname -- "$(realpath -e -- "${BASH_SOURCE[0]}")")/common.sh"
fi

readonly MOTO_HOST=127.0.0.1
readonly MOTO_PORT="${ROTOR_IT_MOTO_PORT:-5055}"
readonly MOTO_DIR="$HOME_DIR/moto"
readonly MOTO_PID="$MOTO_DIR/moto.pid"
readonly MOTO_ADMIN=rotor_it_aws_admin
readonly MOTO_SECRET="$HOME_DIR/moto-admin.secret"

moto_ensure_installed() {
  python3 -c 'import moto.server' 2>/dev/null ||
    die "python3 cannot import moto (needs moto[server] 5.2 in the machine's python3: pip install 'moto[server]==5.2.*')"
}

moto_running() { [[ -s $MOTO_PID ]] && kill -0 "$(<"$MOTO_PID")" 2>/dev/null; }

moto_answers() { (exec 3<>"/dev/tcp/$MOTO_HOST/$MOTO_PORT") 2>/dev/null; }

# The four unsigned requests moto allows: the admin user, its inline "*" policy, its key, and one more
# (ListUsers) so that no unsigned request is left for anyone else. The secret goes to a 0600 file only.
moto_bootstrap() {
  ROTOR_MOTO_ENDPOINT="http://$MOTO_HOST:$MOTO_PORT" ROTOR_MOTO_ADMIN="$MOTO_ADMIN" ROTOR_MOTO_SECRET="$MOTO_SECRET" \
  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=bootstrap-only-not-a-key AWS_DEFAULT_REGION=us-east-1 \
    python3 - <<'EOF'
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["ROTOR_MOTO_ENDPOINT"], region_name="us-east-1")
name = os.environ["ROTOR_MOTO_ADMIN"]
iam.create_user(UserName=name)
iam.put_user_policy(UserName=name, PolicyName="rotor-it-admin-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName=name)["AccessKey"]
iam.list_users()
path = os.environ["ROTOR_MOTO_SECRET"]
fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    f.write(key["AccessKeyId"] + ":" + key["SecretAccessKey"])
os.replace(path + ".tmp", path)
EOF
}

# An unsigned request must now be refused: otherwise signature checking is off and the tests would prove nothing.
moto_check_enforcing() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00' \
    --data 'Action=ListUsers&Version=2010-05-08' "http://$MOTO_HOST:$MOTO_PORT/") || true
  [[ $code == 403 ]] || die "moto answered an unsigned ListUsers with HTTP $code, not 403: signature checking is off"
}

cmd_start_moto() {
  local i
  moto_ensure_installed
  [[ $MOTO_PORT =~ ^[0-9]+$ ]] && ((MOTO_PORT > 0 && MOTO_PORT < 65536)) || die "bad ROTOR_IT_MOTO_PORT: $MOTO_PORT"
  mkdir -p "$MOTO_DIR"
  chmod 0700 "$MOTO_DIR"
  if moto_running && [[ -s $MOTO_SECRET ]]; then
    log "moto already running"
  else
    if moto_running; then kill "$(<"$MOTO_PID")" || true; sleep 1; fi
    moto_answers && die "something else listens on $MOTO_HOST:$MOTO_PORT; set ROTOR_IT_MOTO_PORT"
    log "starting moto on $MOTO_HOST:$MOTO_PORT (signature checking after 4 unsigned calls)"
    rm -f "$MOTO_SECRET"
    INITIAL_NO_AUTH_ACTION_COUNT=4 setsid python3 -m moto.server -H "$MOTO_HOST" -p "$MOTO_PORT" \
      >>"$MOTO_DIR/moto.log" 2>&1 </dev/null 9>&- &
    echo $! >"$MOTO_PID"
    for ((i = 0; i < 100; i++)); do
      moto_answers && break
      moto_running || die "moto exited (see $MOTO_DIR/moto.log)"
      sleep 0.2
    done
    moto_answers || die "moto does not answer on $MOTO_HOST:$MOTO_PORT (see $MOTO_DIR/moto.log)"
    moto_bootstrap || die "could not create the moto admin user (see $MOTO_DIR/moto.log)"
  fi
  moto_check_enforcing
  log "moto answers on $MOTO_HOST:$MOTO_PORT and refuses unsigned requests"
}

# MOTO_* lines of targets.env (replaced, the rest kept) and moto.env on its own.
moto_write_env() {
  local env=$HOME_DIR/targets.env
  {
    printf 'MOTO_ENDPOINT=http://%s:%s\n' "$MOTO_HOST" "$MOTO_PORT"
    printf 'MOTO_HOST=%s\nMOTO_PORT=%s\n' "$MOTO_HOST" "$MOTO_PORT"
    printf 'MOTO_ADMIN_USER=%s\nMOTO_ADMIN_KEY_FILE=%s\n' "$MOTO_ADMIN" "$MOTO_SECRET"
  } >"$HOME_DIR/moto.env.tmp"
  chmod 0644 "$HOME_DIR/moto.env.tmp"
  mv -f "$HOME_DIR/moto.env.tmp" "$HOME_DIR/moto.env"
  if [[ -f $env ]]; then
    { grep -v '^MOTO_' "$env" || true; cat "$HOME_DIR/moto.env"; } >"$env.tmp"
    chmod 0644 "$env.tmp"
    mv -f "$env.tmp" "$env"
  fi
}

moto_remove_env() {
  local env=$HOME_DIR/targets.env
  rm -f "$HOME_DIR/moto.env"
  if [[ -f $env ]]; then
    { grep -v '^MOTO_' "$env" || true; } >"$env.tmp"
    chmod 0644 "$env.tmp"
    mv -f "$env.tmp" "$env"
  fi
}

moto_stop() {
  if moto_running; then
    log "stopping moto (pid $(<"$MOTO_PID"))"
    kill "$(<"$MOTO_PID")" || true
  fi
  rm -f "$MOTO_PID" "$MOTO_SECRET"
  moto_remove_env
}

cmd_status_moto() {
  if moto_running && moto_answers; then
    echo "moto:       running  $MOTO_HOST:$MOTO_PORT  pid $(<"$MOTO_PID")"
  else
    echo "moto:       not running"
    return 3
  fi
}

# Run on its own: only this target.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case "${1:-}" in
    start) [[ -d $HOME_DIR ]] || prepare_home; lock_home; cmd_start_moto; moto_write_env; log "ready: $HOME_DIR/moto.env" ;;
    stop) lock_home; moto_stop ;;
    status) cmd_status_moto ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
  esac
fi
