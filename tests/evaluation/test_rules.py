"""Program evaluation's rules hold whatever writes the rows: the database refuses a raw SQL
write that breaks one, and the admin says which rule a curator's entry breaks.

A program page is public (programs have no draft state), so no program cites a draft study.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from evaluation.models import Measurement, ProgramStudy
from studies.models import Study
from tests.conftest import check_deferred_rules

from .test_admin import errors_of, formset, indicator_form, measurement_row, program_form


def run_sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement: str, params=()) -> str:
    """The database's message refusing `statement`, at once or at the (simulated) commit."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        run_sql(statement, params)
        check_deferred_rules()
    return str(caught.value)


@pytest.fixture
def program(make_program):
    return make_program("Project Lantern", country="PH")


@pytest.fixture
def indicator(make_indicator, program):
    return make_indicator(program, name="Minors in commercial sex", slug="minors")


@pytest.fixture
def draft(make_study):
    return make_study("Embargoed endline report", status=Study.Status.DRAFT)


# --- Slugs and names ------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["evaluation_program", "evaluation_indicator"])
@pytest.mark.parametrize("slug", ["Project-Lantern", "project lantern", "project_lantern", "a--b"])
def test_database_refuses_a_malformed_slug(indicator, table, slug):
    assert "slug_is_well_formed" in refused(f"UPDATE {table} SET slug = %s", [slug])


@pytest.mark.parametrize("table", ["evaluation_program", "evaluation_indicator"])
def test_database_refuses_a_blank_name(indicator, table):
    assert "name_is_not_blank" in refused(f"UPDATE {table} SET name = '  '")


def test_admin_explains_a_malformed_program_slug(admin_client, country_and_subject):
    data = program_form(*country_and_subject, [])
    data["slug"] = "Mukono_Widows"
    response = admin_client.post("/admin/evaluation/program/add/", data)
    assert response.status_code == 200
    assert "words joined by single hyphens" in errors_of(response)


def test_a_malformed_program_slug_never_breaks_the_list(client, program):
    check_deferred_rules()  # PostgreSQL alters no table with trigger events pending
    run_sql("ALTER TABLE evaluation_program DROP CONSTRAINT program_slug_is_well_formed")
    run_sql("UPDATE evaluation_program SET slug = 'Project Lantern'")
    for url in ["/programs/", "/sitemap.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/programs/Project%20Lantern/" in response.content.decode(), url


# --- A measurement's source -------------------------------------------------------------------


def test_database_refuses_a_source_citation_of_spaces(make_measurement, indicator):
    make_measurement(indicator)
    message = refused("UPDATE evaluation_measurement SET source_citation = E'  \\n '")
    assert "measurement_source_citation_is_not_blank" in message


def test_database_refuses_a_source_citation_of_spaces_beside_a_study(
    make_measurement, indicator, make_study
):
    make_measurement(indicator, source_study=make_study(), source_citation="")
    assert "source_citation_is_not_blank" in refused(
        "UPDATE evaluation_measurement SET source_citation = '   '"
    )


def test_admin_asks_for_a_source_when_the_citation_is_spaces(admin_client, indicator):
    rows = [measurement_row("baseline", "2010-01", "20", source_citation="   ")]
    response = admin_client.post(
        f"/admin/evaluation/indicator/{indicator.pk}/change/", indicator_form(indicator, rows)
    )
    assert response.status_code == 200
    assert "Name the source: a study in the library, or a citation." in errors_of(response)
    assert not Measurement.objects.exists()


# --- No program cites a draft study -----------------------------------------------------------


def test_database_refuses_linking_a_draft_study_to_a_program(program, draft):
    message = refused(
        "INSERT INTO evaluation_programstudy (program_id, study_id, role) "
        "VALUES (%s, %s, 'evaluation')",
        [program.pk, draft.pk],
    )
    assert "The program “Project Lantern” cites “Embargoed endline report”, which is a draft" in (
        message
    )


def test_database_refuses_a_draft_study_as_the_source_of_a_figure(
    make_measurement, indicator, draft
):
    make_measurement(indicator)
    message = refused("UPDATE evaluation_measurement SET source_study_id = %s", [draft.pk])
    assert "“Project Lantern” cites “Embargoed endline report”, which is a draft" in message


@pytest.mark.parametrize("citation", ["linked", "source"])
def test_database_refuses_making_a_cited_study_a_draft(
    citation, program, indicator, make_study, make_measurement
):
    study = make_study("Evaluation of Project Lantern")
    if citation == "linked":
        ProgramStudy.objects.create(program=program, study=study, role="evaluation")
    else:
        make_measurement(indicator, source_study=study)
    message = refused("UPDATE studies_study SET status = 'draft' WHERE id = %s", [study.pk])
    assert "“Project Lantern” cites “Evaluation of Project Lantern”, which is a draft" in message


def test_database_lets_an_uncited_study_become_a_draft(program, make_study):
    study = make_study("Evaluation of Project Lantern")
    with transaction.atomic():
        run_sql("UPDATE studies_study SET status = 'draft' WHERE id = %s", [study.pk])
        check_deferred_rules()


def test_admin_refuses_a_draft_study_about_a_program(admin_client, country_and_subject, draft):
    data = program_form(*country_and_subject, [])
    data.update(formset("study_links", [{"study": draft.pk, "role": "endline"}]))
    response = admin_client.post("/admin/evaluation/program/add/", data)
    assert response.status_code == 200
    assert "“Embargoed endline report” is a draft" in errors_of(response)
    assert not ProgramStudy.objects.exists()


def test_admin_refuses_a_draft_study_as_a_source(admin_client, indicator, draft):
    rows = [measurement_row("baseline", "2010-01", "20", source_study=draft.pk)]
    response = admin_client.post(
        f"/admin/evaluation/indicator/{indicator.pk}/change/", indicator_form(indicator, rows)
    )
    assert response.status_code == 200
    assert "“Embargoed endline report” is a draft" in errors_of(response)
    assert not Measurement.objects.exists()


@pytest.fixture
def cited(program, make_study, make_author):
    study = make_study(
        "Evaluation of Project Lantern", countries=["PH"], authors=[make_author("Andrew Jones")]
    )
    ProgramStudy.objects.create(program=program, study=study, role="evaluation")
    return study


def test_admin_refuses_making_a_cited_study_a_draft(admin_client, cited):
    authorship = cited.authorships.get()
    data = {
        "title": cited.title,
        "short_title": "",
        "slug": cited.slug,
        "description": "",
        "publication_month": "2018-05",
        "resource_types": [t.pk for t in cited.resource_types.all()],
        "subject": cited.subject_id,
        "status": "draft",
        "countries": [c.pk for c in cited.countries.all()],
        "pdf": "",
        "external_url": "",
        **formset(
            "authorships",
            [
                {
                    "id": authorship.pk,
                    "study": cited.pk,
                    "position": "1",
                    "author": authorship.author_id,
                }
            ],
            initial=1,
        ),
    }
    response = admin_client.post(f"/admin/studies/study/{cited.pk}/change/", data)
    assert response.status_code == 200
    assert "A study that a program cites stays published; cited by “Project Lantern”." in (
        response.content.decode()
    )
    cited.refresh_from_db()
    assert cited.status == Study.Status.PUBLISHED


def test_unpublish_action_keeps_a_cited_study_published_and_says_why(
    admin_client, cited, make_study
):
    uncited = make_study("Notes")
    response = admin_client.post(
        "/admin/studies/study/",
        {"action": "unpublish", "_selected_action": [cited.pk, uncited.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 study made draft." in page
    assert "“Evaluation of Project Lantern” was not made a draft: A study that a program cites" in (
        page
    )
    assert "cited by “Project Lantern”" in page
    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert (cited.status, uncited.status) == ("published", "draft")


def test_the_demo_programs_cite_published_studies_only(demo_data):
    check_deferred_rules()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(evaluation_check_cited_study(id)) FROM studies_study")
    assert not ProgramStudy.objects.exclude(study__status="published").exists()
