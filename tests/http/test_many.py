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


# -- robots.txt Crawl-delay / Request-rate ------------------------------------------------
def _robots_app(robots_txt: str, think: float = 0.0):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/robots.txt":
            body = robots_txt.encode()
        elif environ["PATH_INFO"] == "/jump":  # -> /landed: a redirect hop is a request too
            start_response("302 Found", [("Location", "/landed"), ("Content-Length", "0")])
            return [b""]
        else:
            time.sleep(think)
            body = b"ok"
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def _starts(srv):
    """Server-side time (s) of each non-robots request, from the lab log (a row is written as the
    response ends; these apps answer at once or after a fixed think time, so the gaps are the
    gaps between arrivals; the ms column would include keep-alive idle time)."""
    return sorted(r[0].timestamp() for r in srv.log.snapshot() if "robots.txt" not in r[2])


def _spaced(times, delay) -> bool:
    """Requests ``delay`` apart: the whole span is at least (n-1) delays (robust to one late log
    row on a busy machine) and no two came close together (each gap over half the delay)."""
    gaps = [y - x for x, y in zip(times, times[1:])]
    return times[-1] - times[0] >= (len(times) - 1) * delay - 0.05 and min(gaps) >= delay / 2


def test_crawl_delay_paces_that_host_only():
    slow = nb.serve.wsgi(_robots_app("User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n"), name="paced")
    free = nb.serve.wsgi(_robots_app("User-agent: *\nDisallow:\n", think=0.05), name="free")
    try:
        urls = [slow.url + f"p{i}" for i in range(5)] + [free.url + f"f{i}" for i in range(20)]
        t0 = time.time()
        df = nb.fetch_many(urls, concurrency=4, per_host=4, respect_robots=True, show=False)
        wall = time.time() - t0
        assert (df["status"] == 200).all(), df["error"].tolist()
        a, b = _starts(slow), _starts(free)
        gaps = [y - x for x, y in zip(a, a[1:])]
        assert len(a) == 5 and _spaced(a, 0.3), gaps  # spaced as asked
        assert max(gaps) < 0.3 + 0.4, gaps  # and not much more
        # the other host went at full concurrency meanwhile: 20 x 50 ms at 4 at once ~ 0.25 s
        assert b[-1] < a[2] and b[-1] - b[0] < 1.0, (b[-1] - b[0], b[-1] - a[2])
        assert wall < 4
        origin = slow.url.rstrip("/")
        assert df.attrs["crawl_delay"] == {origin: 0.3}
        assert df.attrs["notes"] == [f"{origin}: 0.3 s between requests (Crawl-delay: 0.3)"]
        # without respect_robots nothing is paced
        df = nb.fetch_many([slow.url + "q"] * 3, respect_robots=False, show=False)
        assert df.attrs["crawl_delay"] == {} and (df["status"] == 200).all()
    finally:
        slow.stop()
        free.stop()


def test_absurd_delays_are_capped_and_request_rate_counts():
    huge = nb.serve.wsgi(_robots_app("User-agent: *\nCrawl-delay: 86400\n"), name="huge")
    rate = nb.serve.wsgi(_robots_app("User-agent: *\nRequest-rate: 5/1\n"), name="rate")
    try:
        urls = [huge.url + f"h{i}" for i in range(2)] + [huge.url + "jump"] + [rate.url + f"r{i}" for i in range(3)]
        df = nb.fetch_many(urls, respect_robots=True, max_delay=0.25, show=False)
        assert (df["status"] == 200).all()
        for srv, want in ((huge, 0.25), (rate, 0.2)):
            s = _starts(srv)
            assert len(s) == (4 if srv is huge else 3)  # the redirect hop was paced too
            assert _spaced(s, want), [y - x for x, y in zip(s, s[1:])]
        h, r = huge.url.rstrip("/"), rate.url.rstrip("/")
        assert df.attrs["crawl_delay"] == {h: 0.25, r: 0.2}
        assert f"{h}: Crawl-delay: 86400 asks for 86400 s between requests; capped to max_delay=0.25 s" in df.attrs["notes"]
        assert f"{r}: 0.2 s between requests (Request-rate: 5/1s)" in df.attrs["notes"]
    finally:
        huge.stop()
        rate.stop()


def test_decimal_crawl_delay_in_nb_robots():
    r = nb.robots("User-agent: slowbot\nCrawl-delay: 2.5\n\nUser-agent: *\nCrawl-delay: .5 # be nice\nDisallow: /x\n")
    assert r.crawl_delay("slowbot") == 2.5 and r.crawl_delay("other") == 0.5
    assert "crawl-delay 0.5" in repr(r)
    assert r.to_frame()["crawl_delay"].tolist() == [2.5, 0.5]


def test_elapsed_is_in_ms_like_the_other_tables():
    import netbook as nb

    def app(env, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    srv = nb.serve.wsgi(app, name="many-ms")
    try:
        df = nb.fetch_many([srv.url, srv.url + "x"], show=False)
    finally:
        srv.stop()
    assert "elapsed" not in df.columns and df["elapsed_ms"].dtype == float
    # a loopback HTTP request takes well over 20 µs and under 30 s: in seconds it would be < 0.02
    assert (df["elapsed_ms"] > 0.02).all() and (df["elapsed_ms"] < 30_000).all()
