"""05-ftp exercises: the second connection of passive mode, sizes, a 227
reply decoded, a tree counted, an error code (asked of a seeded FTP lab)."""
from __future__ import annotations

import ftplib
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..checks import Exercise, Sheet, same_int

DIRS = ["reports", "photos", "logs", "drafts", "scans", "archive", "music", "slides"]


def _tree(rnd: random.Random, home: Path) -> list[str]:
    dirs = rnd.sample(DIRS, 4)
    for d in dirs:
        for i in range(rnd.randint(1, 5)):
            p = home / d / (f"sub{i}" if rnd.random() < 0.3 else "")
            p.mkdir(parents=True, exist_ok=True)
            (p / f"{d[:-1]}-{i}.txt").write_bytes(bytes(rnd.randrange(97, 123) for _ in range(rnd.randint(10, 5000))))
    return dirs


class _Counting(ftplib.FTP):
    """ftplib that counts the TCP connections it opens (control + data)."""

    connections = 0

    def connect(self, *a, **kw):
        self.connections += 1
        return super().connect(*a, **kw)

    def ntransfercmd(self, cmd, rest=None):
        self.connections += 1
        return super().ntransfercmd(cmd, rest)


def sheet(seed: int) -> Sheet:
    from ..servers import starter

    rnd = random.Random(seed)
    password = f"alice-{rnd.randint(100, 999)}"
    root = Path(tempfile.mkdtemp(prefix="netbook-exercises-ftp-"))
    dirs = _tree(rnd, root / "alice")
    try:
        srv: Any = starter("ftp")(root=str(root), users={"alice": password}, name="exercises-ftp")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    listed = rnd.sample(dirs, rnd.randint(2, 4))
    files = sorted(str(p.relative_to(root / "alice")) for p in (root / "alice").rglob("*.txt"))
    sized = rnd.choice(files)
    counted = rnd.choice(dirs)
    a, b = rnd.randint(100, 250), rnd.randint(0, 255)

    def login(cls=ftplib.FTP):
        f = cls()
        f.connect(srv.host, srv.port, timeout=10)
        f.login("alice", password)
        return f

    def connections():
        f = login(_Counting)
        try:
            for d in listed:
                f.retrlines(f"LIST {d}", lambda line: None)
            return f.connections
        finally:
            f.quit()

    def size():
        f = login()
        try:
            f.voidcmd("TYPE I")
            return f.size(sized)
        finally:
            f.quit()

    def files_under():
        f = login()
        try:
            count, todo = 0, [counted]
            while todo:
                d = todo.pop()
                for name, facts in f.mlsd(d, ["type"]):
                    if facts.get("type") == "file":
                        count += 1
                    elif facts.get("type") == "dir":
                        todo.append(f"{d}/{name}")
            return count
        finally:
            f.quit()

    def missing():
        f = login()
        try:
            f.retrbinary("RETR no-such-file.txt", lambda chunk: None)
        except ftplib.error_perm as e:
            return int(str(e)[:3])
        finally:
            f.quit()
        raise RuntimeError("the lab server sent a file that does not exist")

    ex = [
        Exercise(1, f"Passive mode: log in as alice and, in one session, list the directories {', '.join(listed)} "
                    "(one listing each). How many TCP connections did your client open in all?",
                 connections, same=same_int,
                 hint="FTP keeps one control connection; every listing or transfer opens a new data connection "
                      "(the f.transcript of nb.ftp marks them as [data])",
                 how="f = nb.ftp(url, password=...); [f.ls(d) for d in dirs]; count the connections in f.transcript",
                 explain="one control connection for the session plus one data connection per LIST",
                 params={"dirs": listed, "user": "alice", "password": password}),
        Exercise(2, f"How many bytes is {sized} in alice's home (ask the server, don't download it)?",
                 size, same=same_int,
                 hint="the SIZE command (nb.ftp(...).size(path)), in binary mode (TYPE I)",
                 how="nb.ftp(url, password=...).size(path)",
                 explain="SIZE reports the transfer size; in TYPE I it is the file's length in bytes",
                 params={"path": sized, "user": "alice", "password": password}),
        Exercise(3, f"A server answers PASV with '227 Entering Passive Mode (127,0,0,1,{a},{b})'. "
                    "To which port does the client open the data connection?",
                 lambda: ftplib.parse227(f"227 Entering Passive Mode (127,0,0,1,{a},{b})")[1], same=same_int,
                 hint="the last two numbers are the port's high and low byte",
                 how="p1 * 256 + p2 (ftplib.parse227)",
                 explain=f"{a} * 256 + {b}", params={"reply": f"227 Entering Passive Mode (127,0,0,1,{a},{b})"}),
        Exercise(4, f"How many files (not directories) are under {counted}/ in alice's home, at any depth?",
                 files_under, same=same_int,
                 hint="walk the tree: nb.ftp(...).tree(path, depth=...) or MLSD facts type=file/dir",
                 how="f.tree(dir, depth=5).to_frame().query(\"type == 'file'\")",
                 explain="MLSD gives machine-readable facts (type, size), so no LIST parsing is needed",
                 params={"dir": counted, "user": "alice", "password": password}),
        Exercise(5, "Ask for a file that does not exist (RETR no-such-file.txt). Which reply code does the server send?",
                 missing, same=same_int,
                 hint="5xx replies are permanent errors; ftplib raises error_perm with the reply text",
                 how="try: f.get('no-such-file.txt') except NetbookError as e: ...",
                 explain="550: the requested action was not taken, the file is unavailable",
                 params={"user": "alice", "password": password}),
    ]
    out = Sheet("ftp", seed, ex, [srv], url=srv.user_url("alice"))
    out.on_stop.append(lambda: shutil.rmtree(root, ignore_errors=True))
    return out
