"""The site's URLs plus views that fail, for the error page tests (ROOT_URLCONF override)."""

from django.db import OperationalError
from django.urls import path

from justicelib.urls import handler404, handler500
from justicelib.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def broken_view(request):
    raise RuntimeError("a bug in a view: secret detail that must not reach the visitor")


def database_error_outside_views(request):
    # What a middleware saving the session meets when the database goes: DatabaseUnavailable-
    # Middleware never sees it, the 500 handler does.
    raise OperationalError("connection to server failed: No such file or directory")


urlpatterns = [
    path("test-broken/", broken_view),
    path("api/test-broken/", broken_view),
    path("test-database-error/", database_error_outside_views),
    *site_urlpatterns,
]
