"""Writes of program evaluation: saving a program's indicators and an indicator's measurements.

The admin's inline formsets call these, and so can commands and imports. Each is one
transaction and passes every row through `full_clean()` before writing it. They exist for the
rules that hold one row at a time in a list — one headline indicator per program, one baseline
and one endline per indicator — which an edit may hand from one row to another: the row giving
up its role is written first, so the row taking it over never meets it.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction

from .models import Category, Dimension, Indicator, Measurement, Target

# Phases that one measurement of an indicator holds at a time.
SINGLE_PHASES = (Measurement.Phase.BASELINE, Measurement.Phase.ENDLINE)


def save_indicators(*, indicators: Sequence[Indicator], removed: Iterable[Indicator] = ()) -> None:
    """Write new and changed indicators of a program and delete the `removed` ones.

    Moving the headline from one indicator to another in one save works whatever the order of
    `indicators`: those that are not the headline are written first.
    """
    with transaction.atomic():
        for indicator in removed:
            indicator.delete()
        for indicator in sorted(indicators, key=lambda row: row.is_headline):
            indicator.full_clean()
            indicator.save()


def save_measurements(
    *, measurements: Sequence[Measurement], removed: Iterable[Measurement] = ()
) -> None:
    """Write new and changed measurements of an indicator and delete the `removed` ones.

    Rows leaving the baseline or the endline are written before the row that takes it over.
    Each row's `clean` checks its phases' order against the stored rows, unless the caller has
    checked the whole set instead and turned that off (`check_order_against_stored`), as the
    admin's formset does with `rules.phase_problems`; the database checks it again at commit.
    """
    with transaction.atomic():
        for measurement in removed:
            measurement.delete()
        for measurement in sorted(measurements, key=lambda row: row.phase in SINGLE_PHASES):
            measurement.full_clean()
            measurement.save()


def revise_target(
    target: Target,
    *,
    value: Decimal | int,
    date_set: datetime.date,
    set_by: str,
    rationale: str = "",
) -> Target:
    """A new current target replacing `target`, which is kept as it was, only not current."""
    revision = Target(
        indicator_id=target.indicator_id,
        period_start=target.period_start,
        period_end=target.period_end,
        value=value,
        date_set=date_set,
        set_by=set_by,
        rationale=rationale,
        revises=target,
    )
    return save_target(revision)


def save_target(target: Target) -> Target:
    """Write a new target; one that `revises` another becomes the current target of its period
    and the revised one stops being current, in one transaction (the revised one is locked, so
    two curators revising it at once cannot both succeed). Raises ValidationError."""
    if target.pk is not None:
        raise ValueError("A target is never overwritten: save a revision (a new target).")
    with transaction.atomic():
        old = None
        if target.revises_id is not None:
            old = Target.objects.select_for_update().get(pk=target.revises_id)
            target.revises = old
        # Checked while the old one is still current: `Target.clean` refuses to revise one that
        # is not, and `validate_constraints` knows the old one is about to give way.
        target.full_clean()
        if old is not None:
            Target.objects.filter(pk=old.pk).update(is_current=False)
        target.save()
        return target


def set_categories(*, dimension: Dimension, names: Sequence[str]) -> None:
    """Make `names` the dimension's categories, in that order: those already there keep their
    values (and move), new ones are added, the others deleted. A category that still has values
    cannot be deleted (RestrictedError): the admin's form says so first."""
    with transaction.atomic():
        existing = {category.name: category for category in dimension.categories.all()}
        for name, category in existing.items():
            if name not in names:
                category.delete()
        for position, name in enumerate(names, start=1):
            category = existing.get(name) or Category(dimension=dimension, name=name)
            if category.pk is None or category.position != position:
                category.position = position
                category.full_clean()
                category.save()
