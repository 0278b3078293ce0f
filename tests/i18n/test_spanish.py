"""The interface in Spanish, for readers in Guatemala and the Dominican Republic.

Every public page is rendered under /es/ and read as a visitor reads it (text, plus the labels a
screen reader announces and the placeholders a form shows): no interface string of the catalogue
may be left in English. Counts and dates read as those readers write them (“26 estudios
encontrados”, “septiembre de 2023”); each page links to itself in the other language, and the
head names both versions for search engines. The catalogue itself is complete, and the compiled
.mo that the site reads (committed: CI has no gettext) says what the .po says.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Program
from studies.models import Study

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
STUDY_COUNT = 26  # the demo library's published studies
STUDY = "/studies/labour-trafficking-in-cambodia/"

PAGES = {
    "home": "/",
    "studies": "/studies/",
    "filtered": "/studies/?country=KH&country=PH&from=2013-06",
    "searched": "/studies/?q=trafficking",
    "misspelled": "/studies/?q=Cambodai",
    "nothing found": "/studies/?country=GT&subject=land-theft",
    "notices": "/studies/?country=ZZ&year_from=abc&page=99",
    "study": STUDY,
    "programs": "/programs/",
    "program": None,  # the first program's page
}
# Interface strings whose Spanish is written the same, and English words that the demo data
# itself uses on a page (data is never translated): they may appear on a Spanish page.
SAME_IN_SPANISH = {"no", "%(filter)s: %(value)s", "JusticeLib"}
SPANISH_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class VisibleText(HTMLParser):
    """What a visitor reads or hears on a page: each text node, each element's whole text, and
    the attributes shown or announced (aria-label, placeholder, title, alt, data-label, meta
    description)."""

    ANNOUNCED = ("aria-label", "placeholder", "title", "alt", "data-label")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.texts: set[str] = set()
        self.open: list[list[str]] = []
        self.lang = None
        self.in_script = False
        self.feed(html)
        self.close()

    def add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.add(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        for name in self.ANNOUNCED:
            if attrs.get(name):
                self.add(attrs[name])
        if tag == "meta" and attrs.get("name") == "description":
            self.add(attrs.get("content") or "")
        if tag in ("script", "style"):
            self.in_script = True
        if tag not in self.VOID:
            self.open.append([])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False
        if tag not in self.VOID and self.open:
            self.add("".join(self.open.pop()))

    def handle_data(self, data):
        if self.in_script:
            return
        self.add(data)
        for parts in self.open:
            parts.append(data)


def catalogue() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def english_patterns() -> list[tuple[str, re.Pattern]]:
    """Each English interface string as a pattern of the whole text it renders: placeholders
    match anything, tags are gone (the page's text has none). Strings with few letters of their
    own besides placeholders (“%(low)s to %(high)s”) would match the library's own English
    data, so they are left to the strings around them."""
    patterns = []
    for entry in catalogue():
        for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
            if msgid in SAME_IN_SPANISH:
                continue
            text = re.sub(r"<[^>]+>", "", msgid)
            if "python-format" in entry.flags:
                text = text.replace("%%", "%")
            text = " ".join(text.replace("&nbsp;", "\xa0").split())
            parts = re.split(r"%\(\w+\)[sd]|%s", text) if "python-format" in entry.flags else [text]
            letters = sum(char.isalpha() for part in parts for char in part)
            if len(parts) > 1 and letters < 8:
                continue
            pattern = ".+?".join(re.escape(part) for part in parts)
            patterns.append((msgid, re.compile(pattern)))
    return patterns


def page_url(name: str, language: str) -> str:
    url = PAGES[name] or Program.objects.order_by("name")[0].get_absolute_url()
    if language == "es" and not url.startswith("/es/"):
        url = "/es" + url
    return url


@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_spanish_leaves_no_interface_string_in_english(client, demo_data, name):
    url = page_url(name, "es")
    response = client.get(url)
    assert response.status_code == 200, url
    page = VisibleText(response.content.decode())
    assert page.lang == "es"
    assert response["Content-Language"] == "es"
    left = sorted(
        {
            msgid
            for msgid, pattern in english_patterns()
            for text in page.texts
            if pattern.fullmatch(text)
        }
    )
    assert not left, f"{url} shows English interface text: {left}"


def test_the_check_finds_the_english_strings_of_an_english_page(client, demo_data):
    """The check above can fail: on the English page it finds the catalogue's strings."""
    page = VisibleText(client.get(PAGES["filtered"]).content.decode())
    found = {
        msgid
        for msgid, pattern in english_patterns()
        for text in page.texts
        if pattern.fullmatch(text)
    }
    assert {"%(counter)s studies found", "Apply filters", "Remove filter %(label)s"} <= found
    assert len(found) > 30


def test_the_not_found_page_in_spanish(client, demo_data):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    page = VisibleText(response.content.decode())
    assert page.lang == "es"
    assert "Página no encontrada" in page.texts
    left = [
        msgid
        for msgid, pattern in english_patterns()
        for text in page.texts
        if pattern.fullmatch(text)
    ]
    assert not left


def test_counts_and_months_read_as_in_guatemala_and_the_dominican_republic(client, demo_data):
    html = client.get("/es/studies/").content.decode()
    assert f"{STUDY_COUNT} estudios encontrados" in html
    months = re.findall(r"<time datetime=\"\d{4}-\d{2}\">([^<]+)</time>", html)
    assert months and all(
        re.fullmatch(rf"({'|'.join(SPANISH_MONTHS)}) de \d{{4}}", m) for m in months
    )
    assert not any(month in html for month in ENGLISH_MONTHS)
    assert "Página 1 de 2" in html


def test_a_long_search_notice_groups_thousands_with_a_comma(client, db):
    html = client.get("/es/studies/", {"q": "a" * 1500}).content.decode()
    assert "Su búsqueda tenía 1,500 caracteres" in html


def test_filters_speak_spanish_in_their_chips_and_notices(client, demo_data):
    html = client.get("/es/studies/", {"country": ["KH", "ZZ"], "from": "2013-06"}).content.decode()
    assert "Quitar filtro País: Camboya" in html
    assert "Publicación: desde junio de 2013" in html
    assert "Se ignoró país desconocido “ZZ”: no existe ese país en la biblioteca." in html


def test_the_english_pages_stay_english(client, demo_data):
    response = client.get("/studies/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f"{STUDY_COUNT} studies found" in html
    assert "estudios" not in html
    assert response["Content-Language"] == "en"
    assert "Accept-Language" not in response.get("Vary", "")  # one page per URL, for caches


@pytest.mark.parametrize("name", ["home", "filtered", "study", "program"])
def test_the_language_switcher_opens_the_same_page_in_the_other_language(client, demo_data, name):
    for language, other in [("en", "es"), ("es", "en")]:
        url = page_url(name, language)
        html = client.get(url).content.decode()
        (link,) = re.findall(rf'<a href="([^"]+)" hreflang="{other}" lang="{other}"', html)
        expected = url.removeprefix("/es") if other == "en" else "/es" + url
        assert link.replace("&amp;", "&") == expected
        there = client.get(link.replace("&amp;", "&"))
        assert there.status_code == 200
        assert f'<html lang="{other}">' in there.content.decode()


def test_the_head_names_every_language_version_for_search_engines(client, demo_data):
    html = client.get("/es" + STUDY).content.decode()
    site = settings.SITE_URL
    assert f'<link rel="alternate" hreflang="en" href="{site}{STUDY}">' in html
    assert f'<link rel="alternate" hreflang="es" href="{site}/es{STUDY}">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{site}{STUDY}">' in html


def test_a_spanish_study_page_cites_the_one_address_of_the_study(client, demo_data):
    """Citations, metadata and Signposting name the English page, the study's one address."""
    response = client.get("/es" + STUDY)
    html = response.content.decode()
    address = settings.SITE_URL + STUDY
    assert f'<{address}>; rel="cite-as"' in response["Link"]
    assert "/es/studies/" not in response["Link"]
    assert f'<meta name="citation_public_url" content="{address}">' in html
    assert "catálogos de bibliotecas" in html  # the cite box's notes are interface, in Spanish


@pytest.mark.parametrize("url", ["/studies/", STUDY, "/programs/"])
def test_spanish_pages_cost_no_more_queries_than_english_ones(client, demo_data, url):
    counts = {}
    for prefix in ("", "/es"):
        client.get(prefix + url)  # warm the facet cache alike
        with CaptureQueriesContext(connection) as queries:
            assert client.get(prefix + url).status_code == 200
        counts[prefix] = len(queries)
    assert counts["/es"] == counts[""]


# --- What curators write in Spanish -----------------------------------------------------------
def test_a_study_shows_its_spanish_title_and_description_on_spanish_pages(client, demo_data):
    study = Study.objects.get(slug=STUDY.split("/")[2])
    study.title_es = "Trata laboral en Camboya"
    study.description_es = "Un estudio sobre la trata laboral."
    study.save()
    spanish = client.get("/es" + STUDY).content.decode()
    assert "<h1>Trata laboral en Camboya</h1>" in spanish
    assert "Un estudio sobre la trata laboral." in spanish
    english = client.get(STUDY).content.decode()
    assert f"<h1>{study.title}</h1>" in english and "Trata laboral" not in english
    listing = client.get("/es/studies/", {"q": "Cambodia"}).content.decode()
    assert "Trata laboral en Camboya</a></h3>" in listing


def test_vocabularies_show_their_spanish_names_on_spanish_pages(client, demo_data):
    spanish = client.get("/es" + STUDY).content.decode()
    assert ">Camboya</a>" in spanish and ">Trabajo forzoso</a>" in spanish
    assert ">Otro tipo de estudio</a>" in spanish
    facets = client.get("/es/programs/").content.decode()
    assert "República Dominicana" in client.get("/es/studies/").content.decode()
    assert "Despojo de tierras" in facets
    assert ">Cambodia</a>" in client.get(STUDY).content.decode()


def test_a_vocabulary_term_without_a_spanish_name_shows_the_english_one(client, demo_data):
    from studies.models import Country

    Country.objects.filter(code="KH").update(name_es="")
    assert ">Cambodia</a>" in client.get("/es" + STUDY).content.decode()


def test_a_study_without_a_spanish_title_shows_the_english_one(client, demo_data):
    study = Study.objects.get(slug=STUDY.split("/")[2])
    assert study.title_es == ""
    assert f"<h1>{study.title}</h1>" in client.get("/es" + STUDY).content.decode()


def test_a_program_shows_its_spanish_name_and_summary_on_spanish_pages(client, demo_data):
    program = Program.objects.order_by("name").first()
    program.name_es = "Programa de prueba en español"
    program.summary_es = "Resumen en español."
    program.save()
    url = program.get_absolute_url()
    spanish = client.get("/es" + url).content.decode()
    assert "<h1>Programa de prueba en español</h1>" in spanish
    assert "Resumen en español." in spanish
    assert "Programa de prueba en español</a></h3>" in client.get("/es/programs/").content.decode()
    assert f"<h1>{program.name}</h1>" in client.get(url).content.decode()


def test_raw_sql_may_leave_the_spanish_versions_out(db):
    """Imports and SQL written before the Spanish columns still insert (blank by default)."""
    from studies.models import Subject

    subject = Subject.objects.create(name="Land theft", slug="land-theft")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO studies_study (title, short_title, slug, description, publication_month, "
            "is_multi_country, subject_id, status, pdf, external_url, created_at, updated_at, "
            "country_codes, type_slugs, author_slugs) VALUES ('Draft', '', 'draft', '', "
            "'2018-05-01', false, %s, 'draft', '', '', now(), now(), '{}', '{}', '{}')",
            [subject.pk],
        )
    assert Study.objects.get(slug="draft").title_es == ""


def test_exports_reached_from_spanish_pages_stay_english_data(client, demo_data):
    export = client.get("/es/studies/export.csv", {"country": "KH"})
    rows = b"".join(export.streaming_content).decode()
    assert settings.SITE_URL + "/studies/" in rows and "/es/" not in rows
    assert export["Content-Language"] == "en"
    feed = client.get("/es/studies/feed/").content.decode()
    assert feed.count(settings.SITE_URL + "/studies/labour-trafficking") >= 1
    assert re.findall(r"/es/studies/[\w-]+/", feed) == ["/es/studies/feed/"]  # its own address
    program = Program.objects.order_by("name").first()
    figures = client.get("/es" + program.get_absolute_url() + "measurements.csv")
    assert "/es/" not in figures.getvalue().decode()


# --- Who speaks which language ----------------------------------------------------------------
def test_the_admin_follows_the_browsers_language(client, db):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="es"' in response.content.decode()
    assert "Accept-Language" in response["Vary"]
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en"' in response.content.decode()


def test_a_curator_whose_browser_asks_for_spanish_edits_in_spanish(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/admin/studies/study/add/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Título (español)" in html
    assert "Mes y año de publicación, p. ej., 2018-05 para mayo de 2018." in html
    english = client.get("/admin/studies/study/add/").content.decode()
    assert "Title (Spanish)" in english and "Month and year of publication" in english


def test_data_stays_english_whatever_the_browser_asks(client, db):
    response = client.get("/api/no-such-thing/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.json() == {"errors": ["There is nothing at this address."]}


# --- The catalogue ----------------------------------------------------------------------------
def test_every_catalogue_entry_is_translated_and_none_is_fuzzy():
    po = catalogue()
    assert not [entry.msgid for entry in po.untranslated_entries()]
    assert not [entry.msgid for entry in po.fuzzy_entries()]
    assert not [entry.msgid for entry in po.obsolete_entries()]
    assert "fuzzy" not in po.metadata_is_fuzzy


def test_the_compiled_catalogue_says_what_the_po_says():
    """The site reads the .mo; a .po edited without `compilemessages` fails here."""

    def entries(catalogue):
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural): (
                entry.msgstr,
                tuple(sorted(entry.msgstr_plural.items())),
            )
            for entry in catalogue
            if not entry.obsolete
        }

    po, mo = catalogue(), polib.mofile(str(LOCALE / "django.mo"))
    assert entries(mo) == entries(po)
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]
