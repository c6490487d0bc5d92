"""02-web exercises: a range request, a traversal attempt, XML-RPC
introspection and a call, the WSGI environ, a UDP datagram (asked of seeded
lab servers)."""
from __future__ import annotations

import http.client
import random
import shutil
import socket
import tempfile
import xmlrpc.client
from pathlib import Path

from ..checks import Exercise, Sheet, same_int, same_text, same_tuple

WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "flint", "garnet", "heron", "indigo", "jasper", "kestrel"]


def sheet(seed: int) -> Sheet:
    from ..servers import starter

    rnd = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="netbook-exercises-web-"))
    site = root / "site"
    site.mkdir()
    text = " ".join(rnd.choice(WORDS) for _ in range(60))
    fname = f"{rnd.choice(WORDS)}.txt"
    (site / fname).write_text(text)
    secret = f"{rnd.choice(WORDS)}-secret.txt"
    (root / secret).write_text("you should never see this\n")
    a = rnd.randint(0, 40)
    b = a + rnd.randint(5, 30)
    weight = rnd.randint(2, 9)
    word = rnd.choice(WORDS)
    n_funcs = rnd.randint(2, 5)
    header = f"X-{rnd.choice(['Student', 'Course', 'Lab', 'Team'])}-{rnd.choice(['Id', 'Name', 'Code'])}"
    datagram = " ".join(rnd.sample(WORDS, 3))

    def score(w: str) -> int:
        """The sum of the letters' positions in the alphabet, times the sheet's weight."""
        return weight * sum(ord(c) - 96 for c in str(w).lower() if c.isalpha())

    extra = [lambda x, i=i: x * i for i in range(n_funcs - 1)]
    for i, f in enumerate(extra):
        f.__name__ = f"times{i}"

    def environ_app(environ, start_response):
        keys = sorted(k for k in environ if k.startswith("HTTP_"))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [("\n".join(keys) + "\n").encode()]

    servers = []
    try:
        servers.append(starter("http")(str(site), name="exercises-web-http"))
        servers.append(starter("xmlrpc")(score, *extra, name="exercises-web-rpc"))
        servers.append(starter("wsgi")(environ_app, name="exercises-web-wsgi"))
        servers.append(starter("udp")(lambda data: data.upper(), name="exercises-web-udp"))
    except BaseException:
        for s in servers:
            s.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    web, rpc, app, udp = servers

    def get(srv, path, headers=None):
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        try:
            c.request("GET", path, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def ranged():
        status, body = get(web, "/" + fname, {"Range": f"bytes={a}-{b}"})
        return (status, body.decode())

    def traversal():
        return get(web, "/../" + secret)[0]

    def methods():
        with xmlrpc.client.ServerProxy(rpc.url) as p:
            return len([m for m in p.system.listMethods() if not m.startswith("system.")])

    def call():
        with xmlrpc.client.ServerProxy(rpc.url) as p:
            return p.score(word)

    def environ_key():
        _, body = get(app, "/", {header: "me"})
        keys = [k for k in body.decode().split() if k not in ("HTTP_HOST", "HTTP_ACCEPT_ENCODING")]
        return keys[0]

    def shout():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(datagram.encode(), (udp.host, udp.port))
            return s.recvfrom(65536)[0].decode()

    ex = [
        Exercise(1, f"Range request: ask the static server for bytes {a}-{b} of /{fname}. Answer (status code, the text).",
                 ranged, same=same_tuple(same_int, lambda g, x: str(g) == x),
                 hint="send a Range: bytes=first-last header; both ends are included",
                 how=f"urllib.request.Request(url, headers={{'Range': 'bytes={a}-{b}'}})",
                 explain="206 Partial Content with just those bytes (last - first + 1 of them)",
                 params={"url": web.url + fname, "range": (a, b)}),
        Exercise(2, f"The file {secret} sits one folder above the served one. Request /../{secret} with http.client "
                    "(which sends the path exactly as written). Which status does the server answer?",
                 traversal, same=same_int,
                 hint="http.client.HTTPConnection(host, port).request('GET', path); the server log says why",
                 how="c = http.client.HTTPConnection(host, port); c.request('GET', '/../' + name); c.getresponse().status",
                 explain="the server resolves the path and refuses anything outside its folder",
                 params={"url": web.url, "path": "/../" + secret}),
        Exercise(3, "XML-RPC introspection: how many methods does the RPC server offer, not counting the system.* ones?",
                 methods, same=same_int,
                 hint="xmlrpc.client.ServerProxy(url).system.listMethods()",
                 how="[m for m in proxy.system.listMethods() if not m.startswith('system.')]",
                 explain="system.listMethods is XML-RPC's standard introspection call",
                 params={"url": rpc.url}),
        Exercise(4, f"Call score({word!r}) on the RPC server. What does it return?", call, same=same_int,
                 hint="ServerProxy(url).score(word); system.methodHelp('score') says what it computes",
                 how="xmlrpc.client.ServerProxy(url).score(word)",
                 explain="the call travels as XML in an HTTP POST; the result comes back typed (<int>)",
                 params={"url": rpc.url, "word": word}),
        Exercise(5, f"Send a request with the header '{header}: me' to the WSGI app. Under which environ key does "
                    "the application see it?", environ_key, same=same_text,
                 hint="the app lists the HTTP_* keys it received; PEP 3333 (CGI) spells header names a special way",
                 how="nb.fetch(url, headers={header: 'me'}).text",
                 explain="HTTP_ + the name upper-cased with - turned into _ (the CGI convention WSGI keeps)",
                 params={"url": app.url, "header": header}),
        Exercise(6, f"Send the datagram {datagram!r} to the UDP server. What comes back?", shout, same=lambda g, x: str(g) == x,
                 hint="socket.socket(AF_INET, SOCK_DGRAM).sendto(data, (host, port)); then recvfrom",
                 how="s.sendto(text.encode(), (host, port)); s.recvfrom(65536)[0].decode()",
                 explain="UDP has no connection: one datagram out, one back",
                 params={"host": udp.host, "port": udp.port, "text": datagram}),
    ]
    out = Sheet("web", seed, ex, servers, url=web.url, rpc_url=rpc.url, app_url=app.url, udp_url=udp.url)
    out.on_stop.append(lambda: shutil.rmtree(root, ignore_errors=True))
    return out
