#!/usr/bin/env bash
# Lints openapi/openapi.json with Redocly CLI (`recommended`) and Spectral (`spectral:oas`),
# pinned in package-lock.json; fails on any error or warning of either. Installs the pinned
# tools first when node_modules is missing or the lock changed since.
set -euo pipefail
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

document=../../openapi/openapi.json
status=0
echo "Redocly $(node_modules/.bin/redocly --version) (recommended, redocly.yaml)"
node_modules/.bin/redocly lint "$document" --config redocly.yaml --max-problems 1000 || status=1
echo "Spectral $(node_modules/.bin/spectral --version) (spectral:oas, .spectral.yaml)"
node_modules/.bin/spectral lint "$document" --ruleset .spectral.yaml --fail-severity warn || status=1
exit "$status"
