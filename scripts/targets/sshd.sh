# shellcheck shell=bash
# OpenSSH target of scripts/targets.sh (sourced; constants and functions only).
#
# A dedicated sshd (its own config, host keys and pid under $ROTOR_IT_HOME/ssh) on
# 127.0.0.1:${ROTOR_IT_SSH_PORT:-2222}, never the system's. Real Linux accounts:
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
