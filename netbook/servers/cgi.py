"""``serve.cgi(dir)``: a CGI/1.1 gateway (RFC 3875) for the scripts in ``dir``.

``GET /hello.py/extra/path?x=1`` runs ``dir/hello.py`` with PATH_INFO
``/extra/path`` and QUERY_STRING ``x=1``.  ``.py`` scripts run with this
kernel's Python (so ``import cgi`` works the same on 3.11 and 3.13, through
legacy-cgi there); other files must be executable.

netbook's own small gateway rather than ``http.server.CGIHTTPRequestHandler``
(deprecated in 3.13, removed in 3.15), so that it behaves the same on every
version and is safe by default:

- the request path passes the same guards as ``serve.http`` (no ``..``,
  encoded or not, no backslash, NUL, symlink out);
- the script's environment holds only the RFC 3875 meta-variables and
  ``PATH`` (nothing of the kernel's environment leaks): request headers
  become ``HTTP_*`` only when their names are plain tokens (letters, digits,
  ``-``; a header spelled with ``_`` could pose as another), ``Proxy`` is
  dropped (httpoxy), ``Authorization`` is not passed (only AUTH_TYPE);
- no query string is ever turned into command-line arguments;
- bodies, output and run time are bounded (413, 502, 504);
- a ``.py`` script that raises leaves a cgitb report (``srv.reports``) and a
  row in the log with its exception; the client gets a plain 500 page.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from .base import SocketServerLab
from ._httpcommon import HTTPLogMixin, ThreadingLabHTTPServer
from .http import refusal

__all__ = ["serve", "CGILab", "meta_variables"]

_TOKEN = re.compile(r"^[A-Za-z0-9-]+$")
_DROPPED = {"PROXY", "AUTHORIZATION", "PROXY_AUTHORIZATION", "CONTENT_TYPE", "CONTENT_LENGTH",
            "CONNECTION", "TRANSFER_ENCODING"}
_HOP = {"connection", "transfer-encoding", "keep-alive", "content-length", "status"}
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


def _boot_source() -> str:
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web", "_cgiboot.py")
    with open(here, encoding="utf-8") as f:
        return f.read()


def meta_variables(handler, script_name: str, path_info: str, script_path: str, root: str) -> dict[str, str]:
    """The RFC 3875 meta-variables for a request (plus a safe PATH)."""
    split = urlsplit(handler.path)
    host, port = handler.server.server_address[:2]
    env = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": handler.version_string(),
        "SERVER_NAME": str(host),
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": handler.request_version,
        "REQUEST_METHOD": handler.command,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": split.query,
        "REMOTE_ADDR": handler.client_address[0],
        "REMOTE_HOST": handler.client_address[0],
        "SCRIPT_FILENAME": script_path,
        "REQUEST_URI": handler.path,
        "PATH": _SAFE_PATH,
    }
    if path_info:
        env["PATH_TRANSLATED"] = os.path.join(root, path_info.lstrip("/"))
    auth = handler.headers.get("Authorization")
    if auth:
        env["AUTH_TYPE"] = auth.split(" ", 1)[0]
    if handler.headers.get("Content-Type"):
        env["CONTENT_TYPE"] = handler.headers["Content-Type"]
    length = handler.headers.get("Content-Length")
    if length:
        env["CONTENT_LENGTH"] = length.strip()
    dropped = []
    for name, value in handler.headers.items():
        key = name.upper().replace("-", "_")
        if not _TOKEN.match(name) or "\0" in value:
            dropped.append(name)
            continue
        if key in _DROPPED:
            if key in ("PROXY",):
                dropped.append(name)
            continue
        key = "HTTP_" + key
        env[key] = f"{env[key]}, {value}" if key in env else value
    handler._dropped_headers = dropped
    return env


class CGIRequestHandler(HTTPLogMixin, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netbook-cgi"

    def do_GET(self):
        self._run()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # -- locating the script ------------------------------------------------------
    def _locate(self):
        """(script file, SCRIPT_NAME, PATH_INFO) or None after an error reply."""
        lab = self.server.lab
        why = refusal(self.path)
        if why:
            self._detail = f"refused: {why}"
            self.send_error(HTTPStatus.BAD_REQUEST if why == "not an absolute path" else HTTPStatus.NOT_FOUND, "Not found")
            return None
        root = os.path.realpath(lab.directory)
        path = unquote(urlsplit(self.path).path, errors="surrogateescape")
        segments = [s for s in path.split("/") if s]
        current = root
        for i, seg in enumerate(segments):
            current = os.path.join(current, seg)
            real = os.path.realpath(current)
            if real != root and not real.startswith(root + os.sep):
                self._detail = "refused: outside the served folder"
                self.send_error(HTTPStatus.NOT_FOUND, "Not found")
                return None
            if os.path.isfile(real):
                script_name = "/" + "/".join(segments[: i + 1])
                rest = segments[i + 1:]
                path_info = ("/" + "/".join(rest)) if rest else ""
                if path.endswith("/") and rest:
                    path_info += "/"
                return real, script_name, path_info
            if not os.path.isdir(real):
                break
        self.send_error(HTTPStatus.NOT_FOUND, "No such script")
        return None

    # -- running it -------------------------------------------------------------------
    def _run(self):
        lab = self.server.lab
        found = self._locate()
        if found is None:
            return
        script, script_name, path_info = found
        if script.endswith(".py"):
            report_fd, report_path = tempfile.mkstemp(prefix="netbook-cgitb-", suffix=".json")
            os.close(report_fd)
            cmd = [sys.executable, "-W", "ignore::DeprecationWarning", "-c", lab._boot, report_path, script]
        elif os.access(script, os.X_OK):
            report_path = None
            cmd = [script]
        else:
            self._detail = "refused: not executable (chmod +x, or name it .py)"
            self.send_error(HTTPStatus.FORBIDDEN, "Script is not executable")
            return
        try:
            self._execute(cmd, script, script_name, path_info, report_path)
        finally:
            if report_path:
                try:
                    os.unlink(report_path)
                except OSError:
                    pass

    def _read_body(self):
        if self.headers.get("Transfer-Encoding"):
            self._detail = "refused: chunked request bodies are not supported by CGI"
            self.send_error(HTTPStatus.LENGTH_REQUIRED)
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad Content-Length")
            return None
        if length > self.server.lab.max_body:
            self._detail = f"refused: body of {length:,} bytes over max_body"
            self.close_connection = True
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return None
        return self.rfile.read(length) if length else b""

    def _execute(self, cmd, script, script_name, path_info, report_path):
        lab = self.server.lab
        body = self._read_body()
        if body is None:
            return
        env = meta_variables(self, script_name, path_info, script, os.path.realpath(lab.directory))
        env.update(lab.env)
        if script.endswith(".py"):
            env["PYTHONIOENCODING"] = "utf-8"
            env["PYTHONPATH"] = lab._pythonpath
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=os.path.dirname(script), close_fds=True, start_new_session=True)
        except OSError as e:
            self._detail = f"cannot run script: {e}"
            self.send_error(HTTPStatus.BAD_GATEWAY, "Cannot run the script")
            return
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the script and anything it started
            except OSError:
                try:
                    proc.kill()
                except OSError:
                    pass

        timer = threading.Timer(lab.timeout, kill)
        timer.daemon = True
        timer.start()
        err = bytearray()

        def feed():
            try:
                if body:
                    proc.stdin.write(body)
                proc.stdin.close()
            except OSError:
                pass

        def drain_err():
            while True:
                chunk = proc.stderr.read(8192)
                if not chunk:
                    break
                if len(err) < 65536:
                    err.extend(chunk[: 65536 - len(err)])

        feeder = threading.Thread(target=feed, daemon=True)
        errer = threading.Thread(target=drain_err, daemon=True)
        feeder.start()
        errer.start()
        out = bytearray()
        too_big = False
        while True:
            chunk = proc.stdout.read(65536)
            if not chunk:
                break
            out.extend(chunk)
            if len(out) > lab.max_output:
                too_big = True
                kill()
                timed_out.clear()
                break
        proc.stdout.close()
        code = proc.wait()
        timer.cancel()
        feeder.join(5)
        errer.join(5)
        proc.stderr.close()
        ms = (time.perf_counter() - t0) * 1000
        stderr = err.decode("utf-8", "replace").strip()
        report = None
        if report_path and os.path.exists(report_path) and os.path.getsize(report_path):
            from ..web.cgi import Report

            try:
                with open(report_path, encoding="utf-8") as f:
                    report = Report(json.load(f), request=self.requestline)
                lab.reports.append(report)
            except (OSError, ValueError):
                report = None
        if stderr:
            lab.stderr.append((self.requestline, stderr))
        if too_big:
            self._detail = f"script output over max_output ({lab.max_output:,} bytes); killed"
            self.send_error(HTTPStatus.BAD_GATEWAY, "Script output too large")
            return
        if timed_out.is_set():
            self._detail = f"script timed out after {lab.timeout:g} s; killed"
            self.send_error(HTTPStatus.GATEWAY_TIMEOUT, "Script timed out")
            return
        parsed = _parse_output(bytes(out))
        if isinstance(parsed, str):  # no valid header block
            if report is not None:
                self._detail = f"script raised {report.exception}"
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "The script raised an exception")
            else:
                why = f"exit {code}: " + (stderr.splitlines()[-1] if stderr else parsed)
                self._detail = f"bad script output ({why})"[:500]
                self.send_error(HTTPStatus.BAD_GATEWAY, "Bad script output")
            return
        status, reason, headers, content = parsed
        details = []
        if report is not None:
            details.append(f"script raised {report.exception}")
        elif code:
            details.append(f"exit {code}")
        if getattr(self, "_dropped_headers", None):
            details.append("dropped headers: " + ", ".join(self._dropped_headers))
        details.append(f"script {ms:.0f} ms")
        self._detail = "; ".join(details)[:500]
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)


def _parse_output(out: bytes):
    """(status, reason, headers, body) from a CGI response, or a str saying why not."""
    head, sep, body = out.partition(b"\r\n\r\n")
    alt_head, alt_sep, alt_body = out.partition(b"\n\n")
    if not sep or (alt_sep and len(alt_head) < len(head)):
        head, sep, body = alt_head, alt_sep, alt_body
    if not sep:
        return "no blank line after the headers" if out else "no output"
    headers = []
    status, reason = None, None
    for raw in head.replace(b"\r\n", b"\n").split(b"\n"):
        line = raw.decode("latin-1")
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.match(name.strip()) or name != name.strip():
            return f"malformed header line {line[:60]!r}"
        value = value.strip()
        if "\r" in value or "\0" in value:
            return f"control character in header {name!r}"
        if name.lower() == "status":
            code, _, why = value.partition(" ")
            if not (code.isdigit() and len(code) == 3):
                return f"bad Status header {value[:40]!r}"
            status, reason = int(code), why or None
        else:
            headers.append((name, value))
    names = {n.lower() for n, _ in headers}
    if status is None:
        status = 302 if "location" in names else 200
    if "content-type" not in names and "location" not in names and body:
        return "no Content-Type header"
    return status, reason, headers, body


class CGILab(SocketServerLab):
    kind = "cgi"
    scheme = "http"

    def __init__(self, directory=".", name=None, host="127.0.0.1", port=0, *, timeout: float = 10.0,
                 max_body: int = 10 << 20, max_output: int = 10 << 20, env: dict | None = None):
        super().__init__(name=name, host=host, port=port)
        self.directory = os.path.abspath(os.fspath(directory))
        if not os.path.isdir(self.directory):
            raise NotADirectoryError(f"serve.cgi: {self.directory} is not a folder")
        self.timeout = float(timeout)
        self.max_body = int(max_body)
        self.max_output = int(max_output)
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.reports: list = []   # cgitb reports (netbook.web.cgi.Report) of scripts that raised
        self.stderr: list[tuple[str, str]] = []  # (request, what the script wrote to stderr)
        self._boot = _boot_source()
        self._pythonpath = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    @property
    def last_report(self):
        """The most recent cgitb report, or None."""
        return self.reports[-1] if self.reports else None

    def make_server(self, address):
        return ThreadingLabHTTPServer(address, partial(CGIRequestHandler))

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The log, and under it the last cgitb report (if a script raised)."""
        res = super()._repr_mimebundle_(include=include, exclude=exclude)
        report = self.last_report
        if report is None:
            return res
        data, meta = res if isinstance(res, tuple) else (res, None)
        data = dict(data)
        rep = report._repr_mimebundle_()
        data["text/plain"] = data.get("text/plain", "") + f"\nlast of {len(self.reports)} cgitb reports:\n" + rep["text/plain"]
        data["text/html"] = data.get("text/html", "") + "<div><i>last cgitb report</i></div>" + rep["text/html"]
        return (data, meta) if meta else data


def serve(directory=".", *, name=None, host="127.0.0.1", port=0, timeout=10.0, max_body=10 << 20,
          max_output=10 << 20, env=None, log_file=None) -> CGILab:
    """Run the CGI scripts of ``directory`` (RFC 3875) on 127.0.0.1.

    ``timeout`` seconds per script run, ``max_body``/``max_output`` bytes,
    ``env`` extra variables for every script.  ``.reports`` holds cgitb
    reports of scripts that raised; ``.log`` one row per request.
    """
    lab = CGILab(directory, name=name, host=host, port=port, timeout=timeout, max_body=max_body,
                 max_output=max_output, env=env)
    lab.log_file = log_file  # combined-format access log (nb.http.read_log)
    return lab.start()
