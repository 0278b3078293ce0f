"""The library's rules hold whatever writes the rows: the database refuses a raw SQL write that
breaks one, and the admin says which rule a curator's entry breaks instead of failing.

Deferred rules (those that span a study's links) are checked at commit; tests never commit, so
they run them with `check_deferred_rules()` (one test commits for real).
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from studies.models import Authorship, Country, ResourceType, Study, Subject, url_for_slug
from tests.conftest import check_deferred_rules
from tests.studies.conftest import NO_FILES

CHANGELIST_URL = "/admin/studies/study/"
ADD_URL = "/admin/studies/study/add/"


def run_sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement: str, params=()) -> str:
    """The database's message refusing `statement`, at once or at the (simulated) commit."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        run_sql(statement, params)
        check_deferred_rules()
    return str(caught.value)


def accepted(statement: str, params=()) -> None:
    with transaction.atomic():
        run_sql(statement, params)
        check_deferred_rules()


@pytest.fixture
def study(make_study, make_author):
    """A published study with everything it needs: a type, an author, a country."""
    return make_study("Labour trafficking in Cambodia", countries=["KH"], authors=[make_author()])


# --- Slugs ----------------------------------------------------------------------------------------

SLUG_TABLES = ["studies_study", "studies_subject", "studies_resourcetype", "studies_author"]
MALFORMED_SLUGS = ["Land-theft", "land theft", "land_theft", "land--theft", "-land", "land/theft"]


@pytest.mark.parametrize("table", SLUG_TABLES)
@pytest.mark.parametrize("slug", MALFORMED_SLUGS)
def test_database_refuses_a_malformed_slug(study, table, slug):
    statement = f"UPDATE {table} SET slug = %s WHERE id = (SELECT min(id) FROM {table})"
    message = refused(statement, [slug])
    assert "slug_is_well_formed" in message


@pytest.mark.parametrize("table", SLUG_TABLES)
def test_database_accepts_lower_case_words_joined_by_hyphens(study, table):
    accepted(f"UPDATE {table} SET slug = 'land-2019' WHERE id = (SELECT min(id) FROM {table})")


def test_admin_explains_a_malformed_slug(admin_client, study_data):
    response = admin_client.post(ADD_URL, study_data(slug="Land_Theft"))
    assert response.status_code == 200
    assert "Use lower-case letters and digits, words joined by single hyphens" in (
        response.content.decode()
    )
    assert not Study.objects.exists()


def test_a_malformed_slug_never_breaks_a_page(client, study):
    """Should one come back anyway (an old dump restored), every page that links it answers."""
    check_deferred_rules()  # PostgreSQL alters no table with trigger events pending
    run_sql("ALTER TABLE studies_study DROP CONSTRAINT study_slug_is_well_formed")
    run_sql("UPDATE studies_study SET slug = 'Labour trafficking/Cambodia'")
    for url in ["/", "/studies/", "/studies/feed/", "/sitemap.xml", "/api/studies/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Labour%20trafficking%2FCambodia" in response.content.decode(), url
    # Its link leads to a page that is not found, not to an error.
    link = url_for_slug("studies:detail", "Labour trafficking/Cambodia")
    assert link == "/studies/Labour%20trafficking%2FCambodia/"
    assert client.get(link).status_code == 404


# --- External URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/r.pdf", "example.org"])
def test_database_refuses_an_external_url_that_is_not_http(study, url):
    assert "study_external_url_is_http" in refused(
        "UPDATE studies_study SET external_url = %s", [url]
    )


@pytest.mark.parametrize("url", ["", "https://example.org/r.pdf", "HTTP://example.org/"])
def test_database_accepts_an_http_external_url_or_none(study, url):
    accepted("UPDATE studies_study SET external_url = %s", [url])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/report.pdf"])
def test_admin_refuses_an_external_url_that_is_not_http(admin_client, study_data, url):
    response = admin_client.post(ADD_URL, study_data(external_url=url))
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Study.objects.exists()


# --- Titles and names -----------------------------------------------------------------------------

NAMED_COLUMNS = [
    ("studies_study", "title"),
    ("studies_subject", "name"),
    ("studies_resourcetype", "name"),
    ("studies_author", "name"),
    ("studies_country", "name"),
]


@pytest.mark.parametrize(("table", "column"), NAMED_COLUMNS)
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_database_refuses_a_blank_title_or_name(study, table, column, blank):
    statement = f"UPDATE {table} SET {column} = %s WHERE id = (SELECT min(id) FROM {table})"
    assert f"{column}_is_not_blank" in refused(statement, [blank])


def test_admin_refuses_a_blank_title(admin_client, study_data):
    response = admin_client.post(ADD_URL, study_data(title="   "))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Study.objects.exists()


# --- Publication month ----------------------------------------------------------------------------


def test_database_refuses_a_publication_month_before_1900(study):
    assert "study_published_from_1900" in refused(
        "UPDATE studies_study SET publication_month = '1899-12-01'"
    )


def test_database_refuses_a_publication_month_beyond_next_year(study):
    year_after_next = timezone.localdate().year + 2
    message = refused(
        "UPDATE studies_study SET publication_month = %s", [datetime.date(year_after_next, 1, 1)]
    )
    assert f"The publication month {year_after_next}-01 of “Labour trafficking in Cambodia” " in (
        message
    )
    assert "beyond next year" in message


def test_database_accepts_a_forthcoming_report_of_next_year(study):
    """An import may hold a forthcoming report; only the admin refuses the future."""
    accepted(
        "UPDATE studies_study SET publication_month = %s",
        [datetime.date(timezone.localdate().year + 1, 12, 1)],
    )


def test_admin_refuses_a_publication_month_in_the_future(admin_client, study_data):
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    response = admin_client.post(ADD_URL, study_data(publication_month=f"{next_month:%Y-%m}"))
    assert response.status_code == 200
    assert "The publication month cannot be in the future." in response.content.decode()
    assert not Study.objects.exists()


def test_admin_accepts_this_month(admin_client, study_data):
    response = admin_client.post(
        ADD_URL, study_data(publication_month=f"{timezone.localdate():%Y-%m}")
    )
    assert response.status_code == 302
    assert Study.objects.get().publication_month == timezone.localdate().replace(day=1)


# --- Countries or “multiple countries”, not both --------------------------------------------------


def test_database_refuses_ticking_multiple_countries_on_a_study_naming_countries(study):
    message = refused("UPDATE studies_study SET is_multi_country = true")
    assert "“Labour trafficking in Cambodia” names its countries and is ticked “multiple " in (
        message
    )


def test_database_refuses_naming_a_country_on_a_study_ticked_multiple(make_study):
    study = make_study(is_multi_country=True)
    thailand = Country.objects.create(code="TH", name="Thailand")
    assert "not both" in refused(
        "INSERT INTO studies_study_countries (study_id, country_id) VALUES (%s, %s)",
        [study.pk, thailand.pk],
    )


def test_admin_refuses_both_countries_and_multiple_countries(admin_client, study_data, make_author):
    cambodia = Country.objects.create(code="KH", name="Cambodia")
    response = admin_client.post(
        ADD_URL, study_data(countries=[cambodia.pk], is_multi_country="on")
    )
    assert response.status_code == 200
    assert "Name the countries or tick “multiple countries”, not both" in (
        response.content.decode()
    )
    assert not Study.objects.exists()


def test_justice_review_is_multiple_countries_by_the_four_it_names(client, demo_data):
    """Stored with its four countries and the box unticked, shown as multiple countries."""
    slug = "justice-review-a-journal-of-protection-and-justice-for-the-poor"
    page = client.get(f"/studies/{slug}/").content.decode()
    assert "Multiple countries</a>: " in page
    assert ">Cambodia</a>" in page
    assert client.get(f"/api/studies/{slug}/").json()["multiple_countries"] is True
    multiple = client.get("/api/studies/", {"country": "multiple"}).json()
    assert slug in [study["slug"] for study in multiple["results"]]
    cambodia = client.get("/api/studies/", {"country": "KH"}).json()
    assert slug in [study["slug"] for study in cambodia["results"]]
    listing = client.get("/studies/", {"country": "multiple"}).content.decode()
    assert "4 studies found" in listing


def test_multiple_countries_facet_counts_both_kinds(client, make_study):
    make_study("Ticked", is_multi_country=True)
    make_study("Named", countries=["KH", "TH"])
    make_study("One country", countries=["KH"])
    response = client.get("/studies/")
    options = {
        option["value"]: option["count"]
        for block in response.context["facet_blocks"]
        for option in block["options"]
        if block["name"] == "country"
    }
    assert options["multiple"] == 2
    assert options["KH"] == 2


# --- What a published study needs -----------------------------------------------------------------


def test_database_refuses_a_published_study_without_type_author_or_country(make_study):
    subject = Subject.objects.create(name="Land theft", slug="land-theft")
    message = refused(
        "INSERT INTO studies_study (title, short_title, slug, description, publication_month, "
        "is_multi_country, subject_id, status, pdf, external_url, created_at, updated_at, "
        "country_codes, type_slugs, author_slugs) VALUES ('Bare', '', 'bare', '', '2018-05-01', "
        "false, %s, 'published', '', '', now(), now(), '{}', '{}', '{}')",
        [subject.pk],
    )
    assert (
        "The published study “Bare” needs a resource type, an author and a country "
        "(or “multiple countries”)." in message
    )


def test_database_refuses_removing_the_last_author_of_a_published_study(study):
    message = refused("DELETE FROM studies_authorship WHERE study_id = %s", [study.pk])
    assert "“Labour trafficking in Cambodia” needs an author." in message


def test_database_refuses_removing_the_last_type_of_a_published_study(study):
    message = refused("DELETE FROM studies_study_resource_types WHERE study_id = %s", [study.pk])
    assert "needs a resource type." in message


def test_database_refuses_removing_the_last_country_of_a_published_study(study):
    message = refused("DELETE FROM studies_study_countries WHERE study_id = %s", [study.pk])
    assert "needs a country (or “multiple countries”)." in message


def test_database_refuses_publishing_an_incomplete_draft(make_study):
    draft = make_study("Notes", status=Study.Status.DRAFT)
    message = refused("UPDATE studies_study SET status = 'published' WHERE id = %s", [draft.pk])
    assert "“Notes” needs an author and a country" in message


def test_database_lets_a_draft_lack_authors_and_countries(make_study):
    draft = make_study("Notes", status=Study.Status.DRAFT)
    accepted("DELETE FROM studies_study_resource_types WHERE study_id = %s", [draft.pk])


def test_a_deleted_study_takes_its_links_without_complaint(study):
    study.delete()
    check_deferred_rules()
    assert not Study.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_rule_holds_at_a_real_commit():
    subject = Subject.objects.create(name="Land theft", slug="land-theft")
    rule = "needs a resource type, an author and a country"
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        Study.objects.create(
            title="Bare",
            slug="bare",
            subject=subject,
            publication_month=datetime.date(2018, 5, 1),
            status=Study.Status.PUBLISHED,
        )
    assert not Study.objects.exists()


def test_the_demo_data_obeys_every_rule(demo_data):
    check_deferred_rules()
    assert Study.objects.published().count() == 26


def test_admin_says_a_published_study_needs_an_author(admin_client, study_data):
    cambodia = Country.objects.create(code="KH", name="Cambodia")
    response = admin_client.post(ADD_URL, study_data(status="published", countries=[cambodia.pk]))
    assert response.status_code == 200
    assert "A published study needs an author." in response.content.decode()
    assert not Study.objects.exists()
    assert not Authorship.objects.exists()


def test_admin_says_a_published_study_needs_a_country(admin_client, study_data, make_author):
    author = make_author()
    data = study_data(status="published")
    data.update({"authorships-TOTAL_FORMS": "1", "authorships-0-position": "1"})
    data["authorships-0-author"] = str(author.pk)
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "A published study needs a country (or “multiple countries”)." in (
        response.content.decode()
    )
    assert not Study.objects.exists()


def test_admin_refuses_deleting_the_last_author_of_a_published_study(admin_client, study):
    authorship = study.authorships.get()
    data = {
        "title": study.title,
        "short_title": "",
        "slug": study.slug,
        "description": "",
        "publication_month": "2018-05",
        "resource_types": [t.pk for t in study.resource_types.all()],
        "subject": study.subject_id,
        "status": "published",
        "countries": [c.pk for c in study.countries.all()],
        "pdf": "",
        "external_url": "",
        "authorships-TOTAL_FORMS": "1",
        "authorships-INITIAL_FORMS": "1",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        "authorships-0-id": str(authorship.pk),
        "authorships-0-study": str(study.pk),
        "authorships-0-position": "1",
        "authorships-0-author": str(authorship.author_id),
        "authorships-0-DELETE": "on",
        **NO_FILES,
    }
    response = admin_client.post(f"{CHANGELIST_URL}{study.pk}/change/", data)
    assert response.status_code == 200
    assert "A published study needs an author." in response.content.decode()
    assert study.authorships.exists()


def test_publish_action_names_what_an_incomplete_draft_lacks(admin_client, make_study):
    draft = make_study("Notes", status=Study.Status.DRAFT)
    response = admin_client.post(
        CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "“Notes” was not published: A published study needs an author and a country" in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == Study.Status.DRAFT


def test_admin_refuses_deleting_the_only_country_of_a_published_study(admin_client, study):
    cambodia = study.countries.get()
    url = f"/admin/studies/country/{cambodia.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert "Labour trafficking in Cambodia (a published study would be left without a country)" in (
        page
    )
    admin_client.post(url, {"post": "yes"})
    assert Country.objects.filter(pk=cambodia.pk).exists()


def test_admin_deletes_a_country_a_study_names_beside_another(admin_client, make_study):
    study = make_study("Justice Review", countries=["KH", "TH"])
    thailand = Country.objects.get(code="TH")
    response = admin_client.post(f"/admin/studies/country/{thailand.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    check_deferred_rules()
    assert list(study.countries.values_list("code", flat=True)) == ["KH"]


def test_admin_refuses_deleting_the_only_type_of_a_published_study(admin_client, study):
    kind = study.resource_types.get()
    response = admin_client.post(
        "/admin/studies/resourcetype/",
        {"action": "delete_selected", "_selected_action": [kind.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "(a published study would be left without a resource type)" in (
        response.content.decode()
    )
    assert ResourceType.objects.filter(pk=kind.pk).exists()
