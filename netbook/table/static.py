"""Static renderings of a Source: HTML for nbconvert/GitHub/nbval and
text for ``text/plain``.  Every value is escaped: hostile data stays text."""
from __future__ import annotations

import html

from .source import Source, text_of

__all__ = ["escape", "static_html", "static_text", "format_cell"]


def escape(s) -> str:
    return html.escape(str(s), quote=True)


def human_size(n) -> str:
    try:
        n = float(n)
    except (TypeError, ValueError):
        return text_of(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n}"  # pragma: no cover


def format_cell(value, kind: str, fmt: str | None) -> str:
    if value is None or text_of(value) == "":
        return ""
    if fmt == "secret":
        return "••••"
    if fmt == "size":
        return human_size(value)
    if fmt == "id":
        return text_of(value)
    if fmt == "ms":
        try:
            return f"{float(value):,.1f} ms"
        except (TypeError, ValueError):
            return text_of(value)
    if kind == "bool":
        return "✓" if value else "✗"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if kind == "float" and isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
    if kind == "bytes" and isinstance(value, (bytes, bytearray)):
        return f"{len(value):,} B: {bytes(value)[:32]!r}"
    if kind == "datetime" and hasattr(value, "strftime"):
        tz = getattr(value, "tzinfo", None)
        utc = tz is not None and value.utcoffset() is not None and value.utcoffset().total_seconds() == 0
        if hasattr(value, "hour"):
            text = value.strftime("%Y-%m-%d %H:%M:%S")
            if getattr(value, "microsecond", 0):
                text += f".{value.microsecond // 1000:03d}"
            return text + ("Z" if utc else (value.strftime("%z") if tz else ""))
        return value.isoformat()
    return text_of(value)


_STYLE = (
    "<style>.netbook-static table{border-collapse:collapse;font-size:12px}"
    ".netbook-static th,.netbook-static td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;"
    "max-width:40em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    ".netbook-static td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".netbook-static .netbook-foot{color:#666;font-size:11px;margin-top:4px}</style>"
)


LONG = 60  # characters past which a static cell may be cut (max-width 40em) and carries its full text on hover


def static_html(source: Source, rows: int = 10, title: str = "") -> str:
    page = source.rows(0, rows)
    cols = source.columns
    head = "".join(f"<th>{escape(c.name)}</th>" for c in cols)
    body = []
    for row in page.rows:
        cells = []
        for c, v in zip(cols, row):
            cls = " class='num'" if c.kind in ("int", "float") or c.format in ("size", "ms", "id") else ""
            text = format_cell(v, c.kind, c.format)
            # a long value is cut by the cell's ellipsis; its full text is the hover (title)
            tip = f" title='{escape(text[:2000])}'" if len(text) > LONG else ""
            cells.append(f"<td{cls}{tip}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    total = source.length
    shown = len(page.rows)
    foot = f"{total:,} rows × {len(cols)} columns"
    if shown < total:
        foot += f" (first {shown} shown)"
    cap = f"<div><b>{escape(title)}</b></div>" if title else ""
    return (
        f"{_STYLE}<div class='netbook-static'>{cap}<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table><div class='netbook-foot'>{escape(foot)}</div></div>"
    )


def static_text(source: Source, rows: int = 5, title: str = "", width: int = 30) -> str:
    page = source.rows(0, rows)
    cols = source.columns
    cells = [[c.name for c in cols]]
    for row in page.rows:
        cells.append([format_cell(v, c.kind, c.format).replace("\n", " ")[:width] for c, v in zip(cols, row)])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(len(cols))).rstrip() for r in cells]
    head = f"{title + ': ' if title else ''}{source.length:,} rows × {len(cols)} columns"
    return head + ("\n" + "\n".join(lines) if cols else "")
