"""Shared helpers of the benchmarks: a scratch PostgreSQL database, Django set up
against it with production settings (DEBUG off), fixture builders, timing.

Nothing here is imported by the application or the tests. Every benchmark
works in its own database (``xlf_bench`` by default), dropped and created at
the start of the run, so it never touches a developer's or a test's data.

Environment (all optional):

- ``BENCH_PG``: the server, default ``postgresql://postgres@127.0.0.1:5432``;
- ``BENCH_DB``: the scratch database's name, default ``xlf_bench``;
- ``BENCH_REDIS``: default ``redis://127.0.0.1:6379/15`` (keys prefixed ``xlf-bench``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "xlf_bench")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")

# The rubric of the generated competitions: the demo's six criteria, 100 points.
RUBRIC = [
    ("项目设计", 15),
    ("组织管理", 15),
    ("执行情况", 20),
    ("社会效益", 25),
    ("创新性", 15),
    ("可持续性", 10),
]


# --------------------------------------------------------------------------- environment


def database_url(name: str = DB_NAME) -> str:
    return f"{PG_SERVER.rstrip('/')}/{name}"


def server_env(name: str = DB_NAME) -> dict[str, str]:
    """The environment of a production-like process (DEBUG off) on the scratch database.

    Production settings, except: no HTTPS redirect (plain HTTP on 127.0.0.1)
    and no ``.env`` file read. ``CONN_MAX_AGE=60`` as in ``.env.example``.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "ENV_FILE": "/nonexistent/.env",
            "DEBUG": "false",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url(name),
            "CONN_MAX_AGE": "60",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": "xlf-bench",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def scratch_database(name: str = DB_NAME) -> None:
    """Drop (with any open connection) and create the scratch database."""
    import psycopg

    if not name.replace("_", "").isalnum() or "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: a scratch database's name contains 'bench'")
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(name: str = DB_NAME, *, fresh: bool = True) -> float:
    """Point this process at the scratch database, set Django up and migrate.

    Returns the seconds the migration took. Must run before any model import.
    """
    env = server_env(name)
    for key in ("DJANGO_SETTINGS_MODULE", "ENV_FILE", "DEBUG", "ALLOWED_HOSTS",
                "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DATABASE_URL",
                "CONN_MAX_AGE", "REDIS_URL", "CACHE_KEY_PREFIX", "LOG_LEVEL"):
        os.environ[key] = env[key]
    os.environ.setdefault("SECRET_KEY", env["SECRET_KEY"])
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if fresh:
        scratch_database(name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert not settings.DEBUG, "benchmarks run with DEBUG off"
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return time.perf_counter() - started


def vacuum_analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --------------------------------------------------------------------------- fixtures


@contextlib.contextmanager
def fast_passwords() -> Iterator[None]:
    """Fixture accounts hash their (never used) passwords with a cheap hasher.

    The judges sign in with API tokens; hashing 200 passwords with PBKDF2 at
    production strength would only make the fixture slow.
    """
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def competition_payload(year: int, *, judges_per_nomination: int = 5) -> dict:
    """A competition whose window closed yesterday and whose judging is open for 20 days."""
    from django.utils import timezone

    now = timezone.now()
    criteria = [{"name": n, "max_points": p, "weight": 1} for n, p in RUBRIC]
    return {
        "year": year,
        "title": f"{year}年度太原市学雷锋志愿服务先进典型推选（基准测试）",
        "nominations_open": now - dt.timedelta(days=30),
        "nominations_close": now - dt.timedelta(days=1),
        "judging_close": now + dt.timedelta(days=20),
        "issuers": [{"name": "太原市精神文明建设委员会办公室"}],
        "categories": [
            {
                "code": "XM",
                "name": "最佳志愿服务项目",
                "kind": "project",
                "award_quota": 10,
                "nomination_quota_per_unit": 30000,
                "criteria": criteria,
                "tie_break": ["社会效益"],
            },
            {
                "code": "ZZ",
                "name": "最佳志愿服务组织",
                "kind": "organization",
                "award_quota": 10,
                "nomination_quota_per_unit": 30000,
                "criteria": criteria,
            },
        ],
        "rounds": [
            {
                "name": "初评",
                "method": "trimmed_mean",
                "trim_min_judges": 5,
                "judges_per_nomination": judges_per_nomination,
                "weight": 1,
                "blind": True,
                "comment_required": False,
            }
        ],
    }


def office_user(username: str = "bench-office"):
    from competition import services as competition_services
    from competition.enums import Role
    from competition.models import User

    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    with fast_passwords():
        return competition_services.user_create(
            actor=None, username=username, password=secrets.token_urlsafe(12), role=Role.OFFICE
        )


def judging_competition(office, *, year: int, judges_per_nomination: int = 5):
    """A competition in the judging phase, built through the service (then moved straight to judging)."""
    from competition import services as competition_services
    from competition.enums import Phase
    from competition.models import Competition

    competition = competition_services.competition_create(
        actor=office, data=competition_payload(year, judges_per_nomination=judges_per_nomination)
    )
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.JUDGING)
    competition.refresh_from_db()
    return competition


def accepted_nominations(competition, count: int, *, batch: int = 5000) -> int:
    """``count`` accepted nominations spread over the units and the categories (bulk_create)."""
    from competition.models import Unit
    from nominations.enums import Status
    from nominations.models import Nomination

    units = list(Unit.objects.order_by("order"))
    categories = list(competition.categories.order_by("order"))
    orders: dict[tuple[int, int], int] = {}
    rows = []
    made = 0
    for i in range(count):
        unit = units[i % len(units)]
        category = categories[(i // len(units)) % len(categories)]
        key = (category.pk, unit.pk)
        orders[key] = orders.get(key, 0) + 1
        rows.append(
            Nomination(
                competition=competition,
                category=category,
                unit=unit,
                order=orders[key],
                status=Status.ACCEPTED,
                title=f"{unit.short_name}{category.code}{orders[key]:05d}",
                organization=f"{unit.short_name}志愿服务队{orders[key] % 97}",
                introduction="简介",
                summary="概述",
                started_on=dt.date(2015, 1, 1),
                volunteers=100,
                active_volunteers=80,
                pledge=True,
            )
        )
        if len(rows) >= batch:
            Nomination.objects.bulk_create(rows)
            made += len(rows)
            rows = []
    if rows:
        Nomination.objects.bulk_create(rows)
        made += len(rows)
    return made


# --------------------------------------------------------------------------- timing


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Timer:
    """Timing of repeated runs: ``with timer.run(): ...``; ``timer.median``.

    Wall-clock time always; with ``cpu`` (a function returning cumulative CPU
    seconds, e.g. :func:`cpu_seconds`) the CPU time of each run too, the figure
    least disturbed by other load on the machine.
    """

    name: str
    cpu: Callable[[], float] | None = None
    runs: list[float] = field(default_factory=list)
    cpu_runs: list[float] = field(default_factory=list)

    @contextlib.contextmanager
    def run(self) -> Iterator[None]:
        cpu = self.cpu() if self.cpu else 0.0
        started = time.perf_counter()
        try:
            yield
        finally:
            self.runs.append(time.perf_counter() - started)
            if self.cpu:
                self.cpu_runs.append(self.cpu() - cpu)

    @property
    def median(self) -> float:
        return median(self.runs)

    @property
    def cpu_median(self) -> float:
        return median(self.cpu_runs)

    def spread(self) -> str:
        return ", ".join(f"{r:.3f}" for r in self.runs)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc; 0 when unreadable."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def cpu_seconds() -> Callable[[], float]:
    """CPU seconds of this process plus its PostgreSQL backend (Django's default connection).

    Both run on this machine: the sum is the work one aggregation costs, whoever does it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def total() -> float:
        return time.process_time() + process_cpu(backend)

    return total


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    postgres = "unknown"
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "git": _git_head(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    head = out.stdout.strip() or "unknown"
    return head + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def print_machine(info: dict[str, str]) -> None:
    print(
        f"machine: {info['nproc']} × {info['cpu']}, {info['memory']}, Linux {info['kernel']}, "
        f"Python {info['python']}, PostgreSQL {info['postgresql']}; commit {info['git']}; {info['date']}; "
        f"load average before the run {info['load']}"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (also readable on a terminal)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)
