"""Fuzzing the API with schemathesis: every operation of ``/api/schema/`` with each role's token.

The schema is loaded from the Django application itself (WSGI, no server), once, by the
first test that fuzzes; the tests are parametrised from the URLconf (``operation_labels``).
Each (role, operation) pair is one test: a bounded number of generated
requests (``FUZZ_EXAMPLES``, 8 by default, a third of that anonymously; set the environment variable to
fuzz harder locally), derandomised so that CI is reproducible, no shrinking.
Every request runs against the access matrix's world (so some generated ids
hit real objects) in a savepoint rolled back after it, with the cache
cleared (no throttle carries over from one example to the next).

Every response must:

- not be a server error (``not_a_server_error``);
- conform to the schema where the schema documents its status
  (``response_schema_conformance``, ``content_type_conformance``);
- when its status is an error the schema does not list (401 for a missing
  token, 403, 404, 405, …), still have the one error shape of docs/api.md.

Binary downloads (attachments, spreadsheets, PDFs, the ZIP) are fuzzed like
the rest; their bodies are not validated (a binary schema), only their
status and, for errors, the error shape.
"""

from __future__ import annotations

import functools
import os

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings

from tests.test_access_matrix import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ANONYMOUS_EXAMPLES = max(1, EXAMPLES // 3)  # everything but the public endpoints answers 401
ROLES = ("anonymous", "office", "officer_a", "judge_assigned", "observer")
ERROR_CODES = {400, 401, 403, 404, 405, 406, 409, 415, 429, 503}


def operation_labels() -> list[str]:
    """Every API operation as schemathesis labels it ("GET /api/v1/units/{id}/"), read from
    the URLconf the way drf-spectacular enumerates it, without generating the schema.

    Generating and parsing the schema takes seconds; done at import, every run that
    collects this module paid for it (each xdist worker, a ``-k`` or ``-m`` run that
    selects none of these tests). It is now built once, by the first test that fuzzes
    (``operations``); ``test_every_schema_operation_is_fuzzed`` checks the two lists agree.
    """
    from drf_spectacular.generators import EndpointEnumerator

    return sorted(
        {
            f"{method} {path.replace('{pk}', '{id}')}"
            for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
            if path.startswith("/api/v1/")  # the schema and its docs page are not in the schema
        }
    )


LABELS = operation_labels()


@functools.cache
def operations() -> dict:
    """The schema's operations by label, loaded from the Django application itself (WSGI, no server)."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    return {result.ok().label: result.ok() for result in schema.get_all_operations()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The access matrix's world, built once in an outer transaction rolled back at the end.

    schemathesis calls the real WSGI handler, whose ``request_finished`` signal
    closes a connection found inside a transaction (on PostgreSQL that would
    end the world's transaction); as Django's test client does, the signal is
    disconnected meanwhile.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield from _world(django_db_blocker)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _world(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _error_shape(response) -> str | None:
    """What is wrong with an error body, or None when it has the one error shape."""
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.content[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(error) != {"code", "message", "fields"}:
        return f"not the error shape: {body!r}"
    if not (isinstance(error["code"], str) and isinstance(error["message"], str) and isinstance(error["fields"], dict)):
        return f"wrong types in the error shape: {body!r}"
    return None


def _documented(operation, status: int) -> bool:
    responses = operation.definition.raw.get("responses", {})
    return str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses


def test_every_schema_operation_is_fuzzed():
    assert sorted(operations()) == LABELS


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("role", ROLES)
def test_fuzz(world, db, role, label):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    operation = operations()[label]
    headers = {} if role == "anonymous" else {"Authorization": f"Token {world.tokens[role]}"}

    @settings(
        max_examples=ANONYMOUS_EXAMPLES if role == "anonymous" else EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        cache.clear()
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        # Raises schemathesis's failure group, with a curl command to reproduce it.
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            headers=headers,
        )
        if response.status_code in ERROR_CODES and not _documented(operation, response.status_code):
            problem = _error_shape(response)
            assert problem is None, f"{case.as_curl_command(headers=headers)}\n-> {response.status_code}: {problem}"

    run()


# What fuzzing found, kept as fixed requests so that every run asks them: never a 5xx,
# an error in the error shape (all three were 500s on SQLite; PostgreSQL answers 200/404).
FOUND = [
    # A huge number in an integer filter: OverflowError on SQLite.
    ("office", "GET", "/api/v1/certificates/?competition=-1.785578743948686e%2B197", None),
    # A huge id in an <int:pk> route looked up through a foreign key: OverflowError on SQLite.
    ("anonymous", "GET", "/api/v1/public/competitions/35097752515146432975602061485801472/publicity/", None),
    ("judge_assigned", "POST", "/api/v1/nominations/35097752515146432975602061485801472/conflict/", {"reason": "回避"}),
]


@pytest.mark.parametrize(("role", "method", "path", "body"), FOUND, ids=[f"{m} {p}" for _r, m, p, _b in FOUND])
def test_found_by_fuzzing(world, db, role, method, path, body):
    from rest_framework.test import APIClient

    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    kwargs = {} if body is None else {"data": body, "format": "json"}
    response = getattr(client, method.lower())(path, **kwargs)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert _error_shape(response) is None
