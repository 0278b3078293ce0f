"""The curator's admin: adding studies with their authors, publishing, searching, who may enter."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.forms import MonthField
from studies.models import Author, Country, Study

from .conftest import with_authors

ADD_URL = "/admin/studies/study/add/"
CHANGELIST_URL = "/admin/studies/study/"


def change_data(study, *rows):
    """The change form's fields for an existing study, with the author rows given."""
    return {
        "title": study.title,
        "short_title": study.short_title,
        "slug": study.slug,
        "description": study.description,
        "publication_month": study.publication_month.strftime("%Y-%m"),
        "resource_types": [t.pk for t in study.resource_types.all()],
        "subject": study.subject_id,
        "status": study.status,
        "countries": [c.pk for c in study.countries.all()],
        "is_multi_country": study.is_multi_country,
        "pdf": "",
        "external_url": "",
        **with_authors(*rows, initial=study.authorships.count(), study=study),
    }


def change_url(study):
    return f"/admin/studies/study/{study.pk}/change/"


def author_names(study):
    return [a.author.name for a in study.authorships.select_related("author").order_by("position")]


def page_text(response):
    return response.content.decode()


# --- Adding a study ----------------------------------------------------------------------------


def test_superuser_adds_study_with_authors_in_order(admin_client, study_data, make_author):
    first, second = make_author("Robin Haarr", kind=Author.Kind.PERSON), make_author("IJM")

    response = admin_client.post(ADD_URL, study_data(**with_authors((1, second), (2, first))))

    assert response.status_code == 302, response.context["errors"]
    study = Study.objects.get(slug="ijm-cambodia")
    assert author_names(study) == ["IJM", "Robin Haarr"]
    assert study.publication_month == datetime.date(2018, 5, 1)


def test_curator_with_only_study_permissions_adds_study_with_authors(
    client, django_user_model, study_data, make_author
):
    curator = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    curator.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="studies",
            codename__in=["add_study", "change_study", "view_study"],
        )
    )
    client.force_login(curator)
    author = make_author()

    response = client.post(ADD_URL, study_data(**with_authors((1, author))))

    assert response.status_code == 302, response.context["errors"]
    assert author_names(Study.objects.get(slug="ijm-cambodia")) == [author.name]


def test_add_form_asks_for_month_and_numbers_author_rows(admin_client, db):
    response = admin_client.get(ADD_URL)

    html = page_text(response)
    assert 'type="month"' in html
    assert 'name="authorships-0-position" value="1"' in html
    assert 'name="authorships-1-position" value="2"' in html
    assert "1 is the first author, then 2, 3…" in html


@pytest.mark.parametrize("month", ["2018-13", "abc"])
def test_invalid_month_is_a_form_error(admin_client, study_data, month):
    response = admin_client.post(ADD_URL, study_data(publication_month=month))

    assert response.status_code == 200
    assert "Enter the month as year and month, e.g. 2018-05 for May 2018." in page_text(response)
    assert not Study.objects.exists()


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("2018-05", datetime.date(2018, 5, 1)),
        ("2018-05-17", datetime.date(2018, 5, 1)),
        ("May 2018", datetime.date(2018, 5, 1)),
        ("12/2019", datetime.date(2019, 12, 1)),
    ],
)
def test_month_field_stores_first_of_month(entered, stored):
    assert MonthField().clean(entered) == stored


def test_two_authors_in_one_position_is_a_form_error(admin_client, study_data, make_author):
    first, second = make_author("Robin Haarr", kind=Author.Kind.PERSON), make_author("IJM")

    response = admin_client.post(ADD_URL, study_data(**with_authors((1, first), (1, second))))

    assert response.status_code == 200
    assert "Two authors cannot share one position." in page_text(response)
    assert not Study.objects.exists()


def test_same_author_twice_is_a_form_error(admin_client, study_data, make_author):
    author = make_author()

    response = admin_client.post(ADD_URL, study_data(**with_authors((1, author), (2, author))))

    assert response.status_code == 200
    assert "This author is already listed on the study." in page_text(response)
    assert not Study.objects.exists()


def test_position_zero_is_a_form_error(admin_client, study_data, make_author):
    response = admin_client.post(ADD_URL, study_data(**with_authors((0, make_author()))))

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in page_text(response)
    assert not Study.objects.exists()


def test_taken_slug_is_a_form_error(admin_client, study_data, make_study):
    make_study(slug="ijm-cambodia")

    response = admin_client.post(ADD_URL, study_data(slug="ijm-cambodia"))

    assert response.status_code == 200
    assert "Another study already uses this address (slug)." in page_text(response)
    assert Study.objects.count() == 1


# --- Changing a study's authors ----------------------------------------------------------------


def test_swapping_author_positions_saves(admin_client, make_study, make_author):
    first, second = make_author("Robin Haarr", kind=Author.Kind.PERSON), make_author("IJM")
    study = make_study(authors=[first, second])
    one, two = study.authorships.order_by("position")

    response = admin_client.post(
        change_url(study), change_data(study, (2, first, one), (1, second, two))
    )

    assert response.status_code == 302, response.context["errors"]
    assert author_names(study) == ["IJM", "Robin Haarr"]
    assert {a.pk for a in study.authorships.all()} == {one.pk, two.pk}


def test_moving_author_onto_taken_position_is_a_form_error(admin_client, make_study, make_author):
    first, second = make_author("Robin Haarr", kind=Author.Kind.PERSON), make_author("IJM")
    study = make_study(authors=[first, second])
    one, two = study.authorships.order_by("position")

    response = admin_client.post(
        change_url(study), change_data(study, (1, first, one), (1, second, two))
    )

    assert response.status_code == 200
    assert "Two authors cannot share one position." in page_text(response)
    assert author_names(study) == ["Robin Haarr", "IJM"]


def test_change_form_shows_the_stored_month(admin_client, make_study):
    study = make_study(month=datetime.date(2018, 5, 1))

    response = admin_client.get(change_url(study))

    assert 'name="publication_month" value="2018-05"' in page_text(response)


def test_author_autocomplete_finds_alternate_names(admin_client, make_author):
    author = make_author("International Justice Mission", alternate_names="IJM")
    make_author("Robin Haarr", kind=Author.Kind.PERSON)

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "studies", "model_name": "authorship", "field_name": "author", "term": "ijm"},
    )

    assert [row["id"] for row in response.json()["results"]] == [str(author.pk)]


def test_change_page_links_published_study_to_its_public_page(admin_client, make_study):
    study = make_study(slug="ijm-manila")

    response = admin_client.get(change_url(study))

    assert 'href="/studies/ijm-manila/"' in page_text(response)


def test_change_page_of_draft_has_no_public_link(admin_client, make_study):
    study = make_study(slug="ijm-manila", status=Study.Status.DRAFT)

    response = admin_client.get(change_url(study))

    assert response.status_code == 200
    assert "/studies/ijm-manila/" not in page_text(response)


# --- Actions -----------------------------------------------------------------------------------


def complete_draft(make_study, author):
    """A draft with everything a published study needs."""
    return make_study(status=Study.Status.DRAFT, authors=[author], countries=["KH"])


def test_publish_action_publishes_selected_drafts(admin_client, make_study, make_author):
    author = make_author()
    drafts = [complete_draft(make_study, author) for _ in range(2)]
    other = make_study(status=Study.Status.DRAFT)

    response = admin_client.post(
        CHANGELIST_URL,
        {"action": "publish", "_selected_action": [s.pk for s in drafts]},
        follow=True,
    )

    assert "2 studies published." in page_text(response)
    assert {s.status for s in Study.objects.filter(pk__in=[s.pk for s in drafts])} == {"published"}
    other.refresh_from_db()
    assert other.status == Study.Status.DRAFT


def test_unpublish_action_makes_studies_draft(admin_client, make_study):
    study = make_study(status=Study.Status.PUBLISHED)

    response = admin_client.post(
        CHANGELIST_URL, {"action": "unpublish", "_selected_action": [study.pk]}, follow=True
    )

    assert "1 study made draft." in page_text(response)
    study.refresh_from_db()
    assert study.status == Study.Status.DRAFT


def test_publishing_is_recorded_in_the_study_history(
    admin_client, admin_user, make_study, make_author
):
    study = complete_draft(make_study, make_author())

    admin_client.post(CHANGELIST_URL, {"action": "publish", "_selected_action": [study.pk]})

    entry = LogEntry.objects.get(object_id=str(study.pk))
    assert (entry.user, entry.action_flag) == (admin_user, CHANGE)
    assert entry.get_change_message() == "Set status to published."


# --- Who may enter -----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_logged_in_non_staff_user_is_sent_to_login(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x"))

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_is_titled_for_curation(admin_client):
    assert "JusticeLib curation" in page_text(admin_client.get("/admin/"))


# --- The study list ----------------------------------------------------------------------------


def test_search_finds_study_by_author_name(admin_client, make_study, make_author):
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    make_study("Violence against women in Cambodia", authors=[haarr])
    make_study("Labour trafficking in Thailand")

    response = admin_client.get(CHANGELIST_URL, {"q": "Haarr"})

    html = page_text(response)
    assert "Violence against women in Cambodia" in html
    assert "Labour trafficking in Thailand" not in html


def test_list_shows_publication_month_as_month_and_year(admin_client, make_study):
    make_study(month=datetime.date(2018, 5, 1))

    assert "May 2018" in page_text(admin_client.get(CHANGELIST_URL))


def test_year_filter_lists_years_with_studies_and_filters(admin_client, make_study):
    make_study("Study of 2016", month=datetime.date(2016, 3, 1))
    make_study("Study of 2018", month=datetime.date(2018, 5, 1))

    response = admin_client.get(CHANGELIST_URL, {"year": "2016"})

    html = page_text(response)
    assert "?year=2018" in html
    assert "?year=2017" not in html
    assert "Study of 2016" in html
    assert "Study of 2018" not in html


def test_list_query_count_does_not_grow_with_studies(admin_client, make_study, make_author):
    authors = [make_author("Robin Haarr", kind="person"), make_author("IJM")]

    def add_studies(n):
        for _ in range(n):
            make_study(authors=authors, countries=["KH", "PH"], types=["a-type", "b-type"])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST_URL).status_code == 200
        return len(queries)

    add_studies(3)
    admin_client.get(CHANGELIST_URL)  # warm the session and the content-type cache
    with_three = count_queries()
    add_studies(27)

    assert count_queries() == with_three


# --- Vocabularies ------------------------------------------------------------------------------


def test_country_code_is_saved_upper_case(admin_client):
    response = admin_client.post(
        "/admin/studies/country/add/", {"code": "kh", "name": "Cambodia", "aliases": ""}
    )

    assert response.status_code == 302, response.context["errors"]
    assert Country.objects.get(name="Cambodia").code == "KH"


def test_subject_list_counts_studies(admin_client, make_study, subject):
    make_study(subject=subject)
    make_study(subject=subject)

    response = admin_client.get("/admin/studies/subject/")

    assert '<td class="field-study_count">2</td>' in page_text(response)


def test_unfiltered_list_of_a_large_table_is_not_counted_row_by_row(
    admin_client, make_study, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studies.admin import EstimatedCountPaginator

    make_study("Only study")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE studies_study")  # the statistics the estimate reads
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", -1)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST_URL)
    assert response.status_code == 200
    assert not [q for q in queries if 'COUNT(*) AS "__count" FROM "studies_study"' in q["sql"]]
    assert "Only study" in response.content.decode()


def test_small_filtered_list_is_counted_exactly(admin_client, make_study):
    make_study("Published one")
    make_study("Draft one", status="draft")
    response = admin_client.get(CHANGELIST_URL, {"status__exact": "draft"})
    assert response.context["cl"].result_count == 1


def test_large_list_filtered_on_its_own_columns_is_numbered_from_the_planner_estimate(
    admin_client, make_study, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studies.admin import EstimatedCountPaginator

    make_study("Published one")
    make_study("Draft one", status="draft")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE studies_study")
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", -1)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST_URL, {"status__exact": "draft"})
    assert response.status_code == 200
    assert not [q for q in queries if 'COUNT(*) AS "__count" FROM "studies_study"' in q["sql"]]
    assert "Draft one" in response.content.decode()
    assert "Published one" not in response.content.decode()


def test_list_filtered_through_a_join_is_counted_exactly(admin_client, make_study, monkeypatch):
    from studies.admin import EstimatedCountPaginator

    uganda = make_study("In Uganda", countries=["UG"])
    make_study("Elsewhere", countries=["KH"])
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", -1)
    country = uganda.countries.get()
    response = admin_client.get(CHANGELIST_URL, {"countries__id__exact": country.pk})
    assert response.context["cl"].result_count == 1


# --- Without JavaScript, and with a screen reader ----------------------------------------------


def options_of(html: str, select_id: str) -> list[str]:
    """The labels of the options of <select id=select_id> (blank ones left out)."""
    import re

    found = re.search(rf'<select [^>]*id="{select_id}".*?</select>', html, re.S)
    assert found, f"no <select id={select_id}>"
    select = found.group(0)
    return [
        label.strip()
        for label in re.findall(r"<option [^>]*>([^<]*)</option>", select)
        if label.strip()
    ]


def test_without_javascript_the_study_form_offers_every_country_type_and_author(
    admin_client, resource_type, make_author
):
    """The autocomplete fields are plain selects holding every choice, not only the chosen."""
    Country.objects.create(code="KH", name="Cambodia")
    Country.objects.create(code="UG", name="Uganda")
    make_author("Robin Haarr", kind=Author.Kind.PERSON)
    html = page_text(admin_client.get(ADD_URL))
    assert options_of(html, "id_countries") == ["Cambodia", "Uganda"]
    assert options_of(html, "id_resource_types") == [resource_type.name]
    assert "Robin Haarr" in options_of(html, "id_authorships-0-author")
    assert 'data-ajax--url="/admin/autocomplete/"' in html  # select2 still searches with JS


def test_a_long_vocabulary_lists_only_the_chosen_options(
    admin_client, make_study, make_author, monkeypatch
):
    """Thousands of authors would make a select no one scrolls: over the limit, the widget
    renders the chosen option only, as Django's autocomplete does."""
    from core.admin import NoScriptFallbackMixin

    monkeypatch.setattr(NoScriptFallbackMixin, "fallback_limit", 2)
    chosen = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    make_author("IJM")
    make_author("UNICEF")
    study = make_study(authors=[chosen])
    html = page_text(admin_client.get(change_url(study)))
    assert options_of(html, "id_authorships-0-author") == ["Robin Haarr"]


def test_each_input_of_an_author_row_is_named_for_screen_readers(admin_client, db):
    html = page_text(admin_client.get(ADD_URL))
    assert 'aria-label="Position, row 1"' in html
    assert 'aria-label="Author, row 2"' in html
    assert 'aria-label="PDF file"' in html  # the file input, under a <legend>
    assert "js/admin-autocomplete-labels.js" in html  # names select2's parts


def test_the_title_is_shown_whole_and_kept_on_one_line(admin_client, study_data):
    assert '<textarea name="title" cols="40" rows="2"' in page_text(admin_client.get(ADD_URL))
    response = admin_client.post(ADD_URL, study_data(title="Labour Trafficking\r\nin Cambodia "))
    assert response.status_code == 302, response.context["errors"]
    assert Study.objects.get(slug="ijm-cambodia").title == "Labour Trafficking in Cambodia"
