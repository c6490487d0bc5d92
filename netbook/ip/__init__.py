"""IP networks and addresses: the ``nb.ipnet`` view, ``%ipnet`` and the
vectorized ``nb.ip`` columns (pandas ``ip``/``ipnet`` types, ``.ip``)."""
from __future__ import annotations

__all__ = ["ipnet"]


def ipnet(*args, **kwargs):
    """See :func:`netbook.ip.view.ipnet`."""
    from .view import ipnet as _ipnet

    return _ipnet(*args, **kwargs)


def __getattr__(name):
    if name == "columns":
        import importlib

        return importlib.import_module(".columns", __name__)
    raise AttributeError(name)
