#!/usr/bin/env bash
# bench.sh: berth against the engine floor (bench/floor: the same containers
# created and started straight through the API, no compose logic) and, when
# installed, Debian's docker-compose v1, on generated projects:
#   wide-N  N independent services
#   chain-N service i depends on service i-1
#   fan-N   N services waiting for one whose healthcheck passes after ~1 s
# Each round runs every contender once, interleaved, on a cold engine, and
# the medians over ROUNDS are printed with their ratios to the floor.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-50}
ROUNDS=${ROUNDS:-3}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { printf 'bench.sh: %s\n' "$*" >&2; }

eval "$(scripts/engine.sh ensure)"
export DOCKER_HOST
"$GO" build -o bin/berth ./cmd/berth
"$GO" build -o "$work/floor" ./bench/floor
berth=$PWD/bin/berth
compose_v1=$(command -v docker-compose || true)
[[ -n $compose_v1 ]] || log "docker-compose (v1) not installed: no peer column"

# generate SHAPE N > compose.yaml (no top-level name: v1 rejects it).
generate() {
	local shape=$1 n=$2 i
	echo "services:"
	if [[ $shape == fan ]]; then
		cat <<-'YAML'
		  root:
		    image: busybox
		    init: true
		    command: ["sh", "-c", "sleep 1 && touch /tmp/ok && exec sleep 3600"]
		    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 250ms, retries: 40}
		YAML
	fi
	for ((i = 1; i <= n; i++)); do
		printf '  s%d:\n    image: busybox\n    init: true\n    command: ["sleep", "3600"]\n' "$i"
		# shellcheck disable=SC2016 # interpolated by berth, not here
		printf '    environment: {GEN: "${BENCH_GEN:-1}"}\n'
		case $shape in
		chain) ((i > 1)) && printf '    depends_on: [s%d]\n' $((i - 1)) ;;
		fan) printf '    depends_on: {root: {condition: service_healthy}}\n' ;;
		esac
	done
	return 0
}

# ms CMD... runs CMD quietly and prints its wall time in milliseconds.
ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A samples
add() { samples[$1]+="$2 "; }

round() {
	local shape=$1 dir=$work/$1 p=bench$1
	local b=("$berth" --progress quiet -p "$p" --project-directory "$dir")
	add "$shape floor-parallel" "$(ms "$work/floor" -n "$N" -mode parallel)"
	add "$shape floor-remove" "$(ms "$work/floor" -mode remove)"
	add "$shape floor-serial" "$(ms "$work/floor" -n "$N" -mode serial)"
	"$work/floor" -mode remove
	add "$shape config-q" "$(ms "${b[@]}" config -q)"
	add "$shape up-cold" "$(ms "${b[@]}" up -d)"
	add "$shape up-unchanged" "$(ms "${b[@]}" up -d)"
	add "$shape up-one-changed" "$(BENCH_GEN=2 ms "${b[@]}" up -d s1)"
	add "$shape ps" "$(ms "${b[@]}" ps)"
	add "$shape down" "$(ms "${b[@]}" down -v)"
	if [[ -n $compose_v1 ]]; then
		add "$shape v1-up-cold" "$(ms "$compose_v1" -p "v1$p" -f "$dir/compose.yaml" up -d)"
		add "$shape v1-down" "$(ms "$compose_v1" -p "v1$p" -f "$dir/compose.yaml" down -v)"
	fi
}

report() {
	local shape=$1 key
	declare -A m
	for key in floor-parallel floor-serial floor-remove config-q up-cold up-unchanged up-one-changed ps down v1-up-cold v1-down; do
		[[ -n ${samples[$shape $key]:-} ]] && m[$key]=$(tr ' ' '\n' <<<"${samples[$shape $key]}" | grep . | median)
	done
	local floor=${m[floor-parallel]}
	[[ $shape == chain ]] && floor=${m[floor-serial]}
	printf '%-6s cold up %5d ms = %.2fx floor | down -v %5d ms = %.2fx floor remove | unchanged up %d ms | config -q %d ms | ps %d ms' \
		"$shape-$N" "${m[up-cold]}" "$(bc -l <<<"${m[up-cold]}/$floor")" "${m[down]}" "$(bc -l <<<"${m[down]}/${m[floor-remove]}")" \
		"${m[up-unchanged]}" "${m[config-q]}" "${m[ps]}"
	[[ -n ${m[v1-up-cold]:-} ]] && printf ' | v1 cold up %.2fx, down %.2fx' "$(bc -l <<<"${m[v1-up-cold]}/$floor")" "$(bc -l <<<"${m[v1-down]}/${m[floor-remove]}")"
	printf '   (floor: parallel %d, serial %d, remove %d ms)\n' "${m[floor-parallel]}" "${m[floor-serial]}" "${m[floor-remove]}"
}

command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
for shape in wide chain fan; do
	mkdir -p "$work/$shape"
	generate "$shape" "$N" >"$work/$shape/compose.yaml"
done
for ((r = 1; r <= ROUNDS; r++)); do
	for shape in wide chain fan; do
		log "round $r/$ROUNDS: $shape-$N"
		round "$shape"
	done
done
echo "berth against the engine floor, medians of $ROUNDS interleaved rounds (chain is set against the one-at-a-time floor):"
for shape in wide chain fan; do report "$shape"; done
