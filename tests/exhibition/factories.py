"""Factories of the exhibition app: an exhibit of a final award.

``exhibition_publish`` is how exhibits come to be, and the exhibition tests
publish through it; ``ExhibitFactory`` is for a test that needs an exhibit
row to exist (a published project by default; a category of kind
``organization`` makes an 组织展 exhibit). What it shows is copied from the
nomination, as publishing does. Photos (``ExhibitPhoto``) are renditions the
service makes from the nomination's attachments: publish to get them.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from exhibition.enums import HALL_OF_CATEGORY_KIND, ExhibitStatus
from exhibition.models import Exhibit
from judging.enums import AwardStatus
from tests.judging.factories import AwardFactory

__all__ = ["ExhibitFactory"]


class ExhibitFactory(DjangoModelFactory):
    class Meta:
        model = Exhibit

    award = factory.SubFactory(AwardFactory, status=AwardStatus.FINAL)
    nomination = factory.LazyAttribute(lambda o: o.award.nomination)
    competition = factory.LazyAttribute(lambda o: o.award.competition)
    category = factory.LazyAttribute(lambda o: o.award.category)
    unit = factory.LazyAttribute(lambda o: o.nomination.unit)
    kind = factory.LazyAttribute(lambda o: HALL_OF_CATEGORY_KIND[o.category.kind])
    slug = factory.Sequence(lambda n: f"exhibit-{n:06d}")
    year = factory.LazyAttribute(lambda o: o.competition.year)
    honour_year = factory.LazyAttribute(lambda o: o.year)  # an award's exhibit: honoured in its year
    award_code = factory.LazyAttribute(lambda o: o.category.code)
    award_name = factory.LazyAttribute(lambda o: o.category.name)
    unit_code = factory.LazyAttribute(lambda o: o.unit.code)
    unit_name = factory.LazyAttribute(lambda o: o.unit.name)
    category_order = factory.LazyAttribute(lambda o: o.category.order)
    unit_order = factory.LazyAttribute(lambda o: o.unit.order)
    title = factory.LazyAttribute(lambda o: o.nomination.title)
    organization = factory.LazyAttribute(lambda o: o.nomination.organization)
    introduction = factory.LazyAttribute(lambda o: o.nomination.introduction)
    volunteers = factory.LazyAttribute(lambda o: o.nomination.volunteers)
    status = ExhibitStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
