"""The outbox keeps the index current: every write to a study, its links or its names leaves
an entry in the same transaction, and the worker applies entries so that none is lost, even
when it was down or crashed half-way."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from searchindex import worker
from searchindex.models import OutboxEntry
from searchindex.public import backend_for
from studies.filters import StudyFilterSet
from studies.models import Country, Study, Subject


def found(query: str) -> int:
    filters = StudyFilterSet(QueryDict(query), queryset=Study.objects.published())
    backend = backend_for(filters)
    assert backend is not None
    return backend.count()


def pending() -> set[int]:
    return set(OutboxEntry.objects.values_list("study_id", flat=True))


def test_writes_to_a_study_and_its_links_leave_outbox_entries(make_study, make_author):
    study = make_study("Widows", countries=["KH"])
    other = make_study("Orphans", countries=["PH"])
    OutboxEntry.objects.all().delete()
    study.countries.add(Country.objects.get(code="PH"))
    assert pending() == {study.pk}
    OutboxEntry.objects.all().delete()
    Country.objects.filter(code="KH").update(name="Kampuchea")
    assert pending() == {study.pk}
    OutboxEntry.objects.all().delete()
    Subject.objects.filter(pk=other.subject_id).update(slug="renamed-subject")
    assert other.pk in pending()
    OutboxEntry.objects.all().delete()
    pk = other.pk
    other.delete()
    assert pk in pending()


@pytest.mark.django_db(transaction=True)
def test_a_write_made_while_the_worker_is_down_is_indexed_when_it_starts(make_study, build_index):
    build_index()
    make_study("Widows and land")  # committed, with no worker running
    assert found("q=widows") == 0
    assert pending()
    call_command("search_index_worker", "--once", verbosity=0)
    assert found("q=widows") == 1
    assert not pending()


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_the_index_commit_keeps_the_entries(make_study, build_index, monkeypatch):
    build_index()
    make_study("Widows and land")

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(worker.search_index, "index_studies", crash)
    with pytest.raises(RuntimeError):
        call_command("search_index_worker", "--once", verbosity=0)
    assert pending() and found("q=widows") == 0
    monkeypatch.undo()
    call_command("search_index_worker", "--once", verbosity=0)
    assert found("q=widows") == 1 and not pending()


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_index_commit_applies_again_harmlessly(
    make_study, build_index, monkeypatch
):
    build_index()
    study = make_study("Widows and land")
    real_execute = connection.cursor().__class__.execute

    def crash_on_delete(self, sql, params=None):
        if sql.startswith("DELETE FROM searchindex_outboxentry"):
            raise RuntimeError("killed between the commits")
        return real_execute(self, sql, params)

    monkeypatch.setattr(connection.cursor().__class__, "execute", crash_on_delete)
    with pytest.raises(RuntimeError):
        call_command("search_index_worker", "--once", verbosity=0)
    monkeypatch.undo()
    assert study.pk in pending()  # the entry survived the crash
    assert found("q=widows") == 1  # the index commit did not
    call_command("search_index_worker", "--once", verbosity=0)
    assert found("q=widows") == 1 and not pending()  # applied again: still one document


@pytest.mark.django_db(transaction=True)
def test_unpublishing_and_deleting_take_studies_out_of_the_index(make_study, build_index):
    widows = make_study("Widows and land")
    orphans = make_study("Widows and orphans")
    build_index()
    assert found("q=widows") == 2
    Study.objects.filter(pk=widows.pk).update(status=Study.Status.DRAFT)
    orphans.delete()
    call_command("search_index_worker", "--once", verbosity=0)
    assert found("q=widows") == 0
