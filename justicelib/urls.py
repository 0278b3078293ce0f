"""The site's URL map: each app owns its own URLs under its own prefix.

Uploaded files have no URL of their own: a study's PDF is served by `studies:file`, with the
headers that keep it inert.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from evaluation.sitemaps import ProgramSitemap
from justicelib import discovery
from studies.sitemaps import SITEMAPS as STUDY_SITEMAPS

SITEMAPS = {**STUDY_SITEMAPS, "programs": ProgramSitemap}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("studies.api_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", discovery.robots_txt, name="robots"),
    path("oai", include("oai.urls")),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says. Not permanent:
    # the static file's address changes with its content.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg")), name="favicon"),
]
# Public pages in every language: English at their usual address, Spanish under /es/
# (justicelib/i18n.py).
urlpatterns += i18n_patterns(
    path("", include("studies.urls")),
    path("programs/", include("evaluation.urls")),
    prefix_default_language=False,
)

# Error pages in the site's layout, JSON under /api/ (justicelib/views.py).
handler404 = "justicelib.views.page_not_found"
handler500 = "justicelib.views.server_error"
