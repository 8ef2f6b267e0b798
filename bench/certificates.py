"""Render timing of the honour certificate, in process (no database, no broker).

    .venv/bin/python -m bench.certificates [--count 200] [--processes 1 2]

Renders ``count`` certificates like the demo's (two issuers with seals, the
default design, a different number and QR code each) with the production
renderer (``certificates.rendering``), once per process count, each process
with its own renderer as a worker has; prints certificates per second,
milliseconds per certificate (wall and CPU), the PDF size and the peak
memory of a rendering process. The first render of a process (building the
renderer: font subsets, ``FontConfiguration``, ``CSS``) is reported apart.

This is the renderer alone. The full batch benchmark on Celery workers (and
the ReportLab floor) is item 10 of issue 6.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISSUERS = ["中共太原市委宣传部", "太原市精神文明建设委员会办公室"]
HOLDERS = [
    ("太原市城市综合管理服务指挥中心", "举手之劳·为树木松绑拔刺"),
    ("小店区青年志愿者协会", "星光课堂·流动儿童周末托管"),
    ("万柏林区律师志愿服务团", "万柏林“法律明白人”进社区"),
    ("清徐县青年志愿者协会", "清徐葡萄产业助农直播"),
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _data(i: int, seals: dict[str, bytes]):
    from certificates.rendering import CertificateData, IssuerData
    from certificates.services import holder_parts

    organization, title = HOLDERS[i % len(HOLDERS)]
    holder, lines, salutation = holder_parts(kind="project", title=title, organization=organization)
    return CertificateData(
        number=f"TY-XLF-2022-XM-{i + 1:04d}",
        holder=holder,
        holder_lines=lines,
        salutation=salutation,
        body="在2022年度太原市学雷锋志愿服务先进典型宣传推选活动中，被评为“太原市学雷锋最佳志愿服务项目”。特发此证，以资鼓励。",
        award="最佳志愿服务项目",
        competition_title="2022年度太原市学雷锋志愿服务先进典型推选",
        year=2022,
        date=dt.date(2022, 12, 5),
        verify_url=f"https://awards.example.org/verify/{i:043d}/",
        issuers=tuple(IssuerData(name=n, seal=seals[n]) for n in ISSUERS),
        category_code="XM",
    )


def _worker(args: tuple[int, int, dict[str, bytes], str]) -> dict:
    start, count, seals, chars = args
    _setup()
    from certificates.rendering import Design, renderer_for

    started = time.perf_counter()
    renderer = renderer_for(Design(key="default"), chars)
    renderer.render(_data(start, seals))
    first = time.perf_counter() - started
    wall, cpu, sizes = [], [], []
    for i in range(start + 1, start + count):
        w, c = time.perf_counter(), time.process_time()
        pdf = renderer.render(_data(i, seals))
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        sizes.append(len(pdf))
    return {
        "first": first,
        "wall": wall,
        "cpu": cpu,
        "sizes": sizes,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(count: int, processes: int, seals: dict[str, bytes], chars: str) -> dict:
    share = count // processes
    jobs = [(p * share, share, seals, chars) for p in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_worker, jobs)
    elapsed = time.perf_counter() - started
    wall = [w for r in results for w in r["wall"]]
    cpu = [c for r in results for c in r["cpu"]]
    sizes = [s for r in results for s in r["sizes"]]
    steady = max(sum(r["wall"]) for r in results)  # the slowest process, after its first render
    return {
        "processes": processes,
        "certificates": len(wall),
        "per_second_steady": len(wall) / steady if steady else 0.0,
        "per_second_overall": (len(wall) + processes) / elapsed,
        "wall_ms_median": statistics.median(wall) * 1000,
        "cpu_ms_median": statistics.median(cpu) * 1000,
        "first_render_s": max(r["first"] for r in results),
        "pdf_kb_mean": statistics.mean(sizes) / 1024,
        "pdf_kb_max": max(sizes) / 1024,
        "peak_rss_mb": max(r["rss_mb"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    _setup()
    from certificates.artwork import draw_seal

    seals = {name: draw_seal(name) for name in ISSUERS}
    chars = "".join("".join(_data(i, seals).texts()) for i in range(len(HOLDERS)))
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {options.count} certificates")
    for processes in options.processes:
        r = run(options.count, processes, seals, chars)
        print(
            f"{r['processes']} process(es): {r['per_second_steady']:.1f} certificates/s steady "
            f"({r['per_second_overall']:.1f}/s with start-up), {r['wall_ms_median']:.1f} ms wall / "
            f"{r['cpu_ms_median']:.1f} ms CPU median per certificate, first render {r['first_render_s']:.2f} s, "
            f"PDF {r['pdf_kb_mean']:.0f} KB mean / {r['pdf_kb_max']:.0f} KB max, peak RSS {r['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
