"""A unit officer creates, completes and submits a nomination in a real browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import AuditEntry, Unit
from nominations.enums import AttachmentKind, Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import competition_payload
from tests.nominations.files import jpeg_bytes, minimal_pdf

pytestmark = pytest.mark.browser

PASSWORD = STRONG_PASSWORD
SAVED = re.compile(r"已自动保存 \d{2}:\d{2}")


@pytest.fixture
def open_competition():
    office = competition_services.user_create(
        actor=None, username="office-browser", password=STRONG_PASSWORD, role=Role.OFFICE
    )
    now = timezone.now()
    competition = competition_services.competition_create(
        actor=office,
        data=competition_payload(
            2030, opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10)
        ),
    )
    return competition_services.competition_advance(
        actor=office, competition=competition, to=Phase.NOMINATING
    )


@pytest.fixture
def officer_account(open_competition):
    return competition_services.user_create(
        actor=None,
        username="unit-140105",
        password=PASSWORD,
        role=Role.OFFICER,
        unit=Unit.objects.get(code="140105"),
        display_name="小店区推荐管理员",
    )


def fill_project(page) -> None:
    page.get_by_label("推荐排序").select_option("1")
    page.get_by_label("实施单位").fill("太原市城市综合管理服务指挥中心")
    page.get_by_label("服务领域").select_option("环境保护")
    page.get_by_label("服务对象").fill("城市树木与市民")
    page.get_by_label("服务地域").fill("太原市六城区")
    page.get_by_label("启动时间").fill("2016-03-05")
    page.locator("#id_volunteers").fill("758")
    page.get_by_label("经常参与志愿者人数").fill("700")
    page.get_by_label("累计服务时长（小时）").fill("104100")
    page.get_by_label("活动次数").fill("3412")
    page.get_by_label("受益人数（人次）").fill("1000000")
    page.get_by_label("项目负责人").fill("王志远")
    page.locator("#id_contact_name").fill("李晓")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("项目简介").fill(
        "志愿者利用上下班、周末等时间，为行道树拆除铁丝、钉子、广告牌等束缚，清理城市牛皮癣，"
        "让树木自由生长，让城市更加整洁。"
    )
    page.get_by_label("项目概述及亮点成效").fill(
        "项目自2016年3月启动，首批志愿者600人次为11502棵树木松绑拔刺。六年来累计开展活动3412次，"
        "服务时长超过10.41万小时，清除违法小广告近百万处，处理树木问题近五万处。"
    )
    page.get_by_label("创新点").fill("随手可做、人人可为的“举手之劳”志愿服务模式。")
    page.get_by_label("社会效益").fill("带动市民爱绿护绿，城市面貌明显改善。")
    page.get_by_label("可持续性/可推广性").fill("常态化开展，已在全市推广。")
    page.get_by_label("获奖情况").fill("2019年12月获评太原市学雷锋最佳志愿服务项目。")
    page.get_by_label("媒体报道").fill("https://example.org/report-1\nhttps://example.org/report-2")
    page.get_by_label("本单位承诺").check()


def test_officer_creates_completes_and_submits_a_project(
    page, login, shot, tmp_path, officer_account, open_competition
):
    photo = tmp_path / "植树节活动现场.jpg"
    photo.write_bytes(jpeg_bytes(size=(800, 600), color=(60, 140, 80)))
    form_pdf = tmp_path / "盖章推荐表.pdf"
    form_pdf.write_bytes(minimal_pdf("最佳志愿服务项目推荐表"))

    # 1. Sign in.
    page.goto("/accounts/login/")
    shot(page, "01-login")
    login(page, officer_account.username, PASSWORD)

    # 2. The unit's list: the quota left per category.
    page.goto("/nominations/")
    expect(page.get_by_role("heading", name="本单位推荐")).to_be_visible()
    project_row = page.locator("table.quota-table tr", has_text="最佳志愿服务项目")
    expect(project_row).to_contain_text("2")
    shot(page, "02-list")

    # 3. A new project nomination.
    project_row.get_by_role("link", name="新建推荐").click()
    expect(page.get_by_role("heading", name=re.compile("新建推荐"))).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("开始填写后将自动保存草稿")
    shot(page, "03-new-form")

    # Typing the title creates the draft (autosave), and the page becomes its edit page.
    page.get_by_label("项目名称").fill("举手之劳·为树木松绑拔刺")
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    page.wait_for_url(re.compile(r"/nominations/\d+/edit/$"))
    nomination = Nomination.objects.get(title="举手之劳·为树木松绑拔刺")
    assert nomination.unit.code == "140105"
    assert nomination.status == Status.DRAFT
    expect(page.locator("#upload-form")).to_be_visible()

    # 4. Fill in the rest; the counters count live, autosave keeps up.
    fill_project(page)
    expect(page.locator(".field-introduction .counter")).to_contain_text(re.compile(r"已输入 \d+ / 300 字"))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("盖章推荐表：未上传（PDF）。")
    expect(checklist).to_contain_text("照片：至少上传 1 张。")
    expect(checklist).not_to_contain_text("项目负责人")
    expect(page.locator("#submit-button")).to_be_disabled()
    nomination.refresh_from_db()
    assert nomination.volunteers == 758
    assert nomination.pledge is True
    shot(page, "04-filled")

    # 5. A photo with its caption.
    page.get_by_label("附件类型").select_option("photo")
    page.locator("#upload-file").set_input_files(str(photo))
    expect(page.locator("#upload-preview img")).to_be_visible()
    page.get_by_label("照片说明").fill("2016年植树节，志愿者为行道树拆除铁丝")
    page.get_by_role("button", name="上传附件").click()
    photo_item = page.locator("#attachment-list li.kind-photo")
    expect(photo_item).to_contain_text("2016年植树节，志愿者为行道树拆除铁丝")
    expect(photo_item.locator("img")).to_be_visible()
    expect(checklist).not_to_contain_text("照片：至少上传 1 张。")
    shot(page, "05-photo")

    # 6. The stamped form.
    page.get_by_label("附件类型").select_option("stamped_form")
    page.locator("#upload-file").set_input_files(str(form_pdf))
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#attachment-list li.kind-stamped_form")).to_contain_text("盖章推荐表.pdf")

    # 7. The checklist is complete.
    expect(checklist).to_contain_text("材料已齐全，可以提交。")
    expect(page.locator("#submit-button")).to_be_enabled()
    shot(page, "06-complete")

    # 8. Submit.
    page.get_by_role("button", name="提交推荐").click()
    page.wait_for_url(re.compile(r"/nominations/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("推荐已提交")
    expect(page.locator("h1 .badge")).to_have_text("已提交")
    shot(page, "07-submitted")

    nomination.refresh_from_db()
    assert nomination.status == Status.SUBMITTED
    assert nomination.submitted_at is not None
    assert nomination.order == 1
    assert nomination.started_on == dt.date(2016, 3, 5)
    assert nomination.media_links == ["https://example.org/report-1", "https://example.org/report-2"]
    assert nomination.field == "环境保护"
    kinds = {a.kind: a for a in nomination.attachments.all()}
    assert set(kinds) == {AttachmentKind.PHOTO, AttachmentKind.STAMPED_FORM}
    assert kinds[AttachmentKind.PHOTO].caption == "2016年植树节，志愿者为行道树拆除铁丝"
    actions = set(
        AuditEntry.objects.filter(
            object_type="nominations.nomination", object_id=str(nomination.pk)
        ).values_list("action", flat=True)
    )
    assert {"nomination.create", "nomination.update", "nomination.submit"} <= actions

    # 9. The list shows it submitted and the place taken.
    page.goto("/nominations/")
    expect(page.locator("table.nomination-table")).to_contain_text("已提交")
    expect(page.locator("table.quota-table tr", has_text="最佳志愿服务项目")).to_contain_text("1")
    shot(page, "08-list-after")


def test_form_field_errors_attachment_delete_and_stale_version(
    page, login, shot, tmp_path, officer_account, open_competition
):
    from nominations import services

    category = open_competition.categories.get(code="XM")
    draft = services.nomination_create(
        actor=officer_account,
        competition=open_competition,
        category=category,
        data={"title": "社区助老服务"},
    )
    login(page, officer_account.username, PASSWORD)
    page.goto(f"/nominations/{draft.pk}/edit/")

    # A wrong phone number: a Chinese message under the field; the rest is saved.
    page.get_by_label("联系电话").fill("12345")
    page.get_by_label("服务对象").fill("社区独居老人")
    page.get_by_role("button", name="保存草稿").click()
    errors = page.locator('[data-errors-for="contact_phone"]')
    expect(errors).to_contain_text("11 位手机号码")
    expect(page.locator("#autosave-status")).to_contain_text("标红的字段有误")
    draft.refresh_from_db()
    assert draft.service_targets == "社区独居老人"
    assert draft.contact_phone == ""

    # Corrected, the error goes away.
    page.get_by_label("联系电话").fill("13900000000")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    expect(errors).to_be_empty()
    shot(page, "01-saved")

    # An attachment uploaded by mistake is deleted again (after confirming).
    other = tmp_path / "其他材料.pdf"
    other.write_bytes(minimal_pdf("其他材料"))
    page.get_by_label("附件类型").select_option("other")
    page.locator("#upload-file").set_input_files(str(other))
    expect(page.locator("#upload-filename")).to_have_text("其他材料.pdf")
    page.get_by_role("button", name="上传附件").click()
    item = page.locator("#attachment-list li.kind-other")
    expect(item).to_contain_text("其他材料.pdf")
    assert draft.attachments.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="删除").click()
    expect(item).to_have_count(0)
    expect(page.locator("#attachments-empty")).to_be_visible()
    assert draft.attachments.count() == 0

    # Someone else saves meanwhile: the next autosave is refused with a Chinese notice.
    services.nomination_update(
        actor=officer_account, nomination=draft, data={"service_area": "小店区"}
    )
    page.get_by_label("服务地域").fill("太原市")
    page.get_by_role("button", name="保存草稿").click()
    notice = page.locator("#autosave-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("版本不一致")
    expect(page.locator("#autosave-status")).to_have_text("自动保存已停止")
    shot(page, "02-stale")
    draft.refresh_from_db()
    assert draft.service_area == "小店区"


def submitted_with_files(officer, competition) -> Nomination:
    """A complete project, its photo and stamped form uploaded through the attachment service."""
    import io

    from nominations import attachments, services
    from tests.nominations.conftest import PROJECT

    category = competition.categories.get(code="XM")
    nomination = services.nomination_create(
        actor=officer, competition=competition, category=category, data=dict(PROJECT)
    )
    photo = io.BytesIO(jpeg_bytes(size=(800, 600), color=(60, 140, 80)))
    photo.name = "活动现场.jpg"
    attachments.attachment_add(
        actor=officer, nomination=nomination, upload=photo, kind="photo", caption="志愿者为行道树松绑"
    )
    stamped = io.BytesIO(minimal_pdf())
    stamped.name = "盖章推荐表.pdf"
    attachments.attachment_add(actor=officer, nomination=nomination, upload=stamped, kind="stamped_form")
    return services.nomination_submit(actor=officer, nomination=nomination)


def test_office_returns_a_nomination_and_the_officer_sees_why(
    page, login, shot, officer_account, open_competition
):
    nomination = submitted_with_files(officer_account, open_competition)

    # The office finds it in the review queue, filtered to what waits for review.
    login(page, "office-browser", STRONG_PASSWORD)
    page.goto("/nominations/review/")
    page.get_by_label("状态").select_option("submitted")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.review-table tr", has_text=nomination.title)
    expect(row).to_contain_text("已提交")
    shot(page, "01-queue")

    # The nomination's page: fields, the photo's thumbnail, the history.
    row.get_by_role("link", name="审查").click()
    expect(page.locator("h1")).to_contain_text(nomination.title)
    expect(page.locator("#attachments img")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("提交推荐")
    shot(page, "02-detail")

    # Returning without a reason is refused in Chinese and changes nothing.
    return_form = page.locator("form.review-form", has=page.locator("input[value=return]"))
    return_form.get_by_role("button", name="退回修改").click()
    expect(page.locator(".review-actions .errorlist")).to_contain_text("请填写退回修改的理由")
    nomination.refresh_from_db()
    assert nomination.status == Status.SUBMITTED
    shot(page, "03-no-reason")

    page.get_by_label("退回修改的理由").fill("请补充2021年以来的活动照片，并说明志愿者的注册情况。")
    return_form.get_by_role("button", name="退回修改").click()
    expect(page.locator(".messages")).to_contain_text("审查结论已记录：退回修改")
    expect(page.locator("h1 .badge")).to_have_text("退回修改")
    expect(page.locator("#history")).to_contain_text("资格审查：退回修改")
    shot(page, "04-returned")
    nomination.refresh_from_db()
    assert nomination.status == Status.RETURNED
    assert AuditEntry.objects.filter(
        action="nomination.review.return", object_id=str(nomination.pk)
    ).exists()

    # The unit's officer sees the reason and may correct and resubmit.
    page.get_by_role("button", name="退出").click()
    login(page, officer_account.username, PASSWORD)
    page.goto("/nominations/")
    expect(page.locator("table.nomination-table")).to_contain_text("退回修改")
    page.get_by_role("link", name=nomination.title).click()
    expect(page.locator(".notice")).to_contain_text("请补充2021年以来的活动照片")
    expect(page.get_by_role("link", name="修改并重新提交")).to_be_visible()
    shot(page, "05-officer-sees-reason")


def test_upload_limits_on_the_page_are_the_servers(
    page, login, shot, tmp_path, monkeypatch, settings, officer_account, open_competition
):
    """The form's help, its file chooser and its size pre-check follow the server's
    limits (nominations.files): with the video limit lowered to 1 MB and 2 分 30 秒
    and photos to 3, the page says so, refuses a larger video before sending it, and sends one of
    exactly the limit, which the server then accepts."""
    from nominations import files, services
    from tests.nominations.files import mp4_file

    monkeypatch.setitem(files.SIZE_LIMITS, files.MP4, files.MB)
    monkeypatch.setattr(files, "MAX_PHOTOS", 3)
    settings.NOMINATIONS_VIDEO_MAX_SECONDS = 150
    category = open_competition.categories.get(code="XM")
    draft = services.nomination_create(
        actor=officer_account, competition=open_competition, category=category, data={"title": "社区助老服务"}
    )
    login(page, officer_account.username, PASSWORD)
    page.goto(f"/nominations/{draft.pk}/edit/")

    help_text = page.locator("#attachments .help").first
    expect(help_text).to_contain_text("最多 3 张")
    expect(help_text).to_contain_text("不超过 2 分 30 秒、1 MB")
    file_input = page.locator("#upload-file")
    page.get_by_label("附件类型").select_option("video")
    expect(file_input).to_have_attribute("accept", "video/mp4,.mp4,.m4v")
    page.get_by_label("附件类型").select_option("photo")
    expect(file_input).to_have_attribute("accept", "image/jpeg,image/png,.jpg,.jpeg,.png")
    expect(page.get_by_label("照片说明")).to_have_attribute(
        "maxlength", str(draft.attachments.model._meta.get_field("caption").max_length)
    )

    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if r.method == "POST" and "attachments" in r.url else None)
    too_big = tmp_path / "活动视频.mp4"
    mp4_file(too_big, files.MB + 1)
    page.get_by_label("附件类型").select_option("video")
    file_input.set_input_files(str(too_big))
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#upload-errors")).to_have_text("视频不能超过 1 MB。")
    shot(page, "01-video-over-the-limit")
    assert uploads == []
    assert draft.attachments.count() == 0

    exact = tmp_path / "宣传片.mp4"
    mp4_file(exact, files.MB)
    file_input.set_input_files(str(exact))
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#attachment-list li.kind-video")).to_contain_text("宣传片.mp4")
    expect(page.locator("#upload-errors")).to_be_empty()
    assert len(uploads) == 1
    assert draft.attachments.get().size == files.MB
