"""What a student gets from `pip install netbook`: the wheel, installed in a
fresh virtual environment outside the repository, copies its labs out with
`netbook labs`, and every copied lab passes `pytest --nbval` there."""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sh(*args, cwd=None, timeout=1800, env=None):
    r = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0, (args, r.stdout[-4000:], r.stderr[-4000:])
    return r


@pytest.mark.timeout(2400)
def test_wheel_in_a_fresh_venv_copies_labs_that_pass_nbval(tmp_path):
    dist = tmp_path / "dist"
    sh(sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT, cwd=tmp_path)
    wheel = next(dist.glob("netbook-*.whl"))
    env_dir = tmp_path / "student-venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    sh(py, "-m", "pip", "install", "-q", f"{wheel}[lab]", "nbval", env=clean)
    home = tmp_path / "student"
    home.mkdir()
    version = sh(env_dir / "bin" / "netbook", "--version", cwd=home, env=clean).stdout.strip()
    assert version.startswith("netbook ")
    sh(py, "-m", "netbook", "labs", cwd=home, env=clean)
    labs = sorted((home / "netbook-labs").glob("*.ipynb"))
    assert len(labs) >= 8
    # the copied labs import the installed netbook, not the repository's
    where = sh(py, "-c", "import netbook; print(netbook.__file__)", cwd=home, env=clean).stdout
    assert str(env_dir) in where and str(ROOT) not in where
    (home / "sanitize.cfg").write_text((ROOT / "tests" / "nbval_sanitize.cfg").read_text())
    r = subprocess.run([py, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-q", "--rootdir", home,
                        "--nbval-sanitize-with", "sanitize.cfg",
                        "--nbval-cell-timeout=300", "netbook-labs"],
                       cwd=home, capture_output=True, text=True, timeout=2400,
                       env={**clean, "NETBOOK_LIVE_STATIC": "0"})  # outputs as stored (see scripts/run_notebook.sh)
    assert r.returncode == 0, r.stdout[-6000:]
    assert " passed" in r.stdout and " failed" not in r.stdout
