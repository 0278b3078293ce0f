"""Which language a request is answered in.

Public pages carry it in their address: English unprefixed (every English URL stays as it was),
Spanish under /es/ (`i18n_patterns` in justicelib/urls.py), so each language version has its own
URL for links, caches and search engines' `hreflang`. The admin has no prefix and follows the
curator's browser (Accept-Language, or Django's language cookie). The API, OAI-PMH, sitemap and
robots.txt have no prefix and stay in English; exports, feeds and citation files, which Spanish
pages link under /es/, are data too and answer in English there (`data_in_english`).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware import locale
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .site import absolute_url


def follows_browser(request: HttpRequest) -> bool:
    """Whether this request's language comes from the browser rather than the URL: the admin."""
    return request.path_info.startswith(reverse("admin:index"))


def data_in_english(view):
    """Marks a view whose response is data (an export, a feed, a citation file): it answers in
    English and names English addresses even when reached under /es/, as the Spanish pages
    link to it there (`LocaleMiddleware.process_view`)."""
    view.data_in_english = True
    return view


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, but the admin follows the browser instead of defaulting to English, and data
    views answer in English wherever they are reached."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # After the view's URL has been resolved in the page's language; nothing switches back
        # before the response is sent, so a streamed export stays English to its last row.
        if getattr(view_func, "data_in_english", False):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_request(self, request: HttpRequest) -> None:
        if follows_browser(request):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if follows_browser(request):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        # A page's language is its URL's alone, so no Vary: Accept-Language (which Django adds
        # to unprefixed pages) that would split every cache by browser language.
        response.headers.setdefault(
            "Content-Language", translation.get_language() or settings.LANGUAGE_CODE
        )
        return response


# The namespaces of the pages that exist in every language (`i18n_patterns` in justicelib/urls.py).
TRANSLATED_NAMESPACES = {"studies", "evaluation"}


def language_alternates(request: HttpRequest) -> dict:
    """The current page in each language, for the `hreflang` links and the language switcher.

    Only pages that exist in every language have them (not the admin, nor an error page, whose
    address names nothing). Each URL keeps the query string, so a filtered list switches
    language with its filters; `x-default` is the English page.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in TRANSLATED_NAMESPACES:
        return {}
    current = request.get_full_path()
    alternates = [
        {
            "code": code,
            "name": name,
            "url": absolute_url(translate_url(current, code)),
            "path": translate_url(current, code),
            "current": code == translation.get_language(),
        }
        for code, name in settings.LANGUAGES
    ]
    return {"language_alternates": alternates}
