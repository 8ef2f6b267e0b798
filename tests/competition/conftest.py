import pytest

from tests.factories import (
    JudgeFactory,
    ObserverFactory,
    OfficeFactory,
    OfficerFactory,
    api_client,
    taiyuan_unit,
)


@pytest.fixture
def office(db):
    return OfficeFactory(username="office-t", display_name="市文明办")


@pytest.fixture
def observer(db):
    return ObserverFactory(username="observer-t")


@pytest.fixture
def officer(db):
    return OfficerFactory(username="unit-t", unit=taiyuan_unit("140105"))


@pytest.fixture
def judge(db):
    return JudgeFactory(username="judge-t")


@pytest.fixture
def users(office, observer, officer, judge):
    """One account of each role, by role name."""
    return {"office": office, "observer": observer, "officer": officer, "judge": judge}


@pytest.fixture
def office_api(office):
    return api_client(office)


@pytest.fixture
def anon_api(db):
    return api_client()
