#!/usr/bin/env bash
# The TypeScript SDK, proven: its generated types match openapi/openapi.json, it typechecks
# strictly and builds, and e2e/flow.ts passes against the real newsdesk binary on a fresh
# SQLite database loaded with seed-demo.
set -euo pipefail
sdk="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$sdk/../.." && pwd)"
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

cd "$root"
cargo build --quiet
bin="$root/target/debug/newsdesk"

cd "$sdk"
# npm ci only when node_modules is missing or was installed from another lock.
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
    echo "e2e: npm ci ($(elapsed))"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock.json
fi
echo "e2e: generated types, typecheck, build ($(elapsed))"
npm run --silent check-generated || {
    echo "e2e: src/schema.d.ts is stale: run 'npm run generate' in clients/typescript and commit it" >&2
    exit 1
}
npm run --silent typecheck
npm run --silent build
rm -rf .build
npx tsc -p tsconfig.e2e.json

work=$(mktemp -d)
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
export NEWSDESK_E2E_BASE_URL="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/e2e.db"
export NEWSDESK_BIND="127.0.0.1:$port"
export NEWSDESK_ADMIN_EMAIL=e2e-admin@example.com
NEWSDESK_ADMIN_PASSWORD=$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')
export NEWSDESK_ADMIN_PASSWORD
export RUST_LOG=warn

"$bin" seed-demo > "$work/seed.log" 2>&1
"$bin" serve > "$work/server.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }
for _ in $(seq 1 100); do
    ready "$NEWSDESK_E2E_BASE_URL/readyz" && break
    kill -0 "$server" 2>/dev/null || { echo "e2e: the server exited"; cat "$work/server.log"; exit 1; }
    sleep 0.2
done

echo "e2e: flow against $NEWSDESK_E2E_BASE_URL ($(elapsed))"
status=0
node --test-reporter=spec .build/flow.js || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (warnings and errors) ---"
    tail -20 "$work/server.log"
fi
echo "e2e: done in $(elapsed); exit $status"
exit "$status"
