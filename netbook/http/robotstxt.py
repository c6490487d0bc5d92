"""``nb.robots(url_or_text)``: robots.txt with urllib.robotparser underneath.

Rules become a Table (user-agent, allow/disallow, path); crawl-delay,
request-rate and sitemaps are read by RobotFileParser itself (which only
takes whole seconds for Crawl-delay: :class:`RobotsParser` also takes
decimals such as ``Crawl-delay: 0.5``, as many sites write it); ``can_fetch``
answers for one URL or a whole Series of them.
"""
from __future__ import annotations

import math
import re
import urllib.parse
import urllib.robotparser
from typing import Any

__all__ = ["robots", "Robots", "RobotsParser", "pacing"]

MAX_ROBOTS_BYTES = 512 << 10  # Google reads the first 500 KiB
_DELAY_LINE = re.compile(r"^(\s*crawl-delay\s*:\s*)([0-9]*\.[0-9]+|[0-9]+\.)(\s*(?:#.*)?)$", re.I)
_SENTINEL = 10**12


class RobotsParser(urllib.robotparser.RobotFileParser):
    """urllib.robotparser's parser, plus decimal Crawl-delay values.

    The standard parser skips ``Crawl-delay: 0.5`` (it wants digits only).
    Each decimal value is handed to it as a unique whole-number stand-in,
    so the standard grouping of user-agents decides which entry it belongs
    to, then the stand-in is replaced by the real value."""

    def parse(self, lines):
        table: dict[int, float] = {}
        out = []
        for line in lines:
            m = _DELAY_LINE.match(line)
            if m:
                value = float(m.group(2))
                if math.isfinite(value):
                    token = _SENTINEL + len(table)
                    table[token] = value
                    line = f"{m.group(1)}{token}{m.group(3)}"
            out.append(line)
        super().parse(out)
        for e in [*self.entries, self.default_entry]:
            if e is not None and isinstance(e.delay, int) and e.delay in table:
                e.delay = table[e.delay]


def pacing(parser, user_agent: str = "*") -> tuple[float, str]:
    """Seconds to leave between two requests to this site, and why
    (``Crawl-delay`` and ``Request-rate``: the longer wins); (0.0, "") if neither."""
    delay = parser.crawl_delay(user_agent)
    rate = parser.request_rate(user_agent)
    best, why = 0.0, ""
    if delay is not None and float(delay) > 0:
        best, why = float(delay), f"Crawl-delay: {delay:g}"
    if rate is not None and rate.requests > 0 and rate.seconds / rate.requests > best:
        best, why = rate.seconds / rate.requests, f"Request-rate: {rate.requests}/{rate.seconds}s"
    return best, why


class Robots:
    """A parsed robots.txt (``.parser`` is the urllib.robotparser.RobotFileParser)."""

    def __init__(self, text: str = "", url: str | None = None, response=None, parser=None):
        self.url = url
        self.response = response
        self.text = text
        if parser is None:
            parser = RobotsParser(url or "")
            parser.parse(text.splitlines())
        self.parser = parser

    # -- rules -------------------------------------------------------------------
    def _entries(self):
        p = self.parser
        entries = list(p.entries)
        if p.default_entry is not None:
            entries.append(p.default_entry)
        return entries

    def to_frame(self):
        """One row per rule: user_agent, rule (allow/disallow), path, crawl_delay, request_rate."""
        import pandas as pd

        rows = []
        for e in self._entries():
            rate = f"{e.req_rate.requests}/{e.req_rate.seconds}s" if e.req_rate else ""
            for ua in e.useragents:
                for line in e.rulelines:
                    rows.append((ua, "allow" if line.allowance else "disallow", line.path, e.delay, rate))
                if not e.rulelines:
                    rows.append((ua, "", "", e.delay, rate))
        return pd.DataFrame(rows, columns=["user_agent", "rule", "path", "crawl_delay", "request_rate"])

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.site_maps() or [])

    def crawl_delay(self, user_agent: str = "*"):
        return self.parser.crawl_delay(user_agent)

    def request_rate(self, user_agent: str = "*"):
        return self.parser.request_rate(user_agent)

    def can_fetch(self, urls, user_agent: str = "*"):
        """True/False for one URL; a boolean Series for a Series (or list) of URLs.

        Relative paths are checked as paths on this robots.txt's site."""
        if isinstance(urls, str):
            return self.parser.can_fetch(user_agent, urls)
        import pandas as pd

        from .urls import _map_distinct

        s = urls if isinstance(urls, pd.Series) else pd.Series(list(urls), dtype=object)
        out = _map_distinct(s, lambda u: self.parser.can_fetch(user_agent, u))
        return out.astype(bool)

    def explain(self, urls, user_agent: str = "*"):
        """A DataFrame: url, allowed, and the rule that decided (first match, as robotparser applies them)."""
        import pandas as pd

        s = [urls] if isinstance(urls, str) else list(urls)
        rows = []
        for u in s:
            allowed = self.parser.can_fetch(user_agent, u)
            rule = ""
            parsed = urllib.parse.urlparse(urllib.parse.unquote(u))
            path = urllib.parse.quote(urllib.parse.urlunparse(("", "", parsed.path, parsed.params, parsed.query, parsed.fragment))) or "/"
            for e in self._entries():
                if e.applies_to(user_agent):
                    for line in e.rulelines:
                        if line.applies_to(path):
                            rule = f"{'Allow' if line.allowance else 'Disallow'}: {line.path} (User-agent: {', '.join(e.useragents)})"
                            break
                    break
            if self.parser.disallow_all:
                rule = "robots.txt answered 401/403: everything disallowed"
            elif self.parser.allow_all:
                rule = "no robots.txt: everything allowed"
            rows.append((u, allowed, rule))
        return pd.DataFrame(rows, columns=["url", "allowed", "rule"])

    # -- views -------------------------------------------------------------------------
    def summary(self) -> str:
        p = self.parser
        state = "everything disallowed" if p.disallow_all else "everything allowed" if p.allow_all else \
            f"{len(self.to_frame())} rules"
        delay = self.crawl_delay("*")
        rate = self.request_rate("*")
        bits = [f"robots.txt{' of ' + self.url if self.url else ''}: {state}"]
        if delay is not None:
            bits.append(f"crawl-delay {delay:g}")
        if rate is not None:
            bits.append(f"request-rate {rate.requests}/{rate.seconds}s")
        if self.sitemaps:
            bits.append(f"{len(self.sitemaps)} sitemap{'s' if len(self.sitemaps) != 1 else ''}")
        return ", ".join(bits)

    def __repr__(self):
        return f"<Robots {self.summary()}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table
        from ..table.static import escape

        table = Table(self.to_frame(), title="robots.txt rules")
        bundle = table._repr_mimebundle_(include=include, exclude=exclude)
        maps = "".join(f"<li>{escape(m)}</li>" for m in self.sitemaps)
        head = f"<div><b>{escape(self.summary())}</b>{'<ul>' + maps + '</ul>' if maps else ''}</div>"
        bundle["text/html"] = head + bundle.get("text/html", "")
        bundle["text/plain"] = repr(self) + "\n" + bundle.get("text/plain", "")
        return bundle


def robots(url_or_text: str, *, timeout: float = 10, **fetch_options: Any) -> Robots:
    """Read robots.txt from a URL (``/robots.txt`` of the site is fetched
    unless the URL names a robots file) or parse the given text.

    Like RobotFileParser.read(): a 401/403 answer disallows everything,
    another 4xx allows everything."""
    s = url_or_text.strip()
    if "\n" in s or "://" not in s.split("\n", 1)[0]:
        return Robots(url_or_text)
    from .client import request

    url = s if urllib.parse.urlsplit(s).path.endswith(".txt") else urllib.parse.urljoin(s, "/robots.txt")
    resp = request(url, timeout=timeout, max_bytes=fetch_options.pop("max_bytes", 8 << 20), **fetch_options)
    parser = RobotsParser(url)
    code = int(resp.status)
    text = ""
    if code in (401, 403):
        parser.disallow_all = True
    elif 400 <= code < 500:
        parser.allow_all = True
    elif code >= 500:
        parser.disallow_all = True  # the site is down: be polite
    else:
        text = resp.content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        parser.parse(text.splitlines())
    parser.modified()
    return Robots(text, url=url, response=resp, parser=parser)
