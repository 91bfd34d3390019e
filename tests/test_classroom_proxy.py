"""The hub's proxy forwards a whole class's requests at once (classroom/proxy.py).

The Python configurable-http-proxy forwards with tornado's AsyncHTTPClient, which carries 10 requests
at a time and answers 503 to one queued for 20 s; 40 students logging in at once met that (measured:
27 requests refused). Here a backend holds every request until ``CONCURRENT`` of them have arrived:
through a proxy that carries only 10 at a time, the rest never arrive and all fail; through
classroom/proxy.py all arrive and all are answered.
"""

from __future__ import annotations

import http.server
import os
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from hubenv import CLASSROOM, free_ports, shared_env  # noqa: F401 - fixture

CONCURRENT = 25


class Backend(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int):
        self.arrived = threading.Barrier(CONCURRENT, timeout=15)
        super().__init__(("127.0.0.1", port), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server name
        try:
            self.server.arrived.wait()
            status = 200
        except threading.BrokenBarrierError:
            status = 504
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_proxy_forwards_more_than_ten_requests_at_once(shared_env):  # noqa: F811 - fixture
    proxy_port, api_port, backend_port = free_ports(3)
    token = secrets.token_hex(16)
    backend = Backend(backend_port)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    proxy = subprocess.Popen(
        [str(shared_env / "bin" / "python"), str(CLASSROOM / "proxy.py"), "--ip", "127.0.0.1", "--port", str(proxy_port),
         "--api-ip", "127.0.0.1", "--api-port", str(api_port), "--default-target", f"http://127.0.0.1:{backend_port}"],
        env={**os.environ, "CONFIGPROXY_AUTH_TOKEN": token},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:  # the proxy is up when its API answers
            try:
                requests.get(f"http://127.0.0.1:{api_port}/api/routes", timeout=1,
                             headers={"Authorization": f"token {token}"}).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proxy.poll() is not None:
                    raise AssertionError(f"the proxy did not start: {proxy.stdout.read() if proxy.poll() is not None else ''}")
                time.sleep(0.2)
        with ThreadPoolExecutor(CONCURRENT) as pool:
            codes = list(pool.map(lambda _: requests.get(f"http://127.0.0.1:{proxy_port}/x", timeout=60).status_code,
                                  range(CONCURRENT)))
        assert codes == [200] * CONCURRENT, (
            f"{CONCURRENT} requests at once through the proxy: {sorted(codes)} (200: all arrived together; 504: the "
            f"backend never saw them all; 503: the proxy queued them)")
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        backend.shutdown()
