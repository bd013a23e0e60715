#!/usr/bin/env bash
# Scaling benchmark (issue 11): mimir-tui train, analyze --baseline 2m and
# analyze --model on N side-by-side copies of the benign scenario, and
# optionally on the scenario repeated for a day or a week.
#
# Builds every capture from the committed scenario captures with
# testdata/scenarios/scale (N copies of the shop application in disjoint
# subnets, each renamed), runs each command under GNU time with a timeout
# and a memory limit, and prints a markdown table: copies, pods, services,
# packets, seconds and maximum RSS of each run, and whether each completed.
#
# Usage: .ci/bench-scale.sh [--duration D[,D...]] [--attack SCENARIO:COPY] [COPIES ...]
#   COPIES          copy counts (default: 1 2 4 8 16 64)
#   --duration      also one copy repeated for each duration (e.g. 24h,168h),
#                   gzip-compressed; analyze runs only (the model: 1× trained)
#   --attack        also, per copy count, the capture with that copy replaying
#                   that scenario (e.g. direct-exfil:3; cut to its length),
#                   scored with the benign model of the same size: alerting
#                   10 s windows inside and outside the attack
# Environment: MIMIR_TUI=path uses that binary instead of building one;
# BENCH_DIR=dir keeps the captures, models and outputs there (default: a
# temporary directory, removed at the end); TIMEOUT per run (default 20m);
# MEM_LIMIT_MB per run (default: 8192, at most 3/4 of the machine's memory):
# a run above it is killed and reported, so that no run takes the machine.
#
# Targets (MISS lines, exit status 1): train on 16 copies under 60 s and
# 1 GB; every run completes; from 16 to 64 copies time and memory grow at
# most linearly (4×, +10 % for noise); analyze --model's RSS for the
# durations under 300 MB and within 2× of each other; with --attack, the
# attack's windows alert and no other window does.
set -euo pipefail
cd "$(dirname "$0")/.."

durations=() attack="" sizes=()
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) IFS=, read -r -a durations <<<"$2"; shift 2 ;;
	--attack) attack=$2; shift 2 ;;
	-h | --help) sed -n '2,31p' "$0"; exit 0 ;;
	-*) echo "bench-scale: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -eq 0 ] && [ ${#durations[@]} -eq 0 ] && sizes=(1 2 4 8 16 64)
for n in "${sizes[@]}"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-scale: $n is not a copy count" >&2; exit 2; }
done

timeout=${TIMEOUT:-20m}
mem_total_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
mem_limit_mb=${MEM_LIMIT_MB:-$(( mem_total_mb * 3 / 4 < 8192 ? mem_total_mb * 3 / 4 : 8192 ))}
page_kb=$(( $(getconf PAGESIZE) / 1024 ))

if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "bench-scale: installing GNU time (apt-get install time)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null || true
fi

work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
[ -z "${BENCH_DIR:-}" ] && trap 'rm -rf "$work"' EXIT

bin=${MIMIR_TUI:-}
if [ -z "$bin" ]; then
	bin="$work/mimir-tui"
	go build -o "$bin" ./cmd/mimir-tui
fi
scale="$work/scale"
go build -o "$scale" ./testdata/scenarios/scale
src=testdata/scenarios/benign

# tree_rss PID: the resident memory (kB) of PID and its descendants, then
# their ids.
tree_rss() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" -v page="$page_kb" '
		{ pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " "); parent[pid] = f[2]; rss[pid] = f[22] }
		END {
			n = 1; q[1] = root; seen[root] = 1
			for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == q[i] && !(p in seen)) { q[++n] = p; seen[p] = 1 }
			for (i = 1; i <= n; i++) { total += rss[q[i]] * page; ids = ids " " q[i] }
			print total ids
		}'
}

# measure NAME CMD...: runs CMD with its output in $work/NAME.out and
# NAME.err, under GNU time (when installed), the timeout and the memory
# limit. Sets wall (s), rss_mb and status (ok, timeout, "> N MB", failed).
measure() {
	local name=$1 tv="$work/$1.time" start pid peak=0 over="" rc=0 line
	shift
	start=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$tv" timeout -k 10s "$timeout" "$@" >"$work/$name.out" 2>"$work/$name.err" &
	else
		timeout -k 10s "$timeout" "$@" >"$work/$name.out" 2>"$work/$name.err" &
	fi
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		read -r -a line <<<"$(tree_rss "$pid")"
		[ "${line[0]:-0}" -gt "$peak" ] && peak=${line[0]}
		if [ "${line[0]:-0}" -gt $(( mem_limit_mb * 1024 )) ]; then
			over=1
			kill -KILL "${line[@]:1}" 2>/dev/null || true # the processes this function started
			break
		fi
		sleep 0.2
	done
	wait "$pid" || rc=$?
	wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	rss_mb=$(( peak / 1024 ))
	if [ -x /usr/bin/time ] && [ -s "$tv" ]; then
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$tv")
		rss_mb=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$tv")
	fi
	if [ -n "$over" ]; then status="> ${mem_limit_mb} MB"
	elif [ "$rc" = 0 ]; then status=ok
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then status="timeout $timeout"
	else status="failed ($rc, see $work/$name.err)"; fi
	cell=$(printf '%.1f s, %d MB' "$wall" "$rss_mb")
	[ "$status" = ok ] || cell="$cell ($status)"
}

# counts DIR: sets pods, services and packets from mimir-tui check.
counts() {
	local j="$work/check.json"
	"$bin" check --format json "$1/capture".* "$1/entities.jsonl" >"$j" 2>/dev/null || true
	packets=$(grep -o '"packets": [0-9]*' "$j" | head -1 | grep -o '[0-9]*$' || echo "?")
	pods=$(grep -o '"pods": [0-9]*' "$j" | head -1 | grep -o '[0-9]*$' || echo "?")
	services=$(grep -o '"services": [0-9]*' "$j" | head -1 | grep -o '[0-9]*$' || echo "?")
}

# attack_windows DIR OUT.csv: alerting 10 s windows inside and outside
# the ground truth's attack windows (after the baseline).
attack_windows() {
	local w
	w=$(tr -d ' \n' <"$1/ground_truth.json" | grep -o '"windows_10s":\[[0-9]*,[0-9]*\]' | head -1 | grep -o '[0-9]*,[0-9]*')
	awk -F, -v a="${w%,*}" -v b="${w#*,}" 'NR > 1 && $2 == 10 && $6 == "false" && $11 == "true" { if ($1 >= a && $1 <= b) in_++; else out++ }
		END { printf "%d of %d attack windows alert, %d others\n", in_, b - a + 1, out; exit (in_ > 0 && out == 0) ? 0 : 1 }' "$2"
}

fail=0
miss() { echo "MISS: $*"; fail=1; }
# holds EXPR: whether the awk expression is true (no bc on a fresh machine).
holds() { awk "BEGIN { exit !($1) }"; }
declare -A secs mem
record() { secs[$1]=$wall; mem[$1]=$rss_mb; [ "$status" = ok ] || miss "$1: $status"; }

echo "bench-scale: work in $work; timeout $timeout and $mem_limit_mb MB per run" >&2
header='| copies | pods | services | packets | capture MB | `train` | `analyze --baseline 2m` | `analyze --model` |'
[ -n "$attack" ] && header="$header attack copy ($attack), \`analyze --model\` |"
echo "$header"
echo "$header" | sed 's/[^|]*|/---|/g; s/^---|/|/'
for n in "${sizes[@]}"; do
	d="$work/x$n"
	"$scale" -copies "$n" -force -o "$d" "$src" >&2
	counts "$d"
	mb=$(( $(stat -c %s "$d/capture.pcapng") / 1000000 ))
	rm -f "$d/model.json"
	measure "train-$n" "$bin" train -o "$d/model.json" "$d/capture.pcapng" "$d/entities.jsonl"
	record "train-$n"; train=$cell
	measure "analyze-$n" "$bin" analyze --baseline 2m "$d/capture.pcapng" "$d/entities.jsonl"
	record "analyze-$n"; base=$cell
	model="— (no model)" att=""
	if [ -s "$d/model.json" ]; then
		measure "model-$n" "$bin" analyze --model "$d/model.json" "$d/capture.pcapng" "$d/entities.jsonl"
		record "model-$n"; model=$cell
		if [ -n "$attack" ] && [ "$n" -le "${attack##*:}" ]; then
			att="— (no copy ${attack##*:})"
		elif [ -n "$attack" ]; then
			"$scale" -copies "$n" -attack "$attack" -trim -force -o "$d-attack" "$src" >&2
			measure "attack-$n" "$bin" analyze --model "$d/model.json" --format csv "$d-attack/capture.pcapng" "$d-attack/entities.jsonl"
			record "attack-$n"
			if att=$(attack_windows "$d-attack" "$work/attack-$n.out"); then :; else
				miss "$n copies: $att"
			fi
			att="$att; $cell"
		fi
	fi
	row="| $n | $pods | $services | $packets | $mb | $train | $base | $model |"
	[ -n "$attack" ] && row="$row $att |"
	echo "$row"
	[ -z "${BENCH_DIR:-}" ] && rm -f "$d"/capture.* "$d-attack"/capture.* 2>/dev/null
done

if [ ${#durations[@]} -gt 0 ]; then
	d1="$work/x1"
	if [ ! -s "$d1/model.json" ]; then
		"$scale" -copies 1 -force -o "$d1" "$src" >&2
		"$bin" train -o "$d1/model.json" "$d1/capture.pcapng" "$d1/entities.jsonl" >/dev/null
	fi
	echo
	echo '| duration | packets | capture MB (gzip) | `analyze --baseline 2m` | `analyze --model` (1× model) |'
	echo '|---|---|---|---|---|'
	for du in "${durations[@]}"; do
		d="$work/d$du"
		"$scale" -duration "$du" -gzip -force -o "$d" "$src" >&2
		counts "$d"
		mb=$(( $(stat -c %s "$d/capture.pcapng.gz") / 1000000 ))
		measure "analyze-$du" "$bin" analyze --baseline 2m "$d/capture.pcapng.gz" "$d/entities.jsonl"
		record "analyze-$du"; base=$cell
		measure "model-$du" "$bin" analyze --model "$d1/model.json" "$d/capture.pcapng.gz" "$d/entities.jsonl"
		record "model-$du"
		echo "| $du | $packets | $mb | $base | $cell |"
		[ "$rss_mb" -lt 300 ] || miss "analyze --model over $du: $rss_mb MB, not under 300 MB"
		[ -z "${BENCH_DIR:-}" ] && rm -f "$d"/capture.*
	done
	if [ ${#durations[@]} -ge 2 ]; then
		lo=${mem[model-${durations[0]}]} hi=${mem[model-${durations[-1]}]}
		[ "$hi" -lt $(( 2 * lo )) ] || miss "analyze --model: ${durations[-1]} takes $hi MB, ${durations[0]} $lo MB: not within 2×"
	fi
fi

if [ -n "${secs[train-16]:-}" ]; then
	holds "${secs[train-16]} < 60" || miss "train on 16 copies: ${secs[train-16]} s, not under 60 s"
	[ "${mem[train-16]}" -lt 1024 ] || miss "train on 16 copies: ${mem[train-16]} MB, not under 1 GB"
fi
for what in train analyze model; do
	a=$what-16 b=$what-64
	if [ -n "${secs[$a]:-}" ] && [ -n "${secs[$b]:-}" ]; then
		holds "${secs[$b]} <= 4.4 * ${secs[$a]} + 1" || miss "$what: ${secs[$b]} s on 64 copies against ${secs[$a]} s on 16: more than linear"
		holds "${mem[$b]} <= 4.4 * ${mem[$a]}" || miss "$what: ${mem[$b]} MB on 64 copies against ${mem[$a]} MB on 16: more than linear"
	fi
done
exit $fail
