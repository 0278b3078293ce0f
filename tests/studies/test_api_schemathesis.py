"""The API against its own OpenAPI document, by schemathesis: every check, on the demo data.

Schemathesis reads /api/openapi.json from the app, then sends each operation requests it makes up
from the document (valid ones, invalid ones, undeclared methods) and checks every answer: no
server error, a status and content type the document declares, a body matching its schema,
invalid input rejected, 405 with `Allow` for methods the API does not answer. Requests go
in-process to the WSGI app, on the test database; nothing leaves the machine.

Examples are bounded and derandomised, so `make test` is quick and a failure reproduces.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


@pytest.fixture
def library_in_one_connection(demo_data):
    """The demo library, and the test's own connection kept open between requests.

    A WSGI request closes the database connection when it ends; Django's test client stops
    that, and so must these in-process requests, or the test's transaction would close too.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Well-formed requests the library cannot answer: no schema can say which countries, subjects,
# types and authors the library holds, that `from` comes before `to`, or how many pages there are.
# The document declares these 400s; nothing else may reject a request the document allows.
REASONS_NO_SCHEMA_CAN_STATE = ("in the library.", "nothing can match.", "There is no page")


def valid_requests_are_refused_only_for_what_no_schema_can_state(ctx, response, case):
    """`positive_data_acceptance`, but a 400 naming only such reasons is an answer, not a bug."""
    if not case.meta or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    unexplained = [
        error
        for error in response.json()["errors"]
        if not any(reason in error for reason in REASONS_NO_SCHEMA_CAN_STATE)
    ]
    assert not unexplained, f"A request the document allows was refused: {unexplained}"
    return None


@schema.parametrize()
@pytest.mark.usefixtures("library_in_one_connection")
@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_api_keeps_to_its_openapi_document(case):
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_requests_are_refused_only_for_what_no_schema_can_state],
    )


@pytest.mark.django_db(transaction=True, databases="__all__")  # the replica goes down too
@pytest.mark.parametrize(
    "path, path_parameters",
    [("/api/studies/", None), ("/api/studies/{slug}/", {"slug": "scale-of-harm"})],
)
def test_a_database_outage_is_the_503_the_document_declares(database_down, path, path_parameters):
    case = schema[path]["GET"].Case(path_parameters=path_parameters)
    response = case.call()
    assert response.status_code == 503
    assert response.headers["retry-after"] == ["30"]
    # Every check but “no server error”: a declared status, content type and body.
    case.validate_response(response, excluded_checks=[not_a_server_error])
