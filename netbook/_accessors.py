"""The pandas accessors ``.ip``, ``.url`` and ``.uuid``, registered cheaply.

``import netbook`` must not import pandas (it stays under 0.3 s), yet
``pd.Series([...]).url.host`` must work right after ``import netbook``
whichever of the two was imported first.  So:

* if pandas is already imported, :func:`register` runs at once;
* otherwise a post-import hook (a ``sys.meta_path`` finder that wraps
  pandas' own loader, the pattern of ``wrapt``'s post-import hooks) runs
  :func:`register` the moment ``import pandas`` finishes, then removes itself.

:func:`register` uses pandas' documented ``register_series_accessor`` with
small stand-in classes: the first ``s.url`` imports :mod:`netbook.http.urls`
and returns its real :class:`~netbook.http.urls.UrlAccessor`, so registering
costs nothing and the column modules stay lazy.  pandas has no entry point
for accessors, hence the hook.
"""
from __future__ import annotations

import importlib
import sys
import threading
from typing import Any

__all__ = ["ACCESSORS", "register", "install"]

# accessor name -> "module:class" of the real accessor
ACCESSORS = {
    "ip": "netbook.ip.columns:IPAccessor",
    "url": "netbook.http.urls:UrlAccessor",
    "uuid": "netbook.uuids:UUIDAccessor",
}

_lock = threading.Lock()
_registered = False


def _real(name: str) -> Any:
    modname, _, cls = ACCESSORS[name].partition(":")
    return getattr(importlib.import_module(modname), cls)


def _stand_in(name: str) -> type:
    """A class pandas registers; constructing it builds the real accessor."""

    def __new__(cls: type, obj: Any) -> Any:
        return _real(name)(obj)

    doc = (f"``series.{name}``: netbook's {name} column functions "
           f"(the real class is {ACCESSORS[name].replace(':', '.')}; it is imported on first use).")
    return type(f"{name.capitalize()}Accessor", (), {"__new__": __new__, "__doc__": doc,
                                                     "__module__": __name__})


def register() -> None:
    """Register ``.ip``, ``.url`` and ``.uuid`` on ``pandas.Series`` (idempotent).

    Imports pandas if it is not imported yet; netbook itself calls this
    only once pandas is loaded."""
    global _registered
    with _lock:
        if _registered:
            return
        from pandas.api.extensions import register_series_accessor
        import pandas as pd

        for name in ACCESSORS:
            current = pd.Series.__dict__.get(name)
            if current is not None and getattr(current, "_accessor", None) is not None \
                    and getattr(current._accessor, "__module__", "").startswith("netbook"):
                continue  # registered by an earlier copy of this module (importlib.reload)
            register_series_accessor(name)(_stand_in(name))
        _registered = True


class _PostImportLoader:
    """Wraps pandas' loader: run pandas' own ``exec_module``, then register."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        # put the real loader back first, so pandas sees only its own
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        register()


class _PandasHook:
    """A ``sys.meta_path`` finder that only watches for ``import pandas``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pandas":
            return None
        _uninstall()
        spec = None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _PostImportLoader(spec.loader)
        return spec

    def invalidate_caches(self) -> None:
        pass


_hook = _PandasHook()


def _uninstall() -> None:
    try:
        sys.meta_path.remove(_hook)
    except ValueError:
        pass


def install() -> None:
    """Called by ``import netbook``: register now if pandas is loaded, else
    when it is."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and hasattr(pandas, "Series"):
        register()
    elif pandas is None and _hook not in sys.meta_path and not _registered:
        sys.meta_path.insert(0, _hook)
