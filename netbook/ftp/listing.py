"""Directory listings: MLSD facts (RFC 3659) and, for servers without MLSD,
the free-form LIST output of Unix ``ls -l`` and DOS/IIS styles.

Every listing becomes the same rows: name, type (``file``/``dir``/``link``/
``other``), size (bytes; none for directories), modified (UTC), perm (as the server said it).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

__all__ = ["COLUMNS", "from_mlsd", "parse_list_line", "parse_list", "Listing"]

COLUMNS = ["name", "type", "size", "modified", "perm"]

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# drwxr-xr-x   2 owner group      4096 Nov 26 14:16 name   (also without group, and with "1,  3" device sizes)
_UNIX = re.compile(
    r"^(?P<perm>[-dlcbpsD][-rwxsStTlL+.@]{9}[+.@]?)\s+\d+\s+(?:\S+\s+){1,2}?(?P<size>\d+)\s+"
    r"(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<time>\d{1,2}:\d\d|\d{4})\s(?P<name>.+)$"
)
# 11-26-26  02:16PM       <DIR>          name      /    11-26-2026  14:16   1234 name
_DOS = re.compile(
    r"^(?P<date>\d\d-\d\d-\d\d(?:\d\d)?)\s+(?P<time>\d\d:\d\d\s*(?:[AP]M)?)\s+(?P<size><DIR>|\d+)\s+(?P<name>.+)$",
    re.I,
)


def _mlsd_time(value: str | None):
    if not value:
        return None
    try:
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def from_mlsd(entries) -> list[dict]:
    """Rows from ``ftplib.FTP.mlsd()`` pairs; ``.``/``..`` (cdir/pdir) dropped."""
    rows = []
    for name, facts in entries:
        kind = facts.get("type", "").lower()
        if kind in ("cdir", "pdir") or name in (".", ".."):
            continue
        if kind.startswith("os.unix=slink") or kind == "os.unix=symlink":
            kind = "link"
        kind = {"file": "file", "dir": "dir", "link": "link"}.get(kind, "other")
        size = facts.get("size") or facts.get("sizd")
        rows.append({
            "name": name,
            "type": kind,
            "size": int(size) if size and size.isdigit() and kind != "dir" else None,  # no dir sizes (as FileZilla)
            "modified": _mlsd_time(facts.get("modify")),
            "perm": facts.get("unix.mode") or facts.get("perm", ""),
        })
    return rows


def _unix_time(mon: str, day: str, tm: str, now: datetime):
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    try:
        if ":" in tm:  # within the last ~6 months: the year is implied
            hh, mm = (int(x) for x in tm.split(":"))
            t = datetime(now.year, month, int(day), hh, mm, tzinfo=timezone.utc)
            if (t - now).days > 1:
                t = t.replace(year=now.year - 1)
            return t
        return datetime(int(tm), month, int(day), tzinfo=timezone.utc)
    except ValueError:
        return None


def _dos_time(date: str, tm: str):
    fmt_date = "%m-%d-%Y" if len(date) == 10 else "%m-%d-%y"
    tm = tm.replace(" ", "").upper()
    fmt_time = "%I:%M%p" if tm.endswith(("AM", "PM")) else "%H:%M"
    try:
        return datetime.strptime(f"{date} {tm}", f"{fmt_date} {fmt_time}").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse_list_line(line: str, now: datetime | None = None) -> dict | None:
    """One LIST line as a row, or None (``total 12`` and unknown formats)."""
    now = now or datetime.now(timezone.utc)
    line = line.rstrip("\r\n")
    m = _UNIX.match(line)
    if m:
        perm, name = m["perm"], m["name"]
        kind = {"d": "dir", "-": "file", "l": "link"}.get(perm[0], "other")
        if kind == "link" and " -> " in name:
            name = name.split(" -> ", 1)[0]
        if name in (".", ".."):
            return None
        return {"name": name, "type": kind, "size": None if kind == "dir" else int(m["size"]),
                "modified": _unix_time(m["mon"], m["day"], m["time"], now), "perm": perm}
    m = _DOS.match(line)
    if m:
        is_dir = m["size"].upper() == "<DIR>"
        return {"name": m["name"], "type": "dir" if is_dir else "file", "size": None if is_dir else int(m["size"]),
                "modified": _dos_time(m["date"], m["time"]), "perm": ""}
    return None


def parse_list(lines, now: datetime | None = None) -> list[dict]:
    """Rows from LIST output lines (unparseable lines are skipped)."""
    out = []
    for ln in lines:
        row = parse_list_line(ln, now)
        if row is not None:
            out.append(row)
    return out


def frame(rows: list[dict], extra: tuple[str, ...] = ()):
    import pandas as pd

    cols = list(extra) + COLUMNS
    df = pd.DataFrame(rows, columns=cols)
    df["size"] = df["size"].astype("Int64")
    df["modified"] = pd.to_datetime(df["modified"], utc=True)
    return df


class Listing:
    """A directory listing: ``.to_frame()``, a Table in a notebook (static
    HTML and text elsewhere), ``len()``, iteration over names."""

    def __init__(self, url: str, path: str, rows: list[dict], source: str = "MLSD", extra: tuple[str, ...] = ()):
        self.url = url
        self.path = path
        self.rows = rows
        self.source = source  # "MLSD" or "LIST"
        self._extra = extra

    def to_frame(self):
        return frame(self.rows, self._extra)

    @property
    def names(self) -> list[str]:
        return [r.get("path") or r["name"] for r in self.rows]

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.names)

    def __contains__(self, name):
        return name in self.names

    @property
    def title(self) -> str:
        return f"{self.url} — {len(self.rows)} entries ({self.source})"

    def table(self):
        from ..table import Table

        return Table(self.to_frame(), formats={"size": "size"}, title=self.title)

    def __table_source__(self):
        from ..table.source import DataFrameSource

        return DataFrameSource(self.to_frame(), formats={"size": "size"}, title=self.title)

    def __repr__(self):
        from ..table.static import static_text

        return static_text(self.__table_source__(), rows=20, title=self.title)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.table()._repr_mimebundle_(include=include, exclude=exclude)
