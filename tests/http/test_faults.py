"""Issue 11 faults: a client killed in the middle of a POST body.  The WSGI
app never sees a short body as if it were whole (reading raises), the server
and the other connections go on."""
import http.client

import netbook as nb
from tests.faults import killed_mid_transfer, wait_until

POST_SCRIPT = """
import socket, time
s = socket.create_connection(("127.0.0.1", {port}))
s.sendall(b"POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000000\\r\\n\\r\\n" + b"p" * 300000)
print("ready", flush=True)
time.sleep(60)
"""


def test_client_killed_mid_post_body():
    stored = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        stored.append(body)  # what an app would save
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    with nb.serve.wsgi(app, name="http-faults") as srv:
        killed_mid_transfer(POST_SCRIPT.format(port=srv.port))
        wait_until(lambda: srv.errors, what="the app's error")
        assert stored == [] and "went away" in srv.errors[-1]
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        c.request("POST", "/upload", body=b"whole")
        assert c.getresponse().read() == b"ok"
        assert stored == [b"whole"]
