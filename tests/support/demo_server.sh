# Sourced by the CI scripts that drive the real binary (tests/contract, the SDK's e2e):
# `demo_server_start BIN` runs `BIN seed-demo` then `BIN serve` on a free port of
# 127.0.0.1 with a fresh SQLite database in a scratch folder, waits until /readyz
# answers, and stops the server and removes the folder when the script exits.
# With DEMO_DATABASE_URL set (a fresh, empty PostgreSQL database), that database is used
# instead of the scratch SQLite file.
# Sets: demo_base (http://127.0.0.1:PORT), demo_work (the scratch folder, server.log
# inside), demo_server (its pid), and exports NEWSDESK_ADMIN_EMAIL/NEWSDESK_ADMIN_PASSWORD
# (an admin made at start-up; the password is random). Anything else the server should
# see (rate limits, RUST_LOG) is exported by the caller before the call.

demo_server_start() {
    local bin=$1
    demo_work=$(mktemp -d)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    demo_base="http://127.0.0.1:$port"
    export DATABASE_URL="${DEMO_DATABASE_URL:-sqlite://$demo_work/demo.db}"
    export NEWSDESK_BIND="127.0.0.1:$port"
    export NEWSDESK_ADMIN_EMAIL="${NEWSDESK_ADMIN_EMAIL:-ci-admin@example.com}"
    NEWSDESK_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    export NEWSDESK_ADMIN_PASSWORD

    "$bin" seed-demo > "$demo_work/seed.log" 2>&1
    "$bin" serve > "$demo_work/server.log" 2>&1 &
    demo_server=$!
    trap demo_server_stop EXIT
    for _ in $(seq 1 100); do
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
            "$demo_base/readyz" 2>/dev/null && return 0
        if ! kill -0 "$demo_server" 2>/dev/null; then
            echo "the server exited:" >&2
            cat "$demo_work/server.log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "the server did not become ready at $demo_base" >&2
    return 1
}

# SIGTERM, then up to NEWSDESK_SHUTDOWN_TIMEOUT_SECS (30) and 15 s more for the graceful
# shutdown; a server still running after that is a bug: its threads' stacks go to stderr,
# it is killed, and the call fails.
demo_server_stop() {
    local status=0
    if kill "$demo_server" 2>/dev/null; then
        local waited=0 limit=$(( ${NEWSDESK_SHUTDOWN_TIMEOUT_SECS:-30} + 15 ))
        while kill -0 "$demo_server" 2>/dev/null && [ "$waited" -lt $(( limit * 10 )) ]; do
            sleep 0.1
            waited=$(( waited + 1 ))
        done
        if kill -0 "$demo_server" 2>/dev/null; then
            echo "the server did not exit ${limit}s after SIGTERM; its threads:" >&2
            if command -v gdb > /dev/null; then
                gdb -p "$demo_server" -batch -ex "thread apply all bt" 2>&1 | grep -E '^(Thread|#)' >&2 || true
            else
                grep -H . /proc/"$demo_server"/task/*/comm >&2 || true
            fi
            tail -20 "$demo_work/server.log" >&2 || true
            kill -9 "$demo_server" 2>/dev/null || true
            status=1
        fi
    fi
    wait "$demo_server" 2>/dev/null || true
    rm -rf "$demo_work"
    return "$status"
}
