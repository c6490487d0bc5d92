"""Third-party HTTP clients as peers of serve.http (issue 11): wget --mirror
of a tree (listings, redirects for directories without a slash) and curl's
HEAD and conditional GETs (If-Modified-Since, If-None-Match): 304s right."""
import hashlib
import os
import subprocess

import pytest

import netbook as nb
from tests.peers import require


def tree(root) -> dict:
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    for rel, data in {"a.txt": b"alpha\n", "docs/b.bin": os.urandom(50_000), "docs/deeper/c.csv": b"x,y\n",
                      "pics/index.html": b"<html><a href='p.txt'>p</a></html>", "pics/p.txt": b"p\n"}.items():
        os.makedirs(root / os.path.dirname(rel), exist_ok=True)
        (root / rel).write_bytes(data)
    with nb.serve.http(root, name="http-peers") as srv:
        yield srv, root


def test_wget_mirror_follows_listings_and_directory_redirects(site, tmp_path):
    srv, root = site
    exe = require("wget")
    r = subprocess.run([exe, "-q", "--mirror", "-np", "-nH", "-P", str(tmp_path / "got"), "--tries=1", "--timeout=20",
                        srv.url], capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    # a folder without its slash: wget follows the 301 to the listing
    r = subprocess.run([exe, "-q", "-O", str(tmp_path / "docs.html"), "--tries=1", srv.url + "docs"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0 and b"deeper/" in (tmp_path / "docs.html").read_bytes()
    got = tree(tmp_path / "got")
    listings = {k for k in got if k == "index.html" or k.endswith("/index.html") and not k.startswith("pics/")}
    want = tree(root)
    assert {k: v for k, v in got.items() if k not in listings} == want
    rows = srv.log.snapshot()
    assert any(r[2].startswith("GET /docs ") and r[3] == "301" for r in rows)
    assert not any(r[3].startswith("5") for r in rows)


def _curl(*args):
    exe = require("curl")
    r = subprocess.run([exe, "-sS", "-o", "/dev/null", "-D", "-", *args], capture_output=True, text=True, timeout=30,
                       check=False)
    assert r.returncode == 0, r.stderr
    head = r.stdout
    status = int(head.split(" ", 2)[1])
    headers = dict(line.split(": ", 1) for line in head.strip().splitlines()[1:] if ": " in line)
    return status, headers


def test_curl_head_and_conditional_gets(site):
    srv, root = site
    url = srv.url + "a.txt"
    status, h = _curl("-I", url)
    assert status == 200 and h["Content-Length"] == "6" and "ETag" in h and "Last-Modified" in h
    etag, lm = h["ETag"], h["Last-Modified"]
    assert _curl("-H", f"If-None-Match: {etag}", url)[0] == 304
    assert _curl("-H", f"If-None-Match: W/{etag}", url)[0] == 304  # weak comparison
    assert _curl("-H", "If-None-Match: *", url)[0] == 304
    assert _curl("-H", 'If-None-Match: "other", "tags"', url)[0] == 200
    assert _curl("-H", f"If-Modified-Since: {lm}", url)[0] == 304
    assert _curl("-H", "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT", url)[0] == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2)
    assert _curl("-H", 'If-None-Match: "other"', "-H", f"If-Modified-Since: {lm}", url)[0] == 200
    status, h304 = _curl("-H", f"If-None-Match: {etag}", url)
    assert h304.get("ETag") == etag and "Content-Length" not in h304
    # curl's own -z (a time condition) and a changed file
    assert _curl("-z", lm, url)[0] == 304
    os.utime(root / "a.txt", (2_000_000_000, 2_000_000_000))
    (root / "a.txt").write_bytes(b"alpha, changed\n")
    status, h2 = _curl("-H", f"If-None-Match: {etag}", url)
    assert status == 200 and h2["ETag"] != etag
