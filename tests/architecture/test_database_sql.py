"""studies/sql/*.sql (search.sql today) is the studies app's functions and triggers as the
database holds them.

The migrations hold frozen copies of what each ran; these files are the one place to read the
current definitions. These tests fail as soon as the two differ: a migration that changes a
function without the file, or the file edited without a migration.
"""

import difflib
import re
from pathlib import Path

import pytest
from django.db import connection

SQL_DIR = Path(__file__).resolve().parents[2] / "studies" / "sql"


def sql_text() -> str:
    """Every file of studies/sql, in name order (a new topic may get its own file)."""
    return "\n".join(path.read_text() for path in sorted(SQL_DIR.glob("*.sql")))


def catalog() -> dict[str, str]:
    """Every function, trigger and text search configuration of the project, as PostgreSQL
    prints it back (extensions' own functions left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'function ' || p.oid::regprocedure::text, pg_get_functiondef(p.oid)
              FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind = 'f'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                  AND d.deptype = 'e')
            UNION ALL
            SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass::text,
                   pg_get_triggerdef(t.oid) || ' [enabled: ' || t.tgenabled::text || ']'
              FROM pg_trigger t
             WHERE NOT t.tgisinternal
            UNION ALL
            SELECT 'text search configuration ' || c.cfgname,
                   (SELECT prsname FROM pg_ts_parser WHERE oid = c.cfgparser) || ': ' ||
                   (SELECT string_agg(m.maptokentype || '.' || m.mapseqno || '=' ||
                                      m.mapdict::regdictionary::text, ' '
                                      ORDER BY m.maptokentype, m.mapseqno)
                      FROM pg_ts_config_map m WHERE m.mapcfg = c.oid)
              FROM pg_ts_config c
             WHERE c.cfgnamespace = current_schema()::regnamespace
            """
        )
        return dict(cursor.fetchall())


def defined_in_file(kind: str) -> set[str]:
    text = sql_text()
    patterns = {
        "function": r"CREATE OR REPLACE FUNCTION (\w+)\(",
        "trigger": r"CREATE OR REPLACE TRIGGER (\w+)\s",
        "text search configuration": r"CREATE TEXT SEARCH CONFIGURATION (\w+)\s",
    }
    return set(re.findall(patterns[kind], text))


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    report = []
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            diff = difflib.unified_diff(
                (before.get(key) or "(missing)").splitlines(),
                (after.get(key) or "(missing)").splitlines(),
                "migrated database",
                "studies/sql/*.sql",
                lineterm="",
            )
            report.append(f"{key}:\n" + "\n".join(diff))
    return report


@pytest.mark.django_db
def test_the_file_defines_what_the_migrations_built():
    migrated = catalog()
    # Drop what the file defines (its triggers go with their functions), then build it from the
    # file alone: the catalog must come out the same. The test's transaction is rolled back.
    with connection.cursor() as cursor:
        for name in defined_in_file("function"):
            cursor.execute(f"DROP FUNCTION IF EXISTS {name} CASCADE")
        for name in defined_in_file("text search configuration"):
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name} CASCADE")
        assert not defined_in_file("function") & {
            re.match(r"function (\w+)", key)[1] for key in catalog() if key.startswith("function")
        }
        cursor.execute(sql_text())
    problems = differences(migrated, catalog())
    assert not problems, (
        "studies/sql/*.sql and the migrated database differ; change both (the file, and a "
        "new migration with the same statements):\n\n" + "\n\n".join(problems)
    )


@pytest.mark.django_db
def test_every_function_and_trigger_of_studies_is_in_the_file():
    names = {kind: set() for kind in ("function", "trigger", "text search configuration")}
    for key in catalog():
        kind, name = re.match(r"(function|trigger|text search configuration) (\w+)", key).groups()
        if name.startswith(("studies_", "justicelib")):
            names[kind].add(name)
    missing = {kind: sorted(found - defined_in_file(kind)) for kind, found in names.items()}
    assert missing == {kind: [] for kind in names}, (
        "Define every database function and trigger of the studies app in studies/sql/*.sql "
        "(with CREATE OR REPLACE), next to the migration that creates it"
    )
    assert len(names["function"]) >= 14 and len(names["trigger"]) >= 18
