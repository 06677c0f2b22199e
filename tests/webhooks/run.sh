#!/usr/bin/env bash
# Webhooks end to end: the real newsdesk binary delivers article.published to a receiver
# that checks every signature with the Standard Webhooks reference library from PyPI
# (`standardwebhooks`, pinned in requirements.txt, in a venv under target/).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/webhooks-venv
requirements=tests/webhooks/requirements.txt

source tests/pylib/venv.sh
ensure_venv "$venv" "$requirements"

cargo build --quiet
"$venv/bin/python" tests/webhooks/receiver_test.py target/debug/newsdesk
