"""Every lab's exercises: solved the way the lab notebook solves them (its
tagged solution cells, run in a real IPython shell against the live lab
servers), wrong answers refused with a hint, sheets reproducible by seed."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import netbook as nb
from netbook.exercises import Check, NotYet, labs

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LABS = {"http": "01-http", "web": "02-web", "mail": "03-mail", "ipnet": "04-ipnet", "ftp": "05-ftp",
        "news": "06-news", "telnet": "07-telnet"}


def exercise_cells(stem):
    book = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    return [c for c in book.cells if c.cell_type == "code" and "exercise" in c.metadata.get("tags", [])]


def test_every_lab_has_exercises():
    assert sorted(labs()) == sorted(LABS)
    for stem in LABS.values():
        cells = exercise_cells(stem)
        assert sum("solution" in c.metadata["tags"] for c in cells) >= 4, stem
        assert sum("check" in c.metadata["tags"] for c in cells) >= 4, stem


@pytest.mark.parametrize("lab", sorted(LABS))
def test_the_notebook_solutions_are_right(ipython, lab):
    """Run the lab's exercise cells as a student would; each graded check is ✓."""
    checks = []
    ipython.run_cell("import netbook as nb")
    try:
        for cell in exercise_cells(LABS[lab]):
            tags = cell.metadata.get("tags", [])
            if cell.source.strip() == "ex.stop()":
                continue
            result = ipython.run_cell(cell.source)
            assert result.error_in_exec is None and result.error_before_exec is None, (cell.source, result)
            if "check" in tags:
                assert isinstance(result.result, Check), cell.source
                assert result.result.ok, (cell.source, result.result)
                checks.append(result.result)
        ex = ipython.user_ns["ex"]
        assert ex.lab == lab and len(checks) == len(ex) >= 4
        assert all(e.solved for e in ex)
    finally:
        ex = ipython.user_ns.get("ex")
        if ex is not None:
            ex.stop()


@pytest.mark.parametrize("lab", sorted(LABS))
def test_wrong_answers_get_a_hint_not_the_answer(lab):
    with nb.labs.exercises(lab, seed=11) as ex:
        for e in ex:
            try:
                e.answer
            except NotYet as why:  # the answer needs the student's step first (a mail, a post, a login)
                pending = e.check("anything")
                assert not pending and str(why) in pending.message and "Hint:" in pending.message
                continue
            bad = e.check("certainly not this")
            assert not bad and "Hint:" in bad.message
            assert repr(e.answer) not in bad.message or repr(e.answer) in ("''",)
            assert e.check(None).ok is False
            assert e.check(e.answer).ok  # and the real answer passes
            assert "Answer:" in e.solution() and e.hint()
            assert not bad.__bool__() and "✗" in repr(bad)
            with pytest.raises(AssertionError, match="Hint"):
                bad.require()


@pytest.mark.parametrize("lab", sorted(LABS))
def test_the_same_seed_gives_the_same_sheet(lab):
    with nb.labs.exercises(lab, seed=3) as a:
        qa = [e.question for e in a]
        pa = [{k: v for k, v in e.params.items() if k not in ("url", "port", "host")} for e in a]
    with nb.labs.exercises(lab, seed=3) as b:
        assert [e.question for e in b] == [q for q in qa] or lab in ("mail", "ftp", "web")  # ports differ
        assert [{k: v for k, v in e.params.items() if k not in ("url", "port", "host")} for e in b] == pa
    with nb.labs.exercises(lab, seed=4) as c:
        assert [{k: v for k, v in e.params.items() if k not in ("url", "port", "host")} for e in c] != pa


def test_an_answer_that_needs_a_step_first_says_so_and_is_not_cached():
    import smtplib

    with nb.labs.exercises("mail", seed=5) as ex:
        first = ex[0].check([220, 250, 250, 250, 354, 250, 221])
        assert not first and "no SMTP session has sent" in first.message
        p = ex[0].params
        with smtplib.SMTP("127.0.0.1", p["port"], timeout=10) as s:  # smtplib: EHLO, MAIL, RCPT, DATA, QUIT
            s.sendmail("me@netbook.lab", [p["to"]], f"Subject: {p['subject']}\r\n\r\nhi\r\n")
        assert ex[0].check([220, 250, 250, 250, 354, 250, 221])
        assert ex.to_frame().loc[0, "attempts"] == 2 and ex.to_frame().loc[0, "solved"]


def test_a_sheet_stops_its_servers_and_cleans_up():
    ex = nb.labs.exercises("ftp", seed=1)
    names = {s.name for s in ex.servers}
    assert names <= set(nb.serve.registry())
    ex.stop()
    assert not names & set(nb.serve.registry())


def test_unknown_labs_are_refused_clearly():
    with pytest.raises(ValueError, match="no exercises for lab 'dns'; labs: "):
        nb.labs.exercises("dns")
    assert nb.labs.exercises("04-ipnet", seed=1).lab == "ipnet"  # the notebook's name works too
    assert [e.question for e in nb.ip.lab.exercises(seed=2)] == [e.question for e in nb.labs.exercises("ip", seed=2)]
