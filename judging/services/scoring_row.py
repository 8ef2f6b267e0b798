"""The locked read of a scorecard save or submit, as one fixed SQL statement (PostgreSQL).

A save is the hot path of the whole system (200 judges autosaving every 20 s).
Its read is one statement already (``assignments._scoring_row_orm``: the
assignment locked, its round, competition, nomination, category, the judge's
profile, the scorecard, three ``EXISTS`` checks), but building that statement
through the ORM (joins, ``only()``, three subqueries) cost more CPU than
everything else in the request. Here the same statement, plus the category's
rubric as a JSON array, is written once per process from the models' own
metadata (table and column names, field converters) and executed with the
assignment's id: no query compilation per request, one statement fewer (the
rubric), and the same model instances as the ORM gives.

The statement is also a server-side prepared statement on each connection
(``DATABASE_PREPARED_STATEMENTS``, on by default): PostgreSQL plans its nine
joins and four subqueries in about 1.1 ms and runs it in 0.2 ms, so planning it
once per connection instead of once per save is most of the database's work
for a save. Behind a pooler in transaction mode that cannot hold prepared
statements (PgBouncer before 1.21), turn the setting off.

The ORM version stays the reference and the path on other databases (SQLite);
``tests/judging/test_scoring_row.py`` checks that both give the same objects,
annotations and rubric over a table of cases.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import connection

from competition.models import Category, Competition, Criterion, JudgeProfile, Round, User
from nominations.models import Nomination

from ..models import Assignment, ConflictDeclaration, Pledge, Scorecard

# model, table alias, the fields read (the checks' and the answer's), how it joins.
_PARTS: list[tuple[type, str, tuple[str, ...]]] = [
    (Assignment, "a", ("id", "judge", "round", "nomination", "status")),
    (Round, "r", ("id", "name", "order", "closed_at", "deadline", "blind", "comment_required", "competition")),
    (Competition, "c", ("id", "phase", "judging_close")),
    (Nomination, "n", ("id", "unit", "organization", "title", "category")),
    (Category, "k", ("id", "kind")),
    (User, "u", ("id",)),
    (JudgeProfile, "p", ("id", "user", "unit", "organizations")),
    (
        Scorecard,
        "s",
        ("id", "assignment", "status", "comment", "total", "version", "created_at", "updated_at", "submitted_at"),
    ),
]
_CRITERION_FIELDS = ("id", "category", "name", "max_points", "weight", "order", "tie_break_rank")


def available() -> bool:
    """The fixed statement is PostgreSQL's (``FOR UPDATE OF``, ``json_agg``)."""
    return connection.vendor == "postgresql"


_NEVER_BY_COUNT = 2**62


@cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        """Binds on the server and prepares every statement it runs (psycopg's
        ``prepare=True``); psycopg keeps the prepared statements per connection."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the query it ran only on its unprepared path; Django's query
            # log (``last_executed_query``) reads that record, so keep it for this path too.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparedCursor


@contextmanager
def prepared_cursor():
    """A cursor for this module's fixed statements: prepared on the server where the
    setting allows, else Django's own. Either way wrapped by Django (query logging,
    ``CaptureQueriesContext``, error translation)."""
    if not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off for the connection (``prepare_threshold``
        # None), which refuses even an explicit ``prepare=True``. A threshold no query
        # reaches lets ours through and prepares nothing else: Django's own cursors bind
        # on the client, and psycopg never prepares a client-side binding cursor's query.
        raw.prepare_threshold = _NEVER_BY_COUNT
    with connection.wrap_database_errors:
        # The raw cursor goes through the wrapping ``connection.cursor()`` applies.
        cursor = connection._prepare_cursor(_prepared_cursor_class()(raw))
    with cursor:
        yield cursor


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _col(model: type, alias: str, field_name: str) -> str:
    return f"{alias}.{quote(model._meta.get_field(field_name).column)}"


def _in_model_order(model: type, names) -> list:
    wanted = {model._meta.get_field(name) for name in names}
    return [f for f in model._meta.concrete_fields if f in wanted]


def _table(model: type, alias: str) -> str:
    return f"{quote(model._meta.db_table)} {alias}"


@cache
def _statement() -> tuple[str, list[tuple[type, tuple[str, ...], list, int]]]:
    """The SQL (one ``%s``: the assignment's id) and, per model, where its columns are
    in the row and each field's converters."""
    columns: list[str] = []
    layout = []
    for model, alias, names in _PARTS:
        # In the model's field order: ``Model.from_db`` takes the values of a partial row so.
        fields = _in_model_order(model, names)
        converters = [field_converters(f, alias) for f in fields]
        layout.append((model, tuple(f.attname for f in fields), converters, len(columns)))
        columns += [f"{alias}.{quote(f.column)}" for f in fields]
    r_comp, r_order = _col(Round, "r", "competition"), _col(Round, "r", "order")
    a_judge, a_nom = _col(Assignment, "a", "judge"), _col(Assignment, "a", "nomination")
    criterion_columns = ", ".join(
        f"{_col(Criterion, 'cr', name)}::text" for name in _CRITERION_FIELDS
    )
    # Every name below is a model's table or column, quoted; the only value is the id, a parameter.
    columns += [
        # earlier_open: an earlier round of the competition is still open
        f"EXISTS (SELECT 1 FROM {_table(Round, 'r2')} WHERE {_col(Round, 'r2', 'competition')} = {r_comp}"  # noqa: S608
        f" AND {_col(Round, 'r2', 'order')} < {r_order} AND {_col(Round, 'r2', 'closed_at')} IS NULL)",
        # pledged: the judge signed this competition's pledge
        f"EXISTS (SELECT 1 FROM {_table(Pledge, 'pl')} WHERE {_col(Pledge, 'pl', 'competition')} = {r_comp}"  # noqa: S608
        f" AND {_col(Pledge, 'pl', 'judge')} = {a_judge})",
        # declared: the judge declared a conflict with the nomination
        f"EXISTS (SELECT 1 FROM {_table(ConflictDeclaration, 'cd')} WHERE {_col(ConflictDeclaration, 'cd', 'judge')}"  # noqa: S608
        f" = {a_judge} AND {_col(ConflictDeclaration, 'cd', 'nomination')} = {a_nom})",
        # the rubric, in order, each criterion's fields as text
        f"(SELECT json_agg(json_build_array({criterion_columns}) ORDER BY {_col(Criterion, 'cr', 'order')},"  # noqa: S608
        f" {_col(Criterion, 'cr', 'id')})::text FROM {_table(Criterion, 'cr')}"
        f" WHERE {_col(Criterion, 'cr', 'category')} = {_col(Nomination, 'n', 'category')})",
    ]
    sql = (
        f"SELECT {', '.join(columns)} FROM {_table(Assignment, 'a')}"  # noqa: S608
        f" JOIN {_table(Round, 'r')} ON r.{quote('id')} = {_col(Assignment, 'a', 'round')}"
        f" JOIN {_table(Competition, 'c')} ON c.{quote('id')} = {r_comp}"
        f" JOIN {_table(Nomination, 'n')} ON n.{quote('id')} = {a_nom}"
        f" JOIN {_table(Category, 'k')} ON k.{quote('id')} = {_col(Nomination, 'n', 'category')}"
        f" JOIN {_table(User, 'u')} ON u.{quote('id')} = {a_judge}"
        f" LEFT JOIN {_table(JudgeProfile, 'p')} ON {_col(JudgeProfile, 'p', 'user')} = {a_judge}"
        f" LEFT JOIN {_table(Scorecard, 's')} ON {_col(Scorecard, 's', 'assignment')} = a.{quote('id')}"
        f" WHERE a.{quote('id')} = %s FOR UPDATE OF a"
    )
    return sql, layout


def field_converters(field, alias: str) -> list:
    """What the ORM applies to a column's value read from the database (backend's, then field's)."""
    return connection.ops.get_db_converters(field.get_col(alias)) + field.get_db_converters(connection)


def model_from_row(model, attnames, converters, values):
    converted = []
    for value, convs in zip(values, converters, strict=True):
        for convert in convs:
            value = convert(value, None, connection)
        converted.append(value)
    return model.from_db(connection.alias, list(attnames), converted)


def _criterion(values: list) -> Criterion:
    by_name = dict(zip(_CRITERION_FIELDS, values, strict=True))
    parse = {
        "id": int, "category": int, "name": str, "max_points": Decimal, "weight": Decimal, "order": int,
        "tie_break_rank": int,
    }
    fields = _in_model_order(Criterion, _CRITERION_FIELDS)
    return Criterion.from_db(
        connection.alias,
        [f.attname for f in fields],
        [None if by_name[f.name] is None else parse[f.name](by_name[f.name]) for f in fields],
    )


def load(assignment_id: int) -> tuple[Assignment, list[Criterion]] | None:
    """The assignment (locked), its relations and annotations as the ORM reference
    gives them, and its category's rubric in order; None when there is no such row."""
    sql, layout = _statement()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [assignment_id])
        row = cursor.fetchone()
    if row is None:
        return None
    objects = {}
    for model, attnames, converters, start in layout:
        values = row[start : start + len(attnames)]
        if model in (JudgeProfile, Scorecard) and values[0] is None:
            objects[model] = None  # no profile, no scorecard yet (LEFT JOIN)
            continue
        objects[model] = model_from_row(model, attnames, converters, values)
    earlier_open, pledged, declared, rubric = row[-4:]
    assignment = objects[Assignment]
    round_, nomination, judge = objects[Round], objects[Nomination], objects[User]
    round_.competition = objects[Competition]
    nomination.category = objects[Category]
    assignment.round, assignment.nomination, assignment.judge = round_, nomination, judge
    profile = objects[JudgeProfile]
    if profile is not None:
        judge.judge_profile = profile
    else:
        # What select_related records for a missing reverse one-to-one: the access raises DoesNotExist.
        User._meta.get_field("judge_profile").set_cached_value(judge, None)
    card = objects[Scorecard]
    Assignment._meta.get_field("scorecard").set_cached_value(assignment, card)
    if card is not None:
        card.assignment = assignment
    assignment.earlier_open, assignment.pledged, assignment.declared = earlier_open, pledged, declared
    criteria = [_criterion(values) for values in json.loads(rubric)] if rubric else []
    return assignment, criteria


@cache
def _round_lock_statement() -> str:
    r_id, a_id = quote(Round._meta.pk.column), quote(Assignment._meta.pk.column)
    return (
        f"SELECT {r_id} FROM {quote(Round._meta.db_table)} WHERE {r_id} = (SELECT {_col(Assignment, 'a', 'round')}"  # noqa: S608
        f" FROM {_table(Assignment, 'a')} WHERE a.{a_id} = %s) FOR NO KEY UPDATE"
    )


def lock_round_of(assignment_id: int) -> None:
    """Hold the round of the assignment against a concurrent close, as
    ``assignments._lock_round`` does, found by the assignment's id in the same
    statement (no such assignment: nothing is locked)."""
    with prepared_cursor() as cursor:
        cursor.execute(_round_lock_statement(), [assignment_id])
