"""The read-only public JSON API: the study list (with the filters of /studies/) and each study.

Plain function views returning `JsonResponse`: the API is small and read-only, so a framework would
cost more than it saves. The list reuses `StudyFilterSet`, so a filter added to the HTML list is in
the API the same day (the OpenAPI document below must then name it: a test compares the two).

Unlike the HTML pages, which forgive bad input and say what they ignored, the API answers 400 with
every problem listed. A program cannot read a notice, and a silently dropped filter returns
plausible but wrong data. Every response may be read from any origin: the data is public. Every
answer under /api/ is JSON, errors included: 404 for an unknown address (whatever DEBUG says),
405 for a method other than GET, HEAD and OPTIONS.

The OpenAPI document is written by hand, below; tests keep it true (tests/studies/test_api.py
compares its parameters and limits with the filter set's, and schemathesis sends the app requests
made up from it and checks every answer against it: tests/studies/test_api_schemathesis.py).
"""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from core.filters import ValueListFilter
from justicelib.site import absolute_url

from .filters import MAX_QUERY_LENGTH, SORT_CHOICES, StudyFilterSet
from .models import SLUG_PATTERN, Author, Study, StudyFile, url_for_slug

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_PARAMETERS = ["page", "page_size"]
# Facet filters take several values (OR); a second value of any other parameter would be dropped.
REPEATABLE_PARAMETERS = frozenset(
    name
    for name, field in StudyFilterSet.base_filters.items()
    if isinstance(field, ValueListFilter)
)
NO_SUCH_STUDY = "No published study with this slug."
NOTHING_HERE = "There is nothing at this address."  # as justicelib.views.page_not_found says
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY = "The API is read-only: it answers GET, HEAD and OPTIONS."


# --- views ------------------------------------------------------------------------------------
def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer GET and HEAD with `view`, OPTIONS with the methods allowed, anything else 405.

    CSRF protection is off for these views: they never write, and a POST would otherwise meet
    Django's HTML 403 (no CSRF cookie) before reaching the 405 an API client can read. OPTIONS
    also answers a browser's CORS preflight: the data may be read from any origin.
    """

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
            response.headers["Access-Control-Max-Age"] = "86400"
        else:
            response = api_response({"errors": [READ_ONLY]}, status=405)
        response.headers["Allow"] = ", ".join(ALLOWED_METHODS)
        return response

    return csrf_exempt(answer)


@read_only
def study_list(request: HttpRequest) -> JsonResponse:
    params, query_errors = without_overlong_query(request.GET)
    filterset = StudyFilterSet(params, queryset=Study.objects.published())
    page_number, page_size, page_errors = page_request(request.GET)
    errors = [
        *parameter_errors(request.GET),
        *query_errors,
        *filterset.notices,
        *page_errors,
    ]
    if errors:
        return api_response({"errors": errors}, status=400)

    paginator = Paginator(filterset.qs.for_listing().with_files(), page_size)
    if page_number > paginator.num_pages:
        last = paginator.num_pages
        message = f"There is no page {page_number:,}; the last page is {last}."
        return api_response({"errors": [message]}, status=400)
    page = paginator.page(page_number)
    return api_response(
        {
            "count": paginator.count,
            "page": page.number,
            "page_size": page_size,
            "num_pages": paginator.num_pages,
            "next": page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "results": [study_json(study, request) for study in page.object_list],
        }
    )


@read_only
def study_detail(request: HttpRequest, slug: str) -> JsonResponse:
    # The URL takes any slug, well-formed or not (“é”, “a b”), so every unknown one gets this
    # answer rather than the site's 404.
    study = Study.objects.published().for_listing().with_files().filter(slug=slug).first()
    if study is None:
        return api_response({"errors": [NO_SUCH_STUDY]}, status=404)
    return api_response(study_json(study, request))


@read_only
def openapi(request: HttpRequest) -> JsonResponse:
    return api_response(OPENAPI)


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /api/: a JSON 404, whatever the method and whatever DEBUG says.

    Taking every address means Django's APPEND_SLASH never sees an unresolved one, so this view
    redirects `/api/studies` to `/api/studies/` itself, as Django would.
    """
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return api_response({"errors": [NOTHING_HERE]}, status=404)


# --- reading the request ------------------------------------------------------------------------
def page_request(params: QueryDict) -> tuple[int, int, list[str]]:
    """The requested page number and page size (defaults when absent), and what is wrong with them.

    Whether the page exists is only known once the matches are counted; the view checks that.
    """
    errors: list[str] = []
    page_number = whole_number(params, "page", default=1, errors=errors)
    page_size = whole_number(
        params, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE, errors=errors
    )
    return page_number, page_size, errors


def whole_number(
    params: QueryDict, name: str, *, default: int, errors: list[str], maximum: int | None = None
) -> int:
    """The parameter as a number from 1 to `maximum`; on bad input, `default` and an error added.

    Only ASCII digits count: `int()` would also take “١٢”, “1_000” and a 5,000-digit number.
    """
    raw = params.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"-?[0-9]+", raw):
        errors.append(f"{name} “{shorten(raw)}” is not a whole number.")
        return default
    if len(raw) > 12:
        errors.append(f"{name} “{shorten(raw)}” is far too large.")
        return default
    value = int(raw)
    if value < 1:
        errors.append(f"{name} must be 1 or more, not {value}.")
        return default
    if maximum is not None and value > maximum:
        errors.append(f"{name} must be at most {maximum}, not {value:,}.")
        return default
    return value


def parameter_errors(params: QueryDict) -> list[str]:
    """Parameters the API does not know, empty ones, and single-valued ones given twice.

    A misspelt filter (`?contry=KH`) would otherwise return every study as if it had worked,
    and so would an empty one (`?country=`, a program's unfilled variable).
    """
    known = [*StudyFilterSet.base_filters, *PAGE_PARAMETERS]
    errors = []
    for name, values in params.lists():
        if name not in known:
            errors.append(
                f"Unknown parameter “{shorten(name)}”; the parameters are: {', '.join(known)}."
            )
            continue
        if name not in REPEATABLE_PARAMETERS and len(values) > 1:
            errors.append(f"{name} may be given only once.")
        if any(is_empty(value, repeatable=name in REPEATABLE_PARAMETERS) for value in values):
            errors.append(f"{name} is empty: give it a value, or leave the parameter out.")
    return errors


def is_empty(value: str, *, repeatable: bool) -> bool:
    """Nothing but spaces (and, in a comma-separated list of values, commas)."""
    return (value.replace(",", "") if repeatable else value).strip() == ""


def without_overlong_query(params: QueryDict) -> tuple[QueryDict, list[str]]:
    """`params` without a search longer than the API takes, and the error saying so.

    The filter set would shorten it and say so, which is true of the HTML list but not here: the
    API answers 400 and searches nothing.
    """
    query = params.get("q", "")
    if len(query) <= MAX_QUERY_LENGTH:
        return params, []
    params = params.copy()
    del params["q"]
    return params, [
        f"q is {len(query):,} characters long; a search may be at most "
        f"{MAX_QUERY_LENGTH} characters."
    ]


def shorten(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "…"


# --- writing the response -----------------------------------------------------------------------
def api_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def page_url(request: HttpRequest, number: int) -> str:
    """This request's absolute URL, every filter kept, on page `number`."""
    params = request.GET.copy()
    params["page"] = str(number)
    return absolute_url(f"{request.path}?{params.urlencode()}")


def author_json(author: Author) -> dict[str, Any]:
    return {
        "name": author.name,
        "kind": author.kind,
        "slug": author.slug,
        "identifier": author.identifier_url or None,
    }


def study_json(study: Study, request: HttpRequest) -> dict[str, Any]:
    """A study as the API shows it; `study` comes from `for_listing()`, so this runs no query."""
    month = study.publication_month
    download_url = study.download_url
    return {
        "slug": study.slug,
        "url": absolute_url(study.get_absolute_url()),
        "api_url": absolute_url(url_for_slug("api:study_detail", study.slug)),
        "title": study.title,
        "short_title": study.short_title,
        "description": study.description,
        "authors": [author_json(authorship.author) for authorship in study.authorships.all()],
        "publisher": author_json(study.publisher) if study.publisher is not None else None,
        "citation_key": study.citation_key or study.slug,
        "language": study.language,
        "rights": study.rights,
        "license_url": study.license_url or None,
        "resource_types": [
            {"slug": resource_type.slug, "name": resource_type.name}
            for resource_type in study.resource_types.all()
        ],
        "publication_month": f"{month.year:04}-{month.month:02}",
        "countries": [
            {"code": country.code, "name": country.name} for country in study.countries.all()
        ],
        "multiple_countries": study.covers_multiple_countries,
        "subject": {"slug": study.subject.slug, "name": study.subject.name},
        "download_url": absolute_url(download_url) if download_url else None,
        "files": [file_json(study, study_file) for study_file in study.files.all()],
        "updated_at": study.updated_at.isoformat(),
    }


def file_json(study: Study, study_file: StudyFile) -> dict[str, Any]:
    """One of a study's files; pages, size and checksum are null until it is processed."""
    # The study is the one the files were prefetched for: no query for its slug.
    study_file.study = study
    return {
        "label": study_file.label,
        "language": study_file.language or study.language,
        "is_main": study_file.is_main,
        "url": absolute_url(study_file.url),
        "pages": study_file.pages,
        "size_bytes": study_file.size_bytes,
        "sha256": study_file.sha256 or None,
        "has_text_layer": study_file.has_text_layer,
        "preview_url": absolute_url(study_file.preview_url) if study_file.preview else None,
    }


# --- the OpenAPI 3.1 document -------------------------------------------------------------------
# Written by hand, beside the views it describes. Keep it in step with them: tests check that it is
# a valid OpenAPI document, that it names every filter of `StudyFilterSet`, and that real responses
# match its schemas (which forbid undocumented fields).


def _repeatable(name: str, description: str, example: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description
        + " Repeat the parameter (or separate values with commas) for any of several values.",
        "style": "form",
        "explode": True,
        # Each value must hold more than commas and spaces: an empty one is a 400.
        "schema": {"type": "array", "items": {"type": "string", "pattern": "[^,\\s]"}},
        "example": example,
    }


def _year(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "integer", "minimum": 1900, "maximum": 2100},
    }


def _month(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "pattern": MONTH_PATTERN, "examples": ["2014-03"]},
    }


# A month from January 1900 on, as `studies.filters.MonthField` reads it: YYYY-M or YYYY-MM.
MONTH_PATTERN = "^(19[0-9]{2}|[2-9][0-9]{3})-(0?[1-9]|1[0-2])$"
# What `q` searches: the parts of a study's search document (`studies_search_document` in
# studies/sql/search.sql), in its order of weight. tests/studies/test_api.py finds a study by a
# word in each of them, and checks that the description below names them all.
SEARCHED_FIELDS = [
    "title",
    "short title",
    "authors' names (and their other names)",
    "subject",
    "countries (and their other names)",
    "description",
    "the text of the study's files",
]
QUERY_DESCRIPTION = (
    "Words that must all match (websearch syntax: `or` between two words for either, "
    '`"…"` for a phrase, `-word` to leave out). Searched: '
    + ", ".join(SEARCHED_FIELDS)
    + "; a title match ranks first. A word also finds longer words that start with it "
    "(`traffick` finds trafficking) and other forms of it (English stemming), ignoring case "
    "and accents, and the spellings and acronyms the library keeps as its synonyms (`labor` "
    "finds labour, `OSEC` finds online sexual exploitation of children)."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Errors")}}}


# justicelib/views.py answers this while the database is unreachable.
_UNAVAILABLE = _errors_response(
    "The library is briefly unavailable (its database cannot be reached); the Retry-After "
    "header says when to try again."
)

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "JusticeLib API",
        "version": "1.0.0",
        "description": (
            "Read-only access to the published studies of the JusticeLib library: every "
            "address answers GET, HEAD and OPTIONS, and any other method with 405. Responses "
            "may be read from any origin. Malformed, empty or unknown parameters are never "
            "ignored: the answer is 400 with every problem listed (leave out a filter you do "
            "not want, rather than sending it empty)."
        ),
    },
    "paths": {
        "/api/studies/": {
            "get": {
                "operationId": "listStudies",
                "summary": "Published studies, filtered, sorted and paginated",
                "description": (
                    "The filters of the /studies/ page. Values of one filter are ORed; different "
                    "filters are ANDed."
                ),
                "parameters": [
                    _repeatable(
                        "country",
                        "ISO 3166-1 alpha-2 code, any case; `multiple` for studies covering "
                        "several countries.",
                        ["KH", "ph"],
                    ),
                    _repeatable("subject", "Subject slug.", ["land-theft"]),
                    _repeatable("type", "Resource type slug.", ["program-evaluation"]),
                    _repeatable("author", "Author slug.", ["international-justice-mission"]),
                    _year("year_from", "Published in this year or later."),
                    _year("year_to", "Published in this year or earlier."),
                    _month(
                        "from",
                        "Published in this month or later (with `year_from`, the later applies).",
                    ),
                    _month(
                        "to",
                        "Published in this month or earlier (with `year_to`, the earlier applies).",
                    ),
                    {
                        "name": "has_full_text",
                        "in": "query",
                        "description": (
                            "`1`: only studies with at least one file whose text was extracted "
                            "(a scanned file without a text layer does not count)."
                        ),
                        "schema": {"type": "string", "enum": ["1"]},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "description": QUERY_DESCRIPTION,
                        # More than spaces: an empty search is a 400, like any empty parameter.
                        "schema": {
                            "type": "string",
                            "maxLength": MAX_QUERY_LENGTH,
                            "pattern": "\\S",
                        },
                    },
                    {
                        "name": "sort",
                        "in": "query",
                        "description": (
                            "Order of the results. The default is `relevance` with a search "
                            "(`q`) and `newest` without one, where `relevance` means `newest`."
                        ),
                        "schema": {"type": "string", "enum": [value for value, _ in SORT_CHOICES]},
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "description": "Page number, from 1; a page past the last one is a 400.",
                        "schema": {"type": "integer", "minimum": 1, "default": 1},
                    },
                    {
                        "name": "page_size",
                        "in": "query",
                        "description": "Studies per page.",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_PAGE_SIZE,
                            "default": DEFAULT_PAGE_SIZE,
                        },
                    },
                ],
                "responses": {
                    "200": {
                        "description": "One page of matching studies.",
                        "content": {"application/json": {"schema": _ref("StudyPage")}},
                    },
                    "400": _errors_response(
                        "A parameter is unknown, repeated, empty, malformed or names nothing in "
                        "the library, the dates leave nothing to match, or the page does not "
                        "exist."
                    ),
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/api/studies/{slug}/": {
            "get": {
                "operationId": "getStudy",
                "summary": "One published study",
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "description": "The study's slug, as in its page address.",
                        "schema": {"type": "string", "pattern": SLUG_PATTERN},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The study.",
                        "content": {"application/json": {"schema": _ref("Study")}},
                    },
                    "404": _errors_response(NO_SUCH_STUDY),
                    "503": _UNAVAILABLE,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Study": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "slug",
                    "url",
                    "api_url",
                    "title",
                    "short_title",
                    "description",
                    "authors",
                    "publisher",
                    "citation_key",
                    "language",
                    "rights",
                    "license_url",
                    "resource_types",
                    "publication_month",
                    "countries",
                    "multiple_countries",
                    "subject",
                    "download_url",
                    "files",
                    "updated_at",
                ],
                "properties": {
                    "slug": {"type": "string"},
                    "url": {"type": "string", "format": "uri", "description": "The HTML page."},
                    "api_url": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "short_title": {"type": "string", "description": "Empty when there is none."},
                    "description": {"type": "string"},
                    "authors": {
                        "type": "array",
                        "description": "In the order the study credits them.",
                        "items": _ref("Author"),
                    },
                    "publisher": {
                        "oneOf": [_ref("Author"), {"type": "null"}],
                        "description": "The organisation that issued the study, or null.",
                    },
                    "citation_key": {
                        "type": "string",
                        "description": "The study's BibTeX key, the same in every export.",
                        "examples": ["ijm2023scale"],
                    },
                    "language": {
                        "type": "string",
                        "description": "BCP 47 language tag.",
                        "examples": ["en"],
                    },
                    "rights": {
                        "type": "string",
                        "description": "Rights or licence statement; empty when none is known.",
                    },
                    "license_url": {"type": ["string", "null"], "format": "uri"},
                    "resource_types": {"type": "array", "items": _ref("Term")},
                    "publication_month": {
                        "type": "string",
                        "pattern": "^[0-9]{4}-[0-9]{2}$",
                        "examples": ["2018-05"],
                    },
                    "countries": {"type": "array", "items": _ref("Country")},
                    "multiple_countries": {
                        "type": "boolean",
                        "description": "The study covers several countries.",
                    },
                    "subject": _ref("Term"),
                    "download_url": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "The PDF, or null when none is online.",
                    },
                    "files": {
                        "type": "array",
                        "description": "The study's PDFs in order (the main file is_main).",
                        "items": _ref("StudyFile"),
                    },
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "StudyFile": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "label",
                    "language",
                    "is_main",
                    "url",
                    "pages",
                    "size_bytes",
                    "sha256",
                    "has_text_layer",
                    "preview_url",
                ],
                "properties": {
                    "label": {"type": "string", "examples": ["Full report"]},
                    "language": {"type": "string", "examples": ["en"]},
                    "is_main": {"type": "boolean"},
                    "url": {"type": "string", "format": "uri"},
                    "pages": {"type": ["integer", "null"], "minimum": 1},
                    "size_bytes": {"type": ["integer", "null"], "minimum": 0},
                    "sha256": {
                        "type": ["string", "null"],
                        "pattern": "^[0-9a-f]{64}$",
                        "description": "The file's SHA-256 checksum (hex), null until processed.",
                    },
                    "has_text_layer": {
                        "type": ["boolean", "null"],
                        "description": "False for a scan without text; null until processed.",
                    },
                    "preview_url": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "A WebP image of the first page.",
                    },
                },
            },
            "StudyPage": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "count",
                    "page",
                    "page_size",
                    "num_pages",
                    "next",
                    "previous",
                    "results",
                ],
                "properties": {
                    "count": {"type": "integer", "minimum": 0, "description": "All matches."},
                    "page": {"type": "integer", "minimum": 1},
                    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                    "num_pages": {"type": "integer", "minimum": 1},
                    "next": {"type": ["string", "null"], "format": "uri"},
                    "previous": {"type": ["string", "null"], "format": "uri"},
                    "results": {"type": "array", "items": _ref("Study")},
                },
            },
            "Author": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "kind", "slug", "identifier"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": list(Author.Kind.values)},
                    "slug": {"type": "string"},
                    "identifier": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "ORCID iD of a person or ROR id of an organisation, as "
                        "an address; null when none is recorded.",
                    },
                },
            },
            "Country": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "name"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "name": {"type": "string"},
                },
            },
            "Term": {
                "type": "object",
                "description": "A subject or resource type.",
                "additionalProperties": False,
                "required": ["slug", "name"],
                "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
            },
            "Errors": {
                "type": "object",
                "additionalProperties": False,
                "required": ["errors"],
                "properties": {
                    "errors": {"type": "array", "items": {"type": "string"}, "minItems": 1}
                },
            },
        }
    },
}
