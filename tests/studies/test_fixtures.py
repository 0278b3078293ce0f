"""The demo fixture (fixtures/studies.json) holds the organisation's 26 studies, true to the seed.

The seed is the text of the organisation's study listing. In development it lives in the shared
folder beside the project; in CI the shared folder is a copy beside the clone. Either way it is
`BASE_DIR.parent / "shared/seed/…"`; tests that read it skip (with the reason) when it is missing.
"""

import datetime
import io
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError
from django.db.models import Count, Q

from studies.models import Author, Authorship, Country, ResourceType, Study, Subject
from studies.querysets import MULTI_COUNTRY

SEED_PATH = Path(settings.BASE_DIR).parent / "shared/seed/000_358f1baf345cf3c2.txt"
FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "studies.json"

MONTHS = {
    name: number
    for number, name in enumerate(
        [
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
        ],
        start=1,
    )
}


@dataclass(frozen=True)
class SeedEntry:
    title: str
    short_title: str
    description: str
    authors: str
    resource_types: tuple[str, ...]
    month: datetime.date
    country: str
    subject: str


def _field(line: str, label: str) -> list[str]:
    """The values of a `LABEL | a | b |` line."""
    assert line.startswith(f"{label} |"), f"expected {label!r}, got {line!r}"
    return [part.strip() for part in line[len(label) + 2 :].split("|") if part.strip()]


def parse_seed(text: str) -> list[SeedEntry]:
    """The study entries that follow the line “26 studies found”.

    Each entry: its title; an optional short title ending with “:”; optional description lines
    (a line ending with “:” there is a link label such as “Explore the ASO Tool:”, not
    description); then the AUTHOR, RESOURCE TYPE, PUBLICATION DATE, COUNTRY and SUBJECT lines.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines[lines.index("26 studies found") + 1 :] if line]
    entries, block = [], []
    for line in lines:
        block.append(line)
        if not line.startswith("SUBJECT |"):
            continue
        title, *middle, author, types, date, country, subject = block
        short_title = middle.pop(0)[:-1] if middle and middle[0].endswith(":") else ""
        month_name, year = (part.strip() for part in _field(date, "PUBLICATION DATE")[0].split(","))
        entries.append(
            SeedEntry(
                title=title,
                short_title=short_title,
                description="\n\n".join(line for line in middle if not line.endswith(":")),
                authors=_field(author, "AUTHOR")[0],
                resource_types=tuple(_field(types, "RESOURCE TYPE")),
                month=datetime.date(int(year), MONTHS[month_name], 1),
                country=_field(country, "COUNTRY")[0],
                subject=_field(subject, "SUBJECT")[0],
            )
        )
        block = []
    assert not block, f"unterminated entry at the end of the seed: {block}"
    return entries


def scale_of_harm_summary(text: str) -> str:
    """The three paragraphs of the seed's “Scale of Harm Summary Report” section."""
    lines = text.splitlines()
    start = lines.index("Scale of Harm Summary Report") + 1
    paragraphs = lines[start : start + 3]
    assert paragraphs[0].startswith("IJM undertook the Scale of Harm study")
    assert paragraphs[-1].endswith("for profit.")
    return "\n\n".join(paragraphs)


@pytest.fixture(scope="module")
def seed_text():
    if not SEED_PATH.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"seed file not found at {SEED_PATH} (the shared folder sits beside the clone)"
            )
        pytest.skip(f"seed file not found at {SEED_PATH} (the shared folder sits beside the clone)")
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_entries(seed_text):
    return parse_seed(seed_text)


def study_titled(title):
    return Study.objects.published().get(title=title)


def author_list(study):
    return [
        (a.author.slug, a.author.name, a.author.kind)
        for a in study.authorships.select_related("author").order_by("position")
    ]


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Country,
            Subject,
            ResourceType,
            Author,
            Study,
            Authorship,
            Study.resource_types.through,
            Study.countries.through,
        )
    }


# --- (1) Every seed entry, as one published study --------------------------------------------


def test_the_seed_lists_26_studies(seed_entries):
    assert len(seed_entries) == 26
    assert len({entry.title for entry in seed_entries}) == 26


def test_every_seed_title_is_exactly_one_published_study(demo_data, seed_entries):
    assert Study.objects.count() == 26
    assert Study.objects.published().count() == 26
    for entry in seed_entries:
        assert Study.objects.published().filter(title=entry.title).count() == 1, entry.title
    assert set(Study.objects.values_list("title", flat=True)) == {e.title for e in seed_entries}


def test_each_study_matches_its_seed_entry(demo_data, seed_entries, seed_text):
    for entry in seed_entries:
        study = study_titled(entry.title)
        assert study.short_title == entry.short_title, entry.title
        expected_description = entry.description
        if entry.title == "Scale of Harm":
            # Its list entry has no description; the seed's intro section describes it.
            assert expected_description == ""
            expected_description = scale_of_harm_summary(seed_text)
        assert study.description == expected_description, entry.title
        assert sorted(study.resource_types.values_list("name", flat=True)) == sorted(
            entry.resource_types
        ), entry.title
        assert study.publication_month == entry.month, entry.title
        assert study.subject.name == entry.subject, entry.title
        countries = set(study.countries.values_list("name", flat=True))
        if entry.country == "Multiple Countries":
            assert study.covers_multiple_countries, entry.title
            assert entry.country not in countries
        else:
            assert not study.covers_multiple_countries, entry.title
            assert countries == {entry.country}, entry.title
        assert study.authorships.exists(), entry.title
        assert study.external_url == "" and not study.pdf, entry.title


def test_vocabulary_names_are_the_seeds(demo_data, seed_entries):
    assert set(Subject.objects.values_list("name", flat=True)) == {e.subject for e in seed_entries}
    assert set(ResourceType.objects.values_list("name", flat=True)) == {
        name for e in seed_entries for name in e.resource_types
    }
    named = {e.country for e in seed_entries} - {"Multiple Countries"}
    # India is named only in the (multi-country) Justice Review.
    assert set(Country.objects.values_list("name", flat=True)) == named | {"India"}


def test_author_positions_run_from_one_without_gaps(demo_data):
    for study in Study.objects.all():
        positions = list(study.authorships.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), study.slug


def test_study_slugs_are_short_and_readable(demo_data):
    for slug in Study.objects.values_list("slug", flat=True):
        assert len(slug) <= 80, slug
        assert slug == slug.lower() and " " not in slug, slug


# --- (2) Counts by country, subject, type, year (counted by hand from the seed) ---------------

EXPECTED_BY_COUNTRY = {
    "PH": 7,
    "KH": 5,  # 4 Cambodian studies and the Justice Review
    "UG": 4,
    "GT": 3,
    "TH": 2,  # Not In The Same Boat and the Justice Review
    "GH": 2,  # Lake Volta and the Justice Review
    "AU": 1,
    "DO": 1,
    "IN": 1,  # the Justice Review
}
EXPECTED_MULTI_COUNTRY = 4
EXPECTED_BY_SUBJECT = {
    "sex-trafficking": 9,
    "land-theft": 4,
    "forced-labour": 4,
    "sexual-violence-against-children": 3,
    "cybersex-trafficking-of-children": 2,
    "modern-slavery-in-supply-chains": 1,
    "assessment-of-survivor-outcomes": 1,
    "child-sex-trafficking-in-metro-manila": 1,
    "policy-recommendations-on-child-sexual-assault": 1,
}
EXPECTED_BY_TYPE = {
    "crime-prevalence-study": 8,
    "article-or-white-paper": 6,
    "program-evaluation": 4,
    "other-study-type": 3,
    "endline-study": 2,
    "public-justice-system-performance-study": 2,
    "validation-study": 1,
    "impact-study": 1,
}
EXPECTED_BY_YEAR = {
    2023: 1,
    2022: 1,
    2020: 1,
    2018: 7,
    2017: 3,
    2016: 3,
    2015: 2,
    2014: 2,
    2013: 2,
    2012: 1,
    2011: 2,
    2010: 1,
}
EXPECTED_BY_AUTHOR = {
    "international-justice-mission": 20,
    "robin-haarr": 2,
    "university-of-nottingham-rights-lab": 1,
    "ijm-australia": 1,
    "tip-office": 1,
    "iacat": 1,
    "ars-progetti": 1,
    "issara-institute": 1,
    "kirsten-singleton": 1,
    "katrina-b-stone": 1,
    "julie-stricker": 1,
    "andrew-jones-and-associates": 1,
}


def _counts(model, key):
    published = Q(studies__status=Study.Status.PUBLISHED)
    return dict(model.objects.annotate(n=Count("studies", filter=published)).values_list(key, "n"))


def test_the_hand_counts_add_up():
    assert sum(EXPECTED_BY_SUBJECT.values()) == 26
    assert sum(EXPECTED_BY_YEAR.values()) == 26
    assert sum(EXPECTED_BY_TYPE.values()) == 27  # one study has two types
    # Single-country studies, plus the multi-country ones (one of which names four countries).
    assert sum(EXPECTED_BY_COUNTRY.values()) - 4 + EXPECTED_MULTI_COUNTRY == 26


def test_counts_by_country(demo_data):
    assert _counts(Country, "code") == EXPECTED_BY_COUNTRY
    assert Study.objects.published().filter(MULTI_COUNTRY).count() == EXPECTED_MULTI_COUNTRY


def test_counts_by_subject(demo_data):
    assert _counts(Subject, "slug") == EXPECTED_BY_SUBJECT


def test_counts_by_type(demo_data):
    assert _counts(ResourceType, "slug") == EXPECTED_BY_TYPE


def test_counts_by_year(demo_data):
    years = Counter(
        d.year for d in Study.objects.published().values_list("publication_month", flat=True)
    )
    assert dict(years) == EXPECTED_BY_YEAR


def test_counts_by_author(demo_data):
    counts = dict(Author.objects.annotate(n=Count("authorships")).values_list("slug", "n"))
    assert counts == EXPECTED_BY_AUTHOR
    assert Authorship.objects.count() == 32


def test_counts_match_the_seed(demo_data, seed_entries):
    """The hand counts above, recounted from the parsed seed."""
    subjects = Counter(e.subject for e in seed_entries)
    assert {Subject.objects.get(name=n).slug: c for n, c in subjects.items()} == EXPECTED_BY_SUBJECT
    types = Counter(name for e in seed_entries for name in e.resource_types)
    assert {ResourceType.objects.get(name=n).slug: c for n, c in types.items()} == EXPECTED_BY_TYPE
    assert dict(Counter(e.month.year for e in seed_entries)) == EXPECTED_BY_YEAR
    countries = Counter(e.country for e in seed_entries)
    assert countries.pop("Multiple Countries") == EXPECTED_MULTI_COUNTRY
    single = {Country.objects.get(name=n).code: c for n, c in countries.items()}
    named_in_justice_review = {"IN", "GH", "TH", "KH"}
    for code in named_in_justice_review:
        single[code] = single.get(code, 0) + 1
    assert single == EXPECTED_BY_COUNTRY


# --- (3) Individual studies in detail ----------------------------------------------------------

IJM = ("international-justice-mission", "International Justice Mission", "organisation")


def test_scale_of_harm(demo_data):
    study = Study.objects.get_by_natural_key("scale-of-harm")
    assert study.title == "Scale of Harm"
    assert study.short_title == ""
    assert study.description.startswith("IJM undertook the Scale of Harm study over the course")
    assert study.description.endswith("(CSEM) for profit.")
    assert study.description.count("\n\n") == 2
    assert study.publication_month == datetime.date(2023, 9, 1)
    assert author_list(study) == [
        IJM,
        (
            "university-of-nottingham-rights-lab",
            "University of Nottingham Rights Lab",
            "organisation",
        ),
    ]
    assert list(study.countries.values_list("code", flat=True)) == ["PH"]
    assert study.subject.slug == "cybersex-trafficking-of-children"
    assert list(study.resource_types.values_list("slug", flat=True)) == ["crime-prevalence-study"]


def test_lake_volta_has_three_people_in_order(demo_data):
    study = study_titled("Child Trafficking into Forced Labour on Lake Volta, Ghana")
    assert study.short_title == "IJM Ghana Report"
    assert author_list(study) == [
        ("kirsten-singleton", "Kirsten Singleton", "person"),
        ("katrina-b-stone", "Katrina B. Stone", "person"),
        ("julie-stricker", "Julie Stricker", "person"),
    ]
    stone = Author.objects.get_by_natural_key("katrina-b-stone")
    assert (stone.given_names, stone.family_name) == ("Katrina B.", "Stone")
    assert stone.is_person


def test_ijm_and_international_justice_mission_are_one_author(demo_data):
    ijm = Author.objects.get_by_natural_key("international-justice-mission")
    assert ijm.name == "International Justice Mission"
    assert ijm.kind == Author.Kind.ORGANISATION
    assert ijm.alternate_names == "IJM"
    assert not Author.objects.filter(name="IJM").exists()
    # Credited as “IJM” in one entry and “International Justice Mission” in others: one row.
    osec = study_titled("Online Sexual Exploitation of Children in the Philippines")
    assert author_list(osec) == [
        IJM,
        ("tip-office", "TIP Office", "organisation"),
        ("iacat", "IACAT", "organisation"),
    ]
    manila = study_titled("Child Sex Trafficking in Metro Manila")
    assert manila.authors.get() == ijm


def test_ijm_australia_is_a_different_organisation(demo_data):
    australia = Author.objects.get_by_natural_key("ijm-australia")
    assert australia.name == "IJM Australia"
    assert australia.kind == Author.Kind.ORGANISATION
    spot_fires = study_titled("Spot Fires In Supply Chains")
    assert list(spot_fires.authors.all()) == [australia]
    assert spot_fires.subject.name == "Modern Slavery in Supply Chains"
    assert list(spot_fires.countries.values_list("code", flat=True)) == ["AU"]


def test_not_in_the_same_boat(demo_data):
    study = study_titled("Not In The Same Boat")
    assert study.short_title == "IJM Not In The Same Boat"
    assert author_list(study) == [("issara-institute", "Issara Institute", "organisation"), IJM]
    assert list(study.countries.values_list("code", flat=True)) == ["TH"]


def test_robin_haarr_is_one_person_without_the_honorific(demo_data):
    haarr = Author.objects.get_by_natural_key("robin-haarr")
    assert (haarr.name, haarr.given_names, haarr.family_name) == ("Robin Haarr", "Robin", "Haarr")
    assert haarr.is_person
    assert set(haarr.studies.values_list("publication_month__year", flat=True)) == {2015, 2017}
    assert not Author.objects.filter(name__startswith="Dr").exists()


def test_property_grabbing_has_two_types_and_keeps_the_seed_spelling(demo_data):
    study = study_titled(
        "Property Grabbing from Ugandan Widows and the Public Justice System Response"
    )
    assert study.short_title == "IJM Propery Grabbing From Ugandan Widows And The Justice System"
    assert set(study.resource_types.values_list("slug", flat=True)) == {
        "crime-prevalence-study",
        "public-justice-system-performance-study",
    }
    assert study.publication_month == datetime.date(2014, 10, 1)
    assert study.subject.slug == "land-theft"


def test_justice_review_names_its_countries(demo_data):
    """Multi-country by the four countries it names, not by the box (never both)."""
    study = study_titled("Justice Review: A Journal of Protection and Justice for the Poor")
    assert study.covers_multiple_countries
    assert not study.is_multi_country
    assert set(study.countries.values_list("code", flat=True)) == {"IN", "GH", "TH", "KH"}
    assert study.subject.name == "Forced Labour"


def test_other_multi_country_studies_name_no_country(demo_data):
    for title in [
        "Assessment of Survivor Outcomes Validation Study (ASO)",
        "Child Sexual Assault: Practice and Learnings",
        "Sex Trafficking, Law Enforcement and Perpetrator Accountability",
    ]:
        study = study_titled(title)
        assert study.is_multi_country, title
        assert not study.countries.exists(), title


def test_aso_link_label_is_not_description(demo_data):
    study = study_titled("Assessment of Survivor Outcomes Validation Study (ASO)")
    assert study.short_title == "ASO Validation Study"
    assert "Explore the ASO Tool" not in study.description
    assert study.description.startswith("The Assessment of Survivor Outcomes (ASO) tool")


def test_country_aliases(demo_data):
    assert Country.objects.get_by_natural_key("DO").aliases == "DR"
    assert Country.objects.get_by_natural_key("PH").aliases == "Philippine, Filipino"


# --- (4) Loading twice changes nothing ----------------------------------------------------------


def test_loading_twice_changes_no_counts(demo_data):
    before = table_counts()
    study_ids = dict(Study.objects.values_list("slug", "pk"))
    authorship_ids = sorted(Authorship.objects.values_list("pk", flat=True))
    call_command("load_demo_data", verbosity=0)
    assert table_counts() == before
    assert before["Study"] == 26
    assert dict(Study.objects.values_list("slug", "pk")) == study_ids
    assert sorted(Authorship.objects.values_list("pk", flat=True)) == authorship_ids


def test_loading_again_keeps_edited_rows(uncited_demo_study):
    # A study no program cites: a cited one cannot become a draft.
    edited = Study.objects.filter(pk=uncited_demo_study.pk)
    edited.update(title="Edited", status=Study.Status.DRAFT)
    call_command("load_demo_data", verbosity=0)
    study = edited.get()
    assert (study.title, study.status) == ("Edited", Study.Status.DRAFT)
    assert Study.objects.count() == 26


def test_the_demo_loads_nothing_into_a_library_of_ones_own(make_study):
    make_study("Our own study")
    call_command("load_demo_data", stdout=io.StringIO())
    assert list(Study.objects.values_list("title", flat=True)) == ["Our own study"]


# --- (5) The load is atomic -----------------------------------------------------------------------


# The missing subject is deferred as a forward reference, so the save fails on the NOT NULL column.
BROKEN_LOAD_ERRORS = (IntegrityError, DeserializationError)


def _broken_copy(tmp_path):
    """The fixture with an edit near the start and, near the end, a subject that does not exist."""
    objects = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    studies = [o for o in objects if o["model"] == "studies.study"]
    studies[0]["fields"]["title"] = "Changed by the broken fixture"
    objects.insert(0, {"model": "studies.subject", "fields": {"slug": "new", "name": "New"}})
    studies[-1]["fields"]["subject"] = ["no-such-subject"]
    path = tmp_path / "broken_studies.json"
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path, studies[0]["fields"]["slug"]


def test_a_broken_fixture_loads_nothing_into_an_empty_database(db, tmp_path):
    path, _ = _broken_copy(tmp_path)
    with pytest.raises(BROKEN_LOAD_ERRORS, match="subject"):
        call_command("loaddata", str(path), verbosity=0)
    assert set(table_counts().values()) == {0}


def test_a_broken_fixture_leaves_loaded_data_unchanged(demo_data, tmp_path):
    before = table_counts()
    titles = dict(Study.objects.values_list("slug", "title"))
    path, first_slug = _broken_copy(tmp_path)
    with pytest.raises(BROKEN_LOAD_ERRORS, match="subject"):
        call_command("loaddata", str(path), verbosity=0)
    assert table_counts() == before
    assert dict(Study.objects.values_list("slug", "title")) == titles
    assert titles[first_slug] != "Changed by the broken fixture"
    assert not Subject.objects.filter(slug="new").exists()
