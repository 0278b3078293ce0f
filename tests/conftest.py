"""Shared test fixtures: small factories for library objects, on the real PostgreSQL database."""

import datetime
import itertools
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.utils.text import slugify

from studies.models import Author, Authorship, Country, ResourceType, Study, Subject

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def own_search_index(request):
    """With SEARCH_BACKEND=tantivy, each test searches an index of its own (built from the
    test's data on its first search), as each test has its own rolled-back database state."""
    from django.conf import settings

    if settings.SEARCH_BACKEND != "tantivy":
        yield
        return
    from searchindex import index as search_index

    settings_fixture = request.getfixturevalue("settings")
    settings_fixture.SEARCH_INDEX_DIR = request.getfixturevalue("tmp_path") / "search-index"
    search_index.forget_index()
    yield
    search_index.forget_index()


def check_deferred_rules():
    """Run the deferred constraint triggers now instead of at commit (tests never commit;
    pytest-django runs them once more before rolling a test back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def assign_citation_keys():
    """Let the database make the citation keys it makes at commit (tests never commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS study_citation_key, authorship_citation_key IMMEDIATE")
        cursor.execute("SET CONSTRAINTS study_citation_key, authorship_citation_key DEFERRED")


def as_shown(text: str) -> str:
    """`text` as the program pages set it: a no-break space between each number and its “%”
    (evaluation/templatetags/figures.py), so “15 %–30 %” is written plainly in the tests."""
    from evaluation.templatetags.figures import keep_figures_together

    return keep_figures_together(text)


@contextmanager
def rule_switched_off(table: str, trigger: str):
    """Write rows a rule's trigger refuses, to test what pages do should such rows come back
    anyway (a restored old dump). Rolled back with the test."""
    check_deferred_rules()  # PostgreSQL alters no table with trigger events pending
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield
    check_deferred_rules()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


@pytest.fixture
def make_study(db):
    """Build a study: `make_study(title=…, countries=["KH"], authors=[author, …], types=[…])`.

    A published study needs an author and a country (the database checks it at commit, and
    pytest-django before each test's rollback): one left without gets the author “Study
    Author”, and with no country named it is ticked “multiple countries”.
    """

    def make(*args, **kwargs):
        # One transaction, as the admin saves a study: in tests that commit (transactional_db)
        # the deferred rules see the study with its links.
        with transaction.atomic():
            study = make_in_transaction(*args, **kwargs)
        assign_citation_keys()
        study.refresh_from_db(fields=["citation_key"])
        return study

    def make_in_transaction(
        title=None,
        *,
        subject=None,
        countries=(),
        types=(),
        authors=None,
        month=datetime.date(2018, 5, 1),
        status=Study.Status.PUBLISHED,
        **fields,
    ):
        n = next(_sequence)
        title = title or f"Study {n}"
        if status == Study.Status.PUBLISHED:
            if authors is None:
                authors = [default_author()]
            if not countries:
                fields.setdefault("is_multi_country", True)
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
        for position, author in enumerate(authors or (), start=1):
            Authorship.objects.create(study=study, author=author, position=position)
        return study

    return make


def default_author() -> Author:
    return Author.objects.get_or_create(
        slug="study-author", defaults={"name": "Study Author", "kind": Author.Kind.ORGANISATION}
    )[0]


@pytest.fixture
def make_author(db):
    def make(name="International Justice Mission", kind=Author.Kind.ORGANISATION, **fields):
        slug = fields.pop("slug", None) or slugify(name)
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


@pytest.fixture
def uncited_demo_study(demo_data):
    """A published demo study that no program cites, so a curator may turn it back into a draft:
    a study a program page cites stays published (evaluation/migrations/0003_rules.py)."""
    from studies.models import Study

    study = (
        Study.objects.published()
        .filter(program_links__isnull=True, measurements__isnull=True)
        .order_by("slug")
        .first()
    )
    assert study is not None, "every demo study is cited by a program"
    return study


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache.

    Cached facet counts are keyed by the library version, which the rolled-back transaction of
    the previous test may have reused; real versions only ever grow.
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_url(settings):
    """Absolute URLs come from SITE_URL (justicelib/site.py); the tests' is the test client's
    host, so addresses read as those of the page that was asked for."""
    settings.SITE_URL = "http://testserver"
    return settings.SITE_URL


@pytest.fixture
def database_down(tmp_path):
    """Make the database unreachable, the primary and the replica (justicelib/settings_test.py)
    alike: each connection is closed and pointed at a socket directory where no PostgreSQL
    listens, so the next query fails to connect as it would when the server is down.
    `restore()` brings it back (and the fixture always does). A test using it is marked
    `django_db(transaction=True, databases="__all__")`."""
    saved = {
        alias: {key: connections[alias].settings_dict[key] for key in ("HOST", "PORT")}
        for alias in connections
    }

    def restore():
        for alias, address in saved.items():
            connections[alias].close()
            connections[alias].settings_dict.update(address)

    for alias in saved:
        connections[alias].close()
        # A socket directory with no server in it: psycopg fails with "No such file or directory".
        connections[alias].settings_dict.update(HOST=str(tmp_path), PORT="")
    try:
        yield restore
    finally:
        restore()
