"""Which proxy a request goes through, decided the way curl decides.

``select_proxy(url, proxy=None, no_proxy=None)`` gives a :class:`Proxy` or
None (a direct connection):

- ``proxy=False`` or ``""``: never a proxy (curl ``--proxy ""``);
- ``proxy="http://user:pass@host:port"`` (or a ``{"http": ..., "https": ...}``
  dict): that proxy, whatever the environment says (curl ``-x``);
- otherwise the environment, as curl 7.88 reads it: ``http_proxy`` for
  http URLs (lower case only: the upper-case ``HTTP_PROXY`` is ignored, as
  curl and CGI-safe clients do, since a CGI request's ``Proxy:`` header
  arrives as ``HTTP_PROXY``; "httpoxy"), ``https_proxy`` / ``HTTPS_PROXY``
  for https URLs, then ``all_proxy`` / ``ALL_PROXY``; an empty variable
  counts as unset.

``no_proxy=`` (curl ``--noproxy``; a string or a list) or else the
``no_proxy`` / ``NO_PROXY`` variable lists hosts that go direct, even with an
explicit ``proxy=`` (curl does the same): ``*`` alone matches every host; a
name matches itself and its subdomains (``example.com`` matches
``www.example.com``, not ``notexample.com``; leading and trailing dots are
ignored); an IP address matches an IP-literal host exactly, ``a.b.c.d/n``
and ``v6::/n`` as CIDR ranges (names are never resolved for this).  Entries
are separated by commas and/or blanks.

A proxy URL without a scheme is ``http://``; without a port, 1080 (curl's
default).  Credentials in it become ``Proxy-Authorization: Basic`` and are
never shown: ``Proxy.url`` masks the password.  A CR, LF or other control
character in a proxy URL is refused (:class:`~netbook.errors.InjectionError`).
"""
from __future__ import annotations

import base64
import ipaddress
import os
import re
import urllib.parse
from dataclasses import dataclass, field

from ..errors import InjectionError, ProxyError
from ..transcript import MASK

__all__ = ["Proxy", "ProxyError", "select_proxy", "parse_proxy", "no_proxy_match", "env_proxies"]

DEFAULT_PROXY_PORT = 1080  # curl's default when the proxy URL names no port
_CTRL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy: where it is, its credentials (never shown), and where the setting came from."""

    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    source: str = "proxy="

    @property
    def hostport(self) -> str:
        h = f"[{self.host}]" if ":" in self.host else self.host
        return f"{h}:{self.port}"

    @property
    def url(self) -> str:
        """``http://user:••••@host:port`` — the password is always masked."""
        cred = ""
        if self.user or self.password:
            cred = urllib.parse.quote(self.user, safe="") + (":" + MASK if self.password else "") + "@"
        return f"http://{cred}{self.hostport}"

    def authorization(self) -> str | None:
        """The ``Proxy-Authorization`` value (Basic, sent up front as curl does), or None."""
        if not (self.user or self.password):
            return None
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")

    def secret_tokens(self) -> list[bytes]:
        """Byte strings that must never be shown (for scrubbing transcripts)."""
        auth = self.authorization()
        return [t.encode("latin-1", "replace") for t in (auth.split(" ", 1)[1] if auth else "", self.password) if t]

    def __str__(self) -> str:
        return f"{self.url} (from {self.source})"

    def __repr__(self) -> str:
        return f"<Proxy {self}>"


def parse_proxy(value: str, source: str = "proxy=") -> Proxy:
    """A :class:`Proxy` from ``[http://][user:password@]host[:port]``."""
    if not isinstance(value, str):
        raise ProxyError(f"{source}: a proxy is a URL string, not {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise InjectionError(f"{source}: a CR or LF in a proxy URL is refused")
    if _CTRL.search(value.strip()):
        raise InjectionError(f"{source}: control characters or blanks in a proxy URL are refused")
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urllib.parse.urlsplit(text)
    scheme = parts.scheme.lower()
    masked = _masked(text)
    if scheme in ("socks4", "socks4a", "socks5", "socks5h", "socks"):
        raise ProxyError(f"{source}={masked}: SOCKS proxies are not supported (nb.fetch speaks HTTP proxies; "
                         "proxy=False or no_proxy= to go direct)")
    if scheme == "https":
        raise ProxyError(f"{source}={masked}: TLS to the proxy itself (https:// proxy) is not supported; "
                         "use an http:// proxy (HTTPS still goes end to end through CONNECT)")
    if scheme != "http":
        raise ProxyError(f"{source}={masked}: unsupported proxy scheme {scheme!r} (http:// proxies)")
    try:
        port = parts.port
    except ValueError:
        raise ProxyError(f"{source}={masked}: bad port") from None
    host = parts.hostname or ""
    if not host:
        raise ProxyError(f"{source}={masked}: no proxy host")
    return Proxy(host=host, port=port or DEFAULT_PROXY_PORT, user=urllib.parse.unquote(parts.username or ""),
                 password=urllib.parse.unquote(parts.password or ""), source=source)


def _masked(text: str) -> str:
    from ..transcript import redact_line

    return redact_line(text)


def _env(name: str, env) -> str:
    return (env.get(name) or "").strip()


def env_proxies(env=None) -> dict:
    """The proxy variables curl would read, as ``{name: masked value}`` (for showing)."""
    env = os.environ if env is None else env
    names = ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")
    return {n: _masked(env[n]) for n in names if env.get(n)}


def _from_env(scheme: str, env) -> tuple[str, str] | None:
    names = {"http": ("http_proxy",), "https": ("https_proxy", "HTTPS_PROXY")}.get(scheme, ())
    for n in (*names, "all_proxy", "ALL_PROXY"):
        v = _env(n, env)
        if v:
            return n, v
    return None


def _no_proxy_list(no_proxy, env) -> str:
    if no_proxy is not None:
        return ",".join(no_proxy) if isinstance(no_proxy, (list, tuple, set)) else str(no_proxy)
    return _env("no_proxy", env) or _env("NO_PROXY", env)


def no_proxy_match(host: str, no_proxy: str) -> bool:
    """True if ``host`` (a URL's host: a name, an IPv4 address or an IPv6
    address, bracketed or not) is listed in ``no_proxy`` (curl's rules)."""
    if not host or not no_proxy:
        return False
    if no_proxy.strip() == "*":
        return True
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        ip = None
    if ip is None:
        name = name.rstrip(".").lower() if name.endswith(".") else name.lower()
    for token in re.split(r"[,\s]+", no_proxy):
        if not token:
            continue
        if ip is None:
            t = token.rstrip(".") if token.endswith(".") else token
            t = t[1:] if t.startswith(".") else t
            t = t.lower()
            if t and (name == t or name.endswith("." + t)):
                return True
        else:
            addr, _, bits = token.partition("/")
            try:
                net_ip = ipaddress.ip_address(addr.strip("[]"))
            except ValueError:
                continue
            if net_ip.version != ip.version:
                continue
            n = int(bits) if bits.isdigit() else 0
            # curl: no bits (or /0) compares the whole address
            n = net_ip.max_prefixlen if n == 0 else n
            if n > net_ip.max_prefixlen:
                continue
            net = ipaddress.ip_network(f"{net_ip}/{n}", strict=False)
            if ip in net:
                return True
    return False


def select_proxy(url: str, proxy=None, no_proxy=None, env=None) -> Proxy | None:
    """The proxy for ``url`` (None: direct).  See the module's documentation."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or proxy is False or proxy == "":
        return None
    env = os.environ if env is None else env
    if isinstance(proxy, Proxy):
        chosen = proxy
    elif isinstance(proxy, dict):
        value = proxy.get(scheme) or proxy.get("all")
        if not value:
            return None
        chosen = value if isinstance(value, Proxy) else parse_proxy(value, f"proxy[{scheme!r}]")
    elif proxy is not None and proxy is not True:
        chosen = parse_proxy(proxy, "proxy=")
    else:
        found = _from_env(scheme, env)
        if found is None:
            return None
        chosen = parse_proxy(found[1], found[0])
    if no_proxy_match(parts.hostname or "", _no_proxy_list(no_proxy, env)):
        return None
    return chosen


def scrub_transcript(transcript, proxy: Proxy | None) -> None:
    """Overwrite the proxy's credentials in a transcript's stored bytes, so
    not even ``reveal=True`` shows them (the length is kept)."""
    if proxy is None or transcript is None:
        return
    tokens = proxy.secret_tokens()
    if not tokens:
        return
    with transcript._lock:
        for e in transcript.entries:
            data = e.data
            for t in tokens:
                if t in data:
                    data = data.replace(t, b"*" * len(t))
            e.data = data


def check_proxy_arg(proxy, what: str = "proxy") -> None:
    """Refuse CR/LF early for an explicit proxy argument (string or dict)."""
    values = proxy.values() if isinstance(proxy, dict) else [proxy]
    for v in values:
        if isinstance(v, str) and ("\r" in v or "\n" in v):
            raise InjectionError(f"{what}: a CR or LF in a proxy URL is refused")
