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
