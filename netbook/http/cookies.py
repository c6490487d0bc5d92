"""``nb.CookieJar``: http.cookiejar underneath, a Table on top.

Loads and saves the Netscape/Mozilla ``cookies.txt`` format that curl (``-c``
/ ``-b``) and wget write, and libwww-perl's LWP format.  ``Set-Cookie`` and
``Cookie`` headers are parsed with http.cookies (Morsel attributes, including
SameSite and Max-Age; ``Partitioned``, which Morsel does not know yet, is
recognised and reported).  Values are masked in every view unless
``reveal=True``.  ``jar.would_send(url)`` says which cookies a request to
``url`` would carry, and for the others the policy's reason why not.
"""
from __future__ import annotations

import http.cookiejar as cj
import http.cookies as hc
import os
import time
import urllib.request
import warnings
from datetime import datetime, timezone

from ..transcript import MASK
from .errors import FetchError

__all__ = ["CookieJar", "parse_set_cookie", "parse_cookie_header"]

_NETSCAPE_MAGIC = ("# Netscape HTTP Cookie File", "# HTTP Cookie File")
_LWP_MAGIC = "#LWP-Cookies-2.0"
_COLUMNS = ["domain", "path", "name", "value", "expires", "secure", "httponly", "samesite"]


def parse_set_cookie(value: str) -> dict:
    """One ``Set-Cookie`` header value as a dict (http.cookies.SimpleCookie).

    Keys: name, value, and the Morsel attributes (domain, path, expires,
    max-age, secure, httponly, samesite, ...) plus ``partitioned``.
    """
    parts = [p.strip() for p in value.split(";")]
    extra_flags = {}
    kept = []
    for i, p in enumerate(parts):
        if i and "=" not in p and p.lower() not in hc.Morsel._reserved:
            extra_flags[p.lower()] = True  # Partitioned and future flags
        elif p:
            kept.append(p)
    c = hc.SimpleCookie()
    try:
        c.load("; ".join(kept))
    except hc.CookieError as e:
        raise FetchError(f"bad Set-Cookie header: {e}") from None
    if not c:
        name, _, val = kept[0].partition("=") if kept else ("", "", "")
        out = {"name": name.strip(), "value": val.strip()}
    else:
        name, morsel = next(iter(c.items()))
        out = {"name": name, "value": morsel.value}
        out.update({k: v for k, v in morsel.items() if v not in ("", None)})
    out.update(extra_flags)
    out.setdefault("partitioned", False)
    return out


def parse_cookie_header(value: str) -> dict:
    """A ``Cookie`` request header as {name: value} (http.cookies.SimpleCookie)."""
    c = hc.SimpleCookie()
    c.load(value)
    return {k: m.value for k, m in c.items()}


def _detect(path) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        head = f.read(200).lstrip()
    if head.startswith(_LWP_MAGIC):
        return "lwp"
    return "netscape"  # curl's files start with the magic; be lenient


def _load_netscape(target: cj.MozillaCookieJar, path, ignore_discard: bool, ignore_expires: bool) -> None:
    """MozillaCookieJar.load, but curl's session cookies (expires 0) stay
    session cookies instead of being dropped as expired in 1970."""
    import io

    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    fixed = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 7 and parts[4] == "0":
            parts[4] = ""
        fixed.append("\t".join(parts))
    if not fixed or not fixed[0].startswith(_NETSCAPE_MAGIC):
        fixed.insert(0, _NETSCAPE_MAGIC[0])
    target._really_load(io.StringIO("\n".join(fixed) + "\n"), os.fspath(path), ignore_discard, ignore_expires)


def _save_netscape(jar: cj.CookieJar, path, ignore_discard: bool, ignore_expires: bool) -> None:
    """The Netscape format as curl writes it: #HttpOnly_ prefix, 0 for session cookies."""
    now = time.time()
    out = ["# Netscape HTTP Cookie File", "# Written by netbook (http.cookiejar); curl -b reads it.", ""]
    for c in jar:
        if not ignore_discard and c.discard:
            continue
        if not ignore_expires and c.is_expired(now):
            continue
        sub = "TRUE" if c.domain.startswith(".") else "FALSE"
        prefix = "#HttpOnly_" if c.has_nonstandard_attr("HttpOnly") else ""
        value = "" if c.value is None else c.value
        out.append("\t".join([prefix + c.domain, sub, c.path, "TRUE" if c.secure else "FALSE",
                              str(int(c.expires)) if c.expires else "0", c.name, value]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


class CookieJar:
    """A cookie jar shared across fetches (``nb.fetch(url, cookies=jar)``,
    ``nb.Session(cookies=jar)``).

    ``CookieJar("cookies.txt")`` loads a curl/wget cookie file;
    ``jar.save("cookies.txt")`` writes one curl reads (``curl -b``).
    ``policy`` is an ``http.cookiejar.DefaultCookiePolicy`` (the default one
    unless given); ``jar.jar`` is the underlying ``http.cookiejar.CookieJar``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, policy: cj.CookiePolicy | None = None, format: str = "auto"):
        self.policy = policy or cj.DefaultCookiePolicy()
        self.jar = cj.CookieJar(self.policy)
        if path is not None and os.path.exists(path):
            self.load(path, format=format)

    # -- files -------------------------------------------------------------------
    def load(self, path, format: str = "auto", ignore_discard: bool = True, ignore_expires: bool = False) -> "CookieJar":
        """Add the cookies of a Netscape (curl/wget) or LWP cookie file."""
        fmt = _detect(path) if format == "auto" else format
        cls = {"netscape": cj.MozillaCookieJar, "mozilla": cj.MozillaCookieJar, "lwp": cj.LWPCookieJar}.get(fmt)
        if cls is None:
            raise FetchError(f"cookie file format {format!r}: use 'netscape' or 'lwp'")
        tmp = cls(policy=self.policy)
        try:
            with warnings.catch_warnings():  # http.cookiejar warns "bug!" before raising LoadError on bad lines
                warnings.simplefilter("ignore")
                self._load_into(tmp, cls, path, ignore_discard, ignore_expires)
        except (cj.LoadError, OSError) as e:
            raise FetchError(f"cannot read cookie file {path}: {e}") from None
        for c in tmp:
            self.jar.set_cookie(c)
        return self

    @staticmethod
    def _load_into(tmp, cls, path, ignore_discard, ignore_expires):
        if cls is cj.MozillaCookieJar:
            _load_netscape(tmp, path, ignore_discard, ignore_expires)
        else:
            tmp.load(os.fspath(path), ignore_discard=ignore_discard, ignore_expires=ignore_expires)

    def save(self, path, format: str = "netscape", ignore_discard: bool = True, ignore_expires: bool = False) -> None:
        """Write the cookies in Netscape format (what ``curl -b FILE`` reads) or LWP."""
        if format in ("netscape", "mozilla"):
            _save_netscape(self.jar, path, ignore_discard, ignore_expires)
            return
        if format != "lwp":
            raise FetchError(f"cookie file format {format!r}: use 'netscape' or 'lwp'")
        tmp = cj.LWPCookieJar(os.fspath(path), policy=self.policy)
        for c in self.jar:
            tmp.set_cookie(c)
        tmp.save(ignore_discard=ignore_discard, ignore_expires=ignore_expires)

    # -- cookies -----------------------------------------------------------------
    def set(self, name: str, value: str, domain: str, path: str = "/", *, secure: bool = False,
            httponly: bool = False, expires: float | None = None, samesite: str | None = None) -> None:
        """Put one cookie in the jar (``domain`` like ``"example.com"`` or ``".example.com"``)."""
        rest = {}
        if httponly:
            rest["HttpOnly"] = None
        if samesite:
            rest["SameSite"] = samesite
        dot = domain.startswith(".")
        c = cj.Cookie(0, name, value, None, False, domain, dot, dot, path, True, secure,
                      int(expires) if expires else None, expires is None, None, None, rest)
        self.jar.set_cookie(c)

    def get(self, name: str, domain: str | None = None, default=None):
        for c in self.jar:
            if c.name == name and (domain is None or c.domain.lstrip(".") == domain.lstrip(".")):
                return c.value
        return default

    def clear(self, domain: str | None = None) -> None:
        self.jar.clear(domain) if domain else self.jar.clear()

    def __iter__(self):
        return iter(self.jar)

    def __len__(self) -> int:
        return len(self.jar)

    def __contains__(self, name) -> bool:
        return any(c.name == name for c in self.jar)

    # -- which cookies go where --------------------------------------------------
    def cookie_header(self, url: str) -> str:
        """The ``Cookie`` header a request to ``url`` would carry ('' if none)."""
        req = urllib.request.Request(url)
        self.jar.add_cookie_header(req)
        return req.get_header("Cookie", "") or req.unredirected_hdrs.get("Cookie", "")

    def would_send(self, url: str, reveal: bool = False):
        """Every cookie with ``sent`` (bool) and the policy's ``reason`` when not."""
        import pandas as pd

        req = urllib.request.Request(url)
        p = self.policy
        self.jar._policy._now = self.jar._now = int(time.time())
        rows = []
        for c in self.jar:
            reason = ""
            if not p.domain_return_ok(c.domain, req) or not p.return_ok_domain(c, req):
                reason = f"domain {c.domain} does not match {req.host}"
            elif not p.path_return_ok(c.path, req):
                reason = f"path {c.path} is not a prefix of the URL path"
            elif not p.return_ok_secure(c, req):
                reason = "Secure cookie, URL is not https"
            elif not p.return_ok_expires(c, req):
                reason = "expired"
            elif not p.return_ok_port(c, req):
                reason = f"port {c.port} not allowed"
            elif not p.return_ok_version(c, req) or not p.return_ok_verifiability(c, req):
                reason = "refused by the cookie policy"
            rows.append(self._row(c, reveal) + [not reason, reason])
        return pd.DataFrame(rows, columns=_COLUMNS + ["sent", "reason"])

    # -- presenting --------------------------------------------------------------
    @staticmethod
    def _row(c: cj.Cookie, reveal: bool) -> list:
        rest = {k.lower(): v for k, v in getattr(c, "_rest", {}).items()}
        expires = datetime.fromtimestamp(c.expires, timezone.utc) if c.expires else None
        return [c.domain, c.path, c.name, c.value if reveal else MASK, expires, bool(c.secure),
                "httponly" in rest, rest.get("samesite") or ""]

    def to_frame(self, reveal: bool = False):
        import pandas as pd

        df = pd.DataFrame([self._row(c, reveal) for c in self.jar], columns=_COLUMNS)
        df["expires"] = pd.to_datetime(df["expires"], utc=True)
        return df

    def table(self, reveal: bool = False):
        from ..table import Table

        return Table(self.to_frame(reveal), title=f"cookie jar ({len(self)} cookies)")

    def __repr__(self) -> str:
        names = ", ".join(f"{c.name}@{c.domain}{c.path}" for c in self.jar)
        return f"<CookieJar {len(self)} cookies{': ' + names if names else ''}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.table()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        return bundle
