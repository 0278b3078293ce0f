"""The library's rules that live in the database: each one is broken here once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from studies.models import Authorship, Country, Study, Subject


def test_study_slug_is_unique(make_study):
    make_study(slug="scale-of-harm")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(slug="scale-of-harm")


def test_publication_month_must_be_first_day_in_database(make_study):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(month=datetime.date(2018, 5, 17))


def test_clean_moves_publication_day_to_first_of_month(make_study):
    study = make_study(month=datetime.date(2018, 5, 1))
    study.publication_month = datetime.date(2019, 7, 23)
    study.clean()
    assert study.publication_month == datetime.date(2019, 7, 1)


def test_country_code_is_unique(db):
    Country.objects.create(code="KH", name="Cambodia")
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(code="KH", name="Kampuchea")


def test_country_code_must_be_two_capital_letters(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(code="kh", name="Cambodia")


def test_country_validation_normalises_code_case(db):
    country = Country(code="kh", name="Cambodia")
    country.full_clean()
    assert country.code == "KH"


def test_two_authors_cannot_share_a_position(make_study, make_author):
    study = make_study(authors=[make_author("International Justice Mission")])
    other = make_author("Robin Haarr", kind="person")
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(study=study, author=other, position=1)


def test_an_author_is_listed_once_per_study(make_study, make_author):
    ijm = make_author("International Justice Mission")
    study = make_study(authors=[ijm])
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(study=study, author=ijm, position=2)


def test_person_author_needs_family_name(make_author):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_author("Robin", kind="person", family_name="")


def test_duplicate_authorship_is_a_validation_message(make_study, make_author):
    ijm = make_author("International Justice Mission")
    study = make_study(authors=[ijm])
    with pytest.raises(ValidationError, match="already listed"):
        Authorship(study=study, author=ijm, position=2).full_clean()


def test_authors_keep_their_order(make_study, make_author):
    people = [make_author(name, kind="person") for name in ["Kirsten Singleton", "Katrina Stone"]]
    study = make_study(authors=people)
    names = [a.author.name for a in study.authorships.order_by("position")]
    assert names == ["Kirsten Singleton", "Katrina Stone"]


def test_subject_in_use_cannot_be_deleted(make_study):
    study = make_study()
    with pytest.raises(ProtectedError):
        Subject.objects.filter(pk=study.subject_id).delete()


def test_only_published_studies_are_public(make_study):
    make_study("Public", status=Study.Status.PUBLISHED)
    make_study("Hidden", status=Study.Status.DRAFT)
    assert [s.title for s in Study.objects.published()] == ["Public"]


def test_download_url_prefers_uploaded_pdf(make_study):
    study = make_study(external_url="https://example.org/report.pdf")
    assert study.download_url == "https://example.org/report.pdf"
    study.pdf.name = "studies/report.pdf"
    # Through the view that serves it inert, never the storage's own address.
    assert study.download_url == f"/studies/{study.slug}/file.pdf"


def test_a_study_cannot_take_the_feeds_address(make_study):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(slug="feed")


def test_a_description_is_stored_with_plain_line_breaks(make_study):
    # Browsers send a textarea's line breaks as CRLF: saving a form unchanged must not rewrite
    # the text (a phantom change in the history, carriage returns in the exports).
    study = make_study(description="")
    study.description = "First line\r\nsecond line\rthird"
    study.full_clean()
    assert study.description == "First line\nsecond line\nthird"
