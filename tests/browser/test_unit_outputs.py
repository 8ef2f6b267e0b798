"""A unit's own outputs in a real browser (issue 14 items 2 and 3).

1. A unit officer prints the 推荐表 from the nomination's page (the PDF read
   back: title, unit, version code), uploads the stamped scan, edits a field
   and is asked for a new stamped form; submission waits until the new scan.
2. After 结果确定 (reached with the factories, not by clicking through
   judging), the officer exports the 推荐汇总表 .xlsx from the list, sees 获评
   on the winner and 未获评 on the other, and downloads the winner's
   certificate from the nomination's page and from the unit's certificates
   page. The office exports every unit's 推荐汇总表 from the review queue.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Unit
from nominations import form_pdf
from nominations import services as nomination_services
from nominations.enums import AttachmentKind, Status
from tests.browser.office import keep
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import PROJECT, competition_payload
from tests.nominations.factories import AttachmentFactory

pytestmark = pytest.mark.browser

PASSWORD = STRONG_PASSWORD
SHOTS = "unit-outputs"
# A PDF is rendered on request (WeasyPrint, the font subset): on a loaded machine this
# takes longer than the default 10 s of an action.
PDF_WAIT = 60_000


def _text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def _officer(unit_code: str = "140105"):
    return competition_services.user_create(
        actor=None,
        username=f"unit-{unit_code}",
        password=PASSWORD,
        role=Role.OFFICER,
        unit=Unit.objects.get(code=unit_code),
        display_name="小店区推荐管理员",
    )


@pytest.fixture
def draft_world():
    """A competition taking nominations and a complete draft of 小店区 with a photo (no stamped form yet)."""
    office = competition_services.user_create(actor=None, username="office-unit", password=PASSWORD, role=Role.OFFICE)
    now = timezone.now()
    competition = competition_services.competition_create(
        actor=office, data=competition_payload(2030, opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10))
    )
    competition = competition_services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)
    officer = _officer()
    draft = nomination_services.nomination_create(
        actor=officer, competition=competition, category=competition.categories.get(code="XM"), data=dict(PROJECT)
    )
    AttachmentFactory(nomination=draft, original_name="植树节活动现场.png", caption="志愿者为行道树拆除铁丝")
    return officer, draft


def test_unit_prints_its_form_uploads_the_stamp_and_is_asked_again_after_an_edit(page, login, tmp_path, draft_world):
    officer, draft = draft_world
    login(page, officer.username, PASSWORD)

    # From the unit's list to the nomination's page.
    page.goto("/nominations/")
    page.locator("table.nomination-table").get_by_role("link", name=draft.title).click()
    page.wait_for_url(re.compile(rf"/nominations/{draft.pk}/$"))
    card = page.locator("#form-print")
    code = form_pdf.version_code(draft)
    expect(card).to_contain_text(code)
    keep(page, SHOTS, "01-nomination-page", phone=True)

    # Print the 推荐表: the PDF carries the title, the unit and the version code.
    with page.expect_download(timeout=PDF_WAIT) as download:
        card.get_by_role("link", name="打印推荐表（PDF）").click(timeout=PDF_WAIT)
    printed = tmp_path / "推荐表.pdf"
    download.value.save_as(printed)
    assert download.value.suggested_filename.endswith(f"{code}.pdf")
    text = _text(printed)
    assert "最佳志愿服务项目推荐表" in text
    assert "太原市小店区" in text or Unit.objects.get(code="140105").name in text
    assert code in text
    assert "推荐单位意见" in text

    # The stamped scan (here the printed PDF itself) is uploaded on the form page.
    page.get_by_role("link", name="继续填写").click()
    page.wait_for_url(re.compile(rf"/nominations/{draft.pk}/edit/$"))
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("盖章推荐表：未上传（PDF）。")
    page.get_by_label("附件类型").select_option("stamped_form")
    page.locator("#upload-file").set_input_files(str(printed))
    page.get_by_role("button", name="上传附件").click()
    stamped = page.locator("#attachment-list li.kind-stamped_form")
    expect(stamped).to_contain_text(f"推荐表版本码 {code}")
    expect(checklist).to_contain_text("材料已齐全，可以提交。")
    expect(page.locator("#submit-button")).to_be_enabled()
    assert draft.attachments.get(kind=AttachmentKind.STAMPED_FORM).form_version == code

    # An edit changes the data the stamp answered for: the checklist asks for a new stamped form.
    page.get_by_label("活动次数").fill("3500")
    page.get_by_role("button", name="保存草稿").click()
    expect(checklist).to_contain_text("请重新打印推荐表")
    expect(checklist).to_contain_text(code)
    expect(page.locator("#submit-button")).to_be_disabled()
    draft.refresh_from_db()
    assert draft.activities == 3500
    new_code = form_pdf.version_code(draft)
    assert new_code != code
    keep(page, SHOTS, "02-new-stamp-asked", phone=True)

    # The nomination's page says the same, and prints the new version.
    page.goto(f"/nominations/{draft.pk}/")
    expect(card).to_contain_text(new_code)
    expect(card).to_contain_text(f"已上传的盖章推荐表为 {code} 版")
    with page.expect_download(timeout=PDF_WAIT) as download:
        card.get_by_role("link", name="打印推荐表（PDF）").click(timeout=PDF_WAIT)
    reprinted = tmp_path / "推荐表-新.pdf"
    download.value.save_as(reprinted)
    assert new_code in _text(reprinted)

    # The new scan replaces the old one; the checklist is complete again and the unit submits.
    page.get_by_role("link", name="继续填写").click()
    page.get_by_label("附件类型").select_option("stamped_form")
    page.locator("#upload-file").set_input_files(str(reprinted))
    page.get_by_role("button", name="上传附件").click()
    expect(stamped).to_have_count(1)
    expect(stamped).to_contain_text(f"推荐表版本码 {new_code}")
    expect(checklist).to_contain_text("材料已齐全，可以提交。")
    page.get_by_role("button", name="提交推荐").click()
    page.wait_for_url(re.compile(rf"/nominations/{draft.pk}/$"))
    expect(page.locator("h1 .badge")).to_have_text("已提交")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


@pytest.fixture
def final_world():
    """A final competition: 小店区's winner with its certificate issued, and one of its nominations that won nothing."""
    from certificates import services as certificate_services
    from certificates.models import BatchItem
    from tests.certificates.conftest import award_for, make_final
    from tests.judging.conftest import accepted

    office = competition_services.user_create(actor=None, username="office-final", password=PASSWORD, role=Role.OFFICE)
    final = make_final(office, year=2035)
    unit = Unit.objects.get(code="140105")
    winner = award_for(final, "XM", unit, title="举手之劳·为树木松绑拔刺", organization="太原市城市综合管理服务指挥中心")
    other = award_for(final, "XM", Unit.objects.get(code="140106"), title="迎泽区邻里守望", rank=2)
    loser = accepted(final, final.categories.get(code="XM"), unit, title="社区助老服务")[0]
    batch = certificate_services.certificates_issue(actor=office, competition=final, send=False)
    for item in BatchItem.objects.filter(batch=batch):
        certificate_services.item_render(item_id=item.pk)
    certificate_services.batch_finish(batch_id=batch.pk)
    return office, _officer(), final, winner, other, loser


def test_unit_exports_its_summary_sees_its_results_and_downloads_its_certificate(page, login, tmp_path, final_world):
    office, officer, final, winner, other, loser = final_world
    certificate = winner.certificate
    login(page, officer.username, PASSWORD)

    # The list: results per nomination, the 推荐汇总表 and the certificates page.
    page.goto("/nominations/")
    block = page.locator(f"#competition-{final.pk}")
    row = block.locator("tr", has_text=winner.nomination.title)
    expect(row).to_contain_text("获评")
    expect(block.locator("tr", has_text=loser.title)).to_contain_text("未获评")
    keep(page, SHOTS, "03-list-final", phone=True)
    with page.expect_download() as download:
        block.get_by_role("link", name="导出推荐汇总表（.xlsx）").click()
    xlsx = tmp_path / "汇总表.xlsx"
    download.value.save_as(xlsx)
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(xlsx, read_only=True)
    cells = {str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c}
    assert {winner.nomination.title, loser.title} <= cells
    assert other.nomination.title not in cells  # another unit's

    # The winner's page: 获评 and the award, and its certificate.
    row.get_by_role("link", name=winner.nomination.title).click()
    result = page.locator("#result")
    expect(result).to_contain_text("获评")
    expect(result).to_contain_text(winner.nomination.category.name)
    keep(page, SHOTS, "04-winner", phone=True)
    with page.expect_download() as download:
        result.get_by_role("link", name="下载荣誉证书（PDF）").click()
    pdf = tmp_path / "证书.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"{certificate.number}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "荣誉证书" in _text(pdf)

    # The other nomination: 未获评.
    page.goto(f"/nominations/{loser.pk}/")
    expect(page.locator("#result")).to_contain_text("未获评")
    expect(page.locator("#result")).not_to_contain_text("下载荣誉证书")

    # The unit's certificates page, from the list.
    page.goto("/nominations/")
    page.locator(f"#competition-{final.pk}").get_by_role("link", name="本单位荣誉证书").click()
    expect(page.get_by_role("heading", name="本单位荣誉证书")).to_be_visible()
    listed = page.locator("#unit-certificate-list")
    expect(listed).to_contain_text(certificate.number)
    expect(listed).not_to_contain_text(other.certificate.number)
    keep(page, SHOTS, "05-unit-certificates", phone=True)
    with page.expect_download() as download:
        listed.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == f"{certificate.number}.pdf"


def test_the_office_exports_every_units_summary_from_the_review_queue(page, login, tmp_path, final_world):
    office, _officer_account, final, winner, other, loser = final_world
    login(page, office.username, PASSWORD)
    page.goto("/judging/office/")
    page.get_by_role("link", name="资格审查", exact=True).first.click()
    page.wait_for_url(re.compile(r"/nominations/review/"))
    keep(page, SHOTS, "06-review-queue", phone=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("导出推荐汇总表")).click()
    xlsx = tmp_path / "全部.xlsx"
    download.value.save_as(xlsx)
    book = load_workbook(xlsx, read_only=True)
    cells = {str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c}
    assert {winner.nomination.title, other.nomination.title, loser.title} <= cells
