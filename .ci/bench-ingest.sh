#!/usr/bin/env bash
# Ingestion benchmark: mimir-tui conversations against tshark -z conv,ip.
#
# Builds large captures by concatenating the shop-demo capture with itself,
# each copy shifted in time past the previous one (editcap -t, mergecap -a,
# doubling), runs `mimir-tui conversations` and `tshark -q -z conv,ip` on
# each, and prints wall time, packets/s and maximum RSS side by side. It
# also checks that both count the same frames per IP pair.
#
# Usage: .ci/bench-ingest.sh [SIZE_MB ...]      (default: 256 1024)
# Environment: MIMIR_TUI=path uses that binary instead of building one;
# BENCH_DIR=dir keeps the large files there (default: a temporary
# directory, removed at the end).
#
# Targets (exit status 1 when missed): mimir-tui at least 20x faster than
# tshark, and its maximum RSS under 100 MB at every size.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(256 1024)
for t in editcap mergecap capinfos tshark; do
	command -v "$t" >/dev/null || { echo "bench-ingest: $t is needed (apt-get install tshark)" >&2; exit 2; }
done

work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
[ -z "${BENCH_DIR:-}" ] && trap 'rm -rf "$work"' EXIT

bin=${MIMIR_TUI:-}
if [ -z "$bin" ]; then
	bin="$work/mimir-tui"
	go build -o "$bin" ./cmd/mimir-tui
fi

src=../shared/captures/shop-demo/capture.pcapng
if [ ! -f "$src" ]; then
	src="$work/shop.pcapng"
	gzip -dc testdata/shop-demo/capture.pcapng.gz > "$src"
fi
# The capture lasts 238 s: each copy starts 240 s after the previous one.
span=240

# measure CMD...: runs CMD with its standard output to /dev/null and sets
# wall (seconds) and rss (kB). Uses GNU time when installed, else bash's
# clock and the kernel's high-water mark of the process.
measure() {
	local out="$work/time.txt"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$out" "$@" >/dev/null 2>"$work/stderr.txt"
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$out")
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
	else
		local start end pid hwm=0 v
		start=$(date +%s.%N)
		"$@" >/dev/null 2>"$work/stderr.txt" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
			sleep 0.05
		done
		wait "$pid"
		end=$(date +%s.%N)
		wall=$(echo "$end - $start" | bc -l)
		rss=$hwm
	fi
}

# build SIZE_MB: a capture of at least SIZE_MB, by doubling.
build() {
	local want=$(( $1 * 1024 * 1024 )) f="$work/big-$1.pcapng" cur="$work/cur.pcapng" shift=$span
	cp "$src" "$cur"
	while [ "$(stat -c %s "$cur")" -lt "$want" ]; do
		editcap -t "$shift" "$cur" "$work/shifted.pcapng"
		mergecap -a -F pcapng -w "$work/next.pcapng" "$cur" "$work/shifted.pcapng"
		mv "$work/next.pcapng" "$cur"
		rm "$work/shifted.pcapng"
		shift=$(( shift * 2 ))
	done
	mv "$cur" "$f"
	echo "$f"
}

fail=0
printf '%-10s %-10s %10s %12s %14s %12s\n' size tool packets wall_s packets/s max_rss_MB
for mb in "${sizes[@]}"; do
	f=$(build "$mb")
	bytes=$(stat -c %s "$f")
	packets=$(capinfos -T -r -c "$f" | awk -F'\t' '{print $2}')

	measure "$bin" conversations --window 10s "$f"
	mw=$wall mr=$rss
	"$bin" conversations --window 10s -o "$work/conv.jsonl" "$f"
	measure tshark -n -q -r "$f" -z conv,ip
	tw=$wall tr=$rss
	tshark -n -q -r "$f" -z conv,ip > "$work/conv-ip.txt" 2>/dev/null

	label="$(( bytes / 1024 / 1024 ))MB"
	printf '%-10s %-10s %10d %12.2f %14.0f %12.1f\n' "$label" mimir-tui "$packets" "$mw" "$(echo "$packets / $mw" | bc -l)" "$(echo "$mr / 1024" | bc -l)"
	printf '%-10s %-10s %10d %12.2f %14.0f %12.1f\n' "$label" tshark "$packets" "$tw" "$(echo "$packets / $tw" | bc -l)" "$(echo "$tr / 1024" | bc -l)"
	ratio=$(echo "$tw / $mw" | bc -l)
	printf '%-10s speed-up %.1fx\n' "$label" "$ratio"

	# Same frames per IP pair, both directions summed as tshark prints them.
	if command -v python3 >/dev/null; then
		python3 - "$work/conv.jsonl" "$work/conv-ip.txt" <<'EOF' || fail=1
import collections, json, sys
ours = collections.Counter()
for line in open(sys.argv[1]):
    for c in json.loads(line)["conversations"]:
        if ":" not in c["src"]:
            ours[tuple(sorted((c["src"], c["dst"])))] += c["frames"]
theirs = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) > 3 and f[1] == "<->":
        # A <-> B, then frames/bytes "<-", "->", total: the total frames
        # come after the two directions, each "N size unit".
        rest = f[3:]
        nums, i = [], 0
        while i < len(rest) and len(nums) < 3:
            nums.append(int(rest[i])); i += 3
        theirs[tuple(sorted((f[0], f[2])))] = nums[2]
bad = [k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)]
if bad:
    print("frames per pair differ from tshark for", bad[:5], file=sys.stderr)
    sys.exit(1)
print(f"frames per IPv4 pair agree with tshark ({len(theirs)} pairs)")
EOF
	fi
	if [ "$(echo "$ratio < 20" | bc -l)" = 1 ]; then echo "MISS: less than 20x faster than tshark at $label"; fail=1; fi
	if [ "$mr" -ge $(( 100 * 1024 )) ]; then echo "MISS: max RSS ${mr} kB is not under 100 MB at $label"; fail=1; fi
	rm -f "$f"
done
exit $fail
