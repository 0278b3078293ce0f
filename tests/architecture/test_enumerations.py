"""Enumerations are used, not retyped: the code that reads or constrains a choice field names the
TextChoices members (`Measurement.Phase.BASELINE`, `Author.Kind.values`), never their strings, so
a value renamed in one place cannot leave a constraint or a query behind."""

import ast
from pathlib import Path

from django.db import models

import evaluation.choices
from studies.models import Author, Study

ROOT = Path(__file__).resolve().parents[2]

ENUMERATIONS = {
    "evaluation": [
        value
        for enumeration in vars(evaluation.choices).values()
        if isinstance(enumeration, type)
        and issubclass(enumeration, models.TextChoices)
        and enumeration is not models.TextChoices
        for value in enumeration.values
    ],
    "studies": [*Author.Kind.values, *Study.Status.values],
}
# The modules that read and constrain the choice fields (the admin, being reworked into
# services, and the migrations, which are history, are not among them).
MODULES = {
    "evaluation": [
        "models",
        "querysets",
        "rules",
        "formatting",
        "changes",
        "charts",
        "presentation",
        "views",
        "filters",
    ],
    "studies": ["models", "querysets"],
}


def retyped_values(source: str, values: set[str]) -> list[str]:
    """The string literals in `source` that spell one of `values`, outside the TextChoices that
    define them and `get_model`'s app label (“evaluation” is also a study's role)."""
    tree = ast.parse(source)
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            getattr(base, "attr", getattr(base, "id", None)) == "TextChoices" for base in node.bases
        ):
            allowed |= {id(child) for child in ast.walk(node)}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get_model":
            allowed |= {id(node.args[0])} if node.args else set()
    return [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in values and id(node) not in allowed
    ]


def test_no_module_retypes_an_enumeration_value():
    assert {"baseline", "lower_is_better", "wording_only"} <= set(ENUMERATIONS["evaluation"])
    offenders = {
        f"{app}/{module}.py {hit}"
        for app, modules in MODULES.items()
        for module in modules
        for hit in retyped_values((ROOT / app / f"{module}.py").read_text(), set(ENUMERATIONS[app]))
    }
    assert not offenders, f"Use the TextChoices members instead: {sorted(offenders)}"


def test_the_rule_catches_a_literal():
    source = (
        "class Phase(models.TextChoices):\n"
        '    BASELINE = "baseline", "Baseline"\n'
        'Q(phase="baseline")\n'
        'apps.get_model("evaluation", "Measurement")\n'
    )
    assert retyped_values(source, {"baseline", "evaluation"}) == ["line 3: 'baseline'"]
