"""A new year copied from last year's keeps each category's certificate design."""

import pytest
from django.core.files.base import ContentFile

from certificates.models import CertificateTemplate
from competition.setup import services
from tests.factories import competition_factory

pytestmark = pytest.mark.django_db


def test_copying_a_year_copies_the_category_designs(office):
    source = competition_factory(year=2022)
    xm = source.categories.get(code="XM")
    template = CertificateTemplate(category=xm, html="<p>{{ holder }}</p>", stylesheet="p { color: red; }")
    template.background.save("bg.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"), save=False)
    template.save()

    new = services.competition_copy(actor=office, source=source, year=2023)

    copied = CertificateTemplate.objects.get(category=new.categories.get(code="XM"))
    assert (copied.html, copied.stylesheet) == (template.html, template.stylesheet)
    assert copied.background.name != template.background.name
    assert copied.background.read() == b"\xff\xd8\xff fake jpeg"
    assert not CertificateTemplate.objects.filter(category=new.categories.get(code="ZZ")).exists()
