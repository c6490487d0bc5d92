"""Data out of a Table view: TSV for the clipboard, CSV in pages (a 10M-row
view is never one string), and the frame a column summary runs on."""
from __future__ import annotations

from typing import Iterator

from .source import Filter, Sort, Source, text_of

__all__ = ["tsv", "iter_csv", "summary_input"]

MASK = "••••"


def _frame(source: Source, rows: list[tuple]):
    import pandas as pd

    df = pd.DataFrame(rows, columns=[c.name for c in source.columns])
    for c in source.columns:
        if c.format == "secret":
            df[c.name] = [MASK if text_of(v) else "" for v in df[c.name]]
    return df


def _cell(v) -> str:
    return text_of(v).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv(source: Source, rows: list[tuple]) -> str:
    """Header and rows as tab-separated text (tabs and newlines in values become spaces)."""
    secret = [c.format == "secret" for c in source.columns]
    lines = ["\t".join(c.name for c in source.columns)]
    for r in rows:
        lines.append("\t".join(MASK if s and text_of(v) else _cell(v) for v, s in zip(r, secret)))
    return "\n".join(lines) + "\n"


def iter_csv(source: Source, sort: Sort, flt: Filter, chunk_rows: int = 50_000) -> Iterator[str]:
    """The view as CSV, one chunk of ``chunk_rows`` rows at a time."""
    from .frame import DataFrameSource

    secret = [c.name for c in source.columns if c.format == "secret"]
    start = 0
    while True:
        if isinstance(source, DataFrameSource):  # rows straight from the frame: dtypes kept, no tuples
            total, sel = source.select(sort, flt, start, start + chunk_rows)
            frame = source.df.iloc[sel]
            if secret:
                frame = frame.assign(**{c: [MASK if text_of(v) else "" for v in frame[c]] for c in secret})
        else:
            page = source.rows(start, start + chunk_rows, sort, flt)
            total, frame = page.total, _frame(source, page.rows)
        if start == 0 or len(frame):
            yield frame.to_csv(index=False, header=start == 0, lineterminator="\n")
        start += len(frame)
        if not len(frame) or start >= total:
            return


def summary_input(source: Source, flt: Filter):
    """(DataFrame, row positions or None, Matcher or None, note) to summarise."""
    from .frame import DataFrameSource

    src = source
    if hasattr(source, "_frame") and not isinstance(source, DataFrameSource):
        src = source._frame()  # a StreamSource's current rows
    if isinstance(src, DataFrameSource):
        rows = src._matching(flt) if flt else None
        return src.df, rows, src.matcher, ""
    limit = 100_000
    df = source.to_frame(limit=limit)
    note = f"first {limit:,} of {source.length:,} rows" if source.length > limit else ""
    return df, None, None, note
