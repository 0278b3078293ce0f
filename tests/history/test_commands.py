"""`manage.py` as `make run` calls it: commands run inside a history context, and that context
must not break the commands themselves."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from psycopg import connect

from history.commands import command_context


@pytest.fixture
def fresh_database_env():
    """The environment of a `manage.py` pointed at a new, empty database on the same server."""
    name = f"{connection.settings_dict['NAME']}_fresh"
    server = {**connection.settings_dict, "NAME": "postgres"}
    params = {
        key: value
        for key, value in {
            "host": server["HOST"],
            "port": server["PORT"],
            "user": server["USER"],
            "password": server["PASSWORD"],
            "dbname": "postgres",
        }.items()
        if value
    }
    with connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DEBUG": "1"}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    else:
        env["JUSTICELIB_DB_NAME"] = name
    yield env
    with connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_manage_py_migrates_a_fresh_database(fresh_database_env):
    # As `make run` does on a new machine: through manage.py, with its history context.
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=fresh_database_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_migrate_runs_without_a_history_context():
    assert command_context(["manage.py", "migrate"]).__class__.__name__ == "nullcontext"
    assert command_context(["manage.py", "load_demo_data"]).__class__.__name__ != "nullcontext"
