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

from .sort import Cancelled, cancel_scope
from .frame import as_source
from .source import Filter, Source, make_sort, to_json_value
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
    filter_errors = t.Dict().tag(sync=True)  # {column: what is wrong with its expression}

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
        # browser queries run on a worker: a newer one supersedes (cancels) an older one
        self._work_lock = threading.Lock()
        self._generation = 0
        self._wanted = False
        self._worker: threading.Thread | None = None
        self._from_browser = False
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
        self.on_msg(self._on_msg)

    # -- the page -------------------------------------------------------------
    @property
    def page_size(self) -> int:
        return int(self.query.get("size") or 25)

    def set_state(self, sync_data):
        self._from_browser = True  # changes from the browser: see _on_query
        try:
            super().set_state(sync_data)
        finally:
            self._from_browser = False

    def _on_query(self, change=None):
        if self._from_browser:
            self._submit()
        else:  # from Python: synchronous, the page is there when the call returns
            self._refresh()

    def _submit(self):
        """Compute the newest query on a worker thread.  Typing fast does not
        queue work: a query still running when a newer one arrives stops at
        its next pass, and queries in between are skipped."""
        with self._work_lock:
            self._generation += 1
            self._wanted = True
            if self._worker is not None:
                return
            self._worker = threading.Thread(target=self._work, name="netbook-table-query", daemon=True)
            self._worker.start()

    def _work(self):
        while True:
            with self._work_lock:
                if not self._wanted:
                    self._worker = None
                    return
                self._wanted = False
                gen = self._generation
            with cancel_scope(lambda gen=gen: self._generation != gen):
                self._refresh()

    def _refresh(self):
        q = dict(self.query)
        size = max(1, min(int(q.get("size") or 25), 1000))
        sort = make_sort(q.get("sort") or ())
        flt = Filter.make({"text": q.get("text", ""), "columns": q.get("columns") or {}})
        with self._refresh_lock:
            try:
                self.loading = True
                errors = self.source.filter_errors(flt) if flt.columns else {}
                if errors:  # shown in their boxes; the rest of the filter applies
                    flt = Filter(flt.text, tuple((k, v) for k, v in flt.columns if k not in errors))
                if errors != self.filter_errors:
                    self.filter_errors = errors
                start = int(q.get("start") or 0)
                if self.follow and not sort:
                    total_now = self.source.length if not flt else self.source.count(flt)
                    start = max(0, total_now - size)
                elif flt and sort:  # the count shows at once; the sorted page follows
                    self.total = str(self.source.count(flt))
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
            except Cancelled:  # a newer query is on its way
                pass
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

    def _view_spec(self):
        q = self.query or {}
        sort = make_sort(q.get("sort") or ())
        flt = Filter.make({"text": q.get("text", ""), "columns": q.get("columns") or {}})
        errors = self.source.filter_errors(flt) if flt.columns else {}
        if errors:
            flt = Filter(flt.text, tuple((k, v) for k, v in flt.columns if k not in errors))
        return sort, flt

    def copy_text(self) -> str:
        """The selected rows (or the visible page) as TSV, as the copy button copies them."""
        from .export import tsv

        if self.selected_keys:
            rows = self.source.rows_by_key(list(self.selected_keys))
        else:
            sort, flt = self._view_spec()
            start = int(self.start or 0)
            rows = self.source.rows(start, start + self.page_size, sort, flt).rows
        return tsv(self.source, rows)

    def iter_csv(self, chunk_rows: int = 50_000):
        """The current view (sort and filter) as CSV text, ``chunk_rows`` rows
        per chunk: ``open(p, "w").writelines(t.iter_csv())``."""
        from .export import iter_csv

        sort, flt = self._view_spec()
        return iter_csv(self.source, sort, flt, chunk_rows)

    def column_summary(self, name: str) -> dict:
        """One column's summary for the current filter (what the header's Σ shows)."""
        from .export import summary_input
        from .summary import column_summary

        col = self.source.column(name)
        _, flt = self._view_spec()
        df, rows, matcher, note = summary_input(self.source, flt)
        out = column_summary(df, name, col.kind, rows, matcher)
        if col.format == "secret":
            out.update(min=None, max=None, top=[], histogram=None)
        out["note"] = note
        return out

    def summary(self):
        """Every column's summary for the current filter, as a DataFrame."""
        from .summary import summary_frame

        return summary_frame([self.column_summary(c.name) for c in self.source.columns])

    def _on_msg(self, _widget, content, _buffers=None):
        """Requests from the browser: a column summary, the copy text, a CSV download."""
        kind = (content or {}).get("type")
        try:
            if kind == "summary":
                self.send({"type": "summary", "column": content.get("column"),
                           "summary": self.column_summary(str(content.get("column")))})
            elif kind == "copy":
                self.send({"type": "copy", "text": self.copy_text()})
            elif kind == "csv":
                threading.Thread(target=self._send_csv, daemon=True, name="netbook-table-csv").start()
        except Exception as e:  # shown by the browser next to the control that asked
            self.send({"type": kind, "error": f"{type(e).__name__}: {e}"})

    def _send_csv(self):
        sent = 0
        try:
            for i, part in enumerate(self.iter_csv(chunk_rows=20_000)):
                sent += len(part)
                self.send({"type": "csv", "part": i, "data": part, "done": False, "bytes": sent})
            self.send({"type": "csv", "done": True, "bytes": sent, "name": (self.title or "table").replace("/", "_") + ".csv"})
        except Exception as e:
            self.send({"type": "csv", "error": f"{type(e).__name__}: {e}", "done": True})

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
