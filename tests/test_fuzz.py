"""Fuzzing every line-protocol lab server (issue 11): thousands of mutated
and random command lines over raw sockets (tests/fuzzing.py says which
properties are checked).  Seeded, so a failure replays; the longer run is
benchmarks/fuzz.py."""
import time

import pytest

from tests.fuzzing import SPECS, run

# sessions x ~16 lines each: 2,400-9,600 lines per server, the whole file in ~20 s
SESSIONS = {"smtp": 400, "pop3": 500, "imap": 400, "nntp": 500, "ftp": 150, "telnet": 200, "http": 600}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_fuzz_server(name, tmp_path):
    t0 = time.monotonic()
    result = run(SPECS[name], tmp_path, sessions=SESSIONS[name], deadline=t0 + 12)
    assert result["sessions"] >= min(SESSIONS[name], 20), result  # the time bound must not hide a stall
    assert result["lines"] >= 15 * result["sessions"]
