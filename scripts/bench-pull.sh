#!/usr/bin/env bash
# bench-pull.sh times `berth pull` of a project of 10 services that share 4
# images (3, 3, 2 and 2 services each) from the harness's registry, against
# the floor: the docker CLI pulling the same 4 images at once (`docker pull`
# of each in the background, then wait). Debian's docker-compose (v1) is
# timed beside them as `docker-compose pull` when installed, and skipped
# with a note when not. The goal is for berth to stay within 1.1x of the
# floor.
#
#   scripts/bench-pull.sh                  build bin/berth, make the images, time
#   ROUNDS=3 MB=16 scripts/bench-pull.sh
#   BERTH=/path/to/berth scripts/bench-pull.sh   time that binary, build nothing
#
# DOCKER (default /usr/bin/docker, from Debian's docker.io) and COMPOSE
# (default docker-compose, looked up on PATH) name the other two tools.
#
# The 4 images are made fresh on each run: busybox containers that each
# write MB (default 4) megabytes of random data to a file of their own,
# committed and pushed as $BERTH_REGISTRY/berth/bench-pull-{1..4}:latest.
# So every image has one layer of its own to download, while busybox's
# layer, which the engine keeps, is shared. The registry keeps what was
# pushed (it has no delete), a few MB per image and run.
#
# ROUNDS (default 5) is how many timed rounds there are. In a round every
# tool runs once, and the tool that goes first moves on by one each round,
# so a machine that slows down part-way slows each alike. Every run starts
# cold: the 4 images are removed from the engine first (untimed), and the
# run fails the script unless all 4 are there after it. Each tool runs once
# untimed before the rounds: that checks it works and counts, from the
# registry's request log, how often it asks for each image's manifest, which
# shows whether it pulls a shared image once or once per service. A run is
# timed as a whole process with bash's EPOCHREALTIME, stdin from /dev/null so
# no tool gets a terminal; the medians are printed with their ratios to the
# floor's. Everything made on the engine is removed at the end, failure and
# Ctrl-C included.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored
export LC_ALL=C          # printf reads bc's decimal point, whatever the locale

ROUNDS=${ROUNDS:-5}
MB=${MB:-4}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
DOCKER=${DOCKER:-/usr/bin/docker}
COMPOSE=${COMPOSE:-docker-compose}

log() { printf 'bench-pull.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a whole number of rounds, 1 or more (it is '$ROUNDS')"
[[ $MB =~ ^[1-9][0-9]*$ ]] || die "MB must be a whole number of megabytes, 1 or more (it is '$MB')"
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
[[ -n ${BERTH_REGISTRY:-} && -n ${BERTH_REGISTRY_LOG:-} ]] ||
	die "scripts/engine.sh gave no BERTH_REGISTRY or BERTH_REGISTRY_LOG: the pulls need its registry"

if [[ -z ${BERTH:-} ]]; then
	log "building bin/berth"
	"$GO" build -o bin/berth ./cmd/berth
fi

work=$(mktemp -d)
project=benchpull$$
images=()
for i in 1 2 3 4; do
	images+=("$BERTH_REGISTRY/berth/bench-pull-$i:latest")
done

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# The seed containers, when setup was cut short, then the images: the
	# engine's copies only, the registry keeps its own.
	local ids
	mapfile -t ids < <("$DOCKER" ps -aq --filter "name=^$project-seed-" 2>/dev/null)
	((${#ids[@]} == 0)) || "$DOCKER" rm -f "${ids[@]}" >/dev/null 2>&1 || true
	"$DOCKER" rmi -f "${images[@]}" >/dev/null 2>&1 || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_images makes and pushes the 4 images, each with a layer of MB
# megabytes of random data under a file name of its own.
make_images() {
	local i c
	for i in 1 2 3 4; do
		c=$project-seed-$i
		"$DOCKER" run --name "$c" busybox dd if=/dev/urandom of="/bench-pull-$i" bs=1M count="$MB" \
			>"$work/setup.log" 2>&1 || die "making image $i failed: $(tail -n 5 "$work/setup.log")"
		"$DOCKER" commit --change 'CMD ["sh"]' "$c" "${images[i - 1]}" >"$work/setup.log" 2>&1 ||
			die "docker commit of image $i failed: $(tail -n 5 "$work/setup.log")"
		"$DOCKER" rm "$c" >/dev/null
		"$DOCKER" push "${images[i - 1]}" >"$work/setup.log" 2>&1 ||
			die "docker push ${images[i - 1]} failed: $(tail -n 5 "$work/setup.log")"
	done
}

log "making 4 images of ${MB} MB each and pushing them to $BERTH_REGISTRY"
make_images

# 10 services on 4 images: 3, 3, 2 and 2 services share one.
{
	echo "services:"
	for s in a1:1 a2:1 a3:1 b1:2 b2:2 b3:2 c1:3 c2:3 d1:4 d2:4; do
		printf '  %s:\n    image: %s\n' "${s%:*}" "${images[${s#*:} - 1]}"
	done
} >"$work/compose.yaml"
cd "$work"

compose=0
if command -v "$COMPOSE" >/dev/null; then
	compose=1
	log "docker-compose: $("$COMPOSE" version --short 2>/dev/null || echo 'version unknown')"
else
	log "no $COMPOSE on PATH (apt-get install -y docker-compose): timing berth and the floor only"
fi

# cold removes the 4 images from the engine, so the next run pulls them
# all. Removing an image that is already gone fails, hence the check after.
cold() {
	local ref
	"$DOCKER" rmi -f "${images[@]}" >/dev/null 2>&1 || true
	for ref in "${images[@]}"; do
		! "$DOCKER" image inspect "$ref" >/dev/null 2>&1 || die "could not remove $ref from the engine"
	done
}

# all_pulled fails the script unless the run of $1 left all 4 images on
# the engine: a run that pulled less would time less work.
all_pulled() {
	local ref
	for ref in "${images[@]}"; do
		"$DOCKER" image inspect "$ref" >/dev/null 2>&1 || die "$1 exited 0 but did not pull $ref: $(tail -n 5 "$work/last.log")"
	done
}

# floor_pull is the floor: one docker pull per image, all at once.
floor_pull() {
	local ref p rc=0
	local -a pids=()
	for ref in "${images[@]}"; do
		"$DOCKER" pull "$ref" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	return "$rc"
}

berth_cmd=("$berth" -p "$project" pull)
floor_cmd=(floor_pull)
compose_cmd=("$COMPOSE" -p "$project" pull)
declare -A label=(
	[berth]="berth pull (10 services, 4 images)"
	[floor]="docker pull of the 4 images at once"
	[compose]="docker-compose pull (v1)"
)

# timed NAME runs NAME's command once, from cold, and appends its wall time
# in milliseconds to $work/NAME.ms. A failure stops the script: a median of
# failed runs would say nothing about the tool.
timed() {
	local name=$1 start end
	local -n cmd=${name}_cmd
	cold
	start=$EPOCHREALTIME
	"${cmd[@]}" </dev/null >"$work/last.log" 2>&1 ||
		die "${label[$name]} failed: $(tail -n 5 "$work/last.log")"
	end=$EPOCHREALTIME
	all_pulled "${label[$name]}"
	echo "($end - $start) * 1000" | bc -l >>"$work/$name.ms"
}

# manifest_asks prints how many times the registry was asked for each
# image's manifest since byte $1 of its log, as "3 3 2 2". The registry
# writes a request's line once its response ends, so a short wait first.
manifest_asks() {
	local from=$1 i out=()
	sleep 0.5
	for i in 1 2 3 4; do
		out+=("$(tail -c +"$((from + 1))" "$BERTH_REGISTRY_LOG" |
			grep -cE "\"(GET|HEAD) /v2/berth/bench-pull-$i/manifests/latest HTTP" || true)")
	done
	echo "${out[*]}"
}

# median prints the median of the numbers in file $1, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

names=(berth floor)
((compose == 0)) || names+=(compose)

log "one untimed run each, then $ROUNDS rounds, each run from cold"
declare -A asks=()
for n in "${names[@]}"; do
	from=$(stat -c %s "$BERTH_REGISTRY_LOG")
	timed "$n"
	rm -f "$work/$n.ms"
	asks[$n]=$(manifest_asks "$from")
done
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#names[@]}; k++)); do
		timed "${names[(r + k) % ${#names[@]}]}"
	done
done

base=$(median "$work/floor.ms")
# The table is held back until the timing is done, so the progress lines
# on stderr do not break it up.
{
	printf '%-40s %10s %8s  %s\n' command median_ms ratio manifest_requests_per_image
	for n in "${names[@]}"; do
		m=$(median "$work/$n.ms")
		printf '%-40s %10.1f %8.2f  %s\n' "${label[$n]}" "$m" "$(echo "$m / $base" | bc -l)" "${asks[$n]}"
	done
	printf '(%d MB a layer; median of %d rounds, each from cold; ratio: to the floor; goal: berth within 1.1)\n' \
		"$MB" "$ROUNDS"
} >"$work/table"
cat "$work/table"
