"""What crawlers, feed readers and repository tools read: robots.txt, the sitemap's dates, the
feed's conditional GET, FAIR Signposting headers, the export links, and that every absolute
address comes from SITE_URL whatever Host header a request carries."""

import datetime
import json
import urllib.robotparser
import xml.etree.ElementTree as ET

import feedparser
import pytest
import signposting
from django.core.files.base import ContentFile

from evaluation.models import Program
from studies.models import Study

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def sitemap_lastmods(client, **headers) -> dict[str | None, str | None]:
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


# --- robots.txt and the sitemap ---------------------------------------------------------------
def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    assert robots.can_fetch("*", "http://testserver/studies/scale-of-harm/")
    assert not robots.can_fetch("*", "http://testserver/admin/")


def test_every_sitemap_url_has_a_lastmod(client, demo_data):
    lastmods = sitemap_lastmods(client)
    # The home page, the study list, each published study and each program.
    assert len(lastmods) == 2 + Study.objects.published().count() + Program.objects.count()
    for url, lastmod in lastmods.items():
        assert lastmod, f"{url} has no lastmod"
        datetime.date.fromisoformat(lastmod[:10])


def test_list_pages_change_when_a_study_is_withdrawn(client, make_study):
    study = make_study()
    Study.objects.filter(pk=study.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert sitemap_lastmods(client)["http://testserver/studies/"] == "2020-01-01"
    other = make_study()
    other.delete()
    assert (
        sitemap_lastmods(client)["http://testserver/studies/"] == datetime.date.today().isoformat()
    )


def test_a_program_page_changes_with_its_measurements(client, demo_data):
    from django.apps import apps

    from evaluation.models import Measurement, Program

    for name in ["ProgramEvent", "IndicatorEvent", "MeasurementEvent", "ProgramStudyEvent"]:
        apps.get_model("evaluation", name).objects.update(
            pgh_created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
    program = Program.objects.order_by("slug").first()
    url = f"http://testserver{program.get_absolute_url()}"
    assert sitemap_lastmods(client)[url] == "2020-01-01"
    measurement = Measurement.objects.filter(indicator__program=program).first()
    measurement.notes = "Checked again."
    measurement.save()
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert sitemap_lastmods(client)[url] == today


# --- the feed ---------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, databases="__all__")  # the page reads the replica
def test_feed_reader_gets_304_until_the_feed_changes(live_server, make_study, settings):
    settings.SITE_URL = live_server.url
    make_study("First study")
    url = f"{live_server.url}/studies/feed/"
    first = feedparser.parse(url)
    assert first.status == 200 and first.etag and first.modified
    assert [entry.title for entry in first.entries] == ["First study"]

    again = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert again.status == 304 and again.entries == []
    by_date = feedparser.parse(url, modified=first.modified)
    assert by_date.status == 304

    make_study("Second study")
    changed = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert changed.status == 200
    assert len(changed.entries) == 2


# --- FAIR Signposting and the exports ---------------------------------------------------------
def test_study_page_signposts_citation_metadata_and_file(client, make_study):
    study = make_study("Scale of harm", slug="scale-of-harm")
    study.pdf.save("x.pdf", ContentFile(PDF), save=True)
    response = client.get("/studies/scale-of-harm/")
    signposts = signposting.find_signposting_http_link([response["Link"]])
    assert str(signposts.citeAs.target) == "http://testserver/studies/scale-of-harm/"
    described = {str(link.target): link.type for link in signposts.describedBy}
    page = "http://testserver/studies/scale-of-harm/"
    oai = "http://testserver/oai?verb=GetRecord&metadataPrefix={}&identifier=oai%3Atestserver%3A"
    assert described == {
        f"{page}cite.bib": "application/x-bibtex",
        f"{page}cite.ris": "application/x-research-info-systems",
        f"{page}cite.json": "application/vnd.citationstyles.csl+json",
        oai.format("oai_dc") + "studies%2Fscale-of-harm": "text/xml",
        oai.format("datacite") + "studies%2Fscale-of-harm": "text/xml",
    }
    assert [(str(link.target), link.type) for link in signposts.items] == [
        ("http://testserver/studies/scale-of-harm/file.pdf", "application/pdf")
    ]
    assert {str(link.target) for link in signposts.types} == {
        "https://schema.org/Report",
        "https://schema.org/AboutPage",
    }
    # Every signposted address answers.
    for target in [*described, "http://testserver/studies/scale-of-harm/file.pdf"]:
        assert client.get(target.removeprefix("http://testserver")).status_code == 200, target


def test_no_item_without_a_file(client, make_study):
    make_study("No file", slug="no-file")
    signposts = signposting.find_signposting_http_link([client.get("/studies/no-file/")["Link"]])
    assert not signposts.items


def test_each_export_points_back_to_the_page(client, make_study):
    make_study("Scale of harm", slug="scale-of-harm")
    for fmt in ["bib", "ris", "json"]:
        response = client.get(f"/studies/scale-of-harm/cite.{fmt}")
        [back] = signposting.find_signposting_http_link([response["Link"]]).signposts
        assert (str(back.target), back.rel) == (
            "http://testserver/studies/scale-of-harm/",
            "describes",
        )


def test_study_page_links_every_export_format(client, make_study):
    from studies.exports import CITATION_FORMATS
    from studies.signposting import oai_records

    study = make_study("Scale of harm", slug="scale-of-harm")
    page = client.get("/studies/scale-of-harm/").content.decode()
    for fmt in CITATION_FORMATS:
        assert f'href="/studies/scale-of-harm/cite.{fmt}"' in page
    for record in oai_records(study):
        assert f'href="{record["url"].replace("&", "&amp;")}"' in page


# --- SITE_URL, not the Host header ------------------------------------------------------------
def test_a_forged_host_header_changes_no_absolute_url(client, make_study, settings):
    settings.SITE_URL = "https://evidence.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    make_study("Scale of harm", slug="scale-of-harm")
    forged = {"HTTP_HOST": "attacker.example"}
    home = "https://evidence.example.org"

    page = client.get("/studies/scale-of-harm/", **forged)
    assert "attacker.example" not in page.content.decode() + page["Link"]
    json_ld = (
        page.content.decode().split('<script type="application/ld+json">')[1].split("</script>")[0]
    )
    assert json.loads(json_ld)["url"] == f"{home}/studies/scale-of-harm/"

    feed = feedparser.parse(client.get("/studies/feed/", **forged).content)
    assert feed.feed.link == f"{home}/studies/"
    assert feed.entries[0].link == f"{home}/studies/scale-of-harm/"

    assert set(sitemap_lastmods(client, **forged)) >= {f"{home}/", f"{home}/studies/scale-of-harm/"}
    assert f"Sitemap: {home}/sitemap.xml" in client.get("/robots.txt", **forged).content.decode()
    bib = client.get("/studies/scale-of-harm/cite.bib", **forged).content.decode()
    assert f"url = {{{home}/studies/scale-of-harm/}}" in bib
    api = client.get("/api/studies/", **forged).json()
    assert "attacker.example" not in json.dumps(api)
    assert api["results"][0]["url"] == f"{home}/studies/scale-of-harm/"
    detail = client.get("/api/studies/scale-of-harm/", **forged).json()
    assert detail["api_url"] == f"{home}/api/studies/scale-of-harm/"
