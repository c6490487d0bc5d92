"""Issue 11 "a fresh machine": what netbook creates outside its own folders
is cleaned up (the TLS key of a lab certificate)."""
import os
import subprocess
import sys

from tests.peers import require

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_lab_certificate_folder_is_removed_at_exit(tmp_path):
    require("openssl")
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": ROOT}
    code = ("from netbook.mail.tls import make_certificate; import os; c, k = make_certificate(); "
            "print(os.path.dirname(k)); assert os.path.exists(k)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    made = r.stdout.strip()
    assert made.startswith(str(tmp_path)) and os.path.basename(made).startswith("netbook-tls-")
    assert not os.path.exists(made) and os.listdir(tmp_path) == []

