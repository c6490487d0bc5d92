"""The ``netbook`` command: --version/--help, ``labs`` (copy, keep the
student's edits, --student, --nbgrader) and ``serve`` (a real client talks
to the server it runs)."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

import netbook
from netbook.labfiles import lab_paths
from tests.peers import require

PY = [sys.executable, "-m", "netbook"]


def run(*args, **kw):
    return subprocess.run([*PY, *args], capture_output=True, text=True, timeout=60, **kw)


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"netbook {netbook.__version__}"
    r = run("--help")
    assert r.returncode == 0 and "labs" in r.stdout and "serve" in r.stdout
    r = run("serve", "--help")
    assert r.returncode == 0 and "--bind" in r.stdout and "imap" in r.stdout


def test_unknown_kind_and_bad_options_are_one_clear_line():
    r = run("serve", "gopher")
    assert r.returncode == 2 and "unknown kind 'gopher'; kinds are:" in r.stderr and "Traceback" not in r.stderr
    r = run("serve", "imap", "--user", "alice")
    assert r.returncode == 2 and "--user takes NAME:PASSWORD" in r.stderr
    r = run("serve", "wsgi")
    assert r.returncode == 2 and "module:attribute" in r.stderr
    r = run("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_labs_copies_every_lab_and_keeps_a_students_edits(tmp_path):
    target = tmp_path / "labs"
    r = run("labs", str(target))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in target.glob("*.ipynb"))
    assert names == [p.name for p in lab_paths()] and len(names) >= 8
    edited = target / "01-http.ipynb"
    book = json.loads(edited.read_text())
    book["cells"][0]["source"] = "my notes"
    edited.write_text(json.dumps(book))
    r = run("labs", str(target))
    assert "kept" in r.stdout and "01-http.ipynb" in r.stdout
    assert json.loads(edited.read_text())["cells"][0]["source"] == "my notes"
    r = run("labs", str(target), "--force")
    assert json.loads(edited.read_text())["cells"][0]["source"] != "my notes"
    assert "00-tour" in run("labs", "--list").stdout


def test_student_copies_have_no_worked_solutions(tmp_path):
    r = run("labs", str(tmp_path), "--student")
    assert r.returncode == 0, r.stderr
    for path in tmp_path.glob("0[1-7]-*.ipynb"):
        book = json.loads(path.read_text())
        sols = [c for c in book["cells"] if "solution" in c["metadata"].get("tags", [])]
        assert len(sols) >= 4, path
        for c in sols:
            src = "".join(c["source"])
            assert "BEGIN SOLUTION" not in src and "YOUR CODE HERE" in src and "= None" in src
            assert c["outputs"] == []


def test_nbgrader_metadata(tmp_path):
    r = run("labs", str(tmp_path), "--nbgrader")
    assert r.returncode == 0, r.stderr
    book = json.loads((tmp_path / "05-ftp.ipynb").read_text())
    graded = [c for c in book["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    solutions = [c for c in book["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert len(graded) == len(solutions) >= 4
    assert all("".join(c["source"]).rstrip().endswith(".require()") for c in graded)
    assert all(c["metadata"]["nbgrader"]["points"] == 1 for c in graded)
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in book["cells"] if "nbgrader" in c["metadata"]]
    assert len(ids) == len(set(ids))


def _start(*args):
    p = subprocess.Popen([*PY, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Ctrl-C"):
            return p, lines
    p.kill()
    raise AssertionError(f"serve did not start: {lines} {p.stderr.read()}")


def test_serve_http_answers_curl_and_logs_it(tmp_path):
    curl = require("curl")
    (tmp_path / "hello.txt").write_text("hello from the terminal\n")
    p, lines = _start("http", str(tmp_path))
    try:
        url = lines[0].split()[1]
        assert url.startswith("http://127.0.0.1:")
        out = subprocess.run([curl, "-sS", url + "hello.txt"], capture_output=True, text=True, timeout=20)
        assert out.stdout == "hello from the terminal\n"
        time.sleep(0.5)
    finally:
        p.send_signal(signal.SIGINT)
        rest, err = p.communicate(timeout=20)
    assert "GET /hello.txt" in rest and "200" in rest and rest.rstrip().endswith("stopped.")
    assert p.returncode == 0 and "Traceback" not in err


def test_serve_the_mail_lab_to_a_real_client():
    curl = require("curl")
    p, lines = _start("mail", "--user", "alice:s3cret", "--seconds", "20")
    try:
        urls = {line.split()[0]: line.split()[1] for line in lines[:3]}
        assert set(urls) == {"smtp", "pop3", "imap"}
        port = urls["smtp"].rsplit(":", 1)[1].strip("/")
        msg = "Subject: from the terminal\r\n\r\nhi\r\n"
        r = subprocess.run([curl, "-sS", f"smtp://127.0.0.1:{port}", "--mail-from", "me@x.lab", "--mail-rcpt",
                            "alice@netbook.lab", "-u", "alice:s3cret", "-T", "-"], input=msg, capture_output=True,
                           text=True, timeout=20)
        assert r.returncode == 0, r.stderr
        iport = urls["imap"].rsplit(":", 1)[1].strip("/")
        r = subprocess.run([curl, "-sS", f"imap://127.0.0.1:{iport}/INBOX;UID=1", "-u", "alice:s3cret"],
                           capture_output=True, text=True, timeout=20)
        assert "from the terminal" in r.stdout
        wrong = subprocess.run([curl, "-sS", f"imap://127.0.0.1:{iport}/INBOX;UID=1", "-u", "alice:nope"],
                               capture_output=True, text=True, timeout=20)
        assert wrong.returncode != 0
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    assert "s3cret" not in out and "s3cret" not in err  # the password is never printed


def test_binding_beyond_loopback_warns_first():
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, nothing is sent anywhere
    r = run("serve", "tcp", "--bind", "192.0.2.1")
    assert "warning: listening on 192.0.2.1" in r.stderr
    assert r.returncode == 1 and "netbook serve:" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["smtp", "pop3", "ftp", "telnet", "nntp", "udp"])
def test_serve_each_kind_starts_and_stops(kind):
    p, lines = _start(kind, "--seconds", "0.5")
    out, err = p.communicate(timeout=30)
    assert lines[0].split()[0] == kind and "://127.0.0.1:" in lines[0]
    assert out.rstrip().endswith("stopped.") and p.returncode == 0, err
