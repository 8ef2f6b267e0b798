"""The 云展馆 under a crowd of readers: the public project list and an exhibit
page against the same server's trivial endpoint, with and without
conditional requests, on gunicorn and PostgreSQL.

    .venv/bin/python -m bench.exhibition [--clients 16] [--requests 3000] [--repeats 3]
                                         [--workers N] [--projects 120] [--json out.json]

What it does, all on 127.0.0.1:

1. creates its own scratch database (``xlf_bench_exhibition``, dropped first;
   ``BENCH_EXHIBITION_DB`` to change it), migrates it, and builds a final
   competition with ``--projects`` project and ``--projects // 4`` organisation
   winners, one photo each, then publishes them through the service (so the
   renditions are made as in production; media go to a temporary directory);
2. starts gunicorn (``config.wsgi``, production settings with DEBUG off, plain
   HTTP, ``CONN_MAX_AGE=60``, the cache on Redis as in ``docker-compose.yml``);
3. warms up, then, ``--repeats`` times, runs each phase with the same number of
   requests on ``--clients`` concurrent keep-alive connections (asyncio, raw
   HTTP/1.1). The phases are interleaved in chunks of ``--chunk`` requests, in
   an order rotating from chunk to chunk, so that on a shared machine whose
   load comes and goes every phase meets the same conditions:

   - ``healthz``: ``GET /healthz/`` (the trivial endpoint: no database, tiny JSON);
   - ``list``: ``GET /api/v1/public/exhibition/projects/`` (a page of 20);
   - ``list 304``: the same with the ``If-None-Match`` of its last answer;
   - ``exhibit``: ``GET /exhibition/projects/{slug}/`` (the HTML page), the
     clients going round all the project exhibits;
   - ``exhibit 304``: the same with each page's ``If-None-Match``;
   - ``exhibit JSON``: ``GET /api/v1/public/exhibition/projects/{slug}/``;
   - ``halls``: ``GET /api/v1/public/exhibition/halls/`` (the six halls and their counts);
   - ``hall list``: ``GET /api/v1/public/exhibition/halls/projects/`` (the 项目展 through the halls endpoint);
   - ``hall 304``: the same with the ``If-None-Match`` of its last answer;
   - ``content hall``: ``GET /api/v1/public/exhibition/halls/culture/`` (a page of the office's items);

4. prints the median over the repeats of each phase's throughput (requests per
   second of the phase's wall time), its p50 and p95 latency, its throughput
   as a share of ``healthz`` in the same repeat, and the gunicorn processes'
   CPU time per request (user + system, from /proc: the cost on the server,
   whatever else the machine is doing).

Every loop is bounded in count and each phase in time (``--phase-limit``).
Exit status 1 when a request failed or answered an unexpected status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import common

HOST = "127.0.0.1"
DB = os.environ.get("BENCH_EXHIBITION_DB", "xlf_bench_exhibition")
LIST = "/api/v1/public/exhibition/projects/"
TIMEOUT = 30.0
HALLS = "/api/v1/public/exhibition/halls/"
HALL_LIST = f"{HALLS}projects/"
CONTENT_HALL = f"{HALLS}culture/"
PHASES = ["healthz", "list", "list 304", "exhibit", "exhibit 304", "exhibit JSON",
          "halls", "hall list", "hall 304", "content hall"]  # fmt: skip
TARGETS = ["list", "halls", "hall list", "content hall"]  # each at ≥ 70 % of healthz


def parse_args(argv=None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    p = argparse.ArgumentParser(prog="python -m bench.exhibition", description=__doc__.split("\n")[0])
    p.add_argument("--projects", type=int, default=120, help="project winners (organisations: a quarter)")
    p.add_argument("--clients", type=int, default=16, help="concurrent connections")
    p.add_argument("--requests", type=int, default=3000, help="requests per phase and repeat")
    p.add_argument("--chunk", type=int, default=250, help="requests per phase in a row")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers (default 2×cores+1)")
    p.add_argument("--phase-limit", type=float, default=60.0, help="seconds; a phase stops after")
    p.add_argument(
        "--stamp-ttl", type=float, default=None,
        help="EXHIBITION_STAMP_TTL of the server (default: the app's, 1 s; 0: one stamp query per request)",
    )
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- fixture


def build_fixture(projects: int) -> list[str]:
    """A final competition with its winners published; returns the project exhibits' slugs."""
    import io
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from PIL import Image

    from competition.enums import Phase
    from competition.models import Competition, Unit
    from exhibition import services
    from exhibition.models import Exhibit
    from judging.enums import AwardStatus
    from judging.models import Award
    from nominations.enums import AttachmentKind, ServiceField, Status
    from nominations.models import Attachment, Nomination

    office = common.office_user()
    competition = common.judging_competition(office, year=2041)
    units = list(Unit.objects.order_by("order"))
    fields = ServiceField.values
    rows = []
    categories = [(competition.categories.get(code="XM"), projects), (competition.categories.get(code="ZZ"), projects // 4)]
    for category, count in categories:
        for i in range(count):
            unit = units[i % len(units)]
            kind = category.kind
            rows.append(
                Nomination(
                    competition=competition, category=category, unit=unit, order=i // len(units) + 1,
                    status=Status.ACCEPTED, pledge=True,
                    title=f"{unit.short_name}{'志愿服务项目' if kind == 'project' else '志愿服务队'}{i + 1:03d}",
                    organization=f"{unit.short_name}志愿服务队{i % 7}",
                    introduction=f"{unit.short_name}常态化开展志愿服务，服务群众，传播文明。" * 3,
                    field=fields[i % len(fields)] if kind == "project" else "",
                    started_on=dt.date(2015, 3, 5), founded_on=dt.date(2012, 5, 4),
                    volunteers=300 + i, active_volunteers=200, service_hours=38000 + i, activities=1460,
                    beneficiaries=52000, brand_projects=["品牌项目甲", "品牌项目乙"] if kind != "project" else [],
                    contact_name="联系人", contact_phone="13800000000",
                )
            )
    nominations = Nomination.objects.bulk_create(rows)
    Award.objects.bulk_create(
        Award(competition=competition, category=n.category, nomination=n, final_score=Decimal("90"),
              final_rank=i + 1, status=AwardStatus.FINAL)
        for i, n in enumerate(nominations)
    )
    for i, n in enumerate(nominations):
        buf = io.BytesIO()
        Image.new("RGB", (1024, 768), (40 + i * 7 % 200, 110, 160)).save(buf, "JPEG", quality=80)
        content = buf.getvalue()
        attachment = Attachment(
            nomination=n, kind=AttachmentKind.PHOTO, content_type="image/jpeg", size=len(content),
            sha256="0" * 64, caption=f"{n.title}活动现场", order=0,
        )
        attachment.file.save("photo.jpg", ContentFile(content), save=False)
        attachment.save()
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.FINAL)
    competition.refresh_from_db()
    services.exhibition_publish(actor=office, competition=competition)
    # The content halls: items written by the office, a picture each, published.
    from exhibition import hall_services

    for i in range(30):
        hall = ("prologue", "culture", "policies", "themes")[i % 4]
        item = hall_services.item_save(actor=office, data={
            "hall": hall, "title": f"展厅内容{i + 1:03d}", "summary": "演示摘要。", "year": 2041,
            "body": "## 小标题\n\n志愿服务常态化开展，**服务群众**，传播文明。\n\n- 一\n- 二\n" * 3,
        })  # fmt: skip
        buf = io.BytesIO()
        Image.new("RGB", (960, 640), (120, 40 + i * 5, 60)).save(buf, "JPEG", quality=80)
        hall_services.item_add_file(actor=office, item=item, kind="image", title="图片", upload=io.BytesIO(buf.getvalue()))
        hall_services.item_publish(actor=office, item=item)
    common.vacuum_analyze("exhibition_exhibit", "exhibition_exhibitphoto", "exhibition_hallitem", "exhibition_hallitemfile")
    return list(Exhibit.objects.filter(kind="project").order_by("id").values_list("slug", flat=True))


# --------------------------------------------------------------------------- server


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(workers: int, workdir: Path, media: Path, static: Path, stamp_ttl: float | None) -> Server:
    port = free_port()
    log = workdir / "gunicorn.log"
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--timeout", "60",
        "--backlog", "2048", "--error-logfile", str(log), "--log-level", "warning",
        "--chdir", str(common.ROOT),
    ]  # fmt: skip
    env = common.server_env(DB)
    env["SECRET_KEY"] = os.environ["SECRET_KEY"]
    env["MEDIA_ROOT"] = str(media)
    env["STATIC_ROOT"] = str(static)
    if stamp_ttl is not None:
        env["EXHIBITION_STAMP_TTL"] = str(stamp_ttl)
    process = subprocess.Popen(cmd, env=env, cwd=common.ROOT, stdin=subprocess.DEVNULL)
    server = Server(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(
            f"http://{HOST}:{port}/healthz/", timeout=2
        ) as r:
            if r.status == 200:
                return server
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


# --------------------------------------------------------------------------- client


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

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

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept-Encoding: identity\r\n"
        for key, value in (headers or {}).items():
            head += f"{key}: {value}\r\n"
        self.writer.write(head.encode("utf-8") + b"\r\n")
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        found: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                found[key.strip().lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        body = await self.reader.readexactly(length) if length else b""
        if found.get("connection", "").lower() == "close":
            await self.close()
        return status, found, body


@dataclass
class Phase:
    name: str
    requests: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def add(self, other: Phase) -> None:
        self.requests += other.requests
        self.elapsed += other.elapsed
        self.latencies += other.latencies
        self.errors += other.errors
        self.server_cpu += other.server_cpu


def _ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


def server_cpu(server: Server) -> float:
    """Seconds of CPU the gunicorn master and workers have used so far."""
    pid = server.process.pid
    children: list[int] = []
    with contextlib.suppress(OSError, ValueError):
        children = [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return sum(_ticks(p) for p in [pid, *children]) / os.sysconf("SC_CLK_TCK")


Request = Callable[[int], tuple[str, dict[str, str], int]]  # i → (path, headers, expected status)


async def run_phase(
    name: str, request: Request, count: int, clients: int, server: Server, limit: float, offset: int = 0
) -> Phase:
    phase = Phase(name)
    port = server.port
    position = 0
    deadline = time.monotonic() + limit

    async def client() -> None:
        nonlocal position
        conn = Connection(port)
        try:
            while position < count and time.monotonic() < deadline:
                i = position
                position += 1
                path, headers, expected = request(offset + i)
                started = time.perf_counter()
                try:
                    status, _, _ = await asyncio.wait_for(conn.get(path, headers), TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await conn.close()
                    phase.errors.append(f"{path}: {type(exc).__name__} {exc}")
                    continue
                phase.latencies.append(time.perf_counter() - started)
                phase.requests += 1
                if status != expected:
                    phase.errors.append(f"{path}: HTTP {status}, expected {expected}")
        finally:
            await conn.close()

    cpu = server_cpu(server)
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    phase.elapsed = time.perf_counter() - started
    phase.server_cpu = server_cpu(server) - cpu
    return phase


async def validators(port: int, paths: list[str]) -> dict[str, str]:
    conn = Connection(port)
    out = {}
    try:
        for path in paths:
            status, headers, _ = await conn.get(path)
            if status != 200 or "etag" not in headers:
                raise SystemExit(f"{path}: HTTP {status} without an ETag")
            out[path] = headers["etag"]
    finally:
        await conn.close()
    return out


def requests_for(slugs: list[str], etags: dict[str, str]) -> dict[str, Request]:
    pages = [f"/exhibition/projects/{s}/" for s in slugs]
    details = [f"{LIST}{s}/" for s in slugs]
    return {
        "healthz": lambda i: ("/healthz/", {}, 200),
        "list": lambda i: (LIST, {}, 200),
        "list 304": lambda i: (LIST, {"If-None-Match": etags[LIST]}, 304),
        "exhibit": lambda i: (pages[i % len(pages)], {}, 200),
        "exhibit 304": lambda i: (pages[i % len(pages)], {"If-None-Match": etags[pages[i % len(pages)]]}, 304),
        "exhibit JSON": lambda i: (details[i % len(details)], {}, 200),
        "halls": lambda i: (HALLS, {}, 200),
        "hall list": lambda i: (HALL_LIST, {}, 200),
        "hall 304": lambda i: (HALL_LIST, {"If-None-Match": etags[HALL_LIST]}, 304),
        "content hall": lambda i: (CONTENT_HALL, {}, 200),
    }


# --------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv=None) -> int:
    args = parse_args(argv)
    info = common.machine()
    media = Path(tempfile.mkdtemp(prefix="xlf-bench-exhibition-media-"))
    static = Path(tempfile.mkdtemp(prefix="xlf-bench-exhibition-static-"))
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["STATIC_ROOT"] = str(static)  # production settings: hashed static names need a manifest
    migrate_s = common.django_setup(DB)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    slugs = build_fixture(args.projects)
    print(f"scratch database {DB}: migrated in {migrate_s:.1f} s; {len(slugs)} project exhibits "
          f"(+{args.projects // 4} organisations) published in {time.perf_counter() - started:.1f} s", flush=True)
    from django.core.cache import cache

    cache.clear()  # no bodies of an earlier run in Redis (same key prefix, other rows)
    failures: list[str] = []
    results: dict[str, list[Phase]] = {name: [] for name in PHASES}
    ratios: dict[str, list[float]] = {name: [] for name in PHASES}
    with tempfile.TemporaryDirectory(prefix="xlf-bench-") as tmp:
        server = start_server(args.workers, Path(tmp), media, static, args.stamp_ttl)
        try:
            pages = [f"/exhibition/projects/{s}/" for s in slugs]
            etags = asyncio.run(validators(server.port, [LIST, HALLS, HALL_LIST, CONTENT_HALL, *pages, *[f"{LIST}{s}/" for s in slugs]]))
            requests = requests_for(slugs, etags)
            # Warm-up: every worker imports, connects to PostgreSQL and Redis, fills the body cache.
            for name in PHASES:
                warm = asyncio.run(run_phase(name, requests[name], 600, args.clients, server, 30))
                failures += warm.errors
            chunks = max(1, -(-args.requests // args.chunk))
            for repeat in range(args.repeats):
                measured = {name: Phase(name) for name in PHASES}
                deadline = time.monotonic() + args.phase_limit * len(PHASES)
                for c in range(chunks):
                    if time.monotonic() > deadline:
                        print(f"repeat {repeat + 1}: time limit reached after {c} chunks", flush=True)
                        break
                    shift = (repeat * chunks + c) % len(PHASES)
                    for name in PHASES[shift:] + PHASES[:shift]:
                        chunk = asyncio.run(
                            run_phase(name, requests[name], args.chunk, args.clients, server, args.phase_limit,
                                      offset=c * args.chunk)
                        )
                        measured[name].add(chunk)
                for name in PHASES:
                    failures += measured[name].errors
                    results[name].append(measured[name])
                base = measured["healthz"].rps
                for name in PHASES:
                    ratios[name].append(measured[name].rps / base if base else 0.0)
                print(
                    f"repeat {repeat + 1}: "
                    + ", ".join(f"{n} {measured[n].rps:.0f}/s" for n in PHASES),
                    flush=True,
                )
        finally:
            stop_server(server)
            log = server.log.read_text() if server.log.exists() else ""
            shutil.rmtree(media, ignore_errors=True)
            shutil.rmtree(static, ignore_errors=True)

    rows = []
    raw = {}
    for name in PHASES:
        phases = results[name]
        lat = [x for p in phases for x in p.latencies]
        rps = statistics.median(p.rps for p in phases)
        ratio = statistics.median(ratios[name])
        cpu = sum(p.server_cpu for p in phases) / max(1, sum(p.requests for p in phases))
        rows.append([name, sum(p.requests for p in phases), f"{rps:.0f}", ms(common.percentile(lat, 50)),
                     ms(common.percentile(lat, 95)), f"{ratio * 100:.0f} %", f"{cpu * 1000:.2f}"])
        raw[name] = {"rps": [p.rps for p in phases], "ratio": ratios[name], "server_cpu_ms": cpu * 1000,
                     "p50_ms": common.percentile(lat, 50) * 1000, "p95_ms": common.percentile(lat, 95) * 1000}
    print()
    common.print_machine(info)
    ttl = "the app's default (1 s)" if args.stamp_ttl is None else f"{args.stamp_ttl:g} s"
    print(f"gunicorn: {args.workers} sync workers; {args.clients} keep-alive clients on the same machine; "
          f"{args.requests} requests per phase and repeat in chunks of {args.chunk}, interleaved; "
          f"{args.repeats} repeats (median); PostgreSQL, Redis cache; EXHIBITION_STAMP_TTL {ttl}")
    print()
    print(common.table(["phase", "requests", "req/s", "p50 ms", "p95 ms", "of healthz", "server CPU ms/req"], rows))
    print()
    for name in TARGETS:
        ratio = statistics.median(ratios[name])
        print(f"Target: {name} at ≥ 70 % of healthz's throughput: {ratio * 100:.0f} % — "
              f"{'met' if ratio >= 0.7 else 'MISSED'}.")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "args": vars(args) | {"json": str(args.json)},
                                         "phases": raw}, ensure_ascii=False, indent=2))
    if log.strip():
        print("\ngunicorn error log (tail):\n" + log[-1500:])
    if failures:
        print(f"\n{len(failures)} failures, first ones:")
        for line in failures[:10]:
            print("  " + line)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
