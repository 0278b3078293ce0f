"""Targets per indicator and period: who set them, when and why; revisions are new rows and the
old target is never overwritten; the page, the chart and the IATI file show actual against
target as “on track”, “off track” or “no target”."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluation.models import Target
from evaluation.services import revise_target
from tests.conftest import as_shown
from tests.evaluation.test_iati import iati_of, iati_schema

START, END = datetime.date(2015, 1, 1), datetime.date(2015, 12, 1)


@pytest.fixture
def make_target(make_indicator):
    def make(indicator=None, value=5, **fields):
        fields.setdefault("period_start", START)
        fields.setdefault("period_end", END)
        fields.setdefault("date_set", datetime.date(2012, 3, 1))
        fields.setdefault("set_by", "Program board")
        return Target.objects.create(
            indicator=indicator or make_indicator(), value=Decimal(value), **fields
        )

    return make


def test_the_database_refuses_to_overwrite_a_target_s_value(make_target):
    target = make_target()
    with pytest.raises(IntegrityError, match="never overwritten"), transaction.atomic():
        Target.objects.filter(pk=target.pk).update(value=3)
    target.refresh_from_db()
    assert target.value == 5


def test_one_current_target_per_indicator_and_period(make_target):
    target = make_target()
    with pytest.raises(IntegrityError, match="one_current_target"), transaction.atomic():
        make_target(target.indicator, value=4)


def test_a_revision_is_a_new_row_and_the_old_target_is_kept(make_target):
    old = make_target(rationale="First plan")
    new = revise_target(
        old, value=3, date_set=datetime.date(2013, 6, 1), set_by="Donor", rationale="Harder"
    )
    old.refresh_from_db()
    assert (old.value, old.is_current, old.rationale) == (5, False, "First plan")
    assert (new.value, new.is_current, new.revises) == (3, True, old)
    assert Target.objects.count() == 2


def test_a_stored_target_cannot_become_current_again(make_target):
    old = make_target()
    revise_target(old, value=3, date_set=datetime.date(2013, 6, 1), set_by="Donor")
    with pytest.raises(IntegrityError, match="never overwritten"), transaction.atomic():
        Target.objects.filter(pk=old.pk).update(is_current=True)


def test_editing_a_stored_target_is_refused_with_a_message(make_target):
    target = make_target()
    target.value = Decimal(2)
    with pytest.raises(ValidationError, match="add a revision"):
        target.full_clean()


def page_of(client, indicator) -> str:
    return client.get(indicator.program.get_absolute_url()).content.decode()


def test_the_page_says_on_track_in_words_and_on_the_chart(
    client, make_indicator, make_measurement, make_target
):
    indicator = make_indicator()  # lower is better
    make_measurement(indicator, value=20, start=datetime.date(2010, 1, 1))
    make_measurement(indicator, phase="endline", value="2.2", start=datetime.date(2015, 3, 1))
    old = make_target(indicator, value=8)
    revise_target(old, value=5, date_set=datetime.date(2013, 1, 1), set_by="Donor")
    html = page_of(client, indicator)
    assert '<strong class="improved">on track</strong>' in html
    assert as_shown("target 5 %: on track") in html  # the chart's label
    assert 'class="target"' in html
    assert as_shown("Revised from 8 % (set by Program board") in html


def test_the_page_says_off_track(client, make_indicator, make_measurement, make_target):
    indicator = make_indicator()
    make_measurement(indicator, value=20, start=datetime.date(2010, 1, 1))
    make_measurement(indicator, phase="endline", value=9, start=datetime.date(2015, 3, 1))
    make_target(indicator, value=5)
    assert "off track" in page_of(client, indicator)


def test_without_a_target_the_page_says_so(client, make_indicator, make_measurement):
    indicator = make_indicator()
    make_measurement(indicator)
    assert "no target has been set" in page_of(client, indicator)


def test_a_target_without_a_figure_yet_says_so(
    client, make_indicator, make_measurement, make_target
):
    indicator = make_indicator()
    make_measurement(indicator, start=datetime.date(2010, 1, 1))
    make_target(indicator)
    assert "no figure for the period yet" in page_of(client, indicator)


def test_the_page_lists_targets_in_time_order_whatever_order_they_were_set_in(
    client, make_indicator, make_measurement, make_target
):
    indicator = make_indicator()
    make_measurement(indicator, value=20, start=datetime.date(2010, 1, 1))
    for year, value in [(2014, 6), (2012, 9), (2013, 7)]:
        make_target(
            indicator,
            value=value,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 1),
        )
    html = page_of(client, indicator)
    cells = [as_shown(f'data-label="Target">{value} %</td>') for value in (9, 7, 6)]
    positions = [html.index(cell) for cell in cells]
    assert positions == sorted(positions)


def test_the_iati_file_carries_the_targets_and_still_validates(
    client, make_indicator, make_measurement, make_target
):
    indicator = make_indicator()
    make_measurement(indicator, value=20, start=datetime.date(2010, 1, 1))
    make_measurement(indicator, phase="endline", value="2.2", start=datetime.date(2015, 3, 1))
    make_target(indicator, value=5)
    make_target(
        indicator,
        value=1,
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 12, 1),
    )
    document = iati_of(client, indicator.program.slug)
    assert iati_schema().validate(document), iati_schema().error_log.last_error
    periods = document.findall("iati-activity/result/indicator/period")
    assert [p.find("target").get("value") for p in periods] == ["5", "1"]
    assert periods[0].find("actual").get("value") == "2.2"
    assert periods[1].find("actual") is None


def test_the_database_refuses_a_revision_of_another_period(make_target):
    old = make_target()
    with (
        pytest.raises(IntegrityError, match="keeps the indicator and period"),
        transaction.atomic(),
    ):
        make_target(old.indicator, period_end=datetime.date(2016, 12, 1), revises=old)
