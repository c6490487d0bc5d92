"""Third-party FTP clients as peers of serve.ftp (issue 11): lftp mirrors a
tree up and down, resumes an interrupted download with REST and fetches in
parallel segments; wget -r fetches a tree.  Trees are compared by hash."""
import hashlib
import os
import subprocess

import pytest

import netbook as nb
from tests.peers import require


def tree(root) -> dict:
    """relative path -> sha256 of every file under root."""
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


def make_tree(root):
    os.makedirs(os.path.join(root, "a", "b"), exist_ok=True)
    os.makedirs(os.path.join(root, "empty-not", "c"), exist_ok=True)
    files = {"top.txt": b"top\n", "a/one.bin": os.urandom(70_000), "a/b/two.csv": b"x,y\n1,2\n",
             "empty-not/c/deep.dat": os.urandom(1234), "a/b/space name.txt": b"spaces\n",
             "big.bin": os.urandom(3_000_000)}
    for rel, data in files.items():
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
    return tree(root)


@pytest.fixture
def srv(tmp_path):
    os.makedirs(tmp_path / "root", exist_ok=True)
    s = nb.serve.ftp(tmp_path / "root", users={"alice": "pw"}, name="ftp-peers")
    yield s
    s.stop()


def lftp(srv, script: str):
    exe = require("lftp")
    pre = ("set ftp:ssl-allow no; set net:max-retries 2; set net:timeout 20; set net:reconnect-interval-base 1; "
           "set cmd:fail-exit yes; set xfer:clobber on; ")
    r = subprocess.run([exe, "-u", "alice,pw", "-p", str(srv.port), "-e", pre + script + "; quit", "127.0.0.1"],
                       capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-2000:])
    return r


def test_lftp_mirror_up_and_down(srv, tmp_path):
    up = make_tree(tmp_path / "up")
    lftp(srv, f"mirror -R {tmp_path / 'up'} /tree")
    assert tree(os.path.join(srv.home("alice"), "tree")) == up  # uploaded tree equal by hash
    lftp(srv, f"mirror /tree {tmp_path / 'down'}")
    assert tree(tmp_path / "down") == up
    assert not [r for r in srv.log.snapshot() if r[3] == "error"]


def test_lftp_resumes_an_interrupted_download_with_rest(srv, tmp_path):
    data = os.urandom(2_000_000)
    with open(os.path.join(srv.home("alice"), "big.bin"), "wb") as f:
        f.write(data)
    local = tmp_path / "big.bin"
    local.write_bytes(data[:777_777])  # what an interrupted download left
    lftp(srv, f"lcd {tmp_path}; get -c big.bin")
    assert local.read_bytes() == data
    requests = [r[2] for r in srv.log.snapshot()]
    assert "REST 777777" in requests and "RETR big.bin" in requests


def test_lftp_parallel_segments(srv, tmp_path):
    data = os.urandom(4_000_000)
    with open(os.path.join(srv.home("alice"), "seg.bin"), "wb") as f:
        f.write(data)
    # 2 MB/s per connection: the first segment is still running when the others have logged in
    # (on an idle loopback lftp could fetch the whole file before a second session is up)
    lftp(srv, f"set net:limit-rate 2000000; lcd {tmp_path}; pget -n 4 seg.bin")
    assert (tmp_path / "seg.bin").read_bytes() == data
    rows = [r[2] for r in srv.log.snapshot()]
    # lftp sizes its segments itself (at least ~1 MB each): several RETRs, the later ones after a REST
    assert rows.count("RETR seg.bin") >= 2 and len({r for r in rows if r.startswith("REST ")}) >= 1


def test_wget_recursive_ftp(srv, tmp_path):
    exe = require("wget")
    up = make_tree(os.path.join(srv.home("alice"), "site"))
    r = subprocess.run([exe, "-q", "-r", "-nH", "--cut-dirs=1", "-P", str(tmp_path / "got"), "--tries=1",
                        f"ftp://alice:pw@127.0.0.1:{srv.port}/site/"],
                       capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    got = {k: v for k, v in tree(tmp_path / "got").items() if not k.endswith(".listing")}
    assert got == up
