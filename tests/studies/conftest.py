"""Fixtures shared by the study library's tests."""

import datetime

import pytest

from studies.models import Study, Subject


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
