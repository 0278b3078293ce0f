"""The read-only public JSON API: the study list (with the filters of /studies/) and each study.

Plain function views returning `JsonResponse`: the API is small and read-only, so a framework would
cost more than it saves. The list reuses `StudyFilterSet`, so a filter added to the HTML list is in
the API the same day (the OpenAPI document below must then name it: a test compares the two).

Unlike the HTML pages, which forgive bad input and say what they ignored, the API answers 400 with
every problem listed. A program cannot read a notice, and a silently dropped filter returns
plausible but wrong data. Every response may be read from any origin: the data is public.
"""

import re
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse, QueryDict
from django.views.decorators.http import require_safe

from core.filters import ValueListFilter

from .filters import MAX_QUERY_LENGTH, SORT_CHOICES, StudyFilterSet
from .models import Author, Study, url_for_slug

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


# --- views ------------------------------------------------------------------------------------
@require_safe
def study_list(request: HttpRequest) -> JsonResponse:
    filterset = StudyFilterSet(request.GET, queryset=Study.objects.published())
    page_number, page_size, page_errors = page_request(request.GET)
    errors = [*parameter_errors(request.GET), *filterset.notices, *page_errors]
    if errors:
        return api_response({"errors": errors}, status=400)

    paginator = Paginator(filterset.qs.for_listing(), page_size)
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


@require_safe
def study_detail(request: HttpRequest, slug: str) -> JsonResponse:
    study = Study.objects.published().for_listing().filter(slug=slug).first()
    if study is None:
        return api_response({"errors": [NO_SUCH_STUDY]}, status=404)
    return api_response(study_json(study, request))


@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    return api_response(OPENAPI)


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
    """Parameters the API does not know, and single-valued ones given more than once.

    A misspelt filter (`?contry=KH`) would otherwise return every study as if it had worked.
    """
    known = [*StudyFilterSet.base_filters, *PAGE_PARAMETERS]
    errors = []
    for name in params:
        if name not in known:
            errors.append(
                f"Unknown parameter “{shorten(name)}”; the parameters are: {', '.join(known)}."
            )
        elif name not in REPEATABLE_PARAMETERS and len(params.getlist(name)) > 1:
            errors.append(f"{name} may be given only once.")
    return errors


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
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def study_json(study: Study, request: HttpRequest) -> dict[str, Any]:
    """A study as the API shows it; `study` comes from `for_listing()`, so this runs no query."""
    month = study.publication_month
    download_url = study.download_url
    return {
        "slug": study.slug,
        "url": request.build_absolute_uri(study.get_absolute_url()),
        "api_url": request.build_absolute_uri(url_for_slug("api:study_detail", study.slug)),
        "title": study.title,
        "short_title": study.short_title,
        "description": study.description,
        "authors": [
            {
                "name": authorship.author.name,
                "kind": authorship.author.kind,
                "slug": authorship.author.slug,
            }
            for authorship in study.authorships.all()
        ],
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
        "download_url": request.build_absolute_uri(download_url) if download_url else None,
        "updated_at": study.updated_at.isoformat(),
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
        "schema": {"type": "array", "items": {"type": "string"}},
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
        "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{1,2}$", "examples": ["2014-03"]},
    }


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
            "Read-only access to the published studies of the JusticeLib library. Responses may "
            "be read from any origin. Malformed or unknown parameters are never ignored: the "
            "answer is 400 with every problem listed."
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
                        "name": "q",
                        "in": "query",
                        "description": (
                            "Words that must all appear in the title, short title, description "
                            "or an author's name."
                        ),
                        "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
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
                        "A parameter is unknown, repeated, malformed or names nothing in the "
                        "library, or the page does not exist."
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
                        "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
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
                    "resource_types",
                    "publication_month",
                    "countries",
                    "multiple_countries",
                    "subject",
                    "download_url",
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
                    "updated_at": {"type": "string", "format": "date-time"},
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
                "required": ["name", "kind", "slug"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": list(Author.Kind.values)},
                    "slug": {"type": "string"},
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
