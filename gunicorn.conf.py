"""gunicorn's settings for every JusticeLib server: `make run`, `make dev`, `make bench` and the
browser tests' server. gunicorn reads this file from the working directory by itself; the
Makefile names it anyway (`-c gunicorn.conf.py`).

The address comes from GUNICORN_BIND (host:port), not from `--bind`, because the pid file and the
control socket are named after it: two servers never share one, and neither lives under $HOME.
"""

import gc
import logging
import os
import socket
import struct
from pathlib import Path

_address = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
_run_dir = Path(__file__).resolve().parent / "var"
_run_dir.mkdir(exist_ok=True)
_name = "gunicorn-" + _address.replace(":", "-").replace("/", "-").strip("-[]")

bind = [_address]
# Two cores: a worker per core. Each worker's threads overlap the time a request waits on
# PostgreSQL or on the network.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, not sync: a sync worker reads a request in its only thread, so two clients that send
# half a request block both workers until `timeout` kills them (30 s). A gthread worker hands a
# connection back to its poller when no data arrives, and its threads serve others meanwhile.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 20
# Keep-alive from the proxy in front (or a browser, in `make run`); idle ones close after this.
keepalive = 5
pidfile = str(_run_dir / f"{_name}.pid")
control_socket = str(_run_dir / f"{_name}.ctl")

# gthread alone still gives a thread to a request as soon as its first bytes arrive, and the
# thread then waits for the rest without a limit: eight half-sent requests that land on one worker
# freeze it until they disconnect. So a thread waits at most this long for the next bytes of a
# request, then closes the connection. Set on the listening sockets, whose receive timeout Linux's
# accept() copies to every client socket. The proxy in front, which buffers requests (README),
# remains the real defence; this bounds what a stalled client can hold when there is none.
REQUEST_READ_TIMEOUT = 10


def when_ready(server) -> None:
    timeval = struct.pack("ll", REQUEST_READ_TIMEOUT, 0)
    for listener in server.LISTENERS:
        listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)


class _StalledRequestFilter(logging.Filter):
    """One WARNING line for a connection closed by the timeout above, not an ERROR traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], BlockingIOError):
            record.msg = "Closed a connection whose request stalled for %d s"
            record.args = (REQUEST_READ_TIMEOUT,)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def post_worker_init(worker) -> None:
    worker.log.error_log.addFilter(_StalledRequestFilter())
    # Django, its apps and the settings are loaded now and live as long as the worker: moved out
    # of the collector's sight, they are not walked again by every full collection that a page
    # of 500 figures sets off (about 1.5 ms of such a page; Python's gc.freeze documentation).
    gc.freeze()
    # A page's objects are cyclic garbage once it is sent (a prefetched figure knows its
    # indicator, which holds its figures): only the collector frees them. With Python's default
    # threshold of 2,000 it ran in the middle of pages, and a page of 500 figures was caught by
    # a 7 ms collection of the older generation one time in five and by a 25 ms full one now and
    # then (its p95 41 ms against a p50 of 32). Collected between requests instead
    # (`post_request`), after the response is written, a page served alone is rarely
    # interrupted: p95 33 ms, the 1.3 ms of the collection spent while the client reads. (It
    # holds the interpreter, so the worker's other threads wait for it, as they waited for the
    # collections in the middle of pages.) Under 16 connections of program and list pages a
    # worker peaked at 131–137 MB, against 172 MB before, at the same throughput.
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


# Allocations that set off a collection during a request (Python's default: 2,000): above what a
# page of 500 figures allocates, so that its garbage is collected after it, by post_request.
YOUNG_COLLECTION_THRESHOLD = 100_000


def post_request(worker, req, environ, resp) -> None:
    # The young and middle generations, where a request's garbage is; and the oldest once the
    # middle one has been collected threshold[2] times (ten) since, as Python's own rule counts
    # (without its condition on the long-lived objects: gc.freeze left few). Without it, what
    # other threads' requests still held at each collection reached the oldest generation and
    # stayed: under the benchmark's load a worker grew to 460–841 MB.
    gc.collect(2 if gc.get_count()[2] >= gc.get_threshold()[2] else 1)
