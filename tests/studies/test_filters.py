"""The study filter set on its own: what it understood, and what it ignored, before any query."""

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from studies.filters import StudyFilterSet
from studies.models import Study


def filterset_for(query: str) -> StudyFilterSet:
    return StudyFilterSet(QueryDict(query), queryset=Study.objects.published())


def test_notices_are_complete_before_the_matches_are_read(library):
    filterset = filterset_for("country=zz&year_from=abc&year_to=2010&from=2012-01&q=" + "x" * 300)
    notices = filterset.notices
    assert not hasattr(filterset, "_sorted_qs"), "reading notices must not build the matches"
    assert notices == [
        "Your search was 300 characters long; only the first 200 were used.",
        "Ignored year from “abc”: is not a year.",
        "Ignored unknown country “ZZ”: no such country in the library.",
        "The dates start (January 2012) after they end (December 2010): nothing can match.",
    ]


def test_reading_notices_twice_runs_no_more_queries(library):
    filterset = filterset_for("country=zz&subject=nowhere")
    first = filterset.notices
    with CaptureQueriesContext(connection) as queries:
        assert filterset.notices == first
    assert len(queries) == 0


def test_well_formed_parameters_give_no_notice(library):
    assert filterset_for("country=kh&year_from=2013&q=cambodia").notices == []
