"""The sitemap (/sitemap.xml): the pages search engines should index, with when they last changed.

`SITEMAPS` is the whole site's, passed to Django's sitemap view in `justicelib/urls.py`.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Study


class StaticSitemap(Sitemap):
    """Pages that always exist, by URL name."""

    def items(self) -> list[str]:
        return ["studies:home", "studies:list"]

    def location(self, url_name: str) -> str:
        return reverse(url_name)


class StudySitemap(Sitemap):
    """Every published study's page; `lastmod` lets crawlers skip the unchanged ones."""

    def items(self):
        # Ordered by slug so that the sitemap's pages (50,000 URLs each) are stable.
        return Study.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, study: Study):
        return study.updated_at


SITEMAPS = {
    "static": StaticSitemap,
    "studies": StudySitemap,
}
