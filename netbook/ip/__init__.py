"""IP networks and addresses: the ``nb.ipnet`` view, ``%ipnet`` and the
vectorized ``nb.ip`` columns (pandas ``ip``/``ipnet`` types, ``.ip``).

``nb.ip.<name>`` is :mod:`netbook.ip.columns` (this package forwards its
names there, so ``netbook.ip`` and ``netbook.ip.columns`` read the same).
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ipnet"]


def ipnet(*args: Any, **kwargs: Any) -> Any:
    """See :func:`netbook.ip.view.ipnet`."""
    from .view import ipnet as _ipnet

    return _ipnet(*args, **kwargs)


def __getattr__(name):
    if name.startswith("_"):  # private submodules (``from . import _kernels``) import normally
        raise AttributeError(name)
    if name in ("columns", "dask", "lab", "view", "subnet", "arrays", "intervals", "magics", "arrow", "scalars"):
        return importlib.import_module(f".{name}", __name__)
    cols = importlib.import_module(".columns", __name__)
    try:
        return getattr(cols, name)
    except AttributeError:
        raise AttributeError(f"module 'netbook.ip' has no attribute {name!r}") from None


def __dir__():
    cols = importlib.import_module(".columns", __name__)
    return sorted(set(globals()) | set(cols.__all__))
