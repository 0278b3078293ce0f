"""The app served as `make run` serves it: gunicorn with gunicorn.conf.py, DEBUG off, plain HTTP.

gunicorn reaches the test database through a small TCP relay that a test can cut and restore: a
real outage and a real recovery, seen by real workers holding persistent connections, without
stopping the PostgreSQL server that the rest of the suite shares. Everything listens on loopback.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

START_TIMEOUT = 30  # seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DatabaseRelay:
    """127.0.0.1:`port` forwards to the database server until `cut()`, again after `restore()`."""

    def __init__(self, settings_dict):
        host = settings_dict.get("HOST") or "localhost"
        port = int(settings_dict.get("PORT") or 5432)
        if host.startswith("/"):
            self.target = (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}")
        else:
            self.target = (socket.AF_INET, (host, port))
        self.port = free_port()
        self.listener = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones, as a server going down does."""
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener) -> None:
        while listener.fileno() != -1:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            family, address = self.target
            server = socket.socket(family, socket.SOCK_STREAM)
            server.connect(address)
            with self.lock:
                self.sockets.update({client, server})
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class Served:
    def __init__(self, port: int, relay: DatabaseRelay, log):
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.relay = relay
        self._log = log

    def get(self, path: str, host: str | None = None, timeout: float = 10):
        """(status, headers, body) of a GET; an error status is an answer too."""
        request = urllib.request.Request(self.url + path)
        if host:
            request.add_header("Host", host)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read()


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    """gunicorn as `make run` starts it (its config, DEBUG off), on the test database."""
    from django.db import connection

    static_root = tmp_path_factory.mktemp("staticfiles")
    relay = DatabaseRelay(connection.settings_dict)
    relay.restore()
    database = connection.settings_dict
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": (
            f"postgres://{credentials}127.0.0.1:{relay.port}/{quote(database['NAME'], safe='')}"
        ),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("TEST_DB_NAME", "SECRET_KEY_FILE", "BEHIND_TLS_PROXY", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    # Production's hashed static files, as `make run` collects them (into a folder of our own).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "justicelib.wsgi"]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        site = Served(port, relay, log)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    site.get("/", timeout=2)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start:\n{site.log()}")
                    time.sleep(0.2)
            yield site
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            relay.cut()


def test_it_answers_over_plain_http_at_127_0_0_1_and_localhost(served):
    for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}"):
        status, headers, body = served.get("/", host=host)

        assert status == 200, (host, body[:500])
        assert "Strict-Transport-Security" not in headers  # no HSTS without BEHIND_TLS_PROXY
        assert "sessionid" not in headers.get("Set-Cookie", "")


def test_it_serves_the_sites_404_page_and_hashed_static_files(served):
    status, _, body = served.get("/no-such-page/")

    assert status == 404
    assert "Page not found" in body and 'role="search"' in body
    assert "Traceback" not in body and "DEBUG" not in body
    stylesheet = body.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"
    assert served.get(stylesheet)[0] == 200


def test_its_control_socket_and_pid_file_are_its_own_in_var(served):
    run_dir = Path(settings.BASE_DIR) / "var"
    name = f"gunicorn-127.0.0.1-{served.port}"

    assert (run_dir / f"{name}.ctl").is_socket()
    assert (run_dir / f"{name}.pid").is_file()


def test_two_half_sent_requests_do_not_hold_up_a_third(served):
    stalled = []
    try:
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the end
            stalled.append(sock)
        time.sleep(0.3)  # both are read by now

        started = time.monotonic()
        status, _, _ = served.get("/studies/", timeout=10)

        assert status == 200
        assert time.monotonic() - started < 3  # a stalled request holds its thread for 10 s
    finally:
        for sock in stalled:
            sock.close()


def test_a_database_outage_gives_503_and_the_site_recovers_by_itself(served):
    assert served.get("/studies/")[0] == 200  # the workers hold persistent connections now

    served.relay.cut()
    try:
        status, headers, body = served.get("/studies/")
        api_status, api_headers, api_body = served.get("/api/studies/")
    finally:
        served.relay.restore()

    assert status == 503, body[:500]
    assert headers["Retry-After"] == "30"
    assert "The library is briefly unavailable" in body
    assert api_status == 503
    assert api_headers["Content-Type"] == "application/json"
    assert api_headers["Retry-After"] == "30"
    assert '"errors"' in api_body
    # Back without a restart: each worker drops its dead connection and opens a new one.
    assert [served.get(path)[0] for path in ("/studies/", "/api/studies/") * 3] == [200] * 6
    log = served.log()
    assert "Database unavailable" in log
    assert "Traceback" not in log


def test_the_favicon_is_linked_and_favicon_ico_answers(client, db):
    html = client.get("/studies/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().startswith("<svg")
