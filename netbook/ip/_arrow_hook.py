"""Register the ``netbook.ip``/``netbook.ipnet`` Arrow types as soon as
pyarrow is imported, so ``import netbook; pd.read_parquet(...)`` after a
kernel restart gives ``ip`` columns back without touching ``nb.ip`` first.

``import netbook`` must stay fast: nothing heavy is imported here.  If
pyarrow is already loaded the types are registered now; otherwise a finder
waits for pyarrow's import to finish and registers them then.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys


def _register() -> None:
    try:
        importlib.import_module("netbook.ip.arrow")
    except Exception:  # pragma: no cover - never break an import for this
        pass


class _After:
    """A meta path finder (duck-typed: importlib.abc costs 25 ms to import)."""

    def find_spec(self, name, path=None, target=None):
        if name != "pyarrow":
            return None
        sys.meta_path.remove(self)  # one shot; find the real spec without us
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            _register()

        loader.exec_module = exec_then_register  # type: ignore[method-assign]
        return spec


def install() -> None:
    if "pyarrow" in sys.modules:
        _register()
    elif not any(isinstance(f, _After) for f in sys.meta_path):
        sys.meta_path.insert(0, _After())
