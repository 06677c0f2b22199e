"""Checks of the real newsdesk binary that need its process: the peak memory (VmHWM) of
a server refusing a decompression bomb, and (`measure`) how long a 12-megapixel JPEG
takes from upload to all variants ready, with the server's peak memory meanwhile.

usage: server_checks.py bomb|measure BINARY
"""
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from newsdesk_http import call, free_port, wait_for  # noqa: E402

ADMIN = ("admin@example.com", "media-check-password-1")


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    sys.exit("FAIL: no VmHWM in /proc status")


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def multipart(fields, files):
    boundary = "----newsdesk-check-%d" % random.randrange(10**9)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, data) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


def upload(base, token, filename, data):
    content_type, body = multipart({"alt": "check", "credit": "check"}, {"file": (filename, data)})
    req = urllib.request.Request(base + "/api/v1/media", data=body, method="POST")
    req.add_header("Content-Type", content_type)
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def bomb_png(width, height):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def start(binary, workdir, extra_env):
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite://{workdir}/newsdesk.db",
            "NEWSDESK_BIND": f"127.0.0.1:{port}",
            "NEWSDESK_ADMIN_EMAIL": ADMIN[0],
            "NEWSDESK_ADMIN_PASSWORD": ADMIN[1],
            "NEWSDESK_JOB_POLL_MS": "50",
            "RUST_LOG": "warn,newsdesk::jobs=info",
        }
    )
    env.update(extra_env)
    server = subprocess.Popen([binary, "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/healthz")
    status, _, body = call("POST", base + "/api/v1/auth/login", body={"email": ADMIN[0], "password": ADMIN[1]})
    if status != 200:
        sys.exit(f"FAIL: login answered {status}: {body}")
    return server, base, body["access_token"]


def check_bomb(binary):
    with tempfile.TemporaryDirectory() as workdir:
        server, base, token = start(binary, workdir, {"NEWSDESK_WORKERS": "0"})
        try:
            # Warm the server up with a small real upload, so the figure is the bomb's alone.
            small = bomb_png(64, 64)
            before = vm_hwm_kib(server.pid)
            started = time.time()
            status, body = upload(base, token, "bomb.png", bomb_png(100_000, 100_000))
            took = time.time() - started
            after = vm_hwm_kib(server.pid)
            print(
                f"bomb: 100000x100000 PNG ({len(bomb_png(100_000, 100_000))} bytes) answered {status} "
                f"in {took * 1000:.0f} ms; server peak RSS {before // 1024} MiB before, {after // 1024} MiB after"
            )
            if status != 422:
                sys.exit(f"FAIL: the bomb was answered {status}: {body}")
            if after - before > 32 * 1024:
                sys.exit(f"FAIL: the bomb raised peak memory by {(after - before) // 1024} MiB")
            if took > 2:
                sys.exit(f"FAIL: refusing the bomb took {took:.1f} s")
            del small
        finally:
            server.terminate()
            server.wait(timeout=30)


def photo_jpeg(width, height):
    from PIL import Image

    random.seed(7)
    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    # Noise, so the encoder works as hard as on a real photo.
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, noise, 0.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def measure(binary):
    data = photo_jpeg(4000, 3000)
    with tempfile.TemporaryDirectory() as workdir:
        server, base, token = start(binary, workdir, {"NEWSDESK_WORKERS": "1"})
        try:
            idle = vm_rss_kib(server.pid)
            started = time.time()
            status, media = upload(base, token, "12mp.jpg", data)
            answered = time.time() - started
            if status != 201:
                sys.exit(f"FAIL: upload answered {status}: {media}")
            while True:
                status, _, media = call("GET", f"{base}/api/v1/media/{media['id']}", token=token)
                if media["status"] == "ready":
                    break
                if time.time() - started > 300:
                    sys.exit("FAIL: variants not ready within 300 s")
                time.sleep(0.05)
            ready = time.time() - started
            peak = vm_hwm_kib(server.pid)
            print(
                f"12 MP JPEG (4000x3000, {len(data) // 1024} KiB): 201 after {answered * 1000:.0f} ms, "
                f"all {len(media['variants']) - 1} variants ready after {ready * 1000:.0f} ms; "
                f"server RSS idle {idle // 1024} MiB, peak {peak // 1024} MiB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    mode, binary = sys.argv[1], sys.argv[2]
    {"bomb": check_bomb, "measure": measure}[mode](binary)
