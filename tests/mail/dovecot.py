"""Dovecot as a throwaway IMAP/POP3 peer (tests and benchmarks/mail.py):
a temp dir, free loopback ports, a static password, stopped at the end."""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

DOVECOT_PASSWORD = "D0vecot-s3cret-pw"


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


class Dovecot:
    def __init__(self, root, imap_port, pop3_port, password=DOVECOT_PASSWORD):
        self.root, self.imap_port, self.pop3_port, self.password = root, imap_port, pop3_port, password

    def imap_url(self, user="tester", folder=""):
        return f"imap://{user}@127.0.0.1:{self.imap_port}" + (f"/{folder}" if folder else "")

    def pop_url(self, user="tester"):
        return f"pop://{user}@127.0.0.1:{self.pop3_port}"

    def maildir(self, user="tester"):
        """The user's Maildir (Dovecot's mail_location is mail/%u)."""
        import mailbox

        path = os.path.join(self.root, "mail", user)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return mailbox.Maildir(path, create=True)

    def fix_owner(self, user="tester"):
        vm = pwd.getpwnam("vmail")
        for top in ("mail", "home"):
            for dirpath, dirnames, filenames in os.walk(os.path.join(self.root, top, user)):
                os.chown(dirpath, vm.pw_uid, vm.pw_gid)
                for f in filenames:
                    os.chown(os.path.join(dirpath, f), vm.pw_uid, vm.pw_gid)


@contextlib.contextmanager
def start_dovecot(exe: str = "/usr/sbin/dovecot"):
    try:
        pwd.getpwnam("vmail")
    except KeyError:
        subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", "vmail"], check=True, capture_output=True)
    root = tempfile.mkdtemp(prefix="netbook-dovecot-")
    os.chmod(root, 0o755)
    for d in ("run", "state", "home", "mail"):
        os.makedirs(os.path.join(root, d))
    vm = pwd.getpwnam("vmail")
    for d in ("home", "mail"):
        os.chown(os.path.join(root, d), vm.pw_uid, vm.pw_gid)
    imap_port, pop3_port = free_ports(2)
    conf = os.path.join(root, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""
protocols = imap pop3
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = vmail
default_login_user = vmail
auth_failure_delay = 0
mail_max_userip_connections = 100
passdb {{
  driver = static
  args = password={DOVECOT_PASSWORD}
}}
userdb {{
  driver = static
  args = uid=vmail gid=vmail home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
""")
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    subprocess.run([exe, "-c", conf], check=True, **quiet)  # it daemonizes: no pipes to inherit
    try:
        wait_port(imap_port)
        wait_port(pop3_port)
        yield Dovecot(root, imap_port, pop3_port)
    finally:
        subprocess.run([exe, "-c", conf, "stop"], **quiet)
        for _ in range(200):
            if not os.path.exists(os.path.join(root, "run", "master.pid")):
                break
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)
