"""%ftp and %fetch ftp:// in the shared IPython test shell."""
import os

import pytest
from IPython.core.error import UsageError

import netbook as nb
from netbook.errors import InjectionError
from netbook.ftp import FTPLoginError
from netbook.ftp.listing import Listing


@pytest.fixture
def ip(ipython):
    return ipython


def test_ftp_ls_tree_with_interpolation(ip, srv):
    ip.user_ns.update(port=srv.port, pw="pw")
    lst = ip.run_line_magic("ftp", "ls ftp://alice@127.0.0.1:{port}/ --password {pw}")
    assert isinstance(lst, Listing) and lst.names == ["reports", "hello.txt"]
    lst = ip.run_line_magic("ftp", "ls ftp://alice:{pw}@127.0.0.1:{port}/reports/ -o r")
    assert ip.user_ns["r"] is lst and lst.names == ["2026", "q1.csv"]
    t = ip.run_line_magic("ftp", "tree ftp://alice@127.0.0.1:{port}/ --password {pw} --depth 3")
    assert t.names == ["hello.txt", "reports", "reports/2026", "reports/q1.csv"]


def test_ftp_get_and_put(ip, srv, tmp_path):
    ip.user_ns.update(port=srv.port, dest=str(tmp_path / "h.txt"), src=str(tmp_path / "up.txt"))
    (tmp_path / "up.txt").write_text("uploaded by magic\n")
    t = ip.run_line_magic("ftp", "get ftp://alice@127.0.0.1:{port}/hello.txt {dest} --password pw")
    assert t.bytes == 15 and (tmp_path / "h.txt").read_text() == "hello over ftp\n"
    t = ip.run_line_magic("ftp", "put {src} ftp://alice@127.0.0.1:{port}/reports/ --password pw --active")
    assert t.remote == "reports/up.txt"
    with open(os.path.join(srv.home("alice"), "reports", "up.txt")) as fh:
        assert fh.read() == "uploaded by magic\n"
    assert "PORT" in srv.log.to_frame().request.str.split(" ").str[0].tolist()


def test_ftp_magic_refuses_crlf_and_bad_usage(ip, srv):
    ip.user_ns.update(port=srv.port, evil="x.txt\r\nDELE hello.txt")
    n = len(srv.log.to_frame())
    with pytest.raises(InjectionError):
        ip.run_line_magic("ftp", "get ftp://alice@127.0.0.1:{port}/{evil} --password pw")
    assert len(srv.log.to_frame()) == n  # nothing reached the server
    with pytest.raises(UsageError):
        ip.run_line_magic("ftp", "frobnicate ftp://127.0.0.1:{port}/")
    with pytest.raises(UsageError):
        ip.run_line_magic("ftp", "get ftp://127.0.0.1:{port}/")
    with pytest.raises(FTPLoginError):
        ip.run_line_magic("ftp", "ls ftp://alice@127.0.0.1:{port}/ --password wrong")
    assert os.path.exists(os.path.join(srv.home("alice"), "hello.txt"))


def test_fetch_ftp_file_still_goes_through_urllib(ip, srv):
    r = nb.fetch(f"ftp://alice:pw@127.0.0.1:{srv.port}/hello.txt", timeout=10)
    assert r.status == 200 and r.text == "hello over ftp\n"
    r = ip.run_line_magic("fetch", f"ftp://127.0.0.1:{srv.port}/readme.txt")
    assert r.text == "public readme\n"


def test_fetch_ftp_directory_is_the_listing(ip, srv):
    lst = nb.fetch(f"ftp://alice:pw@127.0.0.1:{srv.port}/reports/")
    assert isinstance(lst, Listing) and lst.names == ["2026", "q1.csv"]
    lst = nb.fetch(f"ftp://alice@127.0.0.1:{srv.port}/", auth=("alice", "pw"))
    assert lst.names == ["reports", "hello.txt"]
    lst = ip.run_line_magic("fetch", f"ftp://127.0.0.1:{srv.port}/")
    assert "readme.txt" in lst.names


def test_fetch_ftpes_directory_over_tls():
    with nb.serve.ftp(tls=True) as s:
        open(os.path.join(s.home("alice"), "t.txt"), "w").close()
        lst = nb.fetch(f"ftpes://alice:pw@127.0.0.1:{s.port}/")
        assert lst.names == ["t.txt"]


def test_serve_magic_starts_an_ftp_lab(ip, tmp_path):
    ip.user_ns["site"] = str(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    srv = ip.run_line_magic("serve", "ftp {site} -o fsrv")
    assert srv.kind == "ftp" and srv.root == os.path.realpath(tmp_path)
    with nb.ftp(srv.url) as f:
        assert "a.txt" in f.ls()
    ip.run_line_magic("serve", "stop ftp")
    assert not srv.running and tmp_path.exists()
