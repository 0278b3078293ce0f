"""The sitemap (/sitemap.xml): the pages search engines should index, with when they last changed.

`SITEMAPS` is the whole site's, passed to Django's sitemap view in `justicelib/urls.py`.
"""

import datetime

from django.db.models import Max
from django.urls import reverse

from justicelib.site import SiteSitemap
from oai.models import DeletedStudy

from .models import Study


class StaticSitemap(SiteSitemap):
    """Pages that always exist, by URL name."""

    def items(self) -> list[str]:
        return ["studies:home", "studies:list"]

    def location(self, url_name: str) -> str:
        return reverse(url_name)

    def lastmod(self, url_name: str) -> datetime.datetime | None:
        """Both pages list the published studies: they change when one is published, changed
        or withdrawn."""
        if not hasattr(self, "_library_changed"):
            changed = Study.objects.published().aggregate(last=Max("updated_at"))["last"]
            withdrawn = DeletedStudy.objects.aggregate(last=Max("deleted_at"))["last"]
            self._library_changed = max(filter(None, [changed, withdrawn]), default=None)
        return self._library_changed


class StudySitemap(SiteSitemap):
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
