"""The lab notebooks that ship with netbook, and copying them out.

In a wheel they live in ``netbook/_labs/``; in a source checkout (an
editable install) they are read from ``notebooks/``.  ``copy_labs`` writes
them for a student (``mode="student"``: worked solutions removed) or a course
(``mode="nbgrader"``: nbgrader's cell metadata), never overwriting a copy
the student has changed unless ``force``.

Exercise cells carry tags: ``solution`` (the worked answer, between
``### BEGIN SOLUTION`` and ``### END SOLUTION``) and ``check`` (the
``ex[i].check(answer)`` call that grades it).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

__all__ = ["lab_dir", "lab_paths", "copy_labs", "transform"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_ASSIGNED = re.compile(r"^(answer\w*)\s*=", re.M)
_CHECK = re.compile(r"^(?P<call>ex\[\d+\]\.check\(.*\))\s*$", re.M)


def lab_dir() -> Path:
    here = Path(__file__).resolve().parent
    for d in (here / "_labs", here.parent / "notebooks"):
        if d.is_dir() and any(d.glob("[0-9][0-9]-*.ipynb")):
            return d
    raise FileNotFoundError("netbook's lab notebooks are not installed (no netbook/_labs, no notebooks/)")


def lab_paths() -> list[Path]:
    return sorted(lab_dir().glob("[0-9][0-9]-*.ipynb"))


def _student_code(source: str) -> str:
    """A solution cell with the worked part replaced by a place for the answer."""
    names = list(dict.fromkeys(_ASSIGNED.findall(source))) or ["answer"]
    if BEGIN in source and END in source:
        head, rest = source.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        blank = "# YOUR CODE HERE: work it out against the lab server\n" + "".join(f"{n} = None\n" for n in names)
        return (head + blank + tail.lstrip("\n")).rstrip("\n")
    return "# YOUR CODE HERE\n" + "".join(f"{n} = None\n" for n in names)


def transform(nb: dict, mode: str) -> dict:
    """A copy of a notebook (nbformat JSON as a dict) for ``mode``:
    ``full`` (unchanged), ``student`` or ``nbgrader``."""
    if mode == "full":
        return nb
    if mode not in ("student", "nbgrader"):
        raise ValueError(f"mode is 'full', 'student' or 'nbgrader', not {mode!r}")
    nb = copy.deepcopy(nb)
    stem = nb.get("metadata", {}).get("netbook", {}).get("lab", "lab")
    for i, cell in enumerate(nb.get("cells", [])):
        tags = set(cell.get("metadata", {}).get("tags", []))
        source = "".join(cell["source"]) if isinstance(cell.get("source"), list) else cell.get("source", "")
        if cell.get("cell_type") == "code" and ("solution" in tags or "check" in tags):
            cell["outputs"] = []
            cell["execution_count"] = None
        if mode == "student" and "solution" in tags:
            cell["source"] = _student_code(source)
        if mode == "nbgrader":
            meta = cell.setdefault("metadata", {})
            gid = f"{stem}-{i:02d}"
            if "solution" in tags:
                meta["nbgrader"] = {"grade": False, "solution": True, "locked": False, "task": False,
                                    "grade_id": gid, "schema_version": 3}
            elif "check" in tags:
                # an autograded test cell fails by raising: a wrong answer's Check raises with its hint
                cell["source"] = _CHECK.sub(lambda m: m.group("call") + ".require()", source)
                meta["nbgrader"] = {"grade": True, "solution": False, "locked": True, "task": False,
                                    "points": 1, "grade_id": gid, "schema_version": 3}
            elif cell.get("cell_type") in ("code", "markdown"):
                meta["nbgrader"] = {"grade": False, "solution": False, "locked": True, "task": False,
                                    "grade_id": gid, "schema_version": 3}
    return nb


def copy_labs(target: str | Path = "netbook-labs", *, force: bool = False, mode: str = "full"):
    """Write the labs into ``target``; returns (written, kept) lists of paths.
    A file already there that differs from what would be written is kept
    (the student's edits) unless ``force``."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for src in lab_paths():
        nb = json.loads(src.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {}).setdefault("netbook", {})["lab"] = src.stem
        text = json.dumps(transform(nb, mode), indent=1, ensure_ascii=False) + "\n"
        dest = target / src.name
        if dest.exists() and not force and dest.read_text(encoding="utf-8") != text:
            kept.append(dest)
            continue
        dest.write_text(text, encoding="utf-8")
        written.append(dest)
    return written, kept
