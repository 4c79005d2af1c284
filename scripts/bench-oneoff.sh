#!/usr/bin/env bash
# bench-oneoff.sh times berth's one-off commands against the docker CLI doing
# the same thing by hand, on a project of one service `app` (busybox running
# `sleep 86400`):
#
#   run   berth run --rm app true  vs  docker run --rm busybox true
#         (and docker run --rm --network <project>_default busybox true)
#   exec  berth exec app true      vs  docker exec CONTAINER true
#
# where CONTAINER is the one `berth up -d` started for app. Debian's
# docker-compose (v1) is timed beside them, as `docker-compose run --rm app
# true` and `docker-compose exec -T app true` (v1 needs -T to run without a
# terminal), when installed, and skipped with a note when not. The goal is
# for berth to stay within 1.2x of the docker CLI on both rows.
#
#   scripts/bench-oneoff.sh                  build bin/berth, make the project, time
#   ROUNDS_RUN=5 ROUNDS_EXEC=10 scripts/bench-oneoff.sh
#   BERTH=/path/to/berth scripts/bench-oneoff.sh   time that binary, build nothing
#
# DOCKER (default /usr/bin/docker, from Debian's docker.io) and COMPOSE
# (default docker-compose, looked up on PATH) name the other two tools.
#
# ROUNDS_RUN (default 10) and ROUNDS_EXEC (default 20) are how many timed
# rounds each row gets. In a round every tool runs once, and the tool that
# goes first moves on by one each round, so neither a machine that slows down
# part-way nor a cache warmed by the tool before favours one tool. Each tool
# runs once untimed before the rounds: that checks it works (a failing tool
# stops the script, with its output) and pulls nothing into a timed run. A
# run is timed as a whole process with bash's EPOCHREALTIME, stdin from
# /dev/null so no tool gets a terminal; the medians are printed with their
# ratios to docker's. The script keeps to bash and the tools it times, with
# its own loop, since no pairing tool here takes three commands at once and
# anyone reading the numbers can rerun it as it is.
#
# Until berth has `run` and `exec`, their rows say so and the script exits 1
# after timing the other tools. Everything it creates is removed at the end,
# failure and Ctrl-C included.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored
export LC_ALL=C          # printf reads bc's decimal point, whatever the locale

ROUNDS_RUN=${ROUNDS_RUN:-10}
ROUNDS_EXEC=${ROUNDS_EXEC:-20}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
DOCKER=${DOCKER:-/usr/bin/docker}
COMPOSE=${COMPOSE:-docker-compose}

log() { printf 'bench-oneoff.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME)"
for v in ROUNDS_RUN ROUNDS_EXEC; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number of rounds, 1 or more (it is '${!v}')"
done
# Both paths are made absolute here: the script changes folder twice.
found=$(command -v "$DOCKER") || die "no docker CLI at $DOCKER: install it (apt-get install -y docker.io) or set DOCKER"
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

if [[ -z ${BERTH:-} ]]; then
	log "building bin/berth"
	"$GO" build -o bin/berth ./cmd/berth
fi

work=$(mktemp -d)
project=benchoneoff$$

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	(cd "$work" && "$berth" -p "$project" down -v -t 0 >>"$work/cleanup.log" 2>&1) ||
		log "cleanup: berth down failed: $(tail -n 3 "$work/cleanup.log")"
	# A one-off container that an interrupted run left behind. docker run
	# --rm needs no such care: the engine itself removes its container.
	local ids
	mapfile -t ids < <("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null)
	((${#ids[@]} == 0)) || "$DOCKER" rm -f "${ids[@]}" >/dev/null 2>&1 || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat >"$work/compose.yaml" <<'YAML'
services:
  app:
    image: busybox
    command: ["sleep", "86400"]
YAML
cd "$work"
log "starting the project (berth up -d)"
"$berth" -p "$project" up -d >"$work/up.log" 2>&1 || die "berth up -d failed: $(tail -n 5 "$work/up.log")"
container=$("$DOCKER" ps -q --filter "label=com.docker.compose.project=$project" \
	--filter label=com.docker.compose.service=app --filter status=running)
[[ -n $container ]] || die "berth up -d started no running container for app"

# has_command tells whether berth has the subcommand $1. Asking for an
# unknown command's help prints the root's help and exits 0, so the usage
# line is what tells them apart. The help is read whole first: grep -q
# leaving early could kill berth with SIGPIPE, which pipefail would report.
has_command() {
	local help
	help=$("$berth" "$1" --help 2>/dev/null) || return 1
	grep -q "^  berth $1\b" <<<"$help"
}

compose=0
if command -v "$COMPOSE" >/dev/null; then
	compose=1
	log "docker-compose: $("$COMPOSE" version --short 2>/dev/null || echo 'version unknown')"
else
	log "no $COMPOSE on PATH (apt-get install -y docker-compose): timing berth and docker only"
fi

# timed NAME CMD runs the command in the array named CMD once and appends
# its wall time in milliseconds to $work/NAME.ms. A failure stops the
# script: a median of failed runs would say nothing about the tool.
timed() {
	local name=$1 start end
	local -n cmd=$2
	start=$EPOCHREALTIME
	"${cmd[@]}" </dev/null >"$work/last.log" 2>&1 ||
		die "$name failed ($(shown "${cmd[*]}")): $(tail -n 5 "$work/last.log")"
	end=$EPOCHREALTIME
	echo "($end - $start) * 1000" | bc -l >>"$work/$name.ms"
}

# shown shortens a command for the table: berth's path, the docker CLI's
# path and the generated project name say nothing to a reader.
shown() {
	local s=${1//"$berth"/berth}
	s=${s//" -p $project"/}
	printf '%s' "${s//"$DOCKER "/docker }"
}

# median prints the median of the numbers in file $1, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# row NAME CMD prints one line of the table: the command in the array named
# CMD, the median of $work/NAME.ms and its ratio to docker's median, $base.
row() {
	local -n cmd=$2
	local m
	m=$(median "$work/$1.ms")
	printf '%-64s %10.1f %8.2f\n' "$(shown "${cmd[*]}")" "$m" "$(echo "$m / $base" | bc -l)"
}

missing=() # berth commands a row could not time
# bench ROW ROUNDS times one row of the table and prints its lines. The
# commands are the arrays ROW_berth, ROW_docker and ROW_compose, so that
# paths with spaces stay whole.
bench() {
	local kind=$1 rounds=$2 r i k base
	local -a names=()
	if has_command "$kind"; then
		names+=(berth)
	else
		missing+=("$kind")
	fi
	names+=(docker)
	if declare -p "${kind}_dockernet" &>/dev/null; then
		names+=(dockernet)
	fi
	((compose == 0)) || names+=(compose)
	log "$kind: one untimed run each, then $rounds rounds"
	for i in "${names[@]}"; do
		timed "$kind-$i" "${kind}_$i"
		rm -f "$work/$kind-$i.ms"
	done
	for ((r = 0; r < rounds; r++)); do
		for ((k = 0; k < ${#names[@]}; k++)); do
			i=${names[(r + k) % ${#names[@]}]}
			timed "$kind-$i" "${kind}_$i"
		done
	done

	base=$(median "$work/$kind-docker.ms")
	if [[ -f $work/$kind-berth.ms ]]; then
		row "$kind-berth" "${kind}_berth"
	else
		local -n cmd=${kind}_berth
		printf '%-64s %10s %8s  %s\n' "$(shown "${cmd[*]}")" n/a n/a "(berth has no $kind command yet)"
	fi
	row "$kind-docker" "${kind}_docker"
	if declare -p "${kind}_dockernet" &>/dev/null; then
		row "$kind-dockernet" "${kind}_dockernet"
	fi
	((compose == 0)) || row "$kind-compose" "${kind}_compose"
}

run_berth=("$berth" -p "$project" run --rm app true)
run_docker=("$DOCKER" run --rm busybox true)
# The same on the project's network, as every compose one-off runs: a
# user-defined network costs the engine more to join than its default
# bridge, and this row shows how much of berth's time is that.
run_dockernet=("$DOCKER" run --rm --network "${project}_default" busybox true)
run_compose=("$COMPOSE" -p "$project" run --rm app true)
exec_berth=("$berth" -p "$project" exec app true)
exec_docker=("$DOCKER" exec "$container" true)
exec_compose=("$COMPOSE" -p "$project" exec -T app true)

# The table is held back until the timing is done, so the progress lines
# on stderr do not break it up.
{
	printf '%-64s %10s %8s\n' command median_ms ratio
	bench run "$ROUNDS_RUN"
	bench exec "$ROUNDS_EXEC"
	printf '(run: median of %d rounds, exec: median of %d; ratio: to the docker CLI; goal: berth within 1.2)\n' \
		"$ROUNDS_RUN" "$ROUNDS_EXEC"
} >"$work/table"
cat "$work/table"

for c in "${missing[@]}"; do
	log "berth has no $c command yet: its row is n/a"
done
((${#missing[@]} == 0)) || exit 1
