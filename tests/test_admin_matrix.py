"""The access matrix of the admin: every role × every admin changelist, action and form (issue 11).

The ModelAdmins, their actions and their extra views are discovered from
``admin.site._registry``, so a new admin, action or view is covered (or, for
an extra view, must be named in ``EXTRA_VIEWS``) without editing the cells.

- anonymous, unit officers and judges are sent to the admin's sign-in;
- observers (also one flagged superuser) see every changelist but are
  offered no action, and every POST (action, add, change, delete, extra
  view) is refused;
- the office is offered every action; what it may delete goes through a
  service and leaves an audit entry.

For every refused cell nothing in the database changes.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from competition import services
from competition.enums import Phase, Role
from competition.models import AuditEntry, User
from exhibition import services as exhibition_services
from tests.exhibition.conftest import make_final, winner
from tests.factories import JudgeFactory, ObserverFactory, competition_factory
from tests.judging.conftest import judging_competition

pytestmark = pytest.mark.django_db

STRONG = "Xlf-test-pass-2026"
ANON, OFFICER, JUDGE, OBSERVER, SUPER_OBSERVER, OFFICE = (
    "anonymous",
    "officer",
    "judge",
    "observer",
    "superuser observer",
    "office",
)
ROLES = [ANON, OFFICER, JUDGE, OBSERVER, SUPER_OBSERVER, OFFICE]
SENT_TO_LOGIN = {ANON, OFFICER, JUDGE}
READ_ONLY = {OBSERVER, SUPER_OBSERVER}
APPS = ["competition", "nominations", "judging", "certificates", "exhibition"]

# Views an admin adds besides changelist/add/change/delete/history, by URL
# name: the object they take (None: none) and whether they write.
EXTRA_VIEWS = {
    "auth_user_password_change": ("user", True),
    "certificates_certificatetemplate_preview": ("category", False),  # a PDF of sample data
    "exhibition_exhibit_publish": (None, True),
}
STANDARD = ("changelist", "add", "change", "delete", "history")


def registered():
    """(model, ModelAdmin) of every registered admin, in a stable order."""
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def base_actions(model_admin) -> list[str]:
    """Every action the admin declares (before any permission filter)."""
    return [name for _func, name, _desc in model_admin._get_base_actions()]


def url_name(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def fingerprint():
    """Every row of our apps, the audit trail and the admin's own history."""
    rows = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
    rows["admin.LogEntry"] = LogEntry.objects.count()
    return rows


@pytest.fixture
def world():
    office = services.user_create(actor=None, username="mx-office", password=STRONG, role=Role.OFFICE)
    users = {
        OFFICE: office,
        OBSERVER: services.user_create(actor=None, username="mx-observer", password=STRONG, role=Role.OBSERVER),
        SUPER_OBSERVER: ObserverFactory(username="mx-super-observer", is_superuser=True, is_staff=True),
        OFFICER: services.user_create(
            actor=None, username="mx-officer", password=STRONG, role=Role.OFFICER,
            unit=apps.get_model("competition", "Unit").objects.order_by("order").first(),
        ),
        JUDGE: JudgeFactory(username="mx-judge"),
    }
    # A draft year (the phase action can move it) and a final one with exhibits,
    # one shown and one withdrawn (the exhibition's actions have work to do).
    draft = competition_factory()
    final = judging_competition(office, year=2095)  # outside CompetitionFactory's years
    units = list(apps.get_model("competition", "Unit").objects.order_by("order")[:2])
    xm = final.categories.get(code="XM")
    first = winner(final, xm, units[0], title="银龄陪伴助老服务", photos=0)
    winner(final, xm, units[1], title="汾河岸线护水行动", photos=0)
    final = make_final(final)
    exhibition_services.exhibition_publish(actor=office, competition=final)
    from exhibition.models import Exhibit

    exhibition_services.exhibit_withdraw(
        actor=office, exhibit=Exhibit.objects.get(nomination=first), reason="材料需要核实"
    )
    from certificates.models import CertificateTemplate

    CertificateTemplate.objects.create(category=draft.categories.first())
    assert AuditEntry.objects.exists()
    return {"users": users, "draft": draft, "final": final}


def client_for(world, role: str) -> Client:
    client = Client()
    if role != ANON:
        client.force_login(world["users"][role])
    return client


def some_object(model, world):
    """A row to open the change and delete forms with (an account that is not the caller)."""
    if model is User:
        return JudgeFactory()
    return model._default_manager.order_by("pk").first()


def offered(response) -> list[str]:
    form = response.context.get("action_form") if response.context else None
    return [name for name, _ in form.fields["action"].choices if name] if form else []


def extra_urls(world):
    out = []
    for model, model_admin in registered():
        standard = {f"{model._meta.app_label}_{model._meta.model_name}_{view}" for view in STANDARD}
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            if name and name not in standard:
                out.append(name)
    return out


def test_every_extra_admin_view_is_in_the_matrix(world):
    assert sorted(extra_urls(world)) == sorted(EXTRA_VIEWS)


def test_the_admin_has_actions_to_check():
    """The discovery finds the actions (a silent empty matrix would prove nothing)."""
    names = {name for _model, model_admin in registered() for name in base_actions(model_admin)}
    assert {"advance_to_next_phase", "withdraw", "restore"} <= names
    assert "delete_selected" not in names


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def _extra_url(name, argument, world):
    if argument is None:
        return reverse(f"admin:{name}")
    obj = JudgeFactory() if argument == "user" else world["draft"].categories.first()
    return reverse(f"admin:{name}", args=[obj.pk])


@pytest.mark.parametrize("role", ROLES)
def test_admin_matrix(world, role):
    client = client_for(world, role)
    problems: list[str] = []

    def expect(cell: str, ok: bool, response) -> None:
        if not ok:
            problems.append(f"{role} · {cell}: {response.status_code} {response.get('Location', '')}")

    for model, model_admin in registered():
        label = model._meta.label
        changelist = reverse(url_name(model, "changelist"))
        obj = some_object(model, world)

        # Reading the changelist.
        page = client.get(changelist)
        if role in SENT_TO_LOGIN:
            expect(f"GET {label} changelist", _sent_to_login(page), page)
        else:
            expect(f"GET {label} changelist", page.status_code == 200, page)

        # Every action of the admin, on every row.
        for action in base_actions(model_admin):
            selected = list(model._default_manager.values_list("pk", flat=True))
            before = fingerprint()
            response = client.post(changelist, {"action": action, "_selected_action": selected})
            cell = f"POST {label} action {action}"
            if role == OFFICE:
                expect(f"{cell} offered", action in offered(page), page)
                expect(cell, response.status_code < 500, response)
                continue
            if role in SENT_TO_LOGIN:
                expect(cell, _sent_to_login(response), response)
            else:
                expect(f"{cell} not offered", action not in offered(page), page)
                expect(cell, response.status_code in (200, 302, 403), response)
            expect(f"{cell} changed nothing", fingerprint() == before, response)

        if role == OFFICE:
            # The office deletes only through a service, which audits it.
            if obj is not None:
                audited = AuditEntry.objects.filter(action__endswith=".delete").count()
                response = client.post(reverse(url_name(model, "delete"), args=[obj.pk]), {"post": "yes"})
                gone = not model._default_manager.filter(pk=obj.pk).exists()
                if gone:
                    expect(
                        f"POST {label} delete is audited",
                        AuditEntry.objects.filter(action__endswith=".delete").count() == audited + 1,
                        response,
                    )
                else:
                    expect(f"POST {label} delete refused", response.status_code == 403, response)
            continue

        # Every form that writes, refused.
        posts = [("add", reverse(url_name(model, "add")))]
        if obj is not None:
            posts += [
                ("change", reverse(url_name(model, "change"), args=[obj.pk])),
                ("delete", reverse(url_name(model, "delete"), args=[obj.pk])),
            ]
        for view, url in posts:
            before = fingerprint()
            response = client.post(url, {"post": "yes"})
            cell = f"POST {label} {view}"
            if role in SENT_TO_LOGIN:
                expect(cell, _sent_to_login(response), response)
            else:
                expect(cell, response.status_code == 403, response)
            expect(f"{cell} changed nothing", fingerprint() == before, response)

    if role != OFFICE:
        for name, (argument, writes) in EXTRA_VIEWS.items():
            url = _extra_url(name, argument, world)
            before = fingerprint()
            response = client.post(
                url,
                {"competition": world["final"].pk, "usable_password": "true", "password1": STRONG, "password2": STRONG},
            )
            cell = f"POST {name}"
            if role in SENT_TO_LOGIN:
                expect(cell, _sent_to_login(response), response)
            elif writes:
                expect(cell, response.status_code in (302, 403), response)
            expect(f"{cell} changed nothing", fingerprint() == before, response)

    assert not problems, "\n".join(problems)


def test_the_office_moves_a_year_with_the_action(world):
    """The one cell that must change something: the office's phase action still works."""
    client = client_for(world, OFFICE)
    draft = world["draft"]
    client.post(
        reverse("admin:competition_competition_changelist"),
        {"action": "advance_to_next_phase", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.phase == Phase.NOMINATING
