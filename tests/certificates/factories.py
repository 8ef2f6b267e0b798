"""Factories of the certificates app: certificates, issue batches and their items, designs.

They write rows directly (a pending certificate, without its PDF) for tests
that need one to exist; a test of numbering, rendering, issuing, revoking or
reissuing goes through ``certificates.services``.

- ``CertificateFactory``: the pending certificate of a final award, numbered
  as the numbering does (``TY-XLF-<year>-<category>-<serial>``), with a real
  verification token and what it prints copied from the award.
- ``CertificateBatchFactory`` and ``BatchItemFactory``: a queued batch and one
  pending item of it.
- ``CertificateTemplateFactory``: a category's design with every field blank
  (the packaged design); pass ``html``/``stylesheet`` to change it.
"""

from __future__ import annotations

import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from certificates.enums import BatchStatus, CertificateStatus, ItemStatus
from certificates.models import BatchItem, Certificate, CertificateBatch, CertificateTemplate
from certificates.numbering import format_number
from judging.enums import AwardStatus
from tests.factories import CategoryFactory, CompetitionFactory
from tests.judging.factories import AwardFactory

__all__ = ["BatchItemFactory", "CertificateBatchFactory", "CertificateFactory", "CertificateTemplateFactory"]


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate

    award = factory.SubFactory(AwardFactory, status=AwardStatus.FINAL)
    competition = factory.LazyAttribute(lambda o: o.award.competition)
    category = factory.LazyAttribute(lambda o: o.award.category)
    serial = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(
        lambda o: format_number(year=o.competition.year, code=o.category.code, serial=o.serial)
    )
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    holder = factory.LazyAttribute(lambda o: o.award.nomination.title)
    award_name = factory.LazyAttribute(lambda o: o.category.name)
    competition_title = factory.LazyAttribute(lambda o: o.competition.title)
    year = factory.LazyAttribute(lambda o: o.competition.year)
    date = factory.LazyFunction(lambda: timezone.localdate())
    status = CertificateStatus.PENDING


class CertificateBatchFactory(DjangoModelFactory):
    class Meta:
        model = CertificateBatch

    competition = factory.SubFactory(CompetitionFactory)
    status = BatchStatus.QUEUED
    total = 0


class BatchItemFactory(DjangoModelFactory):
    class Meta:
        model = BatchItem

    batch = factory.SubFactory(CertificateBatchFactory)
    certificate = factory.SubFactory(
        CertificateFactory,
        award__nomination__category__competition=factory.SelfAttribute(".....batch.competition"),
    )
    status = ItemStatus.PENDING


class CertificateTemplateFactory(DjangoModelFactory):
    class Meta:
        model = CertificateTemplate
        django_get_or_create = ("category",)

    category = factory.SubFactory(CategoryFactory)
