"""nb.ftp (ftplib) against real FTP servers: the lab (pyftpdlib) and a
plain pyftpdlib server without MLSD (the LIST fallback)."""
import ftplib
import io
import os
import threading
from datetime import datetime, timezone

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError
from netbook.ftp import FTPConnectionError, FTPLoginError, FTPPermissionError, FTPURLError
from netbook.ftp.listing import parse_list_line


def test_ls_is_mlsd_rows_dirs_first(alice):
    lst = alice.ls()
    assert lst.source == "MLSD"
    df = lst.to_frame()
    assert list(df.columns) == ["name", "type", "size", "modified", "perm"]
    assert list(df.name) == ["reports", "hello.txt"]
    row = df.set_index("name").loc["hello.txt"]
    assert row.type == "file" and row["size"] == len("hello over ftp\n")
    assert str(df.modified.dtype).startswith("datetime64") and str(df.modified.dt.tz) == "UTC"
    assert "hello.txt" in lst and len(lst) == 2


def test_tree_walks_to_depth(alice):
    df = alice.tree(depth=3).to_frame()
    assert list(df.path) == ["hello.txt", "reports", "reports/2026", "reports/q1.csv"]
    assert list(df.depth) == [0, 0, 1, 1]
    assert list(alice.tree(depth=1).to_frame().path) == ["hello.txt", "reports"]


def test_cd_and_relative_paths(alice):
    alice.cd("reports")
    assert alice.cwd == "/reports"
    assert list(alice.ls().to_frame().name) == ["2026", "q1.csv"]
    alice.cd("..")
    assert alice.cwd == "/"


def test_get_put_roundtrip_counts_bytes(alice, srv, tmp_path):
    t = alice.get("hello.txt", tmp_path / "h.txt")
    assert (tmp_path / "h.txt").read_text() == "hello over ftp\n" and t.bytes == 15
    payload = os.urandom(700_000)
    up = alice.put(payload, "blob.bin")
    assert up.bytes == len(payload)
    with open(os.path.join(srv.home("alice"), "blob.bin"), "rb") as f:
        assert f.read() == payload
    src = tmp_path / "local.txt"
    src.write_bytes(b"from a file\n")
    alice.put(src)  # remote name defaults to the local name
    assert alice.read("local.txt") == b"from a file\n"
    buf = io.BytesIO()
    alice.get("blob.bin", buf)
    assert buf.getvalue() == payload
    frame = alice.transfers_frame()
    assert list(frame.direction) == ["get", "put", "put", "get"]
    assert frame.bytes.tolist() == [15, 700_000, 12, 700_000]


def test_active_mode_port(alice, tmp_path):
    alice.passive = False
    t = alice.get("hello.txt", tmp_path / "a.txt")
    assert t.bytes == 15
    text = alice.transcript.text()
    assert "→ PORT 127,0,0,1," in text and "active" in text


def test_mkdir_rename_rm_rmdir(alice, srv):
    alice.mkdir("inbox")
    alice.put(b"x", "inbox/a.txt")
    alice.rename("inbox/a.txt", "inbox/b.txt")
    assert list(alice.ls("inbox").to_frame().name) == ["b.txt"]
    alice.rm("inbox/b.txt")
    alice.rmdir("inbox")
    assert not os.path.exists(os.path.join(srv.home("alice"), "inbox"))


def test_failed_download_leaves_existing_local_file(alice, tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("mine")
    with pytest.raises(FTPPermissionError):
        alice.get("missing.txt", keep)
    assert keep.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]  # no .part left


def test_errors_are_one_line_naming_the_reply(alice):
    with pytest.raises(FTPPermissionError) as e:
        alice.cd("nope")
    msg = str(e.value)
    assert msg.startswith("550 ") and "CWD nope" in msg and "\n" not in msg
    assert e.value.code == 550 and isinstance(e.value, NetbookError)
    assert e.value._render_traceback_() == [f"FTPPermissionError: {msg}"]


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "../../../../../../etc/passwd"])
def test_traversal_stays_inside_the_home(alice, path):
    with pytest.raises(FTPPermissionError):
        alice.get(path, io.BytesIO())


@pytest.mark.parametrize("bad", ["a\r\nDELE hello.txt", "x\nQUIT", "nul\0byte"])
def test_crlf_in_a_path_is_refused_before_sending(alice, bad):
    before = alice.transcript.total["C>S"]
    for call in (lambda: alice.get(bad, io.BytesIO()), lambda: alice.put(b"1", bad), lambda: alice.rm(bad),
                 lambda: alice.mkdir(bad), lambda: alice.ls(bad), lambda: alice.cd(bad), lambda: alice.rename("hello.txt", bad)):
        with pytest.raises(InjectionError):
            call()
    assert alice.transcript.total["C>S"] == before  # nothing was sent
    assert "hello.txt" in alice.ls()


def test_wrong_password_is_530_and_never_shown(srv):
    with pytest.raises(FTPLoginError) as e:
        nb.ftp(srv.user_url("alice"), password="hunter2-wrong")
    assert str(e.value).startswith("530 ") and "hunter2" not in str(e.value)
    with pytest.raises(FTPLoginError) as e:
        nb.ftp(f"ftp://alice:hunter2-wrong@127.0.0.1:{srv.port}/")
    assert "hunter2" not in str(e.value) and "••••" in str(e.value)
    with pytest.raises(FTPLoginError, match="needs a password"):
        nb.ftp(srv.user_url("alice"))
    for t in srv.transcripts:
        assert "hunter2" not in t.text() and "hunter2" not in t.to_frame().to_string()
    assert "hunter2" not in srv.log.to_frame().to_string()


def test_transcript_masks_pass_and_summarises_data(alice):
    alice.ls()
    alice.get("hello.txt", io.BytesIO())
    text = alice.transcript.text()
    assert "→ PASS ••••" in text and "pw" not in text.replace("PWD", "")
    assert "← [data] RETR hello.txt: 15 bytes, passive, 127.0.0.1:" in text
    df = alice.transcript.to_frame()
    data = df[df.text.str.startswith("[data]")]
    assert len(data) >= 2 and (data.direction == "S>C").all()
    assert "pw" not in alice.transcript.text(reveal=False).split("PASS")[1].splitlines()[0]
    assert "PASS pw" in alice.transcript.text(reveal=True)


def test_repr_and_mimebundle_show_the_listing(alice):
    text = repr(alice)
    assert "as alice" in text and "hello.txt" in text and "pw@" not in text
    bundle = alice._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert "<td>hello.txt</td>" in bundle["text/html"] and "reports" in bundle["text/html"]
    assert "hello.txt" in alice.to_frame().name.tolist()
    lst_bundle = alice.ls()._repr_mimebundle_()
    data = lst_bundle[0] if isinstance(lst_bundle, tuple) else lst_bundle
    assert "hello.txt" in data["text/html"] and "hello.txt" in data["text/plain"]


def test_anonymous_is_the_default_user(srv):
    with nb.ftp(srv.url) as f:
        assert f.user == "anonymous"
        assert "readme.txt" in f.ls()
        assert f.read("readme.txt") == b"public readme\n"
        with pytest.raises(FTPPermissionError, match="550"):
            f.put(b"x", "upload.txt")
        with pytest.raises(FTPPermissionError):
            f.ls("alice")  # user homes are hidden from anonymous
    assert f.closed


def test_url_path_is_the_starting_directory(srv):
    with nb.ftp(f"ftp://alice@127.0.0.1:{srv.port}/reports/", password="pw") as f:
        assert f.cwd == "/reports"


def test_bad_urls_and_refused_connections():
    with pytest.raises(FTPURLError):
        nb.ftp("http://127.0.0.1/")
    with pytest.raises(InjectionError):
        nb.ftp("ftp://127.0.0.1:21/a\r\nDELE x")
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(FTPConnectionError, match="cannot connect"):
        nb.ftp(f"ftp://127.0.0.1:{port}/", timeout=5)


def test_ftps_client_against_the_tls_lab():
    with nb.serve.ftp(tls=True) as s:
        with open(os.path.join(s.home("alice"), "secret.txt"), "w") as f:
            f.write("over TLS\n")
        with nb.ftp(s.user_url("alice"), password="pw") as f:
            assert f.tls and s.url.startswith("ftpes://")
            assert f.read("secret.txt") == b"over TLS\n"
            f.put(b"up", "up.txt")
            text = f.transcript.text()
            assert "→ AUTH TLS" in text and "→ PROT P" in text and "→ PASS ••••" in text
        with pytest.raises(FTPLoginError, match="SSL/TLS required"):  # plain FTP is refused by the server
            nb.ftp(f"ftp://alice@127.0.0.1:{s.port}/", password="pw")


# -- the LIST fallback -----------------------------------------------------------------
@pytest.fixture
def no_mlsd_server(tmp_path):
    """A plain pyftpdlib server (not netbook's) whose MLSD/MLST are removed."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

    (tmp_path / "data.csv").write_text("a,b\n")
    (tmp_path / "sub").mkdir()
    auth = DummyAuthorizer()
    auth.add_user("u", "p", str(tmp_path), perm="elr")
    cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k not in ("MLSD", "MLST")}
    handler = type("NoMLSD", (FTPHandler,), {"authorizer": auth, "proto_cmds": cmds})
    loop = IOLoop()
    server = FTPServer(("127.0.0.1", 0), handler, ioloop=loop)
    stop = threading.Event()

    def run():
        while not stop.is_set():
            loop.loop(timeout=0.05, blocking=False)
        server.close_all()

    t = threading.Thread(target=run, name="test-ftp-nomlsd", daemon=True)
    t.start()
    yield server.address[1]
    stop.set()
    t.join(5)


def test_ls_falls_back_to_list_when_mlsd_is_missing(no_mlsd_server):
    with nb.ftp(f"ftp://u@127.0.0.1:{no_mlsd_server}/", password="p") as f:
        lst = f.ls()
        assert lst.source == "LIST"
        df = lst.to_frame()
        assert list(df.name) == ["sub", "data.csv"] and list(df.type) == ["dir", "file"]
        assert df.set_index("name").loc["data.csv", "size"] == 4
        assert df.perm.str.match(r"^[d-]rw").all()
        text = f.transcript.text()
        assert "→ FEAT" in text and "→ MLSD" not in text and "→ LIST" in text  # FEAT decides, as FileZilla does
        assert f.tree(depth=2).to_frame().path.tolist() == ["data.csv", "sub"]


def test_mlsd_false_forces_list(alice):
    alice._mlsd = False
    df = alice.ls().to_frame()
    assert list(df.name) == ["reports", "hello.txt"] and df.perm.iloc[0].startswith("d")


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("line, expect", [
    ("-rw-r--r--    1 1000     1000           15 Nov 26 10:16 hello.txt",
     {"name": "hello.txt", "type": "file", "size": 15, "modified": datetime(2026, 11, 26, 10, 16, tzinfo=timezone.utc)}),
    ("drwxr-xr-x    2 ftp      ftp          4096 Jan 03  2024 pub",
     {"name": "pub", "type": "dir", "size": None, "modified": datetime(2024, 1, 3, tzinfo=timezone.utc)}),
    ("lrwxrwxrwx    1 0        0               7 Dec 30 23:59 latest -> v1.2.3",
     {"name": "latest", "type": "link", "size": 7, "modified": datetime(2025, 12, 30, 23, 59, tzinfo=timezone.utc)}),
    ("-rw-r--r--   1 owner  123456 Mar  1 09:05 file with spaces.txt",
     {"name": "file with spaces.txt", "type": "file", "size": 123456}),
    ("11-26-26  02:16PM       <DIR>          Reports",
     {"name": "Reports", "type": "dir", "size": None, "modified": datetime(2026, 11, 26, 14, 16, tzinfo=timezone.utc)}),
    ("11-26-2026  14:16             1234 data.bin", {"name": "data.bin", "type": "file", "size": 1234}),
])
def test_parse_list_lines(line, expect):
    row = parse_list_line(line, now=NOW)
    for k, v in expect.items():
        assert row[k] == v, (k, row)


@pytest.mark.parametrize("line", ["total 12", "", "garbage line", "drwxr-xr-x    2 ftp ftp 4096 Jan 03  2024 ."])
def test_parse_list_skips_non_entries(line):
    assert parse_list_line(line, now=NOW) is None


def test_stdlib_ftplib_error_types_are_mapped(alice):
    with pytest.raises(FTPPermissionError) as e:
        alice.command("SITE NONSENSE")
    assert e.value.code in (500, 501, 502, 504)
    assert e.value.__cause__ is None  # one line, no chained ftplib traceback
    assert alice.command("NOOP").startswith("200")
    assert issubclass(FTPPermissionError, NetbookError) and not issubclass(FTPPermissionError, ftplib.Error)


def test_hostile_file_names_stay_text(srv, alice):
    home = srv.home("alice")
    open(os.path.join(home, "<img src=x onerror=alert(1)>.txt"), "w").close()
    open(os.path.join(home, "evil\r\ntype=file;size=1; fake.txt"), "w").close()
    lst = alice.ls()
    assert "fake.txt" not in lst.names and not any("\n" in n for n in lst.names)  # no injected entry
    assert "<img src=x onerror=alert(1)>.txt" in lst.names
    html = alice._repr_mimebundle_()["text/html"]
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    data = lst._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "<img" not in data["text/html"]


def test_read_is_bounded_and_the_session_stays_in_step(alice, srv):
    with open(os.path.join(srv.home("alice"), "big.bin"), "wb") as fh:
        fh.write(b"b" * 2_000_000)
    from netbook.ftp import FTPError

    with pytest.raises(FTPError, match="larger than max_bytes=1,000"):
        alice.read("big.bin", max_bytes=1000)
    assert alice.read("hello.txt") == b"hello over ftp\n"  # the next reply is its own, not the aborted one's
    assert alice.command("NOOP").startswith("200")
