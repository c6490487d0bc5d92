"""fetch_many: a DataFrame of results, errors as rows, robots, limits, cancel."""
import os
import signal
import socket
import threading
import time

import pandas as pd

import netbook as nb
from netbook.http.many import COLUMNS


def test_rows_for_everything(lab, tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("file body")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    urls = [lab.url, lab.url + "redirect?n=2", lab.url + "status?code=404", dead, p.as_uri(), "data:,hi",
            lab.url + "chunked", "not a url", lab.url + "huge?mb=2"]
    df = nb.fetch_many(urls, concurrency=4, max_bytes=1 << 20)
    assert list(df.columns) == COLUMNS and len(df) == len(urls) and df["url"].tolist() == urls
    by = df.set_index("url")
    assert by.loc[lab.url, "status"] == 200 and by.loc[lab.url, "bytes"] == 5
    assert by.loc[lab.url + "redirect?n=2", "final_url"] == lab.url + "echo"
    assert by.loc[lab.url + "status?code=404", "status"] == 404
    assert "refused" in by.loc[dead, "error"] and pd.isna(by.loc[dead, "status"])
    assert by.loc[p.as_uri(), "bytes"] == 9 and by.loc["data:,hi", "bytes"] == 2
    assert by.loc[lab.url + "chunked", "bytes"] == len("".join(f"chunk {i}\n" for i in range(5)))
    assert by.loc["not a url", "error"] != "" and "max_bytes" in by.loc[lab.url + "huge?mb=2", "error"]
    assert str(df["status"].dtype) == "Int64"


def test_against_nginx_keepalive(nginx):
    urls = [nginx.url + "tiny.txt"] * 300 + [nginx.url + "big.txt", nginx.url + "redirect", nginx.url + "missing"]
    df = nb.fetch_many(urls, concurrency=8, per_host=8)
    assert (df["status"][:300] == 200).all() and (df["bytes"][:300] == 2).all()
    assert df["bytes"][300] == len("all work and no play makes jack a dull boy\n" * 50_000)
    assert df["final_url"][301].endswith("/hello.txt") and df["status"][302] == 404


def test_timeout_rows(lab):
    df = nb.fetch_many([lab.url + "slow?s=2", lab.url], timeout=0.3)
    assert "timeout" in df["error"][0] and df["status"][1] == 200


def test_per_host_limit(lab):
    seen, lock, active = [], threading.Lock(), [0]

    def app(environ, start_response):
        with lock:
            active[0] += 1
            seen.append(active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    srv = nb.serve.wsgi(app, name="limit")
    try:
        df = nb.fetch_many([srv.url] * 20, concurrency=16, per_host=3)
        assert (df["status"] == 200).all() and max(seen) <= 3
    finally:
        srv.stop()


def test_respect_robots(lab):
    df = nb.fetch_many([lab.url + "private/a", lab.url, lab.url + "private/b"], respect_robots=True)
    assert df["error"].tolist() == ["disallowed by robots.txt", "", "disallowed by robots.txt"]
    assert df["status"][1] == 200
    log = lab.log.to_frame()["request"].tolist()
    assert sum("robots.txt" in r for r in log) == 1 and not any("/private/" in r for r in log)


def test_interrupt_returns_what_finished(lab):
    urls = [lab.url] * 3 + [lab.url + "slow?s=3"] * 4
    timer = threading.Timer(0.8, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t = time.perf_counter()
    df = nb.fetch_many(urls, concurrency=7, per_host=7)
    assert time.perf_counter() - t < 2.5
    assert df.attrs["cancelled"] is True
    assert len(df) == 3 and (df["status"] == 200).all()


def test_crlf_in_url_is_an_error_row(lab):
    df = nb.fetch_many([lab.url + "x\r\nX-Evil: 1"])
    assert "CR/LF" in df["error"][0]
