"""The enumerations of program evaluation, each written once.

They live apart from the models so that the modules the models themselves import (`rules`,
`formatting`) can name their members too, without an import circle. The models expose them
under their usual names (`Measurement.Phase`, `Indicator.Unit`…); constraints, querysets and
the rest use the members and `.values`, never the strings again.
"""

from django.db import models


class ProgramStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


class StudyRole(models.TextChoices):
    """What a study is to a program."""

    BASELINE = "baseline", "Baseline study"
    MONITORING = "monitoring", "Monitoring study"
    ENDLINE = "endline", "Endline study"
    EVALUATION = "evaluation", "Evaluation"
    RELATED = "related", "Related study"


class IndicatorKind(models.TextChoices):
    CRIME_PREVALENCE = "crime_prevalence", "Crime prevalence"
    JUSTICE_SYSTEM = "justice_system", "Justice-system performance"
    SURVIVOR_OUTCOME = "survivor_outcome", "Survivor outcome"
    OTHER = "other", "Other"


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent"
    COUNT = "count", "Count"
    RATE_PER_1000 = "rate_per_1000", "Rate per 1,000"
    DAYS = "days", "Days"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score"


class Direction(models.TextChoices):
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"


class Phase(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    MONITORING = "monitoring", "Monitoring"
    ENDLINE = "endline", "Endline"


class ValueKind(models.TextChoices):
    POINT = "point", "Point value"
    RANGE = "range", "Range of estimates"
    RELATIVE_CHANGE = "relative_change", "Change relative to the baseline (%)"
    WORDING_ONLY = "wording_only", "Published in words only (no number)"
