"""Fault injection for the fault tests: a pause inside a long job, so that a test
can kill the worker in the middle of it.

Off unless the environment sets ``XLF_FAULT_DELAYS`` (e.g. ``aggregation=5,render=3``);
never set in production.
"""

from __future__ import annotations

import os
import time


def _delays() -> dict[str, float]:
    out = {}
    for part in os.environ.get("XLF_FAULT_DELAYS", "").split(","):
        name, _, seconds = part.partition("=")
        if name.strip() and seconds.strip():
            out[name.strip()] = float(seconds)
    return out


def fault_delay(point: str) -> None:
    seconds = _delays().get(point)
    if seconds:
        time.sleep(seconds)
