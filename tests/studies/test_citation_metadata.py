"""What a study and its authors carry for citations: publisher, citation key, language, rights,
ORCID iDs and ROR ids; each rule in the database and, with a message, in the admin."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from studies.identifiers import (
    normalise_language,
    normalise_orcid,
    normalise_ror,
    orcid_problem,
    ror_problem,
)
from studies.models import Author, Authorship, Study

from ..conftest import assign_citation_keys, check_deferred_rules
from .conftest import with_authors

ADD_URL = "/admin/studies/study/add/"


def refused_by(constraint: str):
    """The database refuses the write, naming the constraint or trigger."""
    return pytest.raises(IntegrityError, match=constraint)


def key_of(study: Study) -> str:
    study.refresh_from_db(fields=["citation_key"])
    return study.citation_key


# --- Citation keys ------------------------------------------------------------------------------
def test_key_is_first_authors_family_name_year_and_first_title_word(make_study, make_author):
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    study = make_study(
        "The Evaluation of a Program", authors=[haarr], month=datetime.date(2017, 8, 1)
    )
    assert study.citation_key == "haarr2017evaluation"


def test_key_of_an_organisation_uses_its_short_name(make_study, make_author):
    ijm = make_author("International Justice Mission", alternate_names="IJM, I.J.M.")
    lab = make_author("University of Nottingham Rights Lab")
    assert make_study("Scale of Harm", authors=[ijm, lab]).citation_key == "ijm2018scale"
    assert make_study("Scale of Harm", authors=[lab, ijm]).citation_key == "university2018scale"


def test_key_is_ascii_letters_and_digits(make_study, make_author):
    author = make_author("Zoë Ōkubo-Śmith", kind=Author.Kind.PERSON, slug="okubo")
    study = make_study("The “Ñandú” study", authors=[author])
    assert study.citation_key == "okubosmith2018nandu"


def test_a_taken_key_gets_the_next_number(make_study, make_author):
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    keys = [make_study("Same title", authors=[haarr]).citation_key for _ in range(3)]
    assert keys == ["haarr2018same", "haarr2018same-2", "haarr2018same-3"]


def test_a_draft_gets_its_key_with_its_first_author(make_study, make_author):
    draft = make_study("Draft", status=Study.Status.DRAFT)
    assert draft.citation_key == ""
    Authorship.objects.create(study=draft, author=make_author("Robin Haarr", kind="person"))
    assign_citation_keys()
    assert key_of(draft) == "haarr2018draft"


def test_key_is_never_remade_when_the_study_changes(make_study, make_author):
    study = make_study("Scale of Harm", authors=[make_author("International Justice Mission")])
    study.title = "A New Title"
    study.save()
    study.authorships.all().delete()
    Authorship.objects.create(study=study, author=make_author("Robin Haarr", kind="person"))
    assign_citation_keys()
    assert key_of(study) == "international2018scale"


def test_a_cleared_key_is_made_again(make_study):
    study = make_study("Scale of Harm")
    Study.objects.filter(pk=study.pk).update(citation_key="")
    assign_citation_keys()
    assert key_of(study) == "study2018scale"


def test_database_refuses_a_malformed_key(make_study):
    study = make_study()
    with refused_by("study_citation_key_is_well_formed"), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(citation_key="Has Spaces")


def test_database_refuses_a_key_twice(make_study):
    first, second = make_study(), make_study()
    with refused_by("study_citation_key_is_unique"), transaction.atomic():
        Study.objects.filter(pk=second.pk).update(citation_key=first.citation_key)


def test_curator_key_is_lower_cased_and_checked(make_study):
    first, second = make_study(), make_study()
    second.citation_key = " IJM2023Scale "
    second.full_clean()
    assert second.citation_key == "ijm2023scale"
    second.citation_key = "ijm 2023"
    with pytest.raises(ValidationError, match="ijm2023scale"):
        second.full_clean()
    second.citation_key = first.citation_key
    with pytest.raises(ValidationError, match="Another study already has this citation key"):
        second.full_clean()


def test_migration_fills_existing_keys_in_id_order(make_study, make_author):
    """Migration 0016 gives every study with an author its key: the same run twice."""
    migration = importlib.import_module("studies.migrations.0017_citation_metadata")
    haarr = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    studies = [make_study("Same title", authors=[haarr]) for _ in range(3)]
    draft = make_study("No author yet", status=Study.Status.DRAFT)
    with connection.cursor() as cursor:
        # The trigger's own runs wait for the commit, and then find every key made.
        cursor.execute("UPDATE studies_study SET citation_key = ''")
        cursor.execute(migration.FILL_EXISTING_KEYS)
    assert [key_of(study) for study in studies] == [
        "haarr2018same",
        "haarr2018same-2",
        "haarr2018same-3",
    ]
    assert key_of(draft) == ""


# --- Publisher -----------------------------------------------------------------------------------
def test_a_person_cannot_publish(make_study, make_author):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    study = make_study(authors=[person])
    study.publisher = person
    with pytest.raises(ValidationError, match="A publisher is an organisation"):
        study.full_clean()
    study.save()
    with refused_by("is “Robin Haarr”, a person"):
        check_deferred_rules()


def test_a_publisher_stays_an_organisation(make_study, make_author):
    ijm = make_author("International Justice Mission")
    make_study(authors=[ijm], publisher=ijm)
    check_deferred_rules()
    ijm.kind, ijm.family_name = Author.Kind.PERSON, "Mission"
    ijm.save()
    with refused_by("so it stays an organisation"):
        check_deferred_rules()


def test_a_publisher_cannot_be_deleted_while_it_publishes(make_study, make_author):
    ijm, other = make_author("International Justice Mission"), make_author("Other")
    make_study(authors=[other], publisher=ijm)
    with pytest.raises(ProtectedError):
        ijm.delete()


# --- Language, rights ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"), [("EN-us", "en-US"), ("en_GB", "en-GB"), ("es-419", "es-419"), ("", "en")]
)
def test_language_is_stored_as_a_bcp47_tag(make_study, typed, stored):
    study = make_study()
    study.language = typed
    study.full_clean()
    assert study.language == stored


@pytest.mark.parametrize("typed", ["English", "xx", "en--US", "12"])
def test_a_language_that_is_not_a_tag_is_refused(make_study, typed):
    study = make_study()
    study.language = typed
    with pytest.raises(ValidationError, match="BCP 47"):
        study.full_clean()


def test_database_refuses_a_language_that_is_not_a_tag(make_study):
    study = make_study()
    with refused_by("study_language_is_a_language_tag"), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(language="English")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/licence"])
def test_licence_url_must_be_http(make_study, url):
    study = make_study()
    study.license_url = url
    with pytest.raises(ValidationError):
        study.full_clean()
    with refused_by("study_license_url_is_http"), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(license_url=url)


# --- ORCID and ROR ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
        " 0000000218250097 ",
        "http://www.orcid.org/0000-0002-1825-0097",
    ],
)
def test_orcid_is_stored_in_its_canonical_form(typed):
    assert normalise_orcid(typed) == "0000-0002-1825-0097"
    assert orcid_problem(normalise_orcid(typed)) is None


def test_orcid_with_x_check_character_is_valid():
    assert orcid_problem(normalise_orcid("0000-0002-1694-233x")) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0000-0002-1825-0098", "fails its check digit"),
        ("0000-0002-1825", "16 digits"),
        ("orcid", "16 digits"),
    ],
)
def test_a_wrong_orcid_is_refused_with_a_reason(make_author, typed, problem):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    person.orcid = typed
    with pytest.raises(ValidationError, match=problem):
        person.full_clean()


def test_an_organisation_has_no_orcid(make_author):
    ijm = make_author("International Justice Mission")
    ijm.orcid = "0000-0002-1825-0097"
    with pytest.raises(ValidationError, match="Only people have an ORCID"):
        ijm.full_clean()
    with refused_by("author_orcid_is_a_persons_orcid"), transaction.atomic():
        ijm.save()


def test_database_refuses_one_orcid_for_two_authors(make_author):
    make_author("Robin Haarr", kind=Author.Kind.PERSON, orcid="0000-0002-1825-0097")
    with refused_by("author_orcid_is_unique"), transaction.atomic():
        make_author("R. Haarr", kind=Author.Kind.PERSON, orcid="0000-0002-1825-0097")


@pytest.mark.parametrize(
    "typed",
    ["03yrm5c26", "https://ror.org/03yrm5c26", "ror.org/03YRM5C26", " http://ror.org/03yrm5c26"],
)
def test_ror_is_stored_as_its_address(typed):
    assert normalise_ror(typed) == "https://ror.org/03yrm5c26"
    assert ror_problem(normalise_ror(typed)) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("03yrm5c27", "fails its check digits"), ("13yrm5c26", "a 0, six letters"), ("x", "ROR id")],
)
def test_a_wrong_ror_is_refused_with_a_reason(make_author, typed, problem):
    ijm = make_author("International Justice Mission")
    ijm.ror = typed
    with pytest.raises(ValidationError, match=problem):
        ijm.full_clean()


def test_database_refuses_a_ror_on_a_person_or_malformed(make_author):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    person.ror = "https://ror.org/03yrm5c26"
    with refused_by("author_ror_is_an_organisations_ror"), transaction.atomic():
        person.save()
    ijm = make_author("International Justice Mission")
    ijm.ror = "03yrm5c26"  # the bare id: only the address is stored
    with refused_by("author_ror_is_an_organisations_ror"), transaction.atomic():
        ijm.save()


def test_language_normalisation_keeps_text_it_cannot_read():
    assert normalise_language("not a language") == "not a language"


# --- The admin ----------------------------------------------------------------------------------
def test_admin_adds_a_study_with_its_citation_metadata(admin_client, study_data, make_author):
    ijm = make_author("International Justice Mission", alternate_names="IJM")
    response = admin_client.post(
        ADD_URL,
        study_data(
            publisher=ijm.pk,
            citation_key="",
            language="es",
            rights="CC BY 4.0",
            license_url="https://creativecommons.org/licenses/by/4.0/",
            **with_authors((1, ijm)),
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    study = Study.objects.get(slug="ijm-cambodia")
    assert (study.publisher, study.language, study.rights) == (ijm, "es", "CC BY 4.0")
    assign_citation_keys()
    assert key_of(study) == "ijm2018commercial"


def test_admin_form_shows_the_citation_fields(admin_client, db):
    html = admin_client.get(ADD_URL).content.decode()
    for field in ["publisher", "citation_key", "language", "rights", "license_url"]:
        assert f'name="{field}"' in html
    assert '<h2 id="fieldset-0-4-heading" class="fieldset-heading">Citation</h2>' in html or (
        ">Citation</h2>" in html
    )


def test_admin_refuses_a_person_as_publisher(admin_client, study_data, make_author):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    response = admin_client.post(
        ADD_URL, study_data(publisher=person.pk, **with_authors((1, person)))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # people are not offered


def test_admin_says_why_a_language_is_refused(admin_client, study_data, make_author):
    response = admin_client.post(
        ADD_URL, study_data(language="English", **with_authors((1, make_author())))
    )
    assert response.status_code == 200
    assert "BCP 47 code" in response.content.decode()


def test_admin_says_why_an_orcid_is_refused(admin_client, make_author):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    response = admin_client.post(
        f"/admin/studies/author/{person.pk}/change/",
        {
            "name": person.name,
            "slug": person.slug,
            "kind": "person",
            "family_name": "Haarr",
            "given_names": "Robin",
            "alternate_names": "",
            "orcid": "0000-0002-1825-0098",
            "ror": "",
        },
    )
    assert response.status_code == 200
    assert "fails its check digit" in response.content.decode()


def test_admin_stores_an_orcid_pasted_as_an_address(admin_client, make_author):
    person = make_author("Robin Haarr", kind=Author.Kind.PERSON)
    response = admin_client.post(
        f"/admin/studies/author/{person.pk}/change/",
        {
            "name": person.name,
            "slug": person.slug,
            "kind": "person",
            "family_name": "Haarr",
            "given_names": "Robin",
            "alternate_names": "",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "ror": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.orcid == "0000-0002-1825-0097"


def test_making_the_key_records_no_history_event(make_study):
    study = make_study("Scale of Harm")
    assert study.citation_key
    assert list(study.events.values_list("pgh_label", flat=True)) == ["insert"]


def test_a_raw_insert_naming_no_new_column_gets_the_defaults(make_study):
    """Writers that predate these columns (raw SQL, COPY) still insert; the key comes at commit."""
    template = make_study()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO studies_study (title, short_title, slug, description, publication_month,
                                       subject_id, status, pdf, external_url, is_multi_country,
                                       created_at, updated_at, country_codes, type_slugs,
                                       author_slugs)
            SELECT 'Raw', '', 'raw', '', publication_month, subject_id, 'draft', '', '', false,
                   now(), now(), '{}', '{}', '{}'
              FROM studies_study WHERE id = %s
            RETURNING language, citation_key, rights, license_url
            """,
            [template.pk],
        )
        assert cursor.fetchone() == ("en", "", "", "")
