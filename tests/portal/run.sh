#!/usr/bin/env bash
# The reference front end (examples/portal) in a real browser: newsdesk on a fresh seed-demo
# database with CORS allowing the portal's origin, the portal built against it and served
# as static files, and Debian's Chromium driven headless by playwright-core (pinned in
# package-lock.json) through portal.test.mjs. Twice: on SQLite, then on a PostgreSQL
# database of its own (NEWSDESK_TEST_POSTGRES_URL's server; unreachable fails under
# CI=true). Saves a screenshot of the article page to target/artifacts/portal-article.png
# (portal-article-postgres.png for the second pass).
#
# Installs what is missing: Chromium and a Chinese font from Debian's packages, the npm
# packages from their lock files. Never skips: a missing piece that cannot be installed
# fails the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
portal="$root/examples/portal"
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

chromium_bin=${NEWSDESK_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium_bin" ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    echo "portal: installing chromium and a Chinese font from Debian's packages ($(elapsed))"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        chromium fonts-wqy-microhei > /dev/null
fi
[ -x "$chromium_bin" ] || { echo "portal: no Chromium at $chromium_bin" >&2; exit 1; }

# npm ci only when node_modules is missing or was installed from another lock.
npm_ci() {
    if ! cmp -s "$1/package-lock.json" "$1/node_modules/.installed-lock.json" 2>/dev/null; then
        echo "portal: npm ci in ${1#"$root"/} ($(elapsed))"
        (cd "$1" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
        cp "$1/package-lock.json" "$1/node_modules/.installed-lock.json"
    fi
}
npm_ci "$portal"
npm_ci "$here"

echo "portal: typecheck and the newsdesk binary ($(elapsed))"
(cd "$portal" && npm run --silent typecheck)
(cd "$root" && cargo build --quiet)
bin="$root/target/debug/newsdesk"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
portal_port=$(free_port)
portal_url="http://127.0.0.1:$portal_port"

# The API allows the portal's origin, as a real deployment would.
export NEWSDESK_CORS_ORIGINS="$portal_url"
export NEWSDESK_ADMIN_EMAIL=portal-admin@example.com
export RUST_LOG=warn
# shellcheck source=../support/demo_server.sh
source "$root/tests/support/demo_server.sh"

site=$(mktemp -d)
static_server=""
pg_database=""
pg_url_base="${NEWSDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_url_base="${pg_url_base%/*}"
stop_all() {
    [ -z "$static_server" ] || kill "$static_server" 2>/dev/null || true
    [ -z "${demo_server:-}" ] || demo_server_stop
    [ -z "$pg_database" ] || dropdb --if-exists --maintenance-db="$pg_url_base/postgres" "$pg_database" 2>/dev/null || true
    rm -rf "$site"
}
trap stop_all EXIT

# The built portal is served from $site for both passes; each pass builds it against its server.
python3 -m http.server "$portal_port" --bind 127.0.0.1 --directory "$site" > /dev/null 2>&1 &
static_server=$!
answers() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }

artifacts="$root/target/artifacts"
mkdir -p "$artifacts"
export PORTAL_URL="$portal_url" PORTAL_CHROMIUM="$chromium_bin"

status=0
# One pass: a fresh seed-demo newsroom on the database $1 names, the portal built against it,
# the browser test. The screenshot of the SQLite pass is the artifact.
browser_pass() {
    local name=$1 screenshot=$2
    demo_server_start "$bin"
    trap stop_all EXIT
    echo "portal ($name): build against $demo_base ($(elapsed))"
    (cd "$portal" && VITE_NEWSDESK_API="$demo_base" npx vite build --logLevel warn --outDir "$site" --emptyOutDir)
    for _ in $(seq 1 50); do
        answers "$portal_url/" && break
        sleep 0.1
    done
    answers "$portal_url/" || { echo "portal: the static server did not answer at $portal_url" >&2; exit 1; }

    echo "portal ($name): Chromium against $portal_url ($(elapsed))"
    local pass=0
    PORTAL_API="$demo_base" PORTAL_SCREENSHOT="$screenshot" \
        node --test --test-reporter=spec "$here/portal.test.mjs" || pass=$?
    if [ "$pass" -ne 0 ]; then
        status=$pass
        echo "--- server log (warnings and errors) ---"
        tail -20 "$demo_work/server.log"
    fi
    demo_server_stop
    demo_server=""
}

browser_pass SQLite "$artifacts/portal-article.png"

# Again on PostgreSQL, on a database of its own.
if pg_isready -q -d "$pg_url_base/postgres" 2>/dev/null; then
    pg_database="portal_$$_$(date +%s)"
    createdb --maintenance-db="$pg_url_base/postgres" "$pg_database"
    # PostgreSQL needs a shared secret (nodes must agree); any will do for one node.
    NEWSDESK_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
    export NEWSDESK_JWT_SECRET DEMO_DATABASE_URL="$pg_url_base/$pg_database"
    browser_pass PostgreSQL "$artifacts/portal-article-postgres.png"
    unset NEWSDESK_JWT_SECRET DEMO_DATABASE_URL
elif [ "${CI:-}" = "true" ]; then
    echo "portal: PostgreSQL at $pg_url_base is unreachable; under CI=true that fails the run" >&2
    exit 1
else
    echo "portal: SKIPPED the PostgreSQL pass: $pg_url_base is unreachable (this fails under CI=true)"
fi

echo "portal: screenshot of the article page: $artifacts/portal-article.png"
echo "portal: done in $(elapsed); exit $status"
exit "$status"
