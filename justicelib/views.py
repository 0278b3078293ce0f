"""The site's error pages: 404, 500 and the 503 of a database outage, as HTML or, under /api/, JSON.

None of them touches the database: the 503 page exists because the database is gone, and the 500
page may be why. They extend the site layout, which needs no request context (Django renders
500.html with an empty context).
"""

import sys
from typing import TypeIs

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.log import log_response
from django.utils.translation import gettext
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def database_unavailable(
    error: BaseException | None,
) -> TypeIs[OperationalError | InterfaceError]:
    """Whether `error` says the database cannot be reached or used right now (not a bug of ours).

    Django wraps psycopg's errors: a refused or dropped connection is an OperationalError, a
    connection closed under us an InterfaceError. Rules the database enforces (constraints,
    triggers) raise IntegrityError or InternalError and stay ordinary errors.
    """
    return isinstance(error, OperationalError | InterfaceError)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_error(message: str, status: int) -> JsonResponse:
    """The API's error shape (`{"errors": [...]}`, as in /api/openapi.json), for any origin."""
    response = JsonResponse(
        {"errors": [message]}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After, logged once: the library is back as soon as the database is.

    One WARNING line per request names the path and the database's own message. The traceback is
    left out: it says nothing an outage doesn't, and an outage repeats it for every request.
    log_response marks the response as logged, so Django's request logger does not log it again
    as an ERROR with the traceback.
    """
    message = gettext("The library is briefly unavailable. Please try again in a minute.")
    response: HttpResponse
    if is_api(request):
        response = api_error(message, status=503)
    else:
        # No request: context processors would build lazy objects that a template might query.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    log_response(
        "Database unavailable (%s: %s): %s",
        type(error).__name__,
        " ".join(str(error).split())[:300],
        request.path,
        response=response,
        request=request,
        level="warning",
    )
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(gettext("There is nothing at this address."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or the 503 page when the error is the database's.

    DatabaseUnavailableMiddleware answers outages met by views; this catches the rest (a
    middleware saving the session, for instance). Django calls the handler while it handles the
    exception, so sys.exception() is that exception.
    """
    error = sys.exception()
    if database_unavailable(error):
        return unavailable(request, error)
    if is_api(request):
        return api_error(gettext("Something went wrong on our side."), status=500)
    return defaults.server_error(request)
