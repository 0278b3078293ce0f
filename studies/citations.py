"""How a study is cited: a formatted reference, the files reference managers import, page metadata.

Every function takes a study loaded with `Study.objects.….for_listing()` and reads only what that
prefetched (authors in order, resource types, countries, subject), so exporting a list of studies
costs the same few queries however long the list is. Nothing here touches HTTP: addresses are made
absolute against a `base_url` (e.g. "https://library.example.org/") that the view takes from the
request, which keeps these functions testable without one.
"""

import datetime
import json
import re
from typing import NamedTuple, Self
from urllib.parse import quote, urljoin

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.spreadsheet import spreadsheet_safe_row

from .identifiers import babel_language
from .models import Author, Country, ResourceType, Study

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# BibTeX's predefined month macros: styles print them in their own language and abbreviation.
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Every study, white papers included, is one kind of item in every format: a report issued by an
# organisation (Zotero's and CSL's “report”, RIS RPRT, schema.org Report, BibTeX @techreport). A
# white paper is an organisation's report, not a journal article; the resource type says which
# kind of report it is (the `type`/genre field of each format).
CSV_HEADER = [
    "title",
    "short_title",
    "citation_key",
    "authors",
    "publisher",
    "resource_types",
    "publication_month",
    "countries",
    "multiple_countries",
    "subject",
    "description",
    "language",
    "rights",
    "license_url",
    "url",
    "download_url",
]


# --- What every format reads -------------------------------------------------------------------
def authors_of(study: Study) -> list[Author]:
    """The authors in citation order, from the prefetched authorships (no query)."""
    return [authorship.author for authorship in study.authorships.all()]


def cited_name(author: Author) -> str:
    """A person as “Family, Given” (how catalogues sort them); an organisation by its name."""
    if not author.is_person:
        return author.name
    return (
        f"{author.family_name}, {author.given_names}" if author.given_names else author.family_name
    )


def study_url(study: Study, base_url: str) -> str:
    return urljoin(base_url, study.get_absolute_url())


def download_url(study: Study, base_url: str) -> str:
    """The study's file as an absolute address (an uploaded PDF's URL is site-relative), or ""."""
    return urljoin(base_url, study.download_url) if study.download_url else ""


def _type_names(study: Study) -> list[str]:
    return [kind.name for kind in study.resource_types.all()]


def citation_key(study: Study) -> str:
    """The study's stored citation key (made once by the database, see `Study.citation_key`).

    A published study always has one after its first commit; a row restored without one (an old
    dump) is cited by its slug, which is as stable and as unique among studies.
    """
    return study.citation_key or study.slug


# --- The reference a reader copies ---------------------------------------------------------------
def initials(given_names: str) -> str:
    """APA initials: “Katrina B.” → “K. B.”, “Jean-Paul” → “J.-P.”."""
    return " ".join(
        "-".join(f"{part[0]}." for part in word.split("-") if part) for word in given_names.split()
    )


def _apa_name(author: Author) -> str:
    if not author.is_person:
        return author.name
    given = initials(author.given_names)
    return f"{author.family_name}, {given}" if given else author.family_name


def _apa_author_list(authors: list[Author]) -> str:
    """APA 7: “A, B, & C”; beyond 20 authors, the first 19, an ellipsis, then the last.

    Of two authors, a person's initials are followed by a comma even before “&” (“Haarr, R., &
    Stone, K.”), but a group's name is not: “International Justice Mission & Haarr, R.”.
    """
    names = [_apa_name(author) for author in authors]
    if len(names) <= 1:
        return "".join(names)
    if len(names) > 20:
        return ", ".join(names[:19]) + ", … " + names[-1]
    if len(names) == 2 and not (authors[0].is_person and authors[0].given_names):
        return f"{names[0]} & {names[1]}"
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _with_full_stop(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _reference_parts(study: Study) -> tuple[str, str]:
    """(authors followed by their full stop, or "" when there are none; the date in brackets)."""
    month = study.publication_month
    date = f"({month.year}, {MONTH_NAMES[month.month - 1]})."
    authors = _apa_author_list(authors_of(study))
    return (_with_full_stop(authors) if authors else ""), date


def formatted_reference_html(study: Study, base_url: str = "") -> SafeString:
    """The study as an APA-style reference, as the study page shows it to copy.

    “International Justice Mission & University of Nottingham Rights Lab. (2023, September).
    <cite>Scale of Harm</cite>. https://…/studies/scale-of-harm/”: the title in `<cite>` (shown in
    italics, as APA wants). Without authors the title takes their place (APA's rule). The
    address is the study's page here, a stable landing page, when `base_url` is given.
    """
    authors, date = _reference_parts(study)
    title = format_html(
        "<cite>{}</cite>{}", study.title, "" if study.title.endswith(("?", "!")) else "."
    )
    url = format_html(' <a href="{0}">{0}</a>', study_url(study, base_url)) if base_url else ""
    if not authors:
        return format_html("{} {}{}", title, date, url)
    return format_html("{} {} {}{}", authors, date, title, url)


# --- BibTeX --------------------------------------------------------------------------------------
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _braces_balance(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX value, printing as itself in LaTeX.

    BibTeX counts braces even after a backslash, so `\\{` only works while the braces balance;
    an unbalanced brace is written as `\\textbraceleft{}`, which cannot end the value early.
    """
    balanced = _braces_balance(text)
    braces = (
        {"{": r"\{", "}": r"\}"}
        if balanced
        else {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
    )
    return "".join(_BIBTEX_ESCAPES.get(char) or braces.get(char) or char for char in text)


def _bibtex_author(author: Author) -> str:
    # Braces make an organisation one “last name”: without them BibTeX would read “Andrew Jones
    # and Associates” as two people, and “International Justice Mission” as “Mission, I. J.”
    name = bibtex_escape(cited_name(author))
    return name if author.is_person else f"{{{name}}}"


def bibtex_entry_type(study: Study) -> str:
    """@techreport names the issuing institution, which BibTeX and biblatex require of it; a
    report whose institution is unknown is @misc (with the same `type`), never a guess."""
    return "techreport" if study.publisher_id else "misc"


def to_bibtex(study: Study, base_url: str) -> str:
    """One BibTeX entry under the study's stored key; fields biblatex's data model knows only
    (biber validates it without a warning)."""
    month = study.publication_month
    authors = authors_of(study)
    fields: list[tuple[str, str]] = []
    if authors:
        fields.append(("author", "{" + " and ".join(map(_bibtex_author, authors)) + "}"))
    # Double braces keep the title's capitals: styles that lower-case titles would otherwise
    # print “Property grabbing from ugandan widows”.
    fields.append(("title", "{{" + bibtex_escape(study.title) + "}}"))
    if study.short_title:
        fields.append(("shorttitle", "{" + bibtex_escape(study.short_title) + "}"))
    fields += [("year", f"{{{month.year}}}"), ("month", BIBTEX_MONTHS[month.month - 1])]
    if types := _type_names(study):
        fields.append(("type", "{" + bibtex_escape("; ".join(types)) + "}"))
    if study.publisher is not None:
        fields.append(("institution", "{" + bibtex_escape(study.publisher.name) + "}"))
    if langid := babel_language(study.language):
        fields.append(("langid", "{" + langid + "}"))
    if study.description:
        fields.append(("abstract", "{" + bibtex_escape(study.description) + "}"))
    fields.append(("keywords", "{" + bibtex_escape(study.subject.name) + "}"))
    # Not escaped: `url` is verbatim in biblatex and in \url{}; our addresses hold no braces.
    fields.append(("url", "{" + study_url(study, base_url) + "}"))
    if study.pdf and (file_url := download_url(study, base_url)):
        # JabRef's and Zotero's `file` field (description:address:type), read as a link to the
        # PDF; the colons of the address are escaped as JabRef writes them.
        fields.append(("file", "{PDF:" + file_url.replace(":", "\\:") + ":application/pdf}"))
    body = "".join(f"  {name} = {value},\n" for name, value in fields)
    return f"@{bibtex_entry_type(study)}{{{citation_key(study)},\n{body}}}\n"


# --- RIS -----------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    """RIS values end at the line break: fold any whitespace run into one space."""
    return " ".join(text.split())


def to_ris(study: Study, base_url: str) -> str:
    """One RIS record, lines ending CRLF as the RIS specification asks.

    Organisations are AU lines too: a name without a comma is read as a single-field
    (institutional) name by Zotero and EndNote. RIS has no tag for an ORCID iD or a licence, so
    neither is written (the CSL-JSON and the page's metadata carry them).
    """
    month = study.publication_month
    tags = [("TY", "RPRT"), ("ID", citation_key(study))]
    tags += [("AU", cited_name(author)) for author in authors_of(study)]
    tags += [
        ("PY", f"{month.year:04d}"),
        ("DA", f"{month.year:04d}/{month.month:02d}"),
        ("TI", study.title),
    ]
    if study.short_title:
        tags.append(("ST", study.short_title))
    if study.description:
        tags.append(("AB", study.description))
    tags.append(("KW", study.subject.name))
    if types := _type_names(study):
        tags.append(("M3", "; ".join(types)))
    if study.publisher is not None:
        tags.append(("PB", study.publisher.name))
    tags.append(("LA", study.language))
    tags.append(("UR", study_url(study, base_url)))
    if file_url := download_url(study, base_url):
        tags.append(("L1", file_url))
    tags.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in tags)


# --- CSL-JSON ------------------------------------------------------------------------------------
def _csl_name(author: Author) -> dict[str, str]:
    if not author.is_person:
        return {"literal": author.name}
    name = {"family": author.family_name}
    if author.given_names:
        name["given"] = author.given_names
    return name


def to_csl_json(study: Study, base_url: str) -> dict:
    """One CSL-JSON item (the format of citeproc, Zotero and Pandoc); empty fields are left out.

    Only fields of CSL's input schema (csl-data.json, which allows no others): it has no field
    for a licence nor for an author's ORCID iD, so those stay in the page metadata and JSON-LD.
    Nor has it a field for an attached file: `URL` stays the study's page, which links every file
    (RIS `L1`, BibTeX `file` and the JSON API's `files` name the file itself).
    The `id` is the citation key, as Pandoc cites it (`@ijm2023scale`).
    """
    month = study.publication_month
    item = {
        "id": citation_key(study),
        "type": "report",
        "title": study.title,
        "title-short": study.short_title,
        "author": [_csl_name(author) for author in authors_of(study)],
        "issued": {"date-parts": [[month.year, month.month]]},
        "abstract": study.description,
        "genre": "; ".join(_type_names(study)),
        "keyword": study.subject.name,
        "publisher": study.publisher.name if study.publisher is not None else "",
        "language": study.language,
        "URL": study_url(study, base_url),
    }
    return {name: value for name, value in item.items() if value}


# --- CSV -----------------------------------------------------------------------------------------
class CsvSource(NamedTuple):
    """What one CSV row reads: a `StudyQuerySet.for_csv()` row (`CsvNames.source`), or a
    study's own (`CsvSource.of`)."""

    title: str
    short_title: str
    citation_key: str | None
    slug: str
    author_names: list[str]
    publisher__name: str | None
    type_names: list[str]
    publication_month: datetime.date
    country_names: list[str]
    is_multi_country: bool
    subject__name: str
    description: str
    language: str
    rights: str
    license_url: str
    pdf: str
    external_url: str

    @classmethod
    def of(cls, study: Study) -> Self:
        """A study loaded with `for_listing()` (its relations prefetched: no query)."""
        return cls(
            title=study.title,
            short_title=study.short_title,
            citation_key=study.citation_key,
            slug=study.slug,
            author_names=[author.name for author in authors_of(study)],
            publisher__name=study.publisher.name if study.publisher is not None else None,
            type_names=_type_names(study),
            publication_month=study.publication_month,
            country_names=[country.name for country in study.countries.all()],
            is_multi_country=study.is_multi_country,
            subject__name=study.subject.name,
            description=study.description,
            language=study.language,
            rights=study.rights,
            license_url=study.license_url,
            pdf=study.pdf.name or "",
            external_url=study.external_url,
        )


class CsvNames:
    """Country and type names by code and slug, read once per export, in the order the
    prefetched relations list them (by name, in the database's collation)."""

    def __init__(self):
        self.countries = dict(Country.objects.order_by("name").values_list("code", "name"))
        self.types = dict(ResourceType.objects.order_by("name").values_list("slug", "name"))
        self._country_rank = {code: rank for rank, code in enumerate(self.countries)}
        self._type_rank = {slug: rank for rank, slug in enumerate(self.types)}

    def source(self, row) -> CsvSource:
        """A `StudyQuerySet.for_csv()` row as a `CsvSource`."""
        codes = sorted(row.country_codes, key=self._country_rank.__getitem__)
        slugs = sorted(row.type_slugs, key=self._type_rank.__getitem__)
        return CsvSource(
            row.title,
            row.short_title,
            row.citation_key,
            row.slug,
            row.author_names,
            row.publisher__name,
            [self.types[slug] for slug in slugs],
            row.publication_month,
            [self.countries[code] for code in codes],
            row.is_multi_country,
            row.subject__name,
            row.description,
            row.language,
            row.rights,
            row.license_url,
            row.pdf,
            row.external_url,
        )


class StudyAddresses:
    """A study's page and file addresses by string formatting: `reverse()` once per export,
    not twice per row (a tenth of a 10,000-row export's time went to reversing)."""

    _SLUG = "SLUG"

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._page = self._halves("studies:detail")
        self._file = self._halves("studies:file")

    def _halves(self, viewname: str) -> tuple[str, str]:
        before, after = reverse(viewname, kwargs={"slug": self._SLUG}).split(self._SLUG, 1)
        return urljoin(self.base_url, before), after

    def page(self, slug: str) -> str:
        return f"{self._page[0]}{_in_path(slug)}{self._page[1]}"

    def download(self, source: CsvSource) -> str:
        """The uploaded PDF first, else the external address (`Study.download_url`)."""
        if source.pdf:
            return f"{self._file[0]}{_in_path(source.slug)}{self._file[1]}"
        return source.external_url


_WELL_FORMED_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _in_path(slug: str) -> str:
    """A well-formed slug as it is; a malformed one (an old dump) quoted, so that its link
    answers 404 as `url_for_slug` makes it."""
    return slug if _WELL_FORMED_SLUG.fullmatch(slug) else quote(slug, safe="")


def csv_row(study: Study, base_url: str) -> list[str]:
    """The study as one row under `CSV_HEADER` (see `csv_row_of`)."""
    return csv_row_of(CsvSource.of(study), StudyAddresses(base_url))


def csv_row_of(source: CsvSource, addresses: StudyAddresses) -> list[str]:
    """One row under `CSV_HEADER`; multiple values are joined with "; ".

    `countries` lists only the countries named; `multiple_countries` says “yes” for a study
    listed under “Multiple countries” (ticked so, or naming two or more countries, as
    `Study.covers_multiple_countries`), so a spreadsheet can filter on either.
    """
    month = source.publication_month
    multiple = source.is_multi_country or len(source.country_names) >= 2
    cells = [
        source.title,
        source.short_title,
        source.citation_key or source.slug,  # as `citation_key()`
        "; ".join(source.author_names),
        source.publisher__name or "",
        "; ".join(source.type_names),
        f"{month.year:04d}-{month.month:02d}",
        "; ".join(source.country_names),
        "yes" if multiple else "no",
        source.subject__name,
        source.description,
        source.language,
        source.rights,
        source.license_url,
        addresses.page(source.slug),
        addresses.download(source),
    ]
    return spreadsheet_safe_row(cells)


# --- What the study page's <head> tells search engines -------------------------------------------
def highwire_author(author: Author) -> str:
    """A `citation_author` value: “Family, Given” for a person, “Name,” for an organisation.

    Zotero's Embedded Metadata translator splits a name without a comma at its last space
    (“International Justice” / “Mission”); a name holding a comma is read as “Last, First”, and
    the trailing comma is trimmed, which leaves the whole organisation name as the last name
    with no first name. Google Scholar documents the same “Last, First” form.
    """
    return cited_name(author) if author.is_person else f"{author.name},"


def citation_meta(study: Study, base_url: str) -> list[tuple[str, str]]:
    """Page metadata as (name, content) pairs, the way Google Scholar and Zotero read a page.

    Highwire Press `citation_*` tags, one `citation_author` per author in order, and Dublin
    Core where Highwire has no tag. Dates: Google Scholar asks for a full date (“2010/5/12”) or
    “a year alone otherwise”, so `citation_publication_date` is the year; Zotero reads
    `citation_date` after it and parses “2023/09” as September 2023, so the month is kept there.
    Zotero makes a report item from `citation_technical_report_institution`, or, when no
    institution is known, from `DC.type` “report”.
    """
    month = study.publication_month
    page_url = study_url(study, base_url)
    tags = [("citation_title", study.title)]
    tags += [("citation_author", highwire_author(author)) for author in authors_of(study)]
    tags += [
        ("citation_publication_date", f"{month.year:04d}"),
        ("citation_date", f"{month.year:04d}/{month.month:02d}"),
    ]
    if study.publisher is not None:
        tags.append(("citation_technical_report_institution", study.publisher.name))
    tags.append(("citation_language", study.language))
    if file_url := download_url(study, base_url):
        tags.append(("citation_pdf_url", file_url))
    tags += [
        ("citation_abstract_html_url", page_url),
        ("citation_public_url", page_url),
        ("citation_keywords", study.subject.name),
        ("DC.type", "report"),
    ]
    if rights := study.rights or study.license_url:
        tags.append(("DC.rights", rights))
    return tags


def _identified(thing: dict, identifier: str) -> dict:
    """A schema.org node with its persistent identifier (ORCID, ROR) as `identifier` and
    `sameAs`, the two properties search engines and Zenodo-like harvesters read."""
    return {**thing, "identifier": identifier, "sameAs": identifier} if identifier else thing


def _schema_author(author: Author) -> dict[str, str]:
    if not author.is_person:
        return _identified({"@type": "Organization", "name": author.name}, author.ror)
    person = {"@type": "Person", "name": author.name, "familyName": author.family_name}
    if author.given_names:
        person["givenName"] = author.given_names
    return _identified(person, author.orcid_url)


def json_ld(study: Study, base_url: str) -> dict:
    """schema.org metadata: a `Report` (white papers too, as in every other format)."""
    month = study.publication_month
    publisher = (
        _identified({"@type": "Organization", "name": study.publisher.name}, study.publisher.ror)
        if study.publisher is not None
        else None
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": study.title,
        "alternateName": study.short_title,
        "description": study.description,
        "author": [_schema_author(author) for author in authors_of(study)],
        "publisher": publisher,
        "datePublished": f"{month.year:04d}-{month.month:02d}",
        "inLanguage": study.language,
        "license": study.license_url,
        "copyrightNotice": study.rights,
        "genre": "; ".join(_type_names(study)),
        "about": {"@type": "Thing", "name": study.subject.name},
        "spatialCoverage": [
            {"@type": "Country", "name": country.name, "identifier": country.code}
            for country in study.countries.all()
        ],
        "url": study_url(study, base_url),
    }
    return {name: value for name, value in data.items() if value}


_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """JSON to place between `<script type="application/ld+json">` tags.

    Escaping < > & (as Django's `json_script` does) means a title containing `</script>` cannot
    end the script element early; the JSON still decodes to the same text.
    """
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def citation_context(study: Study, base_url: str) -> dict:
    """What the study page's citation partials need: `cite_box.html` and `citation_meta.html`."""
    return {
        "citation": formatted_reference_html(study, base_url),
        "citation_meta": citation_meta(study, base_url),
        "json_ld": json_ld_script(json_ld(study, base_url)),
    }
