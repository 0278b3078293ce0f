"""Every response says what the browser may do with it: Content-Security-Policy and
Permissions-Policy on every page, and no page needs inline script or style to work."""

import datetime
import re

import pytest
from django.urls import reverse

from evaluation.models import Program
from studies.models import Study

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
# A <script> that runs (no src, and JavaScript or no type); JSON-LD data blocks never run.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE
)


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def public_urls(demo_data) -> list[str]:
    study = Study.objects.published().filter(description__gt="").first()
    program = Program.objects.first()
    assert study is not None and program is not None, "the demo data has both"
    return [
        reverse("studies:home"),
        reverse("studies:list"),
        reverse("studies:list") + "?country=KH&year_from=2010",
        study.get_absolute_url(),
        reverse("studies:citation", kwargs={"slug": study.slug, "fmt": "bib"}),
        reverse("studies:export", kwargs={"fmt": "csv"}),
        reverse("studies:feed"),
        reverse("evaluation:list"),
        program.get_absolute_url(),
        reverse("api:study_list"),
        reverse("sitemap"),
        "/no-such-page/",
    ]


def test_every_public_page_sends_the_content_security_policy(client, public_urls):
    for url in public_urls:
        sent = directives(client.get(url)["Content-Security-Policy"])
        assert {name: sent.get(name) for name in EXPECTED_CSP} == EXPECTED_CSP, url


def test_every_public_page_refuses_browser_features(client, public_urls):
    for url in public_urls:
        policy = client.get(url)["Permissions-Policy"]
        for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
            assert feature in policy, (url, policy)


def test_no_public_page_has_inline_script_or_style(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.text
        assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html).group(0))
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))


def test_the_year_histogram_draws_bars_without_inline_style(client, make_study):
    make_study(month=datetime.date(2015, 1, 1))
    make_study(month=datetime.date(2018, 1, 1))
    make_study(month=datetime.date(2018, 6, 1))
    html = client.get(reverse("studies:list")).text
    assert '<rect width="50%" height="100%"/>' in html
    assert '<rect width="100%" height="100%"/>' in html


def test_admin_pages_send_the_policy_too(admin_client):
    response = admin_client.get("/admin/studies/study/add/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
