"""Demo items of the content halls (序篇, 文化展, 制度展, 主题展), written for the
demo in our own words from the seed's facts (no copied article text), so that
``make demo`` shows all six halls with something in them: a short video with
its poster in the 文化展 (``assets/demo/demo.mp4``, four seconds made for the
demo), two PDF documents in the 制度展 (rendered here with WeasyPrint and
marked as demo texts), pictures drawn here with Pillow, and external links.

Called once by ``seed_demo`` after the apps' own demo data; idempotent (an
item whose title exists is left alone). Every write goes through
``hall_services`` as the office.
"""

from __future__ import annotations

import io
from pathlib import Path

from competition.models import Unit, User

from . import hall_services
from .hall_enums import ContentHall, ItemFileKind
from .models import HallItem

ASSETS = Path(__file__).resolve().parent / "assets" / "demo"
CENTRE_UNIT = "TY-M-CG"

ITEMS: list[dict] = [
    {
        "hall": ContentHall.PROLOGUE,
        "title": "写在开篇：一座城市的学雷锋志愿服务",
        "summary": "从身边的举手之劳到常年坚持的品牌项目，走进太原学雷锋志愿服务的故事。",
        "year": 2022,
        "body": (
            "每年的 **12月5日** 是国际志愿者日，太原的志愿服务云展馆在这一天向公众开放。\n\n"
            "## 展览怎么看\n\n"
            "- **组织展**、**项目展**：历年评出的最佳志愿服务组织和最佳志愿服务项目；\n"
            "- **文化展**：志愿服务的影像与常用词；\n"
            "- **制度展**：推选工作依据的办法和方案；\n"
            "- **主题展**：围绕城市治理、文明创建开展的主题活动。\n\n"
            "> 志愿服务不一定是大事，拔掉树上的一颗钉子、清掉墙上的一张小广告，都是。\n\n"
            "展览中的数字均注明来源与时间；本演示中的内容为系统演示而写。"
        ),
        "links": [{"title": "中国志愿服务网", "url": "https://chinavolunteer.mca.gov.cn/"}],
        "pictures": [("开篇：志愿者在街头服务（演示图）", (179, 25, 30))],
    },
    {
        "hall": ContentHall.PROLOGUE,
        "title": "参观指南：六个展厅",
        "summary": "序篇、组织展、项目展、文化展、制度展、主题展，各展厅都可按年度、单位、领域筛选和搜索。",
        "body": (
            "手机上点击页面上方的“全部展厅”即可在六个展厅之间切换。每个展厅都有搜索框，"
            "可以按标题和正文搜索，也可以按年度、单位和服务领域筛选。\n\n"
            "公示期间，页面顶部会显示正在公示的拟表彰名单链接，欢迎社会各界监督。"
        ),
    },
    {
        "hall": ContentHall.CULTURE,
        "title": "宣传短片：举手之劳（演示片段）",
        "summary": "几秒钟的演示视频：一个色块穿过画面，代替正式的宣传片。",
        "year": 2022,
        "unit": CENTRE_UNIT,
        "field": "环境保护",
        "body": (
            "正式展出时，这里放志愿服务宣传片。演示系统中用一段四秒的短片代替，"
            "用来演示视频的封面、播放和时长检查（视频不超过规定的时长）。"
        ),
        "video": ("举手之劳（演示片段）", "demo.mp4", "poster.png"),
    },
    {
        "hall": ContentHall.CULTURE,
        "title": "志愿服务小词典",
        "summary": "注册志愿者、服务时长、品牌项目……读懂展览里的常用词。",
        "body": (
            "| 词语 | 在展览里的意思 |\n|---|---|\n"
            "| 注册志愿者 | 在“太原志愿者”平台登记的志愿者 |\n"
            "| 服务时长 | 平台记录的志愿服务小时数，展出时注明截至日期 |\n"
            "| 品牌项目 | 组织长期坚持、有固定名称的志愿服务项目 |\n"
            "| 举手之劳 | 太原城管志愿者的系列项目名，意思是顺手就能做的好事 |\n"
        ),
        "pictures": [("志愿者服务站（演示图）", (201, 154, 59)), ("社区志愿服务（演示图）", (140, 17, 22))],
    },
    {
        "hall": ContentHall.POLICIES,
        "title": "推选管理办法与年度实施方案（演示文本）",
        "summary": "推荐、评审、公示、表彰各环节的依据：管理办法和2022年度实施方案，PDF 可在线阅读。",
        "year": 2022,
        "body": (
            "以下两份 PDF 为演示系统所写的示例文本，不是正式文件。正式展出时，"
            "组委会办公室在此发布管理办法、实施方案等制度文件。"
        ),
        "documents": ["管理办法", "实施方案"],
    },
    {
        "hall": ContentHall.THEMES,
        "title": "城市治理主题：举手之劳·清除城市牛皮癣",
        "summary": "城管志愿者自2017年起清理非法小广告，六年间清理近百万件。",
        "year": 2022,
        "unit": CENTRE_UNIT,
        "field": "文明实践",
        "body": (
            "太原市城市综合管理服务指挥中心的志愿者从 **2017年** 起开展“举手之劳·清除城市牛皮癣”，"
            "在街巷里清理乱贴乱画的非法小广告。\n\n"
            "- 六年间清理非法小广告 **近百万件**（这是清理的件数，不是服务的人数）；\n"
            "- 同一支队伍自 **2016年3月** 起开展“举手之劳·为树木松绑拔刺”，六年间处置树木问题近5万件。\n\n"
            "数字来源：“太原志愿者”平台及项目申报材料，截至2022年。"
            "两个项目的详细介绍见[项目展](/exhibition/halls/projects/?q=举手之劳)。"
        ),
        "pictures": [("清理小广告（演示图）", (60, 90, 140))],
    },
    {
        "hall": ContentHall.THEMES,
        "title": "国际志愿者日主题活动",
        "summary": "每年12月5日前后，各区、各系统集中开展志愿服务主题活动。",
        "year": 2022,
        "field": "文明实践",
        "body": (
            "国际志愿者日前后，各县（市、区）和市直系统的志愿服务队伍走进社区、公园和街巷，"
            "开展环境整治、为老服务、文明劝导等主题活动，云展馆也在这一天开放。"
        ),
    },
]


def _picture(color: tuple[int, int, int], size=(960, 640)) -> bytes:
    """A simple demo picture: a band of colour with a few shapes (no text, no photo of anyone)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([0, h * 2 // 3, w, h], fill=tuple(min(255, c + 50) for c in color))
    draw.ellipse([w // 2 - 90, h // 3 - 90, w // 2 + 90, h // 3 + 90], fill=(246, 226, 180))
    for i in range(6):
        x = 60 + i * (w - 120) // 5
        draw.rectangle([x - 14, h * 2 // 3 - 70, x + 14, h * 2 // 3], fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


DOCUMENTS = {
    "管理办法": (
        "太原市学雷锋志愿服务先进典型推选管理办法（演示文本）",
        [
            ("第一条 目的", "为弘扬雷锋精神，规范学雷锋志愿服务先进典型的推荐、评审、公示和表彰，制定本办法。本文本为演示系统所写的示例，不是正式文件。"),
            ("第二条 类别", "先进典型包括最佳志愿服务项目、最佳志愿服务组织、最美志愿者和最美志愿服务社区。"),
            ("第三条 推荐", "各县（市、区）和市直系统按分配名额择优推荐，推荐材料须真实准确。"),
            ("第四条 评审", "组委会办公室组织专家评审，评委与推荐对象有利害关系的应当回避。"),
            ("第五条 公示", "拟表彰名单向社会公示不少于五个工作日，公示期间接受实名异议。"),
            ("第六条 表彰", "公示期满后发文表彰，颁发荣誉证书，并在志愿服务云展馆展示。"),
        ],
    ),
    "实施方案": (
        "2022年度推选活动实施方案（演示文本）",
        [
            ("一、时间安排", "十月开放申报；十一月资格审查与评审；十一月下旬公示；十二月五日国际志愿者日前后发布表彰结果并开放云展馆。本文本为演示系统所写的示例。"),
            ("二、名额", "各类别名额由组委会办公室在年度设置中确定。"),
            ("三、材料", "推荐表须加盖公章后上传 PDF；照片不超过五张；视频不超过三分钟。"),
        ],
    ),
}


def _document(key: str) -> bytes:
    from weasyprint import HTML

    title, parts = DOCUMENTS[key]
    body = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in parts)
    html = (
        "<html><head><style>@page{size:A4;margin:22mm} body{font-family:'Noto Sans CJK SC',sans-serif;"
        "font-size:12pt;line-height:1.7} h1{text-align:center;font-size:16pt;color:#b3191e}"
        "h2{font-size:13pt;margin:10pt 0 2pt}</style></head>"
        f"<body><h1>{title}</h1>{body}<p style='text-align:right;margin-top:24pt'>"
        "太原市学雷锋志愿服务先进典型推选活动组委会办公室（演示）</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def seed(ctx) -> None:
    office = User.objects.get(username="office")
    made = 0
    for spec in ITEMS:
        if HallItem.objects.filter(hall=spec["hall"], title=spec["title"]).exists():
            continue
        data = {key: spec[key] for key in ("hall", "title", "summary", "body", "year", "field", "links") if key in spec}
        if "unit" in spec and Unit.objects.filter(code=spec["unit"]).exists():
            data["unit"] = spec["unit"]
        item = hall_services.item_save(actor=office, data=data)
        for caption, color in spec.get("pictures", []):
            hall_services.item_add_file(
                actor=office, item=item, kind=ItemFileKind.IMAGE, title=caption, upload=io.BytesIO(_picture(color))
            )
        for key in spec.get("documents", []):
            hall_services.item_add_file(
                actor=office, item=item, kind=ItemFileKind.DOCUMENT, title=DOCUMENTS[key][0],
                upload=io.BytesIO(_document(key)),
            )  # fmt: skip
        if "video" in spec:
            title, video, poster = spec["video"]
            hall_services.item_add_file(
                actor=office, item=item, kind=ItemFileKind.VIDEO, title=title,
                upload=io.BytesIO((ASSETS / video).read_bytes()), poster=io.BytesIO((ASSETS / poster).read_bytes()),
            )  # fmt: skip
        hall_services.item_publish(actor=office, item=item, now=ctx.at(2022, 12, 5, 9))
        made += 1
    shown = HallItem.objects.filter(status="published").count()
    ctx.notes.append(f"云展馆展厅内容：序篇、文化展、制度展、主题展共 {shown} 条已发布（本次新增 {made} 条），见 /exhibition/halls/。")
