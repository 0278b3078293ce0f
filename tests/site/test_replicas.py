"""Read replicas (justicelib/routers.py): a visitor's pages read a replica, the admin and every
write use the primary, and a browser that just wrote reads the primary until a replica caught up.

The suite's replica (justicelib/settings_test.py) is a second connection to the test database, so
each test counts which connection ran the queries. The tests commit (transaction=True): inside the
test transaction every read goes to the primary, as it must inside any transaction.
"""

import json
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from justicelib.routers import RECENT_WRITE_COOKIE, PrimaryReplicaRouter, replica_reads
from studies.models import Study

from .test_settings import PRODUCTION, run

BOTH = ["default", "replica_1"]


@contextmanager
def queries_by_connection():
    with ExitStack() as stack:
        yield {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in BOTH
        }


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_visitors_pages_are_read_from_the_replica(client, make_study):
    study = make_study("Scale of harm", countries=["KH"])

    with queries_by_connection() as queries:
        listing = client.get(reverse("studies:list"))
        detail = client.get(study.get_absolute_url())
        # An export's rows are read while it streams, after the view has returned.
        export = b"".join(client.get(reverse("studies:export", args=["csv"])).streaming_content)

    assert listing.status_code == 200 and detail.status_code == 200
    assert "Scale of harm" in listing.text and "Scale of harm" in detail.text
    assert b"Scale of harm" in export
    assert len(queries["replica_1"]) > 0
    assert len(queries["default"]) == 0, [q["sql"] for q in queries["default"]]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_admin_reads_and_writes_the_primary(admin_client, make_study):
    study = make_study("Scale of harm", countries=["KH"])

    with queries_by_connection() as queries:
        page = admin_client.get(reverse("admin:studies_study_changelist"))
        change = admin_client.get(reverse("admin:studies_study_change", args=[study.pk]))

    assert page.status_code == 200 and change.status_code == 200
    assert "Scale of harm" in page.text
    assert len(queries["default"]) > 0
    assert len(queries["replica_1"]) == 0, [q["sql"] for q in queries["replica_1"]]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_after_a_write_that_browser_reads_the_primary_for_a_while(admin_client, make_study):
    study = make_study("Scale of harm", countries=["KH"])
    # A signed-in curator browses the public site: the replica.
    with queries_by_connection() as queries:
        admin_client.get(study.get_absolute_url())
    assert len(queries["replica_1"]) > 0

    # A write (here the admin's sign-out, a POST) marks the browser as having just written…
    response = admin_client.post(reverse("admin:logout"))
    cookie = response.cookies[RECENT_WRITE_COOKIE]
    assert 0 < int(cookie["max-age"]) <= 60 and cookie["httponly"]

    # …so its next pages read the primary, which has the write a replica may not have yet.
    with queries_by_connection() as queries:
        page = admin_client.get(study.get_absolute_url())
    assert page.status_code == 200
    assert len(queries["replica_1"]) == 0 and len(queries["default"]) > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary(make_study):
    router = PrimaryReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Study) == "replica_1"
        with transaction.atomic():
            assert router.db_for_read(Study) == "default"
    # Outside a request (commands, imports, the shell) reads use the primary.
    assert router.db_for_read(Study) == "default"
    assert router.db_for_write(Study) == "default"
    assert router.allow_migrate("default", "studies") and not router.allow_migrate(
        "replica_1", "studies"
    )


SHOW_DATABASES = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({alias: db["HOST"] for alias, db in settings.DATABASES.items()}))
"""


def test_database_replica_urls_become_replica_aliases():
    result = run(
        ["-c", SHOW_DATABASES],
        **PRODUCTION,
        DATABASE_REPLICA_URLS="postgres://r@replica-a.internal/justicelib, "
        "postgres://r@replica-b.internal/justicelib",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "default": "db.internal",
        "replica_1": "replica-a.internal",
        "replica_2": "replica-b.internal",
    }


def test_a_replica_url_that_is_not_postgresql_is_refused():
    result = run(["-c", SHOW_DATABASES], **PRODUCTION, DATABASE_REPLICA_URLS="sqlite:///replica.db")

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS must be postgres://" in result.stderr
