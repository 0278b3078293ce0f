"""Visitors' list pages come from the cache until the library changes (studies/pagecache.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_a_repeated_list_page_costs_one_query(client, make_study):
    make_study("Scale of harm", countries=["KH"])

    first, built = queries_for(client, "/studies/?country=KH")
    again, cached = queries_for(client, "/studies/?country=KH")

    assert built > 1
    assert cached == 1  # the library version
    assert again.content == first.content
    # The middleware still dresses the cached page.
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["Content-Type"] == first["Content-Type"]


def test_a_curators_change_shows_on_the_next_visit(client, make_study):
    study = make_study("Scale of harm", countries=["KH"])
    assert "Scale of harm" in client.get("/studies/").text

    study.title = "The scale of harm, revised"
    study.save()

    page = client.get("/studies/").text
    assert "The scale of harm, revised" in page
    assert "Scale of harm<" not in page


def test_each_language_and_each_address_has_its_own_page(client, make_study):
    make_study("Scale of harm", countries=["KH"])
    make_study("Land theft", countries=["UG"])
    english, spanish = client.get("/studies/"), client.get("/es/studies/")
    assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"
    assert english.content != spanish.content
    uganda = client.get("/studies/?country=UG").text
    assert "Land theft" in uganda and "Scale of harm" not in uganda


def test_signed_in_people_get_a_page_made_for_them(admin_client, make_study):
    make_study("Scale of harm", countries=["KH"])
    queries_for(admin_client, "/studies/")

    _, built_again = queries_for(admin_client, "/studies/")

    assert built_again > 1


@pytest.mark.parametrize(
    "reset",
    [
        "DELETE FROM studies_libraryversion",  # what a flush does
        "UPDATE studies_libraryversion SET version = 1",  # a restore of an older backup
    ],
)
def test_a_reset_library_never_meets_pages_cached_before_it(client, make_study, reset):
    """A running server keeps pages keyed by the versions it has seen: after the database is
    flushed or restored, the next write must not reuse one of them."""
    from studies.models import LibraryVersion

    study = make_study("Scale of harm", countries=["KH"])
    assert "Scale of harm" in client.get("/studies/").text
    seen = LibraryVersion.current()
    with connection.cursor() as cursor:
        cursor.execute(reset)
    study.title = "The scale of harm, revised"
    study.save()

    assert LibraryVersion.current() > seen
    assert "The scale of harm, revised" in client.get("/studies/").text
