#!/usr/bin/env bash
# engine.sh runs a private Docker engine for berth's end-to-end tests.
#
#   scripts/engine.sh start          install what is missing, start (or adopt) the
#                                    engine and two registries (one open, one behind
#                                    basic auth), import busybox:latest and push it to
#                                    both; stdout is only export lines, so:
#                                    eval "$(scripts/engine.sh start)"
#   scripts/engine.sh ensure         like start, but when DOCKER_HOST already names an
#                                    engine that answers, use that one (busybox is still
#                                    imported if it lacks it) and print it back
#   scripts/engine.sh swarm          like ensure, then make the private engine a swarm
#                                    manager advertising 10.231.0.1 on bridge
#                                    berth-swarm0, where node 2 (scripts/swarm-worker.sh)
#                                    can reach it; adds BERTH_SWARM_ADDR to the exports.
#                                    An engine of the caller's is left as it is
#   scripts/engine.sh env            print the export lines only
#   scripts/engine.sh stop [--purge] stop the engine; --purge also deletes its data
#   scripts/engine.sh status         print "running" and exit 0 if the engine answers
#
# BERTH_ENGINE_DIR (default /tmp/berth-engine) holds the socket, pid file, log,
# data root and exec root, and the registries' storage and logs. BERTH_REGISTRY
# (default 127.0.0.1:5000) is where the open registry listens. The second
# registry asks for a user and password (htpasswd basic auth): it listens on
# the first free port from 5001, kept in auth-registry.port so it stays put,
# and its test user's password is made once into auth/password. The engine
# trusts registries on 127.0.0.0/8 without TLS, so neither needs a
# certificate. Each registry's request log (one line per HTTP request, to
# count pulls by) is exported as BERTH_REGISTRY_LOG and BERTH_AUTH_REGISTRY_LOG.
# The engine is private so tests never touch the host's own daemon and can run
# on machines that have none.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored

BASE=$(realpath -m "${BERTH_ENGINE_DIR:-/tmp/berth-engine}")
SOCK=$BASE/docker.sock
PIDFILE=$BASE/pid
LOG=$BASE/dockerd.log
# dockerd, docker-proxy and runc live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
READY_TIMEOUT=60 # seconds for a fresh daemon to answer /_ping
HUNG_GRACE=15    # seconds a live but silent daemon gets before we kill it
STOP_TIMEOUT=30  # dockerd stops running containers first, which can take a while
REGISTRY=${BERTH_REGISTRY:-127.0.0.1:5000}
REGISTRY_PIDFILE=$BASE/registry.pid
REGISTRY_LOG=$BASE/registry.log
# What the registries hold for tests that pull: busybox, pushed by seed_registry.
REGISTRY_IMAGE=berth/busybox
# The registry behind basic auth: its port is chosen once (auth_registry_addr).
AUTH_DIR=$BASE/auth
AUTH_PORTFILE=$BASE/auth-registry.port
AUTH_PIDFILE=$BASE/auth-registry.pid
AUTH_LOG=$BASE/auth-registry.log
AUTH_USER=berth

# All chatter goes to stderr: stdout carries only the export line.
log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# CURL_TO and ENGINE_URL say how curl reaches the engine in use: the private
# one unless use_host points them at the caller's DOCKER_HOST.
CURL_TO=(--unix-socket "$SOCK")
ENGINE_URL=http://localhost

# use_host DOCKER_HOST: aim ping and api at that engine; fails for schemes
# curl cannot speak (ssh://, npipe://).
use_host() {
	case $1 in
	unix://*) CURL_TO=(--unix-socket "${1#unix://}") ENGINE_URL=http://localhost ;;
	tcp://*) CURL_TO=() ENGINE_URL=http://${1#tcp://} ;;
	*) return 1 ;;
	esac
}

# ping succeeds when the engine answers /_ping with OK. A stale socket file
# fails fast with "connection refused".
ping() {
	[[ $(curl -s --max-time 3 "${CURL_TO[@]}" "$ENGINE_URL/_ping" 2>/dev/null) == OK ]]
}

# api METHOD PATH [curl args...] prints the response body and fails on a non-2xx
# status, so callers can show the engine's own error message.
api() {
	local method=$1 path=$2 out code
	shift 2
	out=$(curl -sS --max-time 120 "${CURL_TO[@]}" -X "$method" \
		-w '\n%{http_code}' "$@" "$ENGINE_URL$path") || return 1
	code=${out##*$'\n'}
	printf '%s' "${out%$'\n'*}"
	[[ $code == 2* ]]
}

# urlencode keeps the script independent of curl >= 7.87 (--url-query).
urlencode() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[a-zA-Z0-9._~-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c" && out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

export_line() {
	printf 'export DOCKER_HOST=%q\n' "${1:-unix://$SOCK}"
	printf 'export BERTH_REGISTRY=%q\n' "$REGISTRY"
	printf 'export BERTH_REGISTRY_LOG=%q\n' "$REGISTRY_LOG"
	# Only once the registry behind auth exists: before that there is no
	# port or password to give.
	if [[ -f $AUTH_PORTFILE && -f $AUTH_DIR/password ]]; then
		printf 'export BERTH_AUTH_REGISTRY=%q\n' "127.0.0.1:$(cat "$AUTH_PORTFILE")"
		printf 'export BERTH_AUTH_USER=%q\n' "$AUTH_USER"
		printf 'export BERTH_AUTH_PASSWORD=%q\n' "$(cat "$AUTH_DIR/password")"
		printf 'export BERTH_AUTH_REGISTRY_LOG=%q\n' "$AUTH_LOG"
	fi
}

require_root() { [[ $(id -u) == 0 ]] || die "run as root: dockerd and apt-get need it"; }

# --- packages ---------------------------------------------------------------

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# missing_packages lists what start needs. busybox-static is checked as a
# package, not as /bin/busybox: the dynamic "busybox" package installs the same
# path, and a dynamic binary cannot run in an image without libc.
missing_packages() {
	command -v dockerd >/dev/null || echo docker.io
	installed busybox-static || echo busybox-static
	command -v curl >/dev/null || echo curl
}

APT_UPDATED=
apt_install() {
	# No prompts, and no needrestart scan of every service after each install.
	export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
	if [[ -z $APT_UPDATED ]]; then
		apt-get update -qq >&2
		APT_UPDATED=1
	fi
	# Keep package scripts from starting the system's own docker, containerd
	# and registry services (on hosts with an init system): a second dockerd
	# would share docker0 and the firewall rules with ours.
	local blocker=/usr/sbin/policy-rc.d added=
	if [[ ! -e $blocker ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$blocker" && chmod +x "$blocker" && added=1
	fi
	local rc=0
	apt-get install -y -qq --no-install-recommends "$@" >&2 || rc=$?
	[[ -n $added ]] && rm -f "$blocker"
	return "$rc"
}

ensure_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt_install "${missing[@]}" || die "could not install ${missing[*]}"
	fi
	# Installed on its own, so that a failure names it alone.
	if ! command -v docker-registry >/dev/null; then
		log "installing docker-registry"
		apt_install docker-registry || die "could not install docker-registry (tests that pull need it)"
	fi
	if ! command -v htpasswd >/dev/null; then
		log "installing apache2-utils (htpasswd)"
		apt_install apache2-utils || die "could not install apache2-utils (the registry behind auth needs htpasswd)"
	fi
}

# --- daemon process -----------------------------------------------------------

# is_proc PID NAME: the pid is alive and runs NAME. Checking the name keeps a
# recycled pid from making us signal an unrelated process. Zombies count as
# dead: a killed daemon can stay unreaped for a while when PID 1 is not a real
# init (as in some VMs and containers), and waiting on it would time out.
is_proc() {
	local stat
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $stat == "$1 ($2) "[^Z]* ]]
}

# is_running PID: alive under any name, zombies excluded.
is_running() { [[ $(cat "/proc/$1/stat" 2>/dev/null) == "$1 ("*") "[^Z]* ]]; }

# daemon_pid prints the pid from the pid file when it is a live dockerd.
daemon_pid() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null || true)
	is_proc "$pid" dockerd && echo "$pid"
	return 0
}

# wait_gone PID NAME SECONDS: true once the process has exited.
wait_gone() {
	local deadline=$((SECONDS + $3))
	while is_proc "$1" "$2"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# kill_daemon stops dockerd gracefully, then by force.
kill_daemon() {
	local pid=$1
	# CONT lets a stopped (SIGSTOP) daemon act on the TERM.
	kill -TERM "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true
	wait_gone "$pid" dockerd "$STOP_TIMEOUT" && return 0
	log "dockerd (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	wait_gone "$pid" dockerd 10 || die "dockerd (pid $pid) survived SIGKILL"
}

# clear_containerd runs once no dockerd is left for this exec root, so any
# containerd its pid file names is an orphan of a killed daemon. dockerd 20.10
# adopts that pid without checking it, even a dead or zombie one, then times
# out dialling its socket ("timeout waiting for containerd to start").
clear_containerd() {
	local pidfile=$BASE/exec/containerd/containerd.pid cpid
	cpid=$(cat "$pidfile" 2>/dev/null || true)
	if is_proc "$cpid" containerd; then
		log "stopping orphaned containerd (pid $cpid)"
		kill -TERM "$cpid" 2>/dev/null || true
		wait_gone "$cpid" containerd 10 || kill -KILL "$cpid" 2>/dev/null || true
		wait_gone "$cpid" containerd 5 || die "containerd (pid $cpid) survived SIGKILL"
	fi
	rm -f "$pidfile"
}

# wait_ready waits for /_ping; PID (optional) is the daemon we just launched,
# so an early exit is reported at once instead of after the full timeout.
wait_ready() {
	local pid=${2:-} deadline=$((SECONDS + $1))
	until ping; do
		# Any name will do: a just-launched pid still runs setsid or nohup
		# until they exec dockerd.
		if [[ -n $pid ]] && ! is_running "$pid"; then
			return 1
		fi
		((SECONDS < deadline)) || return 1
		sleep 0.25
	done
}

# clear_stale removes what a dead or hung daemon left behind. dockerd refuses to
# start over a pid file naming a live process, which a recycled pid can be. A
# dead socket file is removed so clients report "no such file" rather than a
# socket that refuses connections.
clear_stale() {
	local pid
	pid=$(daemon_pid)
	if [[ -n $pid ]]; then
		log "dockerd (pid $pid) is alive but not answering; giving it ${HUNG_GRACE}s"
		wait_ready "$HUNG_GRACE" "$pid" && return 0
		log "dockerd (pid $pid) still not answering; restarting it"
		kill_daemon "$pid"
	fi
	clear_containerd
	rm -f "$PIDFILE" "$SOCK"
}

# launch starts dockerd in its own session with every descriptor redirected, so
# it outlives the caller and `eval "$(engine.sh start)"` does not wait on it.
# Our own daemon.json keeps a host /etc/docker/daemon.json (say, one that sets
# "hosts") from clashing with these flags.
launch() {
	mkdir -p "$BASE/data" "$BASE/exec"
	[[ -f $BASE/daemon.json ]] || echo '{}' >"$BASE/daemon.json"
	[[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
	setsid nohup dockerd \
		--config-file "$BASE/daemon.json" \
		--data-root "$BASE/data" \
		--exec-root "$BASE/exec" \
		-H "unix://$SOCK" \
		--pidfile "$PIDFILE" \
		</dev/null >>"$LOG" 2>&1 9>&- &
	echo $!
}

ensure_daemon() {
	if ping; then
		log "reusing the engine already answering on $SOCK"
		return 0
	fi
	clear_stale
	ping && return 0
	local pid
	pid=$(launch)
	log "started dockerd (pid $pid), log in $LOG"
	if ! wait_ready "$READY_TIMEOUT" "$pid"; then
		if is_running "$pid"; then
			log "dockerd (pid $pid) did not answer /_ping within ${READY_TIMEOUT}s; it is left running"
		else
			log "dockerd exited during startup"
		fi
		log "last lines of $LOG:"
		tail -n 40 "$LOG" >&2 || true
		exit 1
	fi
}

# --- busybox image ------------------------------------------------------------

# image_sane rejects a busybox:latest whose binary was lost (an applet symlink
# named "busybox" once overwrote it, leaving a 2 kB image where nothing runs).
image_sane() {
	local body size
	body=$(api GET /images/busybox:latest/json 2>/dev/null) || return 1
	size=$(grep -o '"Size":[0-9]*' <<<"$body" | head -n 1 | cut -d: -f2)
	((${size:-0} > 1000000))
}

# build_rootfs lays out a minimal busybox root: the static binary, one symlink
# per applet at its usual path, a writable /tmp and root/nobody accounts.
build_rootfs() {
	local root=$1 applet
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,var,tmp}
	chmod 1777 "$root/tmp"
	cp -L /bin/busybox "$root/bin/busybox"
	while read -r applet; do
		# "bin/busybox" is in the list; linking it would replace the binary
		# with a link to itself.
		[[ ${applet##*/} == busybox ]] && continue
		mkdir -p "$root/${applet%/*}"
		ln -sf /bin/busybox "$root/$applet"
	done < <("$root/bin/busybox" --list-full)
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
}

# import_busybox imports the rootfs as busybox:latest. An imported image has
# no config, so PATH and CMD must be set or no command can be found.
import_busybox() {
	local tmp out env cmd
	if ! installed busybox-static; then
		require_root
		apt_install busybox-static || die "could not install busybox-static"
	fi
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: tmp is local and gone at EXIT time
	trap "rm -rf '$tmp'" EXIT
	build_rootfs "$tmp/rootfs"
	tar -C "$tmp/rootfs" --numeric-owner --owner=0 --group=0 -cf "$tmp/rootfs.tar" .
	env=$(urlencode 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
	cmd=$(urlencode 'CMD ["sh"]')
	api DELETE '/images/busybox:latest?force=1' >/dev/null 2>&1 || true
	# The engine answers 200 and streams JSON even when the import fails.
	if ! out=$(api POST "/images/create?fromSrc=-&repo=busybox&tag=latest&changes=$env&changes=$cmd" \
		-H 'Content-Type: application/x-tar' --data-binary "@$tmp/rootfs.tar") ||
		grep -q '"error' <<<"$out"; then
		die "importing busybox:latest failed: $out"
	fi
	rm -rf "$tmp"
	trap - EXIT
}

# smoke_run runs one container on the default network, so "start" succeeding
# means tests can really run containers, not merely that the API answers.
smoke_run() {
	local name=berth-engine-smoke body id status
	api DELETE "/containers/$name?force=1" >/dev/null 2>&1 || true
	body=$(api POST "/containers/create?name=$name" -H 'Content-Type: application/json' \
		-d '{"Image":"busybox:latest","Cmd":["true"]}') || {
		log "creating a container failed: $body"
		return 1
	}
	id=$(sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p' <<<"$body")
	if ! body=$(api POST "/containers/$id/start"); then
		log "starting a container failed: $body"
	else
		body=$(api POST "/containers/$id/wait") || true
	fi
	status=$(sed -n 's/.*"StatusCode":\([0-9]*\).*/\1/p' <<<"$body")
	api DELETE "/containers/$id?force=1" >/dev/null || true
	[[ $status == 0 ]] || {
		log "a busybox container did not exit 0: $body"
		return 1
	}
}

ensure_busybox() {
	if image_sane && smoke_run; then
		return 0
	fi
	log "importing busybox:latest from /bin/busybox"
	import_busybox
	smoke_run || die "containers do not run on this engine (a private one logs to $LOG)"
}

# --- registry -------------------------------------------------------------------

registry_up() {
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$REGISTRY/v2/" 2>/dev/null) == 200 ]]
}

# auth_registry_up: the registry behind auth answers, and takes the test user.
auth_registry_up() {
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -u "$AUTH_USER:$(cat "$AUTH_DIR/password")" \
		"http://$(auth_registry_addr)/v2/" 2>/dev/null) == 200 ]]
}

# registry_config ADDR ROOT [HTPASSWD] prints a docker-registry config: the
# access log on (tests count manifest requests in it), other chatter at
# warn, and basic auth when an htpasswd file is given.
registry_config() {
	printf '%s\n' 'version: 0.1' 'log: {level: warn, accesslog: {disabled: false}}' 'storage:' \
		"  filesystem: {rootdirectory: $2}" 'http:' "  addr: $1"
	if [[ -n ${3:-} ]]; then
		printf '%s\n' 'auth:' '  htpasswd:' '    realm: berth-test' "    path: $3"
	fi
}

# run_registry NAME ADDR CONFIG PIDFILE LOG UP: start docker-registry with
# CONFIG (text) unless the one running already has that config and passes
# UP (a function). A registry started with another config (an older
# engine.sh that kept no access log) is restarted: it is down for well under
# a second. It says what went wrong and fails rather than exiting.
run_registry() {
	local name=$1 addr=$2 config=$3 pidfile=$4 logfile=$5 up=$6 pid i
	if [[ $(cat "$BASE/$name.yml" 2>/dev/null) == "$config" ]] && "$up"; then
		return 0
	fi
	command -v docker-registry >/dev/null || {
		log "docker-registry is not installed"
		return 1
	}
	pid=$(cat "$pidfile" 2>/dev/null || true)
	if is_proc "$pid" docker-registry; then # hung, or with an old config
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" docker-registry 10 || {
			log "the $name (pid $pid) does not die"
			return 1
		}
	fi
	printf '%s\n' "$config" >"$BASE/$name.yml"
	setsid nohup docker-registry serve "$BASE/$name.yml" </dev/null >>"$logfile" 2>&1 9>&- &
	echo $! >"$pidfile"
	for ((i = 0; i < 50; i++)); do
		"$up" && break
		sleep 0.2
	done
	"$up" || {
		log "the $name did not answer on $addr; see $logfile"
		return 1
	}
	log "started the $name on $addr (pid $(cat "$pidfile"))"
}

# ensure_registry starts Debian's docker-registry on REGISTRY unless one
# answers there already, and makes sure it holds busybox. Callers hold the
# lock.
ensure_registry() {
	mkdir -p "$BASE/registry"
	run_registry registry "$REGISTRY" "$(registry_config "$REGISTRY" "$BASE/registry")" \
		"$REGISTRY_PIDFILE" "$REGISTRY_LOG" registry_up || return 1
	seed_registry "$REGISTRY" "$(printf '{}' | base64)"
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# auth_registry_addr prints where the registry behind auth listens: the
# port chosen on the first start, or else the first free one from 5001.
auth_registry_addr() {
	local port
	if [[ ! -f $AUTH_PORTFILE ]]; then
		for ((port = 5001; port < 5100; port++)); do
			port_free "$port" && break
		done
		echo "$port" >"$AUTH_PORTFILE"
	fi
	echo "127.0.0.1:$(cat "$AUTH_PORTFILE")"
}

# ensure_auth_registry starts the registry behind basic auth, with a test
# user whose password is made once, and seeds it with busybox as the open
# one is. Callers hold the lock.
ensure_auth_registry() {
	local addr auth
	mkdir -p "$AUTH_DIR" "$BASE/auth-registry"
	if [[ ! -s $AUTH_DIR/password || ! -s $AUTH_DIR/htpasswd ]]; then
		# ensure (with a DOCKER_HOST of the caller's) skips ensure_packages.
		command -v htpasswd >/dev/null || apt_install apache2-utils || {
			log "htpasswd is not installed, and installing apache2-utils failed"
			return 1
		}
		# A running registry with the old file then fails auth_registry_up,
		# so run_registry restarts it on the new one.
		(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$AUTH_DIR/password")
		htpasswd -Bbn "$AUTH_USER" "$(cat "$AUTH_DIR/password")" >"$AUTH_DIR/htpasswd" 2>/dev/null || {
			log "htpasswd failed"
			return 1
		}
	fi
	addr=$(auth_registry_addr)
	run_registry auth-registry "$addr" "$(registry_config "$addr" "$BASE/auth-registry" "$AUTH_DIR/htpasswd")" \
		"$AUTH_PIDFILE" "$AUTH_LOG" auth_registry_up || return 1
	auth=$(printf '{"username":"%s","password":"%s","serveraddress":"%s"}' "$AUTH_USER" "$(cat "$AUTH_DIR/password")" "$addr" | base64 -w0 | tr '+/' '-_')
	seed_registry "$addr" "$auth" "$AUTH_USER:$(cat "$AUTH_DIR/password")"
}

# seed_registry ADDR AUTH [USER:PASSWORD] pushes busybox:latest as
# ADDR/REGISTRY_IMAGE:latest through the engine (AUTH is the X-Registry-Auth
# header), then drops the local tag, so pulling it is real work.
seed_registry() {
	local addr=$1 auth=$2 ref=$1/$REGISTRY_IMAGE out creds=()
	[[ -n ${3:-} ]] && creds=(-u "$3")
	# Whichever manifest format the engine pushed (Docker's, or OCI's).
	if curl -sf -o /dev/null --max-time 3 "${creds[@]}" \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$addr/v2/$REGISTRY_IMAGE/manifests/latest"; then
		return 0
	fi
	out=$(api POST "/images/busybox:latest/tag?repo=$(urlencode "$ref")&tag=latest") || {
		log "tagging busybox as $ref failed: $out"
		return 1
	}
	# The engine wants credentials even for a registry that needs none.
	if ! out=$(api POST "/images/$ref/push?tag=latest" -H "X-Registry-Auth: $auth") ||
		grep -q '"error' <<<"$out"; then
		log "pushing busybox to $ref failed"
		return 1
	fi
	api DELETE "/images/$ref:latest" >/dev/null || true
	log "pushed busybox to $ref:latest"
}

stop_registry() {
	local pid pidfile
	for pidfile in "$REGISTRY_PIDFILE" "$AUTH_PIDFILE"; do
		pid=$(cat "$pidfile" 2>/dev/null || true)
		if is_proc "$pid" docker-registry; then
			kill "$pid" 2>/dev/null || true
			wait_gone "$pid" docker-registry 10 || kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$pidfile"
	done
}

# --- swarm mode ------------------------------------------------------------------

# The manager advertises an address on a bridge of its own, never 127.0.0.1:
# node 2 (scripts/swarm-worker.sh) runs in another network namespace, whose
# loopback is not the host's, and reaches the bridge over a veth pair. A
# manager's advertised address is fixed when the swarm is made, so this one is
# chosen at the first init, whether node 2 is ever wanted or not. The subnet is
# outside the engine's local address pools (172.17.0.0/16-172.31.0.0/16 and
# 192.168.0.0/16), so bridge networks never land on it; overlay networks take
# /24s of 10.0.0.0/8 in order from 10.0.0.0/24, and would reach this one only
# after some 59,000 others.
SWARM_BRIDGE=berth-swarm0
SWARM_ADDR=10.231.0.1 # not taken from BERTH_SWARM_ADDR, which may name another engine's
SWARM_PREFIX=24

ensure_swarm_packages() {
	local missing=()
	command -v ip >/dev/null || missing+=(iproute2)
	# Node 2 carries the registries' ports into its namespace with socat.
	command -v socat >/dev/null || missing+=(socat)
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt_install "${missing[@]}" || die "could not install ${missing[*]} (swarm mode needs them)"
	fi
}

# ensure_swarm_bridge makes the bridge and its address. A bridge with no
# ports still delivers to its own address, so the manager is reachable there
# before node 2 exists.
ensure_swarm_bridge() {
	if ! ip link show "$SWARM_BRIDGE" >/dev/null 2>&1; then
		ip link add "$SWARM_BRIDGE" type bridge || die "could not make bridge $SWARM_BRIDGE"
		log "made bridge $SWARM_BRIDGE for the swarm"
	fi
	if ! ip -o -4 addr show dev "$SWARM_BRIDGE" | grep -q " $SWARM_ADDR/"; then
		ip addr add "$SWARM_ADDR/$SWARM_PREFIX" dev "$SWARM_BRIDGE" ||
			die "could not give $SWARM_BRIDGE the address $SWARM_ADDR/$SWARM_PREFIX"
	fi
	ip link set "$SWARM_BRIDGE" up
}

# json_value KEY JSON prints the first value of KEY: a string's contents, or a
# number or boolean as it is. The swarm keys read here occur once in /info.
json_value() {
	grep -o "\"$1\":\(\"[^\"]*\"\|[^,}]*\)" <<<"$2" | head -n 1 | cut -d: -f2- | tr -d '"'
}

# swarm_init FORCE makes the engine a swarm manager advertising SWARM_ADDR.
# FORCE=true re-makes the swarm of an existing manager around it: services,
# networks, configs and secrets stay, and so do running tasks.
swarm_init() {
	local out
	out=$(api POST /swarm/init -H 'Content-Type: application/json' \
		-d "{\"ListenAddr\":\"0.0.0.0:2377\",\"AdvertiseAddr\":\"$SWARM_ADDR\",\"ForceNewCluster\":$1}") ||
		die "making the engine a swarm manager failed: $out"
}

# ensure_swarm_manager brings the engine to one state, whatever it was: an
# active manager whose node address is SWARM_ADDR.
ensure_swarm_manager() {
	local info state control addr
	info=$(api GET /info) || die "reading the engine's swarm state failed: $info"
	state=$(json_value LocalNodeState "$info")
	control=$(json_value ControlAvailable "$info")
	addr=$(json_value NodeAddr "$info")
	case $state/$control in
	active/true)
		[[ $addr == "$SWARM_ADDR" ]] && return 0
		# An advertised address cannot be changed in place (`swarm update`
		# has no such option), and leaving would lose the swarm's contents.
		# The raft address the manager gives its workers stays the old one:
		# swarm-worker.sh carries a loopback one into node 2's namespace.
		log "the swarm manager advertises $addr, which node 2 cannot reach; re-making its swarm on $SWARM_ADDR (services and networks stay)"
		swarm_init true
		;;
	inactive/*)
		swarm_init false
		log "the engine is now a swarm manager advertising $SWARM_ADDR"
		;;
	*)
		# Pending, in error, locked, or a worker of some other swarm: no
		# state worth keeping, and none of these can become our manager.
		log "the engine's swarm state is $state (manager: ${control:-false}); leaving it and making a new swarm"
		api POST '/swarm/leave?force=1' >/dev/null || die "leaving the broken swarm failed"
		swarm_init false
		;;
	esac
}

# report_swarm serves swarm on an engine that is not ours: it is left as it
# is (turning someone's engine into a swarm manager changes what it does for
# them), and BERTH_SWARM_ADDR is given only when it is a manager already.
report_swarm() {
	local info addr
	info=$(api GET /info) || return 0
	if [[ $(json_value LocalNodeState "$info")/$(json_value ControlAvailable "$info") == active/true ]]; then
		addr=$(json_value NodeAddr "$info")
		log "the engine at DOCKER_HOST is a swarm manager ($addr)"
		printf 'export BERTH_SWARM_ADDR=%q\n' "$addr"
	else
		log "the engine at DOCKER_HOST is not a swarm manager and is left so; swarm tests will skip"
	fi
}

# --- subcommands ----------------------------------------------------------------

cmd_start() {
	require_root
	mkdir -p "$BASE"
	# Serialise concurrent starts (parallel make targets), installs included:
	# two apt-get runs at once fight over the dpkg lock. The lock descriptor
	# is closed for dockerd in launch, or the daemon would hold the lock forever.
	exec 9>"$BASE/lock"
	flock 9
	ensure_packages
	ensure_daemon
	ensure_busybox
	ensure_registry || die "no registry on $REGISTRY; tests that pull need it"
	ensure_auth_registry || die "no registry behind auth; tests of credentials need it"
	log "engine ready"
	export_line
}

# purge deletes the engine's data. dockerd bind-mounts its data root onto
# itself, and a killed daemon leaves that and container mounts behind; rm -rf
# through a live mount would be unsafe, so every mount under BASE goes first.
purge() {
	local m
	awk -v b="$BASE" '$2 == b || index($2, b "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if awk -v b="$BASE" 'index($2, b "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		die "mounts remain under $BASE; not deleting it"
	fi
	rm -rf "$BASE/data" "$BASE/exec" "$LOG" "$LOG.1" "$BASE/daemon.json" "$BASE/registry" "$BASE/registry.yml" "$REGISTRY_LOG" \
		"$BASE/auth-registry" "$BASE/auth-registry.yml" "$AUTH_LOG" "$AUTH_PORTFILE" "$AUTH_DIR"
	log "purged $BASE"
}

cmd_stop() {
	require_root
	stop_registry
	local pid
	pid=$(daemon_pid)
	if [[ -n $pid ]]; then
		log "stopping dockerd (pid $pid)"
		kill_daemon "$pid"
	elif ping; then
		# Not ours to stop, and removing its socket would strand it.
		die "an engine answers on $SOCK but $PIDFILE does not name it; stop it by hand"
	else
		log "no dockerd running from $PIDFILE"
	fi
	clear_containerd
	rm -f "$PIDFILE" "$SOCK"
	if [[ ${1:-} == --purge ]]; then
		purge
	fi
}

# cmd_ensure serves `make test-e2e`: a developer's own working engine wins, so
# tests can run against it; otherwise the private one is started.
cmd_ensure() {
	if ! command -v curl >/dev/null; then
		require_root
		apt_install curl || die "could not install curl"
	fi
	if [[ -n ${DOCKER_HOST:-} ]] && use_host "$DOCKER_HOST" && ping; then
		log "using the engine at DOCKER_HOST=$DOCKER_HOST"
		ensure_busybox
		# A registry on this host's 127.0.0.1 is only the engine's own when
		# the engine runs here too; elsewhere the pull tests say what is missing.
		if [[ $DOCKER_HOST == unix://* ]]; then
			mkdir -p "$BASE"
			exec 9>"$BASE/lock"
			flock 9
			ensure_registry || log "warning: no registry on $REGISTRY; tests that pull will fail"
			ensure_auth_registry || log "warning: no registry behind auth; tests of credentials will fail"
		fi
		export_line "$DOCKER_HOST"
		return 0
	fi
	[[ -z ${DOCKER_HOST:-} ]] || log "DOCKER_HOST=$DOCKER_HOST does not answer; using the private engine"
	use_host "unix://$SOCK"
	cmd_start
}

# cmd_swarm is ensure plus swarm mode: the private engine becomes a swarm
# manager (see ensure_swarm_manager) on the bridge node 2 can reach. Kept out
# of ensure so that ensure never makes someone's own engine a manager, and so
# that swarm mode is asked for where it is wanted. stop leaves the swarm as it
# is: its state lives in the data root, which a restart brings back and
# --purge deletes.
cmd_swarm() {
	if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != "unix://$SOCK" ]] && use_host "$DOCKER_HOST" && ping; then
		cmd_ensure
		report_swarm
		return 0
	fi
	require_root
	mkdir -p "$BASE"
	exec 9>"$BASE/lock"
	flock 9
	ensure_swarm_packages
	# Before the engine starts: a manager that comes back up finds its
	# address in place.
	ensure_swarm_bridge
	exec 9>&-
	cmd_ensure
	exec 9>"$BASE/lock"
	flock 9
	ensure_swarm_manager
	printf 'export BERTH_SWARM_ADDR=%q\n' "$SWARM_ADDR"
}

cmd_status() {
	if ping; then
		echo running
	else
		echo "not running"
		return 1
	fi
}

usage() {
	echo "usage: $0 start | ensure | swarm | env | stop [--purge] | status" >&2
	exit 2
}

case ${1:-} in
start) cmd_start ;;
ensure) cmd_ensure ;;
swarm) cmd_swarm ;;
env) export_line ;;
stop)
	[[ -z ${2:-} || $2 == --purge ]] || usage
	cmd_stop "${2:-}"
	;;
status) cmd_status ;;
*) usage ;;
esac
