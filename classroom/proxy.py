"""The hub's proxy: the Python `configurable-http-proxy` from PyPI, with room for a whole class at once.

That proxy forwards every HTTP request with tornado's ``AsyncHTTPClient``, which by default carries
10 requests at a time and queues the rest; a request still queued after 20 seconds fails with
"503 Service Unavailable" ("Timeout in request queue" in the hub's log). A class logging in at once
fills those 10 places with requests that wait for a server to start (the spawn page waits up to 10 s,
the "server is starting" page and nbgitpuller's pull keep a response open until they finish): measured
with 40 students logging in within one second, 27 requests got a 503 and those students' servers
never started. Here the proxy carries up to ``MAX_REQUESTS`` requests at a time (each costs an open
connection, a few kilobytes), then runs as the `configurable-http-proxy` command would, with the same
arguments. JupyterHub starts it (classroom/jupyterhub_config.py); the Node.js proxy from npm has no
such limit.
"""

from tornado.httpclient import AsyncHTTPClient

#: Requests the proxy forwards at the same moment (tornado's default: 10). A class of 200 students,
#: each with a few open pages and event streams, stays well under it.
MAX_REQUESTS = 2000

if __name__ == "__main__":
    AsyncHTTPClient.configure(None, max_clients=MAX_REQUESTS)

    from configurable_http_proxy.cli import main

    main(prog_name="configurable-http-proxy")
