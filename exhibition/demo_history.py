"""Demo history: the seed's story before this system (issue 16 item 5).

Run by ``seed_demo`` after the demo year's exhibition is published. Idempotent.

- 太原市城市综合管理服务指挥中心 was named 最佳志愿服务组织 by the 市文明办 in
  December 2019: a historic exhibit of the 组织展 (and so a past winner, which the
  eligibility check sees), with the centre's figures as the "太原志愿者" platform
  records them: 758 volunteers, 3,412 activities, 10.41万余 hours (approximate);
- the centre's two 2022 projects, when they are on show, carry their own outcome
  figures: 清理非法小广告 近百万件 (清除城市牛皮癣), 处置树木问题 近5万件 and the
  first activity's 600 人次 and 11,502 起 (为树木松绑拔刺) — not the centre's totals.

The texts are our own words from the facts in the domain notes.
"""

from __future__ import annotations

from competition.models import Unit, User

from . import source_services
from .enums import ExhibitSource, ExhibitStatus
from .models import Exhibit

CENTRE = "太原市城市综合管理服务指挥中心"
CENTRE_UNIT = "TY-M-CG"
PLATFORM = "“太原志愿者”平台记录"
CENTRE_SOURCE = "太原市城市综合管理服务指挥中心"
TREES = "举手之劳·为树木松绑拔刺"
ADVERTS = "举手之劳·清除城市牛皮癣"

CENTRE_FIGURES = [
    {"label": "注册志愿者", "value": 758, "unit": "人", "as_of": "2022-12", "source": PLATFORM},
    {"label": "开展活动", "value": 3412, "unit": "次", "as_of": "2022-12", "source": PLATFORM},
    {
        "label": "志愿服务时长", "value": 104100, "written": "10.41万", "suffix": "余", "unit": "小时",
        "approximate": True, "as_of": "2022-12", "source": PLATFORM,
    },
]  # fmt: skip
PROJECT_FIGURES = {
    ADVERTS: [
        {
            "label": "清理非法小广告", "value": 1000000, "prefix": "近", "written": "百万", "unit": "件",
            "approximate": True, "as_of": "2022", "source": CENTRE_SOURCE,
        },
    ],
    TREES: [
        {
            "label": "处置树木问题", "value": 50000, "prefix": "近", "written": "5万", "unit": "件",
            "approximate": True, "as_of": "2022", "source": CENTRE_SOURCE,
        },
        {"label": "首次活动参与志愿者", "value": 600, "unit": "人次", "as_of": "2016-03", "source": CENTRE_SOURCE},
        {"label": "首次活动清除铁丝、钉子、扎带", "value": 11502, "unit": "起", "as_of": "2016-03", "source": CENTRE_SOURCE},
    ],
}  # fmt: skip
CENTRE_INTRODUCTION = (
    "指挥中心把数字化城管的案件发现与处置同志愿服务结合起来，"
    "自2016年起组织干部职工和市民志愿者开展“举手之劳”系列志愿服务："
    "为行道树拆除铁丝、钉子和扎带，清除街巷里的非法小广告。"
    "2019年12月，指挥中心被市文明办评为太原市学雷锋最佳志愿服务组织。"
)


def _unit_name() -> str:
    unit = Unit.objects.filter(code=CENTRE_UNIT).first()
    return unit.name if unit else ""


def seed(ctx) -> None:
    office = User.objects.filter(username="office").first()
    if office is None:
        return
    now = ctx.at(2022, 12, 6, 10) if hasattr(ctx, "at") else None
    if not Exhibit.objects.filter(source=ExhibitSource.HISTORIC, year=2019, title=CENTRE).exists():
        source_services.exhibit_historic_create(
            actor=office,
            data={
                "year": 2019,
                "award_code": "最佳志愿服务组织",
                "award_name": "最佳志愿服务组织",
                "title": CENTRE,
                "organization": "",
                "unit_name": _unit_name(),
                "introduction": CENTRE_INTRODUCTION,
            },
            figures=CENTRE_FIGURES,
            now=now,
        )
        ctx.notes.append(f"云展馆：组织展收录 2019 年度最佳志愿服务组织“{CENTRE}”（往年展品，已记入往年获奖名单）。")
    for title, figures in PROJECT_FIGURES.items():
        exhibit = (
            Exhibit.objects.filter(year=2022, title=title, status=ExhibitStatus.PUBLISHED)
            .exclude(source=ExhibitSource.HISTORIC)
            .first()
        )
        if exhibit is None:
            continue
        labels = set(exhibit.figures.values_list("label", flat=True))
        if {f["label"] for f in figures} <= labels:
            continue  # already there
        source_services.exhibit_figures_set(actor=office, exhibit=exhibit, figures=figures)
        ctx.notes.append(f"云展馆：“{title}”展出其成效数据。")



