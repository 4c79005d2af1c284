#!/usr/bin/env bash
# sshd.sh runs a throwaway OpenSSH server on 127.0.0.1 for berth's ssh://
# end-to-end test: a login there runs a docker CLI that reaches the engine
# named by the caller's DOCKER_HOST, which is what ssh://user@host means.
#
#   DOCKER_HOST=unix:///... scripts/sshd.sh ensure
#       install what is missing (openssh-server, a docker CLI), make the key
#       pairs, start sshd on a free port (or keep the one already running with
#       the same settings); stdout is KEY=VALUE lines only:
#         BERTH_SSH_PORT   the port sshd listens on, on 127.0.0.1
#         BERTH_SSH_USER   the user to log in as (the caller)
#         BERTH_SSH_PATH   a folder whose "ssh" uses the throwaway key and a
#                          known_hosts that already holds the server's key, so
#                          no prompt appears and host keys are still checked
#   scripts/sshd.sh stop
#
# BERTH_SSHD_DIR (default /tmp/berth-sshd) holds keys, config, pid and log.
# Nothing outside it is changed: the user's own ~/.ssh is left alone.
set -euo pipefail
shopt -s inherit_errexit

BASE=$(realpath -m "${BERTH_SSHD_DIR:-/tmp/berth-sshd}")
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
FIRST_PORT=22022
LAST_PORT=22122
READY_TIMEOUT=10 # seconds for a fresh sshd to send its banner

log() { printf 'sshd.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# --- packages -----------------------------------------------------------------

apt_install() {
	[[ $(id -u) == 0 ]] || die "installing $* needs root"
	export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
	apt-get update -qq >&2
	# Keep the package's scripts from starting the system's own sshd.
	local blocker=/usr/sbin/policy-rc.d added= rc=0
	if [[ ! -e $blocker ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$blocker" && chmod +x "$blocker" && added=1
	fi
	apt-get install -y -qq --no-install-recommends "$@" >&2 || rc=$?
	[[ -n $added ]] && rm -f "$blocker"
	return "$rc"
}

ensure_packages() {
	local missing=()
	command -v sshd >/dev/null || missing+=(openssh-server)
	command -v ssh >/dev/null || missing+=(openssh-client)
	command -v ssh-keygen >/dev/null || missing+=(openssh-client)
	command -v docker >/dev/null || missing+=(docker.io)
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt_install "${missing[@]}" || die "could not install ${missing[*]}"
	fi
}

# --- keys and config ------------------------------------------------------------

ensure_keys() {
	mkdir -p "$BASE/client" "$BASE/bin"
	chmod 700 "$BASE" "$BASE/client"
	[[ -f $BASE/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C berth-sshd-host -f "$BASE/host_ed25519" >&2
	[[ -f $BASE/client/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C berth-e2e -f "$BASE/client/id_ed25519" >&2
	cp "$BASE/client/id_ed25519.pub" "$BASE/authorized_keys"
}

# server_config PORT prints sshd_config. SetEnv hands the session the engine
# address; StrictModes is off because the key files live under /tmp, which
# sshd would otherwise reject as world-writable.
server_config() {
	cat <<-CONF
		ListenAddress 127.0.0.1
		Port $1
		HostKey $BASE/host_ed25519
		PidFile $BASE/sshd.pid
		AuthorizedKeysFile $BASE/authorized_keys
		AllowUsers $(id -un)
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		StrictModes no
		UsePAM no
		PrintMotd no
		SetEnv DOCKER_HOST=$DOCKER_HOST
	CONF
}

# client_files PORT writes the client side: a config with the throwaway key
# and a known_hosts naming the server's key, and an ssh that uses them.
client_files() {
	local ssh
	ssh=$(command -v ssh)
	printf '[127.0.0.1]:%s %s\n' "$1" "$(cut -d' ' -f1,2 "$BASE/host_ed25519.pub")" >"$BASE/client/known_hosts"
	cat >"$BASE/client/ssh_config" <<-CONF
		Host *
		  IdentityFile $BASE/client/id_ed25519
		  IdentitiesOnly yes
		  UserKnownHostsFile $BASE/client/known_hosts
		  StrictHostKeyChecking yes
		  BatchMode yes
	CONF
	printf '#!/bin/sh\nexec %q -F %q "$@"\n' "$ssh" "$BASE/client/ssh_config" >"$BASE/bin/ssh"
	chmod +x "$BASE/bin/ssh"
}

# --- daemon -----------------------------------------------------------------------

sshd_pid() {
	local pid
	pid=$(cat "$BASE/sshd.pid" 2>/dev/null || true)
	[[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && echo "$pid"
	return 0
}

# banner PORT: true when an SSH server answers there.
banner() {
	local line
	line=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 4 <&3" 2>/dev/null) || return 1
	[[ $line == SSH- ]]
}

port_busy() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

stop_sshd() {
	local pid
	pid=$(sshd_pid)
	[[ -n $pid ]] || return 0
	kill "$pid" 2>/dev/null || true
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	rm -f "$BASE/sshd.pid"
}

# start_sshd PORT: launch on PORT and wait for the banner; false when sshd
# exits first (the port was taken meanwhile, say).
start_sshd() {
	local port=$1 sshd pid deadline
	sshd=$(command -v sshd)
	server_config "$port" >"$BASE/sshd_config"
	# sshd wants its privilege separation folder.
	mkdir -p /run/sshd
	"$sshd" -t -f "$BASE/sshd_config" || die "sshd rejects $BASE/sshd_config"
	setsid nohup "$sshd" -D -f "$BASE/sshd_config" -E "$BASE/sshd.log" </dev/null >/dev/null 2>&1 9>&- &
	pid=$!
	deadline=$((SECONDS + READY_TIMEOUT))
	until banner "$port"; do
		[[ -d /proc/$pid ]] && [[ $(cat "/proc/$pid/stat" 2>/dev/null) != *") Z "* ]] || return 1
		((SECONDS < deadline)) || die "sshd (pid $pid) did not answer on 127.0.0.1:$port within ${READY_TIMEOUT}s; see $BASE/sshd.log"
		sleep 0.1
	done
	echo "$port" >"$BASE/port"
	log "started sshd (pid $pid) on 127.0.0.1:$port"
}

cmd_ensure() {
	[[ $(id -u) == 0 ]] || die "run as root: sshd must switch to the user it logs in"
	[[ ${DOCKER_HOST:-} == unix://* || ${DOCKER_HOST:-} == tcp://* ]] ||
		die "set DOCKER_HOST to the engine the ssh sessions should reach (unix:// or tcp://), not '${DOCKER_HOST:-}'"
	mkdir -p "$BASE"
	exec 9>"$BASE/lock"
	flock 9
	ensure_packages
	ensure_keys
	local port pid
	port=$(cat "$BASE/port" 2>/dev/null || true)
	pid=$(sshd_pid)
	# Reuse a running sshd only when it serves these very settings.
	if [[ -n $pid && -n $port ]] && banner "$port" && [[ $(server_config "$port") == "$(cat "$BASE/sshd_config" 2>/dev/null)" ]]; then
		log "reusing sshd (pid $pid) on 127.0.0.1:$port"
	else
		stop_sshd
		port=
		local p
		for ((p = FIRST_PORT; p <= LAST_PORT; p++)); do
			port_busy "$p" && continue
			start_sshd "$p" && port=$p && break
		done
		[[ -n $port ]] || die "no free port for sshd in $FIRST_PORT-$LAST_PORT; see $BASE/sshd.log"
	fi
	client_files "$port"
	printf 'BERTH_SSH_PORT=%s\nBERTH_SSH_USER=%s\nBERTH_SSH_PATH=%s\n' "$port" "$(id -un)" "$BASE/bin"
}

case ${1:-} in
ensure) cmd_ensure ;;
stop) stop_sshd ;;
*)
	echo "usage: $0 ensure | stop" >&2
	exit 2
	;;
esac
