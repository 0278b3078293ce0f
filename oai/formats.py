"""The metadata formats the OAI-PMH endpoint disseminates: `oai_dc` and DataCite (kernel 4).

Each builds one record's `<metadata>` content as ElementTree elements; text goes through
`xml_text`, so nothing a curator typed can break the XML (ElementTree escapes markup, and
characters XML 1.0 forbids are dropped).
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from core.text import xml_text
from studies.citations import authors_of, cited_name, download_url, study_url
from studies.models import Author, Study

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
DATACITE = "http://datacite.org/schema/kernel-4"
# DataCite's code for a required value that is not known.
UNAVAILABLE = ":unav"


def sub(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text:
        element.text = xml_text(text)
    return element


def _country_names(study: Study) -> list[str]:
    return [country.name for country in study.countries.all()]


def _type_names(study: Study) -> list[str]:
    return [kind.name for kind in study.resource_types.all()]


def oai_dc(study: Study, base_url: str) -> ET.Element:
    """Simple Dublin Core: the elements harvesters of every kind read."""
    month = study.publication_month
    root = ET.Element(
        f"{{{OAI_DC}}}dc",
        {f"{{{XSI}}}schemaLocation": f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"},
    )
    sub(root, f"{{{DC}}}title", study.title)
    for author in authors_of(study):
        sub(root, f"{{{DC}}}creator", cited_name(author))
    sub(root, f"{{{DC}}}subject", study.subject.name)
    if study.description:
        sub(root, f"{{{DC}}}description", study.description)
    sub(root, f"{{{DC}}}date", f"{month.year:04d}-{month.month:02d}")
    # The DCMI type first (what generic harvesters map), then the library's own types.
    sub(root, f"{{{DC}}}type", "Text")
    for name in _type_names(study):
        sub(root, f"{{{DC}}}type", name)
    if study.pdf:
        sub(root, f"{{{DC}}}format", "application/pdf")
    sub(root, f"{{{DC}}}identifier", study_url(study, base_url))
    if file_url := download_url(study, base_url):
        sub(root, f"{{{DC}}}relation", file_url)
    for name in _country_names(study):
        sub(root, f"{{{DC}}}coverage", name)
    if study.publisher is not None:
        sub(root, f"{{{DC}}}publisher", study.publisher.name)
    if study.language:
        sub(root, f"{{{DC}}}language", study.language)
    if study.rights:
        sub(root, f"{{{DC}}}rights", study.rights)
    if study.license_url:
        sub(root, f"{{{DC}}}rights", study.license_url)
    return root


def datacite(study: Study, base_url: str) -> ET.Element:
    """DataCite Metadata Schema 4: names split into given and family, typed dates and titles.

    The study has no DOI: its identifier is the landing page's URL (identifierType “URL”). A
    study without a recorded publisher carries DataCite's “:unav” there.
    """
    month = study.publication_month
    root = ET.Element(
        f"{{{DATACITE}}}resource",
        {
            f"{{{XSI}}}schemaLocation": f"{DATACITE} "
            "http://schema.datacite.org/meta/kernel-4.6/metadata.xsd"
        },
    )
    d = f"{{{DATACITE}}}"
    sub(root, f"{d}identifier", study_url(study, base_url), identifierType="URL")
    creators = sub(root, f"{d}creators")
    listed: list[Author | None] = [*authors_of(study)] or [None]
    for author in listed:
        creator = sub(creators, f"{d}creator")
        if author is None:
            sub(creator, f"{d}creatorName", UNAVAILABLE)
        elif author.is_person:
            sub(creator, f"{d}creatorName", cited_name(author), nameType="Personal")
            if author.given_names:
                sub(creator, f"{d}givenName", author.given_names)
            sub(creator, f"{d}familyName", author.family_name)
        else:
            sub(creator, f"{d}creatorName", author.name, nameType="Organizational")
    titles = sub(root, f"{d}titles")
    sub(titles, f"{d}title", study.title)
    if study.short_title:
        sub(titles, f"{d}title", study.short_title, titleType="AlternativeTitle")
    if (publisher := study.publisher) is not None:
        identified = (
            {"publisherIdentifier": publisher.ror, "publisherIdentifierScheme": "ROR",
             "schemeURI": "https://ror.org/"}
            if publisher.ror
            else {}
        )  # fmt: skip
        sub(root, f"{d}publisher", publisher.name, **identified)
    else:
        sub(root, f"{d}publisher", UNAVAILABLE)
    sub(root, f"{d}publicationYear", f"{month.year:04d}")
    sub(
        root,
        f"{d}resourceType",
        "; ".join(_type_names(study)),
        # Every study is a report, whatever its resource types (as in every citation format).
        resourceTypeGeneral="Report",
    )
    subjects = sub(root, f"{d}subjects")
    sub(subjects, f"{d}subject", study.subject.name)
    dates = sub(root, f"{d}dates")
    sub(dates, f"{d}date", f"{month.year:04d}-{month.month:02d}", dateType="Issued")
    sub(dates, f"{d}date", study.updated_at.date().isoformat(), dateType="Updated")
    if study.language:
        sub(root, f"{d}language", study.language)
    if study.pdf:
        related = sub(root, f"{d}relatedIdentifiers")
        sub(
            related,
            f"{d}relatedIdentifier",
            download_url(study, base_url),
            relatedIdentifierType="URL",
            relationType="HasPart",
        )
        formats = sub(root, f"{d}formats")
        sub(formats, f"{d}format", "application/pdf")
    if study.rights or study.license_url:
        rights_list = sub(root, f"{d}rightsList")
        sub(
            rights_list,
            f"{d}rights",
            study.rights or study.license_url,
            **({"rightsURI": study.license_url} if study.license_url else {}),
        )
    if study.description:
        descriptions = sub(root, f"{d}descriptions")
        sub(descriptions, f"{d}description", study.description, descriptionType="Abstract")
    if countries := _country_names(study):
        places = sub(root, f"{d}geoLocations")
        for name in countries:
            sub(sub(places, f"{d}geoLocation"), f"{d}geoLocationPlace", name)
    return root


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    render: Callable[[Study, str], ET.Element]


FORMATS = {
    "oai_dc": MetadataFormat(
        "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC, oai_dc
    ),
    "datacite": MetadataFormat(
        "datacite", "http://schema.datacite.org/meta/kernel-4.6/metadata.xsd", DATACITE, datacite
    ),
}

for prefix, namespace in [("xsi", XSI), ("oai_dc", OAI_DC), ("dc", DC), ("datacite", DATACITE)]:
    ET.register_namespace(prefix, namespace)
