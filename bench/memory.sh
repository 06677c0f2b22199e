#!/usr/bin/env bash
# Steady-state memory under load. Starts the server on a fresh SQLite database holding
# the demo newsroom, runs ROUNDS rounds of wrk (CONNECTIONS clients for SECONDS each)
# over the public reading API, and prints the server's RSS and thread count after each.
#
#   cargo build --release --bin newsdesk
#   bash bench/memory.sh [BINARY] [ROUNDS] [CONNECTIONS] [SECONDS]
#
# Defaults: target/release/newsdesk, 6 rounds, 256 connections, 10 s. Needs wrk
# (apt-get install wrk) and curl. Extra environment (MALLOC_ARENA_MAX, NEWSDESK_*) is
# passed to the server.
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:-target/release/newsdesk}
ROUNDS=${2:-6}
CONNECTIONS=${3:-256}
SECONDS_PER_ROUND=${4:-10}

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$dir/newsdesk.db" NEWSDESK_BIND="127.0.0.1:$port" RUST_LOG=error

"$BINARY" seed-demo >/dev/null
"$BINARY" serve &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.2; done

rss_mb() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
threads() { awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status"; }
report() { printf '%-6s %8s %8s %12s\n' "$1" "$(rss_mb)" "$(threads)" "$2"; }

printf '%-6s %8s %8s %12s\n' round rss_mb threads requests/s
report 0 -
for round in $(seq 1 "$ROUNDS"); do
    rate=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" -s bench/reads.lua \
        "http://127.0.0.1:$port" | awk '/Requests\/sec/ { print $2 }')
    report "$round" "$rate"
done
