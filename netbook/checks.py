"""Exercises that check themselves: the pieces every lab's sheet shares
(a low-level module: the IP lab in ``netbook.ip`` and the sheets in
``netbook.exercises`` both build on it).

An :class:`Exercise` has a question (its parameters come from the sheet's
seed), a hint, a worked solution and ``check(answer)``.  Its answer is never
typed in: it is a function that asks the live lab server (or the standard
library) when it is first needed, so a question and its answer cannot drift.
A :class:`Sheet` is the list of a lab's exercises plus the lab servers it
started; stop it (or use it as a context manager) when done.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable

__all__ = ["Check", "Exercise", "Sheet", "NotYet", "same_int", "same_text", "same_set", "same_seq", "same_tuple"]

_UNSET = object()


class NotYet(Exception):
    """Raised by an answer function when the student has not done the step
    the answer depends on yet (nothing is cached; check again later)."""


@dataclass
class Check:
    """The verdict on one answer: truthy when right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✓ " if self.ok else "✗ ") + self.message

    def _repr_html_(self) -> str:
        color = "#2e7d32" if self.ok else "#c62828"
        return (f"<div class='netbook-check' style='color:{color}'><b>{'✓' if self.ok else '✗'}</b> "
                f"{html.escape(self.message)}</div>")

    def require(self) -> "Check":
        """Raise ``AssertionError`` (with the hint) unless right: for autograders."""
        if not self.ok:
            raise AssertionError(self.message)
        return self


class Exercise:
    """One question of a lab sheet.

    ``answer`` is a value or a function of no arguments computing it from the
    live lab server (called once, on the first ``check``/``solution``);
    ``same(given, answer)`` compares (default: equal after ``str().strip()``);
    ``how`` is the worked method, ``explain`` why the answer is what it is.
    """

    def __init__(self, number: int, question: str, answer: Any, *, explain: str = "", hint: str = "",
                 how: str = "", same: Callable[[Any, Any], bool] | None = None, params: dict | None = None):
        self.number = number
        self.question = question
        self._answer = answer
        self._value: Any = _UNSET
        self.explain = explain
        self._hint = hint
        self.how = how
        self.same = same or same_text
        self.params = dict(params or {})
        self.attempts = 0
        self.solved = False

    @property
    def answer(self) -> Any:
        """The right answer, computed live the first time it is asked for."""
        if self._value is _UNSET:
            self._value = self._answer() if callable(self._answer) else self._answer
        return self._value

    def hint(self) -> str:
        return self._hint or "re-read the question; solution() shows the worked answer"

    def solution(self) -> str:
        """The worked answer: how to get it, the value, and why."""
        parts = []
        if self.how:
            parts.append(f"How: {self.how}")
        try:
            parts.append(f"Answer: {self.answer!r}")
        except NotYet as e:
            parts.append(f"Answer: not yet — {e}")
        if self.explain:
            parts.append(f"Why: {self.explain}")
        return "\n".join(parts)

    def check(self, given: Any) -> Check:
        """✓ when ``given`` is the answer; ✗ with a hint otherwise (the
        answer itself only through ``solution()``)."""
        self.attempts += 1
        if given is None or given is Ellipsis:
            return Check(False, f"no answer yet. Hint: {self.hint()}")
        try:
            answer = self.answer
        except NotYet as e:
            return Check(False, f"{e}. Hint: {self.hint()}")
        try:
            ok = bool(self.same(given, answer))
        except (ValueError, TypeError, AttributeError) as e:
            return Check(False, f"could not read {given!r} as an answer ({e}). Hint: {self.hint()}")
        if ok:
            self.solved = True
            return Check(True, "correct" + (f": {self.explain}" if self.explain else ""))
        return Check(False, f"{given!r} is not it. Hint: {self.hint()} (ex[{self.number - 1}].solution() shows the worked answer)")

    def __repr__(self) -> str:
        return f"Exercise {self.number}: {self.question}"

    def _repr_html_(self) -> str:
        return f"<div class='netbook-exercise'><b>Exercise {self.number}.</b> {html.escape(self.question)}</div>"


class Sheet(list):
    """A lab's exercises (a list) with the lab servers they use."""

    def __init__(self, lab: str, seed: int, exercises: Iterable[Exercise] = (), servers: Iterable = (), **urls: str):
        super().__init__(exercises)
        self.lab = lab
        self.seed = seed
        self.servers = list(servers)
        self.urls = urls
        self.on_stop: list[Callable[[], None]] = []  # clean-ups run after the servers stop
        for k, v in urls.items():
            setattr(self, k, v)

    def stop(self) -> None:
        """Stop the lab servers this sheet started."""
        for s in self.servers:
            s.stop()
        while self.on_stop:
            self.on_stop.pop()()

    def __enter__(self) -> "Sheet":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def to_frame(self):
        """One row an exercise: number, question, attempts, solved."""
        import pandas as pd

        return pd.DataFrame([(e.number, e.question, e.attempts, e.solved) for e in self],
                            columns=["number", "question", "attempts", "solved"])

    def __repr__(self) -> str:
        head = f"{self.lab} exercises (seed {self.seed})"
        where = "".join(f"\n  {k}: {v}" for k, v in self.urls.items())
        return head + where + "".join(f"\n{e!r}" for e in self)

    def __str__(self) -> str:
        return self.__repr__()

    def _repr_html_(self) -> str:
        where = "".join(f"<li><code>{html.escape(k)}</code>: <code>{html.escape(str(v))}</code></li>"
                        for k, v in self.urls.items())
        items = "".join(f"<li>{html.escape(e.question)}</li>" for e in self)
        return (f"<div class='netbook-sheet'><b>{html.escape(self.lab)} exercises</b> (seed {self.seed})"
                f"{'<ul>' + where + '</ul>' if where else ''}<ol>{items}</ol>"
                "<small>ex[i].check(answer) · ex[i].hint() · ex[i].solution()</small></div>")


# -- comparing answers --------------------------------------------------------------
def same_int(given: Any, answer: Any) -> bool:
    return int(str(given).strip().replace(",", "").replace("_", "")) == int(answer)


def same_text(given: Any, answer: Any) -> bool:
    return str(given).strip().casefold() == str(answer).strip().casefold()


def same_set(given: Any, answer: Any) -> bool:
    """Same elements in any order (strings compared case-insensitively)."""
    if isinstance(given, str):
        given = [g for g in given.replace(",", " ").split() if g]
    norm = lambda xs: sorted(str(x).strip().casefold() for x in xs)  # noqa: E731
    return norm(given) == norm(answer)


def same_seq(given: Any, answer: Any) -> bool:
    """Same elements in the same order."""
    if isinstance(given, str):
        given = [g for g in given.replace(",", " ").split() if g]
    return [str(x).strip().casefold() for x in given] == [str(x).strip().casefold() for x in answer]


def same_tuple(*parts: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Compare a tuple part by part, each with its own rule."""
    def same(given: Any, answer: Any) -> bool:
        given = tuple(given)
        return len(given) == len(parts) == len(answer) and all(p(g, a) for p, g, a in zip(parts, given, answer))
    return same
