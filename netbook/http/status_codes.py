"""``nb.http.status(code)`` and ``nb.http.statuses()``: http.HTTPStatus, explained."""
from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..table import Table

__all__ = ["status", "statuses", "status_class", "StatusInfo"]

CLASSES = {1: "1xx informational", 2: "2xx success", 3: "3xx redirection", 4: "4xx client error", 5: "5xx server error"}


def status_class(code: int) -> str:
    return CLASSES.get(int(code) // 100, "unknown")


class StatusInfo:
    """One status code: ``.code``, ``.phrase``, ``.description``, ``.cls``; an HTTPStatus underneath."""

    def __init__(self, st: HTTPStatus):
        self.status = st
        self.code, self.phrase, self.description = int(st), st.phrase, st.description
        self.cls = status_class(st)

    def __int__(self):
        return self.code

    def __eq__(self, other):
        return int(self) == int(other) if isinstance(other, (int, StatusInfo)) else NotImplemented

    def __hash__(self):
        return hash(self.code)

    def __repr__(self):
        return f"{self.code} {self.phrase} ({self.cls}): {self.description}"

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{"code": self.code, "name": self.status.name, "phrase": self.phrase,
                              "description": self.description, "class": self.cls}])

    def _repr_html_(self):
        from ..table.static import escape

        color = {1: "#6b7280", 2: "#15803d", 3: "#1d4ed8", 4: "#b91c1c", 5: "#b91c1c"}[self.code // 100]
        return (f"<span style='background:{color};color:white;padding:1px 8px;border-radius:8px'>"
                f"{self.code} {escape(self.phrase)}</span> <i>{escape(self.cls)}</i> — {escape(self.description)}")


def status(code: int | str | HTTPStatus) -> StatusInfo:
    """``status(404)`` / ``status("NOT_FOUND")`` -> the status with phrase, description and class."""
    try:
        if isinstance(code, str) and not code.isdigit():
            st = HTTPStatus[code.upper().replace(" ", "_").replace("-", "_")]
        else:
            st = HTTPStatus(int(code))
    except (KeyError, ValueError):
        from ..errors import NetbookError

        raise NetbookError(f"{code!r} is not an HTTP status code known to http.HTTPStatus") from None
    return StatusInfo(st)


def statuses_frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([(int(s), s.name, s.phrase, s.description, status_class(s)) for s in HTTPStatus],
                        columns=["code", "name", "phrase", "description", "class"])


def statuses() -> Table:
    """Every http.HTTPStatus value as a Table (code, name, phrase, description, class)."""
    from ..table import Table

    return Table(statuses_frame(), title="HTTP status codes (http.HTTPStatus)")
