"""OAI-PMH 2.0 at /oai: each verb, each error, sets, dates, deletions and resumption tokens.

Every response is validated against the OAI-PMH, oai_dc and DataCite schemas (tests/oai/schemas.py).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oai import protocol
from oai.models import DeletedStudy
from studies.models import Study, Subject

from .conftest import DATACITE, DC, OAI, error_code, identifiers

ID = "oai:testserver:studies/"


def set_updated_at(study: Study, moment: datetime.datetime) -> None:
    Study.objects.filter(pk=study.pk).update(updated_at=moment)


@pytest.fixture
def library(make_study, make_author):
    haarr = make_author("Robin Haarr", kind="person")
    ijm = make_author("International Justice Mission")
    land = Subject.objects.create(name="Land theft", slug="land-theft")
    cambodia = make_study(
        "Cambodia <prevalence> & more",
        slug="cambodia",
        countries=["KH"],
        authors=[haarr, ijm],
        description="Findings\x0b in brief.",
        short_title="Cambodia",
    )
    uganda = make_study(
        "Uganda widows",
        slug="uganda",
        countries=["UG"],
        subject=land,
        types=["program-evaluation"],
    )
    make_study("A draft", slug="draft", status=Study.Status.DRAFT, countries=["KH"])
    set_updated_at(cambodia, datetime.datetime(2024, 1, 10, 8, 0, 0, 500000, tzinfo=datetime.UTC))
    set_updated_at(uganda, datetime.datetime(2024, 3, 5, 12, 0, 0, tzinfo=datetime.UTC))


# --- Identify, ListMetadataFormats, ListSets ---------------------------------------------------
def test_identify_describes_the_repository(oai, library):
    identify = oai(verb="Identify").find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == "http://testserver/oai"
    assert identify.findtext(f"{OAI}protocolVersion") == "2.0"
    assert identify.findtext(f"{OAI}earliestDatestamp") == "2024-01-10T08:00:00Z"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"


def test_identify_names_the_configured_contact(oai, library, settings):
    settings.CONTACT_EMAIL = "library@evidence.example.org"
    assert oai(verb="Identify").findtext(f"{OAI}Identify/{OAI}adminEmail") == (
        "library@evidence.example.org"
    )


def test_metadata_formats_are_oai_dc_and_datacite(oai, library):
    root = oai(verb="ListMetadataFormats")
    assert [e.text for e in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "datacite"]
    root = oai(verb="ListMetadataFormats", identifier=ID + "cambodia")
    assert [e.text for e in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "datacite"]


def test_sets_are_countries_subjects_and_types(oai, library):
    specs = {
        e.findtext(f"{OAI}setSpec"): e.findtext(f"{OAI}setName")
        for e in oai(verb="ListSets").iter(f"{OAI}set")
    }
    assert specs["country:KH"] == "Country KH"
    assert specs["subject:land-theft"] == "Land theft"
    assert specs["type:program-evaluation"] == "Program evaluation"
    assert {"country", "subject", "type"} <= specs.keys()


# --- records -----------------------------------------------------------------------------------
def test_list_records_has_published_studies_in_datestamp_order(oai, library):
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(root) == [ID + "cambodia", ID + "uganda"]
    assert [e.text for e in root.iter(f"{OAI}datestamp")] == [
        "2024-01-10T08:00:00Z",
        "2024-03-05T12:00:00Z",
    ]
    assert root.find(f"{OAI}ListRecords/{OAI}resumptionToken") is None  # one complete page


def test_oai_dc_record_holds_the_study(oai, library):
    root = oai(verb="GetRecord", identifier=ID + "cambodia", metadataPrefix="oai_dc")
    header = root.find(f".//{OAI}header")
    assert [e.text for e in header.iter(f"{OAI}setSpec")] == [
        "country:KH",
        "subject:sex-trafficking",
        "type:crime-prevalence-study",
    ]
    dc = root.find(f".//{OAI}metadata")[0]
    values = lambda name: [e.text for e in dc.iter(f"{DC}{name}")]  # noqa: E731
    assert values("title") == ["Cambodia <prevalence> & more"]
    assert values("creator") == ["Haarr, Robin", "International Justice Mission"]
    # A control character XML cannot carry is dropped, not sent broken.
    assert values("description") == ["Findings in brief."]
    assert values("date") == ["2018-05"]
    assert values("type") == ["Text", "Crime prevalence study"]
    assert values("identifier") == ["http://testserver/studies/cambodia/"]
    assert values("coverage") == ["Country KH"]
    assert values("subject") == ["Sex trafficking"]


def test_datacite_record_splits_names_and_types_dates(oai, library):
    root = oai(verb="GetRecord", identifier=ID + "cambodia", metadataPrefix="datacite")
    resource = root.find(f".//{OAI}metadata")[0]
    assert resource.tag == f"{DATACITE}resource"
    assert resource.find(f"{DATACITE}identifier").get("identifierType") == "URL"
    first = resource.find(f"{DATACITE}creators/{DATACITE}creator")
    assert first.findtext(f"{DATACITE}givenName") == "Robin"
    assert first.findtext(f"{DATACITE}familyName") == "Haarr"
    titles = resource.findall(f"{DATACITE}titles/{DATACITE}title")
    assert [(t.text, t.get("titleType")) for t in titles] == [
        ("Cambodia <prevalence> & more", None),
        ("Cambodia", "AlternativeTitle"),
    ]
    assert resource.find(f"{DATACITE}resourceType").get("resourceTypeGeneral") == "Report"
    dates = {d.get("dateType"): d.text for d in resource.iter(f"{DATACITE}date")}
    assert dates == {"Issued": "2018-05", "Updated": "2024-01-10"}


def test_drafts_are_not_records(oai, library):
    root = oai(verb="GetRecord", identifier=ID + "draft", metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"
    assert ID + "draft" not in identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))


@pytest.mark.parametrize(
    ("set_spec", "expected"),
    [
        ("country:KH", ["cambodia"]),
        ("country:kh", ["cambodia"]),
        ("subject:land-theft", ["uganda"]),
        ("type:program-evaluation", ["uganda"]),
        ("country", ["cambodia", "uganda"]),
    ],
)
def test_set_selects_its_studies(oai, library, set_spec, expected):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
    assert identifiers(root) == [ID + slug for slug in expected]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"from": "2024-03-05"}, ["uganda"]),
        ({"until": "2024-01-10"}, ["cambodia"]),  # the whole day
        ({"until": "2024-01-10T08:00:00Z"}, ["cambodia"]),  # the whole second
        ({"until": "2024-01-10T07:59:59Z"}, []),
        ({"from": "2024-01-10T08:00:00Z", "until": "2024-03-05T11:59:59Z"}, ["cambodia"]),
        ({"from": "2024-01-10T08:00:01Z"}, ["uganda"]),
    ],
)
def test_from_and_until_select_by_change_date(oai, library, arguments, expected):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **arguments)
    if expected:
        assert identifiers(root) == [ID + slug for slug in expected]
    else:
        assert error_code(root) == "noRecordsMatch"


def test_a_changed_study_gets_a_new_datestamp(oai, library):
    study = Study.objects.get(slug="cambodia")
    study.title = "Cambodia, revised"
    study.save()
    root = oai(
        verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": f"{timezone.now():%Y-%m-%d}"}
    )
    assert identifiers(root) == [ID + "cambodia"]


def test_post_is_answered_like_get(client, library):
    from .schemas import validated

    response = client.post("/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert identifiers(validated(response.content)) == [ID + "cambodia", ID + "uganda"]


# --- deleted records -----------------------------------------------------------------------------
@pytest.mark.parametrize("withdraw", ["delete", "unpublish", "rename"])
def test_a_study_that_goes_is_announced_deleted(oai, library, withdraw):
    study = Study.objects.get(slug="cambodia")
    if withdraw == "delete":
        study.delete()
    elif withdraw == "unpublish":
        study.status = Study.Status.DRAFT
        study.save()
    else:
        study.slug = "cambodia-2013"
        study.save()
    root = oai(verb="GetRecord", identifier=ID + "cambodia", metadataPrefix="oai_dc")
    header = root.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert root.find(f".//{OAI}metadata") is None
    listed = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="subject:land-theft")
    # Deletions reach every harvest, whatever its set.
    assert ID + "cambodia" in identifiers(listed)
    assert (
        error_code(oai(verb="ListMetadataFormats", identifier=ID + "cambodia"))
        == "noMetadataFormats"
    )


def test_publishing_again_ends_the_deletion(oai, library):
    study = Study.objects.get(slug="cambodia")
    study.status = Study.Status.DRAFT
    study.save()
    assert DeletedStudy.objects.filter(slug="cambodia").exists()
    study.status = Study.Status.PUBLISHED
    study.save()
    assert not DeletedStudy.objects.filter(slug="cambodia").exists()
    header = oai(verb="GetRecord", identifier=ID + "cambodia", metadataPrefix="oai_dc").find(
        f".//{OAI}header"
    )
    assert header.get("status") is None


def test_deleting_a_draft_announces_nothing(library):
    Study.objects.get(slug="draft").delete()
    assert not DeletedStudy.objects.exists()


# --- resumption tokens ---------------------------------------------------------------------------
@pytest.fixture
def pages_of_two(monkeypatch):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 2)


def test_tokens_page_through_every_record_once(oai, make_study, pages_of_two):
    for n in range(5):
        make_study(f"Study {n}", slug=f"s{n}")
    Study.objects.update(updated_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))  # ties
    seen, cursors, token = [], [], None
    while True:
        root = (
            oai(verb="ListRecords", resumptionToken=token)
            if token
            else oai(verb="ListRecords", metadataPrefix="datacite")
        )
        seen += identifiers(root)
        element = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        cursors.append((element.get("cursor"), element.get("completeListSize")))
        token = element.text
        if not token:
            break
    assert [i for i in seen if i.startswith(ID)] == [ID + f"s{n}" for n in range(5)]
    assert cursors == [("0", "5"), ("2", "5"), ("4", "5")]


def test_a_token_keeps_the_set_and_dates(oai, make_study, pages_of_two):
    for n in range(3):
        make_study(f"Cambodia {n}", slug=f"kh{n}", countries=["KH"])
        make_study(f"Uganda {n}", slug=f"ug{n}", countries=["UG"])
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="country:UG")
    token = first.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    second = oai(verb="ListIdentifiers", resumptionToken=token)
    assert identifiers(first) + identifiers(second) == [ID + f"ug{n}" for n in range(3)]


def test_a_token_survives_a_change_during_the_harvest(oai, make_study, pages_of_two):
    for n in range(4):
        make_study(f"Study {n}", slug=f"s{n}")
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    changed = Study.objects.get(slug="s0")
    changed.title = "Changed"
    changed.save()  # moves to the end of the list
    rest = []
    while token:
        root = oai(verb="ListIdentifiers", resumptionToken=token)
        rest += identifiers(root)
        token = root.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert set(identifiers(first) + rest) == {ID + f"s{n}" for n in range(4)}
    assert rest[-1] == ID + "s0"


@pytest.mark.parametrize("page_size", [2, 50])
def test_a_page_costs_the_same_queries_however_many_records(
    client, make_study, monkeypatch, page_size
):
    monkeypatch.setattr(protocol, "PAGE_SIZE", page_size)
    for n in range(page_size * 2):
        make_study(f"Study {n}", slug=f"s{n}", countries=["KH"], types=["a", "b"])
    with CaptureQueriesContext(connection) as first:
        response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    from .schemas import validated

    token = validated(response.content).findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
    with CaptureQueriesContext(connection) as resumed:
        client.get("/oai", {"verb": "ListRecords", "resumptionToken": token})
    # Counts (studies, deletions), then a page of each, with subject, authors, types, countries.
    assert len(first) == 7
    assert len(resumed) == 5


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "datacite"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-02-01",
                "until": "2024-01-01",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "country KH"}, "badArgument"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "GetRecord", "identifier": ID + "cambodia"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "made-up"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "made-up"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": ID + "cambodia", "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": ID + "nothing", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:elsewhere.org:studies/cambodia",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "cambodia"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "country:FR"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "colour:blue"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
            "noRecordsMatch",
        ),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_requests_get_their_error_code(oai, library, arguments, code, method):
    root = oai(method=method, **arguments)
    assert error_code(root) == code
    request = root.find(f"{OAI}request")
    # After badVerb and badArgument the request is not echoed (the protocol's rule).
    assert (request.attrib == {}) == (code in {"badVerb", "badArgument"})


def test_a_token_for_another_verb_or_edited_is_refused(oai, make_study, pages_of_two):
    for n in range(3):
        make_study(f"Study {n}", slug=f"s{n}")
    token = oai(verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
        f"{OAI}ListIdentifiers/{OAI}resumptionToken"
    )
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    assert (
        error_code(oai(verb="ListIdentifiers", resumptionToken=token[:-2] + "xx"))
        == "badResumptionToken"
    )


def test_an_expired_token_is_refused(oai, make_study, pages_of_two, monkeypatch):
    for n in range(3):
        make_study(f"Study {n}", slug=f"s{n}")
    token = oai(verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
        f"{OAI}ListIdentifiers/{OAI}resumptionToken"
    )
    monkeypatch.setattr(protocol, "TOKEN_LIFETIME", datetime.timedelta(seconds=-1))
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=token)) == "badResumptionToken"


def test_sets_are_supported_so_no_set_hierarchy_error_arises(oai, library):
    # noSetHierarchy is for repositories without sets; this one has them, so ListSets and a
    # set argument always work (the error code cannot occur).
    assert error_code(oai(verb="ListSets")) is None
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="country")) is None


def test_identifiers_follow_site_url_not_the_host_header(client, library, settings):
    from .schemas import validated

    settings.SITE_URL = "https://evidence.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    response = client.get(
        "/oai",
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        HTTP_HOST="attacker.example",
    )
    root = validated(response.content)
    assert identifiers(root)[0] == "oai:evidence.example.org:studies/cambodia"
    assert root.findtext(f"{OAI}request") == "https://evidence.example.org/oai"
