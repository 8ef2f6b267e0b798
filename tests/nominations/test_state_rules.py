"""The state rules, asked three ways, agree: the permission (rules.py over
states.py), the page (which buttons it shows) and the POST (whether the
action happens).

A table of cases: every status × the window (open; closed with the phase
still 申报; the 资格审查 phase; the 资格审查 phase with the returned
nomination's 补正截止 still ahead, or already past) × the officer of the unit
(edit, submit, withdraw, delete) and the office (review, reopen). Observers
and other units' officers are refused whatever the state.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from competition.enums import Phase
from competition.models import Competition
from nominations.enums import Status
from nominations.models import Nomination
from tests.nominations.conftest import attach_required, make_nomination

pytestmark = pytest.mark.django_db

STATUSES = list(Status)
WINDOWS = ["open", "closed", "reviewing", "correcting", "overdue"]
EDITABLE = {Status.DRAFT, Status.RETURNED}
REOPENABLE = {Status.ACCEPTED, Status.REJECTED, Status.RETURNED, Status.LAPSED}


def expected(action: str, status: str, window: str) -> bool:
    """The rules as the 申报 and 资格审查 procedure states them."""
    if action in ("edit", "submit"):
        # A returned nomination is corrected after the deadline until its 补正截止.
        return status in EDITABLE and (window == "open" or (status == Status.RETURNED and window == "correcting"))
    if action == "withdraw":
        return status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    if action == "delete":
        return status == Status.DRAFT
    if action == "review":
        return status == Status.SUBMITTED  # the phase is 申报 or 资格审查 in every window here
    if action == "reopen":
        return status in REOPENABLE  # before judging starts: every window here
    raise AssertionError(action)


def _case(officer, competition, category, status: str, window: str = "closed") -> Nomination:
    nomination = make_nomination(officer, competition, category)
    attach_required(nomination)
    reason = "请补充材料。" if status in (Status.RETURNED, Status.REJECTED, Status.LAPSED) else ""
    # The 补正截止 the office set on returning it: ahead of the case's clock, or behind it.
    closed_on = timezone.localdate(competition.nominations_close + dt.timedelta(hours=1))
    correct_by = {
        "correcting": closed_on + dt.timedelta(days=3),
        "overdue": closed_on - dt.timedelta(days=1),
    }.get(window)
    Nomination.objects.filter(pk=nomination.pk).update(
        status=status, review_reason=reason, correct_by=correct_by
    )
    return Nomination.objects.get(pk=nomination.pk)


def _window(competition: Competition, window: str):
    """A clock (and phase) for the window of the case."""
    if window in ("reviewing", "correcting", "overdue"):
        Competition.objects.filter(pk=competition.pk).update(phase=Phase.REVIEWING)
    if window == "open":
        return time_machine.travel(competition.nominations_close - dt.timedelta(days=1), tick=False)
    return time_machine.travel(competition.nominations_close + dt.timedelta(hours=1), tick=False)


def _login(client, user):
    client.force_login(user)
    return client


def _has(response, needle: str) -> bool:
    return needle in response.content.decode()


def _page_offers(client, nomination, action: str) -> bool:
    pk = nomination.pk
    if action in ("edit", "withdraw", "review", "reopen"):
        detail = client.get(reverse("nominations:detail", args=[pk]))
        assert detail.status_code == 200
        url = {
            "edit": f'href="{reverse("nominations:edit", args=[pk])}"',
            "withdraw": f'action="{reverse("nominations:withdraw", args=[pk])}"',
            "review": f'action="{reverse("nominations:review-decision", args=[pk])}"',
            "reopen": f'action="{reverse("nominations:reopen", args=[pk])}"',
        }[action]
        return _has(detail, url)
    # Submit and delete are offered on the form page, which opens for editable statuses only.
    form = client.get(reverse("nominations:edit", args=[pk]))
    if form.status_code == 302:
        return False
    assert form.status_code == 200
    if action == "delete":
        return _has(form, f'action="{reverse("nominations:delete", args=[pk])}"')
    button = form.content.decode().split('id="submit-button"', 1)[1].split(">", 1)[0]
    return "disabled" not in button


def _post_acts(client, nomination, action: str) -> bool:
    pk = nomination.pk
    if action == "edit":
        client.post(
            reverse("nominations:edit", args=[pk]),
            {"title": "改过的名称", "pledge": "on", "version": nomination.version},
        )
        return Nomination.objects.get(pk=pk).title == "改过的名称"
    if action == "submit":
        client.post(reverse("nominations:submit", args=[pk]))
        return Nomination.objects.get(pk=pk).status == Status.SUBMITTED and nomination.status != Status.SUBMITTED
    if action == "withdraw":
        client.post(reverse("nominations:withdraw", args=[pk]), {"reason": "本单位决定撤回。"})
        return Nomination.objects.get(pk=pk).status == Status.WITHDRAWN and nomination.status != Status.WITHDRAWN
    if action == "delete":
        client.post(reverse("nominations:delete", args=[pk]))
        return not Nomination.objects.filter(pk=pk).exists()
    if action == "review":
        client.post(reverse("nominations:review-decision", args=[pk]), {"decision": "accept"})
        return Nomination.objects.get(pk=pk).status == Status.ACCEPTED and nomination.status != Status.ACCEPTED
    if action == "reopen":
        client.post(reverse("nominations:reopen", args=[pk]), {"reason": "审查结论有误，重新审查。"})
        return Nomination.objects.get(pk=pk).status == Status.SUBMITTED and nomination.status != Status.SUBMITTED
    raise AssertionError(action)


PERMS = {
    "edit": "nominations.edit_nomination",
    "submit": "nominations.submit_nomination",
    "withdraw": "nominations.withdraw_nomination",
    "delete": "nominations.delete_nomination",
    "review": "nominations.review_nomination",
    "reopen": "nominations.reopen_nomination",
}
OFFICE_ACTIONS = ("review", "reopen")
CASES = [
    (status, window, action)
    for status in STATUSES
    for window in WINDOWS
    for action in ("edit", "submit", "withdraw", "delete", "review", "reopen")
]


@pytest.mark.parametrize(("status", "window", "action"), CASES)
def test_permission_page_and_post_agree(
    client, officer, office, competition, project_category, status, window, action
):
    actor = office if action in OFFICE_ACTIONS else officer
    nomination = _case(officer, competition, project_category, status, window)
    want = expected(action, status, window)

    with _window(competition, window):
        nomination = Nomination.objects.select_related("competition").get(pk=nomination.pk)
        assert actor.has_perm(PERMS[action], nomination) is want
        _login(client, actor)
        assert _page_offers(client, nomination, action) is want
        assert _post_acts(client, nomination, action) is want


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED])
@pytest.mark.parametrize("role", ["observer", "other_officer", "officer_reviews", "office_edits"])
def test_other_roles_are_offered_nothing_and_change_nothing(
    request, client, officer, competition, project_category, status, role
):
    nomination = _case(officer, competition, project_category, status)
    user = {
        "observer": lambda: request.getfixturevalue("observer"),
        "other_officer": lambda: request.getfixturevalue("other_officer"),
        "officer_reviews": lambda: officer,
        "office_edits": lambda: request.getfixturevalue("office"),
    }[role]()
    actions = list(OFFICE_ACTIONS) if role == "officer_reviews" else list(PERMS)
    if role == "office_edits":
        actions = [a for a in actions if a not in OFFICE_ACTIONS]

    with _window(competition, "open"):
        _login(client, user)
        for action in actions:
            nomination = Nomination.objects.select_related("competition").get(pk=nomination.pk)
            assert user.has_perm(PERMS[action], nomination) is False, action
            detail = client.get(reverse("nominations:detail", args=[nomination.pk]))
            if role == "other_officer":
                assert detail.status_code == 404
            else:
                assert detail.status_code == 200
                if action == "withdraw":
                    assert not _has(detail, f'action="{reverse("nominations:withdraw", args=[nomination.pk])}"')
                if action == "review":
                    assert not _has(
                        detail, f'action="{reverse("nominations:review-decision", args=[nomination.pk])}"'
                    )
                if action == "reopen":
                    assert not _has(detail, f'action="{reverse("nominations:reopen", args=[nomination.pk])}"')
            before = Nomination.objects.get(pk=nomination.pk)
            assert _post_acts(client, before, action) is False, action
            assert Nomination.objects.get(pk=nomination.pk).version == before.version
