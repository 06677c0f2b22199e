#!/usr/bin/env bash
# What recording metrics costs: the same wrk runs against the server with
# NEWSDESK_METRICS=off and =on, alternating, on a fresh SQLite database holding the demo
# newsroom. Prints requests/s of each run and the on/off ratio per path.
#
#   cargo build --release --bin newsdesk
#   bash bench/metrics.sh [BINARY] [PAIRS] [CONNECTIONS] [SECONDS]
#
# Defaults: target/release/newsdesk, 3 off/on pairs, 32 connections, 5 s per run. Needs
# wrk (apt-get install wrk) and curl. Client and server share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:-target/release/newsdesk}
PAIRS=${2:-3}
CONNECTIONS=${3:-32}
SECONDS_PER_RUN=${4:-5}
PATHS=(/healthz /api/v1/articles/1 /api/v1/articles)

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$dir/newsdesk.db" NEWSDESK_BIND="127.0.0.1:$port" RUST_LOG=error
"$BINARY" seed-demo >/dev/null

pid=
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$dir"' EXIT

# rate MODE PATH -> requests/s of one wrk run against a server started with MODE.
rate() {
    NEWSDESK_METRICS=$1 "$BINARY" serve &
    pid=$!
    until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done
    wrk -t2 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$port$2" >/dev/null # warm-up
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port$2" |
        awk '/Requests\/sec/ { print $2 }'
    stop
}

printf '%-22s %10s %10s %7s\n' path off_req/s on_req/s on/off
for path in "${PATHS[@]}"; do
    off_total=0
    on_total=0
    for _ in $(seq 1 "$PAIRS"); do
        off=$(rate off "$path")
        on=$(rate on "$path")
        printf '%-22s %10s %10s %7s\n' "$path" "$off" "$on" \
            "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')"
        off_total=$(awk -v a="$off_total" -v b="$off" 'BEGIN { print a + b }')
        on_total=$(awk -v a="$on_total" -v b="$on" 'BEGIN { print a + b }')
    done
    printf '%-22s %10.0f %10.0f %7s  (sums)\n' "$path" "$off_total" "$on_total" \
        "$(awk -v a="$on_total" -v b="$off_total" 'BEGIN { printf "%.3f", a / b }')"
done
