"""A database outage answers 503 (HTML, or JSON for the API), logged once, and the site recovers.

The outage is real: the connection is closed and pointed at a directory where no PostgreSQL
listens, so the next query fails to connect as it would when the server is down.
"""

import logging

import pytest

# The outage takes down the primary and the replica (justicelib/settings_test.py) alike.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_pages_answer_503_while_the_database_is_down(client, database_down, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/studies/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "The library is briefly unavailable" in html
    assert '<nav aria-label="Main">' in html  # the site's layout, not a bare error
    assert "OperationalError" not in html and "Traceback" not in html
    # One line per request, a warning, without the traceback.
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]
    assert "Database unavailable" in records[0].getMessage()
    assert "/studies/" in records[0].getMessage()


def test_the_api_answers_json_503_while_the_database_is_down(client, database_down):
    response = client.get("/api/studies/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "errors": ["The library is briefly unavailable. Please try again in a minute."]
    }


def test_the_site_recovers_by_itself_when_the_database_returns(client, database_down):
    assert client.get("/").status_code == 503
    assert client.get("/api/studies/").status_code == 503

    database_down()  # the server is back; nothing restarts the app

    assert client.get("/").status_code == 200
    response = client.get("/api/studies/")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("fmt", ["csv", "bib", "ris", "json"])
def test_an_unfiltered_export_answers_503_while_the_database_is_down(client, database_down, fmt):
    # Nothing in the URL needs the database before the file streams: the export must still
    # find out before it starts answering.
    response = client.get(f"/studies/export.{fmt}")

    assert response.status_code == 503
    assert "The library is briefly unavailable" in response.content.decode()
