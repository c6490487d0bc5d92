"""``nb.fetch``: urllib.request's OpenerDirector and handlers, observed.

The standard library speaks HTTP here: redirects (HTTPRedirectHandler), Basic
and Digest auth (HTTPPasswordMgrWithPriorAuth), proxies with auth, cookies
(HTTPCookieProcessor), http, https, file:, data:, ftp:.  netbook adds what a
notebook needs around it: every connection goes through a traced socket (the
transcript), connect/send/wait are timed per hop (HAR 1.2 timings), redirect
hops are recorded, bodies are bounded (``max_bytes``, also after gzip), and an
HTTP error status comes back as a Response instead of an exception.

Proxies are chosen per hop the way curl chooses them (``proxies.py``:
``proxy=``, ``http_proxy`` / ``https_proxy`` / ``all_proxy``, ``no_proxy``);
HTTPS goes through an HTTP proxy with CONNECT, end to end encrypted.
"""
from __future__ import annotations

import http.client
import json as _json
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from ..errors import InjectionError
from ..interpolate import check_line
from ..openers import REQUEST_SCHEMES, Opened, opener_for, schemes
from ..transcript import MASK, Transcript, trace_socket
from .cookies import CookieJar
from .exchange import _Exchange, _exchange, _local, note_request  # noqa: F401 - note_request: transports' entry
from .errors import BodyTooLarge, ConnectionFailed, FetchError, FetchTimeout, TLSError, UnsupportedURL
from .headers import Headers
from .pool import ConnectionPool
from .proxies import Proxy, ProxyError, check_proxy_arg, parse_proxy, scrub_transcript, select_proxy
from .response import Hop, Response
from .rules import DEFAULT_MAX_BYTES, REDIRECT_CODES, USER_AGENT, redirect_headers, redirect_method, tls_context

__all__ = ["fetch", "request", "build_request", "DEFAULT_MAX_BYTES", "USER_AGENT"]


def _ms(a, b) -> float:
    return round((b - a) * 1000, 3)


def _open_socket(conn, ex: _Exchange | None):
    """DNS then TCP connect, each timed (like curl's namelookup / connect)."""
    t = ex.current if ex else {}
    timeout = conn.timeout if conn.timeout is not socket._GLOBAL_DEFAULT_TIMEOUT else None
    proxy = t.get("proxy") if t else None
    t0 = time.perf_counter()
    try:
        infos = socket.getaddrinfo(conn.host, conn.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as e:
        if proxy:
            raise ProxyError(f"cannot resolve proxy host {conn.host!r} ({proxy}): {e.strerror or e}") from e
        raise ConnectionFailed(f"cannot resolve host {conn.host!r}: {e.strerror or e}") from e
    t1 = time.perf_counter()
    last = None
    sock = None
    for af, st, proto, _, addr in infos:
        s = socket.socket(af, st, proto)
        try:
            s.settimeout(timeout)
            if conn.source_address:
                s.bind(conn.source_address)
            s.connect(addr)
            sock = s
            break
        except OSError as e:
            last = e
            s.close()
    if sock is None:
        if proxy and isinstance(last, OSError) and not isinstance(last, (socket.timeout, TimeoutError)):
            raise ProxyError(f"cannot connect to proxy {proxy}: {last.strerror or last}")
        raise last or OSError("no address")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t2 = time.perf_counter()
    conn._nb_server_ip = sock.getpeername()[0]
    if t:
        t["dns"], t["connect"], t["conn_end"] = _ms(t0, t1), _ms(t1, t2), t2
        t["server_ip"] = conn._nb_server_ip
    return sock


class _TimedMixin:
    """Times send (request written) and wait (until the status line and
    headers arrived) of http.client connections."""

    def request(self, method, url, body=None, headers={}, *, encode_chunked=False):  # noqa: B006 - http.client's signature
        ex = _exchange()
        t_start = time.perf_counter()
        super().request(method, url, body, headers, encode_chunked=encode_chunked)
        if ex:
            c = ex.current
            begin = max(t_start, c.get("conn_end") or t_start)
            c["send"] = _ms(begin, time.perf_counter())
            c["sent_at"] = time.perf_counter()

    def getresponse(self):
        ex = _exchange()
        r = super().getresponse()
        if ex:
            c = ex.current
            c["wait"] = _ms(c.get("sent_at", c["start"]), time.perf_counter())
            c["head_at"] = time.perf_counter()
        return r


def _tunnel(conn, ex) -> None:
    """CONNECT through the proxy (http.client's own ``_tunnel``), timed as
    part of connect; a refusal is one clear ProxyError."""
    t0 = time.perf_counter()
    try:
        conn._tunnel()
    except OSError as e:
        proxy = ex.current.get("proxy") if ex else None
        msg = str(e).replace("Tunnel connection failed: ", "")
        raise ProxyError(f"proxy {proxy.url if proxy else conn.host} refused CONNECT "
                         f"{conn._tunnel_host}:{conn._tunnel_port}: {msg}") from e
    if ex:
        c = ex.current
        c["connect"] = round(max(0.0, c.get("connect", 0.0)) + _ms(t0, time.perf_counter()), 3)
        c["conn_end"] = time.perf_counter()


class TracedHTTPConnection(_TimedMixin, http.client.HTTPConnection):
    def connect(self):
        ex = _exchange()
        sock = _open_socket(self, ex)
        self.sock = trace_socket(sock, ex.transcript) if ex else sock
        if self._tunnel_host:
            _tunnel(self, ex)


class TracedHTTPSConnection(_TimedMixin, http.client.HTTPSConnection):
    def connect(self):
        ex = _exchange()
        raw = _open_socket(self, ex)
        if self._tunnel_host:
            self.sock = trace_socket(raw, ex.transcript) if ex else raw
            _tunnel(self, ex)
        host = self._tunnel_host or self.host
        t0 = time.perf_counter()
        try:
            tls = self._context.wrap_socket(raw, server_hostname=host)
        except ssl.SSLError as e:
            raw.close()
            raise TLSError(f"TLS handshake with {host} failed: {getattr(e, 'verify_message', None) or e.reason or e}") from e
        if ex:
            ex.current["ssl"] = _ms(t0, time.perf_counter())
            ex.current["conn_end"] = time.perf_counter()
            ex.current["tls_version"] = tls.version()
        self.sock = trace_socket(tls, ex.transcript) if ex else tls


def _on_reuse(conn) -> None:
    """A Session's kept-alive connection carries this fetch's request: record
    it in this fetch's transcript (no DNS, connect or TLS time: HAR's -1)."""
    ex = _exchange()
    if ex:
        conn.sock = trace_socket(conn.sock, ex.transcript)
        ex.current["server_ip"] = getattr(conn, "_nb_server_ip", "")
        ex.current["reused"] = True


class _Proxies:
    """Decides each hop's proxy (curl's rules, ``proxies.select_proxy``) and
    points the urllib Request at it: absolute-form request line for http,
    CONNECT for https.  The environment is read once per fetch."""

    def __init__(self, proxy=None, no_proxy=None):
        self.proxy = proxy
        self.no_proxy = no_proxy
        self.env = dict(os.environ)

    def apply(self, req) -> Proxy | None:
        if getattr(req, "_nb_proxy_done", False):  # the same Request re-opened (auth retry)
            p = req._nb_proxy
        else:
            p = select_proxy(req.full_url, self.proxy, self.no_proxy, self.env)
            req._nb_proxy_done, req._nb_proxy = True, p
            if p is not None:
                auth = p.authorization()
                if auth:
                    req.add_unredirected_header("Proxy-Authorization", auth)
                req.set_proxy(p.hostport, "http")
        ex = _exchange()
        if ex:
            ex.current["proxy"] = p
            if p is not None:
                if p not in ex.proxies:
                    ex.proxies.append(p)
                if " via " not in ex.transcript.title:
                    ex.transcript.title += f" via proxy {p.url}"
        return p


class _HTTPHandler(urllib.request.HTTPHandler):
    proxies: _Proxies | None = None
    pool: ConnectionPool | None = None  # a Session's kept-alive connections

    def http_open(self, req):
        if self.proxies is not None:
            self.proxies.apply(req)
        note_request(req)
        if self.pool is not None:
            return self.pool.open(TracedHTTPConnection, req, _on_reuse)
        return self.do_open(TracedHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    proxies: _Proxies | None = None
    pool: ConnectionPool | None = None

    def https_open(self, req):
        if self.proxies is not None:
            self.proxies.apply(req)
        note_request(req)
        if self.pool is not None:
            return self.pool.open(TracedHTTPSConnection, req, _on_reuse, context=self._context)
        return self.do_open(TracedHTTPSConnection, req, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Records every hop; follows only when asked."""

    def __init__(self, follow: bool, max_redirects: int = 10):
        self.follow = follow
        self.max_redirections = max_redirects

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        ex = _exchange()
        if ex:
            ex.hops.append(_hop(ex, req, fp, code, msg, headers, location=newurl))
        if not self.follow:
            return None
        new = _next_hop(req, int(code), newurl.replace(" ", "%20"))
        if new is not None and ex:
            ex.begin()
        return new


def _next_hop(req, code: int, newurl: str):
    """The request after a redirect, by the shared rules (``rules.py``): the
    method (303 -> GET; 301/302 POST -> GET; 307/308 keep method and body)
    and the caller's headers, credentials only while the origin stays."""
    if code not in REDIRECT_CODES:
        return None
    method = req.get_method()
    new_method = redirect_method(method, code)
    keep_body = new_method == method and code in (307, 308)
    hdrs = redirect_headers(req.headers, req.full_url, newurl, body_dropped=not keep_body)
    return urllib.request.Request(newurl, data=req.data if keep_body else None, headers=dict(hdrs),
                                  origin_req_host=req.origin_req_host, unverifiable=True, method=new_method)


class _ErrorsAreResponses(urllib.request.BaseHandler):
    """An HTTP error status is a Response to look at, not an exception."""

    handler_order = 1000  # after the auth and redirect handlers

    def http_error_default(self, req, fp, code, msg, hdrs):
        return fp


def _request_headers(req) -> Headers:
    """What the origin was sent; the proxy's credentials are never kept (masked
    for a plain-http proxy, which saw them; left out behind CONNECT, where
    only the tunnel request carried them)."""
    out = []
    tunneled = bool(getattr(req, "_tunnel_host", None))
    for k, v in {**req.headers, **req.unredirected_hdrs}.items():
        k = k.title()
        if k == "Proxy-Authorization":
            if tunneled:
                continue
            v = v.split(" ", 1)[0] + " " + MASK
        out.append((k, v))
    return Headers(out)


def _hop(ex, req, fp, code, msg, headers, location=None) -> Hop:
    c = ex.current
    proxy = c.get("proxy")
    return Hop(
        method=req.get_method(), url=req.full_url, status=int(code), reason=str(msg or ""),
        headers=Headers(headers.items() if headers is not None else ()),
        request_headers=_request_headers(req),
        location=location, timings=_timings(c), started=c.get("started"),
        version=_version(getattr(fp, "version", 11)), server_ip=c.get("server_ip", ""),
        proxy=proxy.url if proxy is not None else "",
    )


def _timings(c: dict) -> dict:
    return {"blocked": -1.0, "dns": c.get("dns", -1.0), "connect": c.get("connect", -1.0),
            "ssl": c.get("ssl", -1.0), "send": c.get("send", 0.0), "wait": c.get("wait", 0.0),
            "receive": c.get("receive", 0.0)}


def _version(v) -> str:
    return {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1"}.get(v, "HTTP/1.1")


def build_request(url: str, *, method=None, headers=None, params=None, data=None, json=None) -> urllib.request.Request:
    """A urllib.request.Request from fetch's arguments (CR/LF refused)."""
    check_line(url, "URL")
    if params:
        items = params.items() if hasattr(params, "items") else params
        sep = "&" if urllib.parse.urlsplit(url).query else "?"
        url = url + sep + urllib.parse.urlencode(list(items), doseq=True)
    hdrs = {}
    body = None
    if json is not None:
        body = _json.dumps(json).encode()
        hdrs["Content-Type"] = "application/json"
        hdrs["Accept"] = "application/json"
    elif data is not None:
        if isinstance(data, (dict, list, tuple)):
            body = urllib.parse.urlencode(list(data.items()) if isinstance(data, dict) else list(data), doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif isinstance(data, str):
            body = data.encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = bytes(data)
    for k, v in (headers.items() if hasattr(headers, "items") else headers or ()):
        check_line(str(k), f"header name {k!r}")
        check_line(str(v), f"header {k}")
        if not k or any(ch in str(k) for ch in " :\t"):
            raise FetchError(f"bad header name {k!r}")
        hdrs[str(k)] = str(v)
    hdrs.setdefault("User-Agent", USER_AGENT)
    hdrs.setdefault("Accept-Encoding", "gzip, deflate")
    req = urllib.request.Request(url, data=body, headers=hdrs, method=method.upper() if method else None)
    return req


def _decode_body(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity"):
        return raw
    if enc not in ("gzip", "x-gzip", "deflate"):
        return raw
    wbits = 16 + zlib.MAX_WBITS if "gzip" in enc else zlib.MAX_WBITS
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(raw, max_bytes + 1)
    except zlib.error:
        if enc == "deflate":  # raw deflate without zlib header, as some servers send
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            out = d.decompress(raw, max_bytes + 1)
        else:
            raise FetchError("the gzip body is corrupt") from None
    if len(out) > max_bytes:
        raise BodyTooLarge(f"the decompressed body is larger than max_bytes={max_bytes:,}")
    return out


def _read_body(fp, max_bytes: int) -> bytes:
    chunks = []
    n = 0
    while True:
        chunk = fp.read(min(1 << 16, max_bytes + 1 - n)) if n <= max_bytes else b""
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
        if n > max_bytes:
            fp.close()
            raise BodyTooLarge(f"the body is larger than max_bytes={max_bytes:,} (pass max_bytes= to allow more)")
    return b"".join(chunks)


def _network_error(e: BaseException, url: str, timeout) -> Exception:
    reason = getattr(e, "reason", e)
    if isinstance(reason, (FetchError, ConnectionFailed, TLSError, FetchTimeout)):
        return reason
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return FetchTimeout(f"no answer from {url} within {timeout} s (timeout=)")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return TLSError(f"TLS certificate of {url} not trusted: {reason.verify_message} (verify=False skips the check)")
    if isinstance(reason, ssl.SSLError):
        return TLSError(f"TLS failed for {url}: {reason.reason or reason}")
    if isinstance(reason, ConnectionRefusedError):
        return ConnectionFailed(f"connection refused: {url}")
    if isinstance(reason, ConnectionResetError):
        return ConnectionFailed(f"connection reset by peer: {url}")
    if isinstance(reason, socket.gaierror):
        return ConnectionFailed(f"cannot resolve host of {url}: {reason.strerror or reason}")
    if isinstance(reason, http.client.RemoteDisconnected):
        return ConnectionFailed(f"the server closed the connection without answering: {url}")
    if isinstance(reason, http.client.HTTPException):
        return FetchError(f"bad HTTP from {url}: {type(reason).__name__}: {reason}")
    if isinstance(reason, OSError):
        return ConnectionFailed(f"{url}: {reason.strerror or reason}")
    return FetchError(f"{url}: {reason}")


def fetch(url: str, method: str | None = None, *, headers=None, params=None, data=None, json=None,
          auth=None, cookies=None, timeout: float | None = 30, follow_redirects: bool = True,
          verify: bool | str | ssl.SSLContext = True, proxy: str | dict | bool | None = None,
          no_proxy: str | list | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES, max_redirects: int = 10, app=None,
          auth_prior: bool = False, transcript_bytes: int = 256 << 10,
          _pool: ConnectionPool | None = None) -> Response | Opened:
    """Fetch ``url`` and return a :class:`Response` (any status) for http,
    https, file, data and ftp files; for the other schemes (imap, pop, ftp
    directories, ftps, nntp/news, telnet) what ``nb.open(url)`` returns, the
    scheme's own view (see :mod:`netbook.openers`), given ``auth``,
    ``timeout`` and ``verify``.

    ``auth=(user, password)`` answers Basic or Digest challenges
    (``auth_prior=True`` sends Basic up front, like ``curl -u``);
    ``cookies`` is an ``nb.CookieJar`` (kept and updated) or a dict;
    ``verify=False`` skips TLS verification, a path names a CA file;
    ``proxy="http://user:pass@host:port"`` (default: ``http_proxy`` /
    ``https_proxy`` / ``all_proxy`` from the environment, as curl reads them;
    ``proxy=False`` ignores them); ``no_proxy="localhost,10.0.0.0/8"`` lists
    hosts that go direct (default: the ``no_proxy`` variable; ``"*"`` for
    all); ``Response.proxy`` names the proxy used; ``max_bytes`` bounds the body
    (also after decompression); ``app=wsgi_app`` calls a WSGI app in-process
    (no socket).  Network failures raise one clear ``NetworkError``.
    """
    scheme = urllib.parse.urlsplit(url).scheme.lower() if isinstance(url, str) else ""
    opener = opener_for(url)  # mail, FTP directories, news, telnet: the scheme -> opener table (netbook.openers)
    if opener is not None:
        return opener(url, **opener.fetch_options(auth, timeout=timeout, verify=verify))
    if not isinstance(url, str) or not scheme:
        raise UnsupportedURL(f"not a URL: {url!r} (expected scheme://...)")
    if scheme not in REQUEST_SCHEMES:
        raise UnsupportedURL(f"no handler for {scheme}: URLs ({', '.join(schemes())})")
    if scheme in ("http", "https"):
        parts = urllib.parse.urlsplit(url)
        if "@" in parts.netloc:  # http://user:pass@host/ -> auth, like curl; never kept in the URL
            userinfo, _, hostport = parts.netloc.rpartition("@")
            user, _, password = userinfo.partition(":")
            url = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
            if auth is None:
                auth, auth_prior = (urllib.parse.unquote(user), urllib.parse.unquote(password)), True
    req = build_request(url, method=method, headers=headers, params=params, data=data, json=json)
    check_proxy_arg(proxy)
    if isinstance(proxy, str) and proxy:
        parse_proxy(proxy)  # a bad explicit proxy is refused before anything is sent
    if isinstance(no_proxy, str):
        check_line(no_proxy, "no_proxy")
    if auth is not None and not (isinstance(auth, (tuple, list)) and len(auth) == 2):
        raise FetchError("auth must be (user, password)")
    jar = CookieJar()  # a fresh jar still carries cookies across this fetch's redirects
    if isinstance(cookies, CookieJar):
        jar = cookies
    elif cookies:
        host = urllib.parse.urlsplit(req.full_url).hostname or ""
        for k, v in dict(cookies).items():
            check_line(f"{k}={v}", "cookie")
            jar.set(str(k), str(v), host)
    auth_origin = ""
    if auth is not None:  # the whole origin (every path, redirects within it); never another host
        o = urllib.parse.urlsplit(req.full_url)
        auth_origin = f"{o.scheme}://{o.netloc}/"
    ctx = tls_context(verify) if app is None else None
    key = None  # a Session builds each opener once per set of options (add_handler costs ~1 ms)
    if _pool is not None and app is None:
        key = (ctx, follow_redirects, max_redirects, _hashable(proxy), _hashable(no_proxy), _proxy_env(), jar.jar,
               tuple(map(str, auth)) if auth is not None else None, auth_prior, auth_origin)
    opener = _pool.openers.get(key) if key is not None else None
    if opener is None:
        opener = _build_opener(app, ctx, proxy, no_proxy, _pool, follow_redirects, max_redirects, jar,
                               auth, auth_prior, auth_origin)
        if key is not None:
            if len(_pool.openers) >= 16:
                _pool.openers.clear()
            _pool.openers[key] = opener

    tr = Transcript(title=f"{req.get_method()} {_mask_url(req.full_url)}", max_bytes=transcript_bytes)
    ex = _Exchange(tr)
    ex.begin()
    prev = _exchange()
    _local.exchange = ex
    t0 = time.perf_counter()
    try:
        try:
            fp = opener.open(req, timeout=timeout)
        except urllib.error.HTTPError as e:  # digest retries exhausted and similar
            if e.fp is None:
                e.fp = _EmptyBody()
            fp = e  # urllib may have consumed the body already (e.g. "digest auth failed")
        t_head = time.perf_counter()
        try:
            raw = _read_body(fp, max_bytes)
        finally:
            fp.close()
        t_end = time.perf_counter()
    except (FetchError, ConnectionFailed, TLSError, FetchTimeout, InjectionError):
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        if isinstance(e, ValueError) and not isinstance(e, UnicodeError) and "header" not in str(e).lower():
            raise FetchError(f"{_mask_url(url)}: {e}") from e
        raise _network_error(e, _mask_url(url), timeout) from e
    finally:
        _local.exchange = prev
        for p in ex.proxies:
            scrub_transcript(tr, p)
    c = ex.current
    c["receive"] = _ms(c.get("head_at", t_head), t_end)
    fp_headers = fp.headers if getattr(fp, "headers", None) is not None else fp.info()
    resp_headers = Headers(fp_headers.items() if fp_headers is not None else ())
    declared = resp_headers.get("content-length", "")
    truncated = (scheme in ("http", "https") and declared.isdigit() and len(raw) < int(declared)
                 and not isinstance(fp, urllib.error.HTTPError) and req.get_method() != "HEAD"
                 and int(status_of(fp)) not in (204, 304) and "chunked" not in resp_headers.get("transfer-encoding", ""))
    if truncated:
        raise FetchError(f"bad HTTP from {_mask_url(url)}: the body ended after {len(raw):,} of its "
                         f"Content-Length {int(declared):,} bytes (connection closed early)")
    content = _decode_body(raw, resp_headers.get("content-encoding", ""), max_bytes) if scheme in ("http", "https") else raw
    status = status_of(fp)
    final_url = fp.geturl() if hasattr(fp, "geturl") else req.full_url
    last_req = ex.last_req or req
    last = _hop(ex, last_req, fp, status, getattr(fp, "reason", "") or "",
                fp_headers, location=None)
    last.url = final_url
    return Response(
        url=final_url, requested_url=req.full_url, method=req.get_method(), status=status,
        reason=getattr(fp, "reason", None) or "", version=_version(getattr(fp, "version", 11)) if scheme.startswith("http") else "",
        headers=resp_headers, content=content, raw_size=len(raw), history=ex.hops, final_hop=last,
        request_headers=last.request_headers, request_body=last_req.data,
        transcript=tr, elapsed=t_end - t0, timings=_timings(c), started=c.get("started"), cookie_jar=jar,
        proxy=last.proxy,
    )


def _build_opener(app, ctx, proxy, no_proxy, pool, follow_redirects, max_redirects, jar, auth, auth_prior,
                  auth_origin) -> urllib.request.OpenerDirector:
    if app is not None:
        from .wsgi_handler import WSGIHandler

        transport = [WSGIHandler(app)]
    else:
        chooser = _Proxies(proxy, no_proxy)
        transport = [_HTTPHandler(), _HTTPSHandler(context=ctx)]
        for h in transport:
            h.proxies, h.pool = chooser, pool
    handlers = transport + [_Redirects(follow_redirects, max_redirects), _ErrorsAreResponses(),
                            urllib.request.FileHandler(), urllib.request.DataHandler(), urllib.request.FTPHandler()]
    handlers.append(urllib.request.ProxyHandler({}))  # urllib's own env proxies: off (ours follow curl's rules)
    handlers.append(urllib.request.HTTPCookieProcessor(jar.jar))
    if auth is not None:
        mgr = _OriginPasswords()
        mgr.add_password(None, auth_origin, str(auth[0]), str(auth[1]), is_authenticated=auth_prior)
        handlers += [urllib.request.HTTPBasicAuthHandler(mgr), urllib.request.HTTPDigestAuthHandler(mgr)]
    opener = urllib.request.OpenerDirector()
    for h in handlers:
        opener.add_handler(h)
    for h in (urllib.request.UnknownHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(h)
    return opener


class _OriginPasswords(urllib.request.HTTPPasswordMgrWithPriorAuth):
    """urllib's manager marks every URL that answered 2xx as authenticated,
    even one of another origin it has no password for; the next request there
    then carries ``Authorization: Basic None:None`` (seen through a Session's
    reused opener, after a redirect to another origin).  Here only URLs with a
    password count."""

    def add_password(self, realm, uri, user, passwd, is_authenticated=False):
        super().add_password(realm, uri, user, passwd, is_authenticated)
        urllib.request.HTTPPasswordMgrWithPriorAuth.update_authenticated(self, uri, is_authenticated)

    def update_authenticated(self, uri, is_authenticated=False):
        uris = [uri] if isinstance(uri, str) else list(uri)
        mine = [u for u in uris if self.find_user_password(None, u)[0] is not None]
        if mine:
            super().update_authenticated(mine, is_authenticated)

    def is_authenticated(self, authuri):
        if self.find_user_password(None, authuri)[0] is None:
            return False
        return super().is_authenticated(authuri)


_PROXY_VARS = ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")


def _proxy_env() -> tuple:
    """The proxy variables now: a Session's cached opener is rebuilt when they change."""
    return tuple(os.environ.get(v) for v in _PROXY_VARS)


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted((str(k), str(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(value)
    return value


def request(url: str, method: str | None = None, **options) -> Response:
    """:func:`fetch` for the schemes of the request path (http, https, file,
    data, ftp files): always a :class:`Response`.  A URL whose scheme opens
    something else (imap, pop, news, telnet, an FTP directory) is refused:
    use ``fetch`` or ``nb.open`` for those."""
    if opener_for(url) is not None:
        raise UnsupportedURL(f"{url.split(':', 1)[0]}: URLs open a view, not a Response: use nb.open(url)")
    resp = fetch(url, method, **options)
    assert isinstance(resp, Response)
    return resp


def status_of(fp) -> int:
    return getattr(fp, "status", None) or getattr(fp, "code", None) or 200


class _EmptyBody:
    def read(self, n=-1):
        return b""

    def close(self):
        pass


def _mask_url(url: str) -> str:
    from ..transcript import redact_line

    return redact_line(url)
