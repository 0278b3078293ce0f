"""Models do not draw: evaluation's models import no presentation module, directly or through
another module of the app, so presentation (what changed, the chart, what a page lists) is built
from the models by its own modules and never the other way round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "evaluation"
PRESENTATION = {f"{APP}.{name}" for name in ("changes", "charts", "presentation", "views")}


def runtime_imports(source: str, package: str = APP) -> set[str]:
    """The modules `source` (a module of `package`) imports when it runs, as dotted names; a
    `from . import x` gives `package.x`. Imports under `if TYPE_CHECKING:` are for type hints
    only and do not run."""
    modules = set()

    def visit(node):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            modules.add(module)
            # `from . import changes` and `from evaluation import charts` name modules too.
            modules.update(f"{module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return modules


def app_modules_reached_from(module: str) -> set[str]:
    """`module` and every module of the app it imports, and they import, when it runs."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        path = ROOT / (name.replace(".", "/") + ".py")
        if name in seen or not path.exists():
            continue
        seen.add(name)
        todo += [m for m in runtime_imports(path.read_text()) if m.startswith(f"{APP}.")]
    return seen


def test_the_models_import_no_presentation_module():
    reached = app_modules_reached_from(f"{APP}.models")
    assert {f"{APP}.models", f"{APP}.rules", f"{APP}.querysets"} <= reached
    assert not reached & PRESENTATION, (
        "evaluation/models.py reaches presentation modules "
        f"{sorted(reached & PRESENTATION)}: models hold the figures, presentation.py builds "
        "changes and charts from them."
    )


def test_the_rule_catches_an_import():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import changes, charts\n"
        "from evaluation.presentation import indicator_panels\n"
        "if TYPE_CHECKING:\n"
        "    from .views import program_detail\n"
    )
    found = runtime_imports(source)
    assert {"evaluation.changes", "evaluation.charts", "evaluation.presentation"} <= found
    assert "evaluation.views" not in found
