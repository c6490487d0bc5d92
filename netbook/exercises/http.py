"""01-http exercises: conditional GET, cookies, redirects, authentication,
embedded objects (the questions of the classic HTTP Wireshark lab, asked of
a seeded lab server)."""
from __future__ import annotations

import base64
import hashlib
import random
from email.utils import formatdate
from html.parser import HTMLParser
from urllib.parse import parse_qs

from ..checks import Exercise, Sheet, same_int, same_seq, same_text, same_tuple

WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "gamma", "harbor", "iris", "juniper",
         "kelp", "lumen", "maple", "nova", "onyx", "pixel", "quartz", "raven", "sable", "tundra"]


def make_app(seed: int):
    """The sheet's WSGI application: every page and header follows from ``seed``."""
    rnd = random.Random(seed)
    note = rnd.choice(WORDS)
    body = (" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 90))) + "\n").encode()
    etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
    modified = formatdate(1_700_000_000 + rnd.randint(0, 10**7), usegmt=True)
    pref = rnd.choice(["theme", "lang", "font", "units"])
    pref_value = rnd.choice(["dark", "en", "serif", "metric"])
    max_age = rnd.choice([300, 600, 900, 1800, 3600, 7200, 86400])
    hops = rnd.randint(2, 5)
    codes = [rnd.choice([301, 302, 303, 307, 308]) for _ in range(hops)]
    user, password = rnd.choice(WORDS), f"{rnd.choice(WORDS)}{rnd.randint(10, 99)}"
    realm = f"netbook-{rnd.choice(WORDS)}"
    images = rnd.randint(2, 6)
    scripts = rnd.randint(0, 2)
    p = dict(note=f"notes/{note}.txt", etag=etag, pref=pref, max_age=max_age, hops=hops, codes=codes,
             user=user, password=password, realm=realm, images=images, scripts=scripts)
    reasons = {301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
               308: "Permanent Redirect"}

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if path == "/" + p["note"]:
            if environ.get("HTTP_IF_NONE_MATCH") == etag or environ.get("HTTP_IF_MODIFIED_SINCE") == modified:
                start_response("304 Not Modified", [("ETag", etag), ("Last-Modified", modified)])
                return [b""]
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("ETag", etag),
                                      ("Last-Modified", modified), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/login":
            who = parse_qs(environ.get("QUERY_STRING", "")).get("user", ["guest"])[0]
            sid = hashlib.sha1(f"{seed}:{who}".encode()).hexdigest()[:16]
            start_response("200 OK", [("Content-Type", "text/plain"),
                                      ("Set-Cookie", f"session={sid}; Path=/; HttpOnly; SameSite=Lax"),
                                      ("Set-Cookie", f"{pref}={pref_value}; Path=/; Max-Age={max_age}")])
            return [f"welcome, {who}\n".encode()]
        if path.startswith("/hop/"):
            try:
                k = int(path[5:])
            except ValueError:
                k = -1
            if 1 <= k <= hops:
                code = codes[hops - k]
                start_response(f"{code} {reasons[code]}", [("Location", f"/hop/{k - 1}"), ("Content-Length", "0")])
                return [b""]
            if k == 0:
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"you have arrived\n"]
        if path == "/secret":
            want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if environ.get("HTTP_AUTHORIZATION") == want:
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"the secret is safe with you\n"]
            start_response("401 Unauthorized", [("WWW-Authenticate", f'Basic realm="{realm}"'),
                                                ("Content-Type", "text/plain")])
            return [b"who are you?\n"]
        if path == "/embedded":
            imgs = "".join(f'<img src="/img/{i}.png" alt="{i}">' for i in range(images))
            js = "".join(f'<script src="/js/{i}.js"></script>' for i in range(scripts))
            page = f"<!doctype html><html><head>{js}</head><body><h1>Gallery</h1>{imgs}</body></html>"
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not here\n"]

    return app, p


class _Objects(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "script") and a.get("src"):
            self.urls.append(a["src"])


def sheet(seed: int) -> Sheet:
    from ..http import fetch
    from ..servers import starter

    app, p = make_app(seed)
    srv = starter("wsgi")(app, name="exercises-http")
    base = srv.url

    def conditional():
        first = fetch(base + p["note"])
        again = fetch(base + p["note"], headers={"If-None-Match": first.headers["ETag"]})
        return (int(again.status), first.headers["ETag"], len(again.content))

    def cookie():
        r = fetch(base + "login?user=student")
        other = [c for c in r.set_cookies() if c["name"] != "session"][0]
        return (other["name"], int(other["max-age"]))

    def redirects():
        r = fetch(base + f"hop/{p['hops']}")
        return [int(h.status) for h in r.history]

    def auth():
        r = fetch(base + "secret")
        realm = r.headers["WWW-Authenticate"].split('realm="', 1)[1].rstrip('"')
        return (realm, "Basic " + base64.b64encode(f"{p['user']}:{p['password']}".encode()).decode())

    def embedded():
        parser = _Objects()
        parser.feed(fetch(base + "embedded").text)
        return len(parser.urls)

    ex = [
        Exercise(1, f"Conditional GET: fetch {p['note']}, then fetch it again sending its ETag in If-None-Match. "
                    "Answer (status of the second reply, the ETag, number of body bytes in the second reply).",
                 conditional, same=same_tuple(same_int, same_text, same_int),
                 hint="the server compares If-None-Match with the page's ETag; a match means 'you already have it'",
                 how="r = nb.fetch(url); nb.fetch(url, headers={'If-None-Match': r.headers['ETag']})",
                 explain="304 Not Modified carries no body: the client reuses its cached copy",
                 params={"path": p["note"]}),
        Exercise(2, "Cookies: fetch login?user=student. Besides `session`, which cookie does the server set, and "
                    "after how many seconds does it expire? Answer (name, seconds).",
                 cookie, same=same_tuple(same_text, same_int),
                 hint="look at every Set-Cookie header (r.cookies or r.headers.get_all('Set-Cookie')); Max-Age counts seconds",
                 how="r = nb.fetch(url + 'login?user=student'); r.cookies[['name', 'max-age']]",
                 explain="Max-Age gives the lifetime in seconds from now; without it a cookie lasts the browser session",
                 params={"path": "login?user=student"}),
        Exercise(3, f"Redirects: fetch hop/{p['hops']}. Which redirect status codes does the client follow, in order? "
                    "Answer a list of numbers.",
                 redirects, same=same_seq,
                 hint="r.history holds one hop per redirect; each has a .status",
                 how="[h.status for h in nb.fetch(url + 'hop/N').history]",
                 explain="301/308 are permanent, 302/303/307 temporary; 303 turns the request into a GET, 307/308 keep the method",
                 params={"path": f"hop/{p['hops']}"}),
        Exercise(4, f"Authentication: secret answers 401 without credentials. Which realm does it name, and what "
                    f"Authorization header value does a client send as user {p['user']!r} with password "
                    f"{p['password']!r}? Answer (realm, header value).",
                 auth, same=same_tuple(same_text, lambda g, a: str(g).strip() == a),
                 hint="WWW-Authenticate names the realm; Basic is base64 of 'user:password' (module base64)",
                 how="base64.b64encode(b'user:password'); nb.fetch(url, auth=(user, password)) sends it",
                 explain="Basic authentication only encodes, it does not encrypt: anyone on the wire can decode it",
                 params={"path": "secret", "user": p["user"], "password": p["password"]}),
        Exercise(5, "Embedded objects: how many more requests would a browser make to load the images and scripts "
                    "that the page embedded refers to? Answer a number.",
                 embedded, same=same_int,
                 hint="parse the HTML (html.parser) and count the src attributes of <img> and <script>",
                 how="count <img src> and <script src> in nb.fetch(url + 'embedded').text",
                 explain="a browser fetches the page first, then one request per embedded object",
                 params={"path": "embedded"}),
    ]
    return Sheet("http", seed, ex, [srv], url=base)
