"""Fixtures shared by the study library's tests."""

import datetime

import pytest

from studies.models import ResourceType, Study, Subject


@pytest.fixture
def library(make_study, make_author):
    """Six studies: Cambodia (3, one multi-country), the Philippines, Uganda, and a draft."""
    ijm = make_author("International Justice Mission", alternate_names="IJM")
    haarr = make_author("Robin Haarr", kind="person")
    make_study(
        "Cambodia prevalence", countries=["KH"], authors=[ijm], month=datetime.date(2013, 3, 1)
    )
    make_study(
        "Cambodia evaluation",
        countries=["KH"],
        authors=[haarr],
        types=["program-evaluation"],
        month=datetime.date(2015, 12, 1),
    )
    make_study(
        "Philippines evaluation",
        countries=["PH"],
        authors=[haarr, ijm],
        types=["program-evaluation"],
        month=datetime.date(2017, 8, 1),
    )
    land = Subject.objects.create(name="Land theft", slug="land-theft")
    make_study("Uganda widows", countries=["UG"], subject=land, month=datetime.date(2014, 10, 1))
    make_study("Justice Review", countries=["KH", "TH"])
    make_study("Draft study", countries=["KH"], status=Study.Status.DRAFT)


# --- The admin's study form ------------------------------------------------------------------


@pytest.fixture
def subject(db):
    return Subject.objects.create(name="Sex trafficking", slug="sex-trafficking")


@pytest.fixture
def resource_type(db):
    return ResourceType.objects.create(name="Crime prevalence study", slug="crime-prevalence-study")


@pytest.fixture
def study_data(subject, resource_type):
    """The add form's fields, without authors (see `with_authors`)."""

    def data(**fields):
        return {
            "title": "Commercial sexual exploitation of children in Cambodia",
            "short_title": "IJM Cambodia",
            "slug": "ijm-cambodia",
            "description": "",
            "publication_month": "2018-05",
            "resource_types": [resource_type.pk],
            "subject": subject.pk,
            "status": "draft",
            "pdf": "",
            "external_url": "",
            **with_authors(),
            **fields,
        }

    return data


NO_FILES = {
    "files-TOTAL_FORMS": "0",
    "files-INITIAL_FORMS": "0",
    "files-MIN_NUM_FORMS": "0",
    "files-MAX_NUM_FORMS": "1000",
}


def with_authors(*rows, initial=0, study=None):
    """The inline's form data: `rows` are (position, author) or (position, author, authorship)."""
    data = {
        "authorships-TOTAL_FORMS": str(len(rows)),
        "authorships-INITIAL_FORMS": str(initial),
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        # The files inline, left empty (tests/studies/test_study_file_model.py fills it).
        **NO_FILES,
    }
    for index, (position, author, *existing) in enumerate(rows):
        data[f"authorships-{index}-position"] = str(position)
        data[f"authorships-{index}-author"] = str(author.pk)
        if existing:
            data[f"authorships-{index}-id"] = str(existing[0].pk)
        if study is not None:
            data[f"authorships-{index}-study"] = str(study.pk)
    return data
