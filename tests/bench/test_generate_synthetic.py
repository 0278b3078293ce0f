"""The `make bench` tooling (bench app): the synthetic data generator, run small."""

import io

import pytest
from django.core.management import CommandError, call_command, get_commands
from django.db import connection

from evaluation.models import Indicator, Measurement, Program
from studies.models import SearchTerm, Study


def test_make_bench_finds_its_commands_in_the_bench_app():
    commands = get_commands()
    assert (commands["generate_synthetic"], commands["benchmark"]) == ("bench", "bench")


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


def search_columns() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_vector::text, country_codes, type_slugs, author_slugs "
            "FROM studies_study ORDER BY id"
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_search_columns_and_words_are_what_the_triggers_compute(bench_database_name):
    call_command(
        "generate_synthetic",
        studies=120,
        authors=30,
        programs=0,
        measurements=0,
        skip_vacuum=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    generated, words = search_columns(), set(SearchTerm.objects.values_list("word", flat=True))
    with connection.cursor() as cursor:
        # Touch every row: the triggers recompute the studies and collect each name's words.
        cursor.execute("UPDATE studies_study SET search_vector = NULL")
        for table in ["studies_author", "studies_country", "studies_subject"]:
            cursor.execute(f"UPDATE {table} SET name = name")
    assert search_columns() == generated
    assert set(SearchTerm.objects.values_list("word", flat=True)) == words
    # A country's aliases are searchable words, as the triggers make them.
    assert {"pilipinas", "america", "britain"} <= words
    philippines = Study.objects.filter(country_codes__contains=["PH"]).count()
    assert philippines
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM studies_study "
            "WHERE search_vector @@ studies_prefix_query('pilipinas')"
        )
        assert cursor.fetchone()[0] == philippines


def test_studies_get_synthetic_page_text_for_the_full_text_search(bench_database_name, client):
    from studies.models import StudyFile, StudyFilePage

    call_command(
        "generate_synthetic",
        studies=40,
        authors=10,
        programs=0,
        measurements=0,
        pages_per_study=3,
        words_per_page=50,
        skip_vacuum=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert StudyFile.objects.filter(is_main=True).count() == 40
    assert StudyFilePage.objects.count() == 120
    page = StudyFilePage.objects.order_by("id").first()
    word = page.text.split()[0]
    # The page's words are in its study's search document.
    assert Study.objects.filter(pk=page.file.study_id).matching(word).exists()
    assert Study.objects.get(pk=page.file.study_id).pdf.name == page.file.file.name
