#!/usr/bin/env bash
# bench.sh times berth on a real engine against the *engine floor* and, when
# installed, Debian's docker-compose v1, on generated projects (bench/shapes.go):
#
#   wide-N   N independent services
#   chain-N  service i depends on service i-1 (service_started)
#   fan-N    N services depend (service_healthy) on one root service that
#            turns healthy about 1 s after it starts
#   mixed    a 12-service stack: two networks, volumes, ports, healthchecks
#
# The floor (bench/floor) creates and starts the same containers straight
# through the Engine API with no compose logic: all at once (parallel), one
# at a time (serial), and force-removes them (remove). Each shape is set
# against the floor that bounds it: chain against serial (its starts are
# ordered), the others against parallel; only that one is run, which keeps
# the whole at about six minutes on two CPUs.
#
#   scripts/bench.sh                               ROUNDS=3, every shape
#   ROUNDS=5 SHAPES="wide-100 fan-20" scripts/bench.sh
#
# Each round runs every contender once per shape, in alternating order, and
# each `up` starts cold: the contender before it removed everything. REPS
# (default 3) is how often a round repeats the quick commands (config -q,
# unchanged up, ps). Medians over the rounds are printed with their ratios
# to the floor and the targets. Everything created carries the
# com.docker.compose.project or berth.bench.project label of a project named
# here, and is removed on exit, failure and Ctrl-C included.
set -euo pipefail
shopt -s inherit_errexit # so a failure inside $(...) is not ignored

ROUNDS=${ROUNDS:-3}
SHAPES=${SHAPES:-wide-50 chain-50 fan-50 mixed}
REPS=${REPS:-3}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'bench.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME)"

work=$(mktemp -d)
floor=$work/floor
cleanup_labels=() # label selectors of everything this run may have created
watcher=          # pid of the `docker events` follower, while one runs

# remove_projects removes whatever carries one of cleanup_labels.
remove_projects() {
	local sel
	[[ -x $floor ]] || return 0
	for sel in "${cleanup_labels[@]}"; do
		"$floor" -mode remove -label "$sel" >>"$work/cleanup.log" 2>&1 ||
			log "cleanup: removing $sel failed: $(tail -n 3 "$work/cleanup.log")"
	done
}

on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	[[ -z $watcher ]] || kill "$watcher" 2>/dev/null || true
	remove_projects
	if ((rc != 0)) && [[ -s $work/run.log ]]; then
		log "last lines of the run log:"
		tail -n 15 "$work/run.log" >&2
	fi
	rm -rf "$work"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

envline=$(scripts/engine.sh ensure) || die "no engine: scripts/engine.sh ensure failed"
eval "$envline"
export DOCKER_HOST

log "building bin/berth, the floor and benchgen"
"$GO" build -o bin/berth ./cmd/berth
"$GO" build -o "$floor" ./bench/floor
"$GO" build -o "$work/benchgen" ./bench/benchgen
berth=$PWD/bin/berth
compose_v1=$(command -v docker-compose || true)
[[ -n $compose_v1 ]] || log "docker-compose (v1) is not installed: no compose-v1 rows"
docker_cli=$(command -v docker || true)
[[ -n $docker_cli ]] || log "the docker CLI is not installed: no health-to-start times for fan"

# --- measuring ------------------------------------------------------------------

shape= # the shape being measured; samples go under $work/samples/$shape

# usec prints EPOCHREALTIME as integer microseconds (the separator follows
# the locale).
usec() { printf '%s' "${EPOCHREALTIME//[.,]/}"; }

# record KEY MICROSECONDS adds one sample.
record() { echo "$2" >>"$work/samples/$shape/$1"; }

# timed KEY CMD... runs CMD, its output into the run log, and records its
# wall time. A failed command stops the benchmark: its time means nothing.
timed() {
	local key=$1 t0 t1 rc=0
	shift
	t0=$(usec)
	"$@" >"$work/last.log" 2>&1 || rc=$?
	t1=$(usec)
	{
		printf '\n$ %s\n' "$*"
		cat "$work/last.log"
	} >>"$work/run.log"
	((rc == 0)) || die "failed ($key): $*"
	record "$key" $((t1 - t0))
}

# watch_events PROJECT follows the start and health events of the project's
# containers into $work/events until stop_events. A live stream, because
# the engine keeps only its last 256 events for --since/--until queries,
# and a fan's healthchecks and 50 containers make more than that.
watch_events() {
	[[ -n $docker_cli ]] || return 0
	: >"$work/events"
	# --since replays what happens before the subscription is in place.
	"$docker_cli" events --since "$(date +%s.%N)" --filter type=container \
		--filter "label=com.docker.compose.project=$1" --filter event=start --filter event=health_status \
		--format '{{.TimeNano}}|{{.Action}}|{{index .Actor.Attributes "com.docker.compose.service"}}' \
		>"$work/events" 2>/dev/null &
	watcher=$!
}

stop_events() {
	[[ -n $watcher ]] || return 0
	sleep 0.3 # the engine publishes events asynchronously
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	watcher=
}

# epoch_us RFC3339 prints the time as microseconds since the epoch.
epoch_us() { date -d "$1" +%s%6N; }

# fan_timing WHO reads the events watch_events saw: when root started and
# turned healthy, and when its dependents were running. For berth, its JSON
# progress (in last.log) also says when it asked for the first and the last
# dependent's start: how fast it reacts, apart from how fast the engine
# starts.
fan_timing() {
	local who=$1 out healthy rs first last t sent='' sent_last=''
	[[ -s $work/events ]] || {
		log "fan: no events seen for $who"
		return 0
	}
	out=$(awk -F'|' '
		$3 == "root" && $2 == "start" && !rs { rs = $1 }
		$3 == "root" && $2 == "health_status: healthy" && !rh { rh = $1 }
		$3 != "root" && $2 == "start" { if (!fs || $1 < fs) fs = $1; if ($1 > ls) ls = $1 }
		END { if (rs && rh && fs) printf "%.0f %.0f %.0f %.0f\n", rh / 1000, rs / 1000, fs / 1000, ls / 1000 }' "$work/events")
	if [[ -z $out ]]; then
		log "fan: no root start, root healthy or dependent start among the events for $who"
		return 0
	fi
	read -r healthy rs first last <<<"$out"
	record "$who: root start -> healthy" $((healthy - rs))
	record "$who: healthy -> first dependent running" $((first - healthy))
	record "$who: healthy -> last dependent running" $((last - healthy))
	[[ $who == berth ]] || return 0
	while read -r t; do
		t=$(epoch_us "$t") || continue
		[[ -n $sent && $sent -le $t ]] || sent=$t
		[[ -n $sent_last && $sent_last -ge $t ]] || sent_last=$t
	done < <(grep '"text":"Starting"' "$work/last.log" | grep -v -- '-root-' |
		sed -n 's/.*"time":"\([^"]*\)".*/\1/p')
	[[ -z $sent ]] || record "berth: healthy -> first dependent start sent" $((sent - healthy))
	[[ -z $sent_last ]] || record "berth: healthy -> last dependent start sent" $((sent_last - healthy))
}

# --- contenders -------------------------------------------------------------------

berth_round() {
	# JSON progress: fan_timing reads the time of each step from it.
	local b=("$berth" --progress json -p "$berth_project" -f "$file") i
	for ((i = 0; i < REPS; i++)); do timed "berth config -q" "${b[@]}" config -q; done
	[[ $kind != fan ]] || watch_events "$berth_project"
	timed "berth up -d (cold)" "${b[@]}" up -d
	if [[ $kind == fan ]]; then
		stop_events
		fan_timing berth
	fi
	for ((i = 0; i < REPS; i++)); do timed "berth up -d (unchanged)" "${b[@]}" up -d; done
	# The last service reads BENCH_GEN; a new value recreates it alone.
	timed "berth up -d (1 changed)" env "BENCH_GEN=$round" "${b[@]}" up -d
	for ((i = 0; i < REPS; i++)); do timed "berth ps" "${b[@]}" ps; done
	timed "berth down -v" "${b[@]}" down -v
}

floor_round() {
	local f=("$floor" -shape "$kind" -n "$n" -project "$floor_project")
	timed "floor $floor_mode" "${f[@]}" -mode "$floor_mode"
	timed "floor remove" "${f[@]}" -mode remove
}

v1_round() {
	local v=("$compose_v1" -p "$v1_project" -f "$file")
	timed "compose-v1 config -q" "${v[@]}" config -q
	[[ $kind != fan ]] || watch_events "$v1_project"
	timed "compose-v1 up -d (cold)" "${v[@]}" up -d
	if [[ $kind == fan ]]; then
		stop_events
		fan_timing compose-v1
	fi
	timed "compose-v1 down -v" "${v[@]}" down -v
}

# --- report -------------------------------------------------------------------------

# stat KEY prints "median min max count" in ms, or nothing without samples.
stat() {
	local path=$work/samples/$shape/$1
	[[ -s $path ]] || return 0
	sort -n "$path" | awk '{ a[NR] = $1 } END {
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f %d\n", m / 1000, a[1] / 1000, a[NR] / 1000, NR }'
}

median() {
	local s
	s=$(stat "$1")
	printf '%s' "${s%% *}"
}

# check LABEL VALUE UNIT OP TARGET prints one target line; VALUE may be
# empty (not measured), then the line says so.
check() {
	local label=$1 value=$2 unit=$3 op=$4 target=$5
	if [[ -z $value ]]; then
		printf '    %-46s %10s\n' "$label" "n/a"
		return 0
	fi
	awk -v l="$label" -v v="$value" -v u="$unit" -v op="$op" -v t="$target" 'BEGIN {
		if (t == "") { printf "    %-46s %9.2f%s\n", l, v, u; exit }
		ok = (op == "<=") ? v <= t + 0 : v < t + 0
		printf "    %-46s %9.2f%s   target %s %s%s  %s\n", l, v, u, op, t, u, ok ? "ok" : "MISS" }'
}

ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# floor_mode_for KIND: the floor that bounds a shape. A chain's starts must
# follow each other, so it is set against the one-at-a-time floor.
floor_mode_for() { if [[ $1 == chain ]]; then echo serial; else echo parallel; fi; }

report_shape() {
	local key s parts floor_name floor_up up_target="" down remove
	floor_name="floor $(floor_mode_for "$kind")"
	printf '\n%s: %s services, %d rounds (ms)\n' "$shape" "$services" "$ROUNDS"
	printf '    %-46s %10s %10s %10s %5s\n' "" median min max runs
	for key in "berth config -q" "berth up -d (cold)" "berth up -d (unchanged)" "berth up -d (1 changed)" \
		"berth ps" "berth down -v" "$floor_name" "floor remove" \
		"compose-v1 config -q" "compose-v1 up -d (cold)" "compose-v1 down -v" \
		"berth: root start -> healthy" "berth: healthy -> first dependent start sent" "berth: healthy -> last dependent start sent" \
		"berth: healthy -> first dependent running" "berth: healthy -> last dependent running" \
		"compose-v1: root start -> healthy" "compose-v1: healthy -> first dependent running" \
		"compose-v1: healthy -> last dependent running"; do
		s=$(stat "$key")
		[[ -n $s ]] || continue
		read -r -a parts <<<"$s"
		printf '    %-46s %10s %10s %10s %5s\n' "$key" "${parts[@]}"
	done
	floor_up=$(median "$floor_name")
	down=$(median "berth down -v")
	remove=$(median "floor remove")
	case $kind in
	wide) up_target=1.15 ;;
	chain) up_target=0.80 ;;
	esac
	printf '  ratios and targets:\n'
	check "berth up -d (cold) / $floor_name" "$(ratio "$(median "berth up -d (cold)")" "$floor_up")" x "<=" "$up_target"
	check "berth down -v / floor remove" "$(ratio "$down" "$remove")" x "<=" 1.10
	if [[ $kind == fan ]]; then
		local delay total
		# Dependents should start within 300 ms of root turning healthy:
		# berth's side is asking for every start, which is checked; the
		# engine's is doing them, which takes as long as the floor's
		# parallel starts and is only shown.
		check "berth: healthy -> last dependent start sent" "$(median "berth: healthy -> last dependent start sent")" " ms" "<=" 300
		check "berth: healthy -> first dependent running" "$(median "berth: healthy -> first dependent running")" " ms" "" ""
		# No fan can beat root's own health delay; past it, berth should
		# cost no more than the floor, plus 10% of the two.
		delay=$(median "berth: root start -> healthy")
		total=$([[ -z $delay ]] || awk -v f="$floor_up" -v d="$delay" 'BEGIN { printf "%.0f", (f + d) * 1.10 }')
		check "berth up -d (cold) vs (floor + health) x 1.1" "$(median "berth up -d (cold)")" " ms" "<=" "$total"
	fi
	check "berth up -d (unchanged)" "$(median "berth up -d (unchanged)")" " ms" "<" 60
	check "berth config -q" "$(median "berth config -q")" " ms" "<" 40
	if [[ -n $compose_v1 ]]; then
		check "compose-v1 up -d (cold) / $floor_name" "$(ratio "$(median "compose-v1 up -d (cold)")" "$floor_up")" x "" ""
		check "compose-v1 down -v / floor remove" "$(ratio "$(median "compose-v1 down -v")" "$remove")" x "" ""
		check "compose-v1 config -q" "$(median "compose-v1 config -q")" " ms" "" ""
	fi
}

# --- main -----------------------------------------------------------------------------

declare -A shape_kind shape_n shape_file shape_services
for shape in $SHAPES; do
	if [[ $shape == *-* ]]; then
		shape_kind[$shape]=${shape%%-*} shape_n[$shape]=${shape#*-}
	else
		shape_kind[$shape]=$shape shape_n[$shape]=0
	fi
	mkdir -p "$work/samples/$shape"
	shape_file[$shape]=$("$work/benchgen" -shape "${shape_kind[$shape]}" -n "${shape_n[$shape]}" "$work/$shape") ||
		die "cannot generate shape $shape"
	shape_services[$shape]=$("$berth" -f "${shape_file[$shape]}" config --services | wc -l)
	cleanup_labels+=("com.docker.compose.project=bench-$shape" "com.docker.compose.project=bench-$shape-v1"
		"berth.bench.project=floor-$shape")
done
# Leftovers of an earlier run that was killed would make the first up warm.
remove_projects

contenders=(berth floor)
[[ -z $compose_v1 ]] || contenders+=(v1)
started=$SECONDS
for ((round = 1; round <= ROUNDS; round++)); do
	order=("${contenders[@]}")
	if ((round % 2 == 0)); then
		mapfile -t order < <(printf '%s\n' "${contenders[@]}" | tac)
	fi
	for shape in $SHAPES; do
		kind=${shape_kind[$shape]} n=${shape_n[$shape]} file=${shape_file[$shape]}
		berth_project=bench-$shape v1_project=bench-$shape-v1 floor_project=floor-$shape
		floor_mode=$(floor_mode_for "$kind")
		log "round $round/$ROUNDS, $shape: ${order[*]}"
		for c in "${order[@]}"; do
			"${c}_round"
		done
	done
done

printf 'berth against the engine floor on %s (%s), %s; medians of %d interleaved rounds, %d s in all\n' \
	"$("$berth" version --short 2>/dev/null || echo berth)" "$DOCKER_HOST" "$(nproc) CPUs" "$ROUNDS" $((SECONDS - started))
for shape in $SHAPES; do
	kind=${shape_kind[$shape]} services=${shape_services[$shape]}
	report_shape
done
