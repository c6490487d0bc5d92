"""The Response view: a status badge and tabs (Body, Headers, Cookies,
Timing, Redirects, Transcript, Diagram).

Safety (DESIGN principle 5): every fetched byte is escaped.  An HTML body is
shown only inside ``<iframe sandbox srcdoc="...">`` with an empty sandbox
(no ``allow-scripts``, no same origin), so a ``<script>`` in a fetched page
never runs in the notebook page.  SVG is shown through ``<img>``, where
scripts never run either.
"""
from __future__ import annotations

import base64
import html
import json as _json

from ..table.static import escape, human_size

__all__ = ["response_html", "response_widget", "body_html", "sandboxed_iframe", "badge_html"]

_COLORS = {1: "#6b7280", 2: "#15803d", 3: "#1d4ed8", 4: "#b91c1c", 5: "#b91c1c"}
_PHASE_COLORS = {"blocked": "#9ca3af", "dns": "#0891b2", "connect": "#ea580c", "ssl": "#9333ea",
                 "send": "#2563eb", "wait": "#16a34a", "receive": "#0ea5e9"}
MAX_TEXT_LINES = 500
MAX_JSON_NODES = 2000
MAX_IMAGE_BYTES = 4 << 20


def sandboxed_iframe(markup: str, height: int | None = None) -> str:
    """``markup`` inside a fully sandboxed iframe (scripts, forms, popups,
    same-origin all off), escaped into ``srcdoc``; as tall as its content
    within a bound unless ``height`` (px) is given."""
    if height is None:
        from ..mail.message import estimate_height

        height = estimate_height(markup)
    return (f'<iframe sandbox="" referrerpolicy="no-referrer" srcdoc="{html.escape(markup, quote=True)}" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd;background:white"></iframe>')


def badge_html(resp) -> str:
    code = int(resp.status)
    color = _COLORS.get(code // 100, "#6b7280")
    hops = f" · {len(resp.history)} redirect{'s' if len(resp.history) != 1 else ''}" if resp.history else ""
    asked = getattr(resp, "requested_url", resp.url)
    final = f" → {escape(resp.url)}" if resp.url != asked else ""  # asked → where the redirects ended
    via = f" · via proxy {escape(resp.proxy)}" if getattr(resp, "proxy", "") else ""
    return (
        f"<div class='netbook-response' style='font-family:monospace;font-size:13px;margin:2px 0'>"
        f"<span class='netbook-badge' style='background:{color};color:white;padding:1px 8px;border-radius:8px;"
        f"font-weight:bold'>{code} {escape(resp.reason)}</span> "
        f"<b>{escape(resp.method)}</b> {escape(asked)}{final} "
        f"<span style='color:#666'>· {escape(resp.content_type or '-')} · {escape(human_size(len(resp.content)))}"
        f"{hops}{via}</span></div>"
    )


def _json_tree(value, budget: list, key: str | None = None, depth: int = 0) -> str:
    budget[0] -= 1
    label = f"<span style='color:#7c3aed'>{escape(key)}</span>: " if key is not None else ""
    if budget[0] < 0:
        return "<div>…</div>" if budget[0] == -1 else ""
    if isinstance(value, dict):
        inner = "".join(_json_tree(v, budget, str(k), depth + 1) for k, v in value.items())
        return (f"<details{' open' if depth < 2 else ''} style='margin-left:{12 if depth else 0}px'>"
                f"<summary>{label}{{…}} {len(value)} keys</summary>{inner}</details>")
    if isinstance(value, list):
        inner = "".join(_json_tree(v, budget, str(i), depth + 1) for i, v in enumerate(value))
        return (f"<details{' open' if depth < 2 else ''} style='margin-left:{12 if depth else 0}px'>"
                f"<summary>{label}[…] {len(value)} items</summary>{inner}</details>")
    color = "#15803d" if isinstance(value, str) else "#1d4ed8"
    return f"<div style='margin-left:12px'>{label}<span style='color:{color}'>{escape(_json.dumps(value))}</span></div>"


def _numbered(text: str) -> str:
    lines = text.splitlines() or [""]
    more = len(lines) - MAX_TEXT_LINES
    rows = "".join(
        f"<tr><td style='color:#999;text-align:right;padding-right:8px;user-select:none'>{i}</td>"
        f"<td style='white-space:pre'>{escape(line)}</td></tr>"
        for i, line in enumerate(lines[:MAX_TEXT_LINES], 1)
    )
    tail = f"<div style='color:#666'>… {more:,} more lines</div>" if more > 0 else ""
    return f"<div style='font-family:monospace;font-size:12px;max-height:400px;overflow:auto'><table>{rows}</table>{tail}</div>"


def body_html(resp) -> str:
    ctype = resp.content_type
    body = resp.content
    if not body:
        return "<i>(empty body)</i>"
    if resp.is_json:
        try:
            return f"<div style='font-family:monospace;font-size:12px'>{_json_tree(resp.json(), [MAX_JSON_NODES])}</div>"
        except ValueError:
            pass
    if ctype.startswith("image/") and len(body) <= MAX_IMAGE_BYTES:
        data = base64.b64encode(body).decode()
        return f"<img alt='{escape(ctype)}' style='max-width:100%;max-height:400px' src='data:{escape(ctype)};base64,{data}'>"
    if ctype in ("text/html", "application/xhtml+xml"):
        return sandboxed_iframe(resp.text)
    sample = body[:1024]
    if ctype.startswith("text/") or "json" in ctype or "xml" in ctype or "javascript" in ctype or (
        sum(ch < 9 or 13 < ch < 32 for ch in sample) == 0
    ):
        return _numbered(resp.text)
    hexdump = "\n".join(
        f"{i:08x}  {body[i:i + 16].hex(' '):<47}  " + "".join(chr(c) if 32 <= c < 127 else "." for c in body[i:i + 16])
        for i in range(0, min(len(body), 512), 16)
    )
    return f"<pre style='font-size:12px'>{escape(hexdump)}</pre><div style='color:#666'>{len(body):,} bytes of {escape(ctype or 'binary data')}</div>"


def timing_rows(resp) -> list[tuple[str, str, float]]:
    """(label, color, ms) rows that add up to the total: each redirect hop as
    one row, the final request's HAR phases, then what lies between them
    (Python, reading the body, following redirects), always shown so the
    rows are the same from run to run."""
    from .timing import TIMING_PHASES

    def phases(t):
        return [(p, _PHASE_COLORS[p], float(t.get(p, -1) or 0)) for p in TIMING_PHASES if float(t.get(p, -1) or 0) >= 0]

    rows = []
    for i, h in enumerate(resp.history, 1):
        ms = sum(v for _, _, v in phases(h.timings or {}))
        rows.append((f"redirect {i} ({h.status})", "#6b7280", ms))
    rows += phases(resp.timings)
    total = resp.elapsed * 1000
    rows.append(("other", "#d1d5db", max(0.0, total - sum(ms for _, _, ms in rows))))
    return rows


def timing_html(resp) -> str:
    rows = timing_rows(resp)
    total = resp.elapsed * 1000
    scale = max(total, sum(ms for _, _, ms in rows)) or 1.0
    out = []
    offset = 0.0
    for label, color, ms in rows:
        left, width = 100 * offset / scale, max(0.5, 100 * ms / scale)
        out.append(
            f"<tr><td style='padding-right:8px;white-space:nowrap'>{escape(label)}</td><td style='width:320px'>"
            f"<div style='position:relative;height:10px'>"
            f"<div style='position:absolute;left:{left:.1f}%;width:{width:.1f}%;height:10px;background:{color}'>"
            f"</div></div></td><td style='text-align:right;padding-left:8px'>{ms:,.1f} ms</td></tr>"
        )
        offset += ms
    out.append(f"<tr style='border-top:1px solid #ddd'><td><b>total</b></td><td></td>"
               f"<td style='text-align:right;padding-left:8px'><b>{total:,.1f} ms</b></td></tr>")
    return f"<table style='font-size:12px'>{''.join(out)}</table>"


def cookies_view_frame(resp):
    """The cookies set, values masked, without the attribute columns no
    cookie uses (``resp.cookies_frame()`` has them all)."""
    df = resp.cookies_frame()
    keep = ["name", "value", "set_by"]
    for c in df.columns:
        if c not in keep and df[c].astype(bool).any() and (df[c].astype(str) != "").any():
            keep.append(c)
    return df[keep]


def redirects_frame(resp):
    """The redirect hops only (the final request is the badge): one row each."""
    df = resp.history_frame()
    return df.iloc[: len(resp.history)].reset_index(drop=True)


def transcript_frame(resp):
    """The transcript with the arrows printed transcripts use (→ sent, ← received)."""
    return resp.transcript._shown_frame()


def _frame_html(df, title="") -> str:
    from ..table.source import DataFrameSource
    from ..table.static import static_html

    return static_html(DataFrameSource(df), rows=50, title=title)


def _sections(resp) -> list[tuple[str, str]]:
    return [
        ("Body", body_html(resp)),
        (f"Headers ({len(resp.headers)})", _frame_html(resp.headers.to_frame())),
        (f"Cookies ({len(resp.set_cookies())})", _frame_html(cookies_view_frame(resp))),
        ("Timing", timing_html(resp)),
        (f"Redirects ({len(resp.history)})", _frame_html(redirects_frame(resp))),
        ("Transcript", f"<pre style='font-size:12px;max-height:400px;overflow:auto'>{escape(resp.transcript.text())}</pre>"),
        ("Diagram", _diagram_html(resp)),
    ]


def _diagram_html(resp) -> str:
    """The transcript as a ladder diagram (netbook.diagram), scrolling inside the tab."""
    # evenly spaced (timed=False) so the static view is the same on every run; resp.diagram() shows real gaps
    return f"<div style='max-height:520px;overflow:auto'>{resp.diagram(timed=False).html()}</div>"


def response_html(resp) -> str:
    """Static HTML (nbconvert, GitHub): the badge and one <details> per tab."""
    parts = [badge_html(resp)]
    for i, (title, content) in enumerate(_sections(resp)):
        parts.append(f"<details{' open' if i == 0 else ''}><summary>{escape(title)}</summary>{content}</details>")
    return "".join(parts)


def response_widget(resp):
    """ipywidgets: the badge over a Tab of Body, Headers, Cookies, Timing, Redirects, Transcript, Diagram."""
    import ipywidgets as w

    from ..table import Table

    children = [
        w.HTML(body_html(resp)),
        Table(resp.headers.to_frame(), title="headers"),
        Table(cookies_view_frame(resp), title="cookies set"),
        w.HTML(timing_html(resp)),
        Table(redirects_frame(resp), title="redirects"),
        Table(transcript_frame(resp), formats={"bytes": "size"}, title="transcript"),
        w.HTML(_diagram_html(resp)),
    ]
    tab = w.Tab(children=children)
    tab.titles = tuple(title for title, _ in _sections(resp))
    return w.VBox([w.HTML(badge_html(resp)), tab])
