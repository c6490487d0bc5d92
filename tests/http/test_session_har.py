"""nb.Session and HAR 1.2 export."""
import json

import netbook as nb

from .apps import PASSWORD, USER, app


def test_session_shares_cookies_headers_auth(lab):
    s = nb.Session(lab.url, headers={"X-Client": "nb"}, auth=(USER, PASSWORD))
    s.get("login")
    assert s.cookies.get("session") == "abc123"
    e = s.get("echo").json()
    assert e["headers"]["X-Client"] == "nb" and e["headers"]["Cookie"] == "session=abc123"
    assert s.get("basic").text == "basic ok"
    assert s.post("echo", json={"a": 1}).json()["method"] == "POST"
    df = s.to_frame()
    assert df["status"].tolist() == [200, 200, 200, 200] and df["url"][1] == lab.url + "echo"
    assert PASSWORD not in repr(s) and "abc123" not in repr(s)
    assert len(s.table().to_frame()) == 4


def test_session_in_process():
    s = nb.Session("http://testserver/", app=app)
    assert s.get("login").text == "cookie=session=abc123" and len(s.history) == 1


def test_har_structure(lab):
    r = nb.fetch(lab.url + "redirect?n=2", headers={"Authorization": "Bearer SECRET"})
    har = r.to_har()
    json.dumps(har)  # serialisable
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "netbook"
    entries = log["entries"]
    assert len(entries) == 3 and [e["response"]["status"] for e in entries] == [302, 302, 200]
    assert entries[0]["response"]["redirectURL"].endswith("/redirect?n=1")
    for e in entries:
        for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
            assert key in e
        for key in ("send", "wait", "receive"):
            assert e["timings"][key] >= 0
        req = e["request"]
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"):
            assert key in req
        auth = [h["value"] for h in req["headers"] if h["name"].lower() == "authorization"]
        assert auth == ["Bearer ••••"]
    assert entries[-1]["response"]["content"]["text"].startswith("{")
    heads = json.dumps([e["request"]["headers"] for e in entries])
    assert "SECRET" not in heads and "SECRET" in json.dumps([e["request"]["headers"] for e in r.to_har(True)["log"]["entries"]])
    assert entries[0]["request"]["queryString"] == [{"name": "n", "value": "2"}]


def test_session_har_and_save(lab, tmp_path):
    s = nb.Session(lab.url)
    s.get("")
    s.get("png")
    har = s.to_har()
    assert len(har["log"]["entries"]) == 2
    png = har["log"]["entries"][1]["response"]["content"]
    assert png["encoding"] == "base64" and png["mimeType"] == "image/png"
    nb.http.save_har(s.history, tmp_path / "s.har")
    assert json.loads((tmp_path / "s.har").read_text())["log"]["version"] == "1.2"
