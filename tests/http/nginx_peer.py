"""nginx as an independent HTTP peer (tests and benchmarks).

Serves a temp folder on 127.0.0.1 and a few locations for the client's
tests: a redirect, a cookie across a redirect, a slow (echo_sleep) chunked
response, Basic auth, gzip; ``/conn`` answers nginx's connection serial number
and the count of requests on that connection (keep-alive seen from the server).  Started in the foreground (``daemon off``) as a
subprocess; ``stop()`` ends that process.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile

from tests.peers import wait_for_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

CONF = """
{load_echo}
daemon off;
worker_processes {workers};
user root root;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {prefix}/tmp;
  proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp;
  scgi_temp_path {prefix}/tmp;
  types {{ text/plain txt; text/html html; application/json json; image/png png; }}
  default_type application/octet-stream;
  gzip on;
  gzip_types text/plain application/json;
  gzip_min_length 20;
  server {{
    listen 127.0.0.1:{port};
    root {prefix}/www;
    location = /redirect {{ return 302 /hello.txt; }}
    location = /cookie {{ add_header Set-Cookie "nginx_sid=xyz; Path=/; HttpOnly"; return 302 /echo-cookie; }}
    location = /echo-cookie {{ default_type text/plain; return 200 "cookie=$http_cookie"; }}
    location = /conn {{ default_type text/plain; return 200 "$connection $connection_requests"; }}
    {echo_locations}
    location /private/ {{ auth_basic "lab"; auth_basic_user_file {prefix}/htpasswd; }}
  }}
}}
"""
ECHO_LOCATIONS = """
    location = /slow {{ default_type text/plain; echo_sleep 2; echo "late"; }}
    location = /delay {{ default_type text/plain; echo_sleep 0.005; echo -n "ok"; }}
    location = /chunked {{ default_type text/plain; echo "part one"; echo_flush; echo "part two"; }}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, workers: int = 1):
        if NGINX is None:
            raise FileNotFoundError("nginx is not installed")
        self.prefix = tempfile.mkdtemp(prefix="nb-nginx-")
        os.makedirs(f"{self.prefix}/www/private")
        os.makedirs(f"{self.prefix}/tmp")
        self.www = f"{self.prefix}/www"
        with open(f"{self.www}/hello.txt", "w") as f:
            f.write("hello from nginx\n")
        with open(f"{self.www}/private/secret.txt", "w") as f:
            f.write("the secret\n")
        with open(f"{self.www}/big.txt", "w") as f:
            f.write("all work and no play makes jack a dull boy\n" * 50_000)
        with open(f"{self.www}/tiny.txt", "w") as f:
            f.write("ok")
        with open(f"{self.prefix}/htpasswd", "w") as f:
            f.write("alice:{PLAIN}wonderland\n")
        self.port = _free_port()
        echo = os.path.exists(ECHO_MODULE)
        self.has_echo = echo
        conf = CONF.format(prefix=self.prefix, port=self.port, workers=workers,
                           load_echo=f"load_module {ECHO_MODULE};" if echo else "",
                           echo_locations=ECHO_LOCATIONS.format() if echo else "")
        self.conf = f"{self.prefix}/nginx.conf"
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([NGINX, "-c", self.conf, "-p", self.prefix], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        wait_for_port(self.port, self.proc, "nginx", lambda: self.proc.stderr.read().decode())
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
