"""Plain SVG text for ladders (no dependency, no script, no network): it
renders inline in JupyterLab, in nbconvert HTML and on GitHub, and its text
is selectable.  Hover is ``<title>``; sizes are bounded."""
from __future__ import annotations

import math
import re

from .model import Arrow, Fold, Ladder

__all__ = ["COLORS", "FONT", "MAX_ROWS", "MAX_SVG_BYTES", "esc", "render_ladder"]

FONT = "ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace"
COLORS = {"command": "#1d4ed8", "reply": "#374151", "error": "#dc2626", "body": "#6b7280", "data": "#ea580c",
          "option": "#7c3aed", "auth": "#b45309", "continuation": "#0891b2", "note": "#6b7280",
          "tls": "#7c3aed", "autherror": "#dc2626"}
MARK_COLORS = {"tls": "#7c3aed", "auth": "#15803d", "autherror": "#dc2626", "note": "#6b7280"}
MAX_ROWS = 300  # arrows drawn in one SVG
MAX_SVG_BYTES = 240_000  # one SVG never grows past this (then: "… N more not drawn")
LANE_GAP = 320
LEFT = 84  # time labels
ROW = 22
TOP = 46
CHAR_W = 6.6  # 11px monospace
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def esc(text: str) -> str:
    """Escaped for SVG/XML text and attributes (control characters, which XML forbids, shown as �)."""
    return (_CTRL.sub("\ufffd", str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:max(1, chars - 1)] + "…"


def fmt_t(seconds: float) -> str:
    return f"+{seconds * 1000:,.1f} ms" if seconds < 10 else f"+{seconds:,.2f} s"


def _gap(dt: float) -> tuple[float, bool]:
    """Extra vertical space for a real time gap; long gaps are compressed (and marked)."""
    if dt < 0.002:
        return 0.0, False
    if dt <= 1.0:
        return min(36.0, 9.0 * math.log10(dt / 0.002) + 2), False
    return 40.0, True


def lane_x(i: int) -> float:
    return LEFT + 70 + i * LANE_GAP


def render_ladder(ladder: Ladder, folded: bool = True, max_rows: int = MAX_ROWS, max_bytes: int = MAX_SVG_BYTES,
                  timed: bool = True, heading: str | None = None) -> str:
    """The ladder as one ``<svg>`` element (folds drawn once with "× n")."""
    arrows = ladder.arrows
    folds = {f.start: f for f in ladder.folds()} if folded else {}
    marks_at: dict[int, list] = {}
    for m in ladder.marks:
        marks_at.setdefault(m.at, []).append(m)
    n_lanes = max(2, len(ladder.lanes))
    width = int(lane_x(n_lanes - 1) + 200)
    body: list[str] = []
    size = 0
    y = TOP + 18.0
    prev_t = arrows[0].t if arrows else 0.0
    ys: dict[int, float] = {}
    rows = 0
    i = 0
    not_drawn = 0
    while i < len(arrows):
        if rows >= max_rows or size >= max_bytes:
            not_drawn = len(arrows) - i
            break
        for m in marks_at.pop(i, ()):
            y += 4
            body.append(_mark(m.text, m.kind, y, width))
            y += 16
        a = arrows[i]
        if timed:
            extra, broken = _gap(a.t - prev_t)
            if broken:
                body.append(_break(y + extra / 2, width, a.t - prev_t))
            y += extra
        f = folds.get(i)
        if f is not None:
            part, y, last_t = _fold(ladder, f, y, ys)
            body.append(part)
            size += len(part)
            rows += f.period
            prev_t = last_t
            i = f.end
            continue
        y += ROW
        ys[i] = y
        part = _arrow(ladder, a, i, y)
        body.append(part)
        size += len(part)
        rows += 1
        prev_t = a.t
        i += 1
    for at in sorted(marks_at):  # marks after the last arrow (a final "authenticated" etc.)
        if at <= len(arrows) and not not_drawn:
            for m in marks_at[at]:
                y += 4
                body.append(_mark(m.text, m.kind, y, width))
                y += 16
    linked = [(p, j) for j, p in enumerate(a.pair for a in arrows) if p is not None and p in ys and j in ys]
    pairs = [_pair(ys[p], ys[j], k) for k, (p, j) in enumerate(linked)]
    body.extend(pairs)
    if not_drawn:
        y += ROW
        body.append(f'<text class="bound" x="{LEFT}" y="{y:.0f}" font-size="11" fill="#b91c1c">… {not_drawn:,} more '
                    f'arrows not drawn (the diagram is bounded; .to_frame() has every row)</text>')
    if ladder.truncated:
        y += ROW
        body.append(f'<text x="{LEFT}" y="{y:.0f}" font-size="11" fill="#b91c1c">… the transcript itself was cut '
                    f'at its max_bytes</text>')
    height = int(y + 24)
    lanes = []
    for k, name in enumerate(ladder.lanes):
        x = lane_x(k)
        lanes.append(
            f'<g class="lane" data-lane="{esc(name)}"><rect x="{x - 70:.0f}" y="{TOP - 22}" width="140" height="20" rx="4" '
            f'fill="#f3f4f6" stroke="#9ca3af"/><text x="{x:.0f}" y="{TOP - 8}" text-anchor="middle" font-size="11" '
            f'font-weight="bold">{esc(_clip(name, 22))}</text><line x1="{x:.0f}" y1="{TOP}" x2="{x:.0f}" '
            f'y2="{height - 8}" stroke="#9ca3af" stroke-width="1"/></g>')
    title = heading if heading is not None else ladder.title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="netbook-ladder" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" aria-label="{esc(title)}" '
        f'data-protocol="{esc(ladder.protocol)}" data-arrows="{len(arrows)}">'
        f'<title>{esc(title)}</title>'
        '<defs><marker id="nbh" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>'
        f'<rect width="{width}" height="{height}" fill="white"/>'
        f'<text x="8" y="14" font-size="12" font-weight="bold">{esc(_clip(title, width // 7))}</text>'
        + "".join(lanes) + "".join(body) + "</svg>"
    )


def _arrow(ladder: Ladder, a: Arrow, i: int, y: float, count: int = 1, period_note: str = "") -> str:
    x1, x2 = lane_x(a.src), lane_x(a.dst)
    color = COLORS.get(a.kind, "#374151")
    span = abs(x2 - x1) or LANE_GAP
    chars = int((span - 16) / CHAR_W)
    suffix = f"  × {count:,}" if count > 1 else ""
    label = _clip(a.label, chars - len(suffix)) + suffix
    dash = ' stroke-dasharray="5 3"' if a.kind in ("body", "data") else ""
    width = 2.4 if count > 1 else 1.3
    hover = [(f"{fmt_t(a.t)} · {ladder.lanes[a.src] if a.src < len(ladder.lanes) else a.src} → "
              f"{ladder.lanes[a.dst] if a.dst < len(ladder.lanes) else a.dst} · {a.nbytes:,} B · {a.kind}")]
    if count > 1:
        hover.append(f"repeated × {count:,}{period_note}")
    hover.append(a.label)
    if a.detail:
        hover.append(a.detail)
    mid = (x1 + x2) / 2
    if a.via is not None:  # relayed by a proxy: a dot on its lane; the label sits beyond it
        xv = lane_x(a.via)
        mid = (xv + x2) / 2 if abs(x2 - xv) > abs(x1 - xv) else (x1 + xv) / 2
        chars = int((max(abs(x2 - xv), abs(x1 - xv)) - 16) / CHAR_W)
        label = _clip(a.label, chars - len(suffix)) + suffix
        hover.insert(1, f"relayed by {ladder.lanes[a.via]}")
    via = (f'<circle cx="{lane_x(a.via):.0f}" cy="{y:.0f}" r="3.5" fill="white" stroke="{color}"/>'
           if a.via is not None else "")
    gx = min(x1, x2)
    bold = ' font-weight="bold"' if a.kind == "error" else ""
    return (
        f'<g class="arrow" data-i="{i}" data-kind="{a.kind}" data-src="{a.src}" data-dst="{a.dst}" data-count="{count}">'
        f'<title>{esc(chr(10).join(hover))}</title>'
        f'<rect x="{gx:.0f}" y="{y - 15:.0f}" width="{span:.0f}" height="19" fill="transparent"/>'
        f'<text x="{LEFT - 6}" y="{y + 3:.0f}" text-anchor="end" font-size="9.5" fill="#9ca3af">{esc(fmt_t(a.t))}</text>'
        f'<line x1="{x1:.0f}" y1="{y:.0f}" x2="{x2:.0f}" y2="{y:.0f}" stroke="{color}" stroke-width="{width}"{dash} '
        f'marker-end="url(#nbh)"/>{via}'
        f'<text x="{mid:.0f}" y="{y - 4:.0f}" text-anchor="middle" font-size="11" fill="{color}"'
        f'{bold}>{esc(label)}</text></g>'
    )


def _fold(ladder: Ladder, f: Fold, y: float, ys: dict) -> tuple[str, float, float]:
    """The first block of a fold, each arrow marked × count, with a bracket."""
    parts = []
    y0 = y
    first = f.start
    last = f.end - 1
    t_span = ladder.arrows[last].t - ladder.arrows[first].t
    note = f" in {t_span * 1000:,.1f} ms" if t_span < 10 else f" in {t_span:,.2f} s"
    for k in range(f.period):
        y += ROW
        ys[first + k] = y
        parts.append(_arrow(ladder, ladder.arrows[first + k], first + k, y, f.count, note))
    x = lane_x(max(2, len(ladder.lanes)) - 1) + 40
    tip = esc(f"{f.count:,} repeats of {f.period} arrow(s){note}; unfold below the diagram")
    parts.append(
        f'<g class="fold" data-start="{f.start}" data-period="{f.period}" data-count="{f.count}">'
        f'<title>{tip}</title>'
        f'<path d="M{x - 6:.0f},{y0 + 6:.0f} h6 v{y - y0:.0f} h-6" fill="none" stroke="#7c3aed" stroke-width="1.5"/>'
        f'<text x="{x + 6:.0f}" y="{(y0 + y) / 2 + 12:.0f}" font-size="12" font-weight="bold" fill="#7c3aed">'
        f'× {f.count:,}</text></g>')
    return "".join(parts), y, ladder.arrows[last].t


def _mark(text: str, kind: str, y: float, width: int) -> str:
    color = MARK_COLORS.get(kind, "#6b7280")
    return (f'<g class="mark" data-kind="{kind}"><line x1="{LEFT}" y1="{y:.0f}" x2="{width - 10}" y2="{y:.0f}" '
            f'stroke="{color}" stroke-dasharray="2 3"/><text x="{LEFT + 4}" y="{y + 12:.0f}" font-size="10.5" '
            f'fill="{color}" font-weight="bold">{esc(text)}</text></g>')


def _break(y: float, width: int, dt: float) -> str:
    return (f'<g class="gap"><path d="M{LEFT},{y - 3:.0f} l8,6 l8,-6 l8,6" fill="none" stroke="#9ca3af"/>'
            f'<text x="{LEFT + 30}" y="{y + 4:.0f}" font-size="10" fill="#6b7280">≈ {dt:,.2f} s later '
            f'(gap compressed)</text></g>')


def _pair(y1: float, y2: float, k: int) -> str:
    x = lane_x(0) - 10 - (k % 3) * 4
    return (f'<path class="pair" d="M{x + 8:.0f},{y1:.0f} h-8 V{y2:.0f} h8" fill="none" stroke="#93c5fd" '
            f'stroke-width="1"/>')
