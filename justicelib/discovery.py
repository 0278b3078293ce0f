"""Files that tell crawlers and harvesters what the site offers: /robots.txt (the sitemap is
studies/sitemaps.py and evaluation/sitemaps.py, OAI-PMH is the `oai` app)."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .site import absolute_url

# Everything public may be crawled; the admin is no one's business, and the API and the OAI-PMH
# endpoint are for programs that know them, not for crawlers following links.
DISALLOWED = ["/admin/", "/api/", "/oai"]


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOWED),
        "",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
