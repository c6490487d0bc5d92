"""curl's command-line flags (the common ones) -> ``nb.fetch`` arguments.

``%fetch`` speaks them, and a pasted ``curl ...`` command works as is.
``-o NAME`` stores the Response in the notebook (curl would write a file).
"""
from __future__ import annotations

import os
import shlex
import urllib.parse
from dataclasses import dataclass, field

from ..errors import NetbookError
from .errors import FetchError

__all__ = ["CurlCommand", "parse_curl", "run_curl", "SUPPORTED"]

# flag -> (canonical name, takes a value)
_FLAGS = {
    "-X": "request", "--request": "request", "-H": "header", "--header": "header",
    "-d": "data", "--data": "data", "--data-ascii": "data", "--data-binary": "data-binary", "--data-raw": "data-raw",
    "--data-urlencode": "data-urlencode", "--json": "json", "-u": "user", "--user": "user",
    "-b": "cookie", "--cookie": "cookie", "-c": "cookie-jar", "--cookie-jar": "cookie-jar",
    "-x": "proxy", "--proxy": "proxy", "--noproxy": "noproxy", "-U": "proxy-user", "--proxy-user": "proxy-user",
    "-m": "max-time", "--max-time": "max-time",
    "--connect-timeout": "connect-timeout", "-o": "output", "--output": "output",
    "-A": "user-agent", "--user-agent": "user-agent", "-e": "referer", "--referer": "referer",
    "--max-redirs": "max-redirs", "--url": "url", "--max-filesize": "max-filesize",
}
_SWITCHES = {
    "-L": "location", "--location": "location", "-k": "insecure", "--insecure": "insecure",
    "-I": "head", "--head": "head", "-G": "get", "--get": "get", "--digest": "digest", "--basic": "basic",
    "-f": "fail", "--fail": "fail", "--compressed": None, "-s": None, "--silent": None, "-S": None,
    "--show-error": None, "-v": None, "--verbose": None, "-i": None, "--include": None, "-#": None,
    "--no-progress-meter": None, "-N": None, "--no-buffer": None,
}
SUPPORTED = sorted(set(_FLAGS) | set(_SWITCHES))


@dataclass
class CurlCommand:
    url: str = ""
    method: str | None = None
    headers: dict = field(default_factory=dict)
    data: list = field(default_factory=list)
    json: str | None = None
    user: str | None = None
    digest: bool = False
    location: bool = False
    insecure: bool = False
    head: bool = False
    get: bool = False
    fail: bool = False
    cookie: list = field(default_factory=list)
    cookie_jar: str | None = None
    proxy: str | None = None
    noproxy: str | None = None
    proxy_user: str | None = None
    timeout: float | None = None
    output: str | None = None
    max_redirs: int = 50
    max_filesize: int | None = None

    def fetch_kwargs(self) -> dict:
        """The ``nb.fetch`` arguments this command means."""
        from .cookies import CookieJar

        kw: dict = {"headers": dict(self.headers), "follow_redirects": self.location, "verify": not self.insecure,
                    "max_redirects": self.max_redirs}
        method = self.method
        url = self.url
        body = "&".join(self.data) if self.data else None
        if self.get and body is not None:
            url += ("&" if urllib.parse.urlsplit(url).query else "?") + body
            body = None
        if self.json is not None:
            kw["data"] = self.json.encode()
            kw["headers"].setdefault("Content-Type", "application/json")
            kw["headers"].setdefault("Accept", "application/json")
            method = method or "POST"
        elif body is not None:
            kw["data"] = body.encode()
            kw["headers"].setdefault("Content-Type", "application/x-www-form-urlencoded")
            method = method or "POST"
        if self.head:
            method = "HEAD"
        kw["method"] = method or "GET"
        if self.user is not None:
            user, _, password = self.user.partition(":")
            kw["auth"] = (user, password)
            kw["auth_prior"] = not self.digest  # curl -u sends Basic up front; --digest answers the challenge
        if self.cookie or self.cookie_jar:
            jar = CookieJar()
            host = urllib.parse.urlsplit(url).hostname or ""
            for c in self.cookie:
                if "=" in c:
                    for part in c.split(";"):
                        name, _, value = part.strip().partition("=")
                        if name:
                            jar.set(name, value, host)
                elif os.path.exists(c):
                    jar.load(c)
                elif not self.cookie_jar:
                    raise FetchError(f"-b {c}: no such cookie file")
            kw["cookies"] = jar
        if self.proxy is not None:
            if not self.proxy:
                kw["proxy"] = False  # curl -x "": no proxy, whatever the environment says
            else:
                proxy = self.proxy if "://" in self.proxy else "http://" + self.proxy
                if self.proxy_user is not None:
                    user, _, password = self.proxy_user.partition(":")
                    scheme, _, rest = proxy.partition("://")
                    proxy = (f"{scheme}://{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
                             f"@{rest.rpartition('@')[2]}")
                kw["proxy"] = proxy
        if self.noproxy is not None:
            kw["no_proxy"] = self.noproxy
        if self.timeout is not None:
            kw["timeout"] = self.timeout
        if self.max_filesize:
            kw["max_bytes"] = self.max_filesize
        kw["url"] = url
        return kw


def _read_data(value: str, raw: bool) -> str:
    if not raw and value.startswith("@"):
        path = value[1:]
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise FetchError(f"-d @{path}: {e.strerror}") from None
        return text if raw else text.replace("\r", "").replace("\n", "")
    return value


def _urlencode_arg(value: str) -> str:
    # curl: "content", "=content", "name=content", "@file", "name@file"
    if "=" in value:
        name, _, content = value.partition("=")
        return (name + "=" if name else "") + urllib.parse.quote_plus(content)
    if "@" in value:
        name, _, path = value.partition("@")
        with open(path, encoding="utf-8") as f:
            content = f.read()
        return (name + "=" if name else "") + urllib.parse.quote_plus(content)
    return urllib.parse.quote_plus(value)


def _expand(args: list[str]) -> list[str]:
    """``-sSL`` -> ``-s -S -L``; ``-XPOST`` -> ``-X POST``; ``--max-time=5`` -> ``--max-time 5``."""
    out = []
    for a in args:
        if a.startswith("--") and "=" in a and a.split("=", 1)[0] in _FLAGS:
            out += a.split("=", 1)
        elif a.startswith("-") and not a.startswith("--") and len(a) > 2 and a not in _FLAGS and a not in _SWITCHES:
            flag = a[:2]
            if flag in _FLAGS:
                out += [flag, a[2:]]
            elif all(f"-{ch}" in _SWITCHES or f"-{ch}" in _FLAGS for ch in a[1:]):
                chars = a[1:]
                for i, ch in enumerate(chars):
                    out.append(f"-{ch}")
                    if f"-{ch}" in _FLAGS and i != len(chars) - 1:
                        out.append(chars[i + 1:])
                        break
            else:
                out.append(a)
        else:
            out.append(a)
    return out


def parse_curl(command: str | list[str]) -> CurlCommand:
    """Parse curl's command line (a string or its argv)."""
    args = shlex.split(command.replace("\\\n", " ")) if isinstance(command, str) else list(command)
    if args and os.path.basename(args[0]) == "curl":
        args = args[1:]
    cmd = CurlCommand()
    it = iter(_expand(args))
    for a in it:
        if a in _SWITCHES:
            name = _SWITCHES[a]
            if name:
                setattr(cmd, name, True)
            continue
        if a in _FLAGS:
            name = _FLAGS[a]
            value = next(it, None)
            if value is None:
                raise NetbookError(f"%fetch: {a} needs a value")
            if name == "request":
                cmd.method = value.upper()
            elif name == "header":
                k, sep, v = value.partition(":")
                if not sep and value.endswith(";"):
                    k, v = value[:-1], ""
                elif not sep:
                    raise NetbookError(f"%fetch: -H {value!r} is not 'Name: value'")
                cmd.headers[k.strip()] = v.strip()
            elif name in ("data", "data-binary", "data-raw"):
                cmd.data.append(_read_data(value, raw=name == "data-raw") if name != "data-binary" else
                                (_read_data(value, raw=True) if not value.startswith("@") else open(value[1:], encoding="utf-8").read()))
            elif name == "data-urlencode":
                cmd.data.append(_urlencode_arg(value))
            elif name == "json":
                cmd.json = (cmd.json or "") + _read_data(value, raw=False)
            elif name == "user":
                cmd.user = value
            elif name == "cookie":
                cmd.cookie.append(value)
            elif name == "cookie-jar":
                cmd.cookie_jar = value
            elif name == "proxy":
                cmd.proxy = value
            elif name == "noproxy":
                cmd.noproxy = value
            elif name == "proxy-user":
                cmd.proxy_user = value
            elif name == "max-time":
                cmd.timeout = float(value)
            elif name == "connect-timeout":
                cmd.timeout = cmd.timeout or float(value)
            elif name == "output":
                cmd.output = value
            elif name == "user-agent":
                cmd.headers["User-Agent"] = value
            elif name == "referer":
                cmd.headers["Referer"] = value
            elif name == "max-redirs":
                cmd.max_redirs = int(value)
            elif name == "max-filesize":
                cmd.max_filesize = int(value)
            elif name == "url":
                cmd.url = value
            continue
        if a.startswith("-") and len(a) > 1:
            raise NetbookError(f"%fetch: unsupported curl flag {a} (supported: {' '.join(SUPPORTED)})")
        if cmd.url:
            raise NetbookError(f"%fetch: one URL per command (got {cmd.url} and {a})")
        cmd.url = a
    if not cmd.url:
        raise NetbookError("%fetch: no URL given")
    return cmd


def run_curl(command: str | list[str], **extra):
    """Run a curl command line with ``nb.fetch``; returns (what fetch
    returned: a Response, or another scheme's view, CurlCommand)."""
    from .client import fetch
    from .response import Response

    cmd = parse_curl(command)
    kw = cmd.fetch_kwargs()
    kw.update(extra)
    url = kw.pop("url")
    method = kw.pop("method")
    resp = fetch(url, method, **kw)
    if cmd.cookie_jar and "cookies" in kw:
        kw["cookies"].save(cmd.cookie_jar)
    if cmd.fail and isinstance(resp, Response):  # -f: an HTTP error status raises (other schemes have none)
        resp.raise_for_status()
    return resp, cmd
