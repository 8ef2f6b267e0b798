"""Certificates end to end: a batch issued through the real path, beside the in-process render.

    .venv/bin/python -m bench.certificates_e2e [--count 500] [--workers 1,2] [--render-count 100]
                                               [--officers 0]

What it does:

1. creates the scratch database (``BENCH_DB``, dropped first) with the
   production settings, and a competition in the final phase with ``--count``
   final awards in its categories (nominations and awards written in bulk; the
   issuer gets a drawn seal through ``sample_seals_attach``), media files under
   a scratch ``MEDIA_ROOT``;
2. for each worker count: starts ``celery -A config worker --pool=prefork
   --concurrency=N`` on Redis (``BENCH_REDIS``) against that database, and
   issues the batch through the office's issue endpoint
   (``POST /certificates/competitions/<pk>/issue/`` with Django's test client,
   the production view and service): numbering, the batch, the render tasks,
   every PDF written to media storage, the ZIP. Timed from the request to the
   batch's status ``done`` (the ZIP written). The worker processes' peak
   resident memory (``VmHWM``) and their CPU time (user + system, the
   worker's main process and its pool, from the request to ``done``) are
   read from ``/proc`` before they stop: CPU per certificate is the figure
   that a shared, loaded machine does not distort much. Then
   the certificates are deleted so that the next worker count renders them
   all again;
   With ``--officers N`` every unit has N active officers with an e-mail
   address: the finished batch tells each unit's officers (the inbox and an
   e-mail delivery each, sent by the same workers through the console e-mail
   backend), as a real batch does; the run then also waits until every
   delivery is sent and reports that time too, and the worker CPU runs to it;
3. beside it, in the same run, the in-process render (``bench.certificates``:
   the renderer alone, no database, no broker) with the same process counts.

Prints the figures and the target line (≥ 40 certificates/s end to end with
2 workers, under 150 MB per worker).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

TARGET_RATE = 40.0
TARGET_RSS_MB = 150.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.certificates_e2e", description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=500, help="certificates in the batch")
    p.add_argument("--workers", default="1,2", help="worker process counts, comma separated")
    p.add_argument("--render-count", type=int, default=100, help="certificates of the in-process render")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for one batch")
    p.add_argument("--officers", type=int, default=0,
                   help="active officers with an e-mail address in every unit (told when the batch is finished)")
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    args = p.parse_args(argv)
    args.workers = [int(x) for x in args.workers.split(",") if x.strip()]
    return args


def build_fixture(count: int):
    """A final competition with ``count`` final awards and an issuer with a seal."""
    from django.utils import timezone

    from certificates.services import sample_seals_attach
    from competition.enums import Phase
    from competition.models import Competition
    from judging.enums import AwardStatus
    from judging.models import Award
    from nominations.models import Nomination

    office = common.office_user()
    competition = common.judging_competition(office, year=2044)
    common.accepted_nominations(competition, count)
    now = timezone.now()
    ranks: dict[int, int] = {}
    awards = []
    for nomination in Nomination.objects.filter(competition=competition).order_by("id"):
        ranks[nomination.category_id] = ranks.get(nomination.category_id, 0) + 1
        awards.append(Award(
            competition=competition, category_id=nomination.category_id, nomination=nomination,
            final_score=90, final_rank=ranks[nomination.category_id], status=AwardStatus.FINAL, finalized_at=now,
        ))
    Award.objects.bulk_create(awards)
    Nomination.objects.filter(competition=competition).update(awarded_at=now)
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.FINAL)
    competition.refresh_from_db()
    sample_seals_attach(actor=office, competition=competition)
    return office, competition


def add_officers(count: int) -> int:
    """``count`` active officers with an e-mail address in every unit; returns how many were made."""
    from competition.enums import Role
    from competition.models import Unit, User

    users = [
        User(username=f"bench-officer-{unit.pk}-{k}", role=Role.OFFICER, unit=unit,
             email=f"officer-{unit.pk}-{k}@example.org", is_active=True)
        for unit in Unit.objects.all() for k in range(count)
    ]
    User.objects.bulk_create(users)
    return len(users)


def deliveries_wait(started: float, timeout: float) -> float:
    """Seconds from ``started`` until no e-mail delivery is left to send."""
    from notifications.enums import DeliveryStatus
    from notifications.models import Delivery

    while time.perf_counter() - started < timeout:
        if not Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]).exists():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"deliveries not sent after {timeout:.0f} s")


def reset(competition) -> None:
    """Forget the batches and certificates so that the next run renders everything again."""
    from django.core.files.storage import default_storage

    from certificates.models import BatchItem, Certificate, CertificateBatch, CertificateSequence
    from notifications.models import Delivery, Notification

    for name in Certificate.objects.filter(competition=competition).exclude(pdf="").values_list("pdf", flat=True):
        default_storage.delete(name)
    for name in CertificateBatch.objects.filter(competition=competition).exclude(archive="").values_list(
        "archive", flat=True
    ):
        default_storage.delete(name)
    BatchItem.objects.filter(batch__competition=competition).delete()
    CertificateBatch.objects.filter(competition=competition).delete()
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    Certificate.objects.filter(competition=competition).delete()
    CertificateSequence.objects.filter(competition=competition).delete()


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_worker(concurrency: int, log: Path, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=WARNING"],
        cwd=common.ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(children(process.pid)) >= concurrency:
            time.sleep(1.0)  # the pool processes import the project
            return process
        if process.poll() is not None:
            raise SystemExit(f"the worker exited: see {log}")
        time.sleep(0.2)
    raise SystemExit(f"the worker did not start: see {log}")


def issue_and_wait(office, competition, timeout: float) -> tuple[float, object]:
    from django.test import Client

    from certificates.enums import FINISHED_BATCH_STATUSES
    from certificates.models import CertificateBatch

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    started = time.perf_counter()
    response = client.post(f"/certificates/competitions/{competition.pk}/issue/")
    if response.status_code != 302:
        raise SystemExit(f"issue answered {response.status_code}")
    batch = CertificateBatch.objects.filter(competition=competition).latest("id")
    while time.perf_counter() - started < timeout:
        batch.refresh_from_db()
        if batch.status in FINISHED_BATCH_STATUSES and batch.archive:
            return time.perf_counter() - started, batch
        time.sleep(0.05)
    raise SystemExit(f"batch {batch.pk} not finished after {timeout:.0f} s: {batch.status}")


def main(argv=None) -> int:
    args = parse_args(argv)
    run_started = time.perf_counter()
    info = common.machine()
    media = Path(tempfile.mkdtemp(prefix="xlf-bench-media-"))
    os.environ["MEDIA_ROOT"] = str(media)
    migrate_s = common.django_setup()
    print(f"scratch database {common.DB_NAME}: migrated in {migrate_s:.1f} s; media under {media}", flush=True)
    from django.conf import settings

    from certificates.enums import ItemStatus
    from certificates.models import BatchItem

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "a broker is needed (BENCH_REDIS)"
    office, competition = build_fixture(args.count)
    officers = add_officers(args.officers)
    print(f"fixture: {args.count} final awards, {officers} unit officers ({args.officers} a unit)", flush=True)
    env = {**common.server_env(), "MEDIA_ROOT": str(media), "SECRET_KEY": settings.SECRET_KEY}
    results = []
    for concurrency in args.workers:
        reset(competition)
        load = os.getloadavg()[0]
        log = media / f"worker-{concurrency}.log"
        worker = start_worker(concurrency, log, env)
        pool = children(worker.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in [worker.pid, *pool])
        try:
            started = time.perf_counter()
            seconds, batch = issue_and_wait(office, competition, args.timeout)
            sent_by = deliveries_wait(started, args.timeout) if officers else None
            rss = [peak_rss_mb(pid) for pid in pool]
            cpu = sum(cpu_seconds(pid) for pid in [worker.pid, *pool]) - cpu_before
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        done = BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).count()
        results.append({
            "workers": concurrency, "seconds": seconds, "done": done, "status": batch.status,
            "rate": done / seconds, "rss_mb": rss, "load": load, "zip_mb": batch.archive.size / 2**20,
            "worker_cpu_ms": cpu / max(done, 1) * 1000, "officers": args.officers, "sent_by": sent_by,
        })
        print(f"  {concurrency} worker process(es): {done} certificates in {seconds:.1f} s = "
              f"{done / seconds:.1f}/s, batch {batch.status}, ZIP {batch.archive.size / 2**20:.1f} MB, "
              f"peak RSS per worker {', '.join(f'{r:.0f}' for r in rss)} MB, worker CPU "
              f"{cpu / max(done, 1) * 1000:.1f} ms per certificate (load {load:.1f})"
              + (f", every e-mail sent by {sent_by:.1f} s" if sent_by is not None else ""), flush=True)

    from bench import certificates as in_process
    from certificates.artwork import draw_seal

    seals = {name: draw_seal(name) for name in in_process.ISSUERS}
    chars = "".join("".join(in_process._data(i, seals).texts()) for i in range(len(in_process.HOLDERS)))
    renders = [in_process.run(args.render_count, n, seals, chars) for n in args.workers]

    print()
    common.print_machine(info)
    print(common.table(
        ["worker processes", "end to end certificates/s", "seconds for the batch", "officers a unit",
         "every e-mail sent by s", "peak RSS per worker MB",
         "worker CPU ms per certificate", "in-process render certificates/s (same run)",
         "in-process CPU ms per certificate (median)", "in-process peak RSS MB", "load at start"],
        [[r["workers"], f"{r['rate']:.1f}", f"{r['seconds']:.1f}", r["officers"],
          "" if r["sent_by"] is None else f"{r['sent_by']:.1f}", " / ".join(f"{x:.0f}" for x in r["rss_mb"]),
          f"{r['worker_cpu_ms']:.1f}", f"{p['per_second_steady']:.1f}", f"{p['cpu_ms_median']:.1f}",
          f"{p['peak_rss_mb']:.0f}", f"{r['load']:.1f}"]
         for r, p in zip(results, renders, strict=True)],
    ))
    two = next((r for r in results if r["workers"] == 2), results[-1])
    worst_rss = max(two["rss_mb"])
    print(f"\ntarget ≥ {TARGET_RATE:g} certificates/s end to end with {two['workers']} workers, "
          f"< {TARGET_RSS_MB:g} MB per worker: {two['rate']:.1f}/s, {worst_rss:.0f} MB → "
          + ("met" if two["rate"] >= TARGET_RATE and worst_rss < TARGET_RSS_MB else "MISSED"))
    print(f"total run time {time.perf_counter() - run_started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "runs": results, "in_process": renders},
                                        ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
