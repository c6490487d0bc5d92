"""Real peers for the tests: find them, or fail under CI (never a silent skip)."""
from __future__ import annotations

import os
import shutil

import pytest

CI = os.environ.get("CI") == "true"


def require(program: str, *alternatives: str) -> str:
    """Path of ``program`` (or an alternative path).  Missing: a failure
    under ``CI=true``, a skip on a developer machine."""
    for p in (program, *alternatives):
        found = shutil.which(p) or (p if os.path.isabs(p) and os.access(p, os.X_OK) else None)
        if found:
            return found
    msg = f"real peer {program!r} is not installed (make peers installs it)"
    if CI:
        pytest.fail(msg)
    pytest.skip(msg)
