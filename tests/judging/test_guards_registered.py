"""Judging's phase guards hold in every process, not only where the results services were imported."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from competition.enums import Phase
from tests.judging.conftest import judging_competition

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: only django.setup() (what a shell or a management
# command does), never an import of judging.services, urls or views.
CHECK = """
import sys
import django
django.setup()
from competition import phases
from competition.enums import Phase
from competition.exceptions import Conflict
from competition.models import Competition, User
from competition.services import competition_advance

assert "judging.services" not in sys.modules, "the check must not import the judging services"
registered = [g.__module__ for g in phases._guards[(Phase.JUDGING, Phase.PUBLICITY)]]
print("guards:", ",".join(registered))
competition = Competition.objects.get(pk=int(sys.argv[1]))
office = User.objects.get(username="office")
try:
    competition_advance(actor=office, competition=competition, to=Phase.PUBLICITY)
except Conflict as exc:
    print("refused:", exc.message)
else:
    print("advanced")
"""


def _database_url() -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_fresh_process_cannot_advance_to_publicity_with_open_rounds(postgres, office):
    competition = judging_competition(office)  # in judging, its round still open, no ranking closed
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(competition.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "judging.guards" in result.stdout, result.stdout
    assert "refused: 评审轮次“初评”尚未结束。" in result.stdout, result.stdout
    competition.refresh_from_db()
    assert competition.phase == Phase.JUDGING
