"""Varnish purged by Newsdesk: see run.sh. Usage: purge_test.py NEWSDESK_BINARY VCL."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from newsdesk_http import call, free_port, wait_for  # noqa: E402

binary, vcl_template = sys.argv[1], sys.argv[2]


work = tempfile.mkdtemp(prefix="newsdesk-varnish-")
api_port, varnish_port = free_port(), free_port()
api, cdn = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{varnish_port}"
password = os.urandom(12).hex()
env = dict(
    os.environ,
    DATABASE_URL=f"sqlite://{work}/newsdesk.db",
    NEWSDESK_BIND=f"127.0.0.1:{api_port}",
    NEWSDESK_ADMIN_EMAIL="varnish-admin@example.com",
    NEWSDESK_ADMIN_PASSWORD=password,
    NEWSDESK_PURGE_URLS=f"{cdn}/",
    RUST_LOG="warn",
)
env.pop("NEWSDESK_TEST_POSTGRES_URL", None)
server = subprocess.Popen([binary, "serve"], env=env)

vcl = open(vcl_template).read().replace('.port = "8080";', f'.port = "{api_port}";')
open(f"{work}/newsdesk.vcl", "w").write(vcl)
varnish_dir = f"{work}/varnish"
varnish = subprocess.run(
    ["varnishd", "-n", varnish_dir, "-a", f"127.0.0.1:{varnish_port}", "-f", f"{work}/newsdesk.vcl",
     "-s", "malloc,32m", "-P", f"{work}/varnish.pid", "-j", "none"],
    capture_output=True, text=True)
if varnish.returncode != 0:
    server.kill()
    sys.exit(f"FAIL: varnishd did not start: {varnish.stderr}")


def stop():
    server.terminate()
    server.wait()
    try:
        os.kill(int(open(f"{work}/varnish.pid").read()), 15)
    except (OSError, ValueError):
        pass
    shutil.rmtree(work, ignore_errors=True)


try:
    wait_for(f"{api}/readyz")
    wait_for(f"{cdn}/healthz")
    token = call("POST", f"{api}/api/v1/auth/login",
                 body={"email": "varnish-admin@example.com", "password": password})[2]["access_token"]
    channel = call("POST", f"{api}/api/v1/channels", token, {"name": "萍乡", "slug": "pingxiang"})[2]["id"]
    ids = []
    for slug, title in (("edited", "原标题"), ("unrelated", "另一篇")):
        status, _, article = call("POST", f"{api}/api/v1/articles", token, {
            "title": title, "slug": slug, "channel_id": channel, "status": "published",
            "pages": ["<p>正文</p>"]})
        assert status == 201, article
        ids.append(article["id"])
    edited, unrelated = (f"{cdn}/api/v1/articles/{i}" for i in ids)
    # Purges are sent by the job worker just after each write commits, not before the
    # write is answered: let those of the creations pass before caching the articles, or
    # a late one would drop the freshly cached copy (an extra miss, never a stale read).
    time.sleep(0.5)

    for url in (edited, unrelated):
        call("GET", url)
        status, headers, body = call("GET", url)
        assert status == 200 and headers.get("x-varnish-cache") == "HIT", (url, headers)
        assert re.search(r"s-maxage=\d+", headers["cache-control"]), headers
    print(f"cached by Varnish: {edited} and {unrelated} (keys: {headers['xkey']})")

    status, _, _ = call("PATCH", f"{api}/api/v1/articles/{ids[0]}", token, {"title": "新标题"})
    assert status == 200
    written = time.time()
    while True:
        status, headers, body = call("GET", edited)
        if body["title"] == "新标题":
            break
        # s-maxage is 300 s: only the purge can make this happen in time.
        assert time.time() - written < 5, f"Varnish still served {body['title']!r} 5 s after the edit"
        time.sleep(0.05)
    print(f"the edit showed through Varnish {time.time() - written:.3f} s after it was written "
          f"({headers.get('x-varnish-cache')})")
    status, headers, body = call("GET", unrelated)
    assert headers.get("x-varnish-cache") == "HIT", f"the unrelated article was purged: {headers}"
    assert body["title"] == "另一篇"
    print("the unrelated article stayed cached")

    status, headers, body = call("GET", edited, token)
    assert headers.get("x-varnish-cache") == "MISS" and "private" in headers["cache-control"], headers
    print("PASS: Varnish purged exactly the edited article")
finally:
    stop()
