"""``nb.browse(url)``: open a page in the user's own browser.

In a notebook the kernel may run on another machine than the browser, and
browsers only open tabs on a user gesture: so ``browse`` shows a link (a
button-styled ``<a target=_blank rel=noopener>``) that the user clicks.
In a desktop Python (no notebook front-end) it is :mod:`webbrowser`:
``webbrowser.get(using).open(url, new)``.  ``nb.browse.controllers()``
lists the browsers webbrowser knows here.

Only ``http``, ``https`` and ``file`` URLs are accepted (no
``javascript:``/``data:``), and no CR/LF/NUL.
"""
from __future__ import annotations

import html
import urllib.parse
import webbrowser

from ..errors import NetbookError
from ..interpolate import check_line

__all__ = ["browse", "Link", "controllers", "in_notebook"]

_SCHEMES = {"http", "https", "file"}


def in_notebook() -> bool:
    """True inside a Jupyter kernel (a front-end that displays HTML)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def _check(url: str) -> str:
    url = str(url).strip()
    check_line(url, "URL")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise NetbookError(f"browse: only http, https and file URLs are opened (got {scheme or 'no'} scheme)")
    return url


class Link:
    """A link to open ``url`` in the user's browser (shown by the notebook)."""

    def __init__(self, url: str, label: str | None = None):
        self.url = url
        self.label = label or url

    def _repr_html_(self) -> str:
        u = html.escape(self.url, quote=True)
        label = html.escape(self.label)
        return (
            f"<a href=\"{u}\" target=\"_blank\" rel=\"noopener noreferrer\" "
            "style=\"display:inline-block;padding:4px 12px;border:1px solid #888;border-radius:4px;"
            f"text-decoration:none\">Open {label} ↗</a>"
        )

    def __repr__(self) -> str:
        return f"open in your browser: {self.url}"


def controllers():
    """The browsers :mod:`webbrowser` has registered here, as a Table (name,
    controller class, command, default order); empty on a headless machine."""
    import pandas as pd

    from ..table import Table

    try:
        webbrowser.register_standard_browsers()
    except Exception:  # pragma: no cover - platform quirks
        pass
    order = list(getattr(webbrowser, "_tryorder", None) or [])
    rows = []
    for name, (cls, instance) in sorted(getattr(webbrowser, "_browsers", {}).items()):
        ctl = instance if instance is not None else cls
        kind = type(instance).__name__ if instance is not None else getattr(cls, "__name__", str(cls))
        cmd = getattr(instance, "args", None) or getattr(instance, "name", "") or ""
        if isinstance(cmd, list):
            cmd = " ".join(cmd)
        rank = order.index(name) + 1 if name in order else None
        rows.append((name, kind, str(cmd), rank, ctl is not None))
    df = pd.DataFrame(rows, columns=["name", "controller", "command", "order", "usable"])
    df = df.sort_values("order", na_position="last", kind="stable").reset_index(drop=True)
    return Table(df, title="webbrowser controllers")


def browse(url: str, *, new: int = 2, using: str | None = None, label: str | None = None) -> Link | bool:
    """Open ``url``: a link to click in a notebook, ``webbrowser`` elsewhere.

    ``new``: 0 same window, 1 new window, 2 new tab (webbrowser's meaning);
    ``using``: a controller name from ``browse.controllers()``.  Returns a
    :class:`Link` in a notebook, else whether webbrowser reported success.
    """
    url = _check(url)
    if in_notebook() and using is None:
        return Link(url, label)
    try:
        ctl = webbrowser.get(using)
    except webbrowser.Error as e:
        raise NetbookError(f"browse: no runnable browser here ({e}); in a notebook you get a link instead") from None
    return bool(ctl.open(url, new=new))


browse.controllers = controllers
browse.Link = Link
