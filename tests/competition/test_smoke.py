import pytest

from competition.models import Unit


@pytest.mark.django_db
def test_units_are_shipped_with_the_project():
    assert Unit.objects.count() == 24
    assert Unit.objects.get(code="140105").short_name == "小店区"
