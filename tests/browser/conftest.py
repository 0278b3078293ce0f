"""Browser tests: the real app, served by gunicorn, driven by Debian's `chromium` via Playwright.

Nothing is downloaded: Playwright launches the system Chromium (`executable_path`), and axe-core
comes with the axe-playwright-python package (from PyPI, like every other dependency).

One gunicorn serves all the browser tests, on the test database; each test loads its own data into
that database (committed, hence `transactional_db`) and pytest-django empties it afterwards.
gunicorn runs with CONN_MAX_AGE=0, so it holds no connection open between requests that could
block that flush.
"""

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

CHROMIUM_ARGS = [
    # The machine has no network: don't let Chromium wait on outbound connections.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CURATOR_USERNAME = "curator"
CURATOR_PASSWORD = "Lantern-Volta-Mukono-2018!"
SERVER_START_TIMEOUT = 20  # seconds


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = find_chromium()
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None and not IN_CI:
                item.add_marker(
                    pytest.mark.skip(
                        reason="Chromium is not installed (Debian: apt-get install chromium); "
                        "CI fails instead of skipping"
                    )
                )


@pytest.fixture(scope="session")
def chromium_path():
    if CHROMIUM is None:
        # Only reached in CI (elsewhere the tests are skipped at collection): CI must install it.
        pytest.fail("CI=true but Chromium is missing: install the Debian package `chromium`.")
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium_path, django_db_setup):
    """One headless Chromium for all the browser tests.

    Playwright's sync API runs an asyncio loop in this thread, and Django then refuses database
    queries ("you cannot call this from an async context"). The tests' own queries (loading data,
    emptying the database) never run concurrently with the browser, so they are allowed, but only
    while the browser is open: the rest of the suite keeps Django's check.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, served_site):
    """A fresh browser context (no cookies) and page; closed before the site's data goes."""
    context = browser.new_context(accept_downloads=True, base_url=served_site.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict) -> str:
    """A DATABASE_URL for the test database (a socket directory goes in the host, %-encoded)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    simple = {
        key: value
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if isinstance(value, str | int)  # libpq parameters such as sslmode
    }
    options = f"?{urlencode(simple)}" if simple else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}{options}"


def wait_until_serving(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if with an error page: the tests will say more
        except OSError:
            time.sleep(0.1)
    process.terminate()
    process.wait(timeout=10)
    log.seek(0)
    pytest.fail(f"gunicorn did not answer at {url} within {SERVER_START_TIMEOUT}s:\n{log.read()}")


class Site:
    def __init__(self, url: str, log):
        self.url = url
        self._log = log

    def log(self) -> str:
        """gunicorn's output so far, for assertion messages."""
        self._log.seek(0)
        return self._log.read()


@contextlib.contextmanager
def run_gunicorn():
    """gunicorn serving the app on the test database until the block ends."""
    from django.db import connection

    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CONN_MAX_AGE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # The project's gunicorn.conf.py names its pid file and control socket after the address.
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    env.pop("TEST_DB_NAME", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "justicelib.wsgi",
        "--workers",
        "1",
        "--threads",
        "4",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(f"{url}/static/css/site.css", process, log)
            yield Site(url, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="package")
def gunicorn_site(django_db_setup):
    """gunicorn serving the app on the test database, for all the browser tests."""
    with run_gunicorn() as site:
        yield site


@pytest.fixture(scope="package")
def curator_password_hash():
    """Hashed once: hashing a password is deliberately slow, and every test makes the curator."""
    return make_password(CURATOR_PASSWORD)


@pytest.fixture
def served_site(transactional_db, gunicorn_site, curator_password_hash):
    """The demo library plus a curator account, committed, and the URL gunicorn serves it at."""
    call_command("load_demo_data", verbosity=0, stdout=io.StringIO())
    get_user_model().objects.create(
        username=CURATOR_USERNAME,
        email="curator@example.org",
        password=curator_password_hash,
        is_staff=True,
        is_superuser=True,
    )
    return gunicorn_site


@pytest.fixture
def fresh_served_site(served_site):
    """Like `served_site`, from a gunicorn of its own, stopped after the test.

    For a test that uses the admin besides the curator's story: the admin caches content type
    ids in the server process, and the database is emptied (and its content types renumbered)
    after every test, so a second test's admin writes would use stale ids on a shared server.
    """
    with run_gunicorn() as site:
        yield site


SERIOUS_IMPACTS = {"serious", "critical"}


def describe_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = " ".join(node["failureSummary"].split())
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.fixture
def check_accessibility():
    """`check_accessibility(page)`: run axe-core on the page as it is; fail on serious violations.

    Minor and moderate ones are printed (pytest shows them with -s or on failure), not failed.
    """

    def check(page):
        # Axe injects axe-core into the page, runs it and returns its results as a dict.
        violations = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
        serious = [v for v in violations if v["impact"] in SERIOUS_IMPACTS]
        others = [v for v in violations if v["impact"] not in SERIOUS_IMPACTS]
        if others:
            print(f"axe, {page.url}, minor or moderate:\n{describe_violations(others)}")
        assert not serious, (
            f"axe found serious or critical accessibility violations on {page.url}:\n"
            + describe_violations(serious)
        )
        return violations

    return check
