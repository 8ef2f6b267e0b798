"""The notice (公示文件) printed above the 公示 list: its fields, standard wording and checks.

The office writes the notice when it publishes the 公示: a title, an
introduction, how to object, the office's phone, address and e-mail, and the
落款 (the issuing bodies, one a line, and the date). A blank field takes the
standard wording below, so that a 公示 published through the API without a
notice reads as before. ``notice_clean`` names every bad field in Chinese.

Pure apart from ``notice_defaults``, which reads the competition's issuers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from competition.exceptions import ValidationFailed

# The notice's fields as the pages, the API and the model know them (model field → form key).
FIELDS = ("title", "intro", "how_to_object", "phone", "address", "email", "issuers", "date")
MODEL_FIELDS = {
    "title": "notice_title",
    "intro": "notice_intro",
    "how_to_object": "notice_how_to_object",
    "phone": "contact_phone",
    "address": "contact_address",
    "email": "contact_email",
    "issuers": "notice_issuers",
    "date": "notice_date",
}
LABELS = {
    "title": "公示标题",
    "intro": "公示说明",
    "how_to_object": "异议方式",
    "phone": "联系电话",
    "address": "通讯地址",
    "email": "电子邮箱",
    "issuers": "落款单位",
    "date": "落款日期",
}
TEXT_MAX = 2000
ISSUERS_MAX = 5
PHONE_RE = re.compile(r"^[0-9０-９()（）\- ]{7,30}$")
FALLBACK_ISSUER = "太原市精神文明建设委员会办公室"

DEFAULT_INTRO = "经各推荐单位推荐、组委会办公室资格审查和评审专家评审，现将{title}拟表彰对象予以公示。"
DEFAULT_HOW_TO_OBJECT = (
    "公示期间，如对公示对象有异议，可通过本页下方的表单实名提出，也可以来信、来电或来访的方式向组委会办公室反映。"
    "请写明具体事实，并留下真实姓名和手机号码，以便核实反馈。以单位名义提出的，请注明单位名称。"
    "匿名或无具体事实的异议不予受理。"
)


@dataclass(frozen=True)
class Notice:
    title: str
    intro: str
    how_to_object: str
    phone: str
    address: str
    email: str
    issuers: tuple[str, ...]
    date: dt.date

    def model_fields(self) -> dict:
        """The ``Publicity`` columns of this notice."""
        values = asdict(self)
        values["issuers"] = "\n".join(self.issuers)
        return {MODEL_FIELDS[key]: values[key] for key in FIELDS}

    def form_initial(self) -> dict:
        values = asdict(self)
        values["issuers"] = "\n".join(self.issuers)
        return values

    @property
    def date_text(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @staticmethod
    def paragraphs(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def intro_paragraphs(self) -> list[str]:
        return self.paragraphs(self.intro)

    @property
    def how_to_object_paragraphs(self) -> list[str]:
        return self.paragraphs(self.how_to_object)


def default_notice(*, title: str, issuers: list[str], today: dt.date) -> Notice:
    """The standard wording of a competition's notice."""
    return Notice(
        title=f"{title}拟表彰对象公示",
        intro=DEFAULT_INTRO.format(title=title),
        how_to_object=DEFAULT_HOW_TO_OBJECT,
        phone="",
        address="",
        email="",
        issuers=tuple(issuers) or (FALLBACK_ISSUER,),
        date=today,
    )


def notice_defaults(competition, today: dt.date) -> Notice:
    issuers = list(competition.issuers.order_by("order", "id").values_list("name", flat=True))
    return default_notice(title=competition.title, issuers=issuers, today=today)


def _text(value) -> str:
    return str(value if value is not None else "").replace("\r\n", "\n").strip()


def notice_clean(data: Mapping, *, defaults: Notice) -> Notice:
    """The notice from submitted values (blank ones take ``defaults``), or ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    title = _text(data.get("title")) or defaults.title
    if len(title) > 200:
        errors["title"] = ["公示标题：不超过 200 个字。"]
    intro = _text(data.get("intro")) or defaults.intro
    how = _text(data.get("how_to_object")) or defaults.how_to_object
    for key, value in (("intro", intro), ("how_to_object", how)):
        if len(value) > TEXT_MAX:
            errors[key] = [f"{LABELS[key]}：不超过 {TEXT_MAX} 个字。"]
    phone = _text(data.get("phone")) or defaults.phone
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = ["联系电话：请填写有效的电话号码（如 0351-1234567）。"]
    address = _text(data.get("address")) or defaults.address
    if len(address) > 200:
        errors["address"] = ["通讯地址：不超过 200 个字。"]
    email = _text(data.get("email")) or defaults.email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["电子邮箱：请填写有效的电子邮箱地址。"]
    raw_issuers = data.get("issuers")
    if isinstance(raw_issuers, (list, tuple)):
        lines = [_text(x) for x in raw_issuers]
    else:
        lines = _text(raw_issuers).splitlines()
    issuers = tuple(line.strip() for line in lines if line.strip()) or defaults.issuers
    if len(issuers) > ISSUERS_MAX:
        errors["issuers"] = [f"落款单位：最多 {ISSUERS_MAX} 个，每行一个。"]
    elif any(len(name) > 100 for name in issuers):
        errors["issuers"] = ["落款单位：每个单位名称不超过 100 个字。"]
    raw_date = data.get("date")
    date = defaults.date
    if isinstance(raw_date, dt.date):
        date = raw_date
    elif _text(raw_date):
        try:
            date = dt.date.fromisoformat(_text(raw_date))
        except ValueError:
            errors["date"] = ["落款日期：请填写有效日期（如 2026-03-05）。"]
    if errors:
        raise ValidationFailed(fields=errors)
    return Notice(
        title=title,
        intro=intro,
        how_to_object=how,
        phone=phone,
        address=address,
        email=email,
        issuers=issuers,
        date=date,
    )


def notice_of(publicity) -> Notice:
    """The notice of a published 公示, blank fields (a 公示 published before notices existed) as the standard wording."""
    published = publicity.published_at.date() if publicity.published_at else publicity.starts_on
    defaults = notice_defaults(publicity.competition, published)
    issuers = tuple(x.strip() for x in publicity.notice_issuers.splitlines() if x.strip())
    return Notice(
        title=publicity.notice_title or defaults.title,
        intro=publicity.notice_intro or defaults.intro,
        how_to_object=publicity.notice_how_to_object or defaults.how_to_object,
        phone=publicity.contact_phone,
        address=publicity.contact_address,
        email=publicity.contact_email,
        issuers=issuers or defaults.issuers,
        date=publicity.notice_date or published,
    )
