#!/usr/bin/env bash
# The media library against a real S3-compatible server (moto's, from PyPI, pinned in
# requirements.txt, in a venv under target/): the media tests of tests/api run again
# with every file in an S3 bucket, on SQLite and (when it answers, always under CI=true)
# PostgreSQL. Then the real binary refuses a decompression bomb without its peak memory
# (VmHWM) growing.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/media-venv
source tests/pylib/venv.sh
ensure_venv "$venv" tests/media/requirements.txt

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/" > /dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS -X PUT "http://127.0.0.1:$port/newsdesk-test" > /dev/null

export NEWSDESK_TEST_S3_URL="s3://newsdesk-test?endpoint=http://127.0.0.1:$port&region=us-east-1"
export AWS_ACCESS_KEY_ID=newsdesk-test AWS_SECRET_ACCESS_KEY=newsdesk-test-secret

echo "media tests with an S3 store (SQLite)"
env -u NEWSDESK_TEST_POSTGRES_URL cargo test --quiet --test api media::

PG_URL="${NEWSDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "${CI:-}" = "true" ]; then
    echo "media tests with an S3 store (PostgreSQL)"
    NEWSDESK_TEST_POSTGRES_URL="$PG_URL" cargo test --quiet --test api media::
else
    echo "SKIPPED: media tests on PostgreSQL with S3 (PostgreSQL unreachable; fails under CI=true)"
fi
unset NEWSDESK_TEST_S3_URL

cargo build --quiet
"$venv/bin/python" tests/media/server_checks.py bomb target/debug/newsdesk
