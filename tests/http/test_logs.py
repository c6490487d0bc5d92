"""nb.http.read_log: access logs as DataFrames, messy lines included."""
from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import ipaddress
import lzma
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

import netbook as nb
from netbook.http.logs import LogParseError, read_log

GOOD = [
    '192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
    '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
    '2001:db8::7 - - [10/Oct/2000:22:55:37 +0200] "POST /api?q=a%20b HTTP/1.1" 201 - "-" "curl/8.5.0"',
    'crawler.example.net - - [11/Oct/2000:00:00:00 +0000] "HEAD / HTTP/1.1" 304 0 "-" "-"',
    r'198.51.100.9 - - [11/Oct/2000:00:00:01 +0000] "GET /a\"b HTTP/1.1" 404 12 "-" "say \"hi\" \\ bye"',
    '203.0.113.5 - - [11/Oct/2000:00:00:02 +0000] "-" 408 - "-" "-"',
]


def _log(lines, end="\n"):
    return (end.join(lines) + end).encode()


def test_combined_values_and_dtypes():
    df = read_log(_log(GOOD))
    assert list(df.columns) == ["client", "client_name", "ident", "user", "time", "method", "url", "protocol", "status",
                                "bytes", "referrer", "user_agent"]
    assert df.client.dtype.name == "ip" and df.status.dtype == "Int16" and df.bytes.dtype == "Int64"
    assert str(df.time.dtype) == "datetime64[ns, UTC]"
    assert df.attrs["bad_line_count"] == 0 and df.attrs["bad_lines"] == []
    r0 = df.iloc[0]
    assert r0.client == ipaddress.ip_address("192.0.2.1") and r0.user == "frank" and pd.isna(r0.ident)
    assert r0.time == pd.Timestamp("2000-10-10 20:55:36", tz="UTC")
    assert (r0.method, r0["url"], r0.protocol, r0.status, r0.bytes) == ("GET", "/apache_pb.gif", "HTTP/1.0", 200, 2326)
    assert r0.referrer == "http://www.example.com/start.html" and r0.user_agent == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert df.client[1] == ipaddress.ip_address("2001:db8::7") and pd.isna(df.bytes[1]) and pd.isna(df.referrer[1])
    assert df.time[1] == pd.Timestamp("2000-10-10 20:55:37", tz="UTC")
    assert df.url[1] == "/api?q=a%20b"
    # a host name is kept, beside an NA address
    assert pd.isna(df.client[2]) and df.client_name[2] == "crawler.example.net" and pd.isna(df.client_name[0])
    # escaped quotes and backslashes inside quoted fields
    assert df.url[3] == '/a"b' and df.user_agent[3] == 'say "hi" \\ bye'
    # "-" as the request line: no method, URL or protocol
    assert pd.isna(df.method[4]) and pd.isna(df.url[4]) and df.status[4] == 408


def test_order_kept_when_clean_and_escaped_lines_mix():
    lines = [GOOD[0], GOOD[3]] * 50 + [GOOD[1]]
    df = read_log(_log(lines))
    assert len(df) == 101 and df.url.tolist()[:4] == ["/apache_pb.gif", '/a"b', "/apache_pb.gif", '/a"b']
    assert df.url.iloc[-1] == "/api?q=a%20b"


def test_messy_lines_are_counted_and_kept():
    long_url = "/" + "x" * 70_000
    lines = [
        GOOD[0],
        "",                                                            # 2: empty
        "JUNK",                                                        # 3: binary junk (below)
        GOOD[1],
        f'192.0.2.2 - - [12/Oct/2000:01:02:03 +0000] "GET {long_url} HTTP/1.1" 200 1 "-" "-"',   # 5: long, good
        '192.0.2.3 - - [31/Feb/2000:01:02:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',            # 6: no such day
        '192.0.2.3 - - [12/Foo/2000:01:02:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',            # 7: no such month
        GOOD[2],
        '192.0.2.3 - - [12/Oct/2000:01:02:03 +00000] "GET / HTTP/1.1" 200 1 "-" "-"',           # 9: bad zone
        '192.0.2.3 - - [12/Oct/2000:01:02:03 +0000] "GET / HTTP/1.1" 2x0 1 "-" "-"',            # 10: bad status
        '192.0.2.3 - - [12/Oct/2000:01:02:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-" extra',      # 11: a field more
        '192.0.2.3 - - [12/Oct/2000:01:02:03 +0000] GET / HTTP/1.1 200 1 "-" "-"',              # 12: no quotes
        '192.0.2.4 - - [12/Oct/2000:01:02:03 +0000] "GET /cut HTTP/1.1" 200 1 "-" "Mozil',      # 13: truncated
    ]
    raw = "\n".join(lines).encode()
    raw = raw.replace(b"JUNK", b"\x16\x03\x01\x02\x00\x01\xff\xfe\x03")  # a TLS hello, not UTF-8
    df = read_log(raw)
    assert len(df) == 4 and df.url.str.len().max() == len(long_url)
    assert df.attrs["bad_line_count"] == 9
    bad = pd.DataFrame(df.attrs["bad_lines"])
    assert bad.line.tolist() == [2, 3, 6, 7, 9, 10, 11, 12, 13]
    assert bad.reason.tolist() == ["empty line", "does not fit the format", "bad time", "bad time", "bad time",
                                   "bad number", "does not fit the format", "does not fit the format",
                                   "truncated last line"]
    assert "\\xff\\xfe" in bad.text[1] and bad.text[8].endswith('"Mozil')
    with pytest.raises(LogParseError, match="line 2: empty line"):
        read_log(raw, errors="raise")
    with pytest.raises(LogParseError, match="line 3:"):
        read_log(_log([GOOD[0], GOOD[1], "garbage"]), errors="raise")


def test_http_server_writes_what_read_log_reads(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    err = io.StringIO()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: SimpleHTTPRequestHandler(*a, directory=str(tmp_path)))
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    with contextlib.redirect_stderr(err):
        t.start()
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        try:
            urllib.request.urlopen(base + "/a.txt", timeout=10).read()
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(base + "/missing", timeout=10)
        finally:
            srv.shutdown()
            srv.server_close()
    df = read_log(err.getvalue().encode(), format="common")
    assert df.url.tolist() == ["/a.txt", "/missing"] and df.status.tolist() == [200, 404]
    assert df.client.astype(str).tolist() == ["127.0.0.1"] * 2 and df.method.tolist() == ["GET"] * 2
    assert (df.time - pd.Timestamp.now(tz="UTC")).abs().max() < pd.Timedelta(days=1)
    # http.server also writes "code 404, message File not found": kept as a bad line
    assert df.attrs["bad_line_count"] == 1 and "code 404" in df.attrs["bad_lines"][0]["text"]


def test_other_formats():
    vh = 'www.example.com:443 192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5120 "-" "curl/8"\n'
    df = read_log(vh.encode(), format="vhost_combined")
    assert df.vhost[0] == "www.example.com" and df.port[0] == 443 and df.bytes_sent[0] == 5120
    nginx = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
             '"$http_user_agent" $request_time')
    line = '192.0.2.1 - alice [10/Oct/2000:13:55:36 +0000] "GET /x HTTP/2.0" 200 10 "-" "ua \\x22q\\x22" 0.004\n'
    df = read_log(line.encode(), format=nginx)
    assert df.user[0] == "alice" and df.protocol[0] == "HTTP/2.0" and df.request_time[0] == 0.004
    assert df.user_agent[0] == "ua \\x22q\\x22"  # nginx's own escape stays as written
    apache = r'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D'
    df = read_log((GOOD[0] + " 1234\n").encode(), format=apache)
    assert df.duration_us[0] == 1234 and df.user_agent[0].startswith("Mozilla")
    iso = read_log(b'192.0.2.1 [2000-10-10T13:55:36+02:00] 200\n', format="$remote_addr [$time_iso8601] $status")
    assert iso.time[0] == pd.Timestamp("2000-10-10 11:55:36", tz="UTC")
    with pytest.raises(ValueError, match="unknown Apache log directive"):
        read_log(b"", format="%h %Y")


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed(tmp_path, suffix, opener):
    p = tmp_path / f"access.log{suffix}"
    with opener(p, "wb") as f:
        f.write(_log(GOOD))
    assert read_log(p).equals(read_log(_log(GOOD)))


def test_chunks(tmp_path):
    lines = [GOOD[i % 5] for i in range(2_500)]
    lines[1234] = "broken"
    p = tmp_path / "a.log"
    p.write_bytes(_log(lines))
    parts = list(read_log(p, chunksize=1000))
    assert [len(x) + x.attrs["bad_line_count"] for x in parts] == [1000, 1000, 500]
    assert parts[1].attrs["bad_lines"] == [{"line": 1235, "reason": "does not fit the format", "text": "broken"}]
    whole = read_log(p)
    assert pd.concat(parts, ignore_index=True).equals(whole)
    assert whole.attrs["bad_lines"][0]["line"] == 1235


def test_nb_http_read_log_and_crlf():
    df = nb.http.read_log(_log(GOOD[:2], end="\r\n"))
    assert df.user_agent.tolist() == ["Mozilla/4.08 [en] (Win98; I ;Nav)", "curl/8.5.0"]


def test_bad_line_numbers_across_blocks(monkeypatch):
    import netbook.http.logs as L

    monkeypatch.setattr(L, "_BLOCK", 700)  # many blocks, parsed on two threads
    lines = [GOOD[i % 5] for i in range(300)]
    for i in (0, 41, 42, 150, 299):
        lines[i] = f"broken {i}"
    lines[77] = "a\"b \"c d"  # an open quote: this block is cut by the NumPy path
    df = read_log(_log(lines))
    assert len(df) == 294 and df.attrs["bad_line_count"] == 6
    assert [b["line"] for b in df.attrs["bad_lines"]] == [1, 42, 43, 78, 151, 300]
    assert [b["text"] for b in df.attrs["bad_lines"]][-1] == "broken 299"
    assert df.equals(pd.concat(list(read_log(_log(lines), chunksize=37)), ignore_index=True))
    with pytest.raises(LogParseError, match="line 1:"):
        read_log(_log(lines), errors="raise")
    lines[0] = GOOD[0]
    with pytest.raises(LogParseError, match="line 42:"):
        read_log(_log(lines), errors="raise")


def test_quotes_out_of_place_are_bad_lines():
    odd = [
        '192.0.2.1 - us"er [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"',    # quote in a plain field
        '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0"x 200 1 "-" "-"',       # text after a quote
        '"192.0.2.1" - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"',      # a quoted plain field
        '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "say "hi""',  # unescaped quotes
    ]
    df = read_log(_log([GOOD[0], *odd, GOOD[1]]))
    assert df.url.tolist() == ["/apache_pb.gif", "/api?q=a%20b"]
    assert [b["line"] for b in df.attrs["bad_lines"]] == [2, 3, 4, 5]


def test_fast_path_agrees_with_numpy_path(monkeypatch):
    import netbook.http.logs as L

    odd = [GOOD[3], "", "a\"b \"c d", '192.0.2.3 - - [12/Oct/2000:01:02:03 +0000] "GET /x\rY HTTP/1.1" 200 1 "-" "-"',
           GOOD[2] + "\r", '192.0.2.1 - - [12/Oct/2000:01:02:03 +0000] "GET /" 200 1 "-" "-"', "  ", GOOD[4],
           '1.2.3.4 - us"er [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"',
           # a quote inside a quoted field that the reader would take as text after it
           '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "ab"c"',
           # request lines Arrow's split does not take: spaces in the URL, doubled, no HTTP protocol
           '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a b HTTP/1.1" 200 1 "-" "-"',
           '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET  /x HTTP/1.1" 200 1 "-" "-"',
           '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / junk" 400 1 "-" "-"',
           '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\x16\x03\x01" 400 1 "-" "-"']
    lines = [GOOD[i % 3] if i % 7 else odd[(i // 7) % len(odd)] for i in range(600)]
    raw = _log(lines) + b'192.0.2.4 - - [12/Oct/2000:01:02:03 +0000] "GET /cut HTTP/1.1" 200 1 "-" "Mozil'
    monkeypatch.setattr(L, "_BLOCK", 4096)
    fast = read_log(raw)
    monkeypatch.setattr(L, "read_tokens", lambda *a: None)
    slow = read_log(raw)
    assert fast.equals(slow) and fast.attrs == slow.attrs and list(fast.dtypes) == list(slow.dtypes)
    assert len(fast) > 500 and fast.attrs["bad_line_count"] > 20


def test_numbers_that_do_not_fit_are_bad_lines_not_a_failed_read():
    """A 20-digit byte count once stopped the whole read (the cast overflowed)."""
    rows = [("200", "5"), ("-", "-"), ("2x0", "1"), ("200", "+5"), ("200", "007"), ("0200", "1"),
            ("200", "99999999999999999999"), ("404", "123456789012345678")]
    raw = b"".join(f'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" {s} {b} "-" "-"\n'.encode()
                   for s, b in rows)
    df = read_log(raw)
    assert df.status.tolist()[0] == 200 and pd.isna(df.status[1]) and pd.isna(df.bytes[1])
    assert df.bytes.tolist()[2:] == [7, 123456789012345678]
    assert [(b["line"], b["reason"]) for b in df.attrs["bad_lines"]] == [(3, "bad number"), (4, "bad number"),
                                                                         (6, "bad number"), (7, "bad number")]
