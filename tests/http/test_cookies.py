"""nb.CookieJar: curl's cookie files both ways, policy reasons, parsing."""
import subprocess
import time

import pytest

import netbook as nb
from netbook.http.cookies import parse_cookie_header, parse_set_cookie


def test_curl_writes_jar_reads(lab, curl, tmp_path):
    f = tmp_path / "curl-cookies.txt"
    subprocess.run([curl, "-s", "-o", "/dev/null", "-c", str(f), lab.url + "set-cookies"], check=True, timeout=20)
    subprocess.run([curl, "-s", "-o", "/dev/null", "-b", str(f), "-c", str(f), lab.url + "login"], check=True, timeout=20)
    assert f.read_text().startswith("# Netscape HTTP Cookie File")
    jar = nb.CookieJar(f)
    names = {c.name for c in jar}
    assert {"a", "session"} <= names  # b, c are Secure: curl keeps them only for https
    df = jar.to_frame(reveal=True).set_index("name")
    assert df.loc["session", "httponly"] and df.loc["session", "value"] == "abc123"  # curl's #HttpOnly_ prefix
    assert nb.fetch(lab.url + "whoami", cookies=jar).text.startswith("cookie=")
    assert "session=abc123" in nb.fetch(lab.url + "whoami", cookies=jar).text


def test_jar_writes_curl_reads(lab, curl, tmp_path):
    jar = nb.CookieJar()
    nb.fetch(lab.url + "login", cookies=jar, follow_redirects=False)
    f = tmp_path / "ours.txt"
    jar.save(f)
    out = subprocess.run([curl, "-s", "-b", str(f), lab.url + "whoami"], capture_output=True, text=True, timeout=20).stdout
    assert out == "cookie=session=abc123"


def test_lwp_round_trip(tmp_path):
    jar = nb.CookieJar()
    jar.set("k", "v", "example.com", path="/app", secure=True, httponly=True, expires=time.time() + 3600, samesite="Lax")
    jar.save(tmp_path / "c.lwp", format="lwp")
    again = nb.CookieJar(tmp_path / "c.lwp")
    row = again.to_frame(reveal=True).iloc[0]
    assert (row["name"], row["value"], row["path"], row["secure"]) == ("k", "v", "/app", True)
    with pytest.raises(nb.http.FetchError):
        jar.save(tmp_path / "x", format="bogus")


def test_would_send_and_why_not():
    jar = nb.CookieJar()
    jar.set("site", "1", "example.com")
    jar.set("deep", "2", "example.com", path="/admin")
    jar.set("sec", "3", "example.com", secure=True)
    jar.set("other", "4", "other.org")
    jar.set("old", "5", "example.com", expires=time.time() - 10)
    df = jar.would_send("http://example.com/shop").set_index("name")
    assert df.loc["site", "sent"] and not df.loc["deep", "sent"] and not df.loc["sec", "sent"]
    assert "path" in df.loc["deep", "reason"] and "https" in df.loc["sec", "reason"]
    assert "domain" in df.loc["other", "reason"]
    assert set(df["value"]) == {"••••"}
    assert jar.cookie_header("https://example.com/admin/x") in ("deep=2; sec=3; site=1", "deep=2; site=1; sec=3",
                                                                "site=1; deep=2; sec=3", "deep=2; site=1; sec=3")
    assert "1" not in repr(jar).replace("1 ", "") or "site" in repr(jar)


def test_parse_headers():
    d = parse_set_cookie("id=a3fWa; Expires=Thu, 21 Oct 2031 07:28:00 GMT; Secure; HttpOnly; SameSite=Strict; Partitioned")
    assert d["name"] == "id" and d["value"] == "a3fWa" and d["secure"] and d["httponly"]
    assert d["samesite"] == "Strict" and d["partitioned"] is True and "2031" in d["expires"]
    assert parse_set_cookie("x=1; Max-Age=60")["max-age"] == "60"
    assert parse_cookie_header('a=1; b="two words"') == {"a": "1", "b": "two words"}


def test_bad_cookie_file(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("#LWP-Cookies-2.0\nSet-Cookie3: ???\n")
    with pytest.raises(nb.http.FetchError):
        nb.CookieJar().load(f)
