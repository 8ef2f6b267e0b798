"""A real Celery worker process for the tests that are about workers.

The worker runs ``celery -A config worker`` against the real Redis and the
pytest-django test database (so the test must be transactional: rows it
makes are committed and visible to the worker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The worker's environment: this test run's database, Redis and media directory.

    Under pytest-xdist they are the pytest worker's own (config/settings/test.py);
    they are passed as they are, and the xdist variables are left out so that the
    settings do not move them on a second time.
    """
    from django.conf import settings

    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class Worker:
    def __init__(self, redis_url: str, log: Path, **env: str) -> None:
        self.log = log
        self.handle = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
             "--concurrency=2", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=worker_env(redis_url, **env),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_for_log("ready", timeout=60)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"worker log never showed {text!r}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.handle.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if not self.handle.closed:
            self.handle.close()


@contextmanager
def celery_worker(redis_url: str, log: Path, **env: str):
    worker = Worker(redis_url, log, **env)
    try:
        yield worker
    finally:
        worker.stop()


@contextmanager
def tasks_sent_to_broker():
    """Turn off eager mode in this process so that tasks go to the real broker."""
    from config.celery_app import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}")


def flush_queue(redis_url: str) -> None:
    """Drop messages left by an earlier run in this Redis database."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


class RedisServer:
    """A private redis-server on its own port, so a test can stop and restart "the broker"
    without touching the Redis other tests use."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(self.log)],
            start_new_session=True,
        )
        wait_until(lambda: _pings(redis, self.url), 20, "redis-server to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(redis_module, url: str) -> bool:
    try:
        return bool(redis_module.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis_module.RedisError:
        return False


@contextmanager
def broker(url: str):
    """Send this process's tasks to the broker at ``url`` (not eager)."""
    from config.celery_app import app

    def reset_pools():
        # As Celery does after a fork: new connection and producer pools for the new URL.
        app._pool = None
        app.amqp._producer_pool = None

    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = before
        reset_pools()
