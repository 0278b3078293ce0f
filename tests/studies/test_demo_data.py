"""`make run` loads the demo data on every start: it must never undo or break a curator's work."""

import io

import pytest
from django.core.management import call_command

from evaluation.models import Measurement, Program
from studies.management.commands.load_demo_data import fixture_entries
from studies.models import Authorship, Country, Study


def load(*args):
    out = io.StringIO()
    call_command("load_demo_data", *args, stdout=out)
    return out.getvalue()


def demo_entries(model: str) -> list[dict]:
    return [entry for entry in fixture_entries() if entry["model"] == model]


def author_order(slug):
    return list(
        Authorship.objects.filter(study__slug=slug)
        .order_by("position")
        .values_list("author__slug", flat=True)
    )


@pytest.fixture
def curated(demo_data):
    """The demo library after a curator retitled one study and reversed another's authors."""
    study = Study.objects.get(slug="scale-of-harm")
    study.title = "Scale of Harm (curated title)"
    study.save()
    lake_volta = Study.objects.get(slug="child-trafficking-into-forced-labour-on-lake-volta-ghana")
    order = author_order(lake_volta.slug)
    Authorship.objects.filter(study=lake_volta).delete()
    for position, slug in enumerate(reversed(order), start=1):
        Authorship.objects.create(study=lake_volta, author_id=_author_id(slug), position=position)
    return {"lake_volta": lake_volta.slug, "reversed": list(reversed(order))}


def _author_id(slug):
    from studies.models import Author

    return Author.objects.get(slug=slug).pk


def test_an_empty_library_gets_all_the_demo_data(db):
    out = load()
    assert "Demo data loaded: 26 published studies." in out
    assert Study.objects.count() == 26
    assert Program.objects.count() == len(demo_entries("evaluation.program"))


def test_the_make_run_load_leaves_curated_data_alone(curated):
    titles = dict(Study.objects.values_list("slug", "title"))
    out = load()
    assert "Demo data not loaded: the library already has data (26 studies)" in out
    assert Study.objects.get(slug="scale-of-harm").title == "Scale of Harm (curated title)"
    assert author_order(curated["lake_volta"]) == curated["reversed"]
    assert dict(Study.objects.values_list("slug", "title")) == titles


def test_update_adds_missing_records_and_lists_the_skipped_ones(curated):
    Measurement.objects.filter(phase="endline").first().delete()
    Country.objects.filter(code="AU").update(aliases="Oz")
    out = load("--update")
    assert "1 records added" in out
    assert "3 skipped because a curator changed them" in out
    assert "skipped studies.study scale-of-harm: title changed" in out
    assert f"skipped studies.study {curated['lake_volta']}: author list" in out
    assert "skipped studies.country AU: aliases changed" in out
    assert "added   evaluation.measurement" in out
    assert Study.objects.get(slug="scale-of-harm").title == "Scale of Harm (curated title)"
    assert author_order(curated["lake_volta"]) == curated["reversed"]
    assert Country.objects.get(code="AU").aliases == "Oz"


def test_update_of_an_untouched_library_changes_nothing(demo_data):
    out = load("--update")
    assert "0 records added" in out and "0 skipped" in out
