"""serve.ftp against real clients: ftplib and curl."""
import ftplib
import io
import os
import socket
import subprocess
import time

import pytest

import netbook as nb
from tests.peers import require


def login(srv, user="alice", pw="pw"):
    f = ftplib.FTP()
    f.connect("127.0.0.1", srv.port, timeout=10)
    f.login(user, pw)
    return f


def curl(*args, timeout=30):
    exe = require("curl")
    return subprocess.run([exe, "-sS", "--max-time", "20", *args], capture_output=True, timeout=timeout)


# -- ftplib as the client ----------------------------------------------------------------
def test_binds_loopback_and_replaces_by_name(srv):
    assert srv.host == "127.0.0.1" and srv.url == f"ftp://127.0.0.1:{srv.port}/"
    again = nb.serve.ftp()  # same default name "ftp": the old one is stopped
    assert not srv.running and again.running
    assert nb.serve.get("ftp") is again
    again.stop()


def test_ftplib_session_and_log_rows(srv):
    f = login(srv)
    assert f.nlst() == ["hello.txt", "reports"] or sorted(f.nlst()) == ["hello.txt", "reports"]
    buf = io.BytesIO()
    f.retrbinary("RETR hello.txt", buf.write)
    f.storbinary("STOR up.bin", io.BytesIO(b"u" * 5000))
    f.quit()
    df = srv.log.to_frame()
    rows = df[df.request != "connect"]
    assert rows.request.tolist()[:2] == ["USER alice", "PASS ••••"]
    retr = rows[rows.request == "RETR hello.txt"].iloc[0]
    assert retr.status == "226" and retr.bytes == 15 and "sent 15 bytes" in retr.detail
    stor = rows[rows.request == "STOR up.bin"].iloc[0]
    assert stor.bytes == 5000 and "received 5,000 bytes" in stor.detail
    assert rows.request.iloc[-1] == "QUIT" and rows.status.iloc[-1] == "221"
    assert "pw" not in df.request.str.cat(sep=" ").replace("PWD", "")


def test_log_row_is_written_before_the_reply(srv):
    f = login(srv)
    n = len(srv.log.to_frame())
    f.sendcmd("NOOP")  # returns once the reply arrived: the row must already be there
    df = srv.log.to_frame()
    assert len(df) == n + 1 and df.request.iloc[-1] == "NOOP" and df.status.iloc[-1] == "200"
    f.quit()


def test_server_transcripts_mask_pass_and_summarise_data(srv):
    f = login(srv, "bob", "secret-bob")
    f.storbinary("STOR x.bin", io.BytesIO(b"z" * 1234))
    f.quit()
    time.sleep(0.1)
    t = [t for t in srv.transcripts if "USER bob" in t.text()][-1]
    text = t.text()
    assert "→ PASS ••••" in text and "secret-bob" not in text
    assert "→ [data] STOR: 1,234 bytes over 127.0.0.1:" in text
    assert "secret-bob" not in repr(t) and "secret-bob" not in t.to_frame().to_string()
    assert "secret-bob" in t.text(reveal=True)


def test_wrong_password_530_and_session_survives(srv):
    f = ftplib.FTP()
    f.connect("127.0.0.1", srv.port, timeout=10)
    with pytest.raises(ftplib.error_perm, match="^530"):
        f.login("alice", "nope-not-it")
    f.login("alice", "pw")  # the same session may try again
    assert "hello.txt" in f.nlst()
    f.quit()
    assert "nope-not-it" not in srv.log.to_frame().to_string()
    assert all("nope-not-it" not in t.text() for t in srv.transcripts)


def test_each_user_is_chrooted_in_its_home(srv):
    f = login(srv)
    assert f.pwd() == "/"
    for path in ("../../etc/passwd", "/etc/passwd", "../bob/x", "/../../../etc/shadow"):
        with pytest.raises(ftplib.error_perm, match="^550"):
            f.retrbinary(f"RETR {path}", lambda b: None)
    f.cwd("/..")  # stays at the home's root
    assert f.pwd() == "/" and "hello.txt" in f.nlst()
    f.storbinary("STOR ../escaped.txt", io.BytesIO(b"x"))  # ".." stops at the home's root
    assert not os.path.exists(os.path.join(srv.root, "escaped.txt"))
    assert os.path.exists(os.path.join(srv.home("alice"), "escaped.txt"))
    f.quit()


def test_symlink_out_of_the_home_is_refused(srv):
    os.symlink("/etc", os.path.join(srv.home("alice"), "etc-link"))
    with open(os.path.join(os.path.dirname(srv.root), "outside-secret.txt"), "w") as fh:
        fh.write("outside")
    os.symlink(os.path.join(os.path.dirname(srv.root), "outside-secret.txt"), os.path.join(srv.home("alice"), "s.txt"))
    try:
        f = login(srv)
        for path in ("etc-link/passwd", "s.txt"):
            with pytest.raises(ftplib.error_perm, match="^550"):
                f.retrbinary(f"RETR {path}", lambda b: None)
        with pytest.raises(ftplib.error_perm, match="^550"):
            f.cwd("etc-link")
        f.quit()
    finally:
        os.remove(os.path.join(os.path.dirname(srv.root), "outside-secret.txt"))


def test_port_to_a_foreign_address_is_refused(srv):
    f = login(srv)
    with pytest.raises(ftplib.error_perm, match="^501 Rejected data connection to foreign address"):
        f.sendcmd("PORT 10,0,0,1,31,144")
    with pytest.raises(ftplib.error_perm, match="^501"):
        f.sendcmd("EPRT |1|192.168.1.9|8080|")
    with pytest.raises(ftplib.error_perm, match="^501"):
        f.sendcmd("PORT 127,0,0,1,0,25")  # privileged port
    f.quit()


def test_anonymous_reads_root_but_cannot_write(srv):
    f = ftplib.FTP()
    f.connect("127.0.0.1", srv.port, timeout=10)
    f.login()
    buf = io.BytesIO()
    f.retrbinary("RETR readme.txt", buf.write)
    assert buf.getvalue() == b"public readme\n"
    for cmd in (lambda: f.storbinary("STOR x.txt", io.BytesIO(b"x")), lambda: f.mkd("d"),
                lambda: f.delete("readme.txt"), lambda: f.cwd("alice")):
        with pytest.raises(ftplib.error_perm, match="^550"):
            cmd()
    f.quit()
    assert sorted(os.listdir(srv.root)) == ["alice", "bob", "readme.txt"]


def test_anonymous_off_and_writable_switches(tmp_path):
    with nb.serve.ftp(tmp_path, anonymous=False) as s:
        f = ftplib.FTP()
        f.connect("127.0.0.1", s.port, timeout=10)
        with pytest.raises(ftplib.error_perm, match="^530"):
            f.login()
        f.close()
    with nb.serve.ftp(tmp_path, writable=True, name="drop") as s:
        f = ftplib.FTP()
        f.connect("127.0.0.1", s.port, timeout=10)
        f.login()
        f.storbinary("STOR dropped.txt", io.BytesIO(b"hi"))
        f.quit()
        assert (tmp_path / "dropped.txt").read_bytes() == b"hi"
    with nb.serve.ftp(tmp_path, writable=False, name="ro") as s:
        f = login(s)
        with pytest.raises(ftplib.error_perm, match="^550"):
            f.storbinary("STOR nope.txt", io.BytesIO(b"x"))
        f.quit()
    assert tmp_path.exists()  # a given root is never removed


def test_max_upload_552_and_partial_file_removed():
    with nb.serve.ftp(max_upload=100_000) as s:
        f = login(s)
        f.storbinary("STOR ok.bin", io.BytesIO(b"a" * 100_000))
        with pytest.raises(ftplib.error_perm, match="^552"):
            f.storbinary("STOR big.bin", io.BytesIO(b"b" * 2_000_000))
        assert f.nlst() == ["ok.bin"]
        f.quit()
        row = s.log.to_frame().query("request == 'STOR big.bin'").iloc[0]
        assert row.status == "552"


def test_bad_commands_get_errors_and_the_server_lives(srv):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    fh = s.makefile("rb")
    assert fh.readline().startswith(b"220")
    for line, code in ((b"BOGUS\r\n", b"500"), (b"RETR x\r\n", b"530"), (b"USER\r\n", b"501"), (b"A" * 5000 + b"\r\n", b"500")):
        s.sendall(line)
        assert fh.readline()[:3] == code
    s.close()
    f = login(srv)
    assert f.sendcmd("NOOP").startswith("200")
    f.quit()


def test_stop_closes_control_and_data_connections_and_removes_temp_root():
    s = nb.serve.ftp(name="closing")
    root = s.root
    f = login(s)
    f.sendcmd("TYPE I")
    conn = f.transfercmd("LIST")  # an open data connection
    s.stop()
    conn.settimeout(5)
    assert conn.recv(65536) is not None
    with pytest.raises((EOFError, OSError, ftplib.Error)):
        for _ in range(3):
            f.sendcmd("NOOP")
    conn.close()
    f.close()
    assert not os.path.exists(root)


def test_ftps_lab_with_ftplib_ftp_tls():
    import ssl

    with nb.serve.ftp(tls=True) as s:
        ctx = ssl.create_default_context(cafile=s.certfile)
        f = ftplib.FTP_TLS(context=ctx, timeout=10)
        f.connect("127.0.0.1", s.port)
        f.login("alice", "pw")
        f.prot_p()
        f.storbinary("STOR t.txt", io.BytesIO(b"tls data"))
        buf = io.BytesIO()
        f.retrbinary("RETR t.txt", buf.write)
        assert buf.getvalue() == b"tls data"
        f.quit()
        f2 = ftplib.FTP_TLS(context=ctx, timeout=10)
        f2.connect("127.0.0.1", s.port)
        f2.login("alice", "pw")
        with pytest.raises(ftplib.error_perm, match=r"^5\d\d SSL/TLS required on the data channel"):  # PROT P
            f2.retrbinary("RETR t.txt", buf.write)
        f2.close()


# -- curl as the client ---------------------------------------------------------------------
def test_curl_lists_downloads_uploads(srv, tmp_path):
    base = f"ftp://127.0.0.1:{srv.port}"
    r = curl("-u", "alice:pw", f"{base}/")
    assert r.returncode == 0, r.stderr
    assert "hello.txt" in r.stdout.decode() and "reports" in r.stdout.decode()
    r = curl("-u", "alice:pw", "--list-only", f"{base}/reports/")
    assert sorted(r.stdout.decode().split()) == ["2026", "q1.csv"]
    r = curl("-u", "alice:pw", f"{base}/hello.txt")
    assert r.stdout == b"hello over ftp\n"
    up = tmp_path / "up.txt"
    up.write_bytes(b"curl upload\n" * 1000)
    r = curl("-u", "alice:pw", "-T", str(up), f"{base}/inbox/", "--ftp-create-dirs")
    assert r.returncode == 0, r.stderr
    with open(os.path.join(srv.home("alice"), "inbox", "up.txt"), "rb") as fh:
        assert fh.read() == up.read_bytes()
    r = curl(f"{base}/readme.txt")  # anonymous
    assert r.stdout == b"public readme\n"
    log = srv.log.to_frame()
    assert "STOR up.txt" in log.request.tolist() and "PASS ••••" in log.request.tolist()


@pytest.mark.parametrize("mode", [["--ftp-pasv"], ["--ftp-port", "127.0.0.1"], ["--disable-epsv"], ["--ftp-port", "-", "--disable-eprt"]])
def test_curl_passive_and_active(srv, mode):
    r = curl(*mode, "-u", "alice:pw", f"ftp://127.0.0.1:{srv.port}/hello.txt")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"hello over ftp\n"
    reqs = srv.log.to_frame().request.tolist()
    want = {"--ftp-pasv": ("EPSV", "PASV"), "--disable-epsv": ("PASV",)}.get(mode[0], ("EPRT", "PORT"))
    assert any(r.split(" ")[0] in want for r in reqs), reqs


def test_curl_wrong_password_and_traversal(srv):
    r = curl("-u", "alice:bad-pass", f"ftp://127.0.0.1:{srv.port}/hello.txt")
    assert r.returncode == 67  # CURLE_LOGIN_DENIED
    r = curl("-u", "alice:pw", "--path-as-is", f"ftp://127.0.0.1:{srv.port}/../../etc/passwd")
    assert r.returncode != 0 and b"root:" not in r.stdout
    assert "bad-pass" not in srv.log.to_frame().to_string()


def test_curl_ftps_explicit_tls(tmp_path):
    with nb.serve.ftp(tls=True) as s:
        with open(os.path.join(s.home("alice"), "f.txt"), "w") as fh:
            fh.write("secured\n")
        base = f"ftp://127.0.0.1:{s.port}"
        r = curl("--ssl-reqd", "--cacert", s.certfile, "-u", "alice:pw", f"{base}/f.txt")
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"secured\n"
        up = tmp_path / "u.bin"
        up.write_bytes(os.urandom(50_000))
        r = curl("--ssl-reqd", "--cacert", s.certfile, "-u", "alice:pw", "-T", str(up), f"{base}/")
        assert r.returncode == 0, r.stderr
        with open(os.path.join(s.home("alice"), "u.bin"), "rb") as fh:
            assert fh.read() == up.read_bytes()
        r = curl("-u", "alice:pw", f"{base}/f.txt")  # no TLS: refused
        assert r.returncode != 0 and r.stdout == b""
        r = curl("--ssl-reqd", "-u", "alice:pw", f"{base}/f.txt")  # TLS verified: unknown CA refused
        assert r.returncode == 60


def test_max_upload_also_over_tls():
    with nb.serve.ftp(tls=True, max_upload=10_000) as s:
        with nb.ftp(s.user_url("alice"), password="pw", progress=False) as f:
            f.put(b"a" * 10_000, "ok.bin")
            from netbook.ftp import FTPPermissionError

            with pytest.raises(FTPPermissionError, match="^552"):
                f.put(b"b" * 500_000, "big.bin")
            assert f.ls().names == ["ok.bin"]
