"""The Chinese web pages of judging and rankings.

- ``judge``: for a judge (``/judging/``), their assignments per round with
  progress and the integrity pledge (承诺书) until it is signed; the scoring
  page of one assignment (``assignments/<id>/``) with the nomination's
  materials as the judge may see them (``selectors.assignment_materials``,
  which the API's serializer reads too), each criterion's guidance beside its input, the running total, draft
  autosave and submit through the JSON API (``static/judging/scoring.js``),
  and the declaration of a conflict (回避申明).
- ``office``: for the office, observers reading (``rounds/<id>/…``), the
  progress board, the conflict report, and the ranking page with the method
  switch (the JSON API's asynchronous aggregation, polled with a progress
  bar), ties, the comparison of two methods, the judges' severity chart
  (geometry in ``judging.charts``) and, for the office, closing the round.
- ``publicity``: for anyone (``/publicity/<competition id>/``), the 公示 list
  and the objection form (a normal POST form; JavaScript posts the same to the public API);
  ``/publicity/objections/`` looks an objection up by receipt and phone.

Views read through selectors (and the API's serializer, so that the scoring
page shows exactly what the API gives the judge) and write through services
only. What a user may do is asked of the permissions in ``judging.rules``
(``has_perm``: ``judging.score``, ``judging.close``, …, which wrap the state
rules of ``judging.refusals`` that the services raise): a page never decides it
by comparing roles and states itself. An object the user may not see answers
404 exactly like a missing one.
"""

from .judge import assignment_page, declare_conflict, index, pledge
from .office import close_round, conflicts, progress, ranking, remind_judges
from .publicity import objection_status, objection_submit, publicity

__all__ = [
    "assignment_page",
    "close_round",
    "conflicts",
    "declare_conflict",
    "index",
    "pledge",
    "progress",
    "publicity",
    "objection_submit",
    "objection_status",
    "ranking",
    "remind_judges",
]
