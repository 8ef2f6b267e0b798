"""Printed documents of the results, in the certificates' fonts: the 公示文件 and the 表彰名单.

Both are Django templates (autoescaped: names are text, never markup)
rendered by WeasyPrint on A4 portrait with the certificates' Chinese font,
Noto Serif CJK SC, cut to the characters the document prints
(``fonts.subset_font``, cached on disk like the certificates' subsets) and
loaded through ``@font-face`` as "XLF Serif". WeasyPrint fetches through the
certificates' ``safe_fetcher``: the two font files and nothing else.

So does the printable 推荐表 of a nomination (its HTML and version code come
from ``nominations.form_pdf``).

They live here, not in ``judging``, because the font pipeline is the
certificates' and apps import only leftwards.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import strip_tags

from competition.models import Competition
from judging import selectors as judging_selectors
from judging import standings
from judging.models import Publicity
from judging.notice import notice_of
from nominations import form_pdf

from . import fonts, rendering

PDF_CONTENT_TYPE = "application/pdf"


def render_document(html: str) -> bytes:
    """An A4 document (its own ``@page`` rules) in the certificates' font, as PDF bytes."""
    weasyprint = rendering._weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    chars = fonts.extra_chars(strip_tags(html))
    regular = fonts.subset_font(fonts.find_font("regular"), chars)
    bold = fonts.subset_font(fonts.find_font("bold"), chars)
    fetcher = rendering.safe_fetcher(roots=[], files=[regular, bold])
    font_config = FontConfiguration()
    css = weasyprint.CSS(
        string=(
            f'@font-face {{ font-family: "{rendering.FONT_FAMILY}"; src: url("{regular.as_uri()}"); font-weight: 400; }}\n'
            f'@font-face {{ font-family: "{rendering.FONT_FAMILY}"; src: url("{bold.as_uri()}"); font-weight: 700; }}\n'
            f'html {{ font-family: "{rendering.FONT_FAMILY}", serif; }}\n'
        ),
        url_fetcher=fetcher,
        font_config=font_config,
    )
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[css], font_config=font_config
    )


def _groups(entries: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        groups.setdefault(entry["category"], []).append(entry)
    return list(groups.items())


def publicity_pdf(publicity: Publicity) -> bytes:
    """The 公示文件: the notice, the period and the list of proposed winners (names and units, no scores)."""
    data = judging_selectors.publicity_data(publicity=publicity, public=True)
    html = render_to_string(
        "certificates/documents/publicity.html",
        {"publicity": publicity, "notice": notice_of(publicity), "data": data, "groups": _groups(data["entries"])},
    )
    return render_document(html)


def honours_pdf(competition: Competition) -> bytes:
    """The 表彰名单 of a final competition, per category, with the 落款 of its issuers."""
    blocks = standings.award_rows(competition=competition, final_only=True)
    finalized = max((r.award.finalized_at for b in blocks for r in b.rows if r.award.finalized_at), default=None)
    issuers = list(competition.issuers.order_by("order", "id").values_list("name", flat=True))
    html = render_to_string(
        "certificates/documents/honours.html",
        {
            "competition": competition,
            "blocks": blocks,
            "total": sum(len(b.rows) for b in blocks),
            "issuers": issuers,
            "date": finalized,
        },
    )
    return render_document(html)


def nomination_form_pdf(nomination, *, now=None) -> bytes:
    """A nomination's printable 推荐表 (``nominations.form_pdf``), in the certificates' font."""
    return render_document(form_pdf.form_html(nomination, now=now))
