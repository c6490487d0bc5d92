"""Timing waterfalls from HAR 1.2: a row per request, a bar per phase
(blocked, dns, connect, ssl, send, wait, receive), rows grouped by host, and
a strip showing how many requests were in flight at once (the concurrency
actually used).  Plain SVG; hover (``<title>``) shows the numbers."""
from __future__ import annotations

import json
import os
import urllib.parse
from datetime import datetime
from typing import Any

from ..errors import WaterfallError
from .svg import FONT, esc

__all__ = ["MAX_ROWS", "PHASES", "PHASE_COLORS", "Waterfall", "har_entries", "waterfall"]

PHASES = ("blocked", "dns", "connect", "ssl", "send", "wait", "receive")
PHASE_COLORS = {"blocked": "#9ca3af", "dns": "#0891b2", "connect": "#ea580c", "ssl": "#9333ea",
                "send": "#2563eb", "wait": "#16a34a", "receive": "#0ea5e9"}
MAX_ROWS = 500
MAX_HAR_BYTES = 64 << 20
LABEL_W = 330
CHART_W = 560
ROW_H = 18
TOP = 52


def har_entries(x) -> list[dict]:
    """HAR entries of a Response, a Session, a fetch_many DataFrame
    (``df.attrs["har"]``), a HAR dict or a HAR file path."""
    if hasattr(x, "to_har") and callable(x.to_har):
        har = x.to_har()
    elif hasattr(x, "attrs") and hasattr(x, "columns"):
        har = x.attrs.get("har")
        if har is None:
            raise WaterfallError("this DataFrame carries no timings (df.attrs['har']); "
                                 "nb.fetch_many records them, a hand-made frame does not")
    elif isinstance(x, dict):
        har = x
    elif isinstance(x, (str, os.PathLike)):
        path = os.fspath(x)
        try:
            if os.path.getsize(path) > MAX_HAR_BYTES:
                raise WaterfallError(f"{path}: larger than {MAX_HAR_BYTES >> 20} MiB; not read")
            with open(path, encoding="utf-8") as f:
                har = json.load(f)
        except OSError as e:
            raise WaterfallError(f"cannot read HAR file {path}: {e.strerror or e}") from None
        except json.JSONDecodeError as e:
            raise WaterfallError(f"{path} is not a HAR file (JSON error: {e.msg} at line {e.lineno})") from None
    else:
        raise WaterfallError(f"nb.http.waterfall draws a Response, Session, fetch_many DataFrame, HAR dict or HAR "
                             f"file path, not {type(x).__name__}")
    log = har.get("log", har) if isinstance(har, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise WaterfallError("not a HAR log: no log.entries list")
    return entries


def _start(e: dict) -> float:
    s = str(e.get("startedDateTime", ""))
    try:
        return datetime.fromisoformat(s).timestamp()
    except ValueError:
        return 0.0


def _phases(e: dict) -> dict[str, float]:
    t = e.get("timings") or {}
    out = {p: max(0.0, float(t.get(p, -1) or 0)) if float(t.get(p, -1) or 0) > 0 else 0.0 for p in PHASES}
    if out["ssl"] > 0 and out["connect"] >= out["ssl"]:
        out["connect"] -= out["ssl"]  # HAR: connect includes ssl; draw them apart
    return out


def _host(url: str) -> str:
    try:
        u = urllib.parse.urlsplit(url)
        return u.netloc.rpartition("@")[2] or u.scheme + ":"
    except ValueError:
        return "?"


class Waterfall:
    """A timing waterfall.  ``.svg``, ``.to_frame()`` (one row per request:
    host, url, start_ms and one column per phase), ``.max_concurrency``,
    ``.save(path)``."""

    def __init__(self, entries: list[dict], title: str = "waterfall", group: bool | None = None):
        rows: list[dict[str, Any]] = []
        for e in entries:
            req, resp = e.get("request") or {}, e.get("response") or {}
            url = str(req.get("url", ""))
            ph = _phases(e)
            rows.append({"host": _host(url), "method": str(req.get("method", "")), "url": url,
                         "status": resp.get("status"), "start": _start(e), **ph, "total": sum(ph.values()),
                         "error": str(e.get("_error", "") or "")})
        t0 = min((r["start"] for r in rows), default=0.0)
        for r in rows:
            r["start_ms"] = (r["start"] - t0) * 1000
        self.title = title
        self.group = (len({r["host"] for r in rows}) > 1) if group is None else group
        order = sorted(range(len(rows)), key=lambda i: (rows[i]["host"], rows[i]["start_ms"], i)) if self.group \
            else sorted(range(len(rows)), key=lambda i: (rows[i]["start_ms"], i))
        self.rows: list[dict[str, Any]] = [rows[i] for i in order]
        self._svg: str | None = None

    # -- numbers ------------------------------------------------------------------------
    def _intervals(self, rows=None):
        # in flight = on the wire: from the end of "blocked" (queued for a connection) to the end
        return [(r["start_ms"] + r["blocked"], r["start_ms"] + r["total"]) for r in (self.rows if rows is None else rows)]

    @staticmethod
    def _in_flight(intervals) -> list[tuple[float, int]]:
        events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals], key=lambda x: (x[0], x[1]))
        out: list[tuple[float, int]] = []
        n = 0
        for t, d in events:
            n += d
            if out and out[-1][0] == t:
                out[-1] = (t, n)  # simultaneous starts and ends: one step, no zero-width spike
            else:
                out.append((t, n))
        return out

    @property
    def max_concurrency(self) -> int:
        return max((n for _, n in self._in_flight(self._intervals())), default=0)

    def per_host_concurrency(self) -> dict[str, int]:
        hosts: dict[str, list[dict[str, Any]]] = {}
        for r in self.rows:
            hosts.setdefault(r["host"], []).append(r)
        return {h: max((n for _, n in self._in_flight(self._intervals(rs))), default=0) for h, rs in hosts.items()}

    def to_frame(self):
        import pandas as pd

        cols = ["host", "method", "url", "status", "start_ms", *PHASES, "total"]
        return pd.DataFrame([{k: r[k] for k in cols} for r in self.rows], columns=cols)

    # -- drawing ------------------------------------------------------------------------
    @property
    def svg(self) -> str:
        if self._svg is None:
            self._svg = self._render()
        return self._svg

    def _render(self) -> str:
        rows = self.rows[:MAX_ROWS]
        end = max((r["start_ms"] + r["total"] for r in rows), default=1.0) or 1.0
        scale = CHART_W / end
        x0 = LABEL_W + 10
        parts = []
        y = TOP
        ticks = _ticks(end)
        host = None
        for r in rows:
            if self.group and r["host"] != host:
                host = r["host"]
                y += 4
                parts.append(f'<text class="host" x="6" y="{y + 12}" font-size="11" font-weight="bold" '
                             f'fill="#111827">{esc(host)}</text>')
                y += ROW_H
            parts.append(self._row(r, x0, y, scale))
            y += ROW_H
        if len(self.rows) > len(rows):
            parts.append(f'<text x="6" y="{y + 12}" font-size="11" fill="#b91c1c">… {len(self.rows) - len(rows):,} more '
                         f'requests not drawn (bounded); .to_frame() has them all</text>')
            y += ROW_H
        # concurrency strip
        y += 10
        steps = self._in_flight(self._intervals())
        peak = max((n for _, n in steps), default=0) or 1
        strip_h = 36
        path = [f"M{x0},{y + strip_h}"]
        last = 0
        for t, n in steps:
            x = x0 + t * scale
            path.append(f"L{x:.1f},{y + strip_h - last * strip_h / peak:.1f}")
            path.append(f"L{x:.1f},{y + strip_h - n * strip_h / peak:.1f}")
            last = n
        path.append(f"L{x0 + CHART_W},{y + strip_h}Z")
        per_host = self.per_host_concurrency()
        host_note = ", ".join(f"{h} {n}" for h, n in list(per_host.items())[:6]) if len(per_host) > 1 else ""
        parts.append(
            f'<g class="concurrency" data-max="{self.max_concurrency}"><title>'
            f'{esc("in flight over time; at most " + str(self.max_concurrency) + (" (per host: " + host_note + ")" if host_note else ""))}'
            '</title>'
            f'<path d="{" ".join(path)}" fill="#bfdbfe" stroke="#2563eb" stroke-width="1"/>'
            f'<text x="6" y="{y + 14}" font-size="11" fill="#1e3a8a">in flight (max {self.max_concurrency})</text>'
            + (f'<text x="6" y="{y + 28}" font-size="9.5" fill="#6b7280">{esc(("per host: " + host_note)[:60])}</text>'
               if host_note else "")
            + "</g>")
        y += strip_h + 8
        # axis and legend at the top
        grid = []
        for t in ticks:
            x = x0 + t * scale
            grid.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{y}" stroke="#e5e7eb"/>'
                        f'<text x="{x:.1f}" y="{TOP - 10}" font-size="9.5" text-anchor="middle" fill="#6b7280">'
                        f'{_fmt_ms(t)}</text>')
        legend = []
        lx = 6
        for p in PHASES:
            legend.append(f'<rect x="{lx}" y="20" width="10" height="10" fill="{PHASE_COLORS[p]}"/>'
                          f'<text x="{lx + 13}" y="29" font-size="10">{p}</text>')
            lx += 22 + 7 * len(p)
        width = x0 + CHART_W + 80  # room for the last bar's total
        height = y + 6
        n = len(self.rows)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="netbook-waterfall" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" aria-label="{esc(self.title)}" '
                f'data-rows="{n}">'
                f'<title>{esc(self.title)}</title><rect width="{width}" height="{height}" fill="white"/>'
                f'<text x="6" y="13" font-size="12" font-weight="bold">{esc(self.title)} · {n:,} request'
                f'{"s" if n != 1 else ""} · {_fmt_ms(end)}</text>'
                + "".join(legend) + "".join(grid) + "".join(parts) + "</svg>")

    def _row(self, r: dict, x0: float, y: float, scale: float) -> str:
        path = urllib.parse.urlsplit(r["url"]).path or "/" if "://" in r["url"] else r["url"]
        status = r["status"] if r["status"] else "failed"
        bad = isinstance(status, int) and status >= 400 or bool(r["error"])
        label = f"{r['method']} {path}"
        label = label if len(label) <= 40 else label[:39] + "…"
        tip = [f"{r['method']} {r['url']}", f"status {status}" + (f" · {r['error']}" if r["error"] else ""),
               f"starts at {_fmt_ms(r['start_ms'])}"]
        tip += [f"{p}: {r[p]:,.1f} ms" for p in PHASES if r[p] > 0]
        tip.append(f"total {r['total']:,.1f} ms")
        bars = []
        x = x0 + r["start_ms"] * scale
        for p in PHASES:
            w = r[p] * scale
            if r[p] <= 0:
                continue
            bars.append(f'<rect class="phase" data-phase="{p}" x="{x:.1f}" y="{y + 4}" width="{max(w, 0.8):.1f}" '
                        f'height="{ROW_H - 8}" fill="{PHASE_COLORS[p]}"><title>{p}: {r[p]:,.1f} ms</title></rect>')
            x += w
        color = "#dc2626" if bad else "#111827"
        return (f'<g class="request" data-host="{esc(r["host"])}" data-status="{esc(status)}">'
                f'<title>{esc(chr(10).join(tip))}</title>'
                f'<rect x="0" y="{y}" width="{x0 + CHART_W}" height="{ROW_H}" fill="transparent"/>'
                f'<text x="{14 if self.group else 6}" y="{y + 13}" font-size="11" fill="{color}">{esc(label)}</text>'
                f'<text x="{LABEL_W}" y="{y + 13}" font-size="11" text-anchor="end" fill="{color}">{esc(status)}</text>'
                + "".join(bars)
                + f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="9.5" fill="#6b7280">{r["total"]:,.1f} ms</text></g>')

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)

    def __repr__(self) -> str:
        return f"<Waterfall {self.title!r}: {len(self.rows):,} requests, max {self.max_concurrency} in flight>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        svg = self.svg.replace("<svg ", '<svg style="max-width:none" ', 1)
        return {"text/html": f'<div class="netbook-waterfall" style="overflow-x:auto">{svg}</div>',
                "image/svg+xml": self.svg, "text/plain": repr(self)}


def _fmt_ms(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms < 10_000 else f"{ms / 1000:,.1f} s"


def _ticks(end: float) -> list[float]:
    raw = end / 5
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = next((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), raw) or 1
    return [i * step for i in range(int(end / step) + 1)]


def waterfall(x, title: str | None = None, group: bool | None = None) -> Waterfall:
    """A timing waterfall of ``x``: a Response, a Session, the fetch_many
    DataFrame, a HAR dict or a HAR file path.  Rows are grouped by host when
    there are several hosts (``group=`` forces it)."""
    entries = har_entries(x)
    if title is None:
        kind = type(x).__name__
        title = {"Response": "response", "Session": "session", "DataFrame": "fetch_many"}.get(kind, "HAR")
        title = f"{title} waterfall"
    return Waterfall(entries, title=title, group=group)
