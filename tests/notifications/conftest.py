"""Fixtures of the notifications tests: a real SMTP server on loopback (aiosmtpd), a
local HTTP server standing in for the 企业微信 group robot, and accounts with addresses.

The SMTP server records every accepted message; ``refuse`` makes it answer the
next N messages (or every one, with -1) with a temporary failure, as a mail
server that is down would. The robot records every JSON post and answers
``answer`` (``{"errcode": 0}`` by default).
"""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Unit
from notifications import services as notification_services

PASSWORD = "Xlf-test-pass-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpRecorder:
    messages: list = field(default_factory=list)
    refuse: int = 0  # refuse the next N messages; -1: all
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                if self.refuse > 0:
                    self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox temporarily unavailable"
            self.messages.append(
                (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default))
            )
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "noreply@awards.example.org"
    settings.SITE_URL = "https://awards.example.org"
    recorder.port = port
    yield recorder
    controller.stop()


@dataclass
class Robot:
    url: str = ""
    posts: list = field(default_factory=list)
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    status: int = 200


@pytest.fixture
def wecom(settings):
    """A local HTTP server that records the 企业微信 robot's posts; WECOM_WEBHOOK_URL points at it."""
    robot = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            robot.posts.append({"path": self.path, "content_type": self.headers.get("Content-Type"), "json": json.loads(body)})
            answer = json.dumps(robot.answer).encode()
            self.send_response(robot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    robot.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test-key"
    settings.WECOM_WEBHOOK_URL = robot.url
    settings.SITE_URL = "https://awards.example.org"
    yield robot
    server.shutdown()
    server.server_close()


def account(username: str, role: str, *, unit: Unit | None = None, email: str | None = None, display_name=""):
    user = competition_services.user_create(
        actor=None, username=username, password=PASSWORD, role=role, unit=unit, display_name=display_name
    )
    if email is not None:
        notification_services.preference_set(actor=user, email=email, email_enabled=True)
        user.refresh_from_db()
    return user


@pytest.fixture
def office(db):
    return account("n-office", Role.OFFICE, email="office@example.org", display_name="市文明办")


@pytest.fixture
def officer(unit):
    return account("n-unit-140105", Role.OFFICER, unit=unit, email="xiaodian@example.org")


@pytest.fixture
def other_officer(other_unit):
    return account("n-unit-140106", Role.OFFICER, unit=other_unit, email="yingze@example.org")


def nominating_competition(office, *, year=2030, closes_in=dt.timedelta(days=10)):
    from tests.nominations.conftest import competition_payload

    now = timezone.now()
    competition = competition_services.competition_create(
        actor=office, data=competition_payload(year, opens=now - dt.timedelta(days=1), closes=now + closes_in)
    )
    return competition_services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)


def submitted_nomination(officer, competition, **fields):
    from nominations import services as nomination_services
    from tests.nominations.conftest import attach_required, make_nomination

    nomination = make_nomination(officer, competition, competition.categories.get(code="XM"), **fields)
    attach_required(nomination)
    return nomination_services.nomination_submit(actor=officer, nomination=nomination)


def plain_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def judge_account(username: str, *, email: str | None = None):
    user = account(username, Role.JUDGE, email=email, display_name=username)
    competition_services.judge_profile_set(actor=None, user=user, name=username, unit=None, organizations=[])
    return user


@dataclass
class PublicityWorld:
    office: object
    officer: object
    other_officer: object
    judge: object
    competition: object
    round: object
    winner: object
    runner_up: object


def publicity_world(*, year: int = 2032) -> PublicityWorld:
    """A competition in 公示 (published a week ago for 30 working days): two projects of
    two units scored by one judge; the first is on the list."""
    from competition.models import User
    from judging import services as judging_services
    from tests.judging.conftest import accepted, judging_competition, score_all

    office = User.objects.filter(username="n-office").first() or account(
        "n-office", Role.OFFICE, email="office@example.org", display_name="市文明办"
    )
    unit, other_unit = Unit.objects.get(code="140105"), Unit.objects.get(code="140106")
    officer = User.objects.filter(username="n-unit-140105").first() or account(
        "n-unit-140105", Role.OFFICER, unit=unit, email="xiaodian@example.org"
    )
    other_officer = User.objects.filter(username="n-unit-140106").first() or account(
        "n-unit-140106", Role.OFFICER, unit=other_unit, email="yingze@example.org"
    )
    judge = judge_account(f"n-judge-{year}", email=f"judge{year}@example.org")
    competition = judging_competition(office, year=year, judges_per_nomination=1)
    xm = competition.categories.get(code="XM")
    round_ = competition.rounds.get(order=1)
    winner = accepted(competition, xm, unit, title="公示项目甲")[0]
    runner_up = accepted(competition, xm, other_unit, title="公示项目乙")[0]
    for nomination in (winner, runner_up):
        judging_services.assignment_add(actor=office, round_=round_, judge=judge, nomination=nomination)
    score_all(round_, lambda j, n, c: c.max_points - (0 if n == winner else 1))
    judging_services.round_close(actor=office, round_=round_)
    xm.award_quota = 1
    xm.save(update_fields=["award_quota"])
    judging_services.publicity_publish(
        actor=office, competition=competition, working_days=30, now=timezone.now() - dt.timedelta(days=7)
    )
    competition.refresh_from_db()
    return PublicityWorld(office, officer, other_officer, judge, competition, round_, winner, runner_up)
