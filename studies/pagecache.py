"""Whole pages of the study list, cached for visitors until the library changes.

Traffic repeats itself: the same popular filters are asked for again and again (the benchmark's
Zipf mix). A list page costs 10–300 ms to build and a few KB to keep, so visitors' copies are
kept in the cache, keyed by the library version (`LibraryVersion`, which database triggers bump
in the same transaction as every write a list page reads), the language and the exact URL: a
curator's save makes every cached page old at once, with nothing to invalidate by hand.

Only what the view itself makes is cached: the middleware (security headers, the CSP, the
language's headers) runs on every response, cached or not. Signed-in people (a session cookie)
always get a page made for them.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import LibraryVersion

CachedPage = tuple[int, list[tuple[str, str]], bytes]


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not cacheable_request(request):
            return view(request, *args, **kwargs)
        version = LibraryVersion.current()
        key = page_key(request, version)
        cached: CachedPage | None = cache.get(key)
        if cached is not None:
            return from_cache(cached)
        # The page's parts (the cached facet counts) are keyed by the version read here.
        with LibraryVersion.pinned(version):
            response = view(request, *args, **kwargs)
        if cacheable_response(request, response):
            cache.set(key, to_cache(response), timeout=settings.PAGE_CACHE_SECONDS)
        return response

    return cached_view


def cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    # Not a redirect, an error or a stream; nothing that sets a cookie or a CSRF token.
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def page_key(request: HttpRequest, version: int) -> str:
    url = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"page:{version}:{translation.get_language()}:{url}"


def to_cache(response: HttpResponse) -> CachedPage:
    return response.status_code, list(response.headers.items()), response.content


def from_cache(cached: CachedPage) -> HttpResponse:
    status, headers, content = cached
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    return response
