#!/usr/bin/env bash
# bench-build.sh times `berth build` of a project of 10 services built from
# 4 Dockerfiles (two of them sharing a context, one FROM another service's
# image), cold (images removed and the build cache pruned before each run)
# and fully cached, against the floor: the 4 Dockerfiles sent straight to
# the engine's BuildKit by bench/buildfloor, in dependency order with full
# parallelism, each tagged with the images of its services (what
# `DOCKER_BUILDKIT=1 docker build` of each would cost; the docker CLI here
# may lack buildx, so the floor speaks the same API itself). docker-compose
# (v1, Debian's package, classic builder) is timed too when installed, and
# skipped with a note when not.
#
#   scripts/bench-build.sh          build bin/berth and the floor, make the project, time
#
# ROUNDS (default 5) changes the run. The tools take turns round by round,
# the first one rotating, so a machine that slows down part-way slows each
# alike; the ratios printed are of the medians. Everything the run made is
# removed at the end, whatever happens.
set -euo pipefail
shopt -s inherit_errexit

ROUNDS=${ROUNDS:-5}
GO=${GO:-go}
DOCKER=${DOCKER:-/usr/bin/docker}

log() { printf 'bench-build.sh: %s\n' "$*" >&2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
log "building bin/berth and bin/buildfloor"
"$GO" build -o bin/berth ./cmd/berth
"$GO" build -o bin/buildfloor ./bench/buildfloor

work=$(mktemp -d)
project=benchbuild$$
services=(base b1 b2 b3 c1 c2 c3 d1 d2 d3)
images() { for s in "${services[@]}"; do echo "$project-$s"; done; }
remove_images() {
	# shellcheck disable=SC2046 # one word per image
	"$DOCKER" rmi -f $(images) >/dev/null 2>&1 || true
}
cleanup() {
	remove_images
	rm -rf "$work"
}
trap cleanup EXIT

# The project: A and B share ctx1, C starts FROM base's image (built from
# A), D has a context of its own. Each does some real work in RUN steps
# and copies files from its context.
mkdir -p "$work/ctx1" "$work/ctx2" "$work/ctx3"
for d in ctx1 ctx2 ctx3; do
	for i in $(seq 1 50); do head -c 20000 /dev/urandom >"$work/$d/file$i.bin"; done
done
cat >"$work/ctx1/A.Dockerfile" <<'EOF'
FROM busybox
COPY file1.bin file2.bin /a/
RUN dd if=/dev/zero bs=1M count=32 2>/dev/null | md5sum > /a/sum
RUN seq 1 200000 | md5sum > /a/seq
EOF
cat >"$work/ctx1/B.Dockerfile" <<'EOF'
FROM busybox
COPY . /src
RUN find /src -type f | xargs md5sum > /sums
RUN dd if=/dev/zero bs=1M count=32 2>/dev/null | md5sum > /b
EOF
cat >"$work/ctx2/C.Dockerfile" <<EOF
FROM $project-base
COPY . /c
RUN cat /a/sum /a/seq > /c/both && md5sum /c/* > /c/sums
EOF
cat >"$work/ctx3/D.Dockerfile" <<'EOF'
FROM busybox AS build
COPY . /d
RUN seq 1 300000 | md5sum > /d/seq
FROM busybox
COPY --from=build /d/seq /seq
EOF
# Every service names its image: docker-compose v1 would otherwise call
# them project_service, and C's FROM could not find base's.
{
	echo "services:"
	echo "  base: {image: $project-base, build: {context: ./ctx1, dockerfile: A.Dockerfile}}"
	for i in 1 2 3; do echo "  b$i: {image: $project-b$i, build: {context: ./ctx1, dockerfile: B.Dockerfile}}"; done
	for i in 1 2 3; do echo "  c$i: {image: $project-c$i, build: {context: ./ctx2, dockerfile: C.Dockerfile}}"; done
	for i in 1 2 3; do echo "  d$i: {image: $project-d$i, build: {context: ./ctx3, dockerfile: D.Dockerfile}}"; done
} >"$work/compose.yaml"
tags() { local out="" s; for s in "$@"; do out+="\"$project-$s\","; done; echo "[${out%,}]"; }
cat >"$work/floor.json" <<EOF
[
 {"name": "A", "tags": $(tags base), "context": "$work/ctx1", "dockerfile": "$work/ctx1/A.Dockerfile"},
 {"name": "B", "tags": $(tags b1 b2 b3), "context": "$work/ctx1", "dockerfile": "$work/ctx1/B.Dockerfile"},
 {"name": "C", "tags": $(tags c1 c2 c3), "context": "$work/ctx2", "dockerfile": "$work/ctx2/C.Dockerfile", "after": ["A"]},
 {"name": "D", "tags": $(tags d1 d2 d3), "context": "$work/ctx3", "dockerfile": "$work/ctx3/D.Dockerfile"}
]
EOF

cd "$work"
names=(floor berth)
if command -v docker-compose >/dev/null; then
	names+=(docker-compose)
	log "docker-compose: $(docker-compose version --short 2>/dev/null || echo 'version unknown') (classic builder)"
else
	log "docker-compose is not installed (apt-get install -y docker-compose): timing berth and the floor only"
fi
cmd_of() {
	case $1 in
	floor) echo "$root/bin/buildfloor $work/floor.json" ;;
	berth) echo "$root/bin/berth -p $project --progress quiet build" ;;
	docker-compose) echo "env COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0 docker-compose -p $project build -q" ;;
	esac
}

# timed NAME KIND runs NAME's build once, appending seconds to NAME.KIND.
timed() {
	local start end
	start=$(date +%s.%N)
	# shellcheck disable=SC2046 # the command's words
	if ! $(cmd_of "$1") >"$work/$1.out" 2>&1; then
		log "$1 failed:"
		cat "$work/$1.out" >&2
		exit 1
	fi
	end=$(date +%s.%N)
	echo "$end - $start" | bc >>"$work/$1.$2"
}

cold() {
	remove_images
	"$DOCKER" builder prune -af >/dev/null 2>&1
	timed "$1" cold
}

log "$ROUNDS rounds of ${names[*]}, cold then cached"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#names[@]}; k++)); do
		n=${names[$(((k + r) % ${#names[@]}))]}
		cold "$n"
		timed "$n" cached
	done
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-16s %12s %8s %14s %8s\n' tool cold_median_s ratio cached_median_s ratio
base_cold=$(median "$work/floor.cold")
base_cached=$(median "$work/floor.cached")
for n in "${names[@]}"; do
	c=$(median "$work/$n.cold")
	w=$(median "$work/$n.cached")
	printf '%-16s %12.3f %8.2f %14.3f %8.2f\n' "$n" "$c" "$(echo "$c / $base_cold" | bc -l)" "$w" "$(echo "$w / $base_cached" | bc -l)"
done
printf '(10 services from 4 Dockerfiles, median of %d interleaved rounds; floor: the 4 builds straight to BuildKit, dependency order, full parallelism)\n' "$ROUNDS"
