"""The home page shows the evidence model and its results: the organisation's words, the four
steps with where the library holds them, each program's headline change with a sparkline and
its source, the featured study a curator chose, and the subjects."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from studies.models import HomePage, Study
from tests.conftest import as_shown

# The program factories of tests/evaluation, as fixtures here too.
from tests.evaluation.conftest import make_indicator, make_measurement, make_program  # noqa: F401


def home_html(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_opens_with_the_organisations_words_and_the_four_steps(client, demo_data):
    html = home_html(client)
    assert "<h1>Proving Justice for People in Poverty is Possible</h1>" in html
    assert "We believe the children, families and communities we serve" in html
    for step in ["baseline", "monitoring", "endline", "sharing"]:
        assert f'data-step="{step}"' in html
    assert "we measure the prevalence of the crime we are targeting" in html
    assert (
        "/studies/?type=crime-prevalence-study&amp;type=public-justice-system-performance-study"
        in html
    )
    assert "/studies/?type=endline-study" in html
    assert 'href="/programs/cambodia-sex-trafficking-of-children/"' in html


def test_each_program_card_says_its_change_with_a_sparkline_and_its_source(client, demo_data):
    html = home_html(client)
    assert "Minors in the commercial sex industry" in html
    assert as_shown("15 %–30 % → 2.2 % (−93 to −85 %)") in html
    assert "Baseline early 2000s (2000–2004) → endline March 2015" in html
    assert (
        'Source: <a href="/studies/external-evaluation-program-combat-sex-trafficking-children-'
        'cambodia-2004-2014/">' in html
    )
    # Cambodia, Metro Cebu and Mukono have two figures or more; Guatemala one; the Philippines none.
    assert html.count('class="sparkline"') == 3
    assert "No change has been published for this program yet" in html


def test_the_featured_study_is_the_curators_choice(client, demo_data):
    html = home_html(client)
    featured = html[html.index('id="featured-heading"') :]
    assert featured.index('href="/studies/scale-of-harm/"') < featured.index("Newest studies")
    assert "nearly half a million Filipino children, or roughly 1 in 100" in featured


def test_an_unpublished_featured_study_is_not_shown(client, uncited_demo_study):
    # The demo's featured study is cited by a program, so it stays published: feature one no
    # program cites, then turn it back into a draft.
    HomePage.objects.update(featured_study=uncited_demo_study)
    assert 'id="featured-heading"' in home_html(client)
    Study.objects.filter(pk=uncited_demo_study.pk).update(status=Study.Status.DRAFT)
    assert 'id="featured-heading"' not in home_html(client)


def test_a_library_without_home_page_content_shows_the_built_in_introduction(client, db):
    html = home_html(client)
    assert "<h1>Proving justice for people in poverty is possible</h1>" in html
    assert "JusticeLib holds the evidence behind programs" in html
    assert 'id="featured-heading"' not in html


def test_the_curators_text_is_escaped_and_keeps_its_paragraphs(client, demo_data):
    HomePage.objects.update(introduction="<script>alert(1)</script>\n\nSecond paragraph")
    html = home_html(client)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "<p>Second paragraph</p>" in html


def test_the_home_page_runs_the_same_queries_however_many_programs(
    client,
    demo_data,
    make_indicator,  # noqa: F811
    make_measurement,  # noqa: F811
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            home_html(client)
        return len(queries)

    before = count()
    for _ in range(3):
        indicator = make_indicator(is_headline=True)
        make_measurement(indicator, value=30)
        make_measurement(indicator, phase="monitoring", start=datetime.date(2012, 1, 1), value=20)
        make_measurement(indicator, phase="endline", start=datetime.date(2015, 1, 1), value=8)
    # Home content; programs, headline indicators, their figures; monitored programs; two
    # counts; newest studies with the names of their authors, types and countries in the same
    # query (studies.cards); subjects.
    assert count() == before == 9


def test_there_is_one_home_page(demo_data):
    with pytest.raises(IntegrityError, match="home_page_is_the_only_one"), transaction.atomic():
        HomePage.objects.create(id=2, heading="Another")


def test_a_draft_cannot_be_featured(demo_data, make_study):
    home = HomePage.objects.get()
    home.featured_study = make_study("A draft", status=Study.Status.DRAFT)
    with pytest.raises(ValidationError, match="is a draft"):
        home.full_clean()


def test_update_adds_the_home_page_to_a_library_that_lacks_it(demo_data):
    HomePage.objects.all().delete()
    out = io.StringIO()
    call_command("load_demo_data", "--update", stdout=out)
    assert "added   studies.homepage home page" in out.getvalue()
    assert HomePage.objects.get().featured_study.slug == "scale-of-harm"


def test_the_admin_edits_the_home_page_and_never_adds_a_second(admin_client, demo_data):
    assert admin_client.get("/admin/studies/homepage/1/change/").status_code == 200
    assert admin_client.get("/admin/studies/homepage/add/").status_code == 403
