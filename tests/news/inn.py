"""INN 2 (Debian ``inn2``) as a throwaway NNTP server for the client tests.

Everything lives in a temporary directory owned by the ``news`` user: a
copy of /etc/news with an inn.conf whose paths point there, a fresh active
file and history, innd listening on 127.0.0.1 on a free port (nnrpd is
spawned by innd for readers).  ``INNCONF`` names the throwaway config, so
the system's own INN setup is never used or changed.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time

BIN = "/usr/lib/news/bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_news(args, env, **kw):
    return subprocess.run(["runuser", "-u", "news", "--", "env", f"INNCONF={env}", *args],
                          capture_output=True, text=True, timeout=30, **kw)


@contextlib.contextmanager
def start_inn(groups=("lab.peer", "lab.peer2")):
    """Yield (host, port, ctlinnd) for a running throwaway innd."""
    news = pwd.getpwnam("news")
    root = tempfile.mkdtemp(prefix="nb-inn-")
    os.chmod(root, 0o755)
    paths = {k: os.path.join(root, k) for k in ("etc", "db", "spool", "run", "log", "tmp")}
    shutil.copytree("/etc/news", paths["etc"], symlinks=True)
    for k in ("db", "spool", "run", "log", "tmp"):
        os.makedirs(paths[k], exist_ok=True)
    for sub in ("articles", "overview", "incoming", "outgoing", "archive"):
        os.makedirs(os.path.join(paths["spool"], sub), exist_ok=True)
    port = _free_port()
    conf = open("/etc/news/inn.conf").read()
    settings = {
        "domain": "netbook.lab", "pathhost": "inn.netbook.lab", "port": str(port), "bindaddress": "127.0.0.1",
        "pathetc": paths["etc"], "pathdb": paths["db"], "pathrun": paths["run"], "pathlog": paths["log"],
        "pathspool": paths["spool"], "patharticles": f"{paths['spool']}/articles",
        "pathoverview": f"{paths['spool']}/overview", "pathincoming": f"{paths['spool']}/incoming",
        "pathoutgoing": f"{paths['spool']}/outgoing", "patharchive": f"{paths['spool']}/archive",
        "pathtmp": paths["tmp"], "pathfilter": f"{paths['etc']}/filter", "pathhttp": paths["tmp"],
        "nnrpdloadlimit": "0", "docancels": "none",
    }
    for k, v in settings.items():
        line = f"{k}: {v}"
        conf, n = re.subn(rf"^#?{k}:.*$", line, conf, flags=re.M)
        if not n:
            conf += line + "\n"
    inn_conf = os.path.join(paths["etc"], "inn.conf")
    with open(inn_conf, "w") as f:
        f.write(conf)
    with open(os.path.join(paths["db"], "active"), "w") as f:
        f.write("control 0000000000 0000000001 n\ncontrol.cancel 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n")
    with open(os.path.join(paths["db"], "newsgroups"), "w") as f:
        f.write("")
    open(os.path.join(paths["db"], "active.times"), "w").close()
    open(os.path.join(paths["db"], "history"), "w").close()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            os.lchown(os.path.join(dirpath, n), news.pw_uid, news.pw_gid)
    os.chown(root, news.pw_uid, news.pw_gid)
    r = _as_news([f"{BIN}/makedbz", "-i", "-o"], inn_conf, cwd=paths["db"])
    if r.returncode:
        raise RuntimeError(f"makedbz failed: {r.stderr.strip()}")
    proc = subprocess.Popen(["runuser", "-u", "news", "--", "env", f"INNCONF={inn_conf}", f"{BIN}/innd", "-f"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=root)

    def ctlinnd(*args):
        r = _as_news([f"{BIN}/ctlinnd", *args], inn_conf)
        if r.returncode:
            raise RuntimeError(f"ctlinnd {' '.join(args)}: {(r.stdout + r.stderr).strip()}")
        return r.stdout.strip()

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"innd exited: {proc.stdout.read().decode(errors='replace')[-500:]}")
                time.sleep(0.1)
        else:
            raise RuntimeError("innd did not listen within 10 s")
        for g in groups:
            ctlinnd("newgroup", g, "y", "netbook")
        yield "127.0.0.1", port, ctlinnd
    finally:
        try:
            ctlinnd("shutdown", "netbook tests done")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        shutil.rmtree(root, ignore_errors=True)
