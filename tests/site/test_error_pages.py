"""The site's own 404 and 500 pages: in the site layout, with a way on, and no debug output."""

import pytest
from django.test import modify_settings, override_settings

pytestmark = pytest.mark.django_db


def assert_site_layout_with_search(html: str) -> None:
    assert '<nav aria-label="Main">' in html
    assert '<a href="/studies/">Studies</a>' in html
    assert 'role="search"' in html and 'action="/studies/"' in html and 'name="q"' in html


@override_settings(DEBUG=False)
def test_unknown_page_gives_the_sites_404_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert_site_layout_with_search(html)
    assert "Traceback" not in html and "URLconf" not in html  # not Django's debug page


@override_settings(DEBUG=False)
def test_unknown_api_address_answers_json_404(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": ["There is nothing at this address."]}


@override_settings(DEBUG=False, ROOT_URLCONF="tests.site.urls_failing")
def test_a_failing_view_gives_the_sites_500_page_without_details(
    client, django_assert_max_num_queries
):
    client.raise_request_exception = False

    # No query: the 500 page must render when the database is the reason for the error.
    with django_assert_max_num_queries(0):
        response = client.get("/test-broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert_site_layout_with_search(html)
    assert "secret detail" not in html and "RuntimeError" not in html and "Traceback" not in html


@override_settings(DEBUG=False, ROOT_URLCONF="tests.site.urls_failing")
def test_a_failing_api_view_answers_json_500(client):
    client.raise_request_exception = False

    response = client.get("/api/test-broken/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "secret detail" not in response.content.decode()
    assert response.json()["errors"]


@override_settings(DEBUG=False, ROOT_URLCONF="tests.site.urls_failing")
@modify_settings(MIDDLEWARE={"remove": "justicelib.middleware.DatabaseUnavailableMiddleware"})
def test_a_database_error_outside_a_view_also_gives_the_503_page(client):
    client.raise_request_exception = False

    response = client.get("/test-database-error/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The library is briefly unavailable" in response.content.decode()
