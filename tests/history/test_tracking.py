"""Every write to the library's tables is recorded, whatever made it, with who and how."""

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from evaluation.models import Measurement, Program
from history.commands import command_context
from history.services import event_model
from studies.management.commands.load_demo_data import fixture_entries
from studies.models import Authorship, Country, Study, StudyCountry

# Derived by triggers or by processing a file's bytes (a page's text), not curated.
UNTRACKED = {"studies.searchterm", "studies.libraryversion", "studies.studyfilepage"}


def tracked_models():
    return [
        model
        for app in ("studies", "evaluation")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.label_lower.endswith("event")
        and model._meta.label_lower not in UNTRACKED
    ]


def all_events():
    return {model._meta.label: event_model(model).objects.count() for model in tracked_models()}


def demo_fixture_rows(model_label: str | None = None) -> int:
    """The rows the demo fixtures write (of one model, or all): one per entry, plus one per
    many-to-many link an entry lists (a study's countries and resource types)."""
    rows = 0
    for entry in fixture_entries():
        model = apps.get_model(entry["model"])
        if model_label is None:
            links = (entry["fields"].get(field.name, []) for field in model._meta.many_to_many)
            rows += 1 + sum(len(linked) for linked in links)
        elif model._meta.label == model_label:
            rows += 1
    return rows


def test_every_curated_model_is_tracked():
    labels = {model._meta.label for model in tracked_models()}
    assert labels >= {
        "studies.Study",
        "studies.StudyFile",
        "studies.Authorship",
        "studies.StudyCountry",
        "studies.StudyResourceType",
        "studies.Author",
        "studies.Country",
        "studies.Subject",
        "studies.ResourceType",
        "evaluation.Program",
        "evaluation.ProgramStudy",
        "evaluation.Indicator",
        "evaluation.Measurement",
    }
    for model in tracked_models():
        assert {"insert", "update", "delete"} <= set(model.pgh_event_models), model


def test_loading_the_demo_data_records_one_event_per_row(demo_data):
    rows = {model._meta.label: model.objects.count() for model in tracked_models()}
    assert all_events() == rows
    # The search synonyms come from their migration (and a test that flushed the database may
    # have removed them), not from the demo data.
    assert sum(n for label, n in rows.items() if label != "studies.SearchSynonym") == (
        demo_fixture_rows()
    )
    # The triggers that fill search and facet columns rewrite studies: no events for that.
    assert not event_model(Study).objects.exclude(pgh_label="insert").exists()


def test_a_raw_sql_update_is_recorded_without_context(make_study):
    study = make_study("Before")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE studies_study SET title = 'After' WHERE id = %s", [study.pk])
    event = study.events.order_by("-pgh_id").first()
    assert (event.pgh_label, event.title, event.pgh_context) == ("update", "After", None)


def test_an_update_keeps_the_new_values_and_the_previous_event_the_old(make_study):
    study = make_study("Old title")
    study.title = "New title"
    study.save()
    assert list(study.events.order_by("pgh_id").values_list("pgh_label", "title")) == [
        ("insert", "Old title"),
        ("update", "New title"),
    ]


def test_a_delete_keeps_the_deleted_row(make_study):
    study = make_study("Gone")
    pk = study.pk
    study.delete()
    event = event_model(Study).objects.get(pgh_obj_id=pk, pgh_label="delete")
    assert event.title == "Gone"


def test_links_have_events_and_leave_no_study_event(make_study, make_author):
    # A draft: the factory gives a published study an author of its own at position 1.
    study = make_study("Linked", countries=["KH"], status=Study.Status.DRAFT)
    before = study.events.count()
    Authorship.objects.create(study=study, author=make_author(), position=1)
    study.countries.add(Country.objects.create(code="TH", name="Thailand"))
    study.countries.remove(Country.objects.get(code="KH"))
    assert study.events.count() == before
    assert list(
        event_model(StudyCountry)
        .objects.filter(study=study)
        .order_by("pgh_id")
        .values_list("pgh_label", "country__code")
    ) == [("insert", "KH"), ("insert", "TH"), ("delete", "KH")]
    assert event_model(Authorship).objects.filter(study=study, pgh_label="insert").count() == 1


def test_a_save_that_changes_nothing_is_no_event(make_study):
    study = make_study()
    before = study.events.count()
    study.save()  # bumps updated_at only
    assert study.events.count() == before


def test_a_management_command_names_itself(db, capsys):
    # manage.py runs each command inside this context (connections stay open for the test).
    with command_context(["manage.py", "load_demo_data"]):
        call_command("load_demo_data")
    event = event_model(Program).objects.first()
    assert event.pgh_context.metadata == {"command": "load_demo_data"}
    assert event_model(Measurement).objects.filter(pgh_context=event.pgh_context).count() == (
        demo_fixture_rows("evaluation.Measurement")
    )


def test_an_admin_edit_records_the_user_and_the_page(admin_client, admin_user, make_study):
    study = make_study("Vocabulary")
    country = Country.objects.create(code="KH", name="Cambodia")
    url = f"/admin/studies/country/{country.pk}/change/"
    response = admin_client.post(url, {"code": "KH", "name": "Kingdom of Cambodia", "aliases": ""})
    assert response.status_code == 302
    event = country.events.order_by("-pgh_id").first()
    assert event.name == "Kingdom of Cambodia"
    assert event.pgh_context.metadata == {"user": admin_user.pk, "url": url}
    assert study.events.count() == 1
