"""Seeded synthetic access logs (combined format) for labs, tests and benchmarks.

>>> nb.http.sample_log("access.log", lines=100_000, seed=1)

Clients come from a few networks (documentation ranges, private ranges, a
handful of heavy hitters, some IPv6), requests from a small site; times run
forward from ``start`` at about ``rate`` requests a second.  The same seed
gives the same file.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["sample_log", "sample_lines", "NETWORKS"]

# (network, share of the clients): documentation, private and a few public ranges
NETWORKS = [("192.0.2.0/24", 0.10), ("198.51.100.0/24", 0.10), ("203.0.113.0/24", 0.10), ("10.0.0.0/16", 0.15),
            ("172.16.0.0/20", 0.05), ("192.168.1.0/24", 0.05), ("2001:db8::/48", 0.10),
            ("93.184.216.0/24", 0.15), ("151.101.0.0/16", 0.10), ("2a00:1450:4001::/48", 0.10)]
_PATHS = ["/", "/index.html", "/about", "/static/app.js", "/static/style.css", "/api/items", "/api/items/{n}",
          "/login", "/search?q=net{n}", "/wp-login.php", "/.env", "/favicon.ico"]
_PATH_P = [0.14, 0.08, 0.04, 0.14, 0.12, 0.12, 0.12, 0.05, 0.08, 0.04, 0.03, 0.04]
_UAS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "curl/8.5.0", "Python-urllib/3.11", "Googlebot/2.1 (+http://www.google.com/bot.html)", "-"]
_METHODS = ["GET", "GET", "GET", "GET", "POST", "HEAD"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _clients(rng, n):
    import ipaddress

    which = rng.choice(len(NETWORKS), size=n, p=[w for _, w in NETWORKS])
    out = np.empty(n, dtype=object)
    heavy = rng.random(n) < 0.15  # a few addresses make many of the requests
    for k, (net, _) in enumerate(NETWORKS):
        idx = np.flatnonzero(which == k)
        if not len(idx):
            continue
        nw = ipaddress.ip_network(net)
        size = min(nw.num_addresses - 2, 1 << 20)
        off = rng.integers(1, size, len(idx))
        off[heavy[idx]] = 1 + (off[heavy[idx]] % 3)
        base = int(nw.network_address)
        cls = ipaddress.IPv4Address if nw.version == 4 else ipaddress.IPv6Address
        uniq, inv = np.unique(off, return_inverse=True)
        texts = np.array([str(cls(base + int(o))) for o in uniq], dtype=object)
        out[idx] = texts[inv]
    return out


def sample_lines(lines: int, seed: int = 0, start: str = "2026-03-01T00:00:00", rate: float = 20.0,
                 first: int = 0) -> str:
    """``lines`` combined-format lines (text), line ``first`` onwards of the seeded stream."""
    import datetime as dt

    rng = np.random.default_rng([seed, first])
    n = int(lines)
    clients = _clients(rng, n)
    t0 = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc).timestamp() + first / rate
    secs = (t0 + np.cumsum(rng.exponential(1 / rate, n))).astype(np.int64)
    days = secs // 86400
    tod = secs % 86400
    dates = {}
    for d in np.unique(days).tolist():
        x = dt.datetime.fromtimestamp(d * 86400, dt.timezone.utc)
        dates[d] = f"{x.day:02d}/{_MONTHS[x.month - 1]}/{x.year}"
    paths = np.array(_PATHS, dtype=object)[rng.choice(len(_PATHS), n, p=_PATH_P)]
    nums = rng.integers(1, 500, n)
    status = rng.choice([200, 200, 200, 200, 200, 304, 301, 404, 404, 500, 403], n)
    nbytes = rng.integers(0, 200_000, n)
    methods = np.array(_METHODS, dtype=object)[rng.integers(0, len(_METHODS), n)]
    uas = np.array(_UAS, dtype=object)[rng.integers(0, len(_UAS), n)]
    refs = np.where(rng.random(n) < 0.4, "https://www.example.com/", "-")
    out = []
    for i in range(n):
        s = int(tod[i])
        p = paths[i].replace("{n}", str(nums[i])) if "{" in paths[i] else paths[i]
        st = int(status[i])
        b = "-" if st in (304, 301) or methods[i] == "HEAD" else str(nbytes[i])
        out.append(f'{clients[i]} - - [{dates[int(days[i])]}:{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} +0000] '
                   f'"{methods[i]} {p} HTTP/1.1" {st} {b} "{refs[i]}" "{uas[i]}"\n')
    return "".join(out)


def sample_log(path, lines: int = 100_000, seed: int = 0, *, files: int = 1, start: str = "2026-03-01T00:00:00",
               rate: float = 20.0, block: int = 500_000) -> list[str]:
    """Write a seeded combined-format log of ``lines`` lines to ``path``
    (``files > 1``: ``path`` is a directory, ``access-000.log`` ...; ``.gz``
    in the name compresses).  Returns the paths written."""
    import gzip

    if lines < 0 or files < 1:
        raise ValueError("lines must be >= 0 and files >= 1")
    path = os.fspath(path)
    if files > 1:
        os.makedirs(path, exist_ok=True)
        names = [os.path.join(path, f"access-{k:03d}.log") for k in range(files)]
    else:
        names = [path]
    per = -(-lines // files) if lines else 0
    done = 0
    for k, name in enumerate(names):
        count = max(min(per, lines - done), 0)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(name, "wt", encoding="ascii") as f:
            for b in range(0, count, block):
                f.write(sample_lines(min(block, count - b), seed, start, rate, first=done + b))
        done += count
    return names
