#!/usr/bin/env bash
# A real Varnish (with varnish-modules' xkey) in front of the real newsdesk binary: a
# cached article is served by Varnish, an edit through Newsdesk purges it by surrogate
# key and the next read shows the edit, while an unrelated article stays cached.
# Installs Debian's varnish and varnish-modules when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v varnishd >/dev/null || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then
    echo "installing varnish and varnish-modules"
    apt-get install -y -q varnish varnish-modules >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q varnish varnish-modules >/dev/null; }
fi

cargo build --quiet
python3 tests/varnish/purge_test.py target/debug/newsdesk deploy/varnish/newsdesk.vcl
