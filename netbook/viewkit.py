"""Helpers shared by the composite views (mail folder view, news view,
Response view): a Table whose rows are switched in place, instead of a new
Table replacing the old one.

Replacing a container's child widget and closing the old one races in the
front-end (the old view is removed twice: "Cannot read properties of null
(reading 'processLuminoMessage')").  A view that keeps its Table widgets and
switches what they show has nothing to close.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .table.source import Filter, Page, Sort, Source

__all__ = ["SwitchSource", "empty_frame", "switch_table"]


class SwitchSource(Source):
    """A Source showing another one, which ``set()`` replaces (subscribers,
    i.e. the Table over it, are told)."""

    def __init__(self, inner: Source):
        self._inner = inner
        self._subs: list[Callable[[], None]] = []

    @property
    def inner(self) -> Source:
        return self._inner

    def set(self, inner: Source) -> None:
        self._inner = inner
        for cb in list(self._subs):
            try:
                cb()
            except Exception:  # noqa: BLE001, S110 - a closed view must not break the others
                pass

    # the Source protocol, delegated
    @property
    def columns(self):  # type: ignore[override]
        return self._inner.columns

    @columns.setter
    def columns(self, value) -> None:  # Table(formats=...) refines the columns of what it shows
        self._inner.columns = value

    @property
    def sortable(self) -> bool:  # type: ignore[override]
        return bool(self._inner.sortable)

    @property
    def filterable(self) -> bool:  # type: ignore[override]
        return bool(self._inner.filterable)

    @property
    def title(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "title", "") or ""

    @property
    def length(self) -> int:
        return self._inner.length

    def rows(self, start: int, stop: int, sort: Sort = (), filter: Filter | None = None) -> Page:
        return self._inner.rows(start, stop, sort, filter)

    def rows_by_key(self, keys):
        return self._inner.rows_by_key(keys)

    def frame_by_key(self, keys):
        if hasattr(self._inner, "frame_by_key"):
            return self._inner.frame_by_key(keys)
        import pandas as pd

        return pd.DataFrame(self._inner.rows_by_key(keys), columns=[c.name for c in self._inner.columns])

    def to_frame(self, limit: int | None = None):
        return self._inner.to_frame(limit)

    def subscribe(self, callback: Callable[[], None]) -> None:
        if callback not in self._subs:
            self._subs.append(callback)
        self._inner.subscribe(callback)

    def unsubscribe(self, callback: Callable[[], None]) -> None:
        if callback in self._subs:
            self._subs.remove(callback)
        self._inner.unsubscribe(callback)


def switch_table(table: Any, inner: Source | Any, title: str | None = None, formats: dict | None = None) -> None:
    """Show ``inner`` (a Source or a DataFrame) in ``table``, a Table over a
    SwitchSource: selection cleared, first page, no sort or filter kept."""
    from dataclasses import replace

    from .table.source import as_source

    src = inner if isinstance(inner, Source) else as_source(inner)
    if formats:
        src.columns = [replace(c, format=formats.get(c.name, c.format)) for c in src.columns]
    sw: SwitchSource = table.source
    old = sw.inner
    for cb in list(sw._subs):
        old.unsubscribe(cb)
        src.subscribe(cb)
    if table.selected_keys:
        table.selected_keys = []
    sw._inner = src
    q = dict(table.query)
    q.update(start="0", sort=[], text="", columns={})
    with table.hold_sync():
        table.columns = [c.to_json() for c in src.columns]
        table.sortable = bool(src.sortable)
        table.filterable = bool(src.filterable)
        table.streaming = bool(hasattr(src, "append"))
        table.title = title if title is not None else (getattr(src, "title", "") or "")
        table.query = q  # refreshes the page
    table.flush()


def empty_frame(columns) -> Any:
    import pandas as pd

    return pd.DataFrame({c: [] for c in columns})
