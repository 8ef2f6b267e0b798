"""``seed_demo`` tells the seed's own story (issue 16 item 5): the 太原市城市综合管理服务
指挥中心's two projects win 2022's 最佳志愿服务项目 through the judges' scores, with
their own figures (not the centre's); the centre is the 2019 最佳志愿服务组织, so it
is not nominated again; every category is a real contest (fewer awards than
accepted nominations)."""

import io

import pytest
from django.core.management import call_command

from competition.models import Competition, Unit

pytestmark = pytest.mark.django_db

PASSWORD = "demo-Story-2022!"
CENTRE = "太原市城市综合管理服务指挥中心"
TREES = "举手之劳·为树木松绑拔刺"
ADVERTS = "举手之劳·清除城市牛皮癣"
# The whole centre's figures (the seed's facts): never one project's.
CENTRE_FIGURES = {758, 3412, 104100}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo year, built once for this module; flushed at the end."""
    with django_db_blocker.unblock():
        call_command("seed_demo", password=PASSWORD, force=True, stdout=io.StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)
        from competition.units_data import load_units

        load_units(Unit)


@pytest.fixture
def api(client):
    from exhibition import caching

    caching.forget_all()
    yield client
    caching.forget_all()


def _project(api, title):
    listing = api.get("/api/v1/public/exhibition/projects/", {"year": 2022, "page_size": 100}).json()
    slug = next(p["slug"] for p in listing["results"] if p["title"] == title)
    response = api.get(f"/api/v1/public/exhibition/projects/{slug}/")
    assert response.status_code == 200
    return response.json()


def test_both_of_the_centres_projects_are_in_the_2022_project_hall(seeded, api):
    response = api.get("/api/v1/public/exhibition/projects/", {"year": 2022, "page_size": 100})
    assert response.status_code == 200
    shown = {p["title"]: p for p in response.json()["results"]}
    assert {TREES, ADVERTS} <= set(shown)
    for title in (TREES, ADVERTS):
        assert shown[title]["organization"] == CENTRE
        assert shown[title]["award"]["name"] == "最佳志愿服务项目"


def test_they_win_through_the_judges_scores(seeded):
    """Their awards are the top of the final ranking the judges' submitted scorecards
    make (the rounds' official rankings, weighted), as for every other nomination."""
    from judging.models import Award, Scorecard
    from judging.services.results import final_standings
    from nominations.models import Nomination

    competition = Competition.objects.get(year=2022)
    xm = competition.categories.get(code="XM")
    standings = final_standings(competition)[xm.pk]
    titles = dict(Nomination.objects.filter(category=xm).values_list("pk", "title"))
    ranks = {titles[e.nomination]: e.rank for e in standings}
    assert ranks[TREES] <= xm.award_quota and ranks[ADVERTS] <= xm.award_quota
    top = {titles[e.nomination] for e in standings if e.reached_last and e.rank <= xm.award_quota}
    winners = set(Award.objects.filter(category=xm, status="final").values_list("nomination__title", flat=True))
    assert winners == top
    for title in (TREES, ADVERTS):
        for round_ in competition.rounds.all():
            submitted = Scorecard.objects.filter(
                assignment__nomination__title=title, assignment__round=round_, submitted_at__isnull=False
            )
            assert submitted.count() >= 3


def test_the_projects_carry_their_own_figures_not_the_centres(seeded, api):
    trees, adverts = _project(api, TREES), _project(api, ADVERTS)
    for project in (trees, adverts):
        figures = {project[k] for k in ("volunteers", "service_hours", "activities", "beneficiaries")}
        assert not figures & CENTRE_FIGURES, project
        # "nearly a million adverts removed" is not a million people served.
        assert project["beneficiaries"] < 1_000_000
    assert "近5万件" in trees["introduction"] and "600人次" in trees["introduction"]
    assert "11502起" in trees["introduction"]
    assert "近百万件" in adverts["introduction"]
    assert "人次" not in adverts["introduction"]


def test_the_projects_start_in_march_2016_and_in_2017(seeded):
    from nominations.models import Nomination

    trees = Nomination.objects.get(title=TREES)
    adverts = Nomination.objects.get(title=ADVERTS)
    assert (trees.started_on.year, trees.started_on.month) == (2016, 3)
    assert adverts.started_on.year == 2017


def test_the_centre_is_a_2019_past_winner_and_not_nominated_again(seeded):
    from nominations import eligibility
    from nominations.models import Nomination, PastWinner
    from nominations.validators import normalized_key

    competition = Competition.objects.get(year=2022)
    zz = competition.categories.get(code="ZZ")
    assert PastWinner.objects.filter(year=2019, category_code="ZZ", title=CENTRE).exists()
    assert not Nomination.objects.filter(competition=competition, category=zz, title__contains=CENTRE).exists()
    assert not Nomination.objects.filter(
        competition=competition, category=zz, organization__contains=CENTRE
    ).exists()
    # Had a unit nominated it, the rule 往年获奖者不得推荐 would have flagged it.
    again = Nomination(
        competition=competition,
        category=zz,
        unit=Unit.objects.get(code="TY-M-CG"),
        title=CENTRE,
        normalized_key=normalized_key(CENTRE, ""),
    )
    codes = [f.code for f in eligibility.check(again)]
    assert "past_winner" in codes


def test_every_category_is_a_contest(seeded):
    from nominations.models import Nomination

    competition = Competition.objects.get(year=2022)
    for category in competition.categories.all():
        accepted = Nomination.objects.filter(competition=competition, category=category, status="accepted").count()
        assert category.award_quota < accepted, (category.code, category.award_quota, accepted)
        assert category.awards.filter(status="final").count() == category.award_quota
