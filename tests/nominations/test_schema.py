"""One nomination field schema: every page, checklist, sheet and list reads it.

For every kind and field, the form, the completeness checklist, the
nomination page, the spreadsheet header, the judges' materials and the
exhibition name the field with the same schema label; and the lists derived
from the schema are the lists the code kept by hand before (no field lost).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from competition.enums import CategoryKind
from exhibition import services as exhibition_services
from nominations import forms, schema, services, spreadsheets, views
from nominations.models import Nomination
from tests.nominations.conftest import api

KINDS = [CategoryKind.PROJECT, CategoryKind.ORGANIZATION, CategoryKind.PERSON, CategoryKind.COMMUNITY]

# The lists as they were kept by hand before the schema (services, forms,
# spreadsheets, judging, exhibition), to show that none lost a field.
EDITABLE_FIELDS = [
    "active_volunteers", "activities", "beneficiaries", "brand_projects", "contact_name",
    "contact_phone", "field", "founded_on", "honors", "innovation", "introduction", "leader",
    "media_links", "order", "organization", "pledge", "registration", "service_area",
    "service_hours", "service_targets", "social_benefit", "started_on", "summary",
    "sustainability", "system_building", "title", "volunteers",
]  # fmt: skip
REQUIRED = {
    CategoryKind.PROJECT: {
        "title", "organization", "field", "service_targets", "service_area", "started_on",
        "volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries",
        "leader", "contact_name", "contact_phone", "summary", "introduction",
    },
    CategoryKind.ORGANIZATION: {
        "title", "registration", "founded_on", "leader", "volunteers", "active_volunteers",
        "brand_projects", "service_hours", "contact_name", "contact_phone", "summary",
        "introduction",
    },
    CategoryKind.PERSON: {"title", "organization", "contact_name", "contact_phone", "summary", "introduction"},
    CategoryKind.COMMUNITY: {"title", "organization", "contact_name", "contact_phone", "summary", "introduction"},
}  # fmt: skip
LAYOUT = {
    CategoryKind.PROJECT: [
        ("基本信息", ["order", "title", "organization", "field", "service_targets", "service_area", "started_on"]),
        ("规模与成效", ["volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries"]),
        ("负责人与联系人", ["leader", "contact_name", "contact_phone"]),
        ("项目介绍", ["introduction", "summary", "innovation", "social_benefit", "sustainability", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.ORGANIZATION: [
        ("基本信息", ["order", "title", "organization", "registration", "founded_on", "field"]),
        ("规模与成效", ["volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries"]),
        ("负责人与联系人", ["leader", "contact_name", "contact_phone"]),
        ("组织介绍", ["introduction", "summary", "brand_projects", "system_building", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.PERSON: [
        ("基本信息", ["order", "title", "organization"]),
        ("联系人", ["contact_name", "contact_phone"]),
        ("事迹介绍", ["introduction", "summary", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.COMMUNITY: [
        ("基本信息", ["order", "title", "organization", "leader"]),
        ("联系人", ["contact_name", "contact_phone"]),
        ("事迹介绍", ["introduction", "summary", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
}  # fmt: skip
JUDGE_FIELDS = [
    "title", "organization", "introduction", "summary", "honors", "media_links", "leader",
    "field", "service_targets", "service_area", "started_on", "volunteers", "active_volunteers",
    "service_hours", "activities", "beneficiaries", "innovation", "social_benefit",
    "sustainability", "registration", "founded_on", "brand_projects", "system_building",
]  # fmt: skip
LONG_FIELDS = {
    "introduction", "summary", "innovation", "social_benefit", "sustainability",
    "system_building", "honors", "brand_projects", "media_links",
}  # fmt: skip
NOT_MATERIAL = {"order", "pledge", "contact_name", "contact_phone", "title"}
EXHIBIT_EDITABLE = {
    "project": {
        "title", "organization", "field", "years_running", "volunteers", "service_hours",
        "activities", "beneficiaries", "introduction",
    },
    "organization": {"title", "founded_on", "volunteers", "brand_projects", "introduction"},
}  # fmt: skip
# The spreadsheet's field columns; the community sheet gains 社区负责人, the
# one form field its sheet lacked.
SHEET_FIELDS = {
    CategoryKind.PROJECT: [
        "order", "title", "organization", "field", "started_on", None, "volunteers",
        "active_volunteers", "service_hours", "activities", "beneficiaries", "service_targets",
        "service_area", "leader", "summary", "introduction", "innovation", "social_benefit",
        "sustainability", "honors", "media_links", "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.ORGANIZATION: [
        "order", "title", "organization", "registration", "founded_on", None, "field", "leader",
        "volunteers", "active_volunteers", "brand_projects", "service_hours", "activities",
        "beneficiaries", "system_building", "summary", "introduction", "honors", "media_links",
        "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.PERSON: [
        "order", "title", "organization", "summary", "introduction", "honors", "media_links",
        "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.COMMUNITY: [
        "order", "title", "organization", "leader", "summary", "introduction", "honors",
        "media_links", "pledge", "contact_name", "contact_phone",
    ],
}  # fmt: skip
# Every header the import understood before (the old columns and aliases).
OLD_HEADERS = {
    "推荐排序": "order", "排序": "order", "项目名称": "title", "组织名称": "title", "姓名": "title",
    "社区名称": "title", "名称": "title", "推荐对象": "title", "推荐对象名称": "title",
    "志愿者姓名": "title", "实施单位": "organization", "所属单位": "organization",
    "所在单位": "organization", "所属街道/单位": "organization", "单位": "organization",
    "实施单位/所在单位": "organization", "主管单位": "organization", "业务主管单位": "organization",
    "所属街道": "organization", "服务领域": "field", "启动时间": "started_on",
    "志愿者人数": "volunteers", "注册志愿者数": "volunteers", "志愿者数": "volunteers",
    "注册志愿者人数": "volunteers", "经常参与志愿者人数": "active_volunteers",
    "经常参与志愿者数": "active_volunteers", "累计服务时长（小时）": "service_hours",
    "年度服务时长（小时）": "service_hours", "服务时长": "service_hours",
    "累计服务时长": "service_hours", "年度服务时长": "service_hours", "活动次数": "activities",
    "受益人数（人次）": "beneficiaries", "受益人数": "beneficiaries", "受益人次": "beneficiaries",
    "服务对象": "service_targets", "服务地域": "service_area", "项目负责人": "leader",
    "负责人": "leader", "项目概述及亮点成效": "summary", "事迹材料": "summary",
    "主要事迹": "summary", "概述": "summary", "项目概述": "summary", "概述及亮点成效": "summary",
    "项目简介": "introduction", "组织简介": "introduction", "简介": "introduction",
    "创新点": "innovation", "社会效益": "social_benefit", "可持续性/可推广性": "sustainability",
    "可持续性": "sustainability", "可推广性": "sustainability", "登记/备案情况": "registration",
    "登记情况": "registration", "备案情况": "registration", "成立时间": "founded_on",
    "品牌项目": "brand_projects", "制度建设": "system_building", "获奖情况": "honors",
    "媒体报道": "media_links", "媒体报道链接": "media_links", "诚信承诺": "pledge",
    "诚信承诺书": "pledge", "联系人": "contact_name", "联系电话": "contact_phone",
    "手机": "contact_phone", "联系人手机": "contact_phone", "联系方式": "contact_phone",
}  # fmt: skip


# --------------------------------------------------------------------------- one label everywhere


class _Category:
    """Enough of a category to build the form of a kind."""

    def __init__(self, kind):
        self.kind = kind
        self.nomination_quota_per_unit = 2


@pytest.mark.parametrize("kind", KINDS)
def test_form_page_sheet_and_judges_use_the_schema_label_of_each_field(kind):
    form = forms.NominationForm(category=_Category(kind))
    sheet = {c.field: c.header for c in spreadsheets.COLUMNS[kind] if c.field}
    for spec in schema.fields(kind):
        assert form.fields[spec.name].label == spec.label, spec.name
        assert sheet[spec.name] == spec.label, spec.name
        # The judges' materials and the nomination page read these labels.
        assert forms.labels_for(kind)[spec.name] == spec.label, spec.name
    assert list(form.fields) == ["version", *schema.names(kind)]


@pytest.mark.parametrize("kind", KINDS)
def test_each_field_has_one_label_per_kind(kind):
    """Drifted labels fixed: e.g. a person's introduction is 个人简介 everywhere."""
    expected = {
        CategoryKind.PROJECT: {"contact_phone": "联系电话", "service_hours": "累计服务时长（小时）"},
        CategoryKind.ORGANIZATION: {"organization": "业务主管单位", "field": "主要服务领域", "activities": "年度活动次数"},
        CategoryKind.PERSON: {"introduction": "个人简介"},
        CategoryKind.COMMUNITY: {"introduction": "社区简介", "leader": "社区负责人"},
    }[kind]  # fmt: skip
    for name, label in expected.items():
        assert schema.label(kind, name) == label


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_checklist_and_nomination_page_name_fields_by_their_schema_label(kind, competition, unit):
    from tests.factories import CategoryFactory

    category = CategoryFactory(competition=competition, kind=kind, nomination_quota_per_unit=2)
    nomination = Nomination.objects.create(competition=competition, category=category, unit=unit)

    missing = {m["field"]: m["message"] for m in services.missing_items(nomination)}

    for spec in schema.required(kind):
        assert missing[spec.name].startswith(f"{spec.label}："), spec.name
    assert set(missing) - {"attachments"} == REQUIRED[kind] | {"order", "pledge"}
    rows = {r["name"]: r["label"] for _, section in views._sections(nomination) for r in section}
    assert rows == {spec.name: spec.label for spec in schema.fields(kind)}


def test_exhibition_edits_the_schema_fields_with_their_labels():
    for kind, names in EXHIBIT_EDITABLE.items():
        assert set(exhibition_services.EDITABLE[kind]) == names
        for name in names:
            assert exhibition_services.LABELS[kind][name] == schema.label(kind, name)


# --------------------------------------------------------------------------- nothing lost


def test_the_derived_lists_are_the_lists_kept_by_hand_before():
    assert services.EDITABLE_FIELDS == EDITABLE_FIELDS
    assert forms.LAYOUT == LAYOUT
    for kind in KINDS:
        assert {f.name for f in schema.required(kind)} == REQUIRED[kind] | {"order", "pledge"}
        assert [c.field for c in spreadsheets.COLUMNS[kind][2:-2]] == SHEET_FIELDS[kind]
    assert schema.judge_fields() == JUDGE_FIELDS
    assert schema.long_fields() == LONG_FIELDS
    assert schema.not_material_fields() == NOT_MATERIAL
    assert schema.material_fields() == set(EDITABLE_FIELDS) - NOT_MATERIAL


def test_every_form_field_has_a_spreadsheet_column():
    for kind in KINDS:
        sheet = {c.field for c in spreadsheets.COLUMNS[kind] if c.field}
        assert sheet == set(schema.names(kind)), kind


def test_every_old_header_still_reads_and_no_header_names_two_fields():
    keys: dict[str, str] = {}
    for header, name in schema.header_names().items():
        key = spreadsheets.header_key(header)
        assert keys.setdefault(key, name) == name, header
    for header, name in OLD_HEADERS.items():
        assert spreadsheets.HEADER_MAP[spreadsheets.header_key(header)] == name, header


def test_model_verbose_names_are_the_schema_neutral_names():
    for name in EDITABLE_FIELDS:
        assert Nomination._meta.get_field(name).verbose_name == schema.verbose(name)


# --------------------------------------------------------------------------- validation


def test_clean_types_values_and_names_the_field_by_its_label():
    cleaned, errors = schema.clean(
        CategoryKind.ORGANIZATION,
        {"volunteers": "1200", "founded_on": "2015-06-01", "brand_projects": ["甲", " 乙 "], "title": " 甲 "},
    )
    assert errors == {}
    assert cleaned == {
        "volunteers": 1200,
        "founded_on": dt.date(2015, 6, 1),
        "brand_projects": ["甲", "乙"],
        "title": "甲",
    }

    _, errors = schema.clean(
        CategoryKind.ORGANIZATION,
        {"volunteers": -1, "founded_on": "去年", "field": "火星", "contact_phone": "12345", "order": 0},
    )
    assert errors["volunteers"] == ["注册志愿者数：不能小于 0。"]
    assert errors["founded_on"][0].startswith("成立时间：")
    assert errors["field"][0].startswith("主要服务领域：“火星”")
    assert errors["contact_phone"] == ["联系电话：请填写 11 位手机号码或带区号的固定电话。"]
    assert errors["order"] == ["推荐排序：不能小于 1。"]


def test_clean_refuses_what_a_unit_may_not_write():
    _, errors = schema.clean(CategoryKind.PROJECT, {"status": "accepted", "years_running": 9})
    assert set(errors) == {"status", "years_running"}


# --------------------------------------------------------------------------- files exported before


@pytest.mark.django_db
def test_a_sheet_with_the_old_headers_imports(officer, competition, organization_category):
    """An organisation sheet exported before the labels were fixed (所属单位, 服务领域, 活动次数)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = organization_category.name
    ws.append(["推荐排序", "组织名称", "所属单位", "服务领域", "注册志愿者数", "活动次数"])
    ws.append([1, "甲组织", "太原市民政局", "环境保护", 30, 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.xlsx", buffer.getvalue(), content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response = api(officer).post(
        "/api/v1/nominations/import/",
        {"competition": competition.pk, "file": upload, "dry_run": "false"},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["ignored_columns"] == {}
    nomination = Nomination.objects.get(pk=response.json()["ids"][0])
    assert (nomination.organization, nomination.field, nomination.activities) == ("太原市民政局", "环境保护", 12)
