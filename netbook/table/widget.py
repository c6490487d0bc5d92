"""``netbook.Table``: the one interactive table widget.

An anywidget over a :class:`~netbook.table.source.Source`.  The browser sends
one ``query`` (page start, page size, sort, filters); Python answers with
that page only.  Offsets and totals travel as decimal strings, so sources
longer than JavaScript's 2**53 page correctly.
"""
from __future__ import annotations

import pathlib
import threading
import weakref

import anywidget
import traitlets as t

from .source import Filter, Source, as_source, make_sort, to_json_value
from .static import static_html, static_text

__all__ = ["Table", "merge_bundle"]


def _asset(name: str) -> pathlib.Path:
    here = pathlib.Path(__file__).resolve().parent
    for p in (here.parent.parent / "widgets" / name, here.parent / "_widgets" / name):
        if p.exists():
            return p
    raise FileNotFoundError(f"netbook widget asset {name} not found")  # pragma: no cover


class Table(anywidget.AnyWidget):
    """An interactive, paged, sortable, filterable table over any Source.

    ``Table(df)``, ``Table(source)``; ``formats={"bytes": "size"}`` refines
    how columns display; ``page_size``; ``title``.  ``table.selected`` holds
    the selected rows, ``table.on_select(fn)`` observes them.
    """

    _esm = _asset("table.js")
    _css = _asset("table.css")

    title = t.Unicode("").tag(sync=True)
    columns = t.List().tag(sync=True)
    sortable = t.Bool(False).tag(sync=True)
    filterable = t.Bool(False).tag(sync=True)
    # set by the browser (or Python): what to show
    query = t.Dict().tag(sync=True)
    # set by Python: what is shown
    rows = t.List().tag(sync=True)
    row_keys = t.List().tag(sync=True)
    start = t.Unicode("0").tag(sync=True)
    total = t.Unicode("0").tag(sync=True)
    length = t.Unicode("0").tag(sync=True)
    page_id = t.Int(0).tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    loading = t.Bool(False).tag(sync=True)
    follow = t.Bool(False).tag(sync=True)
    streaming = t.Bool(False).tag(sync=True)  # the source grows: offer "follow"
    selected_keys = t.List().tag(sync=True)

    def __init__(self, source=None, *, page_size: int = 25, formats=None, title: str = "", follow=None, **kwargs):
        if source is None:
            import pandas as pd

            source = pd.DataFrame()
        src = as_source(source, formats=formats) if formats and not isinstance(source, Source) else as_source(source)
        if formats and isinstance(src, Source):
            from dataclasses import replace

            src.columns = [replace(c, format=formats.get(c.name, c.format)) for c in src.columns]
        self.source: Source = src
        self._refresh_lock = threading.Lock()
        self._pending = None
        super().__init__(
            title=title or getattr(src, "title", "") or "",
            columns=[{**c.to_json(), "sortable": bool(src.sortable and src.can_sort(c.name))} for c in src.columns],
            sortable=bool(src.sortable),
            filterable=bool(src.filterable),
            follow=bool(hasattr(src, "append") if follow is None else follow),
            streaming=bool(hasattr(src, "append")),
            query={"start": "0", "size": int(page_size), "sort": [], "text": "", "columns": {}},
            **kwargs,
        )
        self.observe(self._on_query, names=["query", "follow"])
        self._refresh()
        # Streaming sources notify; a weak callback lets closed views be collected.
        ref = weakref.ref(self)

        def notify(ref=ref):
            w = ref()
            if w is not None:
                w._schedule_refresh()
            else:
                src.unsubscribe(notify)

        self._notify = notify
        src.subscribe(notify)

    # -- the page -------------------------------------------------------------
    @property
    def page_size(self) -> int:
        return int(self.query.get("size") or 25)

    def _on_query(self, change=None):
        self._refresh()

    def _refresh(self):
        q = dict(self.query)
        size = max(1, min(int(q.get("size") or 25), 1000))
        sort = make_sort(q.get("sort") or ())
        flt = Filter.make({"text": q.get("text", ""), "columns": q.get("columns") or {}})
        with self._refresh_lock:
            try:
                self.loading = True
                start = int(q.get("start") or 0)
                if self.follow and not sort:
                    total_now = self.source.length if not flt else self.source.rows(0, 0, sort, flt).total
                    start = max(0, total_now - size)
                page = self.source.rows(start, start + size, sort, flt)
                if page.total and page.start >= page.total:  # filter shrank the result: go to its last page
                    start = max(0, (page.total - 1) // size * size)
                    page = self.source.rows(start, start + size, sort, flt)
                rows = [[to_json_value(v) for v in r] for r in page.rows]
                with self.hold_sync():
                    self.rows = rows
                    self.row_keys = [to_json_value(k) for k in page.keys]
                    self.start = str(page.start)
                    self.total = str(page.total)
                    self.length = str(self.source.length)
                    self.error = ""
                    self.loading = False
                    self.page_id += 1
            except Exception as e:  # shown in the error banner, never a dead widget
                with self.hold_sync():
                    self.error = f"{type(e).__name__}: {e}"
                    self.loading = False
                    self.page_id += 1

    def _schedule_refresh(self, delay: float = 0.2):
        """Coalesce bursts of source changes into one refresh per ``delay``."""
        with self._refresh_lock:
            if self._pending is not None:
                return
            timer = threading.Timer(delay, self._run_pending)
            timer.daemon = True
            self._pending = timer
        timer.start()

    def _run_pending(self):
        with self._refresh_lock:
            self._pending = None
        self._refresh()

    def flush(self):
        """Apply pending source changes now (tests, scripts)."""
        with self._refresh_lock:
            timer, self._pending = self._pending, None
        if timer is not None:
            timer.cancel()
        self._refresh()

    # -- Python-side controls -------------------------------------------------
    def _set(self, **changes):
        q = dict(self.query)
        q.update(changes)
        self.query = q

    def sort_by(self, *columns, ascending=True) -> "Table":
        """Sort by columns (``"-name"`` for descending); no columns clears."""
        spec = []
        for c in columns:
            asc = ascending
            if isinstance(c, str) and c.startswith("-"):
                c, asc = c[1:], not ascending
            self.source.column(c)
            spec.append({"column": c, "ascending": asc})
        self._set(sort=spec, start="0")
        return self

    def filter(self, text: str = "", **columns) -> "Table":
        """Filter by a text match across columns and per-column expressions
        (``size=">1000"``, ``status="404"``, ``time="2024-01-01..2024-02-01"``)."""
        for c in columns:
            self.source.column(c)
        self._set(text=text, columns={k: str(v) for k, v in columns.items()}, start="0")
        return self

    def page(self, n: int) -> "Table":
        """Show page ``n`` (0-based)."""
        self.follow = False
        self._set(start=str(max(0, int(n)) * self.page_size))
        return self

    def goto(self, row: int) -> "Table":
        """Show the page holding row ``row``."""
        return self.page(int(row) // self.page_size)

    @property
    def page_frame(self):
        """The visible page as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=[c["name"] for c in self.columns])

    # -- selection --------------------------------------------------------------
    @property
    def selected(self):
        """The selected rows as a DataFrame (in selection order)."""
        import pandas as pd

        keys = list(self.selected_keys)
        if hasattr(self.source, "frame_by_key"):
            return self.source.frame_by_key(keys)
        return pd.DataFrame(self.source.rows_by_key(keys), columns=[c.name for c in self.source.columns])

    @selected.setter
    def selected(self, keys):
        self.selected_keys = [to_json_value(k) for k in keys]

    def on_select(self, callback, remove: bool = False):
        """Call ``callback(selected_dataframe)`` whenever the selection changes."""

        def handler(change):
            callback(self.selected)

        if remove:
            for h in list(getattr(self, "_select_handlers", {}).get(callback, [])):
                self.unobserve(h, names="selected_keys")
            self._select_handlers.pop(callback, None)
            return
        self._select_handlers = getattr(self, "_select_handlers", {})
        self._select_handlers.setdefault(callback, []).append(handler)
        self.observe(handler, names="selected_keys")

    # -- data out ---------------------------------------------------------------
    def to_frame(self, **kwargs):
        return self.source.to_frame(**kwargs)

    def close(self):
        self.source.unsubscribe(self._notify)
        super().close()

    # -- reprs ------------------------------------------------------------------
    def _view(self):
        """The source as currently sorted and filtered (for static reprs)."""
        q = self.query or {}
        sort = make_sort(q.get("sort") or ())
        flt = Filter.make({"text": q.get("text", ""), "columns": q.get("columns") or {}})
        return _ViewSource(self.source, sort, flt) if (sort or flt) else self.source

    def static_html(self, rows: int = 10) -> str:
        return static_html(self._view(), rows=rows, title=self.title)

    def __repr__(self) -> str:
        return static_text(self._view(), title=self.title)

    def _repr_mimebundle_(self, **kwargs):
        return merge_bundle(super()._repr_mimebundle_(**kwargs), repr(self), self.static_html())


class _ViewSource(Source):
    """A source seen through a fixed sort and filter."""

    def __init__(self, source, sort, flt):
        self._src, self._sort, self._flt = source, sort, flt
        self.columns = source.columns

    @property
    def length(self):
        return self._src.rows(0, 0, self._sort, self._flt).total

    def rows(self, start, stop, sort=(), filter=None):
        return self._src.rows(start, stop, self._sort, self._flt)


def merge_bundle(res, text: str, html: str):
    """A widget's mimebundle plus static ``text/plain`` and ``text/html``
    (what nbconvert, GitHub and nbval show where no widget front-end runs)."""
    data, meta = res if isinstance(res, tuple) else (res, None)
    data = dict(data or {})
    data["text/plain"] = text
    data["text/html"] = html
    return (data, meta) if meta else data
