"""``seed_demo``: the 2022 year, all units and the accounts; idempotent; refused in production."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from competition.enums import Role
from competition.models import Competition, JudgeProfile, Unit, User
from competition.phases import rubric_total

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2022"
COUNTY_LEVEL = [
    "140105", "140106", "140107", "140108", "140109",
    "140110", "140121", "140122", "140123", "140181",
]  # fmt: skip


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo year is built once for this module (it takes a while) with DEBUG
    off and ``--force``, then seeded a second time; the tests below read it
    inside their own rolled-back transactions. Everything is flushed at the end."""
    from django.conf import settings

    with django_db_blocker.unblock():
        out = seed(force=True)
        after_first = row_counts()
        competition = Competition.objects.get(year=2022)
        stamp = competition.updated_at
        second_out = io.StringIO()
        call_command("seed_demo", password="another-password", force=True, stdout=second_out)
        yield {
            "out": out,
            "after_first": after_first,
            "after_second": row_counts(),
            "stamp": stamp,
            "debug": settings.DEBUG,
        }
        call_command("flush", interactive=False, verbosity=0)
        from competition.units_data import load_units

        load_units(Unit)


def test_seed_demo_builds_the_2022_competition(seeded):
    competition = Competition.objects.get(year=2022)
    # The demo replays the whole year: it ends with the results final.
    assert competition.phase == "final"
    categories = list(competition.categories.order_by("order"))
    assert [c.code for c in categories] == ["XM", "ZZ", "ZYZ", "SQ"]
    assert [c.kind for c in categories] == ["project", "organization", "person", "community"]
    assert all(rubric_total(c) == 100 for c in categories)
    assert all(c.criteria.count() == 6 for c in categories)
    rounds = list(competition.rounds.order_by("order"))
    assert [r.name for r in rounds] == ["初评", "终评"]
    assert sum(r.weight for r in rounds) == 1
    assert all(r.closed_at is not None for r in rounds)
    assert [i.name for i in competition.issuers.all()] == [
        "中共太原市委宣传部",
        "太原市精神文明建设委员会办公室",
    ]


def test_seed_demo_creates_the_accounts(seeded):
    out = seeded["out"]
    assert User.objects.get(username="office").role == Role.OFFICE
    assert User.objects.get(username="observer").role == Role.OBSERVER
    for unit in Unit.objects.all():
        officer = User.objects.get(username=f"unit-{unit.code}")
        assert (officer.role, officer.unit) == (Role.OFFICER, unit)
    assert User.objects.get(username="unit-140105").unit.short_name == "小店区"
    profiles = {p.user.username: p for p in JudgeProfile.objects.select_related("user", "unit")}
    assert sorted(profiles) == [f"judge{i:02d}" for i in range(1, 16)]
    assert [profiles[f"judge{i:02d}"].unit.code for i in range(1, 11)] == COUNTY_LEVEL
    assert all(profiles[f"judge{i:02d}"].unit is None for i in range(11, 16))
    assert all(p.user.role == Role.JUDGE for p in profiles.values())
    assert User.objects.count() == 2 + 24 + 15
    assert authenticate(username="judge07", password=PASSWORD) is not None
    # It prints the accounts.
    for username in ("office", "observer", "unit-140105", "judge01", "judge15"):
        assert username in out


def test_seed_demo_twice_changes_nothing(seeded):
    assert seeded["after_second"] == seeded["after_first"]
    assert Competition.objects.get(year=2022).updated_at == seeded["stamp"]
    assert seeded["after_first"]["competition.User"] == 41
    assert seeded["after_first"]["competition.Unit"] == 24


def test_seed_demo_keeps_an_existing_password(seeded):
    # The second run was given another password; the accounts keep the first.
    assert authenticate(username="office", password=PASSWORD) is not None
    assert authenticate(username="office", password="another-password") is None


def test_seed_demo_shows_a_whole_year(seeded):
    from judging.models import Award, Objection, RankingSnapshot
    from nominations.models import Nomination

    assert Nomination.objects.filter(title="举手之劳·为树木松绑拔刺").exists()
    assert set(Nomination.objects.values_list("status", flat=True)) >= {"accepted", "rejected", "withdrawn", "draft"}
    assert RankingSnapshot.objects.filter(official=True).count() == 2
    assert Award.objects.filter(status="final").exists()
    assert Objection.objects.get().status == "dismissed"


def test_seed_demo_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert row_counts() == before


def test_seed_demo_refuses_a_short_password(settings):
    settings.DEBUG = True
    before = row_counts()
    with pytest.raises(CommandError):
        call_command("seed_demo", password="12345", stdout=io.StringIO())
    assert row_counts() == before


def test_seed_demo_gives_the_accounts_demo_addresses_after_the_year(seeded):
    from notifications.models import Delivery, Notification

    assert User.objects.get(username="unit-140105").email == "unit-140105@demo.invalid"
    assert User.objects.exclude(email__endswith="@demo.invalid").count() == 0
    assert all(u.email == f"{u.username}@demo.invalid" for u in User.objects.all())
    # The replayed year fills the inboxes but mails nobody (the addresses come last).
    assert Notification.objects.filter(recipient__username="unit-140105").exists()
    assert not Delivery.objects.exists()


def test_seed_demo_shows_the_centres_2019_honour_in_the_organizations_hall(seeded):
    """Issue 16 item 5: the centre's 2019 最佳志愿服务组织 is a historic exhibit and a past winner."""
    from rest_framework.test import APIClient

    from exhibition import caching
    from nominations.models import PastWinner

    caching.forget_all()
    client = APIClient()
    body = client.get("/api/v1/public/exhibition/organizations/?year=2019").json()
    [centre] = [r for r in body["results"] if r["name"] == "太原市城市综合管理服务指挥中心"]
    assert (centre["source"], centre["honour_year"], centre["award"]["name"]) == ("historic", 2019, "最佳志愿服务组织")
    detail = client.get(f"/api/v1/public/exhibition/organizations/{centre['slug']}/").json()
    figures = {f["label"]: f for f in detail["figures"]}
    assert figures["志愿服务时长"]["display"] == "10.41万余小时" and figures["志愿服务时长"]["approximate"]
    assert figures["注册志愿者"]["value"] == "758" and figures["开展活动"]["value"] == "3412"
    assert {f["source"] for f in figures.values()} == {"“太原志愿者”平台记录"}
    assert PastWinner.objects.filter(year=2019, category_code="ZZ", title="太原市城市综合管理服务指挥中心").exists()
