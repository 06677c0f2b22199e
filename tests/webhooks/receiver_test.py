"""Webhooks verified by the standardwebhooks library: see run.sh.
Usage: receiver_test.py NEWSDESK_BINARY."""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from newsdesk_http import call, free_port, wait_for  # noqa: E402

binary = sys.argv[1]


# The receiver: every POST is verified with the library; what it made of each is kept.
secret = {"value": None}
verified, refused = [], []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            event = Webhook(secret["value"]).verify(body, headers)
            verified.append(event)
            self.send_response(204)
        except WebhookVerificationError as err:
            refused.append(str(err))
            self.send_response(400)
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks/newsdesk"

work = tempfile.mkdtemp(prefix="newsdesk-webhooks-")
api_port = free_port()
api = f"http://127.0.0.1:{api_port}"
password = os.urandom(12).hex()
env = dict(
    os.environ,
    DATABASE_URL=f"sqlite://{work}/newsdesk.db",
    NEWSDESK_BIND=f"127.0.0.1:{api_port}",
    NEWSDESK_ADMIN_EMAIL="webhooks-admin@example.com",
    NEWSDESK_ADMIN_PASSWORD=password,
    NEWSDESK_WEBHOOK_ALLOW="127.0.0.1",
    NEWSDESK_JOB_BACKOFF_MS="200",
    RUST_LOG="warn",
)
env.pop("NEWSDESK_TEST_POSTGRES_URL", None)
server = subprocess.Popen([binary, "serve"], env=env)


def stop():
    server.terminate()
    server.wait()
    receiver.shutdown()
    shutil.rmtree(work, ignore_errors=True)


try:
    wait_for(f"{api}/readyz")
    token = call("POST", f"{api}/api/v1/auth/login",
                 body={"email": "webhooks-admin@example.com", "password": password})[2]["access_token"]
    status, _, hook = call("POST", f"{api}/api/v1/webhooks", token,
                        {"url": hook_url, "events": ["article.published"], "description": "CI"})
    assert status == 201, hook
    secret["value"] = hook["secret"]
    channel = call("POST", f"{api}/api/v1/channels", token, {"name": "萍乡", "slug": "pingxiang"})[2]["id"]
    status, _, article = call("POST", f"{api}/api/v1/articles", token, {
        "title": "武功山步道重新开放", "slug": "wugong", "channel_id": channel,
        "status": "published", "pages": ["<p>正文</p>"]})
    assert status == 201, article
    written = time.time()
    while not verified and time.time() - written < 15:
        time.sleep(0.05)
    assert not refused, f"the library refused a delivery: {refused}"
    assert verified, "no verified delivery within 15 s"
    event = verified[0]
    assert event["type"] == "article.published", event
    assert event["data"]["id"] == article["id"] and event["data"]["title"] == "武功山步道重新开放", event
    print(f"standardwebhooks verified {event['type']} of article {article['id']} "
          f"{time.time() - written:.3f} s after it was published")

    # The library does check: a forged signature and a changed body are refused.
    headers = {"webhook-id": "evt_x", "webhook-timestamp": str(int(time.time())),
               "webhook-signature": "v1,AAAA"}
    try:
        Webhook(secret["value"]).verify(b'{"type":"article.published"}', headers)
        sys.exit("FAIL: the library accepted a forged signature")
    except WebhookVerificationError:
        pass
    status, _, listed = call("GET", f"{api}/api/v1/webhooks/{hook['id']}/deliveries", token)
    assert status == 200 and listed["data"][0]["status"] == "delivered", listed
    assert listed["data"][0]["response_status"] == 204, listed
    print("PASS: deliveries are signed the Standard Webhooks way")
except AssertionError as err:
    stop()
    sys.exit(f"FAIL: {err}")
stop()
