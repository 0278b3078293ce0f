"""Migrations are history: each holds everything it runs, so editing live code never rewrites it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every top-level package of the project (studies, evaluation, justicelib, bench, tests, …).
PROJECT_PACKAGES = {path.parent.name for path in ROOT.glob("*/__init__.py")}
MIGRATIONS = sorted(ROOT.glob("*/migrations/[0-9]*.py"))


def imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # A relative import (from . import x, from ..search_sql import y) is project code too.
            modules.add("." * node.level + (node.module or ""))
    return modules


def test_the_rule_sees_the_project_and_its_migrations():
    assert {"studies", "evaluation", "justicelib"} <= PROJECT_PACKAGES
    assert len(MIGRATIONS) >= 10


def test_no_migration_imports_project_code():
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in MIGRATIONS
        for module in imported_modules(path.read_text())
        if module.startswith(".") or module.split(".")[0] in PROJECT_PACKAGES
    }
    assert not offenders, (
        "A migration must hold its own SQL and code (copy it in), not import live project "
        f"modules that may change later: {sorted(offenders)}"
    )


def test_the_rule_catches_an_import(tmp_path):
    found = imported_modules("from studies.search_sql import INSTALL\nfrom . import helpers\n")
    assert "studies.search_sql" in found and "." in found
