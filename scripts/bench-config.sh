#!/usr/bin/env bash
# bench-config.sh times `config -q` on a generated project of N services (four
# -f files and a .env, see bench/generate.go), berth against docker-compose.
#
#   scripts/bench-config.sh         build bin/berth, generate, time, print medians
#
# ROUNDS (default 10) and N (default 200) change the run. The two tools take
# turns round by round, so a machine that slows down part-way (other jobs,
# thermal limits) slows both alike instead of skewing the ratio. hyperfine is
# used when installed (apt-get install hyperfine): each round is one hyperfine
# run of both commands, and the median printed is the median of the rounds'
# medians. Without it a bash loop times one run of each per round.
# docker-compose is timed when it is on PATH and skipped, with a note, when not.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored

ROUNDS=${ROUNDS:-10}
N=${N:-200}
RUNS_PER_ROUND=3 # hyperfine only; the bash loop runs each command once a round

log() { printf 'bench-config.sh: %s\n' "$*" >&2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log "building bin/berth"
go build -o bin/berth ./cmd/berth

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t files < <(go run ./bench/benchgen -n "$N" "$work/project")
fargs=()
for f in "${files[@]}"; do
	fargs+=(-f "$f")
done
log "generated $N services in ${#files[@]} files under $work/project"

# Each command is an array name; the tools are checked once first so a broken
# project fails loudly here rather than being timed.
berth=(bin/berth "${fargs[@]}" config -q)
names=(berth)
"${berth[@]}"
compose=()
if command -v docker-compose >/dev/null; then
	compose=(docker-compose "${fargs[@]}" config -q)
	"${compose[@]}"
	names+=(docker-compose)
	log "docker-compose: $(docker-compose version --short 2>/dev/null || echo 'version unknown')"
else
	log "docker-compose is not installed: timing berth only"
fi

# median reads numbers, one a line, and prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# samples/<name> collects one time in milliseconds a line.
mkdir "$work/samples"
if command -v hyperfine >/dev/null; then
	log "timing with hyperfine: $ROUNDS rounds of $RUNS_PER_ROUND runs each"
	cmds=("$(printf '%q ' "${berth[@]}")")
	if ((${#compose[@]})); then
		cmds+=("$(printf '%q ' "${compose[@]}")")
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		# Its stderr is shown only on failure: otherwise it is an outlier
		# warning in most rounds on a busy machine.
		if ! hyperfine -N --style none --warmup 1 --runs "$RUNS_PER_ROUND" \
			--export-csv "$work/round.csv" "${cmds[@]}" >/dev/null 2>"$work/hyperfine.err"; then
			cat "$work/hyperfine.err" >&2
			exit 1
		fi
		# Rows come in command order after the header; column 4 is the
		# median in seconds.
		awk -F, -v dir="$work/samples" -v list="${names[*]}" '
			BEGIN { split(list, name, " ") }
			NR > 1 { printf "%.3f\n", $4 * 1000 >> (dir "/" name[NR - 1]) }
		' "$work/round.csv"
	done
else
	log "timing with a bash loop (install hyperfine for steadier numbers): $ROUNDS rounds"
	# time_ms runs a command once, silently, and prints its wall time in ms.
	time_ms() {
		local start end
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		awk -v ns="$((end - start))" 'BEGIN { printf "%.3f\n", ns / 1e6 }'
	}
	"${berth[@]}" # warm-up: page cache, first-run costs
	if ((${#compose[@]})); then "${compose[@]}"; fi
	for ((r = 1; r <= ROUNDS; r++)); do
		time_ms "${berth[@]}" >>"$work/samples/berth"
		if ((${#compose[@]})); then
			time_ms "${compose[@]}" >>"$work/samples/docker-compose"
		fi
	done
fi

printf '\nconfig -q, %d services, %d files, %d rounds\n' "$N" "${#files[@]}" "$ROUNDS"
declare -A med
for name in "${names[@]}"; do
	med[$name]=$(median <"$work/samples/$name")
	printf '  %-15s median %8.1f ms   (min %.1f, max %.1f)\n' "$name" "${med[$name]}" \
		"$(sort -g "$work/samples/$name" | head -n1)" "$(sort -g "$work/samples/$name" | tail -n1)"
done
if ((${#compose[@]})); then
	awk -v b="${med[berth]}" -v c="${med[docker-compose]}" \
		'BEGIN { printf "  ratio berth/docker-compose: %.2f (%.1fx %s)\n", b / c, (b < c ? c / b : b / c), (b < c ? "faster" : "slower") }'
fi
