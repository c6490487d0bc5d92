import subprocess
import sys

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError
from netbook.interpolate import check_line, interpolate


def test_import_is_fast_and_lazy():
    code = (
        "import time, sys; t = time.perf_counter(); import netbook; dt = time.perf_counter() - t;"
        "print(dt, 'pandas' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    best = min(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()[0])
        for _ in range(3)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert best < 0.3
    assert out[1:] == ["False", "False"]


def test_public_names_resolve():
    assert nb.Table and nb.Source and nb.Transcript and nb.serve and callable(nb.servers)
    with pytest.raises(AttributeError):
        nb.no_such_name


def test_interpolation_from_the_namespace():
    assert interpolate("GET /{path} HTTP/1.1", {"path": "a/b"}) == "GET /a/b HTTP/1.1"
    assert interpolate("Host: {{host}}", {"host": "x"}) == "Host: x"
    assert interpolate("{d['k']}", {"d": {"k": 1}}) == "1"
    assert interpolate('{"json": true}', {}) == '{"json": true}'
    assert interpolate(r"\{literal}", {}) == "{literal}"


def test_interpolation_refuses_crlf_injection():
    with pytest.raises(InjectionError, match="line break"):
        interpolate("Subject: {s}", {"s": "hi\r\nBcc: victim@example.com"})
    assert interpolate("{b}", {"b": "a\nb"}, multiline_values=True) == "a\nb"
    with pytest.raises(InjectionError):
        check_line("x\ny")
    with pytest.raises(NameError, match="no variable named 'nope'"):
        interpolate("{nope}", {})


def test_errors_render_as_one_line():
    assert NetbookError("boom")._render_traceback_() == ["NetbookError: boom"]


def test_wheel_ships_the_widget_front_end(tmp_path):
    import pathlib
    import zipfile

    root = pathlib.Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(root), "-w", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("netbook-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "netbook/_widgets/table.js" in names and "netbook/_widgets/table.css" in names
    assert "netbook/py.typed" in names  # PEP 561: type checkers use netbook's annotations
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


@pytest.mark.parametrize("order", ["import netbook, pandas as pd", "import pandas as pd, netbook"])
def test_accessors_work_right_after_import_in_either_order(order):
    # Regression: s.url.host raised AttributeError until nb.url had been touched.
    code = (
        f"{order}\n"
        "import sys\n"
        "lazy = [m for m in ('netbook.http.urls', 'netbook.ip.columns', 'netbook.uuids') if m in sys.modules]\n"
        "print(pd.Series(['http://example.org:8080/a?b=1']).url.host.tolist())\n"
        "print(pd.Series(['10.1.2.3', '8.8.8.8']).ip.is_private.tolist())\n"
        "print(pd.Series(['0190c1a2-7b3c-7def-8123-456789abcdef']).uuid.version.tolist())\n"
        "print(lazy, hasattr(pd.Series([1, 2]), 'url'))\n"
    )
    out = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", code],
                         capture_output=True, text=True, check=True, timeout=120).stdout.splitlines()
    assert out == ["['example.org']", "[True, False]", "[7]", "[] False"]


def test_every_error_lives_in_netbook_errors_and_the_tree_is_documented():
    import ast
    import pathlib

    import netbook.errors as E

    assert nb.errors is E
    documented = "\n".join(line[4:] for line in E.__doc__.splitlines() if line.startswith("    "))
    assert E.tree() in documented  # the docstring shows the real hierarchy
    names = set(E.__all__) - {"tree"}
    assert all(issubclass(getattr(E, n), E.NetbookError) for n in names)
    root = pathlib.Path(E.__file__).parent
    elsewhere = []
    for path in root.rglob("*.py"):
        if path.name == "errors.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if bases & names:
                    elsewhere.append(f"{path.relative_to(root)}:{node.name}")
    assert elsewhere == [], "define NetbookError subclasses in netbook/errors.py"
    # the old homes still re-export them
    from netbook.ftp.errors import FTPLoginError
    from netbook.http.errors import FetchError
    from netbook.telnet.client import LoginError
    from netbook.web.xmlrpc import XMLRPCFault
    assert FTPLoginError is E.FTPLoginError and FetchError is E.FetchError
    assert LoginError is E.LoginError and XMLRPCFault is E.XMLRPCFault


def test_http_status_error_is_urllibs_http_error_too():
    import io
    import urllib.error

    from netbook.errors import HTTPStatusError, NetbookError

    e = HTTPStatusError("http://x/", 404, "Not Found", {}, io.BytesIO(b"gone"))
    assert isinstance(e, urllib.error.HTTPError) and isinstance(e, NetbookError)
    assert (e.code, e.reason, e.read()) == (404, "Not Found", b"gone")
    assert e._render_traceback_() == ["HTTPStatusError: HTTP Error 404: Not Found"]
