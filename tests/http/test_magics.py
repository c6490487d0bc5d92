"""%fetch (curl's flags) and %%fetch (.http files) in a real IPython shell."""
import json

import pytest

from netbook.errors import InjectionError, NetbookError
from netbook.http.curl import parse_curl
from netbook.http.httpfile import parse_http_file

from .apps import PASSWORD, USER


@pytest.fixture
def ip(ipython):
    return ipython  # the shared test shell (tests/conftest.py)


def test_fetch_line_magic(ip, lab):
    ip.user_ns["base"] = lab.url
    r = ip.run_line_magic("fetch", "-X POST -H 'X-A: 1' -d a=1 -d b=2 {base}echo -o resp")
    assert ip.user_ns["resp"] is r
    e = r.json()
    assert e["method"] == "POST" and e["body"] == "a=1&b=2" and e["headers"]["X-A"] == "1"
    e = ip.run_line_magic("fetch", "--json '{\"k\": [1]}' {base}echo").json()
    assert json.loads(e["body"]) == {"k": [1]} and e["headers"]["Content-Type"] == "application/json"
    e = ip.run_line_magic("fetch", "-G --data-urlencode 'q=a b&c' {base}echo").json()
    assert e["method"] == "GET" and e["query"] == "q=a+b%26c"
    assert ip.run_line_magic("fetch", "-I {base}").content == b""
    r = ip.run_line_magic("fetch", "{base}redirect")
    assert r.status == 302  # like curl: no -L, no following
    assert ip.run_line_magic("fetch", "-sSL {base}redirect").status == 200
    assert ip.run_line_magic("fetch", f"-u {USER}:{PASSWORD} {{base}}basic").text == "basic ok"
    assert ip.run_line_magic("fetch", f"--digest -u {USER}:{PASSWORD} {{base}}digest").text == "digest ok"
    with pytest.raises(Exception):
        ip.run_line_magic("fetch", "-f {base}status?code=500")


def test_pasted_curl_command(ip, lab):
    ip.user_ns["base"] = lab.url
    r = ip.run_line_magic("fetch", "curl -XPUT -H 'Content-Type: text/plain' --data-raw '@not-a-file' {base}echo")
    e = r.json()
    assert e["method"] == "PUT" and e["body"] == "@not-a-file"
    ip.run_cell_magic("fetch", "-o pasted", f"curl -X POST \\\n  -d x=1 \\\n  {lab.url}echo")
    assert ip.user_ns["pasted"].json()["body"] == "x=1"


def test_cookie_files_like_curl(ip, lab, tmp_path):
    ip.user_ns["base"] = lab.url
    ip.user_ns["jarfile"] = str(tmp_path / "jar.txt")
    ip.run_line_magic("fetch", "-c {jarfile} {base}login")
    assert "session\tabc123" in (tmp_path / "jar.txt").read_text()
    assert ip.run_line_magic("fetch", "-b {jarfile} {base}whoami").text == "cookie=session=abc123"
    assert ip.run_line_magic("fetch", "-b 'a=1; b=2' {base}whoami").text == "cookie=a=1; b=2"


def test_line_magic_refuses_crlf(ip, lab):
    ip.user_ns["base"] = lab.url
    ip.user_ns["evil"] = "v\r\nX-Injected: 1"
    with pytest.raises(InjectionError):
        ip.run_line_magic("fetch", "-H 'X-A: {evil}' {base}echo")


def test_unknown_flag_is_clear():
    with pytest.raises(NetbookError, match="unsupported curl flag --bogus"):
        parse_curl("--bogus http://h/")
    with pytest.raises(NetbookError, match="no URL"):
        parse_curl("-L")


def test_parse_curl_flags():
    c = parse_curl("curl -sSLk -m 5 -x proxy:3128 -A bot -e http://ref/ --max-time=7 -b c.txt -c out.txt http://h/")
    assert (c.location, c.insecure, c.timeout, c.proxy, c.cookie, c.cookie_jar) == (True, True, 7.0, "proxy:3128",
                                                                                    ["c.txt"], "out.txt")
    assert c.headers == {"User-Agent": "bot", "Referer": "http://ref/"}
    kw = c.fetch_kwargs()
    assert kw["proxy"] == "http://proxy:3128" and kw["verify"] is False


HTTP_CELL = """
@host = {base}
@who = netbook

### first: get with a header
GET {{host}}echo?x=1
Accept: application/json
X-Who: {{who}}

###   second: post json
POST {{host}}echo
  ?a=1
  &b=2
Content-Type: application/json

{"name": "{{who}}",
 "n": 2}

### third, URL only
{{host}}json
"""


def test_http_cell(ip, lab):
    ip.user_ns["base"] = lab.url
    last = ip.run_cell_magic("fetch", "-o all", HTTP_CELL)
    first, second, third = ip.user_ns["all"]
    assert third is last and last.json()["name"] == "netbook"
    e = first.json()
    assert e["method"] == "GET" and e["query"] == "x=1" and e["headers"]["X-Who"] == "netbook"
    e = second.json()
    assert e["method"] == "POST" and e["query"] == "a=1&b=2"
    assert json.loads(e["body"]) == {"name": "netbook", "n": 2}


def test_http_cell_refuses_crlf_in_headers_not_body():
    with pytest.raises(InjectionError):
        parse_http_file("GET http://h/\nX-A: {evil}\n", {"evil": "a\r\nB: c"})
    reqs = parse_http_file("POST http://h/\n\n{body}\n", {"body": "line1\nline2"})
    assert reqs[0].body == "line1\nline2"
    with pytest.raises(NetbookError, match="no request"):
        parse_http_file("# just a comment\n###\n", {})
