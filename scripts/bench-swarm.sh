#!/usr/bin/env bash
# bench-swarm.sh times `berth swarm up --wait` against `docker stack deploy
# --detach=false`, the two ways to deploy a compose project to Docker Swarm
# and return once it runs, on the same engine (a swarm manager) in one run.
# The project is generated: 20 services of busybox from the harness's
# registry, each `sleep 86400` under init with a 1 s stop grace period, an
# environment variable ROUND, one replica placed on a manager, all on the
# project's default network; 5 of them have a healthcheck (`true` every 1 s)
# and 4 mount one config. Three scenarios are timed for each tool:
#
#   cold             the stack is absent: every network, config and service
#                    is created and every task has to start (and turn healthy)
#   one changed      s01's ROUND changes, the file is deployed again: one
#                    service has to roll its task
#   nothing changed  the same file is deployed again: nothing needs doing
#
# For "nothing changed" the table also says how many of the 20 services each
# tool updated anyway (their Version.Index moved), once per round. A deploy
# that changes nothing should send no update: every update makes the swarm
# store a new version and makes its orchestrator look at the service again.
# The goal is berth at most 0.5x docker's time cold and with one changed,
# and under 2 s with no update sent when nothing changed.
#
#   scripts/bench-swarm.sh                       build bin/berth, time ROUNDS=2 rounds
#   ROUNDS=1 scripts/bench-swarm.sh
#   BERTH=/path/to/berth scripts/bench-swarm.sh  time that binary, build nothing
#
# DOCKER names the docker CLI; by default it is the first docker on PATH
# whose `stack deploy` has --detach (Debian's 20.10 does not: it always
# returns at once, so it cannot wait for the services). The config comes
# from a file, not from `content:`, as docker's stack loader rejects
# `content:` ("Additional property content is not allowed"). The engine is
# scripts/engine.sh's (or DOCKER_HOST's), made a swarm manager with
# scripts/engine.sh swarm when it is not one yet.
#
# ROUNDS (default 2) is how many timed rounds there are. In a round each
# tool runs its three scenarios in a row on its own stack, and its stack is
# then removed (untimed) and waited for until the engine has none of its
# services, networks, configs and containers left, so the next cold run is
# cold and the other tool runs on an engine that is otherwise idle. The tool
# that goes first moves on by one each round, so a machine that slows down
# part-way slows each alike. The two tools deploy stacks of different names,
# one after the other, never at once. A run is timed as a whole process with
# bash's EPOCHREALTIME, stdin from /dev/null so no tool gets a terminal, and
# any run that fails, takes longer than TIMEOUT seconds (default 600) or
# leaves a service short of its running task stops the script with the
# tool's output: a median of failed runs would say nothing. A removal that
# fails does not stop it: the table notes it, and docker stack rm takes
# what was left. There is no untimed run first, as in the other benchmarks:
# a docker round takes minutes, and the project's image is on the engine
# already, since it is pushed from there.
#
# On the 2-core test machine (dockerd 20.10) a round takes about 6 minutes,
# 5 of them docker's: its --detach=false watches the services one after the
# other, and each for at least 5 s. The default of 2 rounds keeps the whole
# to about 12 minutes, and lets each tool go first once.
# The script exits 1 when berth sent an update with nothing changed, after
# the table. Everything it creates is removed at the end, failure and Ctrl-C
# included; the image stays in the registry, which has no delete.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored
export LC_ALL=C          # printf reads bc's decimal point, whatever the locale

ROUNDS=${ROUNDS:-2}
TIMEOUT=${TIMEOUT:-600}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
SERVICES=20
CHANGED=s01      # the service the one-changed scenario changes
GONE_TIMEOUT=180 # seconds a removed stack gets to leave the engine

log() { printf 'bench-swarm.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a whole number of rounds, 1 or more (it is '$ROUNDS')"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT must be a whole number of seconds, 1 or more (it is '$TIMEOUT')"

# can_wait tells whether the docker CLI $1 has `stack deploy --detach`. The
# help is read whole first: grep -q leaving early could kill the CLI with
# SIGPIPE, which pipefail would report.
can_wait() {
	local help
	help=$("$1" stack deploy --help 2>&1) || return 1
	grep -q -- '--detach' <<<"$help"
}

# The paths are made absolute here: the script changes folder.
if [[ -n ${DOCKER:-} ]]; then
	found=$(command -v "$DOCKER") || die "no docker CLI at DOCKER=$DOCKER: point it at one, or unset it to take the first on PATH"
	can_wait "$found" || die "DOCKER=$DOCKER has no 'stack deploy --detach', so it cannot wait for a deploy: point DOCKER at a newer docker CLI"
else
	found=
	while read -r d; do
		if can_wait "$d"; then
			found=$d
			break
		fi
	done < <(type -ap docker)
	[[ -n $found ]] || die "no docker CLI on PATH has 'stack deploy --detach' (Debian's 20.10 lacks it): put a newer one on PATH or set DOCKER"
fi
[[ $found == /* ]] || found=$PWD/$found
DOCKER=$found
if [[ -n ${BERTH:-} ]]; then
	[[ -f $BERTH && -x $BERTH ]] || die "BERTH=$BERTH is not an executable file: point it at a berth binary, or unset it to build bin/berth"
	berth=$BERTH
	[[ $berth == /* ]] || berth=$PWD/$berth
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
berth=${berth:-$PWD/bin/berth}

envline=$(scripts/engine.sh ensure) || die "no engine: scripts/engine.sh ensure failed"
eval "$envline"
export DOCKER_HOST
BERTH_REGISTRY=${BERTH_REGISTRY:-127.0.0.1:5000}
# swarm_state prints "active true" for an engine that is a swarm manager.
swarm_state() {
	"$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' ||
		die "docker info failed on $DOCKER_HOST"
}
# engine.sh swarm only when the engine is no manager yet: on a manager it
# would re-make a swarm that advertises another address than its own.
if [[ $(swarm_state) != "active true" ]]; then
	log "the engine is not a swarm manager: making it one (scripts/engine.sh swarm)"
	envline=$(scripts/engine.sh swarm) || die "scripts/engine.sh swarm failed"
	eval "$envline"
	swarm=$(swarm_state)
	[[ $swarm == "active true" ]] ||
		die "the engine at $DOCKER_HOST is not a swarm manager (swarm: $swarm), and this benchmark needs one"
fi

if [[ -z ${BERTH:-} ]]; then
	log "building bin/berth"
	"$GO" build -o bin/berth ./cmd/berth
fi

work=$(mktemp -d)
image=$BERTH_REGISTRY/berth/bench-swarm:latest
declare -A stack=([berth]=benchswarmb$$ [docker]=benchswarmd$$)

# stack_left prints what of stack $1 the engine still has, as a list of
# kinds, or nothing once it is all gone; $2, when given, names the kinds to
# look at (default all). A service's removal returns before its containers
# have stopped, and the node drops its copy of the network only after they
# have, so all four kinds are looked at.
stack_left() {
	local sel="label=com.docker.stack.namespace=$1" kind out
	local -a left=()
	for kind in ${2:-service network config container}; do
		case $kind in
		container) out=$("$DOCKER" ps -aq --filter "$sel") || return 1 ;;
		*) out=$("$DOCKER" "$kind" ls -q --filter "$sel") || return 1 ;;
		esac
		[[ -z $out ]] || left+=("${kind}s")
	done
	echo "${left[*]}"
}

# wait_gone waits until the engine has nothing of stack $1 left (of the
# kinds $2, default all), and fails after GONE_TIMEOUT seconds, saying what
# is left.
wait_gone() {
	local deadline=$((SECONDS + GONE_TIMEOUT)) left
	while :; do
		left=$(stack_left "$1" "${2:-}") || {
			log "could not list what the engine has left of stack $1"
			return 1
		}
		[[ -n $left ]] || return 0
		((SECONDS < deadline)) || {
			log "stack $1 still has $left ${GONE_TIMEOUT}s after its removal"
			return 1
		}
		sleep 0.2
	done
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# docker stack rm for both stacks: it removes whatever carries the
	# stack's label, which berth sets too, so a berth that fails cannot
	# leave its stack behind.
	local s left
	for s in "${stack[@]}"; do
		left=$(stack_left "$s" 2>/dev/null) || left=unknown
		[[ -n $left ]] || continue
		"$DOCKER" stack rm "$s" >>"$work/cleanup.log" 2>&1 ||
			log "cleanup: docker stack rm $s failed: $(tail -n 3 "$work/cleanup.log")"
		wait_gone "$s" || true
	done
	# Only the tag goes: busybox:latest, which it names too, stays.
	"$DOCKER" rmi "$image" >/dev/null 2>&1 || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "pushing busybox:latest to $image"
"$DOCKER" tag busybox:latest "$image" >"$work/setup.log" 2>&1 ||
	die "docker tag busybox:latest $image failed: $(tail -n 5 "$work/setup.log")"
"$DOCKER" push "$image" >"$work/setup.log" 2>&1 ||
	die "docker push $image failed: $(tail -n 5 "$work/setup.log")"

printf 'log_level = info\nworkers = 4\n' >"$work/settings.conf"

# write_project writes the project to $work/compose.yaml with $1 as
# CHANGED's ROUND; every other service keeps ROUND 0. Every 4th service from
# the 1st has a healthcheck and every 5th from the 2nd mounts the config.
write_project() {
	local i name round
	{
		echo "services:"
		for ((i = 1; i <= SERVICES; i++)); do
			printf -v name 's%02d' "$i"
			round=0
			[[ $name != "$CHANGED" ]] || round=$1
			cat <<-YAML
				  $name:
				    image: $image
				    command: ["sleep", "86400"]
				    init: true
				    stop_grace_period: 1s
				    environment:
				      ROUND: "$round"
			YAML
			((i % 4 != 1)) || cat <<-'YAML'
				    healthcheck:
				      test: ["CMD", "true"]
				      interval: 1s
			YAML
			((i % 5 != 2)) || cat <<-'YAML'
				    configs:
				      - source: settings
				        target: /etc/bench/settings.conf
			YAML
			cat <<-'YAML'
				    deploy:
				      replicas: 1
				      placement:
				        constraints: ["node.role == manager"]
			YAML
		done
		cat <<-'YAML'
			configs:
			  settings:
			    file: ./settings.conf
		YAML
	} >"$work/compose.yaml"
}

berth_deploy=("$berth" -p "${stack[berth]}" -f "$work/compose.yaml" swarm up --wait)
docker_deploy=("$DOCKER" stack deploy --detach=false -c "$work/compose.yaml" "${stack[docker]}")
berth_remove=("$berth" -p "${stack[berth]}" swarm down)
docker_remove=("$DOCKER" stack rm "${stack[docker]}")

# converged fails the script unless, after tool $1's deploy, its stack has
# all SERVICES services with their one task running, and CHANGED's running
# container has ROUND $2: a deploy that returned early would time less work.
converged() {
	local tool=$1 s=${stack[$1]} name replicas n=0 short=() ids env
	while read -r name replicas; do
		n=$((n + 1))
		[[ $replicas == 1/1 ]] || short+=("$name $replicas")
	done < <("$DOCKER" service ls --filter "label=com.docker.stack.namespace=$s" --format '{{.Name}} {{.Replicas}}')
	((n == SERVICES)) || die "$tool's deploy exited 0, but stack $s has $n services, not $SERVICES"
	((${#short[@]} == 0)) || die "$tool's deploy exited 0, but not every service runs: ${short[*]}"
	mapfile -t ids < <("$DOCKER" ps -q --filter status=running \
		--filter "label=com.docker.swarm.service.name=${s}_$CHANGED")
	((${#ids[@]} == 1)) || die "$tool's deploy exited 0, but ${s}_$CHANGED has ${#ids[@]} running containers, not 1"
	env=$("$DOCKER" inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "${ids[0]}")
	grep -qx "ROUND=$2" <<<"$env" ||
		die "$tool's deploy exited 0, but ${s}_$CHANGED's running container does not have ROUND=$2"
}

# timed TOOL SCENARIO ROUND writes the project with ROUND, runs TOOL's
# deploy once and appends its wall time in milliseconds to
# $work/TOOL-SCENARIO.ms.
timed() {
	local tool=$1 scenario=$2 start end rc=0
	local -n cmd=${tool}_deploy
	write_project "$3"
	start=$EPOCHREALTIME
	timeout -k 10 "$TIMEOUT" "${cmd[@]}" </dev/null >"$work/last.log" 2>&1 || rc=$?
	end=$EPOCHREALTIME
	((rc != 124)) || die "$tool ($scenario) did not finish within ${TIMEOUT}s: $(tail -n 5 "$work/last.log")"
	((rc == 0)) || die "$tool ($scenario) failed with exit code $rc: $(tail -n 5 "$work/last.log")"
	converged "$tool" "$3"
	echo "($end - $start) * 1000" | bc -l >>"$work/$tool-$scenario.ms"
	log "  $tool $scenario: $(printf '%.1f' "$(echo "($end - $start)" | bc -l)") s"
}

# versions prints every service of stack $1 with its Version.Index, one
# "name index" a line, sorted by name for join.
versions() {
	local -a ids
	mapfile -t ids < <("$DOCKER" service ls -q --filter "label=com.docker.stack.namespace=$1")
	"$DOCKER" service inspect --format '{{.Spec.Name}} {{.Version.Index}}' "${ids[@]}" | sort
}

# round runs TOOL's three scenarios on its stack, counts the services its
# unchanged deploy updated into $work/TOOL.updates, and removes the stack.
round() {
	local tool=$1 n
	timed "$tool" cold 0
	timed "$tool" changed 1
	versions "${stack[$tool]}" >"$work/before"
	timed "$tool" unchanged 1
	versions "${stack[$tool]}" >"$work/after"
	n=$(join "$work/before" "$work/after" | awk '$2 != $3' | wc -l)
	echo "$n" >>"$work/$tool.updates"
	log "  $tool unchanged: $n of $SERVICES services updated"
	remove_stack "$tool"
}

# remove_stack removes TOOL's stack with the tool's own command and waits
# until it is gone. When the command fails, that goes into
# $work/TOOL.removals for the table, and what it left is removed with
# docker stack rm once the services' containers are gone, so the rounds
# can go on: the removal is not timed.
remove_stack() {
	local tool=$1 s=${stack[$1]}
	local -n remove=${tool}_remove
	if "${remove[@]}" </dev/null >"$work/remove.log" 2>&1; then
		echo ok >>"$work/$tool.removals"
	else
		echo failed >>"$work/$tool.removals"
		log "  $tool's removal failed ($(shown "${remove[*]}")): $(tail -n 1 "$work/remove.log")"
		log "  removing what it left with docker stack rm"
		wait_gone "$s" "service container" || exit 1
		"$DOCKER" stack rm "$s" </dev/null >"$work/remove.log" 2>&1 ||
			die "docker stack rm $s failed too: $(tail -n 5 "$work/remove.log")"
	fi
	wait_gone "$s" || exit 1
}

# shown shortens a command for messages: the tools' paths say nothing.
shown() {
	local s=${1//"$berth"/berth}
	printf '%s' "${s//"$DOCKER "/docker }"
}

# median prints the median of the numbers in file $1, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

tools=(berth docker)
log "berth: $(shown "${berth_deploy[*]}")"
log "docker: $(shown "${docker_deploy[*]}") ($("$DOCKER" version --format '{{.Client.Version}}'))"
log "$ROUNDS rounds of cold, one changed and nothing changed, $SERVICES services"
for ((r = 0; r < ROUNDS; r++)); do
	log "round $((r + 1)) of $ROUNDS"
	for ((k = 0; k < ${#tools[@]}; k++)); do
		round "${tools[(r + k) % ${#tools[@]}]}"
	done
done

declare -A title=([cold]="cold (stack absent)" [changed]="one changed ($CHANGED's ROUND)" [unchanged]="nothing changed")
declare -A med=() remover=([berth]="berth swarm down" [docker]="docker stack rm")
# The table is held back until the timing is done, so the progress lines
# on stderr do not break it up.
{
	printf '%-28s %10s %10s %7s  %s\n' scenario berth_ms docker_ms ratio "updates_sent (per round, of $SERVICES)"
	for sc in cold changed unchanged; do
		for t in "${tools[@]}"; do
			med[$t-$sc]=$(median "$work/$t-$sc.ms")
		done
		updates=
		[[ $sc != unchanged ]] ||
			updates="berth $(paste -sd' ' "$work/berth.updates"), docker $(paste -sd' ' "$work/docker.updates")"
		printf '%-28s %10.1f %10.1f %7.3f  %s\n' "${title[$sc]}" "${med[berth-$sc]}" "${med[docker-$sc]}" \
			"$(echo "${med[berth-$sc]} / ${med[docker-$sc]}" | bc -l)" "$updates"
	done
	printf '(median of %d rounds; ratio: berth/docker; goal: cold and one changed at most 0.50, nothing changed under 2000 ms with no update sent)\n' \
		"$ROUNDS"
	missed=()
	for sc in cold changed; do
		(($(echo "${med[berth-$sc]} <= 0.5 * ${med[docker-$sc]}" | bc -l))) || missed+=("${title[$sc]} above 0.50")
	done
	(($(echo "${med[berth-unchanged]} < 2000" | bc -l))) || missed+=("nothing changed not under 2000 ms")
	sent=$(awk '{ s += $1 } END { print s + 0 }' "$work/berth.updates")
	((sent == 0)) || missed+=("berth sent $sent updates with nothing changed")
	for t in "${tools[@]}"; do
		fails=$(grep -c failed "$work/$t.removals" || true)
		((fails == 0)) || printf '(untimed removal: %s failed in %d of %d rounds)\n' \
			"${remover[$t]}" "$fails" "$ROUNDS"
	done
	if ((${#missed[@]} == 0)); then
		echo "goal: met"
	else
		line="goal: missed: ${missed[0]}"
		for m in "${missed[@]:1}"; do
			line+="; $m"
		done
		echo "$line"
	fi
} >"$work/table"
cat "$work/table"
((sent == 0)) || exit 1
