"""Celery tasks of nominations: take ids, load, call one service.

``lapse_overdue`` (celery beat, every ten minutes; without beat: ``manage.py
lapse_overdue``) marks the returned nominations whose 补正截止 has passed as
已逾期未更正. Running it twice changes nothing more. The service is imported
inside the task body. ``NominationsConfig.ready`` imports this module, so
every process has the task registered.
"""

from celery import shared_task


@shared_task(name="nominations.lapse_overdue", acks_late=True, reject_on_worker_lost=True)
def lapse_overdue() -> int:
    from .corrections import nominations_lapse_due

    return len(nominations_lapse_due())
