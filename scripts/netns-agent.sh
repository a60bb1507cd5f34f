#!/usr/bin/env bash
# The network of AgentNetnsIT (docs/architecture.md, "Agents"), run as root:
#
#   root namespace (rotor serve)  10.231.71.1 --veth-- 10.231.71.2  rotoragt_a (the agent)
#                                                      10.231.72.1 --veth-- 10.231.72.2  rotoragt_t (PostgreSQL)
#
# The agent's namespace forwards nothing and the root namespace has no route to 10.231.72.0/30, so only the agent
# reaches the target. PostgreSQL is a cluster made here (initdb into STATE/pg), SCRAM only, listening on
# 10.231.72.2:$PORT inside rotoragt_t. The root namespace gets an `unreachable` route for 10.231.72.0/30.
#
#   netns-agent.sh up STATE PORT ADMIN_SECRET_FILE   namespaces, veths, PostgreSQL; admin role rotor_it_agt_admin
#   netns-agent.sh role STATE PORT USER SECRET_FILE  creates/resets a login role (SQL on stdin, never argv)
#   netns-agent.sh login STATE PORT USER SECRET_FILE exit 0 when USER logs in from the agent's namespace
#   netns-agent.sh down STATE                        stops PostgreSQL, removes namespaces, veths and STATE
# Secrets come in 0600 files and reach psql only through a password file or stdin.
set -euo pipefail

AGENT_NS=rotoragt_a
TARGET_NS=rotoragt_t
HOST_VETH=rotoragt_h0
TARGET_IP=10.231.72.2
PG_BIN=${ROTOR_IT_PG_BIN:-/usr/lib/postgresql/15/bin}
ADMIN=rotor_it_agt_admin

die() { echo "netns-agent: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (ip netns)"
as_pg() { runuser -u postgres -- "$@"; }

cmd=${1:-}
state=${2:-}
[[ -n $state ]] || die "usage: $0 up|role|login|down STATE ..."

psql_admin() { # SQL on stdin, over the target's unix socket as the bootstrap superuser
  ip netns exec "$TARGET_NS" runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$state/run" -p "$1" -U postgres -d postgres -At
}

sql_literal() { local s; s=$(cat "$1"); printf "'%s'" "${s//\'/\'\'}"; }

case $cmd in
up)
  port=$3 secret=$4
  mkdir -p "$state"
  ip netns add "$AGENT_NS"
  ip netns add "$TARGET_NS"
  ip link add "$HOST_VETH" type veth peer name rotoragt_a0
  ip link set rotoragt_a0 netns "$AGENT_NS"
  ip link add rotoragt_a1 netns "$AGENT_NS" type veth peer name rotoragt_t0 netns "$TARGET_NS"
  ip addr add 10.231.71.1/30 dev "$HOST_VETH"; ip link set "$HOST_VETH" up
  ip -n "$AGENT_NS" addr add 10.231.71.2/30 dev rotoragt_a0
  ip -n "$AGENT_NS" addr add 10.231.72.1/30 dev rotoragt_a1
  ip -n "$TARGET_NS" addr add "$TARGET_IP"/30 dev rotoragt_t0
  for l in lo rotoragt_a0 rotoragt_a1; do ip -n "$AGENT_NS" link set "$l" up; done
  for l in lo rotoragt_t0; do ip -n "$TARGET_NS" link set "$l" up; done
  ip netns exec "$AGENT_NS" sysctl -q -w net.ipv4.ip_forward=0
  # the server's side: the target's network is unreachable, explicitly (no packet leaves by a default route)
  ip route add unreachable 10.231.72.0/30
  install -d -o postgres -g postgres -m 0700 "$state/pg" "$state/run"
  chmod 0755 "$state"
  as_pg "$PG_BIN/initdb" -D "$state/pg" -U postgres -E UTF8 --locale=C --auth-local=peer \
    --auth-host=scram-sha-256 --no-instructions >"$state/initdb.log" 2>&1 || { tail "$state/initdb.log" >&2; die "initdb failed"; }
  cat >>"$state/pg/postgresql.conf" <<CONF
listen_addresses = '$TARGET_IP'
port = $port
unix_socket_directories = '$state/run'
password_encryption = 'scram-sha-256'
log_statement = 'none'
log_min_error_statement = 'panic'
CONF
  printf 'local all postgres peer\nhost all all 10.231.72.0/30 scram-sha-256\n' >"$state/pg/pg_hba.conf"
  ip netns exec "$TARGET_NS" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$state/pg" -l "$state/run/pg.log" -w -t 60 start >/dev/null ||
    { tail "$state/run/pg.log" >&2; die "PostgreSQL did not start"; }
  psql_admin "$port" <<SQL
CREATE ROLE $ADMIN SUPERUSER LOGIN PASSWORD $(sql_literal "$secret");
SQL
  ;;
role)
  port=$3 user=$4 secret=$5
  [[ $user =~ ^rotor_it_agt_[a-z0-9_]+$ ]] || die "role names start with rotor_it_agt_"
  psql_admin "$port" <<SQL
SELECT 'CREATE ROLE $user LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user')
\gexec
ALTER ROLE $user LOGIN PASSWORD $(sql_literal "$secret");
SQL
  ;;
login)
  port=$3 user=$4 secret=$5
  passfile=$(mktemp "$state/.pgpass.XXXXXX")
  trap 'rm -f "$passfile"' EXIT
  printf '%s:%s:*:%s:%s\n' "$TARGET_IP" "$port" "$user" "$(cat "$secret")" >"$passfile"
  PGPASSFILE=$passfile PGCONNECT_TIMEOUT=10 ip netns exec "$AGENT_NS" psql -X -At -c 'SELECT current_user' \
    "host=$TARGET_IP port=$port dbname=postgres user=$user sslmode=disable" >/dev/null 2>&1
  ;;
down)
  if [[ -f $state/pg/postmaster.pid ]]; then
    ip netns exec "$TARGET_NS" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$state/pg" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      kill -9 "$(head -n 1 "$state/pg/postmaster.pid")" 2>/dev/null || true
  fi
  ip link del "$HOST_VETH" 2>/dev/null || true
  ip route del unreachable 10.231.72.0/30 2>/dev/null || true
  ip netns del "$TARGET_NS" 2>/dev/null || true
  ip netns del "$AGENT_NS" 2>/dev/null || true
  rm -rf "$state"
  ;;
*) die "unknown command '$cmd' (up, role, login, down)" ;;
esac
