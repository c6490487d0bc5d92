"""Static fallbacks that follow the live view.

A Table's output carries the widget (what JupyterLab shows) and a static
``text/html`` / ``text/plain`` (what nbconvert, GitHub and nbval read).  The
static part used to be the snapshot of the moment the cell ran: a server
log shown empty and filled by later cells exported as "0 rows".

With ``%load_ext netbook``, a Table is displayed with a ``display_id``; after
each later cell, the static parts of every Table still open are recomputed
(the visible page as sorted and filtered) and, where they changed, sent as
``update_display_data`` carrying the *same* widget model, so the live widget
is untouched and the saved output shows the last state.  At most one update
per Table per cell (cells are the throttle).

Who applies the update: nbclient (``jupyter nbconvert --execute``,
papermill) and the classic notebook update outputs of earlier cells;
JupyterLab 4 applies ``update_display_data`` only to outputs of the cell that
is running, so there a saved notebook keeps the first snapshot of tables
shown by earlier cells.

``NETBOOK_LIVE_STATIC=0`` turns the updates off (the stored lab notebooks
are nbval references: each output as its own cell produced it).
"""
from __future__ import annotations

import itertools
import os
import weakref
from typing import Any

__all__ = ["enabled", "install", "refresh", "show", "snapshot"]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MAX_TRACKED = 500

_ids = itertools.count(1)
# display_id -> [weakref to the object, widget-view json, last text, last html, execution count shown in]
_live: dict[str, list] = {}
_installed: set[int] = set()


def enabled() -> bool:
    return os.environ.get("NETBOOK_LIVE_STATIC", "1") not in ("0", "false", "no", "off")


# shown with a display_id and kept current: Tables, and views holding a live Table
LIVE_TYPES = [("netbook.table.widget", "Table"), ("netbook.servers.base", "LabServer"), ("netbook.labs", "MailLab")]


def _statics(obj) -> tuple[str, str]:
    live = getattr(obj, "_live_static", None)
    return live() if live is not None else (repr(obj), obj.static_html())


def _count(ip) -> int:
    return int(getattr(ip, "execution_count", 0) or 0)


def show(obj) -> bool:
    """IPython display formatter for live objects: the usual bundle, with a display_id."""
    from IPython import get_ipython
    from IPython.display import display

    from .table.widget import Table

    ip = get_ipython()
    if ip is not None:  # anywidget makes a subclass per instance: register the class they all derive from
        formatter = ip.display_formatter.ipython_display_formatter
        if Table not in formatter.type_printers:
            formatter.for_type(Table, show)
    res = obj._repr_mimebundle_()
    data, meta = res if isinstance(res, tuple) else (res, {})
    data = dict(data or {})
    if not enabled() or WIDGET_MIME not in data:
        display(data, metadata=meta or {}, raw=True)
        return True
    did = f"netbook-{os.getpid()}-{next(_ids)}"
    display(data, metadata=meta or {}, raw=True, display_id=did)
    if len(_live) >= MAX_TRACKED:  # the oldest stop following
        for k in list(_live)[: len(_live) - MAX_TRACKED + 1]:
            _live.pop(k, None)
    _live[did] = [weakref.ref(obj), data[WIDGET_MIME], data.get("text/plain", ""), data.get("text/html", ""),
                  _count(ip) if ip is not None else 0]
    return True


def refresh(force: bool = False) -> int:
    """Send the changed static parts of every live Table; returns how many.
    Tables shown by the running cell wait for a later one (JupyterLab would
    re-render the widget of an output still being written) unless ``force``."""
    from IPython import get_ipython
    from IPython.display import update_display

    if not enabled():
        return 0
    ip = get_ipython()
    now = _count(ip) if ip is not None else 0
    sent = 0
    for did, entry in list(_live.items()):
        obj = entry[0]()
        if obj is None or getattr(obj, "comm", True) is None:  # collected or closed
            _live.pop(did, None)
            continue
        if entry[4] == now and not force:
            continue
        try:
            text, html = _statics(obj)
        except Exception:  # noqa: BLE001, S112 - a source that fails now keeps its last snapshot
            continue
        if text == entry[2] and html == entry[3]:
            continue
        entry[2], entry[3] = text, html
        update_display({WIDGET_MIME: entry[1], "text/plain": text, "text/html": html},
                       raw=True, display_id=did, metadata={"netbook": {"live": True}})
        sent += 1
    return sent


def snapshot() -> list[dict[str, Any]]:
    """The current static parts of every live Table (title, text, html), in
    display order: what a saved notebook shows once updated."""
    out = []
    for did, entry in list(_live.items()):
        obj = entry[0]()
        if obj is None or getattr(obj, "comm", True) is None:
            continue
        text, html = _statics(obj)
        out.append({"display_id": did, "title": getattr(obj, "title", "") or getattr(obj, "name", ""), "text": text, "html": html})
    return out


def _post_run_cell(*_args) -> None:
    try:
        refresh()
    except Exception:  # noqa: BLE001, S110 - never break the user's cell
        pass


def install(ip) -> None:
    """Register the Table display formatter and the after-cell refresh on ``ip``."""
    if ip is None or id(ip) in _installed:
        return
    _installed.add(id(ip))
    for module, name in LIVE_TYPES:
        ip.display_formatter.ipython_display_formatter.for_type_by_name(module, name, show)
    ip.events.register("post_run_cell", _post_run_cell)
