"""Facet counts and their cache: counted once per combination of filters, never stale."""

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from studies.facets import StudyFacets
from studies.filters import StudyFilterSet
from studies.models import Country, Study


def facets_for(query: str) -> StudyFacets:
    return StudyFacets(StudyFilterSet(QueryDict(query), queryset=Study.objects.published()))


def country_counts(facets: StudyFacets) -> dict[str, int]:
    return {option.value: option.count for option in facets.options["country"]}


def test_other_orders_of_the_same_filters_reuse_the_counts(library):
    assert facets_for("country=KH&sort=newest").counts["country"]["KH"] == 3
    other_order = facets_for("country=kh&sort=title")
    other_order.filterset.form.is_valid()  # reads the country vocabulary
    with CaptureQueriesContext(connection) as queries:
        counts = other_order.counts
    assert len(queries) == 1, "only the library version is read"
    assert counts["country"]["KH"] == 3


def test_different_filters_are_counted_apart(library):
    assert country_counts(facets_for("year_from=2015"))["KH"] == 2
    assert country_counts(facets_for("year_from=2014"))["KH"] == 2
    assert country_counts(facets_for("year_to=2014"))["KH"] == 1


def test_a_new_study_is_counted_at_once(library, make_study):
    assert country_counts(facets_for("subject=land-theft"))["UG"] == 1
    land = Study.objects.get(title="Uganda widows").subject
    make_study("Uganda widows again", countries=["UG"], subject=land)
    assert country_counts(facets_for("subject=land-theft"))["UG"] == 2


def labels(facets: StudyFacets) -> dict[str, str]:
    return {option.value: option.label for option in facets.options["country"]}


def test_the_vocabularies_are_read_once_until_the_library_changes(library):
    name = Country.objects.get(code="KH").name
    assert labels(facets_for("year_from=2015"))["KH"] == name
    other_filters = facets_for("year_to=2014")
    other_filters.counts  # noqa: B018  # counting is another test's business
    with CaptureQueriesContext(connection) as queries:
        names = labels(other_filters)
    assert names["KH"] == name
    assert len(queries) == 1, "only the authors counted are named (they differ per filter)"


def test_a_renamed_country_shows_its_new_name_at_once(library):
    assert labels(facets_for(""))["KH"] == Country.objects.get(code="KH").name
    Country.objects.filter(code="KH").update(name="Kingdom of Cambodia")
    assert labels(facets_for(""))["KH"] == "Kingdom of Cambodia"
