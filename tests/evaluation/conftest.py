"""Factories for programs, indicators and measurements, on the real PostgreSQL database."""

import datetime
import itertools

import pytest

from evaluation.models import Indicator, Measurement, Program
from studies.models import Country, Subject
from tests.conftest import check_deferred_rules  # noqa: F401 (imported by the tests here)

_sequence = itertools.count(1)


@pytest.fixture
def make_program(db):
    """`make_program(name=…, country="KH", subject="sex-trafficking", start=…, end=…)`."""

    def make(
        name=None,
        *,
        country="KH",
        subject="sex-trafficking",
        start=datetime.date(2010, 1, 1),
        end=datetime.date(2015, 12, 1),
        **fields,
    ):
        n = next(_sequence)
        country_obj, _ = Country.objects.get_or_create(
            code=country, defaults={"name": f"Country {country}"}
        )
        subject_obj, _ = Subject.objects.get_or_create(
            slug=subject, defaults={"name": subject.replace("-", " ").capitalize()}
        )
        fields.setdefault("status", Program.Status.COMPLETED if end else Program.Status.ACTIVE)
        return Program.objects.create(
            name=name or f"Program {n}",
            slug=fields.pop("slug", f"program-{n}"),
            country=country_obj,
            area=fields.pop("area", "Metro Cebu"),
            subject=subject_obj,
            start_month=start,
            end_month=end,
            **fields,
        )

    return make


@pytest.fixture
def make_indicator(make_program):
    """A percent, lower-is-better prevalence indicator unless told otherwise."""

    def make(program=None, **fields):
        n = next(_sequence)
        fields.setdefault("name", f"Indicator {n}")
        fields.setdefault("slug", f"indicator-{n}")
        fields.setdefault("kind", Indicator.Kind.CRIME_PREVALENCE)
        fields.setdefault("definition", "Minors as a share of people in commercial sex.")
        fields.setdefault("unit", Indicator.Unit.PERCENT)
        fields.setdefault("direction", Indicator.Direction.LOWER_IS_BETTER)
        fields.setdefault("method", "Undercover investigation")
        return Indicator.objects.create(program=program or make_program(), **fields)

    return make


@pytest.fixture
def make_measurement(make_indicator):
    """A point figure cited from outside the library unless told otherwise; no clean()."""

    def make(indicator=None, phase=Measurement.Phase.BASELINE, start=None, end=None, **fields):
        start = start or datetime.date(2010, 1, 1)
        fields.setdefault("value_kind", Measurement.ValueKind.POINT)
        if fields["value_kind"] in (Measurement.ValueKind.POINT, "relative_change"):
            fields.setdefault("value", 20)
        if "source_study" not in fields:
            fields.setdefault("source_citation", "A news article")
        return Measurement.objects.create(
            indicator=indicator or make_indicator(),
            phase=phase,
            period_start=start,
            period_end=end or start,
            **fields,
        )

    return make


@pytest.fixture
def country_and_subject(db):
    return (
        Country.objects.create(code="UG", name="Uganda"),
        Subject.objects.create(slug="land-theft", name="Land theft"),
    )
