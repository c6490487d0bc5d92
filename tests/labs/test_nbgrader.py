"""`netbook labs --nbgrader` round trip with nbgrader itself: generate the
assignment, a student fills it in, the autograder runs it against the live
lab servers and gives full marks; an empty submission gets none."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from netbook.labfiles import copy_labs

LAB = "05-ftp"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                       timeout=600, env={**os.environ, "PYTHONWARNINGS": "ignore",  # nbgrader runs alembic from PATH
                                "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")})
    assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])
    return r


def test_generate_and_autograde_a_lab(tmp_path):
    course = tmp_path / "course"
    (course / "source" / "lab05").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'net101'\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    full = tmp_path / "full"
    copy_labs(full, mode="full")
    graded = tmp_path / "graded"
    copy_labs(graded, mode="nbgrader")
    (course / "source" / "lab05" / f"{LAB}.ipynb").write_text((graded / f"{LAB}.ipynb").read_text())

    nbgrader(course, "db", "student", "add", "ada")
    nbgrader(course, "db", "student", "add", "bob")
    nbgrader(course, "generate_assignment", "lab05", "--force")
    release = json.loads((course / "release" / "lab05" / f"{LAB}.ipynb").read_text())
    solutions = [c for c in release["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert len(solutions) >= 4
    assert all("BEGIN SOLUTION" not in "".join(c["source"]) for c in solutions)  # nbgrader removed them

    # ada fills in every solution cell (the worked answers); bob hands in the sheet as released
    ada = json.loads(json.dumps(release))
    filled = 0
    full_cells = [c for c in json.loads((full / f"{LAB}.ipynb").read_text())["cells"]
                  if "solution" in c["metadata"].get("tags", [])]
    for cell, answer in zip([c for c in ada["cells"] if c["metadata"].get("nbgrader", {}).get("solution")], full_cells):
        cell["source"] = answer["source"]
        filled += 1
    assert filled == len(solutions)
    for who, book in (("ada", ada), ("bob", release)):
        d = course / "submitted" / who / "lab05"
        d.mkdir(parents=True)
        (d / f"{LAB}.ipynb").write_text(json.dumps(book))

    nbgrader(course, "autograde", "lab05", "--force")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        ada_sub = gb.find_submission("lab05", "ada")
        bob_sub = gb.find_submission("lab05", "bob")
        assert ada_sub.max_score == len(solutions)
        assert ada_sub.score == ada_sub.max_score
        assert bob_sub.score == 0
