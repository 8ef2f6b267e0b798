"""Every service that changes state checks the actor's role itself (issue 11, item 1).

A caller (a view, the admin, a command) forgetting its own check must not
open a hole: a wrong-role actor gets ``Forbidden`` and nothing changes. A
superuser is only what their role says.
"""

import pytest
from django.test import Client

from certificates import services as certificate_services
from competition import services
from competition.enums import Phase, Role
from competition.exceptions import Forbidden
from competition.models import AuditEntry, Competition, Issuer, JudgeProfile, Unit, User
from exhibition import services as exhibition_services
from judging import services as judging_services
from tests.factories import (
    PASSWORD,
    JudgeFactory,
    ObserverFactory,
    OfficeFactory,
    OfficerFactory,
    api_client,
    competition_factory,
    competition_payload,
    taiyuan_unit,
)

pytestmark = pytest.mark.django_db

STRONG = "Xlf-test-pass-2026"


def _actors():
    return {
        "observer": ObserverFactory(),
        "officer": OfficerFactory(unit=taiyuan_unit("140105")),
        "judge": JudgeFactory(),
        # Django's superuser and staff flags grant nothing: the role decides.
        "superuser observer": ObserverFactory(is_superuser=True, is_staff=True),
        "inactive office": OfficeFactory(is_active=False),
    }


def _state():
    """What a refused call must leave as it was."""
    return (
        list(Competition.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(JudgeProfile.objects.order_by("pk").values()),
        list(Unit.objects.order_by("pk").values()),
        list(Issuer.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def _calls(competition):
    """(name, call(actor)) for the office's services, each given real objects."""
    category = competition.categories.first()
    round_ = competition.rounds.first()
    issuer = competition.issuers.first()
    unit = taiyuan_unit("140106")
    judge = JudgeFactory()
    return [
        ("competition_create", lambda a: services.competition_create(actor=a, data=competition_payload())),
        ("competition_update", lambda a: services.competition_update(actor=a, competition=competition, data={"title": "改名"})),
        ("competition_advance", lambda a: services.competition_advance(actor=a, competition=competition, to=Phase.NOMINATING)),
        ("user_create", lambda a: services.user_create(actor=a, username="new-office", password=STRONG, role=Role.OFFICE)),
        ("user_update", lambda a: services.user_update(actor=a, user=judge, data={"role": Role.OFFICE})),
        ("user_password_set", lambda a: services.user_password_set(actor=a, user=judge, password=STRONG)),
        ("judge_profile_set", lambda a: services.judge_profile_set(actor=a, user=judge, name="改名的专家")),
        ("unit_create", lambda a: services.unit_create(actor=a, data={"code": "X1", "name": "新单位", "short_name": "新", "kind": "district"})),
        ("unit_update", lambda a: services.unit_update(actor=a, unit=unit, data={"name": "改名的单位"})),
        ("structure_item_save", lambda a: services.structure_item_save(actor=a, obj=category, data={"award_quota": 99})),
        ("structure_item_delete", lambda a: services.structure_item_delete(actor=a, obj=round_)),
        ("issuer_seal_set", lambda a: services.issuer_seal_set(actor=a, issuer=issuer, seal=None)),
        ("panel_set", lambda a: judging_services.panel_set(actor=a, category=category, judges=[])),
        ("assignments_auto", lambda a: judging_services.assignments_auto(actor=a, round_=round_)),
        ("round_close", lambda a: judging_services.round_close(actor=a, round_=round_)),
        ("publicity_publish", lambda a: judging_services.publicity_publish(actor=a, competition=competition)),
        ("competition_finalize", lambda a: judging_services.competition_finalize(actor=a, competition=competition)),
        ("certificates_issue", lambda a: certificate_services.certificates_issue(actor=a, competition=competition)),
        ("sample_seals_attach", lambda a: certificate_services.sample_seals_attach(actor=a, competition=competition)),
        ("exhibition_publish", lambda a: exhibition_services.exhibition_publish(actor=a, competition=competition)),
    ]


@pytest.fixture
def world():
    competition = competition_factory()
    return competition, _actors(), _calls(competition)


def test_every_office_service_refuses_every_other_role_and_changes_nothing(world):
    _competition, actors, calls = world
    for name, call in calls:
        for who, actor in actors.items():
            before = _state()
            with pytest.raises(Forbidden) as refused:
                call(actor)
            assert refused.value.status_code == 403, (name, who)
            assert refused.value.message, (name, who)
            assert _state() == before, f"{name} as {who} changed something"


def test_the_phase_services_refuse_a_system_caller(world):
    """``actor=None`` is for the jobs that make accounts; it never moves or changes a year."""
    competition, _actors_, _calls_ = world
    before = _state()
    for call in (
        lambda: services.competition_advance(actor=None, competition=competition, to=Phase.NOMINATING),
        lambda: services.competition_update(actor=None, competition=competition, data={"title": "改名"}),
        lambda: services.competition_create(actor=None, data=competition_payload()),
    ):
        with pytest.raises(Forbidden):
            call()
    assert _state() == before


def test_system_jobs_still_make_accounts_and_profiles():
    user = services.user_create(actor=None, username="seeded-judge", password=STRONG, role=Role.JUDGE)
    profile = services.judge_profile_set(actor=None, user=user, name="种子专家")
    assert profile.user == user
    assert AuditEntry.objects.filter(action="user.create", actor=None).count() == 1


def test_the_office_passes_the_same_checks():
    office = OfficeFactory()
    competition = competition_factory()
    services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)
    assert Competition.objects.get(pk=competition.pk).phase == Phase.NOMINATING


def test_a_superuser_observer_cannot_do_office_things():
    observer = ObserverFactory(username="super-observer", is_superuser=True, is_staff=True)
    competition = competition_factory()
    # No permission comes from the superuser flag or Django's model permissions.
    for perm in (
        "competition.advance_competition",
        "competition.change_competition",
        "competition.add_user",
        "certificates.issue",
        "judging.finalize",
        "exhibition.publish",
    ):
        assert not observer.has_perm(perm), perm
    assert observer.has_perm("judging.view_ranking")  # what an observer may do still holds
    assert not observer.get_all_permissions()

    # The API.
    refused = api_client(observer).post(
        f"/api/v1/competitions/{competition.pk}/advance/", {"to": "nominating"}, format="json"
    )
    assert refused.status_code == 403

    # The admin: the action is not offered, and posting it changes nothing.
    client = Client()
    client.post("/accounts/login/", {"username": observer.username, "password": PASSWORD})
    changelist = client.get("/admin/competition/competition/")
    assert changelist.status_code == 200
    assert "advance_to_next_phase" not in changelist.content.decode()
    client.post(
        "/admin/competition/competition/",
        {"action": "advance_to_next_phase", "_selected_action": [competition.pk]},
    )
    # The office's pages.
    assert client.post(f"/certificates/competitions/{competition.pk}/issue/").status_code == 403

    assert Competition.objects.get(pk=competition.pk).phase == Phase.DRAFT
    assert not AuditEntry.objects.exclude(action__startswith="auth.").exists()  # sign-ins are audited


def test_a_superuser_officer_is_only_an_officer():
    officer = OfficerFactory(unit=taiyuan_unit("140105"), is_superuser=True, is_staff=True)
    competition = competition_factory()
    with pytest.raises(Forbidden):
        services.competition_advance(actor=officer, competition=competition, to=Phase.NOMINATING)
    client = Client()
    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302  # the admin is for the office and observers
    assert Competition.objects.get(pk=competition.pk).phase == Phase.DRAFT
