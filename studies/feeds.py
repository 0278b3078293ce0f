"""Atom feed of the newest published studies, optionally narrowed by the study list's filters.

`/studies/feed/?country=KH&subject=land-theft` follows exactly what `/studies/?country=KH&…` lists,
because both parse their parameters with `StudyFilterSet`. A feed is always newest first (a `sort`
parameter changes nothing) and holds at most `FEED_SIZE` studies.

A feed reader cannot show the list page's notices, so malformed or unknown filter values are a 400
that names them rather than a feed that quietly shows something else. Parameters the filterset does
not know (say `utm_source`, which aggregators append) are left alone.
"""

import datetime
import hashlib

from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from justicelib.site import absolute_url
from oai.models import DeletedStudy

from .filters import MULTIPLE_COUNTRIES, StudyFilterSet
from .models import Author, Country, ResourceType, Study, Subject

FEED_SIZE = 50
SITE_NAME = "JusticeLib"


class MalformedFeedParameters(Exception):
    def __init__(self, notices: list[str]):
        super().__init__(notices)
        self.notices = notices


class StudyAtom1Feed(Atom1Feed):
    """Atom with one `<author>` per author: Django's feeds allow a single author per entry."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item["author_names"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")


class StudyFeed(Feed):
    feed_type = StudyAtom1Feed
    # Entries without authors inherit the feed's (Atom requires one or the other).
    author_name = SITE_NAME

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = super().__call__(request, *args, **kwargs)
        except MalformedFeedParameters as error:
            text = "This feed's parameters could not be used:\n" + "\n".join(error.notices)
            return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
        return not_modified_or(request, response)

    def get_object(self, request: HttpRequest, *args, **kwargs) -> StudyFilterSet:
        filterset = StudyFilterSet(request.GET, queryset=Study.objects.published(), request=request)
        if filterset.notices:
            raise MalformedFeedParameters(filterset.notices)
        return filterset

    # --- the feed ----------------------------------------------------------------------------
    def title(self, filterset: StudyFilterSet) -> str:
        summary = filter_summary(filterset)
        return f"{SITE_NAME}: studies {summary}" if summary else f"{SITE_NAME}: newest studies"

    def subtitle(self, filterset: StudyFilterSet) -> str:
        scope = "matching these filters" if filterset.is_active() else "in the library"
        return f"The {FEED_SIZE} newest published studies {scope}, newest first."

    def link(self, filterset: StudyFilterSet) -> str:
        """The study list showing the same studies."""
        query = filterset.data.urlencode()
        return absolute_url(reverse("studies:list") + (f"?{query}" if query else ""))

    def feed_url(self, filterset: StudyFilterSet) -> str:
        # Django's default drops the query string, which is what makes a filtered feed filtered.
        return absolute_url(filterset.request.get_full_path())

    def items(self, filterset: StudyFilterSet):
        return filterset.qs.sorted_by("newest").for_listing()[:FEED_SIZE]

    # --- each study --------------------------------------------------------------------------
    def item_link(self, study: Study) -> str:
        return absolute_url(study.get_absolute_url())

    def item_title(self, study: Study) -> str:
        # Atom titles are text, escaped once by the XML writer (Django's default escapes twice).
        return study.title

    def item_description(self, study: Study) -> str:
        # Atom1Feed marks the summary as HTML: escape the plain text and keep its paragraphs.
        return linebreaks(study.description, autoescape=True)

    def item_pubdate(self, study: Study) -> datetime.datetime:
        return datetime.datetime.combine(
            study.publication_month, datetime.time.min, tzinfo=datetime.UTC
        )

    def item_updateddate(self, study: Study) -> datetime.datetime:
        return study.updated_at

    def item_categories(self, study: Study) -> list[str]:
        return [study.subject.name, *(kind.name for kind in study.resource_types.all())]

    def item_extra_kwargs(self, study: Study) -> dict:
        return {"author_names": [authorship.author.name for authorship in study.authorships.all()]}


def not_modified_or(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A 304 when the reader's copy is current (If-None-Match, or If-Modified-Since), else the
    feed with its validators.

    The ETag is the feed's own bytes, so any change (a study edited, added or withdrawn) gives a
    new one. Django dates the feed by its newest entry; a withdrawn study changes the feed too,
    so Last-Modified is the later of that and the latest withdrawal.
    """
    if response.status_code != 200:
        return response
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response.headers["ETag"] = etag
    newest_entry = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    withdrawn = DeletedStudy.objects.aggregate(last=Max("deleted_at"))["last"]
    moments = [
        *([int(withdrawn.timestamp())] if withdrawn else []),
        *([newest_entry] if newest_entry else []),
    ]
    last_modified = max(moments, default=None)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    # Given a response, Django returns it or a 304/412 in its place, never None.
    return get_conditional_response(  # type: ignore[return-value]
        request, etag=etag, last_modified=last_modified, response=response
    )


FILTER_WORDS: list[tuple[str, type[Country | Subject | ResourceType | Author], str, str]] = [
    # (filter, vocabulary, field the filter values are, words before the names)
    ("country", Country, "code", "in"),
    ("subject", Subject, "slug", "about"),
    ("type", ResourceType, "slug", "of type"),
    ("author", Author, "slug", "by"),
]


def filter_summary(filterset: StudyFilterSet) -> str:
    """The active filters in words, e.g. “in Cambodia or Philippines, about Land theft, from 2015”.

    One query per active facet, to name its values.
    """
    parts = []
    for name, vocabulary, field, words in FILTER_WORDS:
        values = filterset.selected(name)
        if not values:
            continue
        names = dict(
            vocabulary.objects.filter(**{f"{field}__in": values}).values_list(field, "name")
        )
        names[MULTIPLE_COUNTRIES.upper()] = "multiple countries"
        parts.append(f"{words} " + " or ".join(names.get(value, value) for value in values))
    if months := filterset.month_range():
        parts.append(f"published {months.describe()}")
    if filterset.cleaned("has_full_text"):
        parts.append("with full text")
    if query := filterset.cleaned("q"):
        parts.append(f"matching “{query}”")
    return ", ".join(parts)
