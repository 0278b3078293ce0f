"""Curators see a record's history in the admin and restore an earlier version of it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evaluation.models import Program
from history.services import event_model
from studies.models import Author, Authorship, Country, Study, StudyCountry
from tests.studies.test_admin import author_names, change_data, change_url


def history_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/history/"


def restore_url(obj, event):
    return f"{history_url(obj)}{event.pgh_id}/restore/"


@pytest.fixture
def edited_study(admin_client, make_study, make_author):
    """A study created with authors A, B in Cambodia, then retitled, reordered and moved to
    Thailand through the admin."""
    first, second = make_author("Author A"), make_author("Author B")
    study = make_study("First title", authors=[first, second], countries=["KH"])
    data = change_data(study, (1, second, study.authorships.get(author=second)))
    data.update(
        {
            "title": "Second title <b>bold</b>",
            "countries": [Country.objects.create(code="TH", name="Thailand").pk],
            "authorships-1-position": "2",
            "authorships-1-author": str(first.pk),
            "authorships-1-id": str(study.authorships.get(author=first).pk),
            "authorships-1-study": str(study.pk),
            "authorships-TOTAL_FORMS": "2",
        }
    )
    response = admin_client.post(change_url(study), data)
    assert response.status_code == 302, response.context["errors"]
    study.refresh_from_db()
    assert author_names(study) == ["Author B", "Author A"]
    return study


def test_history_page_lists_each_change_old_to_new_with_who_and_how(
    admin_client, admin_user, edited_study
):
    response = admin_client.get(history_url(edited_study))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">When</th>' in html
    assert "<del>First title</del> → <ins>Second title &lt;b&gt;bold&lt;/b&gt;</ins>" in html
    assert admin_user.username in html
    assert change_url(edited_study) in html  # the page the change was made on
    assert "<del>—</del> → <ins>Thailand</ins>" in html  # a country added
    assert "<del>Country KH</del> → <ins>—</ins>" in html  # and one removed
    assert "Restore this version…" in html


def test_history_page_queries_do_not_grow_with_events(admin_client, edited_study):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(history_url(edited_study)).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        Study.objects.filter(pk=edited_study.pk).update(title=f"Title {n}")
    assert count() == before


def test_restoring_a_study_brings_back_its_fields_authors_and_countries(admin_client, edited_study):
    first_version = edited_study.events.order_by("pgh_id").first()

    confirm = admin_client.get(restore_url(edited_study, first_version))
    assert confirm.status_code == 200
    assert "Author B, Author A" in confirm.content.decode()
    edited_study.refresh_from_db()
    assert edited_study.title.startswith("Second title")  # a GET changes nothing

    response = admin_client.post(restore_url(edited_study, first_version))

    assert response.status_code == 302
    edited_study.refresh_from_db()
    assert edited_study.title == "First title"
    assert author_names(edited_study) == ["Author A", "Author B"]
    assert list(edited_study.countries.values_list("code", flat=True)) == ["KH"]
    latest = edited_study.events.order_by("-pgh_id").first()
    assert (latest.pgh_label, latest.title) == ("update", "First title")
    assert latest.pgh_context.metadata["url"] == restore_url(edited_study, first_version)


def test_restore_needs_a_csrf_token(admin_user, edited_study):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    first_version = edited_study.events.order_by("pgh_id").first()

    response = client.post(restore_url(edited_study, first_version))

    assert response.status_code == 403
    edited_study.refresh_from_db()
    assert edited_study.title.startswith("Second title")


def test_a_version_that_breaks_a_rule_now_is_refused_with_the_reason(
    admin_client, make_study, edited_study
):
    first_version = edited_study.events.order_by("pgh_id").first()
    edited_study.slug = "renamed"
    edited_study.save()
    make_study("Squatter", slug=first_version.slug)

    response = admin_client.post(restore_url(edited_study, first_version))

    assert response.status_code == 400
    assert "Slug" in response.content.decode() or "slug" in response.content.decode()
    edited_study.refresh_from_db()
    assert edited_study.slug == "renamed"


def test_another_records_version_is_not_found(admin_client, make_study, edited_study):
    other = make_study("Other")
    response = admin_client.get(restore_url(other, edited_study.events.first()))
    assert response.status_code == 404


def test_a_vocabulary_and_a_program_have_history_and_restore(admin_client, make_author):
    author = make_author("Old Name")
    Author.objects.filter(pk=author.pk).update(name="New Name")
    response = admin_client.get(history_url(author))
    assert "<del>Old Name</del> → <ins>New Name</ins>" in response.content.decode()

    first = author.events.order_by("pgh_id").first()
    assert admin_client.post(restore_url(author, first)).status_code == 302
    author.refresh_from_db()
    assert author.name == "Old Name"


def test_program_history_lists_its_studies(admin_client, demo_data):
    program = Program.objects.first()
    response = admin_client.get(history_url(program))
    assert response.status_code == 200
    assert event_model(Program).objects.filter(pgh_obj_id=program.pk).count() == 1
    link = program.study_links.select_related("study").first()
    assert f"<ins>{link.study} (role {link.get_role_display()})</ins>" in response.content.decode()


def test_restore_keeps_links_older_than_the_history(admin_client, make_study, make_author):
    """A database that had data before history began: its rows have no events yet."""
    study = make_study("Old study", authors=[make_author("Author A")], countries=["KH"])
    for model in (Authorship, StudyCountry):
        event_model(model).objects.filter(study=study).delete()
    Study.objects.filter(pk=study.pk).update(title="Edited")
    first = study.events.order_by("pgh_id").first()

    assert admin_client.post(restore_url(study, first)).status_code == 302

    study.refresh_from_db()
    assert study.title == "Old study"
    assert author_names(study) == ["Author A"]
    assert list(study.countries.values_list("code", flat=True)) == ["KH"]
