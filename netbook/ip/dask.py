"""Larger than memory: the ``nb.ip`` column functions per partition on Dask.

>>> import dask.dataframe as dd, netbook as nb
>>> ddf = dd.from_pandas(df, npartitions=8)
>>> ddf["ip"] = nb.ip.dask.parse(ddf["addr"])          # an "ip" column per partition
>>> ddf["ip"].ip.is_private.sum().compute()             # the .ip accessor works on Dask too
>>> nb.ip.dask.lpm_join(ddf, networks, on="ip").compute()

Importing this module registers the ``ip``/``ipnet`` types with Dask (so
it can build metadata for them) and the ``.ip`` accessor on Dask Series.
"""
from __future__ import annotations

import functools
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.dataframe.extensions import make_array_nonempty, register_series_accessor

from . import columns as C
from .arrays import IPArray, IPDtype, IPNetArray, IPNetDtype

__all__ = ["parse", "parse_network", "lookup", "lpm_join", "DaskIPAccessor"]


@make_array_nonempty.register(IPDtype)
def _nonempty_ip(dtype):
    return IPArray._parse(["10.0.0.1", "2001:db8::1"])[0]


@make_array_nonempty.register(IPNetDtype)
def _nonempty_ipnet(dtype):
    return IPNetArray._parse(["10.0.0.0/8", "2001:db8::/32"])[0]


def _restore_division_dtype() -> None:
    """Dask hands ``set_partitions_pre`` the divisions as an object Series
    (``pd.Series(tuple_of_scalars)``), so each partition's rows are placed by
    comparing Python objects, twice when the column has NA.  For an ``ip``/
    ``ipnet`` column the divisions go back to the column's dtype first, and
    ``IPArray.searchsorted`` places the rows by their numbers (same answer,
    5x less time for set_index at 1M rows: benchmarks/ip_shuffle.py).  Only a speed-up: if a
    Dask version moves this function, nothing is patched and the scalars'
    own order still gives the same partitions."""
    try:
        from dask.dataframe.dask_expr import _shuffle
    except ImportError:  # pragma: no cover - older Dask
        return
    cls: Any = getattr(_shuffle, "_SetPartitionsPreSetIndex", None)
    orig = getattr(cls, "operation", None)
    if orig is None or getattr(orig, "func", None) is _set_partitions_pre:
        return
    cls.operation = staticmethod(functools.partial(_set_partitions_pre, orig))


def _set_partitions_pre(orig, s, divisions, *args, **kwargs):
    if isinstance(getattr(s, "dtype", None), (IPDtype, IPNetDtype)) and getattr(divisions, "dtype", None) == np.dtype(object):
        divisions = pd.Series(type(s.array)._from_sequence(list(divisions)))
    return orig(s, divisions, *args, **kwargs)


_restore_division_dtype()


def parse(s: dd.Series, errors: str = "raise") -> dd.Series:
    """:func:`netbook.ip.columns.parse` per partition."""
    meta = pd.Series(IPArray._empty(0, IPDtype()), name=s.name)
    return s.map_partitions(C.parse, errors=errors, meta=meta)


def parse_network(s: dd.Series, strict: bool = True, errors: str = "raise") -> dd.Series:
    meta = pd.Series(IPNetArray._empty(0, IPNetDtype()), name=s.name)
    return s.map_partitions(C.parse_network, strict=strict, errors=errors, meta=meta)


def lookup(s: dd.Series, networks: pd.DataFrame, network: str = "network") -> dd.DataFrame:
    """Longest-prefix match per partition (``networks`` is a pandas frame,
    sent to every partition)."""
    return s.map_partitions(C.lookup, networks, network=network)


def lpm_join(ddf: dd.DataFrame, networks: pd.DataFrame, on: str, network: str = "network", suffix: str = "_net") -> dd.DataFrame:
    """``df`` joined with ``networks`` by longest-prefix match, per partition."""
    return ddf.map_partitions(C.lpm_join, networks, on=on, network=network, suffix=suffix)


class PartitionAccessor:
    """``dask_series.<accessor>.<name>``: a pandas accessor applied per
    partition.  Subclasses name the ``accessor``, the ``module`` whose import
    registers it (a worker process imports it too) and the pandas accessor
    class (``_pandas_class``)."""

    accessor = ""
    module = ""

    def __init__(self, s: dd.Series):
        self._s = s

    def _pandas_class(self) -> type:
        raise NotImplementedError

    def _call(self, name, *args, **kwargs):
        accessor, module = self.accessor, self.module

        def f(part, *a, **k):
            import importlib

            importlib.import_module(module)  # a worker process registers the accessor here
            attr = getattr(getattr(part, accessor), name)
            return attr(*a, **k) if callable(attr) else attr

        return self._s.map_partitions(f, *args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._pandas_class(), name, None)
        if attr is None:
            raise AttributeError(f"the .{self.accessor} accessor has no {name!r}")
        if isinstance(attr, property):
            return self._call(name)
        return lambda *a, **k: self._call(name, *a, **k)


@register_series_accessor("ip")
class DaskIPAccessor(PartitionAccessor):
    """``dask_series.ip.<name>``: the pandas ``.ip`` accessor per partition."""

    accessor, module = "ip", "netbook.ip.columns"

    def _pandas_class(self) -> type:
        return C.IPAccessor

