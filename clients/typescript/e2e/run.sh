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

export NEWSDESK_ADMIN_EMAIL=e2e-admin@example.com
export RUST_LOG=warn
# shellcheck source=../../../tests/support/demo_server.sh
source "$root/tests/support/demo_server.sh"
demo_server_start "$bin"
export NEWSDESK_E2E_BASE_URL="$demo_base"

echo "e2e: flow against $NEWSDESK_E2E_BASE_URL ($(elapsed))"
status=0
node --test-reporter=spec .build/flow.js || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (warnings and errors) ---"
    tail -20 "$demo_work/server.log"
fi
echo "e2e: done in $(elapsed); exit $status"
exit "$status"
