"""The enumerations of program evaluation, each written once.

They live apart from the models so that the modules the models themselves import (`rules`,
`formatting`) can name their members too, without an import circle. The models expose them
under their usual names (`Measurement.Phase`, `Indicator.Unit`…); constraints, querysets and
the rest use the members and `.values`, never the strings again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class StudyRole(models.TextChoices):
    """What a study is to a program."""

    BASELINE = "baseline", _("Baseline study")
    MONITORING = "monitoring", _("Monitoring study")
    ENDLINE = "endline", _("Endline study")
    EVALUATION = "evaluation", _("Evaluation")
    RELATED = "related", _("Related study")


class IndicatorKind(models.TextChoices):
    CRIME_PREVALENCE = "crime_prevalence", _("Crime prevalence")
    JUSTICE_SYSTEM = "justice_system", _("Justice-system performance")
    SURVIVOR_OUTCOME = "survivor_outcome", _("Survivor outcome")
    OTHER = "other", _("Other")


class ResultLevel(models.TextChoices):
    """Where an indicator sits in the results chain (IATI's result types, USAID's levels): what
    the program did, what changed for the people it serves, and the change in the crime itself."""

    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATE_PER_1000 = "rate_per_1000", _("Rate per 1,000")
    RATE_PER_10000 = "rate_per_10000", _("Rate per 10,000")
    DAYS = "days", _("Days")
    RATIO = "ratio", _("Ratio")
    SCORE = "score", _("Score")


class Direction(models.TextChoices):
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")


class Phase(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    MONITORING = "monitoring", _("Monitoring")
    ENDLINE = "endline", _("Endline")


class ValueKind(models.TextChoices):
    POINT = "point", _("Point value")
    RANGE = "range", _("Range of estimates")
    RELATIVE_CHANGE = "relative_change", _("Change relative to the baseline (%)")
    WORDING_ONLY = "wording_only", _("Published in words only (no number)")
    # “more than 220 victims rescued”: the number is a floor the source gives, never the figure.
    MINIMUM = "minimum", _("A minimum, published in words (“more than 220”)")
    # “nearly 500,000”: the number only places the figure on the chart; the words are the figure.
    APPROXIMATE = "approximate", _("An approximate figure, published in words (“nearly 500,000”)")


class QualityRating(models.TextChoices):
    """How a measurement fares on one of the five dimensions of USAID's Data Quality Assessment
    (ADS 201: validity, integrity, precision, reliability, timeliness)."""

    MEETS = "meets", _("meets the standard")
    PARTLY_MEETS = "partly_meets", _("partly meets the standard")
    DOES_NOT_MEET = "does_not_meet", _("does not meet the standard")
    NOT_ASSESSED = "not_assessed", _("not assessed")


class DatePrecision(models.TextChoices):
    """How precisely a source dates its fieldwork: to the day, or only to the month."""

    DAY = "exact_day", _("to the day")
    MONTH = "month_only", _("to the month")
