"""The renderer against an earlier commit's, in one process: CPU per certificate and the page's pixels.

    .venv/bin/python -m bench.certificates_ab [--rev main] [--count 80] [--dpi 100]

Loads ``certificates/rendering.py`` as it was at ``--rev`` (``git show``)
beside the working tree's, builds one renderer of each with the same
characters, and renders the same certificates as ``bench.certificates``
(two issuers with seals, a different number and QR code each) in
alternating blocks of ten, counting the process's CPU time
(``time.process_time``) of each side. On a shared machine whose load moves,
the two figures of one run are comparable where wall-clock rates of two runs
are not. Then the last certificate of each side is rasterised with
``pdftoppm`` at ``--dpi`` and the pages compared pixel by pixel: the
largest channel difference and the number of pixels that differ (0 and 0:
the same picture).

The rendering module and the default design (``certificates/assets/default``:
its template and stylesheet) come from ``--rev``; fonts, artwork, the
background image and the rest are the working tree's.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

from bench import certificates as in_process

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 10


def load_rendering(rev: str) -> types.ModuleType:
    """``certificates.rendering`` as it was at ``rev``, under a name of its own."""
    source = git_show(rev, "certificates/rendering.py")
    name = "certificates._rendering_at_" + "".join(c if c.isalnum() else "_" for c in rev)
    module = types.ModuleType(name)
    module.__file__ = str(ROOT / "certificates" / "rendering.py")  # its assets are the package's
    module.__package__ = "certificates"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:certificates/rendering.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def git_show(rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def default_design(module, rev: str | None):
    """The default design of ``rev`` (template and stylesheet), or the working tree's with None."""
    if rev is None:
        return module.Design(key="default")
    assets = "certificates/assets/default"
    return module.Design(
        html=git_show(rev, f"{assets}/certificate.html"), css=git_show(rev, f"{assets}/certificate.css"), key="default"
    )


def as_module_data(module, data):
    """The same certificate built with ``module``'s dataclasses."""
    fields = dict(data.__dict__)
    fields["issuers"] = tuple(module.IssuerData(name=i.name, seal=i.seal) for i in data.issuers)
    return module.CertificateData(**fields)


def page_difference(a: bytes, b: bytes, dpi: int) -> tuple[int, int]:
    """(largest channel difference, pixels that differ) between the first pages of two PDFs."""
    from PIL import Image, ImageChops

    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for name, pdf in (("a", a), ("b", b)):
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-", f"{tmp}/{name}"], input=pdf, check=True
            )
            images.append(Image.open(f"{tmp}/{name}.png").convert("RGB"))
        if images[0].size != images[1].size:
            return 255, images[0].width * images[0].height
        difference = ImageChops.difference(*images)
        largest = max(high for _, high in difference.getextrema())
        differing = sum(difference.convert("L").histogram()[1:])
        return largest, differing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates_ab", description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="main", help="the commit to compare with (default main)")
    parser.add_argument("--count", type=int, default=80, help="certificates per side (blocks of 10)")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args(argv)
    in_process._setup()
    from certificates import rendering
    from certificates.artwork import draw_seal

    before = load_rendering(args.rev)
    seals = {name: draw_seal(name) for name in in_process.ISSUERS}
    chars = "".join("".join(in_process._data(i, seals).texts()) for i in range(len(in_process.HOLDERS)))
    sides = {
        args.rev: (before, before.Renderer(default_design(before, args.rev), chars=chars)),
        "working tree": (rendering, rendering.Renderer(default_design(rendering, None), chars=chars)),
    }
    cpu = dict.fromkeys(sides, 0.0)
    last: dict[str, bytes] = {}
    for module, renderer in sides.values():  # warm: image cache, first layout
        for i in range(3):
            renderer.render(as_module_data(module, in_process._data(i, seals)))
    blocks = max(1, args.count // BLOCK)
    load = os.getloadavg()[0]
    for block in range(blocks):
        batch = [in_process._data(1000 + block * BLOCK + j, seals) for j in range(BLOCK)]
        for side, (module, renderer) in sides.items():
            datas = [as_module_data(module, d) for d in batch]
            gc.collect()
            started = time.process_time()
            for data in datas:
                last[side] = renderer.render(data)
            cpu[side] += time.process_time() - started
    count = blocks * BLOCK
    largest, differing = page_difference(last[args.rev], last["working tree"], args.dpi)
    base, now = (cpu[s] / count * 1000 for s in sides)
    print(f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; {count} certificates a side")
    print(f"{args.rev}: {base:.1f} ms CPU per certificate, PDF {len(last[args.rev]) / 1024:.0f} KB")
    print(f"working tree: {now:.1f} ms CPU per certificate, PDF {len(last['working tree']) / 1024:.0f} KB")
    print(f"ratio {now / base:.3f}; page at {args.dpi} dpi: largest difference {largest}, {differing} pixels differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
