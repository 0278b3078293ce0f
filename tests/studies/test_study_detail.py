"""A study's public page, and the home page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studies.models import Study, StudyFile


def test_detail_shows_everything_about_the_study(client, make_study, make_author):
    study = make_study(
        "Child Sex Trafficking in Metro Manila",
        short_title="IJM Manila",
        description="A study measuring the prevalence…",
        countries=["PH"],
        authors=[make_author("International Justice Mission")],
        external_url="https://example.org/manila.pdf",
    )
    response = client.get(study.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["IJM Manila", "A study measuring the prevalence", "May 2018", "Country PH"]:
        assert text in html
    assert "International Justice Mission" in html
    assert 'href="https://example.org/manila.pdf"' in html


def test_detail_without_file_says_so(client, make_study):
    study = make_study()
    assert "No file is available online" in client.get(study.get_absolute_url()).content.decode()


def test_draft_study_is_not_public(client, make_study):
    study = make_study(status=Study.Status.DRAFT)
    assert client.get(study.get_absolute_url()).status_code == 404


def test_unknown_slug_is_404(client, db):
    assert client.get("/studies/no-such-study/").status_code == 404


def test_related_studies_share_subject_or_country(client, make_study):
    from studies.models import Subject

    other_subject = Subject.objects.create(name="Land theft", slug="land-theft")
    study = make_study("Main", countries=["KH"])
    make_study("Same subject", countries=["UG"])
    make_study("Same country", countries=["KH"], subject=other_subject)
    make_study("Unrelated", countries=["UG"], subject=other_subject)
    related = [s.title for s in client.get(study.get_absolute_url()).context["related_studies"]]
    assert sorted(related) == ["Same country", "Same subject"]


@pytest.mark.parametrize(("extra_authors", "files"), [(1, 0), (6, 3)])
def test_detail_query_count_is_fixed(
    client, make_study, make_author, extra_authors, files, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    authors = [make_author(f"Author {n}", kind="person") for n in range(extra_authors)]
    study = make_study(countries=["KH", "PH", "TH"], authors=authors, types=["a", "b", "c"])
    for n in range(files):
        StudyFile.objects.create(study=study, file=f"studies/{n}.pdf", position=n + 1, pages=3)
    for n in range(8):
        make_study(f"Related {n}", countries=["KH"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(study.get_absolute_url())
    assert response.status_code == 200
    # The study, its authors, types, countries, files, related studies, citing figures and
    # programs: one query more than before files (one for all of them, however many).
    assert len(queries) == 8


def test_home_shows_counts_and_newest(client, demo_data):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>26</strong> published studies" in html
    assert "Scale of Harm" in html
    assert "?subject=land-theft" in html


def test_detail_lists_the_programs_and_figures_citing_it(client, demo_data):
    html = client.get("/studies/commercial-sexual-exploitation-of-children-in-cambodia/").content
    html = html.decode()
    assert "Programs and figures citing this study" in html
    assert "8.16" in html


def test_home_lists_subjects_alphabetically_whatever_their_capitalisation(client, make_study):
    from studies.models import Subject

    for name in ["land theft", "Forced Labour", "Cybersex trafficking", "Assessment"]:
        make_study(subject=Subject.objects.create(name=name, slug=name.lower().replace(" ", "-")))
    subjects = [subject.name for subject in client.get("/").context["subjects"]]
    assert subjects == ["Assessment", "Cybersex trafficking", "Forced Labour", "land theft"]
