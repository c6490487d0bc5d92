"""serve.cgi (RFC 3875 gateway), nb.cgi.form, cgitb-style reports."""
import io
import os
import sys
import urllib.request

import pytest

import netbook as nb
from netbook.web.cgi import FormError

from .conftest import raw_request, status_of

ENV_SCRIPT = """\
import os
print("Content-Type: text/plain")
print()
for k in sorted(os.environ):
    print(f"{k}={os.environ[k]}")
"""

FORM_SCRIPT = """\
import cgi, sys
form = cgi.FieldStorage()
print("Content-Type: text/plain; charset=utf-8")
print("X-Python: %d.%d" % sys.version_info[:2])
print()
for key in sorted(form.keys()):
    item = form[key]
    if getattr(item, "filename", None):
        print(f"{key}: file {item.filename} {len(item.file.read())} bytes")
    else:
        print(f"{key}={form.getfirst(key)}")
"""

CRASH_SCRIPT = """\
def divide(a, b):
    password = "hunter2"
    note = "<script>alert('x')</script>"
    return a / b

divide(1, 0)
"""

SHELL_SCRIPT = """\
#!/bin/sh
printf 'Status: 201 Created\\r\\nContent-Type: text/plain\\r\\nX-Shell: yes\\r\\n\\r\\n'
printf 'method=%s query=%s path_info=%s\\n' "$REQUEST_METHOD" "$QUERY_STRING" "$PATH_INFO"
"""


@pytest.fixture
def cgidir(tmp_path):
    d = tmp_path / "cgi"
    d.mkdir()
    (d / "env.py").write_text(ENV_SCRIPT)
    (d / "form.py").write_text(FORM_SCRIPT)
    (d / "crash.py").write_text(CRASH_SCRIPT)
    (d / "hello.sh").write_text(SHELL_SCRIPT)
    (d / "hello.sh").chmod(0o755)
    (d / "plain.txt").write_text("not a script")
    (d / "slow.py").write_text("import time\ntime.sleep(30)\n")
    (d / "noheaders.py").write_text("print('just text')\n")
    (d / "flood.py").write_text("import sys\nprint('Content-Type: text/plain\\n')\nsys.stdout.write('x' * 3_000_000)\n")
    (d / "split.py").write_text("import sys\nsys.stdout.write('Content-Type: text/plain\\nX-A: v\\rSet-Cookie: s=1\\n\\nok')\n")
    (d / "redirect.py").write_text("print('Location: /env.py')\nprint()\n")
    (d / "nb_form.py").write_text("import netbook as nb\nf = nb.cgi.form()\nprint('Content-Type: text/plain\\n')\n"
                                  "print(sorted((x.name, x.value, x.filename or '', x.size) for x in f.fields))\n")
    outside = tmp_path / "outside.py"
    outside.write_text("print('Content-Type: text/plain\\n')\nprint('OUTSIDE RAN')\n")
    (d / "out.py").symlink_to(outside)
    return d


def parse_env(text: str) -> dict:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_meta_variables_rfc3875(cgidir, curl):
    with nb.serve.cgi(cgidir) as srv:
        r = curl(srv.url + "env.py/extra/path?a=1&b=%20x", "-H", "X-Custom: v1", "-H", "X-Custom: v2")
        env = parse_env(r.stdout.decode())
        assert env["GATEWAY_INTERFACE"] == "CGI/1.1"
        assert env["REQUEST_METHOD"] == "GET"
        assert env["SCRIPT_NAME"] == "/env.py"
        assert env["PATH_INFO"] == "/extra/path"
        assert env["PATH_TRANSLATED"].endswith(os.path.join("cgi", "extra", "path"))
        assert env["QUERY_STRING"] == "a=1&b=%20x"
        assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
        assert env["SERVER_PORT"] == str(srv.port) and env["SERVER_NAME"] == "127.0.0.1"
        assert env["REMOTE_ADDR"] == "127.0.0.1"
        assert env["HTTP_X_CUSTOM"] == "v1, v2"
        assert env["HTTP_USER_AGENT"].startswith("curl/")
        assert "CONTENT_LENGTH" not in env


def test_meta_variable_injection_refused(cgidir, curl, monkeypatch):
    monkeypatch.setenv("NETBOOK_KERNEL_SECRET", "do-not-leak")
    with nb.serve.cgi(cgidir) as srv:
        r = curl(srv.url + "env.py?x=1", "-X", "POST", "--data-binary", "abc",
                 "-H", "Content-Type: text/plain",
                 "-H", "Proxy: http://evil.example:8080",           # httpoxy
                 "-H", "Content_Length: 99999",                      # poses as CONTENT_LENGTH
                 "-H", "Path_Info: /etc/passwd",
                 "-H", "Authorization: Basic dXNlcjpwYXNz",
                 "-H", "X-Env: $(touch /tmp/pwned)")
        env = parse_env(r.stdout.decode())
        assert "HTTP_PROXY" not in env
        assert env["CONTENT_LENGTH"] == "3" and env["CONTENT_TYPE"] == "text/plain"
        assert "HTTP_CONTENT_LENGTH" not in env and "HTTP_PATH_INFO" not in env
        assert env["PATH_INFO"] == ""
        assert "HTTP_AUTHORIZATION" not in env and env["AUTH_TYPE"] == "Basic"
        assert "dXNlcjpwYXNz" not in r.stdout.decode()
        assert env["HTTP_X_ENV"] == "$(touch /tmp/pwned)"  # data, never run by a shell
        assert "NETBOOK_KERNEL_SECRET" not in env
        detail = srv.log.snapshot()[-1][6]
        assert "dropped headers: " in detail and "Proxy" in detail and "Content_Length" in detail
    # a query without "=" never becomes command-line arguments
    with nb.serve.cgi(cgidir) as srv:
        r = curl(srv.url + "hello.sh?-rf+/")
        assert r.stdout == b"method=GET query=-rf+/ path_info=\n"


def test_form_script_same_on_every_python(cgidir, curl, tmp_path):
    upload = tmp_path / "up.bin"
    upload.write_bytes(b"\x00\x01" * 500)
    with nb.serve.cgi(cgidir) as srv:
        r = curl("-i", srv.url + "form.py?q=search", "-F", "name=Ada", "-F", f"doc=@{upload}")
        text = r.stdout.decode()
        assert "HTTP/1.1 200" in text
        assert f"X-Python: {sys.version_info[0]}.{sys.version_info[1]}" in text
        assert "doc: file up.bin 1000 bytes" in text and "name=Ada" in text and "q=search" in text
        r = curl(srv.url + "form.py", "--data", "a=1&b=%C3%A9")
        assert r.stdout.decode().splitlines() == ["a=1", "b=é"]


def test_nb_cgi_form_inside_a_script(cgidir, curl):
    with nb.serve.cgi(cgidir, timeout=60) as srv:
        r = curl(srv.url + "nb_form.py?x=1", "-F", "a=2")
        assert r.stdout.decode().strip() == "[('a', '2', '', 1), ('x', '1', '', 1)]"


def test_shell_script_status_and_headers(cgidir, curl):
    with nb.serve.cgi(cgidir) as srv:
        r = curl("-i", srv.url + "hello.sh/p?q=1")
        assert r.stdout.startswith(b"HTTP/1.1 201 Created")
        assert b"X-Shell: yes" in r.stdout
        assert r.stdout.endswith(b"method=GET query=q=1 path_info=/p\n")
        r = curl("-i", srv.url + "redirect.py")
        assert r.stdout.startswith(b"HTTP/1.1 302") and b"Location: /env.py" in r.stdout


def test_crash_report_is_escaped_and_masked(cgidir, curl):
    with nb.serve.cgi(cgidir) as srv:
        r = curl("-i", srv.url + "crash.py")
        assert r.stdout.startswith(b"HTTP/1.1 500")
        assert b"hunter2" not in r.stdout and b"ZeroDivision" not in r.stdout  # nothing leaks to the client
        row = srv.log.snapshot()[-1]
        assert row[3] == "500" and "script raised ZeroDivisionError: division by zero" in row[6]
        rep = srv.last_report
        assert rep.exception == "ZeroDivisionError: division by zero"
        frames = rep.frames
        assert list(frames["function"]) == ["<module>", "divide"]
        assert frames["source"].iloc[-1] == "return a / b"
        assert "password=••••" in frames["locals"].iloc[-1] and "a=1" in frames["locals"].iloc[-1]
        # cgitb's page: the hostile local is escaped, the password masked
        assert "<script>alert" not in rep.html and "&lt;script&gt;" in rep.html
        assert "hunter2" not in rep.html and "hunter2" not in rep.text and "hunter2" not in repr(rep)
        bundle = rep._repr_mimebundle_()
        html = bundle["text/html"]
        assert "<iframe sandbox=''" in html and "allow-scripts" not in html
        assert "<script>" not in html  # inside srcdoc, escaped twice over
        assert "ZeroDivisionError" in bundle["text/plain"]
        view = srv._repr_mimebundle_()
        view = view[0] if isinstance(view, tuple) else view
        assert "last of 1 cgitb reports" in view["text/plain"] and "<iframe sandbox=''" in view["text/html"]
        assert "hunter2" not in view["text/html"] and "<script>alert" not in view["text/html"]


def test_limits_and_failures(cgidir, curl):
    with nb.serve.cgi(cgidir, timeout=1.0, name="quick") as srv:
        assert curl("-o", "/dev/null", "-w", "%{http_code}", srv.url + "slow.py").stdout == b"504"
        assert any("timed out" in row[6] for row in srv.log.snapshot())
    with nb.serve.cgi(cgidir, timeout=30, max_output=1_000_000, max_body=1000) as srv:
        assert curl("-o", "/dev/null", "-w", "%{http_code}", srv.url + "flood.py").stdout == b"502"
        assert curl("-o", "/dev/null", "-w", "%{http_code}", srv.url + "noheaders.py").stdout == b"502"
        assert curl("-o", "/dev/null", "-w", "%{http_code}", srv.url + "plain.txt").stdout == b"403"
        split = curl("-si", srv.url + "split.py").stdout
        assert split.startswith(b"HTTP/1.1 502") and b"Set-Cookie" not in split
        assert curl("-o", "/dev/null", "-w", "%{http_code}", srv.url + "missing.py").stdout == b"404"
        assert curl("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x" * 5000, srv.url + "env.py").stdout == b"413"
        details = [row[6] for row in srv.log.snapshot()]
        assert any("max_output" in d for d in details)
        assert any("not executable" in d for d in details)


def test_traversal_never_runs_outside_scripts(cgidir, curl):
    with nb.serve.cgi(cgidir) as srv:
        for target in ["/../outside.py", "/%2e%2e/outside.py", "/%252e%252e/outside.py", "/out.py",
                       "/..%5coutside.py", "/env.py/../../outside.py", "/env.py%00"]:
            r = curl("--path-as-is", "-o", "-", "-w", "\n%{http_code}", srv.url.rstrip("/") + target)
            body, code = r.stdout.rsplit(b"\n", 1)
            assert code in (b"400", b"404"), target
            assert b"OUTSIDE RAN" not in body
        for data in (b"GET /../outside.py HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"JUNK\r\n\r\n"):
            resp = raw_request(srv.port, data)
            assert status_of(resp) in (400, 404) and b"OUTSIDE RAN" not in resp
        assert urllib.request.urlopen(srv.url + "hello.sh", timeout=10).status == 201


def test_form_parsing_query_urlencoded_multipart():
    f = nb.cgi.form("GET /search?q=python&tag=a&tag=b&empty=")
    assert f["q"] == "python" and f.getlist("tag") == ["a", "b"] and f["empty"] == ""
    f = nb.cgi.form("POST /f?x=1", body={"name": "Ada", "lang": "é"})
    assert f["name"] == "Ada" and f["lang"] == "é" and f["x"] == "1"
    assert f.to_frame().set_index("name").loc["x", "source"] == "query"
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + b"\x00\xffDATA" + f"\r\n--{boundary}--\r\n".encode()
    f = nb.cgi.form("POST /up", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, body=body)
    assert f["title"] == "hello"
    assert f["doc"] == b"\x00\xffDATA" and f.files["doc"].filename == "a.bin"
    df = f.to_frame()
    assert list(df["name"]) == ["title", "doc"] and df.loc[1, "bytes"] == 6 and df.loc[1, "source"] == "upload"
    # from a WSGI environ (as an app receives it)
    env = nb.wsgi.environ("POST /x", body={"k": "v"})
    assert nb.cgi.form(env)["k"] == "v"
    assert "form (POST" in repr(nb.cgi.form(nb.wsgi.environ("POST /x", body={"k": "v"})))


def test_form_limits_and_garbage():
    with pytest.raises(FormError, match="over the limit"):
        nb.cgi.form("POST /", body="a=" + "x" * 100, max_bytes=10)
    with pytest.raises(FormError):
        nb.cgi.form({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "zz", "wsgi.input": io.BytesIO(b"")})
    f = nb.cgi.form("POST /?a=1", headers={"Content-Type": "application/json"}, body='{"x": 1}')
    assert f.keys() == ["a"]


def test_report_in_the_kernel():
    def inner(token):
        secret_key = "sk-" + str(100 + 23)  # not a literal: only the locals dump could show it
        raise ValueError("<b>bad</b>" + secret_key[:0] + token[:0])

    try:
        inner("t0" + "k3n")
    except ValueError:
        rep = nb.cgi.report()
    assert rep.exception == "ValueError: <b>bad</b>"
    assert "sk-123" not in rep.html and "t0k3n" not in rep.html
    assert "<b>bad</b>" not in rep.html
    assert rep.frames["function"].iloc[-1] == "inner"
    assert "secret_key" in rep.html  # cgitb did dump it, masked
    assert "sk-123" not in rep.text and "t0k3n" not in rep.text
    assert "token=••••" in rep.frames["locals"].iloc[-1]
