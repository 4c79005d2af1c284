#!/usr/bin/env bash
# bench-logs.sh times `berth logs` on a project of C containers that each
# wrote L lines and exited, against the floor: `docker logs` of the same
# containers, all at once, into /dev/null (the engine's own cost of reading
# and sending the logs, with nothing merged or prefixed). docker-compose (v1,
# Debian's package) is timed too when installed, and skipped with a note
# when not.
#
#   scripts/bench-logs.sh          build bin/berth, make the project, time
#
# C (default 10), L (default 100000) and ROUNDS (default 5) change the run.
# The tools take turns round by round, so a machine that slows down part-way
# slows each alike; the ratios printed are of the medians. Peak RSS comes
# from GNU time (/usr/bin/time -v) and shows whether memory stays flat as L
# grows. The project is removed at the end, whatever happens.
set -euo pipefail
shopt -s inherit_errexit

C=${C:-10}
L=${L:-100000}
ROUNDS=${ROUNDS:-5}
GO=${GO:-go}
DOCKER=${DOCKER:-/usr/bin/docker}

log() { printf 'bench-logs.sh: %s\n' "$*" >&2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
log "building bin/berth"
"$GO" build -o bin/berth ./cmd/berth

work=$(mktemp -d)
project=benchlogs$$
cleanup() {
	(cd "$work" && "$root/bin/berth" -p "$project" down -t 0 >/dev/null 2>&1) || true
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/compose.yaml" <<YAML
services:
  writer:
    image: busybox
    command: ["seq", "$L"]
YAML
cd "$work"
log "starting $C containers that each write $L lines"
"$root/bin/berth" -p "$project" up -d --scale "writer=$C" >/dev/null 2>&1
# Wait until every container has exited, so each tool reads the same logs.
until [ "$("$DOCKER" ps -q --filter "label=com.docker.compose.project=$project" --filter status=running | wc -l)" = 0 ]; do
	sleep 0.2
done
mapfile -t ids < <("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$project")
lines=$("$root/bin/berth" -p "$project" logs | wc -l)
[ "$lines" = $((C * L)) ] || { log "berth logs printed $lines lines, not $((C * L))"; exit 1; }


# run NAME CMD... times one run (seconds) and its peak RSS (KB) into
# $work/NAME.times and $work/NAME.rss.
run() {
	local name=$1
	shift
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -v -o "$work/$name.time" "$@" >/dev/null 2>&1
	end=$(date +%s.%N)
	echo "$end - $start" | bc >>"$work/$name.times"
	awk -F': ' '/Maximum resident/ {print $2}' "$work/$name.time" >>"$work/$name.rss"
}

names=(floor berth)
compose=0
if command -v docker-compose >/dev/null; then
	compose=1
	names+=(docker-compose)
	log "docker-compose: $(docker-compose version --short 2>/dev/null || echo 'version unknown')"
else
	log "docker-compose is not installed (apt-get install -y docker-compose): timing berth and the floor only"
fi
for ((r = 1; r <= ROUNDS; r++)); do
	ids_list="${ids[*]}"
	run floor bash -c "for id in $ids_list; do $DOCKER logs \$id >/dev/null 2>&1 & done; wait"
	run berth "$root/bin/berth" -p "$project" logs
	if [ "$compose" = 1 ]; then
		run docker-compose docker-compose -p "$project" logs --no-color
	fi
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak() { sort -n "$1" | tail -1; }
base=$(median "$work/floor.times")
printf '%-16s %10s %8s %14s\n' tool median_s ratio peak_rss_kb
for n in "${names[@]}"; do
	m=$(median "$work/$n.times")
	printf '%-16s %10.3f %8.2f %14s\n' "$n" "$m" "$(echo "$m / $base" | bc -l)" "$(peak "$work/$n.rss")"
done
printf '(%d containers x %d lines, median of %d rounds; floor: docker logs of each at once; its RSS is its largest docker process)\n' "$C" "$L" "$ROUNDS"
