"""The writes of a scorecard save and of a submit, each as one fixed SQL statement (PostgreSQL).

After the locked read (``scoring_row``) a save wrote the card (versioned
``UPDATE``, or ``INSERT`` for a new card), deleted the criteria the judge emptied,
upserted the sent scores and added its audit entry: three or four statements,
each compiled by the ORM on every request. Here they are one statement of
data-modifying CTEs, written once per process from the models' metadata and
prepared once per connection like the read:

- the card's CTE is the versioned write; when it writes nothing (the card moved
  on, was submitted, or was created meanwhile) the scores' and the audit's CTEs
  select from it and write nothing either, so a refused save changes nothing;
- the scores come as three arrays (criterion, half points, maximum) unnested into
  one ``INSERT … ON CONFLICT DO UPDATE``; the emptied criteria as one array
  (a criterion is either sent or emptied, never both, so the two CTEs never touch
  the same row);
- the audit entry is the one ``competition.audit.audit_record`` would write
  (``audit_fields``), its object id the card's id from the write.

A submit's re-read of the card under its lock takes the card's scores with it,
and its write (the card, the assignment's status, the audit entry) is one
statement too.

The ORM code in ``assignments`` stays the reference and the path on other
databases; ``tests/judging/test_scoring_row.py`` runs the API on both paths and
compares what each stored.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.db import connection

from competition.models import AuditEntry

from ..enums import AssignmentStatus, ScorecardStatus
from ..models import Assignment, Score, Scorecard
from .scoring_row import field_converters, model_from_row, prepared_cursor, quote


def available() -> bool:
    return connection.vendor == "postgresql"


def _column(model: type, name: str) -> str:
    return quote(model._meta.get_field(name).column)


def _table(model: type) -> str:
    return quote(model._meta.db_table)


def _insert_fields(model: type) -> list:
    """The columns an ``INSERT`` of the model writes, in the ORM's order (all but the id)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert_values(instance, prefix: str) -> dict[str, Any]:
    """The parameters of an ``INSERT`` of ``instance``, as the ORM prepares them
    (``auto_now_add``, defaults, JSON adapted)."""
    return {
        f"{prefix}{f.column}": f.get_db_prep_save(f.pre_save(instance, True), connection)
        for f in _insert_fields(type(instance))
    }


def _audit_cte(source: str, object_id_sql: str) -> str:
    """An audit entry inserted once per row of ``source``, its object id from that row."""
    fields = _insert_fields(AuditEntry)
    values = [
        object_id_sql if f.name == "object_id" else f"%(audit_{f.column})s::{f.db_type(connection)}"
        for f in fields
    ]
    return (
        f"INSERT INTO {_table(AuditEntry)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" SELECT {', '.join(values)} FROM {source}"
    )


def _audit_params(audit: dict[str, Any]) -> dict[str, Any]:
    entry = AuditEntry(**{**audit, "object_id": ""})
    return _insert_values(entry, "audit_")


def _scores_ctes() -> str:
    s_card, s_crit = _column(Score, "scorecard"), _column(Score, "criterion")
    half, top = _column(Score, "half_points"), _column(Score, "max_half_points")
    score = _table(Score)
    return (
        f" cleared AS (DELETE FROM {score} WHERE {s_card} IN (SELECT id FROM card)"  # noqa: S608
        f" AND {s_crit} = ANY(%(cleared)s::bigint[])),"
        f" scores AS (INSERT INTO {score} ({s_card}, {s_crit}, {half}, {top})"  # noqa: S608
        " SELECT card.id, u.criterion, u.half, u.top FROM card,"
        " unnest(%(criteria)s::bigint[], %(halves)s::integer[], %(tops)s::integer[]) AS u(criterion, half, top)"
        f" ON CONFLICT ({s_card}, {s_crit}) DO UPDATE SET {half} = EXCLUDED.{half}, {top} = EXCLUDED.{top}),"
    )


@cache
def _save_update_statement() -> str:
    card, pk = _table(Scorecard), quote(Scorecard._meta.pk.column)
    version, status = _column(Scorecard, "version"), _column(Scorecard, "status")
    comment = _column(Scorecard, "comment")
    return (
        f"WITH card AS (UPDATE {card} SET {version} = {version} + 1,"  # noqa: S608
        f" {_column(Scorecard, 'total')} = %(total)s, {_column(Scorecard, 'updated_at')} = %(now)s,"
        f" {comment} = COALESCE(%(comment)s::text, {comment})"
        f" WHERE {pk} = %(card)s AND {version} = %(current)s AND {status} <> %(submitted)s"
        f" RETURNING {pk} AS id, {version} AS version),"
        + _scores_ctes()
        + f" audit AS ({_audit_cte('card', 'card.id::text')})"  # noqa: S608
        " SELECT id, version FROM card"
    )


@cache
def _save_insert_statement() -> str:
    fields = _insert_fields(Scorecard)
    pk, version = quote(Scorecard._meta.pk.column), _column(Scorecard, "version")
    values = ", ".join(f"%(card_{f.column})s::{f.db_type(connection)}" for f in fields)
    return (
        f"WITH card AS (INSERT INTO {_table(Scorecard)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({values}) ON CONFLICT ({_column(Scorecard, 'assignment')}) DO NOTHING"
        f" RETURNING {pk} AS id, {version} AS version),"
        + _scores_ctes()
        + f" audit AS ({_audit_cte('card', 'card.id::text')})"  # noqa: S608
        " SELECT id, version FROM card"
    )


def save(
    *,
    card: Scorecard,
    current: int,
    comment: str | None,
    now,
    given: list[tuple[int, int, int]],
    cleared: list[int],
    audit: dict[str, Any],
) -> tuple[int, int] | None:
    """Write a draft: ``card`` is the stored card (``current`` its version) or a new,
    unsaved one (its ``total`` set); ``now`` the time of the write; ``given`` the sent scores as (criterion, half points, maximum);
    ``cleared`` the emptied criteria; ``audit`` the entry's fields (``audit_fields``).
    Returns the card's id and new version, or None when nothing was written."""
    params: dict[str, Any] = {
        "criteria": [c for c, _, _ in given],
        "halves": [h for _, h, _ in given],
        "tops": [t for _, _, t in given],
        "cleared": list(cleared),
        **_audit_params(audit),
    }
    if card.pk is None:
        sql = _save_insert_statement()
        params.update(_insert_values(card, "card_"))
    else:
        sql = _save_update_statement()
        params.update({
            "card": card.pk, "current": current, "total": card.total, "now": now,
            "comment": comment, "submitted": ScorecardStatus.SUBMITTED,
        })
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


_SCORE_FIELDS = ("id", "scorecard", "criterion", "half_points", "max_half_points")


@cache
def _submit_read_statement() -> tuple[str, tuple[str, ...], list]:
    fields = list(Scorecard._meta.concrete_fields)
    converters = [field_converters(f, "s") for f in fields]
    score = _table(Score)
    scores = ", ".join(f"sc.{_column(Score, name)}" for name in _SCORE_FIELDS)
    sql = (
        f"SELECT {', '.join(f's.{quote(f.column)}' for f in fields)},"  # noqa: S608
        f" (SELECT json_agg(json_build_array({scores}) ORDER BY sc.{quote(Score._meta.pk.column)})::text"
        f" FROM {score} sc WHERE sc.{_column(Score, 'scorecard')} = s.{quote(Scorecard._meta.pk.column)})"
        f" FROM {_table(Scorecard)} s WHERE s.{_column(Scorecard, 'assignment')} = %s FOR UPDATE OF s"
    )
    return sql, tuple(f.attname for f in fields), converters


def submit_read(assignment_id: int) -> tuple[Scorecard, list[Score]] | None:
    """The assignment's card, locked, and its scores in id order; None without a card."""
    sql, attnames, converters = _submit_read_statement()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [assignment_id])
        row = cursor.fetchone()
    if row is None:
        return None
    card = model_from_row(Scorecard, attnames, converters, row[:-1])
    names = [Score._meta.get_field(name).attname for name in _SCORE_FIELDS]
    scores = [Score.from_db(connection.alias, names, values) for values in json.loads(row[-1] or "[]")]
    for score in scores:
        score.scorecard = card
    return card, scores


@cache
def _submit_write_statement() -> str:
    card, pk = _table(Scorecard), quote(Scorecard._meta.pk.column)
    a_pk = quote(Assignment._meta.pk.column)
    return (
        f"WITH card AS (UPDATE {card} SET {_column(Scorecard, 'total')} = %(total)s,"  # noqa: S608
        f" {_column(Scorecard, 'status')} = %(status)s, {_column(Scorecard, 'submitted_at')} = %(now)s,"
        f" {_column(Scorecard, 'version')} = %(version)s, {_column(Scorecard, 'updated_at')} = %(now)s"
        f" WHERE {pk} = %(card)s RETURNING {pk} AS id),"
        f" assignment AS (UPDATE {_table(Assignment)} SET {_column(Assignment, 'status')} = %(assignment_status)s"
        f" WHERE {a_pk} = %(assignment)s),"
        f" audit AS ({_audit_cte('card', 'card.id::text')})"
        " SELECT id FROM card"
    )


def submit_write(*, card: Scorecard, audit: dict[str, Any]) -> None:
    """Store the submitted card (its fields already set), mark the assignment submitted
    and add the audit entry, in one statement."""
    params = {
        "total": card.total, "status": card.status, "now": card.submitted_at, "version": card.version,
        "card": card.pk, "assignment": card.assignment_id, "assignment_status": AssignmentStatus.SUBMITTED,
        **_audit_params(audit),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_submit_write_statement(), params)
