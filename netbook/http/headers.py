"""``Headers``: HTTP header fields, case-insensitive, repeated fields kept, in order."""
from __future__ import annotations

from typing import Iterable, Iterator

from ..transcript import MASK, redact_line

__all__ = ["Headers", "SECRET_HEADERS"]

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)


class Headers:
    """An ordered multi-dict of header fields.

    ``h["content-type"]`` (any case) gives the value; a repeated field gives
    its values joined with ``", "`` (RFC 9110), except ``Set-Cookie`` which
    cannot be joined (use ``h.get_all("set-cookie")``).  ``.items()`` keeps
    every field in wire order.  Secrets are masked in reprs and tables unless
    ``reveal=True``.
    """

    def __init__(self, fields: Iterable[tuple[str, str]] | dict | None = None):
        if isinstance(fields, dict):
            fields = fields.items()
        elif fields is not None and hasattr(fields, "items") and not isinstance(fields, Headers):
            fields = fields.items()
        elif isinstance(fields, Headers):
            fields = fields.items()
        self._fields: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (fields or ())]

    # -- mapping -----------------------------------------------------------------
    def get_all(self, name: str) -> list[str]:
        n = name.lower()
        return [v for k, v in self._fields if k.lower() == n]

    getlist = get_all

    def get(self, name: str, default=None):
        values = self.get_all(name)
        if not values:
            return default
        if name.lower() == "set-cookie":
            return values[0]
        return ", ".join(values)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and any(k.lower() == name.lower() for k, _ in self._fields)

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for k, _ in self._fields:
            if k.lower() not in seen:
                seen.add(k.lower())
                yield k

    def keys(self) -> list[str]:
        return list(self)

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other) -> bool:
        if isinstance(other, Headers):
            return [(k.lower(), v) for k, v in self._fields] == [(k.lower(), v) for k, v in other._fields]
        return NotImplemented

    def add(self, name: str, value: str) -> None:
        self._fields.append((str(name), str(value)))

    def copy(self) -> "Headers":
        return Headers(self._fields)

    # -- presenting ----------------------------------------------------------------
    def masked_items(self, reveal: bool = False) -> list[tuple[str, str]]:
        if reveal:
            return self.items()
        out = []
        for k, v in self._fields:
            if k.lower() in SECRET_HEADERS:
                v = redact_line(f"{k}: {v}").split(":", 1)[1].strip() if v else v
                if v == "" or v is None:
                    v = MASK
            out.append((k, v))
        return out

    def to_frame(self, reveal: bool = False):
        import pandas as pd

        return pd.DataFrame(self.masked_items(reveal), columns=["name", "value"])

    def table(self, reveal: bool = False):
        from ..table import Table

        return Table(self.to_frame(reveal), title="headers")

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self.masked_items())
        return f"Headers({{{inner}}})"

    def text(self, reveal: bool = False) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.masked_items(reveal))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.table()._repr_mimebundle_(include=include, exclude=exclude)
