# shellcheck shell=bash
# telnet target of scripts/targets.sh (sourced; constants and functions only).
#
# inetutils telnetd behind socat on 127.0.0.1:${ROTOR_IT_TELNET_PORT:-2323} (socat accepts on loopback
# only and execs telnetd on the connection's socket, as inetd would); the system inetd's telnet line
# stays off. The accounts are the SSH ones (rotor_it_ssh_*, see sshd.sh), through /bin/login.

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
