"""benchmarks/logs.py runs end to end at a small size (its pipeline path once
broke without any test noticing); the numbers themselves live in the
benchmark's output, not here."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_logs_benchmark_small_run():
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "logs.py"), "--lines", "3000", "--parquet-rows", "20000",
         "--repeat", "1", "--pipeline", "--pipeline-lines", "40000", "--pipeline-files", "2", "--memory-limit", "1GiB"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    for line in ("read_log vs pandas baseline:", "read_log vs re.match loop:", "ip vs strings:",
                 "read_log -> lpm_join -> to_parquet:", "dtypes intact", "P2P shuffle on the ip column"):
        assert line in text, text
