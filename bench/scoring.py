"""Scoring under load: 200 judges saving and submitting scorecards against gunicorn.

    .venv/bin/python -m bench.scoring [--levels 8,32,64] [--repeats 3] [--workers N]
                                      [--worker-class sync|gthread] [--threads T]

What it does, all on 127.0.0.1:

1. creates the scratch database ``xlf_bench`` (dropped first), migrates it, and
   builds through the services a competition in the judging phase: accepted
   nominations in two categories (6 criteria each), 200 judges (profiles, some
   with a unit or an organisation so that 回避 matters, the integrity pledge
   signed, an API token each), and the round's automatic assignment;
2. starts gunicorn (``config.wsgi``, production settings with DEBUG off, plain
   HTTP, ``CONN_MAX_AGE=60``);
3. at each concurrency level, ``--repeats`` times, with the scorecards reset
   between repeats, runs two phases with the same number of requests and the
   same client (asyncio, raw HTTP/1.1, one connection per simulated client):

   - *baseline*: ``GET /api/v1/units/`` with a judge's token: token
     authentication, a rules permission, one small query, JSON;
   - *scoring*: the 200 judges, each taken by the next free client, do for each
     of their first ``--per-judge`` assignments: ``PUT …/scorecard/`` with
     version 0 (the draft), ``PUT …/scorecard/`` again with the version the
     first answer returned, ``POST …/scorecard/submit/``.

   The order of the two phases alternates between repeats. Throughput is
   requests per second of the phase's wall time; latencies are per request,
   connection set-up included.
4. then an open-loop phase of each kind at ``--paced-rps`` requests per second
   offered (default 10: 200 judges each saving about every 20 s), about 30 s
   each: a new request (baseline) or a new judge's save, save, submit
   (scoring) starts on schedule whatever the server's pace, so latency is
   measured at a realistic load rather than at saturation;
5. prints a table of medians over the repeats and the ratio scoring/baseline,
   the SQL statements each kind of request runs, and the server's CPU time
   per request (the figure least disturbed by other load on the machine).

Every loop is bounded in count and each phase in time (``--phase-limit``).
Exit status 0 even when a target is missed (this is a measurement, not a test);
1 when a request failed or the database disagrees with the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench import common

HOST = "127.0.0.1"
BASELINE_PATH = "/api/v1/units/"
REQUEST_TIMEOUT = 30.0


# --------------------------------------------------------------------------- arguments


def parse_args(argv=None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    p = argparse.ArgumentParser(prog="python -m bench.scoring", description=__doc__.split("\n")[0])
    p.add_argument("--judges", type=int, default=200)
    p.add_argument("--nominations", type=int, default=400)
    p.add_argument("--judges-per-nomination", type=int, default=5)
    p.add_argument("--per-judge", type=int, default=1, help="assignments each judge scores per repeat")
    p.add_argument("--levels", default="8,32,64", help="concurrent clients, comma separated")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers (default 2×cores+1)")
    p.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    p.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    p.add_argument("--phase-limit", type=float, default=75.0, help="seconds; a phase stops taking work after")
    p.add_argument("--budget", type=float, default=420.0, help="seconds for the closed-loop phases")
    p.add_argument("--paced-rps", "--open-loop-rps", dest="paced_rps", type=float, default=10.0,
                   help="offered load of the open-loop phase, requests/s (0: skip it)")
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    p.add_argument("--seed", type=int, default=20240305)
    args = p.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    if args.worker_class == "sync":
        args.threads = 1
    return args


# --------------------------------------------------------------------------- fixture


@dataclass
class Judge:
    pk: int
    token: str
    assignments: list[int]


@dataclass
class Fixture:
    competition: int
    round: int
    judges: list[Judge]
    criteria: dict[int, list[tuple[int, float]]]  # assignment → [(criterion, max points)]
    assignments: int
    build_seconds: float


def build_fixture(args) -> Fixture:
    from competition import services as competition_services
    from competition.enums import Role
    from competition.models import Unit
    from judging.models import Assignment
    from judging.services import assignments as judging

    started = time.perf_counter()
    office = common.office_user()
    competition = common.judging_competition(
        office, year=2040, judges_per_nomination=args.judges_per_nomination
    )
    round_ = competition.rounds.get(order=1)
    common.accepted_nominations(competition, args.nominations)
    units = list(Unit.objects.order_by("order"))
    judges = []
    with common.fast_passwords():
        for i in range(args.judges):
            username = f"bench-judge{i + 1:03d}"
            user = competition_services.user_create(
                actor=office, username=username, password="Scoring-bench-Pw-2026", role=Role.JUDGE,
                display_name=f"评委{i + 1:03d}",
            )
            # A third of the judges belong to a unit, some to an organisation: 回避 is real work.
            unit = units[i % len(units)] if i % 3 == 0 else None
            organizations = [f"{units[i % len(units)].short_name}志愿服务队{i % 97}"] if i % 5 == 0 else []
            competition_services.judge_profile_set(
                actor=office, user=user, name=f"评委{i + 1:03d}", unit=unit, organizations=organizations
            )
            judging.pledge_accept(judge=user, competition=competition)
            token = competition_services.token_issue(user=user).raw
            judges.append((user.pk, token))
    summary = judging.assignments_auto(actor=office, round_=round_, seed=args.seed)
    if summary.short:
        raise SystemExit(f"the fixture could not staff {len(summary.short)} nominations")
    per_judge: dict[int, list[int]] = defaultdict(list)
    criteria: dict[int, list[tuple[int, float]]] = {}
    category_criteria = {
        c.pk: [(k.pk, float(k.max_points)) for k in c.criteria.order_by("order", "id")]
        for c in competition.categories.all()
    }
    for pk, judge_id, category_id in (
        Assignment.objects.filter(round=round_)
        .order_by("judge_id", "id")
        .values_list("pk", "judge_id", "nomination__category_id")
    ):
        per_judge[judge_id].append(pk)
        criteria[pk] = category_criteria[category_id]
    short = [pk for pk, _ in judges if len(per_judge[pk]) < args.per_judge]
    if short:
        raise SystemExit(f"{len(short)} judges have fewer than {args.per_judge} assignments")
    common.vacuum_analyze("judging_assignment", "competition_apitoken", "competition_user")
    return Fixture(
        competition=competition.pk,
        round=round_.pk,
        judges=[Judge(pk, token, per_judge[pk]) for pk, token in judges],
        criteria=criteria,
        assignments=len(criteria),
        build_seconds=time.perf_counter() - started,
    )


def reset_scorecards(round_id: int) -> None:
    """Back to a round nobody has scored yet (between repeats)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE judging_score, judging_scorecard CASCADE")  # and the office's exclusions of cards
        cursor.execute("UPDATE judging_assignment SET status = 'open' WHERE round_id = %s", [round_id])
    common.vacuum_analyze("judging_scorecard", "judging_score", "judging_assignment")


def queries_per_request(fixture: Fixture) -> dict[str, int]:
    """SQL statements one request runs (in process, Django's test client, same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    judge = fixture.judges[0]
    assignment = judge.assignments[0]
    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {judge.token}")
    counts = {}

    def count(name, call):
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
        counts[name] = len(ctx.captured_queries)
        return response

    count("baseline GET", lambda: client.get(BASELINE_PATH))
    body = scores_body(fixture.criteria[assignment], random.Random(1), version=0)
    url = f"/api/v1/assignments/{assignment}/scorecard/"
    r = count("PUT (new)", lambda: client.put(url, body, content_type="application/json"))
    version = r.json()["version"]
    body = scores_body(fixture.criteria[assignment], random.Random(2), version=version)
    count("PUT (again)", lambda: client.put(url, body, content_type="application/json"))
    count("POST submit", lambda: client.post(url + "submit/"))
    reset_scorecards(fixture.round)
    return counts


def scores_body(criteria: list[tuple[int, float]], rng: random.Random, *, version: int) -> bytes:
    scores = {str(cid): rng.randint(int(top), int(top * 2)) / 2 for cid, top in criteria}
    return json.dumps(
        {"scores": scores, "comment": "材料翔实，成效明显。", "version": version}, ensure_ascii=False
    ).encode()


# --------------------------------------------------------------------------- server


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(x) for x in path.read_text().split()]
        return []


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(args, workdir: Path) -> Server:
    port = free_port()
    log = workdir / "gunicorn.log"
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--timeout", "60",
        "--backlog", "2048",
        "--error-logfile", str(log),
        "--log-level", "warning",
        "--chdir", str(common.ROOT),
    ]
    env = common.server_env()
    env["SECRET_KEY"] = os.environ["SECRET_KEY"]
    process = subprocess.Popen(cmd, env=env, cwd=common.ROOT, stdin=subprocess.DEVNULL)
    server = Server(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {log}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz/", timeout=2) as r:
                if r.status == 200 and len(server.worker_pids()) >= args.workers:
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz/ within 30 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


# --------------------------------------------------------------------------- CPU accounting


def _ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


def _machine_ticks() -> tuple[int, int]:
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _database_ticks() -> dict[int, int]:
    """CPU ticks of PostgreSQL's processes doing this benchmark's work, by pid.

    The server's backends connected to the scratch database, and the WAL writer
    (shared with anything else writing on the cluster). Read from ``/proc``, so only
    when PostgreSQL runs on this machine; empty otherwise.
    """
    import psycopg  # Django's connection refuses to be used inside the client's event loop

    with psycopg.connect(common.database_url(), autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() AND pid <> pg_backend_pid())"
            " OR backend_type = 'walwriter'"
        )]
    return {pid: _ticks(pid) for pid in pids}


@dataclass
class CpuSample:
    server: int
    machine_busy: int
    machine_total: int
    client: float
    database: dict[int, int] = field(default_factory=dict)

    @classmethod
    def take(cls, server: Server) -> CpuSample:
        busy, total = _machine_ticks()
        ticks = sum(_ticks(pid) for pid in [server.process.pid, *server.worker_pids()])
        return cls(ticks, busy, total, time.process_time(), _database_ticks())

    def database_since(self, before: CpuSample) -> int:
        """Database ticks between two samples; a backend started in between counts whole."""
        return sum(ticks - before.database.get(pid, 0) for pid, ticks in self.database.items()
                   if ticks >= before.database.get(pid, 0))


# --------------------------------------------------------------------------- client


class Connection:
    """One HTTP/1.1 connection to the server, reopened when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Authorization: Token {token}\r\nAccept: application/json\r\n"
        )
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            content = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                content += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            content = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection") == "close" or lines[0].startswith("HTTP/1.0"):
            await self.close()
        return status, content


@dataclass
class PhaseResult:
    name: str
    clients: int
    requests: int = 0
    elapsed: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    unfinished: int = 0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0


async def _timed(conn: Connection, result: PhaseResult, kind: str, method: str, path: str,
                 token: str, body: bytes | None = None) -> dict | None:
    started = time.perf_counter()
    try:
        status, content = await asyncio.wait_for(conn.request(method, path, token, body), REQUEST_TIMEOUT)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
        await conn.close()
        result.errors.append(f"{kind} {path}: {type(exc).__name__} {exc}")
        return None
    result.latencies[kind].append(time.perf_counter() - started)
    result.requests += 1
    if status != 200:
        result.errors.append(f"{kind} {path}: HTTP {status} {content[:200].decode(errors='replace')}")
        return None
    return json.loads(content) if kind != "baseline" else {}


async def run_phase(jobs, clients: int, port: int, limit: float, name: str, server: Server) -> PhaseResult:
    """Run ``jobs`` (coroutine functions taking a connection and the result) on ``clients`` connections."""
    result = PhaseResult(name, clients)
    position = 0
    deadline = time.monotonic() + limit

    async def worker() -> None:
        nonlocal position
        conn = Connection(port)
        try:
            while position < len(jobs) and time.monotonic() < deadline:
                job = jobs[position]
                position += 1
                await job(conn, result)
        finally:
            await conn.close()

    before = CpuSample.take(server)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    result.elapsed = time.perf_counter() - started
    after = CpuSample.take(server)
    tick = os.sysconf("SC_CLK_TCK")
    result.server_cpu = (after.server - before.server) / tick
    result.database_cpu = after.database_since(before) / tick
    result.client_cpu = after.client - before.client
    span = after.machine_total - before.machine_total
    result.machine_busy = (after.machine_busy - before.machine_busy) / span if span else 0.0
    result.unfinished = len(jobs) - position
    return result


async def run_paced(jobs, interval: float, port: int, limit: float, name: str, server: Server) -> PhaseResult:
    """Open loop: job i starts at i × ``interval`` whatever the server's pace (each on its own connection)."""
    result = PhaseResult(name, 0)
    in_flight = 0

    async def runner(job) -> None:
        nonlocal in_flight
        in_flight += 1
        result.clients = max(result.clients, in_flight)
        conn = Connection(port)
        try:
            await job(conn, result)
        finally:
            await conn.close()
            in_flight -= 1

    before = CpuSample.take(server)
    started = time.perf_counter()
    tasks = []
    for i, job in enumerate(jobs):
        delay = started + i * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.perf_counter() - started > limit:
            result.unfinished = len(jobs) - i
            break
        tasks.append(asyncio.create_task(runner(job)))
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - started
    after = CpuSample.take(server)
    result.server_cpu = (after.server - before.server) / os.sysconf("SC_CLK_TCK")
    result.database_cpu = after.database_since(before) / os.sysconf("SC_CLK_TCK")
    span = after.machine_total - before.machine_total
    result.machine_busy = (after.machine_busy - before.machine_busy) / span if span else 0.0
    return result


def baseline_jobs(fixture: Fixture, count: int):
    tokens = [j.token for j in fixture.judges]

    def job(i):
        async def run(conn, result):
            await _timed(conn, result, "baseline", "GET", BASELINE_PATH, tokens[i % len(tokens)])
        return run

    return [job(i) for i in range(count)]


def scoring_jobs(fixture: Fixture, per_judge: int, rng: random.Random):
    """One job per judge: for each of their first assignments, save, save again, submit."""

    def job(judge: Judge, seed: int):
        async def run(conn, result):
            local = random.Random(seed)
            for assignment in judge.assignments[:per_judge]:
                url = f"/api/v1/assignments/{assignment}/scorecard/"
                criteria = fixture.criteria[assignment]
                first = await _timed(conn, result, "PUT", "PUT", url, judge.token,
                                     scores_body(criteria, local, version=0))
                if first is None:
                    continue
                second = await _timed(conn, result, "PUT", "PUT", url, judge.token,
                                      scores_body(criteria, local, version=first["version"]))
                if second is None:
                    continue
                await _timed(conn, result, "submit", "POST", url + "submit/", judge.token)
        return run

    judges = list(fixture.judges)
    rng.shuffle(judges)
    return [job(j, rng.randrange(1 << 30)) for j in judges]


def check_database(fixture: Fixture, per_judge: int) -> list[str]:
    """What the answers claimed is what the database holds."""
    from judging.enums import AssignmentStatus, ScorecardStatus
    from judging.models import Assignment, Scorecard

    expected = {a for j in fixture.judges for a in j.assignments[:per_judge]}
    cards = Scorecard.objects.filter(assignment__round_id=fixture.round)
    problems = []
    submitted = set(cards.filter(status=ScorecardStatus.SUBMITTED, version=3).values_list("assignment_id", flat=True))
    if submitted != expected:
        problems.append(f"{len(expected - submitted)} scorecards not submitted at version 3, "
                        f"{len(submitted - expected)} unexpected")
    if cards.exclude(assignment_id__in=expected).exists():
        problems.append("scorecards on assignments nobody scored")
    done = Assignment.objects.filter(round_id=fixture.round, status=AssignmentStatus.SUBMITTED).count()
    if done != len(expected):
        problems.append(f"{done} assignments marked submitted, expected {len(expected)}")
    return problems


# --------------------------------------------------------------------------- report


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def summarise(runs: list[tuple[PhaseResult, PhaseResult]]) -> dict:
    """Medians over the repeats of one concurrency level."""
    def med(values):
        return common.median(values)

    base = [b for b, _ in runs]
    score = [s for _, s in runs]
    return {
        "clients": runs[0][0].clients,
        "repeats": len(runs),
        "baseline_rps": med([b.rps for b in base]),
        "baseline_p50": med([common.percentile(b.latencies["baseline"], 50) for b in base]),
        "baseline_p95": med([common.percentile(b.latencies["baseline"], 95) for b in base]),
        "scoring_rps": med([s.rps for s in score]),
        "put_p50": med([common.percentile(s.latencies["PUT"], 50) for s in score]),
        "put_p95": med([common.percentile(s.latencies["PUT"], 95) for s in score]),
        "submit_p50": med([common.percentile(s.latencies["submit"], 50) for s in score]),
        "submit_p95": med([common.percentile(s.latencies["submit"], 95) for s in score]),
        "ratio": med([s.rps / b.rps for b, s in runs if b.rps]),
        "ratio_runs": [round(s.rps / b.rps, 3) for b, s in runs if b.rps],
        "baseline_cpu_ms": med([b.server_cpu / max(1, b.requests) * 1000 for b in base]),
        "scoring_cpu_ms": med([s.server_cpu / max(1, s.requests) * 1000 for s in score]),
        "baseline_db_ms": med([b.database_cpu / max(1, b.requests) * 1000 for b in base]),
        "scoring_db_ms": med([s.database_cpu / max(1, s.requests) * 1000 for s in score]),
        "client_cpu_share": med([(r.client_cpu / r.elapsed) for pair in runs for r in pair]),
        "machine_busy": med([r.machine_busy for pair in runs for r in pair]),
        "errors": sum(len(r.errors) for pair in runs for r in pair),
        "unfinished": sum(r.unfinished for pair in runs for r in pair),
    }


def print_report(args, fixture: Fixture, info: dict, queries: dict, levels: list[dict],
                 paced: dict[str, PhaseResult]) -> None:
    print()
    common.print_machine(info)
    print(
        f"gunicorn: {args.workers} workers, worker class {args.worker_class}"
        + (f", {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; fixture: {fixture.assignments} assignments ({args.nominations} nominations × "
        f"{args.judges_per_nomination} judges), {len(fixture.judges)} judges × {args.per_judge} assignments × "
        f"3 requests = {len(fixture.judges) * args.per_judge * 3} scoring requests per phase; "
        f"baseline GET {BASELINE_PATH}; {args.repeats} repeats per level, medians"
    )
    print("SQL statements per request: " + ", ".join(f"{k} {v}" for k, v in queries.items()))
    rows = [
        [
            s["clients"],
            f"{s['baseline_rps']:.0f}", ms(s["baseline_p50"]), ms(s["baseline_p95"]),
            f"{s['scoring_rps']:.0f}", ms(s["put_p50"]), ms(s["put_p95"]),
            ms(s["submit_p50"]), ms(s["submit_p95"]),
            f"{s['ratio']:.2f}×",
            f"{s['baseline_cpu_ms']:.1f} / {s['scoring_cpu_ms']:.1f}",
            f"{s['baseline_db_ms']:.1f} / {s['scoring_db_ms']:.1f}",
            f"{s['machine_busy'] * 100:.0f}%",
            s["errors"],
        ]
        for s in levels
    ]
    print(common.table(
        ["clients", "baseline req/s", "p50 ms", "p95 ms", "scoring req/s", "PUT p50 ms", "PUT p95 ms",
         "submit p50 ms", "submit p95 ms", "scoring/baseline", "server CPU ms/req (base / scoring)",
         "database CPU ms/req (base / scoring)", "machine busy", "errors"],
        rows,
    ))
    if paced:
        base, score = paced["baseline"], paced["scoring"]
        print(f"\nopen loop at {args.paced_rps:g} requests/s offered (a new request or judge every "
              f"{1 / args.paced_rps:.2f} s / {3 * args.per_judge / args.paced_rps:.2f} s, whatever the answers):")
        print(common.table(
            ["phase", "achieved req/s", "max in flight", "p50 ms", "p95 ms", "PUT p50 ms", "PUT p95 ms",
             "submit p95 ms", "server CPU ms/req", "database CPU ms/req", "errors"],
            [
                ["baseline", f"{base.rps:.1f}", base.clients, ms(common.percentile(base.latencies["baseline"], 50)),
                 ms(common.percentile(base.latencies["baseline"], 95)), "", "", "",
                 f"{base.server_cpu / max(1, base.requests) * 1000:.1f}",
                 f"{base.database_cpu / max(1, base.requests) * 1000:.1f}", len(base.errors)],
                ["scoring", f"{score.rps:.1f}", score.clients, "", "",
                 ms(common.percentile(score.latencies["PUT"], 50)), ms(common.percentile(score.latencies["PUT"], 95)),
                 ms(common.percentile(score.latencies["submit"], 95)),
                 f"{score.server_cpu / max(1, score.requests) * 1000:.1f}",
                 f"{score.database_cpu / max(1, score.requests) * 1000:.1f}", len(score.errors)],
            ],
        ))
    print()
    at32 = next((s for s in levels if s["clients"] == 32), None)
    worst_ratio = min(s["ratio"] for s in levels)
    print(f"target scoring ≥ 0.5× baseline throughput: lowest ratio {worst_ratio:.2f}× → "
          + ("met" if worst_ratio >= 0.5 else "MISSED"))
    if at32:
        print(f"target PUT p95 < 100 ms at 32 clients: {ms(at32['put_p95'])} ms → "
              + ("met" if at32["put_p95"] < 0.1 else "MISSED"))
    if paced:
        put_p95 = common.percentile(paced["scoring"].latencies["PUT"], 95)
        print(f"target PUT p95 < 100 ms open loop at {args.paced_rps:g} requests/s offered: {ms(put_p95)} ms → "
              + ("met" if put_p95 < 0.1 and not paced["scoring"].errors else "MISSED"))


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    run_started = time.perf_counter()
    info = common.machine()
    migrate_s = common.django_setup()
    print(f"scratch database {common.DB_NAME}: migrated in {migrate_s:.1f} s", flush=True)
    fixture = build_fixture(args)
    print(f"fixture built in {fixture.build_seconds:.1f} s: {fixture.assignments} assignments, "
          f"{len(fixture.judges)} judges", flush=True)
    queries = queries_per_request(fixture)
    rng = random.Random(args.seed)
    per_phase = len(fixture.judges) * args.per_judge * 3
    failures: list[str] = []
    summaries = []
    paced: dict[str, PhaseResult] = {}
    raw = []
    with tempfile.TemporaryDirectory(prefix="xlf-bench-") as tmp:
        server = start_server(args, Path(tmp))
        try:
            # Warm-up: every worker imports, connects and fills its caches.
            warm = asyncio.run(run_phase(baseline_jobs(fixture, 400), 8, server.port, 60, "warm", server))
            warm2 = asyncio.run(run_phase(scoring_jobs(fixture, 1, rng)[:50], 8, server.port, 60, "warm", server))
            failures += warm.errors + warm2.errors
            reset_scorecards(fixture.round)
            budget_end = time.monotonic() + args.budget
            runs: dict[int, list[tuple[PhaseResult, PhaseResult]]] = defaultdict(list)
            # Repeats outermost: if the budget runs out, every level still has a measurement.
            for repeat in range(args.repeats):
                for clients in args.levels:
                    if time.monotonic() > budget_end:
                        print(f"budget of {args.budget:.0f} s spent: skipping clients {clients} "
                              f"repeat {repeat + 1}", flush=True)
                        continue
                    limit = min(args.phase_limit, max(5.0, budget_end - time.monotonic()))
                    phases = {}
                    order = ["baseline", "scoring"] if repeat % 2 == 0 else ["scoring", "baseline"]
                    for name in order:
                        jobs = (baseline_jobs(fixture, per_phase) if name == "baseline"
                                else scoring_jobs(fixture, args.per_judge, rng))
                        phases[name] = asyncio.run(run_phase(jobs, clients, server.port, limit, name, server))
                    base, score = phases["baseline"], phases["scoring"]
                    problems = check_database(fixture, args.per_judge) if not score.unfinished else []
                    failures += base.errors + score.errors + problems
                    runs[clients].append((base, score))
                    print(
                        f"clients {clients:3d} #{repeat + 1}: baseline {base.rps:6.1f} req/s "
                        f"(p95 {ms(common.percentile(base.latencies['baseline'], 95))} ms), scoring "
                        f"{score.rps:6.1f} req/s (PUT p95 {ms(common.percentile(score.latencies['PUT'], 95))} ms)"
                        f", ratio {score.rps / base.rps if base.rps else 0:.2f}"
                        + (f", UNFINISHED {base.unfinished + score.unfinished}" if base.unfinished + score.unfinished else "")
                        + (f", {len(base.errors) + len(score.errors) + len(problems)} errors"
                           if base.errors or score.errors or problems else ""),
                        flush=True,
                    )
                    raw.append({
                        "clients": clients, "repeat": repeat + 1,
                        "baseline": {"requests": base.requests, "elapsed": base.elapsed, "rps": base.rps,
                                     "p95": common.percentile(base.latencies["baseline"], 95)},
                        "scoring": {"requests": score.requests, "elapsed": score.elapsed, "rps": score.rps,
                                    "put_p95": common.percentile(score.latencies["PUT"], 95)},
                        "machine_busy": [base.machine_busy, score.machine_busy],
                    })
                    reset_scorecards(fixture.round)
            summaries = [summarise(runs[c]) for c in args.levels if runs[c]]
            if args.paced_rps > 0:
                for name in ("baseline", "scoring"):
                    # About 30 s of offered load per phase.
                    count = max(3 * args.per_judge, min(per_phase, int(30 * args.paced_rps)))
                    jobs = (baseline_jobs(fixture, count) if name == "baseline"
                            else scoring_jobs(fixture, args.per_judge, rng)[: count // (3 * args.per_judge)])
                    per_job = 1 if name == "baseline" else 3 * args.per_judge
                    paced[name] = asyncio.run(run_paced(
                        jobs, per_job / args.paced_rps, server.port, args.phase_limit + 30, name, server))
                    failures += paced[name].errors
                    print(f"paced {args.paced_rps:g} req/s, {name}: achieved {paced[name].rps:.1f} req/s, "
                          f"at most {paced[name].clients} in flight", flush=True)
                reset_scorecards(fixture.round)
        finally:
            stop_server(server)
            server_log = server.log.read_text() if server.log.exists() else ""
    print_report(args, fixture, info, queries, summaries, paced)
    if server_log.strip():
        print("\ngunicorn error log (tail):\n" + server_log[-1500:])
    if failures:
        print(f"\n{len(failures)} failures, first ones:")
        for line in failures[:10]:
            print("  " + line)
    print(f"\ntotal run time {time.perf_counter() - run_started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(
            {"machine": info, "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
             "queries": queries, "levels": summaries, "runs": raw, "failures": failures[:50],
             "paced": {name: {"rps": r.rps, "in_flight": r.clients, "errors": len(r.errors),
                              "latencies": {k: [common.percentile(v, 50), common.percentile(v, 95)]
                                            for k, v in r.latencies.items()}}
                       for name, r in paced.items()}},
            ensure_ascii=False, indent=2,
        ))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
