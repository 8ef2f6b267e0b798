"""Designs: a category's template, rendering with it, previews and sample seals.

``design_for`` finds a category's design (the office's template or the
packaged one) and ``render_certificate_pdf`` renders with it; both the
worker (``worker.item_render``) and a reissue (``revoke.certificate_reissue``)
call them through this module.
"""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from competition.audit import audit_record
from competition.enums import CategoryKind
from competition.exceptions import ValidationFailed
from competition.models import Category, Competition, Issuer, User
from competition.refusals import issuers_refusal, refuse
from competition.rules import is_office, require

from .. import conf, rendering
from ..models import CertificateTemplate
from ..numbering import format_number
from .wording import printed_data, stored_bytes

_designs: dict[tuple, rendering.Design] = {}


def design_for(*, category_id: int) -> rendering.Design:
    """The category's design (the office's template, or the packaged one), cached per version."""
    template = CertificateTemplate.objects.filter(category_id=category_id).first()
    if template is None:
        return rendering.Design(key="default")
    key = (template.pk, template.updated_at.isoformat())
    design = _designs.get(key)
    if design is None:
        design = rendering.Design(
            html=template.html.strip() or rendering.DEFAULT_HTML,
            css=template.stylesheet.strip() or rendering.DEFAULT_CSS,
            background=stored_bytes(template.background.name) if template.background else None,
            key=f"template-{template.pk}-{template.updated_at.timestamp()}",
        )
        _designs[key] = design
    return design


def render_certificate_pdf(
    data: rendering.CertificateData, design: rendering.Design, *, chars: str = ""
) -> bytes:
    """Render one certificate with the process's renderer for this design and character set."""
    return rendering.render_pdf(data, design, chars=chars)


def background_jpeg(data: bytes) -> bytes:
    """An uploaded background as an A4-landscape-sized RGB JPEG (WeasyPrint copies a JPEG as it is)."""
    from PIL import Image, ImageOps

    from competition.images import flatten

    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
    image = flatten(image)
    if image.width > 2480:  # 300 dpi across 297 mm is 3508; 2480 (about 212 dpi) is plenty on paper
        image = image.resize((2480, round(image.height * 2480 / image.width)), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def template_check(*, html: str) -> None:
    """Refuse a template Django cannot compile (the office sees the error in the admin)."""
    from django.template import TemplateSyntaxError

    if not html.strip():
        return
    try:
        rendering.template_engine().from_string(html)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(fields={"html": [f"证书模板：模板语法错误：{exc}"]}) from exc


@transaction.atomic
def template_save(
    *,
    actor: User,
    template: CertificateTemplate,
    background: bytes | None = None,
    clear_background: bool = False,
) -> CertificateTemplate:
    """Save a category's design (a new background is converted to JPEG), audited."""
    require(is_office, actor)
    template_check(html=template.html)
    before = None
    if template.pk:
        old = CertificateTemplate.objects.filter(pk=template.pk).first()
        if old is not None:
            before = {
                "html_sha256": hashlib.sha256(old.html.encode()).hexdigest(),
                "stylesheet_sha256": hashlib.sha256(old.stylesheet.encode()).hexdigest(),
                "background": old.background.name,
            }
    if clear_background:
        template.background = ""
    if background is not None:
        template.background.save("background.jpg", ContentFile(background_jpeg(background)), save=False)
    template.save()
    audit_record(
        actor=actor,
        action="certificate_template.save",
        obj=template,
        before=before,
        after={
            "category": template.category_id,
            "html_sha256": hashlib.sha256(template.html.encode()).hexdigest(),
            "stylesheet_sha256": hashlib.sha256(template.stylesheet.encode()).hexdigest(),
            "background": template.background.name,
        },
    )
    return template


SAMPLE_HOLDERS = {
    CategoryKind.PROJECT: ("举手之劳·为树木松绑拔刺", "太原市城市综合管理服务指挥中心"),
    CategoryKind.ORGANIZATION: ("太原市城市综合管理服务指挥中心志愿服务队", ""),
    CategoryKind.PERSON: ("张三", ""),
    CategoryKind.COMMUNITY: ("迎泽区柳巷街道某某社区", ""),
}


def sample_data(*, category: Category) -> rendering.CertificateData:
    """Sample content for a design preview: the category's wording and issuers, a sample holder."""
    competition = category.competition
    title, organization = SAMPLE_HOLDERS.get(category.kind, SAMPLE_HOLDERS[CategoryKind.PROJECT])
    return printed_data(
        category=category,
        competition=competition,
        title=title,
        organization=organization,
        number=format_number(year=competition.year, code=category.code, serial=1, prefix=conf.number_prefix()),
        date=timezone.localdate(),
        verify_url=f"{settings.SITE_URL.rstrip('/')}/verify/sample/",
    )


def template_preview(*, category: Category) -> bytes:
    """A PDF of the category's current design with sample data (for the admin)."""
    data = sample_data(category=category)
    return render_certificate_pdf(data, design_for(category_id=category.pk))


@transaction.atomic
def sample_seals_attach(*, actor: User, competition: Competition) -> int:
    """Give every issuer without a seal a drawn specimen seal marked 样章 (the demo only)."""
    from ..artwork import draw_seal

    require(is_office, actor)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    bare = [i for i in Issuer.objects.select_for_update().filter(competition=competition) if not i.seal]
    if bare:
        refuse(issuers_refusal(competition, action="seal"))
    attached = 0
    for issuer in bare:
        issuer.seal.save(f"sample-seal-{issuer.pk}.png", ContentFile(draw_seal(issuer.name)), save=True)
        audit_record(actor=actor, action="issuer.sample_seal", obj=issuer, after={"seal": issuer.seal.name})
        attached += 1
    return attached


def designs_copy(*, actor: User, categories: dict[Category, Category]) -> int:
    """Give each new category the design of the category it was copied from (a new year
    made from last year's, ``competition.setup.services.competition_copy``); the
    background gets a file of its own. Called inside the copy's transaction."""
    copied = 0
    for template in CertificateTemplate.objects.filter(category__in=list(categories)):
        new = CertificateTemplate(
            category=categories[template.category], html=template.html, stylesheet=template.stylesheet
        )
        if template.background:
            try:
                with template.background.open("rb") as handle:
                    new.background.save("background.jpg", ContentFile(handle.read()), save=False)
            except (FileNotFoundError, OSError):
                pass
        new.save()
        copied += 1
    return copied
