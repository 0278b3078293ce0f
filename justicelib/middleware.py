"""Middleware of the site as a whole."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import database_unavailable, unavailable


class DatabaseUnavailableMiddleware:
    """A database outage met by a view answers 503 (HTML, or JSON under /api/), not a 500.

    Nothing else is needed to recover: once the database is back, the next request opens a new
    connection (CONN_HEALTH_CHECKS drops a broken persistent one first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return unavailable(request, exception)
        return None
