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

__all__ = ["LAYOUT", "IPNetType", "IPType", "arrow_backed", "decode", "encode", "from_arrow", "sql_literal", "to_arrow"]

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


def sql_literal(value) -> str:
    """A SQL blob literal of one address or network in the stored layout, for
    comparisons in DuckDB (``WHERE client >= {nb.ip.arrow.sql_literal('10.0.0.0')}``)."""
    if isinstance(value, str):
        value = ipaddress.ip_network(value) if "/" in value else ipaddress.ip_address(value)
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        raw = bytes([value.version]) + int(value.network_address).to_bytes(16, "big") + bytes([value.prefixlen])
    else:
        raw = bytes([value.version]) + int(value).to_bytes(16, "big")
    return "'" + "".join(f"\\x{b:02X}" for b in raw) + "'::BLOB"


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
