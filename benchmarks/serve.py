"""serve.http and serve.wsgi under load, beside what a user would run instead.

wrk (Debian package) drives each server for DURATION seconds at 64
connections, loopback only:

- a small static file: ``nb.serve.http(dir)`` vs ``python -m http.server``
  (its ThreadingHTTPServer);
- a hello-world WSGI app: ``nb.serve.wsgi(app)`` vs wsgiref's simple server
  (``wsgiref.simple_server.make_server(...).serve_forever()``).

Every server runs the same way: its own process, this Python, 127.0.0.1.
Printed: requests/s, wrk's errors (socket errors and non-2xx), the ratio
netbook/baseline, and for netbook whether every request is in the log
(the server's request counter against wrk's count; the log may hold a few
more: requests still in flight when wrk stopped were answered and logged).

    python benchmarks/serve.py              # 10 s per run (the issue's figure), ~45 s in all
    python benchmarks/serve.py --duration 3 # a quick look
    python benchmarks/serve.py --close      # a new connection per request for all

The baselines speak HTTP/1.0 and close each connection; serve.http and
serve.wsgi keep connections alive (HTTP/1.1), which is most of their lead.
``--close`` compares the per-connection cost alone.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HELLO_APP = '''
def app(environ, start_response):
    body = b"Hello, world!\\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''

NETBOOK_HTTP = '''
import sys, netbook as nb
srv = nb.serve.http(sys.argv[1], port=int(sys.argv[2]))
print("ready", flush=True)
sys.stdin.read()
print(srv.requests, flush=True)
srv.stop()
'''

NETBOOK_WSGI = HELLO_APP + '''
import sys, netbook as nb
srv = nb.serve.wsgi(app, port=int(sys.argv[1]))
print("ready", flush=True)
sys.stdin.read()
print(srv.requests, flush=True)
srv.stop()
'''

WSGIREF = HELLO_APP + '''
import sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a):
        pass
srv = make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet)
print("ready", flush=True)
srv.serve_forever()
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def start(args: list[str], port: int, stdin=True) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.Popen(args, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, text=True)
    wait_port(port)
    return p


def wrk(url: str, duration: int, connections: int, close: bool = False) -> dict:
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("wrk is not installed (apt-get install wrk; make peers)")
    extra = ["-H", "Connection: close"] if close else []
    out = subprocess.run([exe, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", *extra, url],
                         capture_output=True, text=True, timeout=duration + 60).stdout
    m = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = sum(int(x) for x in sock.groups()) if sock else 0
    return {
        "requests": int(m.group(1)) if m else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
        "raw": out,
    }


def stop_netbook(p: subprocess.Popen) -> int:
    """Close stdin: the server prints its request counter and stops."""
    out, _ = p.communicate(timeout=30)
    return int(out.split()[-1])


def stop_plain(p: subprocess.Popen) -> None:
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--close", action="store_true",
                    help="send Connection: close (a new connection per request for every server, "
                         "so keep-alive is no advantage)")
    opts = ap.parse_args()
    py = sys.executable
    results = []
    with tempfile.TemporaryDirectory() as site:
        with open(os.path.join(site, "hello.html"), "w") as f:
            f.write("<!doctype html><title>hello</title><p>" + "hello world " * 80 + "</p>\n")  # ~1 KiB
        # -- static file --------------------------------------------------------------
        port = free_port()
        p = start([py, "-c", NETBOOK_HTTP, site, str(port)], port)
        ours = wrk(f"http://127.0.0.1:{port}/hello.html", opts.duration, opts.connections, opts.close)
        ours["logged"] = stop_netbook(p)
        port = free_port()
        p = start([py, "-m", "http.server", "--bind", "127.0.0.1", "--directory", site, str(port)], port, stdin=False)
        base = wrk(f"http://127.0.0.1:{port}/hello.html", opts.duration, opts.connections, opts.close)
        stop_plain(p)
        results.append(("static file", "serve.http", ours, "python -m http.server", base))
        # -- WSGI hello world ----------------------------------------------------------
        port = free_port()
        p = start([py, "-c", NETBOOK_WSGI, str(port)], port)
        ours = wrk(f"http://127.0.0.1:{port}/", opts.duration, opts.connections, opts.close)
        ours["logged"] = stop_netbook(p)
        port = free_port()
        p = start([py, "-c", WSGIREF, str(port)], port, stdin=False)
        base = wrk(f"http://127.0.0.1:{port}/", opts.duration, opts.connections, opts.close)
        stop_plain(p)
        results.append(("WSGI hello", "serve.wsgi", ours, "wsgiref simple_server", base))

    mode = "Connection: close" if opts.close else "keep-alive where the server offers it"
    print(f"wrk -t2 -c{opts.connections} -d{opts.duration}s ({mode}), Python {sys.version.split()[0]}, loopback\n")
    print(f"{'case':12} {'server':24} {'req/s':>10} {'errors':>7} {'requests':>9} {'logged':>9}")
    ok = True
    for case, name, ours, bname, base in results:
        all_logged = ours["logged"] >= ours["requests"]
        print(f"{case:12} {name:24} {ours['rps']:>10,.0f} {ours['errors']:>7} {ours['requests']:>9,} {ours['logged']:>9,}")
        print(f"{'':12} {bname:24} {base['rps']:>10,.0f} {base['errors']:>7} {base['requests']:>9,} {'-':>9}")
        ratio = ours["rps"] / base["rps"] if base["rps"] else float("inf")
        print(f"{'':12} {'ratio (target >= 1.0x)':24} {ratio:>9.2f}x "
              f"{'zero errors' if ours['errors'] == 0 else 'ERRORS'}, "
              f"{'every request logged' if all_logged else 'REQUESTS MISSING FROM THE LOG'}\n")
        ok = ok and ratio >= 1.0 and ours["errors"] == 0 and all_logged
    print("all targets met" if ok else "a target was missed (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
