"""Arrow extension types for ``ip`` and ``ipnet`` columns: Parquet, Feather,
DuckDB and Dask shuffles keep addresses as addresses.

Storage (what a reader without netbook sees): ``binary``, one value a row,

* ``ip``    -- 17 bytes: the version (``0x04`` or ``0x06``), then the address
  as a 128-bit big-endian number (an IPv4 address in the last 4 bytes, the
  12 before it zero);
* ``ipnet`` -- 18 bytes: the same 17 for the network address, then the prefix
  length (one byte);
* an IPv6 zone id (``fe80::1%eth0``) follows as ``%`` and its UTF-8 text;
* a missing value is null.

Bytes compare as the standard library sorts (``ipaddress.get_mixed_type_key``:
IPv4 before IPv6, then by number, networks then by prefix length), so Parquet
min/max statistics, range filters and ``ORDER BY``/``<`` in DuckDB on the raw
column mean what they say.  The types are named ``netbook.ip`` and
``netbook.ipnet`` (extension metadata ``{"layout": 1}``); a reader that does
not know them gets the storage bytes.

Importing this module registers the types with pyarrow (``netbook.ip.arrays``
imports it, so any use of ``nb.ip`` does).
"""
from __future__ import annotations

from typing import Any

import ipaddress
import json

import numpy as np
import pyarrow as pa

__all__ = ["LAYOUT", "IPNetType", "IPType", "arrow_backed", "decode", "encode", "from_arrow", "sql", "sql_literal",
           "stored", "to_arrow", "to_pandas"]

LAYOUT = 1
_META = json.dumps({"layout": LAYOUT}).encode()
_CHUNK_ROWS = 1 << 26  # 64 Mi rows * 18 bytes stays under binary's 2 GiB offsets


def _arrays() -> Any:
    """netbook.ip.arrays, by name: it imports this module to register the types."""
    import importlib

    return importlib.import_module("netbook.ip.arrays")


class _NetbookType(pa.ExtensionType):
    _ext_name = ""
    _width = 17

    def __init__(self) -> None:
        super().__init__(pa.binary(), self._ext_name)

    def __arrow_ext_serialize__(self) -> bytes:
        return _META

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type, serialized):
        if serialized:
            layout = json.loads(serialized.decode()).get("layout", LAYOUT)
            if layout != LAYOUT:
                raise ValueError(f"{cls._ext_name}: storage layout {layout} is newer than this netbook reads ({LAYOUT})")
        return cls()

    def __reduce__(self):
        return type(self), ()

    def __hash__(self) -> int:  # Dask looks types up in sets
        return hash(self._ext_name)

    def __arrow_ext_class__(self):
        return pa.ExtensionArray

    def __arrow_ext_scalar_class__(self):
        return _AddressScalar


class IPType(_NetbookType):
    """``netbook.ip``: an address a row (pandas dtype ``ip``)."""

    _ext_name = "netbook.ip"
    _width = 17

    def to_pandas_dtype(self):
        IPDtype = _arrays().IPDtype

        return IPDtype()


class IPNetType(_NetbookType):
    """``netbook.ipnet``: a network a row (pandas dtype ``ipnet``)."""

    _ext_name = "netbook.ipnet"
    _width = 18

    def to_pandas_dtype(self):
        IPNetDtype = _arrays().IPNetDtype

        return IPNetDtype()


class _AddressScalar(pa.ExtensionScalar):
    def as_py(self, **kwargs):
        raw = self.value.as_py() if self.value is not None else None
        return None if raw is None else decode_one(raw, self.type._width == 18)


def decode_one(raw: bytes, network: bool = False):
    """One stored value -> the ``ipaddress`` object."""
    zone = None
    w = 18 if network else 17
    if len(raw) > w:
        raw, zone = raw[:w], raw[w + 1:].decode()
    ver, n = raw[0], int.from_bytes(raw[1:17], "big")
    if not network:
        if ver == 4:
            return ipaddress.IPv4Address(n)
        a = ipaddress.IPv6Address(n)
        return ipaddress.IPv6Address(f"{a}%{zone}") if zone else a
    plen = raw[17]
    if ver == 4:
        return ipaddress.IPv4Network((n, plen))
    if zone:
        return ipaddress.IPv6Network(f"{ipaddress.IPv6Address(n)}%{zone}/{plen}")
    return ipaddress.IPv6Network((n, plen))


def _rows(arr) -> np.ndarray:
    """(n, width) uint8: the fixed part of every row (NA rows zero)."""
    n = len(arr)
    w = 18 if hasattr(arr, "plen") else 17
    rows = np.zeros((n, w), dtype=np.uint8)
    rows[:, 0] = arr.ver
    rows[:, 1:9] = arr.hi.astype(">u8").view(np.uint8).reshape(n, 8)
    rows[:, 9:17] = arr.lo.astype(">u8").view(np.uint8).reshape(n, 8)
    if w == 18:
        rows[:, 17] = arr.plen
    return rows


def encode(arr) -> pa.Array:
    """The storage ``binary`` array of an ``IPArray``/``IPNetArray``."""
    n = len(arr)
    valid = arr.ver != 0
    rows = _rows(arr)
    if arr.scope is not None:
        vals = [None if not valid[i] else rows[i].tobytes() + (b"%" + arr.scope[i].encode() if arr.scope[i] is not None else b"")
                for i in range(n)]
        return pa.array(vals, type=pa.binary())
    w = rows.shape[1]
    data = rows[valid].reshape(-1)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.where(valid, w, 0), out=offsets[1:])
    nulls = n - int(valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.BinaryArray.from_buffers(pa.binary(), n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls)


def to_arrow(arr, type=None):
    """``IPArray.__arrow_array__``: the extension array (chunked past 64 Mi rows)."""
    ext = IPNetType() if hasattr(arr, "plen") else IPType()
    if type is not None and not (isinstance(type, pa.DataType) and type in (ext, pa.binary())):
        raise TypeError(f"an {arr.dtype.name} column converts to {ext} (or its binary storage), not {type}")
    if len(arr) > _CHUNK_ROWS:
        chunks = [to_arrow(arr[i:i + _CHUNK_ROWS], type) for i in range(0, len(arr), _CHUNK_ROWS)]
        return pa.chunked_array(chunks)
    storage = encode(arr)
    if type is not None and type == pa.binary():
        return storage
    return pa.ExtensionArray.from_storage(ext, storage)


def from_arrow(array, network: bool):
    """An ``IPArray``/``IPNetArray`` from an Arrow array or chunked array of
    the extension type or its ``binary`` storage (``__from_arrow__``)."""
    IPArray, IPNetArray = _arrays().IPArray, _arrays().IPNetArray

    cls = IPNetArray if network else IPArray
    if isinstance(array, pa.ChunkedArray):
        chunks = [from_arrow(c, network) for c in array.chunks]
        if not chunks:
            return cls._empty(0, None)
        return cls._concat_same_type(chunks) if len(chunks) > 1 else chunks[0]
    if isinstance(array.type, pa.ExtensionType):
        array = array.storage
    if pa.types.is_large_binary(array.type) or pa.types.is_binary_view(array.type):
        array = array.cast(pa.binary())
    if not pa.types.is_binary(array.type):
        raise TypeError(f"cannot read {'ipnet' if network else 'ip'} values from Arrow {array.type}")
    w = 18 if network else 17
    n = len(array)
    if n == 0:
        return cls._empty(0, None)
    _, offbuf, databuf = array.buffers()
    offsets = np.frombuffer(offbuf, dtype=np.int32, count=n + 1, offset=array.offset * 4)
    lengths = np.diff(offsets)
    valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    data = np.frombuffer(databuf, dtype=np.uint8) if databuf is not None else np.zeros(0, np.uint8)
    scope = None
    if (lengths[~valid] == 0).all() and (lengths[valid] == w).all():
        start = offsets[0]
        rows = data[start:start + w * int(valid.sum())].reshape(-1, w)
    else:  # zone ids, or NA rows with bytes (another writer): row by row
        rows = np.zeros((int(valid.sum()), w), dtype=np.uint8)
        scope = np.full(n, None, dtype=object)
        for j, i in enumerate(np.flatnonzero(valid).tolist()):
            raw = data[offsets[i]:offsets[i + 1]].tobytes()
            if len(raw) < w or (len(raw) > w and raw[w:w + 1] != b"%"):
                raise ValueError(f"row {i}: {raw[:40]!r} is not a stored {'network' if network else 'address'} ({w} bytes)")
            rows[j] = np.frombuffer(raw[:w], dtype=np.uint8)
            if len(raw) > w:
                scope[i] = raw[w + 1:].decode()
    ver = np.zeros(n, dtype=np.uint8)
    hi = np.zeros(n, dtype=np.uint64)
    lo = np.zeros(n, dtype=np.uint64)
    ver[valid] = rows[:, 0]
    hi[valid] = np.ascontiguousarray(rows[:, 1:9]).view(">u8").ravel()
    lo[valid] = np.ascontiguousarray(rows[:, 9:17]).view(">u8").ravel()
    if ((ver != 0) & (ver != 4) & (ver != 6)).any():
        raise ValueError("stored version byte is not 4 or 6")
    if network:
        plen = np.zeros(n, dtype=np.uint8)
        plen[valid] = rows[:, 17]
        return cls._from_parts(hi, lo, ver, scope, plen)
    return cls._from_parts(hi, lo, ver, scope)


def stored(value) -> bytes:
    """One address or network (object or text) in the stored layout -- the
    bytes DuckDB compares; ``nb.ip.arrow.sql`` passes ``ipaddress`` parameters
    this way."""
    if isinstance(value, str):
        value = ipaddress.ip_network(value) if "/" in value else ipaddress.ip_address(value)
    zone = getattr(value.network_address if hasattr(value, "prefixlen") else value, "scope_id", None)
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        raw = bytes([value.version]) + int(value.network_address).to_bytes(16, "big") + bytes([value.prefixlen])
    else:
        raw = bytes([value.version]) + int(value).to_bytes(16, "big")
    return raw + (b"%" + zone.encode() if zone else b"")


def sql_literal(value) -> str:
    """A SQL blob literal of one address or network in the stored layout, for
    comparisons in DuckDB (``WHERE client >= {nb.ip.arrow.sql_literal('10.0.0.0')}``)."""
    return "'" + "".join(f"\\x{b:02X}" for b in stored(value)) + "'::BLOB"


# -- registration -------------------------------------------------------------
def _register() -> None:
    for t in (IPType(), IPNetType()):
        try:
            pa.register_extension_type(t)
        except pa.ArrowKeyError:  # already registered (module reloaded)
            pass
    _patch_pandas_metadata()


def _patch_pandas_metadata() -> None:
    """pyarrow writes ``str(dtype)`` ("ip") as the column's ``numpy_type`` in
    the pandas metadata; a reader without netbook then fails on
    ``pandas_dtype("ip")``.  Columns of our extension types get "object"
    instead: with netbook the extension type restores the dtype, without it
    the reader gets the stored bytes."""
    try:
        from pyarrow import pandas_compat as pc
    except ImportError:  # pragma: no cover
        return
    orig = getattr(pc, "get_extension_dtype_info", None)
    if orig is None or getattr(orig, "_netbook", False):
        return

    def get_extension_dtype_info(column):
        if getattr(getattr(column, "dtype", None), "name", None) in ("ip", "ipnet") and hasattr(column.dtype, "__from_arrow__"):
            return "object", None
        return orig(column)

    get_extension_dtype_info._netbook = True  # type: ignore[attr-defined]
    pc.get_extension_dtype_info = get_extension_dtype_info


_register()


def arrow_backed(df):
    """A copy of ``df`` whose ``ip``/``ipnet`` columns hold the Arrow extension
    type (``pd.ArrowDtype``): values and ``.ip`` stay the same, and DuckDB's
    ``duckdb.sql("... from df")`` reads the frame through Arrow (its pandas
    scanner refuses dtypes it does not know, such as ``ip``)."""
    import pandas as pd

    IPDtype, IPNetDtype = _arrays().IPDtype, _arrays().IPNetDtype

    out = df.copy(deep=False)
    for name in out.columns:
        dt = out[name].dtype
        if isinstance(dt, (IPDtype, IPNetDtype)):
            ext = IPNetType() if isinstance(dt, IPNetDtype) else IPType()
            arr = pd.arrays.ArrowExtensionArray(to_arrow(out[name].array))
            out[name] = pd.Series(arr, index=out.index, name=name, dtype=pd.ArrowDtype(ext))
    return out


def decode(values, network: bool = False):
    """An ``ip`` (``ipnet`` with ``network=True``) Series from stored bytes --
    what DuckDB or a reader without netbook returns for the column."""
    import pandas as pd

    name = values.name if isinstance(values, pd.Series) else None
    index = values.index if isinstance(values, pd.Series) else None
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array([None if v is None or v is pd.NA else bytes(v) for v in values], type=pa.binary())
    return pd.Series(from_arrow(values, network), index=index, name=name)


# -- DuckDB over pandas frames --------------------------------------------------
# DuckDB's replacement scan reads a pandas frame through Arrow only when a
# column is a pd.ArrowDtype; otherwise its pandas scanner maps str(dtype) to a
# type and refuses "ip".  sql() runs duckdb.sql where the frames named in the
# query are Arrow tables of themselves; to_pandas() turns the bytes back.
_RUN = compile("__netbook_run__(__netbook_query__, params=__netbook_params__)", "<netbook.ip.arrow.sql>", "eval")


def _has_ip_columns(obj) -> bool:
    import pandas as pd

    if not isinstance(obj, pd.DataFrame):
        return False
    A = _arrays()
    return any(isinstance(dt, (A.IPDtype, A.IPNetDtype)) for dt in obj.dtypes)


def _frame_table(name: str, df) -> pa.Table:
    """The Arrow table DuckDB reads for a frame (index left out, as its pandas scanner does)."""
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise _errors().IPSQLError(f"frame {name!r} cannot go to DuckDB through Arrow: {first}") from e


def _errors() -> Any:
    import importlib

    return importlib.import_module("netbook.errors")


def _param(value):
    if isinstance(value, (ipaddress._BaseAddress, ipaddress._BaseNetwork)):
        return stored(value)
    return value


def sql(query: str, *, params: Any = None, connection: Any = None, **frames: Any) -> Any:
    """``duckdb.sql(query)`` for pandas frames holding ``ip``/``ipnet`` columns.

    Names in ``query`` are found as DuckDB finds them -- keyword arguments
    first, then the caller's variables -- and a DataFrame with an ``ip`` or
    ``ipnet`` column is read through Arrow, where those columns are the stored
    bytes (BLOB): ``WHERE``, ``BETWEEN``, ``ORDER BY``, ``GROUP BY``, ``JOIN``
    and ``min``/``max`` mean what they mean for ``ipaddress``.  ``ipaddress``
    values in ``params`` are passed as those bytes, so ``client = ?`` and
    ``client between $lo and $hi`` work; :func:`sql_literal` writes a literal.
    Returns DuckDB's relation (``.df()`` gives bytes, :func:`to_pandas`
    addresses).  Plain ``duckdb.sql`` cannot read these frames: its pandas
    scanner accepts only the dtypes it names (README, "ip columns as data").
    """
    import sys

    import duckdb

    caller = sys._getframe(1)
    scope: dict[str, Any] = dict(caller.f_globals)
    scope.update(caller.f_locals)
    scope.update(frames)
    for name, value in list(scope.items()):
        if _has_ip_columns(value) and (name in frames or _mentions(query, name)):
            scope[name] = _frame_table(name, value)
    if isinstance(params, dict):
        params = {k: _param(v) for k, v in params.items()}
    elif params is not None:
        params = [_param(v) for v in params]
    scope["__netbook_run__"] = duckdb.sql if connection is None else connection.sql
    scope["__netbook_query__"] = query
    scope["__netbook_params__"] = params
    # DuckDB looks names up in the Python frame that calls it: here, one whose
    # namespace is ``scope``.
    return eval(_RUN, scope)  # noqa: S307 - a fixed expression; the query is data


def _mentions(query: str, name: str) -> bool:
    import re

    return re.search(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])", query, re.IGNORECASE) is not None


def _stored_column(col) -> Any:
    """An ``ip``/``ipnet`` array when every value of a binary column is a stored
    address (network), else None (a column with no value stays bytes)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    t = col.type
    if not (pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t)):
        return None
    if col.null_count == len(col):
        return None
    import pyarrow.compute as pc

    lengths = pc.binary_length(col.cast(pa.binary()))
    lo, hi = pc.min_max(lengths).values()
    lo, hi = lo.as_py(), hi.as_py()
    for network in ((False,) if lo == 17 and hi == 17 else (True,) if lo == hi == 18 else (False, True) if lo >= 17 else ()):
        try:
            arr = from_arrow(col, network)
        except (ValueError, TypeError, UnicodeDecodeError):
            continue
        if _plausible(arr, network):
            return arr
    return None


def _plausible(arr, network: bool) -> bool:
    """IPv4 values fit 32 bits; networks have no host bits and a prefix that fits."""
    v4 = arr.ver == 4
    if (arr.hi[v4] != 0).any() or (arr.lo[v4] >> np.uint64(32) != 0).any():
        return False
    if network:
        valid = arr.ver != 0
        if (arr.plen[valid] > np.where(v4, 32, 128)[valid]).any():
            return False
        hm_hi, hm_lo = _arrays()._hostmask(arr.plen, arr.ver)
        if ((arr.hi & hm_hi) | (arr.lo & hm_lo))[valid].any():
            return False
    return True


def to_pandas(result, *, decode: bool = True):
    """A DataFrame of a DuckDB relation (or an Arrow table, or a ``.df()`` frame)
    whose BLOB columns holding stored addresses or networks come back as
    ``ip``/``ipnet`` -- whatever they were renamed or aggregated to.  A column
    with another byte value, or none at all, stays bytes; ``decode=False``
    keeps them all."""
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        out = result.copy(deep=False)
        cols = range(out.shape[1]) if decode else range(0)
        for i in cols:
            s = out.iloc[:, i]
            if s.dtype != object or not all(v is None or v is pd.NA or isinstance(v, (bytes, bytearray, memoryview)) for v in s):
                continue
            arr = _stored_column(pa.array([None if v is None or v is pd.NA else bytes(v) for v in s], type=pa.binary()))
            if arr is not None:
                out.isetitem(i, pd.Series(arr, index=out.index, name=out.columns[i]))
        return out
    if not isinstance(result, pa.Table):
        get = getattr(result, "to_arrow_table", None) or getattr(result, "arrow", None)
        if get is None:
            raise TypeError(f"to_pandas takes a DuckDB relation, an Arrow table or a DataFrame, not {type(result).__name__}")
        result = get()
        if isinstance(result, pa.RecordBatchReader):
            result = result.read_all()
    out = result.to_pandas()
    if decode:
        for i in range(result.num_columns):
            arr = _stored_column(result.column(i))
            if arr is not None:
                out.isetitem(i, pd.Series(arr, index=out.index, name=out.columns[i]))
    return out
