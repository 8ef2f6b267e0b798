"""Demo data of the foundation: the units, the 2022 competition, the accounts.

``seed_demo`` calls ``seed(context)`` (then ``finish(context)``, where defined) of every installed app's ``demo``
module, in the order of INSTALLED_APPS, so that each app adds its part of
the demo year (nominations, scores, results, certificates, exhibition)
without this app importing them. Every step is idempotent.

The 2022 year is replayed on its own calendar: services that check the
clock take the historical ``now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import services
from .enums import AggregationMethod, CategoryKind, Role
from .models import Competition, JudgeProfile, Unit, User
from .units_data import load_units

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2022

RUBRIC = [
    ("项目设计", 15, "需求真实，服务对象明确，目标清晰"),
    ("组织管理", 15, "有骨干团队，招募、培训、记录、激励制度健全，经费使用公开透明"),
    ("执行情况", 20, "持续运行年限、活动频次、服务时长"),
    ("社会效益", 25, "覆盖面与受益人数，服务对象评价，媒体报道与社会影响"),
    ("创新性", 15, "服务方式有创新"),
    ("可持续性/可推广性", 10, "能否长期坚持，能否被复制推广"),
]
# (code, name, kind, award quota, nominations per unit, min years running, min volunteers).
# Each award quota is well below the nominations the demo accepts in its category
# (XM 17, ZZ 7, ZYZ 6, SQ 6: see nominations/demo.py), so every category is a contest.
CATEGORIES = [
    ("XM", "最佳志愿服务项目", CategoryKind.PROJECT, 6, 3, 3, 20),
    ("ZZ", "最佳志愿服务组织", CategoryKind.ORGANIZATION, 3, 2, 3, 20),
    ("ZYZ", "最美志愿者", CategoryKind.PERSON, 3, 2, 0, 0),
    ("SQ", "最美志愿服务社区", CategoryKind.COMMUNITY, 2, 1, 0, 0),
]
WORDING = "在{year}年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋{award}”。特发此证，以资鼓励。"


@dataclass
class DemoContext:
    password: str
    stdout: object
    password_hash: str | None = None
    competition: Competition | None = None
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def at(self, *args) -> dt.datetime:
        """A moment of the demo year, in Taiyuan's time."""
        return dt.datetime(*args, tzinfo=TZ)


def competition_data() -> dict:
    return {
        "year": YEAR,
        "title": f"{YEAR}年度太原市学雷锋志愿服务先进典型推选",
        "certificate_wording": WORDING,
        "nominations_open": dt.datetime(YEAR, 10, 8, 0, 0, tzinfo=TZ),
        "nominations_close": dt.datetime(YEAR, 10, 31, 18, 0, tzinfo=TZ),
        "judging_close": dt.datetime(YEAR, 11, 20, 18, 0, tzinfo=TZ),
        "publicity_working_days": 5,
        "holidays": [dt.date(YEAR, 10, d) for d in range(1, 8)],
        # 国办发明电〔2021〕11号: 国庆节 10月8日（星期六）、10月9日（星期日）上班.
        "workdays": [dt.date(YEAR, 10, 8), dt.date(YEAR, 10, 9)],
        "issuers": [{"name": "中共太原市委宣传部"}, {"name": "太原市精神文明建设委员会办公室"}],
        "categories": [
            {
                "code": code,
                "name": name,
                "kind": kind,
                "award_quota": award,
                "nomination_quota_per_unit": per_unit,
                "min_years_running": years,
                "min_volunteers": volunteers,
                "exclude_past_winners": True,
                "hard_rules": ["past_winner", "duplicate"],
                "criteria": [
                    {"name": n, "max_points": p, "weight": 1, "guidance": g} for n, p, g in RUBRIC
                ],
                "tie_break": ["社会效益"],
            }
            for code, name, kind, award, per_unit, years, volunteers in CATEGORIES
        ],
        "rounds": [
            {
                "name": "初评",
                "method": AggregationMethod.TRIMMED_MEAN,
                "trim_min_judges": 5,
                "judges_per_nomination": 5,
                "advance_per_category": 12,
                "weight": "0.4",
                "blind": True,
                "comment_required": False,
            },
            {
                "name": "终评",
                "method": AggregationMethod.TRIMMED_MEAN,
                "trim_min_judges": 5,
                "judges_per_nomination": 7,
                "advance_per_category": None,
                "weight": "0.6",
                "blind": False,
                "comment_required": True,
            },
        ],
    }


def _account(ctx: DemoContext, *, username, role, unit=None, display_name="") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            actor=None,
            username=username,
            password=None,
            role=role,
            unit=unit,
            display_name=display_name,
        )
        # Hashing one password for 41 accounts would take ten seconds: hash it
        # once and give every demo account that hash.
        if ctx.password_hash is None:
            ctx.password_hash = make_password(ctx.password)
        User.objects.filter(pk=user.pk).update(password=ctx.password_hash)
    ctx.accounts.append((username, Role(user.role).label, display_name or (unit.name if unit else "")))
    return user


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    load_units(Unit)
    office = _account(ctx, username="office", role=Role.OFFICE, display_name="市文明办")
    _account(ctx, username="observer", role=Role.OBSERVER, display_name="监督员")
    for unit in Unit.objects.order_by("order"):
        _account(ctx, username=f"unit-{unit.code}", role=Role.OFFICER, unit=unit)

    county_level = list(
        Unit.objects.filter(kind__in=["district", "county", "county_city"]).order_by("order")
    )
    for i in range(1, 16):
        username = f"judge{i:02d}"
        name = f"评审专家{i:02d}"
        user = _account(ctx, username=username, role=Role.JUDGE, display_name=name)
        if not JudgeProfile.objects.filter(user=user).exists():
            unit = county_level[i - 1] if i <= len(county_level) else None
            services.judge_profile_set(
                actor=office,
                user=user,
                name=name,
                expertise="志愿服务" if i % 2 else "社会工作",
                unit=unit,
                organizations=[],
            )

    competition = Competition.objects.filter(year=YEAR).first()
    if competition is None:
        competition = services.competition_create(actor=office, data=competition_data())
        ctx.notes.append(f"已创建 {competition.title}")
    ctx.competition = competition
