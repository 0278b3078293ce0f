"""FAIR Signposting (https://signposting.org/FAIR/): `Link` headers that tell machines what a
study page is about, as Zenodo and other repositories send them.

On the study page: `cite-as` (the address to cite: the page itself, the library has no DOIs),
`describedby` for each metadata export with its media type, `item` for the study's PDF, and
`type` (schema.org). On each export: `describes`, back to the page.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from justicelib.site import absolute_url
from oai.protocol import identifier

from .models import Study

# The exports of one study's metadata (studies/exports.py) and their media types.
DESCRIBED_BY = [
    ("bib", "application/x-bibtex"),
    ("ris", "application/x-research-info-systems"),
    ("json", "application/vnd.citationstyles.csl+json"),
]


def link(target: str, rel: str, media_type: str = "") -> str:
    return f'<{target}>; rel="{rel}"' + (f'; type="{media_type}"' if media_type else "")


def oai_record_url(study: Study, prefix: str) -> str:
    """The study's record in the OAI-PMH endpoint, in one metadata format."""
    query = urlencode(
        {"verb": "GetRecord", "metadataPrefix": prefix, "identifier": identifier(study.slug)}
    )
    return absolute_url(reverse("oai:endpoint")) + "?" + query


def study_page_links(study: Study) -> str:
    """The `Link` header of a study's page (a study loaded `for_listing`: no query)."""
    page = absolute_url(study.get_absolute_url())
    links = [
        link(page, "cite-as"),
        # Every study is a report, in every format (studies/citations.py).
        link("https://schema.org/Report", "type"),
        link("https://schema.org/AboutPage", "type"),
    ]
    links += [
        link(
            absolute_url(reverse("studies:citation", args=[study.slug, fmt])),
            "describedby",
            media_type,
        )
        for fmt, media_type in DESCRIBED_BY
    ]
    links += [
        link(oai_record_url(study, prefix), "describedby", "text/xml")
        for prefix in ("oai_dc", "datacite")
    ]
    if study.pdf:
        links.append(link(absolute_url(study.file_url), "item", "application/pdf"))
    return ", ".join(links)


def export_links(study: Study) -> str:
    """The `Link` header of an export of one study: the page it describes."""
    return link(absolute_url(study.get_absolute_url()), "describes", "text/html")


def oai_records(study: Study) -> list[dict[str, str]]:
    """The study's OAI-PMH records, linked from its cite box beside the citation files."""
    return [
        {
            "url": oai_record_url(study, "oai_dc"),
            "label": "Dublin Core XML",
            "note": _("OAI-PMH oai_dc: library catalogues, harvesters"),
        },
        {
            "url": oai_record_url(study, "datacite"),
            "label": "DataCite XML",
            "note": _("OAI-PMH, DataCite 4: data repositories"),
        },
    ]
