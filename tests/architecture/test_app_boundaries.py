"""Apps talk through public modules: each app may import only the other's `models` and `public`.

`studies` and `evaluation` are rooms with their own doors. What one needs of the other is offered
in `<app>/public.py` (or read from its models); helpers both use live in `core/`. Reaching into
the other's admin, views, filters or querysets would tie their insides together.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("studies", "evaluation")
DOORS = {"models", "public"}


def imported_modules(path: Path) -> set[str]:
    """Every module that `path` imports, absolute names only (a relative import stays inside
    its own app)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from evaluation import public` names the module `evaluation.public`.
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
            modules.add(node.module)
    return modules


def crossings(app: str, root: Path = ROOT) -> set[str]:
    """`path: module` for each import of another app's module that is not one of its doors."""
    others = [other for other in APPS if other != app]
    found = set()
    for path in (root / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue  # migrations name other apps' migrations, never their code
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] in others and len(parts) > 1 and parts[1] not in DOORS:
                found.add(f"{path.relative_to(root)}: {module}")
    return found


def test_the_rule_reads_each_apps_imports():
    assert "evaluation.public" in imported_modules(ROOT / "studies" / "views.py")
    assert "studies.models" in imported_modules(ROOT / "evaluation" / "models.py")


def test_a_forbidden_import_is_caught(tmp_path):
    """The check can fail: an app reaching into the other's admin is reported, its models not."""
    (tmp_path / "evaluation").mkdir()
    (tmp_path / "evaluation" / "admin.py").write_text(
        "from studies.admin import MonthField\nfrom studies.models import Study\n"
    )
    assert crossings("evaluation", root=tmp_path) == {
        "evaluation/admin.py: studies.admin",
        "evaluation/admin.py: studies.admin.MonthField",
    }


def test_studies_uses_evaluation_only_through_its_models_and_public_module():
    assert not crossings("studies"), sorted(crossings("studies"))


def test_evaluation_uses_studies_only_through_its_models_and_public_module():
    assert not crossings("evaluation"), sorted(crossings("evaluation"))
