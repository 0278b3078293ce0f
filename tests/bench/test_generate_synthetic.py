"""The synthetic data generator behind `make bench`, run small against the test database."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from evaluation.models import Indicator, Measurement, Program
from studies.models import SearchTerm, Study


def test_refuses_a_database_not_named_for_benchmarks(db):
    with pytest.raises(CommandError, match="_bench"):
        call_command("generate_synthetic", studies=10, programs=1, measurements=10)


@pytest.fixture
def bench_database_name(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "test_justicelib_bench")


def test_generates_studies_programs_and_measurement_series(bench_database_name, client):
    call_command(
        "generate_synthetic",
        studies=300,
        authors=50,
        programs=4,
        measurements=2000,
        skip_vacuum=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Study.objects.count() == 300
    assert Program.objects.count() == 4
    assert Measurement.objects.count() == Indicator.objects.count() * 125
    # The search and facet columns are computed, as the triggers would have.
    assert not Study.objects.filter(search_vector__isnull=True).exists()
    assert not Study.objects.filter(type_slugs=[]).exists()
    assert not Study.objects.filter(author_slugs=[]).exists()
    assert SearchTerm.objects.filter(word="trafficking").exists()
    # Every series obeys the rules the triggers were switched off for.
    with connection.cursor() as cursor:
        for indicator_id in Indicator.objects.values_list("pk", flat=True):
            cursor.execute("SELECT evaluation_check_indicator(%s)", [indicator_id])
        # Studies: complete when published, never both naming countries and ticked multiple;
        # programs cite published studies only.
        cursor.execute("SELECT count(studies_check_study(id)) FROM studies_study")
        cursor.execute("SELECT count(evaluation_check_cited_study(id)) FROM studies_study")
    assert client.get("/studies/", {"q": "police", "country": "PH"}).status_code == 200
    assert client.get(Program.objects.first().get_absolute_url()).status_code == 200
