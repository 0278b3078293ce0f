"""The site's own address (settings.SITE_URL), for every absolute URL it hands out.

Absolute URLs are made from SITE_URL rather than from the request, so that they are the same
whichever host name or proxy a request came through, and a forged Host header changes nothing.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap


def site_root() -> str:
    """“https://evidence.example.org/”: the base that relative addresses are joined to."""
    return settings.SITE_URL.rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """`path` (“/studies/x/”) as an absolute URL on this site; an absolute URL is kept."""
    return urljoin(site_root(), path)


def site_host() -> str:
    """The host name of SITE_URL, without port: “evidence.example.org”."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


class SiteSitemap(Sitemap):
    """A sitemap whose addresses start with SITE_URL, not with the request's host."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc
