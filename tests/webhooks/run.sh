#!/usr/bin/env bash
# Webhooks end to end: the real newsdesk binary delivers article.published to a receiver
# that checks every signature with the Standard Webhooks reference library from PyPI
# (`standardwebhooks`, pinned in requirements.txt, in a venv under target/).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/webhooks-venv
requirements=tests/webhooks/requirements.txt

if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    echo "installing $(cat "$requirements") into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

cargo build --quiet
"$venv/bin/python" tests/webhooks/receiver_test.py target/debug/newsdesk
