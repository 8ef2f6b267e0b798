"""Demo nominations of 2022, replayed on the year's own calendar.

Units nominate projects, organisations, volunteers and communities with a
generated photo and a generated stamped recommendation form; the office
accepts most, returns one (corrected and accepted), rejects one; one unit
withdraws one and leaves one in draft. Among them, the 太原市城市综合管理服务
指挥中心's two projects, from the domain notes; the centre itself won
最佳志愿服务组织 in 2019, is recorded as a past winner and not nominated again.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile

from competition.audit import audit_record, snapshot
from competition.enums import Phase
from competition.models import Unit, User
from competition.services import competition_advance

from . import attachments, services
from .enums import Status
from .models import Nomination, PastWinner
from .validators import normalized_key

CENTRE = "太原市城市综合管理服务指挥中心"
TREES = "举手之劳·为树木松绑拔刺"
ADVERTS = "举手之劳·清除城市牛皮癣"

# The centre's honour before this system (domain notes: named 最佳志愿服务组织 by the
# 市文明办 in December 2019). Recorded as a past winner before the 2022 nominations,
# so the rule 往年获奖者不得推荐 applies to it: the centre is not nominated again.
CENTRE_PAST_WINNER = {"year": 2019, "category_code": "ZZ", "title": CENTRE, "organization": ""}

# (unit code, title, organisation, field, started, volunteers, active, hours, activities, beneficiaries)
#
# The centre's two projects: the seed's facts give each one's start (March 2016 for
# the trees; 2017 for the adverts, month unknown) and its own outcomes, which their
# texts tell (PROJECT_TEXTS). The 758 volunteers, 3,412 activities and 10.41万余
# hours are the whole centre's, not one project's, so they are not used here. The
# form requires volunteers, hours, activities and beneficiaries for every project,
# and the facts give none per project: the numbers below are INVENTED demo values,
# kept inside the centre's totals (the two projects share volunteers; their hours
# and activities add up to less than the centre's). The day of each start (3月5日,
# 学雷锋纪念日) and the adverts' month are demo assumptions too. Every figure of the
# other rows is an invented demo value.
PROJECTS = [
    ("TY-M-CG", TREES, CENTRE, "环境保护", dt.date(2016, 3, 5), 420, 300, 52000, 1700, 60000),
    ("TY-M-CG", ADVERTS, CENTRE, "文明实践", dt.date(2017, 3, 5), 380, 260, 46000, 1500, 80000),
    ("140105", "小店区“银龄陪伴”助老服务", "小店区坞城街道志愿服务站", "为老服务", dt.date(2015, 9, 1), 320, 260, 38000, 1460, 52000),
    ("140105", "星光课堂·流动儿童周末托管", "小店区青年志愿者协会", "关爱少年儿童", dt.date(2017, 3, 12), 210, 150, 22100, 880, 16000),
    ("140106", "迎泽大街文明交通引导", "迎泽区文明交通志愿服务队", "文明实践", dt.date(2014, 5, 1), 640, 500, 73000, 2600, 300000),
    ("140106", "老城社区“睦邻议事厅”", "迎泽区柳巷街道", "社区治理与邻里守望", dt.date(2018, 6, 1), 150, 110, 9800, 420, 24000),
    ("140107", "汾河岸线护水行动", "杏花岭区河长制志愿服务队", "节水护水", dt.date(2016, 7, 1), 410, 330, 41000, 1290, 120000),
    ("140107", "阳光助残·手语服务站", "杏花岭区残疾人志愿服务协会", "阳光助残", dt.date(2015, 12, 3), 120, 100, 15600, 730, 8600),
    ("140108", "矿区老旧小区义务维修", "尖草坪区职工志愿服务队", "社区治理与邻里守望", dt.date(2017, 10, 1), 180, 140, 19500, 960, 35000),
    ("140109", "万柏林“法律明白人”进社区", "万柏林区律师志愿服务团", "法律服务与禁毒教育", dt.date(2016, 1, 10), 95, 80, 12300, 520, 41000),
    ("140110", "晋祠文化志愿讲解", "晋源区文旅志愿服务队", "文化传播与旅游服务", dt.date(2015, 4, 18), 260, 200, 33000, 1500, 260000),
    ("140121", "清徐葡萄产业助农直播", "清徐县青年志愿者协会", "乡村振兴", dt.date(2020, 8, 1), 80, 60, 5200, 180, 30000),
    ("140122", "阳曲山区儿童“微心愿”", "阳曲县妇女联合会志愿服务队", "关爱少年儿童", dt.date(2016, 6, 1), 140, 100, 8700, 300, 6000),
    ("140123", "娄烦乡村卫生健康巡诊", "娄烦县卫生健康志愿服务队", "卫生健康", dt.date(2015, 3, 1), 90, 75, 14500, 640, 48000),
    ("140181", "古交应急救援志愿队", "古交市蓝天救援队", "应急救援与疫情防控", dt.date(2013, 9, 1), 160, 120, 26000, 410, 90000),
    ("140171", "综改区企业志愿者“绿色出行”", "山西转型综合改革示范区志愿服务联合会", "环境保护", dt.date(2018, 4, 22), 300, 210, 18000, 520, 150000),
    ("TY-M-WJ", "健康科普进万家", "太原市卫健委志愿服务总队", "卫生健康", dt.date(2014, 3, 5), 900, 600, 88000, 3100, 1200000),
    ("TY-M-JY", "“四点半课堂”课后服务", "太原市教育系统志愿服务队", "关爱少年儿童", dt.date(2016, 9, 1), 700, 520, 64000, 5200, 90000),
    ("TY-M-TSW", "青春助力·高校志愿者支教", "共青团太原市委", "关爱少年儿童", dt.date(2012, 9, 1), 1200, 800, 150000, 4100, 60000),
]
# The centre's projects told in our own words from the seed's facts: each one's
# own outcomes (the trees: 600 person-times handled 11,502 cases in the first days,
# almost 50,000 tree problems in six years; the adverts: nearly a million illegal
# adverts removed in six years), nothing of the centre's totals.
PROJECT_TEXTS = {
    TREES: {
        "service_targets": "城市行道树、绿地树木及过往市民",
        "service_area": "太原市城区",
        "summary": (
            "2016年3月，太原市城市综合管理服务指挥中心发起“举手之劳·为树木松绑拔刺”志愿服务项目："
            "志愿者走上街头，为行道树拔去钉入的铁钉，剪断缠绕的铁丝和勒进树皮的扎带。"
            "项目启动之初，志愿者600人次清理此类问题11502起；六年来累计处置树木问题近5万件。"
        ),
        "introduction": (
            "城市综合管理服务指挥中心的志愿者为行道树拔钉子、解铁丝、剪扎带。"
            "首次活动600人次清理问题11502起，六年来累计处置树木问题近5万件。"
        ),
        "innovation": "把随手可做的小事变成人人可以参与的常态化志愿服务，“举手之劳”即可护绿。",
        "social_benefit": "六年来累计处置树木问题近5万件，行道树免受铁钉、铁丝和扎带的伤害。",
        "sustainability": "自2016年起持续开展，做法简单，便于各单位和市民仿效。",
    },
    ADVERTS: {
        "service_targets": "城市街巷、公共设施及沿街居民",
        "service_area": "太原市城区",
        "summary": (
            "2017年起，太原市城市综合管理服务指挥中心开展“举手之劳·清除城市牛皮癣”志愿服务项目："
            "志愿者清理张贴、喷涂在墙面、电线杆和公共设施上的非法小广告，还街巷整洁。"
            "六年来累计清理非法小广告近百万件。"
        ),
        "introduction": (
            "城市综合管理服务指挥中心的志愿者清理街头巷尾的非法小广告（“城市牛皮癣”），"
            "六年来累计清理近百万件。"
        ),
        "innovation": "与“为树木松绑拔刺”同以“举手之劳”为理念，随手发现、随手清理。",
        "social_benefit": "六年来累计清理非法小广告近百万件，街巷墙面和公共设施恢复整洁。",
        "sustainability": "自2017年起持续开展，可在各街道、社区推广。",
    },
}
# The centre itself is not here: it won 最佳志愿服务组织 in 2019 (CENTRE_PAST_WINNER).
# Every figure below is an invented demo value.
ORGANIZATIONS = [
    ("140105", "小店区青年志愿者协会", dt.date(2012, 5, 4), 2100, 1500, ["星光课堂", "周末助学"]),
    ("140106", "迎泽区文明交通志愿服务队", dt.date(2013, 3, 5), 640, 500, ["文明交通引导", "平安出行课堂"]),
    ("140109", "万柏林区律师志愿服务团", dt.date(2015, 12, 4), 95, 80, ["法律明白人", "法律援助进社区"]),
    ("140181", "古交市蓝天救援队", dt.date(2013, 9, 1), 160, 120, ["山地搜救", "防溺水宣传"]),
    ("TY-M-ZGH", "太原市职工志愿服务总队", dt.date(2011, 3, 5), 3500, 2400, ["职工技能帮扶", "劳模进社区"]),
    ("TY-M-FL", "太原市巾帼志愿服务队", dt.date(2014, 3, 8), 1800, 1100, ["家庭教育指导", "巾帼暖心行动"]),
    ("TY-M-CL", "太原市助残志愿者协会", dt.date(2014, 5, 18), 460, 320, ["阳光助残·手语服务", "助残就业帮扶"]),
]
# Persons and communities: invented demo entries.
PERSONS = [
    ("140107", "王秀英", "杏花岭区巨轮街道", "二十年如一日照料社区孤寡老人。"),
    ("140110", "李建国", "晋源区晋祠镇", "退休教师，义务讲解晋祠文化十余年。"),
    ("TY-M-WJ", "张丽华", "山西省人民医院", "组织医护志愿者义诊三百余场。"),
    ("140121", "赵明", "清徐县青年志愿者协会", "带领青年志愿者助农直播。"),
    ("TY-M-CL", "刘伟", "太原市残联", "手语志愿服务推动者。"),
    ("140108", "陈桂兰", "尖草坪区汇丰街道", "组建楼栋互助小组，照看独居老人。"),
    ("TY-M-JY", "孙浩", "太原市教育系统志愿服务队", "带领教师志愿者开展课后辅导。"),
]
COMMUNITIES = [
    ("140105", "小店区坞城街道南内环社区", "小店区坞城街道"),
    ("140106", "迎泽区庙前街道新建南路社区", "迎泽区庙前街道"),
    ("140109", "万柏林区千峰街道南寒社区", "万柏林区千峰街道"),
    ("140108", "尖草坪区汇丰街道汇丰社区", "尖草坪区汇丰街道"),
    ("140107", "杏花岭区巨轮街道三墙路社区", "杏花岭区巨轮街道"),
    ("140110", "晋源区晋源街道古城营社区", "晋源区晋源街道"),
]


@cache
def _font(size: int):
    from PIL import ImageFont

    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    ):
        try:
            return ImageFont.truetype(path, size, index=2)
        except OSError:
            continue
    return ImageFont.load_default()


def demo_photo(title: str, seed: int) -> bytes:
    """A JPEG standing in for an activity photo: a colour field with the project's name."""
    from PIL import Image, ImageDraw

    palette = [(178, 34, 34), (30, 110, 160), (40, 140, 90), (200, 120, 30), (120, 70, 150)]
    base = palette[seed % len(palette)]
    image = Image.new("RGB", (960, 640), base)
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 8):
        shade = tuple(min(255, c + i // 6) for c in base)
        draw.rectangle([0, i, 960, i + 8], fill=shade)
    draw.rounded_rectangle([60, 420, 900, 580], radius=18, fill=(255, 255, 255))
    draw.text((90, 450), title[:20], fill=base, font=_font(44))
    draw.text((90, 515), "志愿服务活动现场（演示图片）", fill=(90, 90, 90), font=_font(28))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def demo_stamped_form(unit: str, title: str) -> bytes:
    """A one-page 推荐表 with a red seal, as a PDF (a Pillow image saved as PDF)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((420, 120), "推 荐 表", fill="black", font=_font(72))
    rows = [("推荐单位", unit), ("推荐对象", title), ("推荐意见", "同意推荐。"), ("日期", "2022年10月")]
    for i, (label, value) in enumerate(rows):
        y = 320 + i * 140
        draw.rectangle([120, y, 1120, y + 120], outline="black", width=3)
        draw.line([380, y, 380, y + 120], fill="black", width=3)
        draw.text((150, y + 38), label, fill="black", font=_font(40))
        draw.text((410, y + 38), value[:22], fill="black", font=_font(40))
    draw.ellipse([760, 880, 1060, 1180], outline=(200, 20, 20), width=10)
    draw.text((830, 1000), "（盖章）", fill=(200, 20, 20), font=_font(44))
    buf = io.BytesIO()
    page.save(buf, "PDF", resolution=150)
    return buf.getvalue()


def _officer(unit: Unit) -> User:
    return User.objects.get(username=f"unit-{unit.code}")


def _stamp(officer, nomination, now):
    """The stamped 推荐表 (recorded against the data's version code at upload)."""
    attachments.attachment_add(
        actor=officer,
        nomination=nomination,
        upload=SimpleUploadedFile("推荐表.pdf", demo_stamped_form(nomination.unit.name, nomination.title)),
        kind="stamped_form",
        caption="",
        now=now,
    )


def _attach(officer, nomination, now, seed):
    _stamp(officer, nomination, now)
    if nomination.category.kind in ("project", "organization"):
        attachments.attachment_add(
            actor=officer,
            nomination=nomination,
            upload=SimpleUploadedFile("现场.jpg", demo_photo(nomination.title, seed)),
            kind="photo",
            caption=f"{nomination.title}活动现场",
            now=now,
        )


def record_past_winner(*, actor: User, year: int, category_code: str, title: str, organization: str = "") -> PastWinner:
    """Record an earlier year's winner (once: the same one again is left as it is), with its audit entry."""
    key = normalized_key(title, organization)
    winner = PastWinner.objects.filter(year=year, category_code=category_code, normalized_key=key).first()
    if winner is None:
        winner = PastWinner.objects.create(
            year=year, category_code=category_code, title=title, organization=organization, normalized_key=key
        )
        audit_record(
            actor=actor,
            action="past_winner.create",
            obj=winner,
            after=snapshot(winner, ["year", "category_code", "title", "organization"]),
        )
    return winner


def seed(ctx) -> None:
    competition = ctx.competition
    if competition is None:
        return
    office = User.objects.get(username="office")
    # Before the year's nominations, so that the past-winner rule sees it.
    record_past_winner(actor=office, **CENTRE_PAST_WINNER)
    if competition.nominations.exists():
        return
    at = ctx.at
    if competition.phase == Phase.DRAFT:
        competition = competition_advance(
            actor=office, competition=competition, to=Phase.NOMINATING, now=at(2022, 10, 8, 9)
        )
    units = {u.code: u for u in Unit.objects.all()}
    categories = {c.code: c for c in competition.categories.all()}
    order: dict[tuple[str, str], int] = {}
    made: list[Nomination] = []

    def nominate(code, category_code, data, day):
        unit = units[code]
        key = (code, category_code)
        order[key] = order.get(key, 0) + 1
        officer = _officer(unit)
        now = at(2022, 10, day, 10)
        nomination = services.nomination_create(
            actor=officer,
            competition=competition,
            category=categories[category_code],
            data={**data, "order": order[key], "pledge": True, "contact_name": "联系人", "contact_phone": "13800000000"},
            now=now,
        )
        _attach(officer, nomination, now, len(made))
        made.append(nomination)
        return nomination

    for i, (code, title, org, field, started, vols, active, hours, acts, benef) in enumerate(PROJECTS):
        data = {
            "title": title,
            "organization": org,
            "field": field,
            "service_targets": "城乡居民",
            "service_area": units[code].short_name,
            "started_on": started,
            "volunteers": vols,
            "active_volunteers": active,
            "service_hours": hours,
            "activities": acts,
            "beneficiaries": benef,
            "leader": "项目负责人",
            "summary": f"{title}自{started.year}年启动以来，累计开展活动{acts}次，服务时长{hours}小时。",
            "introduction": f"{org}开展的{title}，常态化服务{units[code].short_name}群众。",
            "innovation": "服务方式贴近群众需求。",
            "social_benefit": f"受益{benef}人次，多次获媒体报道。",
            "sustainability": "建立常态化机制，可复制推广。",
            "media_links": ["https://www.taiyuan.gov.cn/"],
        }
        nominate(code, "XM", {**data, **PROJECT_TEXTS.get(title, {})}, 10 + i % 15)
    for i, (code, name, founded, vols, active, brands) in enumerate(ORGANIZATIONS):
        nominate(
            code,
            "ZZ",
            {
                "title": name,
                "registration": "已在全国志愿服务信息系统注册",
                "founded_on": founded,
                "leader": "负责人",
                "volunteers": vols,
                "active_volunteers": active,
                "brand_projects": brands,
                "service_hours": vols * 40,  # invented: 40 hours a volunteer
                "summary": f"{name}成立于{founded.year}年，打造了{'、'.join(brands)}等品牌项目。",
                "introduction": f"{name}，注册志愿者{vols}人。",
            },
            12 + i,
        )
    for i, (code, name, org, deed) in enumerate(PERSONS):
        nominate(code, "ZYZ", {"title": name, "organization": org, "summary": deed, "introduction": deed}, 14 + i)
    for i, (code, name, street) in enumerate(COMMUNITIES):
        nominate(
            code,
            "SQ",
            {"title": name, "organization": street, "summary": f"{name}志愿服务常态化。", "introduction": f"{name}。"},
            16 + i,
        )

    # Everything submitted except the last project (left as a draft by its unit).
    draft = made[len(PROJECTS) - 1]
    for nomination in made:
        if nomination is not draft:
            services.nomination_submit(actor=_officer(nomination.unit), nomination=nomination, now=at(2022, 10, 26, 9))
    withdrawn = next(n for n in made if n.title == "赵明")
    services.nomination_withdraw(actor=_officer(withdrawn.unit), nomination=withdrawn, reason="本人婉拒推荐")

    returned = next(n for n in made if n.title == "阳光助残·手语服务站")
    services.nomination_review(
        actor=office,
        nomination=returned,
        decision="return",
        reason="盖章推荐表未签署日期，请补充后重新提交。",
        now=at(2022, 10, 27, 9),  # the 补正截止 counted from the demo year's day, not today
    )
    services.nomination_update(
        actor=_officer(returned.unit), nomination=returned, data={"honors": "2021年获评区级优秀志愿服务项目"}, now=at(2022, 10, 28, 9)
    )
    # The correction changed the data the stamped form answered for: stamped and uploaded again.
    _stamp(_officer(returned.unit), Nomination.objects.get(pk=returned.pk), at(2022, 10, 28, 9))
    services.nomination_submit(actor=_officer(returned.unit), nomination=returned, now=at(2022, 10, 28, 10))
    rejected = next(n for n in made if n.title == "综改区企业志愿者“绿色出行”")
    services.nomination_review(actor=office, nomination=rejected, decision="reject", reason="项目运行不满3年，不符合推荐条件。")

    competition = competition_advance(actor=office, competition=competition, to=Phase.REVIEWING, now=at(2022, 11, 1, 9))
    for nomination in Nomination.objects.filter(competition=competition, status=Status.SUBMITTED):
        services.nomination_review(actor=office, nomination=nomination, decision="accept")
    ctx.competition = competition
    counts = {s: Nomination.objects.filter(competition=competition, status=s).count() for s in Status.values}
    ctx.notes.append(
        "推荐：" + "，".join(f"{Status(s).label} {n} 项" for s, n in counts.items() if n)
    )
