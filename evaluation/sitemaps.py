"""The program pages in the site's sitemap (wired into `SITEMAPS` in justicelib/urls.py)."""

from django.contrib.sitemaps import Sitemap

from .models import Program


class ProgramSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # Ordered by slug so that the sitemap's pages stay stable.
        return Program.objects.only("slug").order_by("slug")
