#!/usr/bin/env bash
# Upload-to-all-variants time of a 12-megapixel JPEG (4000×3000) and the server's peak
# memory, on a release build with one in-process job worker. Not part of CI (a release
# build takes minutes); run it by hand: bash tests/media/measure.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/media-venv
source tests/pylib/venv.sh
ensure_venv "$venv" tests/media/requirements.txt
cargo build --quiet --release
"$venv/bin/python" tests/media/server_checks.py measure target/release/newsdesk
