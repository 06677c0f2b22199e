#!/usr/bin/env bash
# Lints openapi/openapi.json (or the document named as the first argument) with Redocly
# CLI (`recommended`) and Spectral (`spectral:oas`), pinned in package-lock.json; fails on
# any error or warning of either. Installs the pinned tools first when node_modules is
# missing or the lock changed since.
set -euo pipefail
document=$(realpath "${1:-$(dirname "$0")/../../openapi/openapi.json}")
cd "$(dirname "$0")"

# Neither tool may phone home: no usage reports, no update checks.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export DO_NOT_TRACK=1
export SCARF_ANALYTICS=false

if ! cmp -s package-lock.json node_modules/.package-lock.copy 2>/dev/null; then
    echo "installing the linters from package-lock.json"
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    cp package-lock.json node_modules/.package-lock.copy
fi

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0

echo "Redocly $(node_modules/.bin/redocly --version) (recommended, redocly.yaml)"
# Redocly fails only on errors; its JSON report counts the warnings too.
node_modules/.bin/redocly lint "$document" --config redocly.yaml --format=json \
    --max-problems 10000 > "$report" || true
node -e '
const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const p of report.problems) {
    const where = p.location.map((l) => l.pointer).join(", ");
    console.log(`${p.severity} ${p.ruleId} at ${where}: ${p.message}`);
}
const { errors, warnings } = report.totals;
console.log(`Redocly: ${errors} errors, ${warnings} warnings`);
process.exit(errors + warnings === 0 ? 0 : 1);
' "$report" || status=1

echo "Spectral $(node_modules/.bin/spectral --version) (spectral:oas, .spectral.yaml)"
node_modules/.bin/spectral lint "$document" --ruleset .spectral.yaml --fail-severity warn || status=1
exit "$status"
