"""A render worker's own work per certificate, outside the render: reads, storage, UPDATEs, notifications.

    BENCH_DB=xlf_x_bench BENCH_REDIS=redis://127.0.0.1:6379/<n> \\
      .venv/bin/python -m bench.certificates_worker [--count 200] [--officers 0] [--rounds 2]

Builds the fixture of ``bench.certificates_e2e`` (a final competition with
``--count`` final awards) in the scratch database, with ``--officers``
active officers (with an e-mail address) in every unit, issues the batch
through the office's endpoint (its render tasks go to ``BENCH_REDIS``, where
no worker takes them; the database is flushed at the end), then runs
``services.worker.items_render`` in this process chunk by chunk, as the
render task does, with the renderer replaced by a stub that returns one PDF
rendered at the start: what is left is the worker's own work. Prints the CPU
time (``time.process_time``) and the SQL statements per certificate, the
statements by kind, and the ZIP's CPU time. PostgreSQL's own CPU is not in
the figure.

``BENCH_REDIS`` must be a Redis database no Celery worker uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import common


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates_worker", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="certificates in the batch")
    parser.add_argument("--officers", type=int, default=0, help="active officers in every unit (told once per unit when the batch is finished)")
    parser.add_argument("--rounds", type=int, default=2, help="batches issued and rendered one after the other")
    args = parser.parse_args(argv)
    info = common.machine()
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="xlf-bench-media-")
    common.django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.certificates_e2e import add_officers, build_fixture, reset
    from certificates.enums import ItemStatus
    from certificates.models import BatchItem, CertificateBatch
    from certificates.services import archive, designs, worker

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "a broker is needed (BENCH_REDIS)"
    office, competition = build_fixture(args.count)
    add_officers(args.officers)
    real = designs.render_certificate_pdf
    rendered: list[bytes] = []

    def stub(data, design, chars=""):
        if not rendered:
            rendered.append(real(data, design, chars=chars))
        return rendered[0]

    designs.render_certificate_pdf = stub
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    common.print_machine(info)
    for round_ in range(args.rounds):
        reset(competition)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(office)
        response = client.post(f"/certificates/competitions/{competition.pk}/issue/")
        if response.status_code != 302:
            raise SystemExit(f"issue answered {response.status_code}")
        batch = CertificateBatch.objects.filter(competition=competition).latest("id")
        ids = list(BatchItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
        chunks = [ids[i:i + 10] for i in range(0, len(ids), 10)]
        worker.items_render(item_ids=chunks[0])  # warm: the one real render, the design, the issuers
        statements.clear()
        started = time.process_time()
        with connection.execute_wrapper(count):
            for chunk in chunks[1:]:
                worker.items_render(item_ids=chunk)
        cpu = time.process_time() - started
        n = len(ids) - len(chunks[0])
        done = BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).count()
        started = time.process_time()
        archive.batch_finish(batch_id=batch.pk)
        zip_cpu = time.process_time() - started
        print(
            f"round {round_ + 1}: {n} certificates ({args.officers} officers a unit): "
            f"{cpu / n * 1000:.2f} ms CPU and {len(statements) / n:.1f} SQL statements per certificate "
            f"outside the render; {done} of {len(ids)} done; ZIP {zip_cpu / len(ids) * 1000:.2f} ms CPU per certificate",
            flush=True,
        )
    kinds = Counter(" ".join(s.split()[:1] + [w for w in s.split() if w.startswith('"')][:1]) for s in statements)
    for kind, number in kinds.most_common(12):
        print(f"  {number / n:6.2f} per certificate  {kind}")
    import redis

    redis.Redis.from_url(common.REDIS_URL).flushdb()  # the unconsumed tasks
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
