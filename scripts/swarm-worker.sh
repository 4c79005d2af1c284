#!/usr/bin/env bash
# swarm-worker.sh runs "node 2": a second Docker engine in a network namespace
# of its own, joined as a worker to the swarm of the private engine that
# scripts/engine.sh runs, so end-to-end tests can place tasks on another node
# and reach them across an overlay network.
#
#   scripts/swarm-worker.sh start          make the namespace and its link to the
#                                          host, start (or adopt) node 2's dockerd,
#                                          give it busybox:latest and the registries,
#                                          join it; stdout is only export lines:
#                                          eval "$(scripts/swarm-worker.sh start)"
#   scripts/swarm-worker.sh env            print the export lines when node 2 is a
#                                          Ready worker, nothing otherwise
#   scripts/swarm-worker.sh stop [--purge] leave the swarm, stop the daemon, remove
#                                          the namespace; --purge also deletes its data
#   scripts/swarm-worker.sh status         print "ready" and exit 0 when node 2 is a
#                                          Ready worker of the manager's swarm
#   scripts/swarm-worker.sh check          prove it: a task placed on each node, one
#                                          reaching the other over an overlay network
#                                          (everything it makes is removed again)
#
# It needs `scripts/engine.sh swarm` first: that makes the private engine a
# swarm manager advertising an address on a host bridge (berth-swarm0,
# 10.231.0.1), which this namespace reaches over a veth pair, and installs
# iproute2 and socat. Node 2 takes the next address (10.231.0.2), calls itself
# berth-node2 (the swarm takes a node's name from its host name), and keeps its
# socket, pid file, log, data root and exec root in BERTH_NODE2_DIR (default
# /tmp/berth-node2). The export lines are BERTH_SWARM_NODE2 (the node's host
# name, for placement constraints), BERTH_NODE2_HOST (its DOCKER_HOST) and
# BERTH_NODE2_ADDR. Node 2 joins only the private engine's swarm: when
# DOCKER_HOST names another engine, start refuses. BERTH_NODE2_AVAILABILITY
# (active, the default, pause or drain) is node 2's availability, set on
# every start.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored

DIR=$(realpath -m "${BERTH_NODE2_DIR:-/tmp/berth-node2}")
SOCK=$DIR/docker.sock
PIDFILE=$DIR/pid
LOG=$DIR/dockerd.log
NODE=berth-node2 # the namespace's name and the node's host name
HOST_LINK=berth-node2-h # the host's end of the veth pair
NS_LINK=eth0            # the namespace's end; its own namespace, so no clash
MANAGER_DIR=$(realpath -m "${BERTH_ENGINE_DIR:-/tmp/berth-engine}")
MANAGER_SOCK=$MANAGER_DIR/docker.sock
REGISTRY=${BERTH_REGISTRY:-127.0.0.1:5000}
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
READY_TIMEOUT=60 # seconds for a fresh daemon to answer
HUNG_GRACE=15    # seconds a live but silent daemon gets before we kill it
STOP_TIMEOUT=30
JOIN_TIMEOUT=60 # seconds for the manager to see a joined node as Ready
# Whether the scheduler may place tasks on node 2: "drain" keeps a run's
# swarm as it would be with one node (global services included) while node 2
# stays joined; tests that want it then set it active themselves.
AVAILABILITY=${BERTH_NODE2_AVAILABILITY:-active}
SELF=$(realpath "$0")

log() { printf 'swarm-worker.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

require_root() { [[ $(id -u) == 0 ]] || die "run as root: namespaces and dockerd need it"; }

node2() { docker -H "unix://$SOCK" "$@"; }
manager() { docker -H "unix://$MANAGER_SOCK" "$@"; }
node2_up() { node2 version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# in_ns runs a command in node 2's network namespace only: unlike
# `ip netns exec`, nsenter leaves the mount namespace alone.
in_ns() { nsenter --net="/run/netns/$NODE" -- "$@"; }

# --- the manager ------------------------------------------------------------------

# What find_manager learns: the manager's node address, the host link that
# holds it, node 2's address and prefix on that link, and the address the
# manager gives workers for its control plane (RAFT_ADDR).
MANAGER_ADDR= BRIDGE= NODE_ADDR= PREFIX= RAFT_ADDR=

# find_manager checks that the private engine is a swarm manager whose
# advertised address sits on a host interface (the bridge engine.sh made),
# and takes node 2's address from the same subnet.
find_manager() {
	local state control cidr
	state=$(manager info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}' 2>/dev/null) ||
		die "the private engine does not answer on $MANAGER_SOCK; run: scripts/engine.sh swarm"
	read -r state control MANAGER_ADDR <<<"$state"
	[[ $state == active && $control == true ]] ||
		die "the private engine is not a swarm manager (state $state); run: scripts/engine.sh swarm"
	# "3: berth-swarm0    inet 10.231.0.1/24 brd ..." names the link and the prefix.
	read -r _ BRIDGE _ cidr _ < <(ip -o -4 addr show to "$MANAGER_ADDR/32") || true
	[[ -n $BRIDGE && $BRIDGE != lo ]] ||
		die "the manager advertises $MANAGER_ADDR, which no host link but loopback holds, so node 2 cannot reach it; run: scripts/engine.sh swarm"
	PREFIX=${cidr#*/}
	NODE_ADDR=${BERTH_NODE2_ADDR:-${MANAGER_ADDR%.*}.2}
	RAFT_ADDR=$(manager node inspect self --format '{{.ManagerStatus.Addr}}')
}

# --- namespace and link -----------------------------------------------------------

# ensure_netns gives the namespace its veth pair, the host end on the
# manager's bridge. A pair whose other end is gone (the namespace was deleted
# while a process still held it) is made anew.
ensure_netns() {
	[[ -e /run/netns/$NODE ]] || ip netns add "$NODE"
	if ! in_ns ip link show "$NS_LINK" >/dev/null 2>&1; then
		ip link del "$HOST_LINK" 2>/dev/null || true
		ip link add "$HOST_LINK" type veth peer name "$NS_LINK" netns "$NODE"
		log "made namespace $NODE, linked to $BRIDGE"
	fi
	ip link set "$HOST_LINK" master "$BRIDGE" up
	in_ns ip link set lo up
	in_ns ip link set "$NS_LINK" up
	if ! in_ns ip -o -4 addr show dev "$NS_LINK" | grep -q " $NODE_ADDR/"; then
		in_ns ip addr flush dev "$NS_LINK"
		in_ns ip addr add "$NODE_ADDR/$PREFIX" dev "$NS_LINK"
	fi
	# The swarm port, probed from inside: the same path a join takes.
	local i
	for ((i = 0; i < 25; i++)); do
		in_ns bash -c "exec 3<>/dev/tcp/$MANAGER_ADDR/2377" 2>/dev/null && return 0
		sleep 0.2
	done
	die "node 2 cannot reach the manager's swarm port $MANAGER_ADDR:2377 from namespace $NODE"
}

# --- daemon process ----------------------------------------------------------------

# is_proc PID NAME: alive, not a zombie, and running NAME (a recycled pid is
# not ours to signal).
is_proc() {
	local stat
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $stat == "$1 ($2) "[^Z]* ]]
}

is_running() { [[ $(cat "/proc/$1/stat" 2>/dev/null) == "$1 ("*") "[^Z]* ]]; }

daemon_pid() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null || true)
	is_proc "$pid" dockerd && echo "$pid"
	return 0
}

wait_gone() {
	local deadline=$((SECONDS + $3))
	while is_proc "$1" "$2"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# stop_proc PID NAME: TERM, then KILL after the grace.
stop_proc() {
	kill -TERM "$1" 2>/dev/null || true
	kill -CONT "$1" 2>/dev/null || true
	wait_gone "$1" "$2" "$STOP_TIMEOUT" && return 0
	log "$2 (pid $1) ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
	kill -KILL "$1" 2>/dev/null || true
	wait_gone "$1" "$2" 10 || die "$2 (pid $1) survived SIGKILL"
}

# clear_containerd: a containerd left by a killed dockerd makes the next one
# time out dialling it (dockerd 20.10 adopts the pid without checking it).
clear_containerd() {
	local pidfile=$DIR/exec/containerd/containerd.pid cpid
	cpid=$(cat "$pidfile" 2>/dev/null || true)
	if is_proc "$cpid" containerd; then
		log "stopping orphaned containerd (pid $cpid)"
		STOP_TIMEOUT=10 stop_proc "$cpid" containerd
	fi
	rm -f "$pidfile"
}

wait_ready() {
	local pid=${2:-} deadline=$((SECONDS + $1))
	until node2_up; do
		if [[ -n $pid ]] && ! is_running "$pid"; then
			return 1
		fi
		((SECONDS < deadline)) || return 1
		sleep 0.25
	done
}

# launch starts dockerd in the namespace, in a mount and UTS namespace of its
# own (see run_dockerd), in its own session with every descriptor redirected
# so it outlives the caller.
launch() {
	mkdir -p "$DIR/data" "$DIR/exec" "$DIR/cgroup"
	[[ -f $DIR/daemon.json ]] || echo '{}' >"$DIR/daemon.json"
	[[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
	setsid nohup nsenter --net="/run/netns/$NODE" -- \
		unshare --mount --uts --propagation slave -- "$SELF" run-dockerd \
		</dev/null >>"$LOG" 2>&1 9>&- &
	echo $!
}

# run_dockerd runs inside launch's namespaces and becomes dockerd. The host
# name is what the swarm calls the node; without a UTS namespace both nodes
# would share the host's. dockerd needs a sysfs that shows this network
# namespace's links (it reads and sets bridge attributes there); `ip netns
# exec` mounts one too, but loses the cgroup hierarchy mounted under
# /sys/fs/cgroup, and dockerd then starts no container. So the hierarchy is
# set aside, a fresh sysfs mounted, and the hierarchy moved back onto it. All
# of it, and every mount dockerd makes, stays in this mount namespace and goes
# when its last process does.
run_dockerd() {
	hostname "$NODE"
	mount --rbind /sys/fs/cgroup "$DIR/cgroup"
	umount -l /sys
	mount -t sysfs sysfs /sys
	mount --move "$DIR/cgroup" /sys/fs/cgroup
	exec dockerd \
		--config-file "$DIR/daemon.json" \
		--data-root "$DIR/data" \
		--exec-root "$DIR/exec" \
		-H "unix://$SOCK" \
		--pidfile "$PIDFILE" \
		--cgroup-parent "/$NODE"
}

ensure_daemon() {
	if node2_up; then
		return 0
	fi
	local pid
	pid=$(daemon_pid)
	if [[ -n $pid ]]; then
		log "node 2's dockerd (pid $pid) is alive but not answering; giving it ${HUNG_GRACE}s"
		wait_ready "$HUNG_GRACE" "$pid" && return 0
		log "node 2's dockerd (pid $pid) still not answering; restarting it"
		stop_proc "$pid" dockerd
	fi
	clear_containerd
	rm -f "$PIDFILE" "$SOCK"
	pid=$(launch)
	log "started node 2's dockerd (pid $pid), log in $LOG"
	if ! wait_ready "$READY_TIMEOUT" "$pid"; then
		log "node 2's dockerd did not answer within ${READY_TIMEOUT}s; last lines of $LOG:"
		tail -n 40 "$LOG" >&2 || true
		exit 1
	fi
}

# --- image and registries -------------------------------------------------------

# ensure_busybox copies the manager's busybox:latest rather than building one
# the way engine.sh does: an import makes a new image ID each time, and a
# service should find the very same image on both nodes.
ensure_busybox() {
	local want have
	want=$(manager image inspect --format '{{.Id}}' busybox:latest) ||
		die "the manager has no busybox:latest; run: scripts/engine.sh swarm"
	have=$(node2 image inspect --format '{{.Id}}' busybox:latest 2>/dev/null || true)
	[[ $have == "$want" ]] && return 0
	log "copying busybox:latest from the manager to node 2"
	manager save busybox:latest | node2 load -q >/dev/null ||
		die "copying busybox:latest to node 2 failed"
}

# forwarded_ports lists the host ports node 2 must find on its own
# 127.0.0.1: the registries engine.sh runs (the engine trusts 127.0.0.0/8
# without TLS, so image names like 127.0.0.1:5000/x are where tests push),
# and, when the manager's control address is on loopback, the swarm port and
# the gossip port. A manager first made with --advertise-addr 127.0.0.1 and
# then moved with --force-new-cluster (as engine.sh does) still hands workers
# 127.0.0.1:2377 as its raft address; node 2 would dial that after its first
# session and on every restart, and its network gossip bootstraps from the
# same host on 7946. Without these, node 2 drops to Down after a reconnect
# and overlay networks never reach it.
forwarded_ports() {
	echo "${REGISTRY##*:}"
	cat "$MANAGER_DIR/auth-registry.port" 2>/dev/null || true
	if [[ $RAFT_ADDR == 127.* ]]; then
		echo "${RAFT_ADDR##*:}"
		echo 7946
	fi
}

# ensure_forwards makes each forwarded port answer on 127.0.0.1 inside the
# namespace, and fails when one does not. The namespace's loopback is its
# own, so each port is carried over a unix socket, which any network
# namespace can reach: one socat listens in the namespace, one on the host
# dials the port.
ensure_forwards() {
	local port i
	while read -r port; do
		[[ -n $port ]] || continue
		forward "fwd-$port-host" socat "UNIX-LISTEN:$DIR/fwd-$port.sock,fork,unlink-early" "TCP:127.0.0.1:$port"
		forward "fwd-$port-ns" nsenter --net="/run/netns/$NODE" -- \
			socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$DIR/fwd-$port.sock"
		# socat exits at once when the port is taken in the namespace (by
		# node 2's own swarm, say), so look for the listener.
		for ((i = 0; i < 25; i++)); do
			in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && continue 2
			sleep 0.2
		done
		log "nothing listens on 127.0.0.1:$port in namespace $NODE; see $DIR/forward.log"
		return 1
	done < <(forwarded_ports)
}

# forward NAME COMMAND... starts COMMAND (which becomes socat) unless the one
# its pid file names is alive.
forward() {
	local name=$1 pid
	shift
	pid=$(cat "$DIR/$name.pid" 2>/dev/null || true)
	is_proc "$pid" socat && return 0
	setsid nohup "$@" </dev/null >>"$DIR/forward.log" 2>&1 9>&- &
	echo $! >"$DIR/$name.pid"
}

stop_forwards() {
	local pidfile pid
	for pidfile in "$DIR"/fwd-*.pid; do
		[[ -e $pidfile ]] || continue
		pid=$(cat "$pidfile" 2>/dev/null || true)
		if is_proc "$pid" socat; then
			STOP_TIMEOUT=5 stop_proc "$pid" socat
		fi
		rm -f "$pidfile"
	done
	rm -f "$DIR"/fwd-*.sock
}

# --- swarm membership -------------------------------------------------------------

# joined succeeds when the manager lists node 2's own node ID as a Ready
# worker (node 2 saying "active" alone could mean another swarm's), and the
# two gossip: the ingress network, which every node has, lists node 2 among
# its peers. Until then an overlay network does not reach node 2's tasks.
joined() {
	local id state
	id=$(node2 info --format '{{.Swarm.NodeID}}' 2>/dev/null) || return 1
	[[ -n $id ]] || return 1
	state=$(manager node inspect --format '{{.Status.State}}' "$id" 2>/dev/null) || return 1
	[[ $state == ready ]] || return 1
	manager network inspect ingress --format '{{range .Peers}} {{.IP}}{{end}} ' 2>/dev/null |
		grep -q " $(node2 info --format '{{.Swarm.NodeAddr}}') "
}

# drop_other_nodes ID removes the manager's entries for any earlier node 2
# (its data purged, or a membership given up), so `node ls` shows one entry
# for it. With --force: such an entry can still look Ready for a heartbeat.
drop_other_nodes() {
	local id
	while read -r id; do
		[[ -n $id ]] && manager node rm --force "$id" >/dev/null
	done < <(manager node ls --format '{{.ID}} {{.Hostname}}' | awk -v n="$NODE" -v keep="$1" '$2 == n && $1 != keep { print $1 }')
}

# wait_joined SECONDS: true once joined.
wait_joined() {
	local deadline=$((SECONDS + $1))
	until joined; do
		((SECONDS < deadline)) || return 1
		sleep 0.25
	done
}

ensure_joined() {
	local state token
	state=$(node2 info --format '{{.Swarm.LocalNodeState}}')
	# A node 2 that was a member and has just restarted needs a few seconds
	# to open its session again; leaving then would make a second node entry.
	if [[ $state == inactive ]] || ! wait_joined 20; then
		if [[ $state != inactive ]]; then
			# Active in a swarm the manager does not know, or stuck pending
			# or in error: its membership is worth nothing, so start over.
			log "node 2 is $state but not a Ready node of the manager's swarm; leaving"
			node2 swarm leave --force >/dev/null
		fi
		ensure_forwards || die "node 2 cannot reach the registries or the manager through its forwarded ports"
		token=$(manager swarm join-token -q worker)
		node2 swarm join --token "$token" --availability "$AVAILABILITY" --advertise-addr "$NODE_ADDR" \
			--listen-addr "$NODE_ADDR:2377" "$MANAGER_ADDR:2377" >/dev/null ||
			die "node 2 could not join the swarm at $MANAGER_ADDR:2377; see $LOG"
		wait_joined "$JOIN_TIMEOUT" || die "node 2 joined but the manager does not see it Ready after ${JOIN_TIMEOUT}s"
		log "node 2 ($NODE, $NODE_ADDR) joined the swarm as a worker"
	fi
	drop_other_nodes "$(node2 info --format '{{.Swarm.NodeID}}')"
	ensure_availability
}

# ensure_availability sets an already joined node 2 to AVAILABILITY, so a
# start with another BERTH_NODE2_AVAILABILITY changes it.
ensure_availability() {
	local id
	id=$(node2 info --format '{{.Swarm.NodeID}}')
	[[ $(manager node inspect --format '{{.Spec.Availability}}' "$id") == "$AVAILABILITY" ]] && return 0
	manager node update --availability "$AVAILABILITY" "$id" >/dev/null
	log "node 2 is now $AVAILABILITY"
}

# --- subcommands ------------------------------------------------------------------

export_line() {
	printf 'export BERTH_SWARM_NODE2=%q\n' "$NODE"
	printf 'export BERTH_NODE2_HOST=%q\n' "unix://$SOCK"
	printf 'export BERTH_NODE2_ADDR=%q\n' "$(in_ns ip -o -4 addr show dev "$NS_LINK" | awk '{ sub("/.*", "", $4); print $4 }')"
}

cmd_start() {
	require_root
	case $AVAILABILITY in
	active | pause | drain) ;;
	*) die "BERTH_NODE2_AVAILABILITY=$AVAILABILITY: want active, pause or drain" ;;
	esac
	local tool
	for tool in ip nsenter unshare socat docker; do
		command -v "$tool" >/dev/null || die "$tool is missing; run: scripts/engine.sh swarm (it installs what node 2 needs)"
	done
	if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != "unix://$MANAGER_SOCK" ]]; then
		die "DOCKER_HOST=$DOCKER_HOST is not the private engine, whose swarm node 2 joins; no node 2"
	fi
	mkdir -p "$DIR"
	exec 9>"$DIR/lock"
	flock 9
	find_manager
	ensure_netns
	# Before the daemon: a node 2 that was joined dials the manager as soon
	# as it starts. One that made a swarm of its own holds the swarm ports
	# itself; ensure_joined tries again once it has left.
	ensure_forwards || true
	ensure_daemon
	ensure_busybox
	ensure_joined
	log "node 2 ready"
	export_line
}

cmd_env() {
	if node2_up && joined; then
		export_line
	fi
}

cmd_stop() {
	require_root
	mkdir -p "$DIR"
	exec 9>"$DIR/lock"
	flock 9
	local id pid
	if node2_up; then
		id=$(node2 info --format '{{.Swarm.NodeID}}')
		if [[ -n $id ]]; then
			node2 swarm leave --force >/dev/null || log "node 2 could not leave the swarm"
			# A node that left shows as Down until the manager forgets it.
			manager node rm --force "$id" >/dev/null 2>&1 || true
		fi
	fi
	pid=$(daemon_pid)
	if [[ -n $pid ]]; then
		log "stopping node 2's dockerd (pid $pid)"
		stop_proc "$pid" dockerd
	fi
	clear_containerd
	stop_forwards
	rm -f "$PIDFILE" "$SOCK"
	if [[ -e /run/netns/$NODE ]]; then
		ip netns del "$NODE"
	fi
	# Deleting the namespace takes its end of the pair, and with it the host's.
	ip link del "$HOST_LINK" 2>/dev/null || true
	if [[ ${1:-} == --purge ]]; then
		rm -rf "$DIR/data" "$DIR/exec" "$DIR/cgroup" "$LOG" "$LOG.1" "$DIR/daemon.json" "$DIR/forward.log"
		log "purged $DIR"
	fi
}

cmd_status() {
	if node2_up && joined; then
		echo ready
	else
		echo "not ready"
		return 1
	fi
}

# --- check ------------------------------------------------------------------------

CHECK=berth-node2-check # the network's name, and the services' prefix

# cmd_check places one task on each node on an attachable overlay network and
# has node 1's task fetch node 2's host name over it, by service name and by
# task address: placement, gossip and the VXLAN data path in one go. The
# service on node 2 resolves to its tasks (endpoint mode dnsrr), as the
# default virtual IP needs IPVS in the kernel.
cmd_check() {
	cmd_status >/dev/null || die "node 2 is not a Ready worker; run: scripts/swarm-worker.sh start"
	[[ $(manager node inspect --format '{{.Spec.Availability}}' "$NODE") == active ]] ||
		die "node 2 takes no tasks (availability is not active); run: BERTH_NODE2_AVAILABILITY=active scripts/swarm-worker.sh start"
	trap check_cleanup EXIT
	manager network create --driver overlay --attachable "$CHECK" >/dev/null
	# A short grace: neither command handles SIGTERM as PID 1, and the
	# network goes only once the tasks have.
	manager service create --detach --quiet --name "$CHECK-2" --network "$CHECK" --endpoint-mode dnsrr \
		--stop-grace-period 1s --constraint "node.hostname==$NODE" \
		busybox:latest httpd -f -p 8080 -h /etc >/dev/null 2>&1
	manager service create --detach --quiet --name "$CHECK-1" --network "$CHECK" \
		--stop-grace-period 1s --constraint node.role==manager busybox:latest sleep 600 >/dev/null 2>&1
	local one two addr want got target
	one=$(task_container manager "$CHECK-1") || die "the task on node 1 did not start"
	two=$(task_container node2 "$CHECK-2") || die "the task on node 2 did not start; see $LOG"
	want=$(node2 inspect --format '{{.Config.Hostname}}' "$two")
	addr=$(node2 inspect --format "{{(index .NetworkSettings.Networks \"$CHECK\").IPAddress}}" "$two")
	log "node 1's task reaches node 2's ($addr) by ping"
	manager exec "$one" ping -c 1 -W 5 "$addr" >/dev/null || die "no ping from node 1's task to $addr on node 2"
	for target in "$CHECK-2" "$addr"; do
		# busybox's wget dies of SIGSEGV in this image (exit 139), so nc.
		got=$(manager exec "$one" sh -c "printf 'GET /hostname HTTP/1.0\r\n\r\n' | nc -w 5 $target 8080 | tail -n 1")
		[[ $got == "$want" ]] || die "node 1's task asked $target for node 2's task's host name $want and got '$got'"
		log "node 1's task fetched $want from $target:8080 on node 2"
	done
	log "check passed"
}

# task_container ENGINE SERVICE waits for the service's task to run and
# prints its container ID, as ENGINE (manager or node2) knows it.
task_container() {
	local i id
	for ((i = 0; i < 240; i++)); do
		id=$("$1" ps --quiet --filter "label=com.docker.swarm.service.name=$2" --filter status=running)
		[[ -n $id ]] && echo "$id" && return 0
		sleep 0.25
	done
	manager service ps --no-trunc "$2" >&2 || true
	return 1
}

# check_cleanup waits for the network to be gone, not merely for `network
# rm` to succeed: the swarm accepts that as soon as no service names the
# network, and the manager keeps it, still listed, until the removed services'
# containers have stopped.
check_cleanup() {
	local i
	manager service rm "$CHECK-1" "$CHECK-2" >/dev/null 2>&1 || true
	for ((i = 0; i < 120; i++)); do
		manager network rm "$CHECK" >/dev/null 2>&1 || true
		manager network inspect "$CHECK" >/dev/null 2>&1 || return 0
		sleep 0.25
	done
	log "network $CHECK is still there after 30s"
}

usage() {
	echo "usage: $0 start | env | stop [--purge] | status | check" >&2
	exit 2
}

case ${1:-} in
start) cmd_start ;;
env) cmd_env ;;
stop)
	[[ -z ${2:-} || $2 == --purge ]] || usage
	cmd_stop "${2:-}"
	;;
status) cmd_status ;;
check) cmd_check ;;
run-dockerd) run_dockerd ;; # launch's own step, inside the namespaces
*) usage ;;
esac
