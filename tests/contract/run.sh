#!/usr/bin/env bash
# Contract test: the committed OpenAPI document is valid OpenAPI 3.1, and the real
# newsdesk binary, on a fresh SQLite database loaded with seed-demo, conforms to it:
# schemathesis fuzzes every operation from /openapi.json with every check on.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples="${CONTRACT_MAX_EXAMPLES:-50}"
venv=target/contract-venv
requirements=tests/contract/requirements.txt

source tests/pylib/venv.sh
ensure_venv "$venv" "$requirements"

echo "validating openapi/openapi.json against the OpenAPI 3.1 schema"
"$venv/bin/openapi-spec-validator" openapi/openapi.json

cargo build --quiet
bin=target/debug/newsdesk
export NEWSDESK_ADMIN_EMAIL=contract-admin@example.com
export RUST_LOG=info
# The fuzzer sends thousands of writes and failed logins from one address.
export NEWSDESK_PUBLIC_WRITES_PER_MINUTE=1000000
export NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE=1000000
# So GET /metrics answers 200 and is fuzzed like the rest (no token: the fuzzer's bearer
# token is a JWT).
export NEWSDESK_METRICS=on
# So feeds and sitemaps answer 200 and every answer carries its canonical `url`.
export NEWSDESK_SITE_URL=https://www.jxnews.com.cn
source tests/support/demo_server.sh
demo_server_start "$bin"
base=$demo_base
work=$demo_work
admin_password=$NEWSDESK_ADMIN_PASSWORD

api() { # METHOD PATH [TOKEN] [JSON] -> body
    "$venv/bin/python" - "$@" <<'PY'
import json, sys, urllib.request
method, url = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
req = urllib.request.Request(url, data=body, method=method)
if body:
    req.add_header("Content-Type", "application/json")
if token:
    req.add_header("Authorization", "Bearer " + token)
print(urllib.request.urlopen(req, timeout=10).read().decode())
PY
}
field() { "$venv/bin/python" -c "import json, sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

token=$(api POST "$base/api/v1/auth/login" "" \
    "{\"email\": \"contract-admin@example.com\", \"password\": \"$admin_password\"}" | field access_token)
# Account changes and deletions are pointed at an account made for the purpose, so the
# fuzzer cannot demote, deactivate or delete the admin whose token it is using.
target=$(api POST "$base/api/v1/users" "$token" \
    '{"email": "fuzz-target@example.com", "display_name": "Fuzz target", "password": "fuzz-target-password", "role": "reporter"}' | field id)

cat > "$work/schemathesis.toml" <<TOML
[generation]
max-examples = $examples

[checks.positive_data_acceptance]
# A schema-valid request can still break a rule JSON Schema cannot state: a referenced id
# that does not exist (422, and tests/contract/hooks.py fails any 422 for another
# reason), a slug already taken (409), a stale If-Match (412), an unknown id in the path
# (404). 304 answers an If-None-Match that still matches. 415: an uploaded file's type
# is decided by its content (an image or not), which a schema cannot state.
expected-statuses = ["2xx", "304", "401", "403", "404", "409", "412", "415", "422"]

[checks.negative_data_rejection]
# 412 rejects a request too: the If-Match it carries names no current version.
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429", "5xx"]

[[operations]]
include-operation-id = ["update_user", "delete_user", "get_user"]
parameters = { id = $target }
TOML

started=$(date +%s)
status=0
# From the scratch folder, so schemathesis keeps its cache there and every run starts clean.
(cd "$work" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$OLDPWD/tests/contract" "$OLDPWD/$venv/bin/st" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --workers 1 \
    --seed 20261128 \
    --no-color) || status=$?
requests=$(grep -c 'newsdesk.*actix_web::middleware::logger\|actix_web::middleware::logger' "$work/server.log" || true)
echo "contract: schemathesis sent $requests requests in $(( $(date +%s) - started )) s; exit $status"
if [ "$status" -ne 0 ]; then
    echo "--- server log (errors) ---"
    grep -E "ERROR|panicked" "$work/server.log" | tail -20 || true
fi
exit "$status"
