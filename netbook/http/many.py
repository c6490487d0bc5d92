"""``nb.fetch_many(urls)``: many GETs at once -> a DataFrame.

http(s) URLs go through a small asyncio HTTP/1.1 client with keep-alive
connection pools (one event loop in a worker thread, bounded by
``concurrency`` overall and ``per_host`` per host); other schemes (file:,
data:, ftp:) go through ``nb.fetch`` in a thread pool.  Results stream into
a Table under a progress bar; interrupting the kernel stops cleanly and
returns the rows that finished (``df.attrs["cancelled"]`` is True).

With ``respect_robots=True`` a host's ``Crawl-delay`` / ``Request-rate``
paces that host only: its requests go one at a time, started at least that
many seconds apart, in a queue of their own, so the workers go on with the
other hosts meanwhile.  Values above ``max_delay`` are capped (and said so).
"""
from __future__ import annotations

import asyncio
import functools
import os
import ssl
import threading
import time
import urllib.parse
import urllib.robotparser
from collections import defaultdict

from ..interpolate import check_line
from ..transcript import CLIENT, SERVER, Transcript
from .proxies import check_proxy_arg, parse_proxy, scrub_transcript, select_proxy
from .rules import (DEFAULT_MAX_BYTES, MAX_REDIRECTS, REDIRECT_CODES, USER_AGENT, redirect_headers, redirect_method,
                    same_origin, tls_context)

__all__ = ["fetch_many", "COLUMNS"]

COLUMNS = ["url", "status", "final_url", "content_type", "bytes", "elapsed_ms", "error", "transcript"]  # ms, like Response.to_frame()
_NO_BODY = {204, 304}


class RowTranscript(Transcript):
    """A transcript in a DataFrame cell: one line when the frame is shown
    (``print(df["transcript"][0])`` shows it all, secrets masked)."""

    def __str__(self) -> str:
        return f"<{self.title}: {self.total[CLIENT]:,} B sent, {self.total[SERVER]:,} B received>"

    def __repr__(self) -> str:
        return Transcript.__repr__(self)


class _Failed(Exception):
    pass


class _Pool:
    """Idle keep-alive connections per (scheme, host, port, proxy).

    Through a proxy, http requests go to the proxy in absolute form; https
    ones get a CONNECT tunnel to the origin, then TLS inside it (end to end)."""

    def __init__(self, ssl_ctx, connect_timeout):
        self.idle: dict[tuple, list] = defaultdict(list)
        self.ssl_ctx = ssl_ctx
        self.all: set = set()

    async def get(self, key):
        idle = self.idle[key]
        while idle:
            reader, writer = idle.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer, True
            writer.close()
        scheme, host, port, proxy = key
        if proxy is not None:
            return (*await self._via_proxy(scheme, host, port, proxy), False)
        try:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=self.ssl_ctx if scheme == "https" else None,
                server_hostname=host if scheme == "https" else None, limit=1 << 16)
        except ssl.SSLError as e:
            raise _Failed(f"TLS failed: {getattr(e, 'verify_message', None) or e.reason or e}") from None
        except ConnectionRefusedError:
            raise _Failed("connection refused") from None
        except OSError as e:
            raise _Failed(f"cannot connect: {e.strerror or e}") from None
        self.all.add(writer)
        return reader, writer, False

    async def _via_proxy(self, scheme, host, port, proxy):
        try:
            reader, writer = await asyncio.open_connection(proxy.host, proxy.port, limit=1 << 16)
        except OSError as e:
            raise _Failed(f"cannot connect to proxy {proxy.url}: {e.strerror or e}") from None
        self.all.add(writer)
        if scheme != "https":
            return reader, writer
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        auth = proxy.authorization()
        writer.write(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n".encode("latin-1")
                     + (f"Proxy-Authorization: {auth}\r\n".encode("latin-1") if auth else b"") + b"\r\n")
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            raise _Failed(f"proxy {proxy.url} closed the connection during CONNECT {target}") from None
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit() or not 200 <= int(parts[1]) < 300:
            writer.close()
            raise _Failed(f"proxy {proxy.url} refused CONNECT {target}: {' '.join(parts[1:])[:80]}")
        try:
            await writer.start_tls(self.ssl_ctx, server_hostname=host)
        except ssl.SSLError as e:
            writer.close()
            raise _Failed(f"TLS failed: {getattr(e, 'verify_message', None) or e.reason or e}") from None
        return reader, writer

    def put(self, key, conn):
        self.idle[key].append(conn)

    def close(self):
        for w in self.all:
            w.close()


async def _read_body(reader, headers: dict, status: int, method: str, max_bytes: int, tr=None):
    """Read the body (into the transcript ``tr``, as far as it keeps bytes; otherwise
    discarded); returns (nbytes, reusable)."""
    if method == "HEAD" or status in _NO_BODY or 100 <= status < 200:
        return 0, True
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        n = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            if tr is not None:
                tr.record(SERVER, line)
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while True:
                    line = await reader.readuntil(b"\r\n")
                    if tr is not None:
                        tr.record(SERVER, line)
                    if line == b"\r\n":
                        return n, True  # (after any trailers)
            n += size
            if n > max_bytes:
                raise _Failed(f"body larger than max_bytes={max_bytes:,}")
            data = await reader.readexactly(size + 2)
            if tr is not None:
                tr.record(SERVER, data)
    cl = headers.get(b"content-length")
    if cl is not None:
        length = int(cl)
        if length > max_bytes:
            raise _Failed(f"body larger than max_bytes={max_bytes:,}")
        left = length
        while left > 0:
            chunk = await reader.read(min(left, 1 << 16))
            if not chunk:
                raise _Failed("connection closed before the body ended")
            if tr is not None:
                tr.record(SERVER, chunk)
            left -= len(chunk)
        return length, True
    n = 0
    while True:
        chunk = await reader.read(1 << 16)
        if not chunk:
            return n, False
        if tr is not None:
            tr.record(SERVER, chunk)
        n += len(chunk)
        if n > max_bytes:
            raise _Failed(f"body larger than max_bytes={max_bytes:,}")


@functools.lru_cache(maxsize=4096)
def _target(url: str):
    """(pool key, request-line-and-Host bytes prefix without the method) of an http(s) URL; logs repeat URLs."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (("?" + parts.query) if parts.query else "")
    hostport = parts.netloc.rpartition("@")[2]
    return (scheme, host, port), f" {target} HTTP/1.1\r\nHost: {hostport}\r\n".encode("latin-1")


@functools.lru_cache(maxsize=4096)
def _proxied_line(url: str, auth: str | None) -> bytes:
    """The request line and Host in absolute form, for a plain-http proxy."""
    parts = urllib.parse.urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    absolute = urllib.parse.urlunsplit((parts.scheme.lower(), hostport, parts.path or "/", parts.query, ""))
    extra = f"Proxy-Authorization: {auth}\r\n" if auth else ""
    return f" {absolute} HTTP/1.1\r\nHost: {hostport}\r\n{extra}".encode("latin-1")


async def _one(pool: _Pool, url: str, method: str, headers: bytes, max_bytes: int, follow: bool, proxy_for=None,
               pace=None, bare_headers: bytes | None = None, tr: Transcript | None = None,
               timing: dict | None = None):
    """One request, following redirects; returns (status, final_url, content_type, nbytes).

    ``pace``: awaited before each redirect hop (a robots.txt Crawl-delay counts them too);
    ``bare_headers``: ``headers`` without credentials, sent once a redirect
    left the first origin (``rules.redirect_headers``); ``tr``: the transcript;
    ``timing``: HAR phases (ms) are added into it, summed over the hops."""
    timing = {} if timing is None else timing
    for hop in range(MAX_REDIRECTS + 1):
        if pace is not None and hop:
            await pace()
        key, line = _target(url)
        proxy = proxy_for(key, url) if proxy_for else None
        if proxy is not None and key[0] == "http":
            line = _proxied_line(url, proxy.authorization())
        key = (*key, proxy)
        req = method.encode("ascii") + line + headers
        if tr is not None:
            if proxy is not None and proxy not in tr.proxies:
                tr.proxies.append(proxy)
            tr.record(CLIENT, req)
        for attempt in (0, 1):
            t_conn = time.perf_counter()
            reader, writer, reused = await pool.get(key)
            t_sent = time.perf_counter()
            try:
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                _add(timing, "connect", t_conn, t_sent)
                _add(timing, "wait", t_sent, time.perf_counter())
                break
            except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
                writer.close()
                if reused and attempt == 0:
                    continue  # a stale keep-alive connection: retry once on a fresh one
                raise _Failed("the server closed the connection without answering") from None
            except asyncio.LimitOverrunError:
                writer.close()
                raise _Failed("response head larger than 64 KiB") from None
        lines = head.split(b"\r\n")
        first = lines[0].split(b" ", 2)
        if len(first) < 2 or not first[0].startswith(b"HTTP/"):
            writer.close()
            raise _Failed(f"not an HTTP response: {lines[0][:60]!r}")
        if tr is not None:
            tr.record(SERVER, head)
        status = int(first[1])
        hdrs = {}
        for field in lines[1:]:
            if field:
                k, _, v = field.partition(b":")
                hdrs[k.strip().lower()] = v.strip()
        t_head = time.perf_counter()
        nbytes, reusable = await _read_body(reader, hdrs, status, method, max_bytes, tr)
        _add(timing, "receive", t_head, time.perf_counter())
        conn_hdr = hdrs.get(b"connection", b"").lower()
        if reusable and conn_hdr != b"close" and (first[0] != b"HTTP/1.0" or conn_hdr == b"keep-alive"):
            pool.put(key, (reader, writer))
        else:
            writer.close()
        loc = hdrs.get(b"location")
        if follow and status in REDIRECT_CODES and loc:
            new = urllib.parse.urljoin(url, loc.decode("latin-1"))
            check_line(new, "redirect Location")
            if bare_headers is not None and headers is not bare_headers and not same_origin(url, new):
                headers = bare_headers  # credentials stay with their origin (rules.py)
            method = redirect_method(method, status)
            url = new
            continue
        ctype = hdrs.get(b"content-type", b"").split(b";")[0].strip().decode("latin-1")
        return status, url, ctype, nbytes
    raise _Failed(f"more than {MAX_REDIRECTS} redirects")


def _add(timing: dict, phase: str, t0: float, t1: float) -> None:
    timing[phase] = timing.get(phase, 0.0) + (t1 - t0) * 1000


class _Run:
    def __init__(self, urls, *, concurrency, per_host, method, timeout, headers, max_bytes, follow,
                 verify, respect_robots, user_agent, proxy=None, no_proxy=None, max_delay=10.0,
                 transcript_bytes=4096):
        self.urls = urls
        self.results: list = [None] * len(urls)
        self.transcripts: list = [None] * len(urls)
        self.transcript_bytes = max(0, int(transcript_bytes))
        self.har: list = [None] * len(urls)  # a HAR 1.2 entry per finished URL (nb.http.waterfall draws them)
        self.done = 0
        self.finished_order: list[int] = []
        self.concurrency = max(1, int(concurrency))
        self.per_host = max(1, int(per_host))
        self.method = check_line(method.upper(), "method")
        if not self.method.isalpha():
            raise ValueError(f"bad HTTP method {method!r}")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.follow = follow
        self.respect_robots = respect_robots
        self.user_agent = user_agent
        hdr = {"User-Agent": user_agent, "Accept-Encoding": "identity", "Connection": "keep-alive", **(headers or {})}
        for k, v in hdr.items():
            check_line(f"{k}: {v}", f"header {k}")
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in hdr.items()).encode("latin-1") + b"\r\n"
        bare = redirect_headers(hdr, "http://a/", "http://b/")  # what goes to another origin: no credentials
        self.bare_headers = (self.headers if len(bare) == len(hdr)
                             else "".join(f"{k}: {v}\r\n" for k, v in bare).encode("latin-1") + b"\r\n")
        self.ssl_ctx = tls_context(verify)  # as nb.fetch: True, False, a CA file or an SSLContext
        self.loop = None
        self.task = None
        self.robots: dict = {}
        self.max_delay = max(0.0, float(max_delay))
        self.delays: dict[str, float] = {}  # origin -> seconds between its requests (robots.txt)
        self.notes: list[str] = []
        self._pace_locks: dict = {}
        self._next_start: dict = {}
        self._paced: list = []
        check_proxy_arg(proxy)
        if isinstance(proxy, str) and proxy:
            parse_proxy(proxy)  # refused before anything is sent
        if isinstance(no_proxy, str):
            check_line(no_proxy, "no_proxy")
        self.proxy, self.no_proxy = proxy, no_proxy
        self.env = dict(os.environ)  # read once, as curl reads it once per run
        self._proxies: dict = {}
        self.proxies_used: dict[str, str] = {}  # origin -> proxy URL (password masked)

    def proxy_for(self, key, url):
        """The proxy for this (scheme, host, port): curl's rules, decided once per origin."""
        try:
            return self._proxies[key]
        except KeyError:
            pass
        p = select_proxy(url, self.proxy, self.no_proxy, self.env)
        self._proxies[key] = p
        if p is not None:
            host = f"[{key[1]}]" if ":" in key[1] else key[1]
            self.proxies_used[f"{key[0]}://{host}:{key[2]}"] = p.url
        return p

    async def _robots_for(self, pool, scheme, netloc):
        key = (scheme, netloc)
        fut = self.robots.get(key)
        if fut is None:
            fut = self.robots[key] = asyncio.ensure_future(self._load_robots(scheme, netloc))
        return await fut

    def _delay_for(self, origin: str, rp) -> float:
        """Seconds between two requests to ``origin`` (robots.txt), capped at max_delay."""
        if origin not in self.delays:
            from .robotstxt import pacing

            delay, why = pacing(rp, self.user_agent)
            if delay > self.max_delay:
                self.notes.append(f"{origin}: {why} asks for {delay:g} s between requests; "
                                  f"capped to max_delay={self.max_delay:g} s")
                delay = self.max_delay
            elif delay:
                self.notes.append(f"{origin}: {delay:g} s between requests ({why})")
            self.delays[origin] = delay
        return self.delays[origin]

    async def _paced_fetch(self, pool, sems, i, origin, delay):
        """This origin's queue: one request at a time (FIFO lock), each hop ``delay`` s after the last."""
        lock = self._pace_locks.setdefault(origin, asyncio.Lock())

        async def gate():
            loop = asyncio.get_running_loop()
            wait = self._next_start.get(origin, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next_start[origin] = loop.time() + delay

        async with lock:
            await self._fetch_index(pool, sems, i, paced=gate)

    async def _load_robots(self, scheme, netloc):
        from .client import fetch
        from .robotstxt import RobotsParser

        rp = RobotsParser()
        try:
            r = await asyncio.get_running_loop().run_in_executor(
                None, lambda: fetch(f"{scheme}://{netloc}/robots.txt", timeout=self.timeout, max_bytes=1 << 20,
                                    proxy=self.proxy, no_proxy=self.no_proxy))
            code = int(r.status)
            if code in (401, 403):
                rp.disallow_all = True
            elif code >= 400:
                rp.allow_all = True
            else:
                rp.parse(r.text.splitlines())
        except Exception:
            rp.allow_all = True
        return rp

    def _transcript(self, url: str):
        if not self.transcript_bytes:
            return None
        tr = RowTranscript(f"{self.method} {_mask_url(url) if '@' in url else url}", max_bytes=self.transcript_bytes)
        tr.proxies = []
        return tr

    async def _fetch_index(self, pool, sems, i, paced=None):
        url = self.urls[i]
        t0 = time.perf_counter()
        tr = None
        timing: dict = {}
        wall = time.time()
        try:
            if not isinstance(url, str):
                raise _Failed(f"not a URL: {url!r}")
            check_line(url, "URL")
            scheme = url[:url.find(":")].lower() if ":" in url else ""
            if scheme in ("http", "https"):
                key, _ = _target(url)
                if not key[1]:
                    raise _Failed("no host in URL")
                if self.respect_robots and paced is None:
                    netloc = urllib.parse.urlsplit(url).netloc
                    rp = await self._robots_for(pool, scheme, netloc)
                    if not rp.can_fetch(self.user_agent, url):
                        raise _Failed("disallowed by robots.txt")
                    origin = f"{scheme}://{netloc.rpartition('@')[2]}"
                    delay = self._delay_for(origin, rp)
                    if delay > 0:  # queued for that host; this worker goes on with other URLs
                        self._paced.append(asyncio.ensure_future(self._paced_fetch(pool, sems, i, origin, delay)))
                        return
                if paced is not None:
                    await paced()  # this host's Crawl-delay (not counted in elapsed)
                t_queued, wall = time.perf_counter(), time.time()
                async with sems[key]:
                    t0 = time.perf_counter()
                    tr = self._transcript(url)
                    _add(timing, "blocked", t_queued, t0)
                    async with asyncio.timeout(self.timeout):
                        status, final, ctype, nbytes = await _one(
                            pool, url, self.method, self.headers, self.max_bytes, self.follow, self.proxy_for,
                            paced, self.bare_headers, tr, timing)
            else:
                from .client import fetch

                r = await asyncio.get_running_loop().run_in_executor(
                    None, lambda: fetch(url, self.method, timeout=self.timeout, max_bytes=self.max_bytes,
                                        follow_redirects=self.follow, proxy=self.proxy, no_proxy=self.no_proxy))
                status, final, ctype, nbytes = int(r.status), r.url, r.content_type, len(r.content)
                tr = r.transcript
                if type(tr) is Transcript:
                    tr.__class__ = RowTranscript  # the same object, shown in one line inside the frame
            row = (url, status, final, ctype, nbytes, time.perf_counter() - t0, "")
        except TimeoutError:
            row = (url, None, None, None, None, time.perf_counter() - t0, f"timeout after {self.timeout} s")
        except asyncio.CancelledError:
            raise
        except Exception as e:  # one row's failure never stops the others
            msg = str(e) if isinstance(e, _Failed) else f"{type(e).__name__}: {e}"
            row = (url, None, None, None, None, time.perf_counter() - t0, msg)
        if tr is not None:
            for p in getattr(tr, "proxies", ()):
                scrub_transcript(tr, p)  # not even reveal=True shows a proxy password
        row = (*row[:5], round(row[5] * 1000, 3), row[6])  # elapsed in ms
        self.results[i] = row
        self.transcripts[i] = tr
        self.har[i] = _har_entry(row, self.method, wall, timing)
        self.finished_order.append(i)
        self.done += 1

    async def main(self):
        pool = _Pool(self.ssl_ctx, self.timeout)
        sems = defaultdict(lambda: asyncio.Semaphore(self.per_host))
        it = iter(range(len(self.urls)))

        async def worker():
            for i in it:
                await self._fetch_index(pool, sems, i)

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(self.urls)) or 1)))
            while self._paced:  # the paced hosts' queues
                batch, self._paced = self._paced, []
                await asyncio.gather(*batch)
        finally:
            for t in self._paced:
                t.cancel()
            pool.close()

    def run_in_thread(self):
        def target():
            loop = asyncio.new_event_loop()
            self.loop = loop
            try:
                self.task = loop.create_task(self.main())
                self.started.set()
                loop.run_until_complete(self.task)
            except asyncio.CancelledError:
                pass
            finally:
                try:
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    loop.close()

        self.started = threading.Event()
        th = threading.Thread(target=target, name="fetch_many", daemon=True)
        th.start()
        return th

    def cancel(self):
        if self.loop is not None and self.task is not None:
            try:
                self.loop.call_soon_threadsafe(self.task.cancel)
            except RuntimeError:
                pass  # loop already closed


def _har_entry(row, method: str, wall: float, timing: dict) -> dict:
    """A HAR 1.2 entry of one fetch_many row (phases summed over redirect hops)."""
    from datetime import datetime, timezone

    from .client import _mask_url

    t = {p: round(timing.get(p, -1 if p in ("blocked", "dns", "connect", "ssl") else 0.0), 3)
         for p in ("blocked", "dns", "connect", "ssl", "send", "wait", "receive")}
    if row[6] or not any(v > 0 for v in t.values()):  # failed, or not timed by phase (file:, ftp:, ...)
        t["wait"] = round(max(0.0, row[5] * 1000 - sum(max(0.0, v) for v in t.values())), 3)
    return {"startedDateTime": datetime.fromtimestamp(wall, timezone.utc).isoformat().replace("+00:00", "Z"),
            "time": round(sum(max(0.0, v) for v in t.values()), 3),
            "request": {"method": method, "url": _mask_url(str(row[0])), "httpVersion": "HTTP/1.1", "headers": [],
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": int(row[1] or 0), "statusText": "", "httpVersion": "HTTP/1.1", "headers": [],
                         "cookies": [], "content": {"size": int(row[4] or 0), "mimeType": row[3] or ""},
                         "redirectURL": "", "headersSize": -1, "bodySize": int(row[4] or 0)},
            "cache": {}, "timings": t, **({"_error": row[6]} if row[6] else {})}


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython

        ip = get_ipython()
        return ip is not None and getattr(ip, "kernel", None) is not None
    except ImportError:
        return False


def fetch_many(urls, concurrency: int = 16, per_host: int = 4, respect_robots: bool = False, method: str = "GET",
               timeout: float = 30, *, headers=None, max_bytes: int = DEFAULT_MAX_BYTES, follow_redirects: bool = True,
               verify=True, user_agent: str = USER_AGENT, show: bool | None = None,
               proxy=None, no_proxy=None, max_delay: float = 10.0, transcript_bytes: int = 4096):
    """Fetch every URL; return a DataFrame (url, status, final_url, content_type, bytes, elapsed_ms, error,
    transcript).

    ``concurrency`` requests at once overall, at most ``per_host`` per host;
    ``respect_robots=True`` reads each host's robots.txt first and skips what
    it disallows (error ``"disallowed by robots.txt"``); a host's
    ``Crawl-delay`` / ``Request-rate`` spaces that host's requests (one at a
    time, the other hosts unaffected), capped at ``max_delay`` seconds;
    ``df.attrs["crawl_delay"]`` maps each origin to the delay used and
    ``df.attrs["notes"]`` says why.  A failure is a row
    with ``error`` set, never an exception.  Proxies as ``nb.fetch`` chooses
    them (``proxy=``, ``no_proxy=``, else ``http_proxy`` / ``https_proxy`` /
    ``all_proxy`` / ``no_proxy`` from the environment; ``proxy=False`` for
    none); ``df.attrs["proxies"]`` maps each origin to the proxy it went
    through (password masked).  Redirects follow ``nb.fetch``'s rules
    (``rules.py``): ``Authorization``, ``Cookie`` and ``Proxy-Authorization``
    headers are not sent to another origin (a https -> http downgrade
    included).  ``transcript`` holds each request's wire transcript (the
    first ``transcript_bytes`` bytes, secrets masked when shown;
    ``transcript_bytes=0``: none).  In a notebook a progress bar and
    a live Table show the rows as they finish (``show=False`` hides them).
    Interrupt the kernel to stop: the finished rows are returned.
    """
    import pandas as pd

    urls = list(urls.tolist() if hasattr(urls, "tolist") else urls)
    run = _Run(urls, concurrency=concurrency, per_host=per_host, method=method, timeout=timeout, headers=headers,
               max_bytes=max_bytes, follow=follow_redirects, verify=verify, respect_robots=respect_robots,
               user_agent=user_agent, proxy=proxy, no_proxy=no_proxy, max_delay=max_delay,
               transcript_bytes=transcript_bytes)
    show = _in_kernel() if show is None else show
    view = _Progress(len(urls)) if show and urls else None
    cancelled = False
    th = run.run_in_thread()
    try:
        while th.is_alive():
            th.join(0.1)
            if view:
                view.update(run)
    except KeyboardInterrupt:
        cancelled = True
        run.cancel()
        th.join(10)
    if view:
        view.update(run, final=True, cancelled=cancelled)
    done = [i for i, r in enumerate(run.results) if r is not None]
    df = pd.DataFrame([run.results[i] for i in done], columns=COLUMNS[:-1])
    df["transcript"] = pd.Series([run.transcripts[i] for i in done], dtype=object)
    df["status"] = df["status"].astype("Int64")
    df["bytes"] = df["bytes"].astype("Int64")
    df["elapsed_ms"] = df["elapsed_ms"].astype(float)
    df.attrs["cancelled"] = cancelled
    df.attrs["proxies"] = dict(run.proxies_used)
    df.attrs["crawl_delay"] = {k: v for k, v in run.delays.items() if v}
    df.attrs["notes"] = list(run.notes)
    df.attrs["har"] = {"log": {"version": "1.2", "creator": {"name": "netbook", "version": "fetch_many"}, "pages": [],
                               "entries": [run.har[i] for i in run.finished_order if run.har[i] is not None]}}
    if cancelled:
        print(f"fetch_many: interrupted; returning the {len(df):,} of {len(urls):,} URLs that finished")
    return df


class _Progress:
    """A progress bar over a live Table of finished rows (in a notebook)."""

    def __init__(self, total: int):
        import ipywidgets as w
        from IPython.display import display

        from ..table import StreamSource, Table
        from ..table.source import Column

        self.total = total
        self.bar = w.IntProgress(value=0, min=0, max=total, description="fetch_many")
        self.label = w.Label(f"0 / {total:,}")
        cols = [Column("url", "str"), Column("status", "int"), Column("final_url", "str"), Column("content_type", "str"),
                Column("bytes", "int", "size"), Column("elapsed_ms", "float", "ms"), Column("error", "str")]
        self.source = StreamSource(cols, title="fetch_many results")
        self.table = Table(self.source, title="fetch_many results")
        self.shown = 0
        self.t0 = time.perf_counter()
        display(w.VBox([w.HBox([self.bar, self.label]), self.table]))

    def update(self, run: _Run, final: bool = False, cancelled: bool = False):
        order = run.finished_order
        n = len(order)
        if n > self.shown:
            self.source.extend(run.results[i] for i in order[self.shown:n])
            self.shown = n
        self.bar.value = n
        rate = n / max(1e-9, time.perf_counter() - self.t0)
        paced = ", ".join(f"{o.split('://', 1)[1]} every {d:g} s" for o, d in run.delays.items() if d)
        self.label.value = (f"{n:,} / {self.total:,} · {rate:,.0f}/s" + (f" · crawl-delay: {paced}" if paced else "")
                            + (" · interrupted" if cancelled else ""))
        if final:
            self.bar.bar_style = "warning" if cancelled else "success"
            self.table.flush()


def _mask_url(url: str) -> str:
    from ..transcript import redact_line

    return redact_line(url)
