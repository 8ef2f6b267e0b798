import pytest

from tests.factories import JudgeFactory, api_client

# office, observer and officer: tests/conftest.py


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
