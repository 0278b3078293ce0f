"""Helpers for the OAI-PMH tests: every response is validated against the published schemas."""

import pytest

from .schemas import validated

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DATACITE = "{http://datacite.org/schema/kernel-4}"


@pytest.fixture
def oai(client):
    """`oai(verb="ListRecords", metadataPrefix="oai_dc")`: the response, valid OAI-PMH, parsed.
    Repeated arguments are given as lists; `method="post"` sends a form."""

    def ask(method: str = "get", **arguments):
        response = getattr(client, method)("/oai", arguments)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return validated(response.content)

    return ask


def error_code(root) -> str | None:
    error = root.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def identifiers(root) -> list[str]:
    return [element.text for element in root.iter(f"{OAI}identifier")]
