"""Validating OAI-PMH responses against the published XML schemas, with no network.

The schema files are put in var/schemas/ by tests/schemas/fetch.py (from pinned PyPI
distributions; see tests/schemas/README.md). Their imports name http:// addresses; a resolver
answers those from the local files, and the parser may not reach the network at all.
"""

import functools
from pathlib import Path

from lxml import etree

import tests.schemas.fetch as schema_files

# The addresses the schemas import each other by, and the local copy of each.
LOCAL_COPIES = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}


class LocalSchemas(etree.Resolver):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def resolve(self, url, public_id, context):
        if url in LOCAL_COPIES:
            return self.resolve_filename(str(self.folder / LOCAL_COPIES[url]), context)
        if url and url.startswith(("http:", "https:")):
            raise LookupError(f"A schema imports {url}, which has no local copy")
        return None


@functools.cache
def oai_pmh_schema() -> etree.XMLSchema:
    """OAI-PMH 2.0 with the metadata formats we disseminate (oai_dc, DataCite 4.6): the
    protocol's `<metadata>` content is checked strictly, so each record is validated too."""
    folder = schema_files.fetch()
    imports = {
        "http://www.openarchives.org/OAI/2.0/": "OAI-PMH.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
        "http://datacite.org/schema/kernel-4": "datacite/metadata.xsd",
    }
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:justicelib:tests">'
        + "".join(
            f'<xs:import namespace="{namespace}" schemaLocation="{(folder / name).as_uri()}"/>'
            for namespace, name in imports.items()
        )
        + "</xs:schema>"
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalSchemas(folder))
    return etree.XMLSchema(
        etree.fromstring(wrapper.encode(), parser, base_url=folder.as_uri() + "/")
    )


def validated(content: bytes) -> etree._Element:
    """The response parsed, after checking it against the schemas (fails with the schema's
    complaint)."""
    document = etree.fromstring(content, etree.XMLParser(no_network=True, resolve_entities=False))
    schema = oai_pmh_schema()
    if not schema.validate(document):
        raise AssertionError(f"Not valid OAI-PMH: {schema.error_log}\n{content.decode()[:3000]}")
    return document
