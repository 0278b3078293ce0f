"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html): one request's
arguments in, one XML response out.

`respond(arguments)` checks the arguments as the protocol demands (each problem is an OAI error
code, answered with HTTP 200 as the protocol says) and runs the verb. Resumption tokens carry
the whole request and where the last page ended, signed with the site's secret key, so nothing is
stored between requests and a token cannot be forged or edited; they expire after
`TOKEN_LIFETIME`.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from django.conf import settings
from django.core import signing
from django.utils import timezone

from justicelib.site import absolute_url, site_host, site_root

from . import records
from .formats import FORMATS, XSI, sub
from .records import Record, Selection

OAI = "http://www.openarchives.org/OAI/2.0/"
O = f"{{{OAI}}}"  # noqa: E741 -- the namespace prefix of every protocol element
PAGE_SIZE = 100
TOKEN_LIFETIME = datetime.timedelta(days=1)
TOKEN_SALT = "oai.resumption-token"
REPOSITORY_NAME = "JusticeLib"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

LIST_ARGUMENTS = {"metadataPrefix", "from", "until", "set"}
# verb: (required arguments, optional arguments); a resumptionToken is exclusive where allowed.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
RESUMABLE = {"ListSets", "ListIdentifiers", "ListRecords"}

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The protocol's syntax of a setSpec; a well-formed one that names no set of ours matches nothing.
OAI_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


ET.register_namespace("", OAI)


# --- formatting --------------------------------------------------------------------------------
def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifier(slug: str) -> str:
    """`oai:evidence.example.org:studies/scale-of-harm`: stable as long as SITE_URL is."""
    return f"oai:{site_host()}:studies/{slug}"


def slug_of(oai_identifier: str) -> str:
    match = re.fullmatch(
        rf"oai:{re.escape(site_host())}:studies/([a-z0-9]+(?:-[a-z0-9]+)*)", oai_identifier
    )
    if not match:
        raise OaiError("idDoesNotExist", f"No record is identified as “{oai_identifier}”.")
    return match[1]


# --- the response ------------------------------------------------------------------------------
def respond(arguments: Mapping[str, list[str]]) -> bytes:
    """The XML answer to one request; `arguments` maps each name to all the values sent."""
    root = ET.Element(
        f"{O}OAI-PMH",
        {f"{{{XSI}}}schemaLocation": f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"},
    )
    sub(root, f"{O}responseDate", datestamp(timezone.now()))
    request = sub(root, f"{O}request", absolute_url("/oai"))
    try:
        verb, values = checked(arguments)
        # The request is echoed only once its verb and arguments are known to be legal.
        request.attrib.update({"verb": verb, **values})
        root.append(VERB_HANDLERS[verb](verb, values))
    except OaiError as error:
        if error.code in {"badVerb", "badArgument"}:
            request.attrib.clear()
        sub(root, f"{O}error", error.message, code=error.code)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def checked(arguments: Mapping[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = arguments.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        shown = ", ".join(verbs)[:100] if verbs else "no verb"
        raise OaiError("badVerb", f"“{shown}” is not an OAI-PMH verb (give exactly one).")
    verb = verbs[0]
    repeated = sorted(name for name, sent in arguments.items() if len(sent) > 1)
    if repeated:
        raise OaiError("badArgument", f"Arguments may not be repeated: {', '.join(repeated)}.")
    values = {name: sent[0] for name, sent in arguments.items() if name != "verb"}
    required, optional = VERBS[verb]
    if "resumptionToken" in values and verb in RESUMABLE:
        if len(values) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, values
    unknown = sorted(set(values) - required - optional)
    if unknown:
        raise OaiError("badArgument", f"{verb} does not take: {', '.join(unknown)[:200]}.")
    missing = sorted(required - set(values))
    if missing:
        raise OaiError("badArgument", f"{verb} needs: {', '.join(missing)}.")
    return verb, values


# --- verbs -------------------------------------------------------------------------------------
def identify(verb: str, values: dict[str, str]) -> ET.Element:
    element = ET.Element(f"{O}Identify")
    sub(element, f"{O}repositoryName", REPOSITORY_NAME)
    sub(element, f"{O}baseURL", absolute_url("/oai"))
    sub(element, f"{O}protocolVersion", "2.0")
    sub(element, f"{O}adminEmail", settings.CONTACT_EMAIL or default_contact())
    earliest = records.earliest_datestamp()
    sub(
        element,
        f"{O}earliestDatestamp",
        datestamp(earliest) if earliest else "1970-01-01T00:00:00Z",
    )
    # Deletions are kept by the database and never pruned (oai.models.DeletedStudy).
    sub(element, f"{O}deletedRecord", "persistent")
    sub(element, f"{O}granularity", GRANULARITY)
    return element


def default_contact() -> str:
    """webmaster@ the site's host; a host without a dot (localhost) is no mail domain, and the
    protocol's schema refuses it, so it gets the reserved “.invalid”."""
    host = site_host()
    return f"webmaster@{host}" if "." in host else f"webmaster@{host}.invalid"


def list_metadata_formats(verb: str, values: dict[str, str]) -> ET.Element:
    if "identifier" in values:
        record = records.find(slug_of(values["identifier"]), with_metadata=False)
        if record is None:
            raise OaiError(
                "idDoesNotExist", f"No record is identified as “{values['identifier']}”."
            )
        if record.is_deleted:
            raise OaiError("noMetadataFormats", "This record was deleted: it has no metadata.")
    element = ET.Element(f"{O}ListMetadataFormats")
    for metadata_format in FORMATS.values():
        entry = sub(element, f"{O}metadataFormat")
        sub(entry, f"{O}metadataPrefix", metadata_format.prefix)
        sub(entry, f"{O}schema", metadata_format.schema)
        sub(entry, f"{O}metadataNamespace", metadata_format.namespace)
    return element


def list_sets(verb: str, values: dict[str, str]) -> ET.Element:
    if "resumptionToken" in values:
        # Every set is in the first answer: no token of ours resumes a list of sets.
        raise OaiError("badResumptionToken", "This list of sets has no further pages.")
    element = ET.Element(f"{O}ListSets")
    for spec, name in records.all_sets():
        entry = sub(element, f"{O}set")
        sub(entry, f"{O}setSpec", spec)
        sub(entry, f"{O}setName", name)
    return element


def get_record(verb: str, values: dict[str, str]) -> ET.Element:
    metadata_format = chosen_format(values["metadataPrefix"])
    slug = slug_of(values["identifier"])
    record = records.find(slug, with_metadata=True)
    if record is None:
        raise OaiError("idDoesNotExist", f"No record is identified as “{values['identifier']}”.")
    element = ET.Element(f"{O}GetRecord")
    element.append(record_element(record, metadata_format.prefix))
    return element


def list_records(verb: str, values: dict[str, str]) -> ET.Element:
    """ListIdentifiers and ListRecords: a page of headers (or records) and the next token."""
    state = resumed(verb, values["resumptionToken"]) if "resumptionToken" in values else None
    if state is None:
        prefix = values["metadataPrefix"]
        chosen_format(prefix)
        selection = Selection(
            values.get("set"), *date_range(values.get("from"), values.get("until"))
        )
        if values.get("set") and not OAI_SET_SPEC.match(values["set"]):
            raise OaiError("badArgument", f"“{values['set'][:100]}” is not a setSpec.")
        total, cursor, after = records.count(selection), 0, None
        if total == 0:
            raise OaiError("noRecordsMatch", "No records match these arguments.")
    else:
        prefix, selection, total, cursor, after = state
    with_metadata = verb == "ListRecords"
    found, more = records.page(selection, PAGE_SIZE, after=after, with_metadata=with_metadata)
    element = ET.Element(f"{O}{verb}")
    for record in found:
        element.append(record_element(record, prefix) if with_metadata else header(record))
    if more or state is not None:
        last = found[-1] if found else None
        token = sub(element, f"{O}resumptionToken", completeListSize=str(total), cursor=str(cursor))
        if more and last is not None:
            token.text = new_token(verb, prefix, selection, total, cursor + len(found), last)
            token.set("expirationDate", datestamp(timezone.now() + TOKEN_LIFETIME))
    return element


def chosen_format(prefix: str):
    if prefix not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat",
            f"“{prefix[:100]}” is not a metadata format of this repository "
            f"(formats: {', '.join(FORMATS)}).",
        )
    return FORMATS[prefix]


VERB_HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_records,
    "ListRecords": list_records,
    "GetRecord": get_record,
}


# --- records -----------------------------------------------------------------------------------
def header(record: Record) -> ET.Element:
    element = ET.Element(f"{O}header", {"status": "deleted"} if record.is_deleted else {})
    sub(element, f"{O}identifier", identifier(record.slug))
    sub(element, f"{O}datestamp", datestamp(record.datestamp))
    if record.study is not None:
        for spec in records.set_specs(record.study):
            sub(element, f"{O}setSpec", spec)
    return element


def record_element(record: Record, prefix: str) -> ET.Element:
    element = ET.Element(f"{O}record")
    element.append(header(record))
    if record.study is not None:
        metadata = sub(element, f"{O}metadata")
        metadata.append(FORMATS[prefix].render(record.study, site_root()))
    return element


# --- dates and tokens --------------------------------------------------------------------------
def parse_moment(value: str, name: str) -> tuple[datetime.datetime, datetime.timedelta]:
    """A from/until value as a UTC moment, and its granularity (a day or a second)."""
    try:
        if DAY.match(value):
            day = datetime.date.fromisoformat(value)
            moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
            return moment, datetime.timedelta(days=1)
        if SECOND.match(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), datetime.timedelta(seconds=1)
    except ValueError:
        pass
    raise OaiError(
        "badArgument",
        f"“{value[:40]}” is not a valid {name}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.",
    )


def date_range(
    since: str | None, until: str | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(from, inclusive; until, exclusive): `until` covers its whole day or second, since
    datestamps are shown to the second."""
    start = parse_moment(since, "from") if since else None
    end = parse_moment(until, "until") if until else None
    if start and end:
        if start[1] != end[1]:
            raise OaiError("badArgument", "from and until must have the same granularity.")
        if start[0] > end[0]:
            raise OaiError("badArgument", "from must not be later than until.")
    return (start[0] if start else None), ((end[0] + end[1]) if end else None)


def new_token(
    verb: str, prefix: str, selection: Selection, total: int, cursor: int, last: Record
) -> str:
    moment = lambda value: value.isoformat() if value else None  # noqa: E731
    state = {
        "verb": verb,
        "prefix": prefix,
        "set": selection.set_spec,
        "since": moment(selection.since),
        "before": moment(selection.before),
        "total": total,
        "cursor": cursor,
        "after": [last.datestamp.isoformat(), last.slug],
    }
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def resumed(verb: str, token: str):
    """The request a token continues: (prefix, selection, total, cursor, after)."""
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
        if state["verb"] != verb:
            raise ValueError("a token of another verb")
        moment = lambda value: datetime.datetime.fromisoformat(value) if value else None  # noqa: E731
        selection = Selection(state["set"], moment(state["since"]), moment(state["before"]))
        after_moment, after_slug = state["after"]
        after = (datetime.datetime.fromisoformat(after_moment), str(after_slug))
        return state["prefix"], selection, int(state["total"]), int(state["cursor"]), after
    except signing.SignatureExpired as error:
        raise OaiError("badResumptionToken", "This resumption token has expired.") from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise OaiError("badResumptionToken", "This resumption token is not valid.") from error
