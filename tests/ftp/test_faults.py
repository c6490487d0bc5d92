"""Issue 11 faults in serve.ftp, with nothing lost and nothing half-written:
a client killed in the middle of STOR, the disk full (552) or read-only
(451) on a real small tmpfs.  Uploads go to a hidden part file renamed over
the target only when complete."""
import ftplib
import io
import os

import pytest

import netbook as nb
from tests.faults import files_under, killed_mid_transfer, read_only, small_fs, wait_until

STOR_SCRIPT = """
import re, socket, time
s = socket.create_connection(("127.0.0.1", {port}))
f = s.makefile("rb")
def cmd(line):
    s.sendall(line + b"\\r\\n")
    while True:
        r = f.readline()
        if r[3:4] != b"-":
            return r
f.readline()
cmd(b"USER alice"); cmd(b"PASS pw"); cmd(b"TYPE I")
h = [int(x) for x in re.search(rb"\\((.*)\\)", cmd(b"PASV")).group(1).split(b",")]
d = socket.create_connection(("127.0.0.1", h[4] * 256 + h[5]))
s.sendall(b"STOR big.bin\\r\\n")
d.sendall(b"z" * 200000)
print("ready", flush=True)
time.sleep(60)
"""


def _login(srv):
    c = ftplib.FTP()
    c.connect(srv.host, srv.port, timeout=10)
    c.login("alice", "pw")
    return c


def test_client_killed_mid_stor_leaves_no_file(srv):
    home = srv.home("alice")
    before = sorted(files_under(home))
    killed_mid_transfer(STOR_SCRIPT.format(port=srv.port))
    wait_until(lambda: any(r[2] == "STOR big.bin" for r in srv.log.snapshot()), what="the STOR row")
    assert sorted(files_under(home)) == before  # no big.bin, no part file
    c = _login(srv)  # the server and other sessions go on
    c.voidcmd("TYPE I")
    assert c.size("hello.txt") == 15
    c.storbinary("STOR big.bin", io.BytesIO(b"whole"))
    c.quit()
    assert open(os.path.join(home, "big.bin"), "rb").read() == b"whole"
    assert sorted(files_under(home)) == sorted(before + ["big.bin"])


def test_a_complete_upload_replaces_the_old_file_whole(srv):
    c = _login(srv)
    c.storbinary("STOR hello.txt", io.BytesIO(b"new content\n"))
    assert "hello.txt" in c.nlst() and not any(".netbook-part" in n for n in c.nlst())
    c.quit()
    assert open(os.path.join(srv.home("alice"), "hello.txt"), "rb").read() == b"new content\n"


@pytest.fixture
def small_srv(tmp_path):
    with small_fs(tmp_path / "fs", "256k") as fs:
        s = nb.serve.ftp(fs, users={"alice": "pw"}, name="ftp-faults")
        try:
            yield s, fs
        finally:
            s.stop()


def test_disk_full_is_552_and_the_part_file_goes(small_srv):
    srv, fs = small_srv
    c = _login(srv)
    with pytest.raises(ftplib.error_perm, match="^552 Insufficient storage"):
        c.storbinary("STOR big.bin", io.BytesIO(b"q" * 1_000_000))
    assert files_under(fs) == []
    c.storbinary("STOR small.txt", io.BytesIO(b"fits"))  # the session goes on
    c.quit()
    assert files_under(fs) == ["alice/small.txt"]
    row = [r for r in srv.log.snapshot() if r[3] == "552"][-1]
    assert row[2] == "STOR big.bin" and "No space left on device" in row[6]


def test_read_only_is_451(small_srv):
    srv, fs = small_srv
    read_only(fs)
    c = _login(srv)
    with pytest.raises(ftplib.error_temp, match="^451 .*Read-only file system"):
        c.storbinary("STOR x.txt", io.BytesIO(b"x"))
    assert c.pwd() == "/"
    c.quit()
    assert "Read-only file system" in [r for r in srv.log.snapshot() if r[3] == "451"][-1][6]
