"""Why a change of the competition's own records is refused now: ``*_refusal`` rules.

- ``issuers_refusal``: the issuers (颁发单位) and their seals, printed on every
  honour certificate, cannot change under certificates that have been issued;
- ``wording_refusal``: nor can the certificate's wording (证书正文), for the same reason.

A reason is a ``Refusal``: the Chinese message (a ``str``) with the stable
error code the API answers with. This module holds the one ``Refusal`` class
and ``refuse`` of every app (``nominations.states`` and ``judging.refusals``
import them). The services check it on the competition row they
have locked and raise it with ``refuse`` (409); the pages ask the same
function to show the note instead of a form.

The certificates live to the right of this app: the certificates app tells
this module what it has issued by registering a counter from its
``AppConfig.ready`` (``register_certificates_in_use``), so that this module
never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .exceptions import Conflict


class Refusal(str):
    """A refusal's message, with the stable code the API answers with."""

    code: str

    def __new__(cls, message: str, code: str) -> Refusal:
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal


def refuse(reason: Refusal | None) -> None:
    """Raise the refusal as the services do (409 with its message and code); nothing when None."""
    if reason is not None:
        raise Conflict(str(reason), code=reason.code)


# --------------------------------------------------------------------------- issuers and seals


@dataclass(frozen=True)
class CertificatesInUse:
    """What a competition's certificates hold of its issuers now.

    ``issued``: certificates issued and not revoked (their PDFs print the
    issuers and seals as they were when rendered); ``batch``: the number of a
    certificate batch still rendering (its certificates print the issuers and
    seals as they are when each is rendered), or None.
    """

    issued: int = 0
    batch: int | None = None


_in_use: list[Callable[[int], CertificatesInUse]] = []


def register_certificates_in_use(counter: Callable[[int], CertificatesInUse]) -> Callable[[int], CertificatesInUse]:
    """``counter(competition_id)`` tells what the competition's certificates hold (the certificates app)."""
    if counter not in _in_use:
        _in_use.append(counter)
    return counter


def certificates_in_use(competition_id: int) -> CertificatesInUse:
    issued, batch = 0, None
    for counter in _in_use:
        found = counter(competition_id)
        issued += found.issued
        batch = batch if batch is not None else found.batch
    return CertificatesInUse(issued=issued, batch=batch)


ISSUER_ACTIONS = {
    "change": "修改颁发单位和印章",
    "edit": "修改颁发单位",
    "add": "添加颁发单位",
    "remove": "删除颁发单位",
    "seal": "更换印章",
}


def issuers_refusal(competition, *, action: str = "change") -> Refusal | None:
    """Why the competition's issuers cannot be edited, added, removed or have their seal
    replaced now, or None.

    Refused while the competition has issued (not revoked) certificates, and
    while a batch of its certificates is rendering. A certificate row keeps
    what it printed of the holder and the award (holder, award, title, year,
    date) and its PDF's SHA-256, but not the issuers' names nor their seals:
    those are read from the issuers when a PDF is rendered (a batch, a
    reissue), and the 表彰名单 prints them as they are now. A change under
    issued certificates would leave the papers, their PDFs and the office's
    records disagreeing, silently; so the office revokes first, changes, and
    reissues (same number and QR code, a new PDF with the new issuers and seals).
    Revoked certificates do not hold the issuers: they may change.
    """
    label = ISSUER_ACTIONS[action]
    found = certificates_in_use(competition.pk)
    if found.batch is not None:
        return Refusal(
            f"现在不能{label}：证书批次 #{found.batch} 正在生成，证书上会印出颁发单位和印章。"
            "请等待该批次完成；如需更改，再按已颁发证书的办法处理（先撤销，再重新颁发）。",
            "certificates_rendering",
        )
    if found.issued:
        return Refusal(
            f"现在不能{label}：本年度已颁发 {found.issued} 份荣誉证书，证书上印的是当前的颁发单位和印章"
            "（证书记录保存了获奖者、奖项和 PDF 的 SHA-256，但不另存颁发单位和印章），"
            "更改后已发的证书与表彰名单、系统记录将不一致。"
            "如需更改，请先在“荣誉证书”页撤销已颁发的证书，更改后再逐份重新颁发（证书编号和验证二维码不变）。",
            "certificates_issued",
        )
    return None


def wording_refusal(competition) -> Refusal | None:
    """Why the certificate's wording (``certificate_wording``) cannot change now, or None.

    As ``issuers_refusal``: the certificate row does not keep the wording its PDF
    printed (a reissue renders the wording as it is then), so it may change only
    while no certificate is issued or rendering; revoked ones do not count.
    """
    found = certificates_in_use(competition.pk)
    if found.batch is not None:
        return Refusal(
            f"现在不能修改证书正文：证书批次 #{found.batch} 正在生成，证书上会印出当前的证书正文。请等待该批次完成后再处理。",
            "certificates_rendering",
        )
    if found.issued:
        return Refusal(
            f"现在不能修改证书正文：本年度已颁发 {found.issued} 份荣誉证书，证书上印的是当前的证书正文，"
            "更改后已发的证书与重新颁发的证书将不一致。"
            "如需更改，请先在“荣誉证书”页撤销已颁发的证书，更改后再逐份重新颁发（证书编号和验证二维码不变）。",
            "certificates_issued",
        )
    return None
