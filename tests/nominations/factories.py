"""Factories of the nominations app: nominations, their attachments, past winners.

They write rows directly, without the services, to set the scene for tests of
later steps (judging, certificates, the exhibition). A test of creating,
submitting, reviewing or attaching goes through ``nominations.services``.

- ``NominationFactory``: a complete project nomination (every field a judge
  reads, the pledge given) in draft; pass ``status=Status.ACCEPTED`` for one
  past 资格审查. ``order`` is the unit's next free place in the category.
- ``AttachmentFactory``: a real file in storage (a small PNG photo with a
  caption by default); ``content=`` sets the bytes, and ``size``/``sha256``
  follow them. ``stamped_form=True`` makes the stamped recommendation form (a PDF).
- ``PastWinnerFactory``: a winner of an earlier year, its key normalised as
  the eligibility check computes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from nominations.enums import AttachmentKind, Status
from nominations.models import Attachment, Nomination, PastWinner
from nominations.validators import normalized_key
from tests.factories import CategoryFactory, UnitFactory
from tests.nominations.files import minimal_pdf, png_bytes

__all__ = ["AttachmentFactory", "NominationFactory", "PastWinnerFactory", "Status"]


def next_order(category, unit) -> int:
    """The unit's next place in the category (after every nomination it already has there)."""
    return Nomination.objects.filter(category=category, unit=unit).count() + 1


class NominationFactory(DjangoModelFactory):
    class Meta:
        model = Nomination

    category = factory.SubFactory(CategoryFactory)
    competition = factory.LazyAttribute(lambda o: o.category.competition)
    unit = factory.SubFactory(UnitFactory)
    order = factory.LazyAttribute(lambda o: next_order(o.category, o.unit))
    status = Status.DRAFT
    title = factory.Sequence(lambda n: f"志愿服务项目{n:04d}")
    organization = "某志愿服务队"
    introduction = "简介"
    summary = "概述"
    started_on = dt.date(2015, 1, 1)
    volunteers = 100
    active_volunteers = 80
    pledge = True


class AttachmentFactory(DjangoModelFactory):
    class Meta:
        model = Attachment

    class Params:
        content = factory.LazyFunction(png_bytes)
        stamped_form = factory.Trait(
            kind=AttachmentKind.STAMPED_FORM,
            content=factory.LazyFunction(minimal_pdf),
            original_name="推荐表（盖章）.pdf",
            content_type="application/pdf",
            caption="",
        )

    nomination = factory.SubFactory(NominationFactory)
    kind = AttachmentKind.PHOTO
    original_name = "活动现场.png"
    content_type = "image/png"
    # The storage name comes from the model's upload_to (a generated one).
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name or "upload"))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    caption = "活动现场"
    order = 0


class PastWinnerFactory(DjangoModelFactory):
    class Meta:
        model = PastWinner

    year = 2019
    category_code = "XM"
    title = factory.Sequence(lambda n: f"往年获奖项目{n:04d}")
    organization = "某志愿服务队"
    normalized_key = factory.LazyAttribute(lambda o: normalized_key(o.title, o.organization))
