#!/usr/bin/env bash
# Soak test (not in CI): runs workload W2 (confpad-load --preset w2: 16
# pads x (4 writers + 30 readers), 544 websockets) against one embedded
# confpad server for a bounded time, with a reconnect storm every
# SOAK_STORM seconds: the load tool ends, so all 544 clients disconnect at
# once, and a new one connects 544 clients at once; halfway through each
# round the server is also frozen (kill -STOP) for SOAK_FREEZE seconds and
# thawed (kill -CONT), so queues fill and keepalives are tested. Every
# SOAK_INTERVAL seconds it samples the server's RSS, goroutines and
# websockets from /metrics into a CSV. It stops by itself and fails when:
#   - a load round fails (a client did not converge, see docs/load.md);
#   - RSS or goroutines grow: the most in the second half of the run is
#     over SOAK_GROWTH (1.25) times the most in the first half, plus
#     slack (16 MiB, 50 goroutines);
#   - after the last round, with every client gone, the goroutines do not
#     come back within 50 of what the idle server had before the load.
#
#   scripts/soak.sh                       # 30 minutes
#   SOAK_DURATION=300 scripts/soak.sh     # 5 minutes
#
# Settings (environment variables, all optional):
#   SOAK_DURATION   total seconds of load             (1800)
#   SOAK_STORM      seconds between reconnect storms  (60)
#   SOAK_FREEZE     seconds the server is frozen per round, 0 for none (3)
#   SOAK_INTERVAL   seconds between samples           (5)
#   SOAK_GROWTH     allowed growth factor, second half over first (1.25)
#   SOAK_PORT       the server's loopback port        (9071)
#   SOAK_DIR        where the CSV, logs and data go   (a new temporary
#                   directory, kept and printed at the end)
set -euo pipefail

duration=${SOAK_DURATION:-1800}
storm=${SOAK_STORM:-60}
freeze=${SOAK_FREEZE:-3}
interval=${SOAK_INTERVAL:-5}
growth=${SOAK_GROWTH:-1.25}
port=${SOAK_PORT:-9071}
dir=${SOAK_DIR:-$(mktemp -d -t confpad-soak-XXXXXX)}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
token=soak-$RANDOM$RANDOM
url=http://127.0.0.1:$port

die() { echo "soak.sh: $*" >&2; exit 1; }
for v in duration storm freeze interval port; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "SOAK_${v^^} must be a whole number, not ${!v}"
done
((storm >= 15)) || die "SOAK_STORM must be at least 15 seconds"
((duration >= storm)) || die "SOAK_DURATION must be at least SOAK_STORM"

mkdir -p "$dir/data"
echo "soak.sh: building into $dir"
(cd "$root" && go build -o "$dir/confpad" ./cmd/confpad && go build -o "$dir/confpad-load" ./cmd/confpad-load)

server=
sampler=
cleanup() {
	[[ -n $sampler ]] && kill "$sampler" 2>/dev/null || true
	if [[ -n $server ]]; then
		kill -CONT "$server" 2>/dev/null || true
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$dir/confpad" --addr "127.0.0.1:$port" --data "$dir/data" --admin-token "$token" \
	--access-log off --log-level warn >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
	curl -fsS "$url/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "$url/readyz" >/dev/null || die "the server did not start; see $dir/server.log"

# sample prints one CSV row: time, seconds since the start, RSS bytes,
# goroutines, websockets.
start=$(date +%s)
sample() {
	curl -fsS --max-time 5 "$url/metrics" 2>/dev/null | awk -v t="$(date +%s)" -v s="$start" '
		/^process_resident_memory_bytes / { rss = $2 }
		/^go_goroutines / { g = $2 }
		/^confpad_websocket_connections / { c = $2 }
		END { if (rss != "") printf "%d,%d,%.0f,%d,%d\n", t, t - s, rss, g, c }'
}
csv=$dir/soak.csv
echo "time,seconds,rss_bytes,goroutines,websockets" >"$csv"
sleep 1
idle=$(sample | cut -d, -f4)
(while true; do sample >>"$csv"; sleep "$interval"; done) &
sampler=$!

rounds=$((duration / storm))
failed=0
for ((round = 1; round <= rounds; round++)); do
	echo "soak.sh: round $round of $rounds (W2 for ${storm}s, then a reconnect storm)"
	freezer=
	if ((freeze > 0)); then
		(sleep $((storm / 2)) && kill -STOP "$server" && sleep "$freeze" && kill -CONT "$server") &
		freezer=$!
	fi
	if ! "$dir/confpad-load" --url "$url" --preset w2 --admin-token "$token" --pad soak \
		--warmup 2s --duration "$((storm - 12))s" --drain 10s >"$dir/load-$round.txt" 2>&1; then
		echo "soak.sh: round $round failed; see $dir/load-$round.txt" >&2
		failed=1
	fi
	[[ -n $freezer ]] && wait "$freezer"
done
kill -CONT "$server" 2>/dev/null || true

# With every client gone, the goroutines come back to the idle figure.
settled=
for _ in $(seq 30); do
	settled=$(sample | cut -d, -f4)
	((settled <= idle + 50)) && break
	sleep 1
done
kill "$sampler" 2>/dev/null || true
sampler=

report=$(awk -F, -v growth="$growth" -v idle="$idle" -v settled="$settled" '
	NR == 1 { next }
	{ t[NR] = $2; rss[NR] = $3; g[NR] = $4; n = NR }
	END {
		half = t[n] / 2
		for (i = 2; i <= n; i++) {
			if (t[i] < half) { if (rss[i] > r1) r1 = rss[i]; if (g[i] > g1) g1 = g[i] }
			else { if (rss[i] > r2) r2 = rss[i]; if (g[i] > g2) g2 = g[i] }
		}
		ok = r2 <= r1 * growth + 16 * 1048576 && g2 <= g1 * growth + 50 && settled <= idle + 50
		printf "samples %d; RSS max %.1f MiB in the first half, %.1f MiB in the second; goroutines max %d then %d; idle %d before, %d after; %s\n",
			n - 1, r1 / 1048576, r2 / 1048576, g1, g2, idle, settled, ok ? "flat" : "GROWING"
		exit (ok ? 0 : 1)
	}' "$csv") || failed=1
echo "soak.sh: $report"
echo "soak.sh: CSV in $csv"
exit "$failed"
