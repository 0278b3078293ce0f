"""Shared test fixtures: small factories for library objects, on the real PostgreSQL database."""

import datetime
import itertools

import pytest

from studies.models import Author, Authorship, Country, ResourceType, Study, Subject

_sequence = itertools.count(1)


@pytest.fixture
def make_study(db):
    """Build a study: `make_study(title=…, countries=["KH"], authors=[author, …], types=[…])`."""

    def make(
        title=None,
        *,
        subject=None,
        countries=(),
        types=(),
        authors=(),
        month=datetime.date(2018, 5, 1),
        status=Study.Status.PUBLISHED,
        **fields,
    ):
        n = next(_sequence)
        title = title or f"Study {n}"
        subject = (
            subject
            or Subject.objects.get_or_create(
                slug="sex-trafficking", defaults={"name": "Sex trafficking"}
            )[0]
        )
        study = Study.objects.create(
            title=title,
            slug=fields.pop("slug", f"study-{n}"),
            subject=subject,
            publication_month=month,
            status=status,
            **fields,
        )
        for code in countries:
            country, _ = Country.objects.get_or_create(
                code=code, defaults={"name": f"Country {code}"}
            )
            study.countries.add(country)
        for slug in types or ["crime-prevalence-study"]:
            resource_type, _ = ResourceType.objects.get_or_create(
                slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
            )
            study.resource_types.add(resource_type)
        for position, author in enumerate(authors, start=1):
            Authorship.objects.create(study=study, author=author, position=position)
        return study

    return make


@pytest.fixture
def make_author(db):
    def make(name="International Justice Mission", kind=Author.Kind.ORGANISATION, **fields):
        slug = fields.pop("slug", None) or name.lower().replace(" ", "-").replace(".", "")
        if kind == Author.Kind.PERSON:
            fields.setdefault("family_name", name.split()[-1])
            fields.setdefault("given_names", " ".join(name.split()[:-1]))
        return Author.objects.create(name=name, slug=slug, kind=kind, **fields)

    return make


@pytest.fixture
def demo_data(db):
    """The organisation's 26 studies and the programs they evaluate, as `make run` loads them."""
    from django.core.management import call_command

    call_command("load_demo_data", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache.

    Cached facet counts are keyed by the library version, which the rolled-back transaction of
    the previous test may have reused; real versions only ever grow.
    """
    from django.core.cache import cache

    cache.clear()
