"""The production deployment: docker-compose.yml, the Dockerfile, .env.example and
the production settings.

No Docker engine runs on these machines; Debian's ``docker-compose`` 1.29
validates the compose file without one. Without it the test skips on a laptop
and fails under CI=true.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

IN_CI = os.environ.get("CI") == "true"
ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "web", "worker", "beat"}
SERVICES = APP_SERVICES | {"postgres", "redis", "cache"}
VOLUMES = {"postgres-data", "media", "redis-data"}


def _env_example() -> dict[str, str]:
    values = {}
    for number, line in enumerate((ROOT / ".env.example").read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*", line), f".env.example:{number}: {line!r}"
        key, value = line.split("=", 1)
        assert key not in values, f".env.example: {key} twice"
        values[key] = value
    return values


def _clean_env(**extra: str) -> dict[str, str]:
    """A minimal environment: no developer's .env, no inherited settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "ENV_FILE": "/nonexistent/.env",
    }
    env.update(extra)
    return env


def _run(args: list[str], *, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- docker-compose


@pytest.fixture
def compose_dir(tmp_path: Path) -> Path:
    """docker-compose.yml next to a copy of .env.example named .env (never in the repo)."""
    if shutil.which("docker-compose") is None:
        # The same rule as tests/conftest.py's _missing: skip on a laptop, fail in CI.
        if IN_CI:
            pytest.fail("docker-compose is required in CI but not installed (apt-get install docker-compose)")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_docker_compose_config_accepts_the_file(compose_dir: Path):
    result = _run(
        ["docker-compose", "-f", "docker-compose.yml", "config"], env=_clean_env(), cwd=compose_dir
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)

    assert set(config["services"]) == SERVICES
    assert set(config["volumes"]) == VOLUMES
    services = config["services"]

    # The app services run one image, built here, with the settings of .env.
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"]["context"] == str(compose_dir)
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["MEDIA_ROOT"] == "/app/var/media"
        assert "media:/app/var/media:rw" in service["volumes"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"

    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert "command" not in services["web"]  # the Dockerfile's gunicorn CMD
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000/tcp"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert "--concurrency=2" in services["worker"]["command"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]

    assert services["postgres"]["image"] == "postgres:15"
    assert "postgres-data:/var/lib/postgresql/data:rw" in services["postgres"]["volumes"]
    assert services["redis"]["image"] == "redis:7"
    # The broker never evicts (Celery's queues); the cache is its own bounded LRU Redis.
    broker = services["redis"]["command"]
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    cache = services["cache"]["command"]
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert cache[cache.index("--maxmemory") + 1] == "256mb"
    for name in APP_SERVICES:
        assert services[name]["environment"]["CACHE_URL"] == "redis://cache:6379/0"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["cache"]["condition"] == "service_healthy"
    for name in ("postgres", "redis", "cache"):
        assert "ports" not in services[name], f"{name} must not be published on the host"
        assert services[name]["healthcheck"]["test"]


def test_docker_compose_service_and_volume_listing(compose_dir: Path):
    env = _clean_env()
    services = _run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--services"], env=env, cwd=compose_dir
    )
    volumes = _run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--volumes"], env=env, cwd=compose_dir
    )
    assert services.returncode == 0, services.stderr
    assert volumes.returncode == 0, volumes.stderr
    assert set(services.stdout.split()) == SERVICES
    assert set(volumes.stdout.split()) == VOLUMES


def test_docker_compose_refuses_to_start_without_a_database_password(compose_dir: Path):
    env_file = compose_dir / ".env"
    env_file.write_text(
        "".join(
            line + "\n"
            for line in env_file.read_text().splitlines()
            if not line.startswith("POSTGRES_PASSWORD=")
        )
    )
    result = _run(
        ["docker-compose", "-f", "docker-compose.yml", "config"], env=_clean_env(), cwd=compose_dir
    )
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


# --------------------------------------------------------------------------- .env.example


def test_env_example_holds_placeholders_only():
    values = _env_example()
    assert values["SECRET_KEY"] == "change-me"
    assert values["POSTGRES_PASSWORD"] == "change-me"
    database = urlsplit(values["DATABASE_URL"])
    assert (database.scheme, database.username, database.hostname, database.port, database.path) == (
        "postgres",
        "xlf",
        "postgres",
        5432,
        "/xlf",
    )
    assert database.password == values["POSTGRES_PASSWORD"]
    for key, value in values.items():
        if re.search(r"SECRET|PASSWORD|TOKEN(?!_TTL)|_KEY\b|API_KEY", key):
            assert value == "change-me", f"{key} must be a placeholder in .env.example"
        # Anything long and random-looking is a leaked secret.
        for chunk in re.split(r"[:/@.,=?&]", value):
            random_looking = re.search(r"[0-9]", chunk) and re.search(r"[A-Za-z]", chunk)
            assert not (len(chunk) >= 20 and random_looking), f"{key} looks like a real secret"


def test_env_example_names_every_setting_read_from_the_environment():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    read = set()
    for name in ("base.py", "production.py"):
        source = (ROOT / "config" / "settings" / name).read_text()
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    compose = (ROOT / "docker-compose.yml").read_text()
    read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    # ENV_FILE only points at .env; production forces DEBUG off.
    missing = read - documented - {"ENV_FILE", "DEBUG"}
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_passes_check_deploy_once_secret_key_is_set():
    """The example, as the containers get it, is a clean production configuration."""
    values = _env_example()
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_clean_env(**values),
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- production settings


def test_check_deploy_passes_under_production_settings():
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_clean_env(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="awards.example.org",
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, ""])
def test_production_settings_refuse_to_load_without_secret_key(secret_key):
    extra = {"DJANGO_SETTINGS_MODULE": "config.settings.production"}
    if secret_key is not None:
        extra["SECRET_KEY"] = secret_key
    result = _run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=_clean_env(**extra),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


# --------------------------------------------------------------------------- static files


def test_collected_page_scripts_import_the_hashed_shared_modules(tmp_path: Path):
    """The deployments' static storage rewrites the ES module imports of the page
    scripts to the hashed names of competition/static/common/ (what the image's
    collectstatic does, here for those files only)."""
    from django.core.files.storage import FileSystemStorage

    from config.settings import base
    from config.staticfiles import StaticFilesStorage

    assert base.STORAGES["staticfiles"]["BACKEND"] == "config.staticfiles.StaticFilesStorage"
    sources = {
        "common": FileSystemStorage(location=ROOT / "competition" / "static"),
        "nominations": FileSystemStorage(location=ROOT / "nominations" / "static"),
        "judging": FileSystemStorage(location=ROOT / "judging" / "static"),
    }
    pages = ["nominations/form.js", "judging/scoring.js"]
    shared = sorted(f"common/{p.name}" for p in (ROOT / "competition/static/common").glob("*.js"))
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    paths = {}
    for name in [*shared, *pages]:
        source = sources[name.split("/")[0]]
        with source.open(name) as fh:
            storage.save(name, fh)
        paths[name] = (source, name)
    for original, processed, error in storage.post_process(paths):
        assert not isinstance(error, Exception), (original, error)

    hashed = {name: storage.stored_name(name) for name in shared}
    for page in pages:
        script = (tmp_path / storage.stored_name(page)).read_text()
        imports = re.findall(r'from "([^"]+)"', script)
        assert imports, page
        for url in imports:
            assert re.fullmatch(r"\.\./common/\w+\.[0-9a-f]{12}\.js", url), url
            assert f"common/{url.rsplit('/', 1)[1]}" in hashed.values(), url


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_is_a_production_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = [line.strip() for line in instructions.splitlines() if line.strip() and not line.startswith("#")]

    assert lines[0] == "FROM python:3.11-slim-bookworm"
    apt = next(line for line in lines if "apt-get install" in line)
    assert "--no-install-recommends" in apt
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"):
        assert package in apt
    assert any(re.search(r"pip install \.(\s|$)", line) for line in lines)
    assert "[dev]" not in dockerfile
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}

    # The build-only SECRET_KEY lives in the collectstatic step and nowhere else.
    with_key = [line for line in lines if "SECRET_KEY" in line]
    assert len(with_key) == 1
    assert with_key[0].startswith("RUN ") and "collectstatic" in with_key[0]
    assert not any(line.startswith(("ENV ", "ARG ")) and "SECRET_KEY" in line for line in lines)

    assert any(line.startswith("HEALTHCHECK ") and "/healthz/" in line for line in lines)
    cmd = next(line for line in lines if line.startswith("CMD "))
    assert "gunicorn config.wsgi:application" in cmd and "0.0.0.0:8000" in cmd
    assert "GUNICORN_WORKERS" in cmd


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv", "var"} <= ignored


def test_the_cache_reads_its_own_url_and_falls_back_to_the_broker():
    """Issue 11 item 9: with CACHE_URL the cache is its own Redis; the broker stays REDIS_URL."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "print(settings.CACHES['default']['LOCATION'], settings.CELERY_BROKER_URL)\n"
    )
    base = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REDIS_URL": "redis://redis:6379/0",
    }
    separate = _run([sys.executable, "-c", code], env=_clean_env(**base, CACHE_URL="redis://cache:6379/0"))
    assert separate.returncode == 0, separate.stderr
    assert separate.stdout.split() == ["redis://cache:6379/0", "redis://redis:6379/0"]
    shared = _run([sys.executable, "-c", code], env=_clean_env(**base))
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.split() == ["redis://redis:6379/0", "redis://redis:6379/0"]


# --------------------------------------------------------------------------- default settings


def test_manage_py_and_celery_default_to_production():
    """Issue 11: anything that does not ask for the local settings runs production
    (DEBUG off, SECRET_KEY required), not the DEBUG settings."""
    without_key = _run([sys.executable, "manage.py", "check"], env=_clean_env())
    assert without_key.returncode != 0
    assert "SECRET_KEY must be set" in without_key.stderr
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    shell = _run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=_clean_env(SECRET_KEY=secrets.token_urlsafe(50)),
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.split()[-2:] == ["config.settings.production", "False"]
    celery = _run(
        [sys.executable, "-c", "import os, config.celery_app; print(os.environ['DJANGO_SETTINGS_MODULE'])"],
        env=_clean_env(),
    )
    assert celery.returncode == 0, celery.stderr
    assert celery.stdout.strip() == "config.settings.production"


def test_makemigrations_check_runs_from_a_clean_checkout_without_a_secret_key():
    """Writing migrations serves nothing: it must not need production's SECRET_KEY."""
    result = _run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env=_clean_env())
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_laptop_make_targets_ask_for_the_local_settings():
    for target in (["demo", "PASSWORD=x"], ["serve"], ["check"]):
        result = _run(["make", "-n", *target], env=_clean_env())
        assert result.returncode == 0, result.stderr
        lines = [line for line in result.stdout.splitlines() if "manage.py" in line and "--deploy" not in line]
        assert lines, target
        for line in lines:
            assert line.startswith("DJANGO_SETTINGS_MODULE=config.settings.local "), line


# --------------------------------------------------------------------------- make demo, make test


def _make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return _run(["make", "-s", "--no-print-directory", *args], env=env or _clean_env())


def test_make_demo_without_password_prints_and_keeps_a_generated_one(tmp_path: Path):
    """Issue 18 item 10: `make demo` without PASSWORD= makes a password that passes
    seed_demo's rules, prints it, keeps it readable by the owner only and reuses it."""
    from competition.management.commands.seed_demo import _check_password

    kept = tmp_path / "var" / "demo-password"
    first = _make("demo-password", f"DEMO_PASSWORD_FILE={kept}")
    assert first.returncode == 0, first.stderr
    password = kept.read_text().strip()
    assert len(password) == 16
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert f"的密码：{password}" in first.stdout
    assert "已随机生成" in first.stdout
    _check_password(password)  # raises CommandError when seed_demo would refuse it

    again = _make("demo-password", f"DEMO_PASSWORD_FILE={kept}")
    assert again.returncode == 0, again.stderr
    assert kept.read_text().strip() == password
    assert f"的密码：{password}" in again.stdout


def test_make_demo_with_password_keeps_the_one_given(tmp_path: Path):
    kept = tmp_path / "demo-password"
    kept.write_text("an-older-one-2025\n")
    given = "Taiyuan-Demo-2026"
    result = _make("demo-password", f"DEMO_PASSWORD_FILE={kept}", f"PASSWORD={given}")
    assert result.returncode == 0, result.stderr
    assert kept.read_text() == given + "\n"
    assert f"的密码：{given}" in result.stdout


def test_make_demo_seeds_with_the_kept_password_and_prints_it_before_serving():
    result = _make("-n", "demo")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    seed = next(i for i, line in enumerate(lines) if "seed_demo" in line)
    serve = next(i for i, line in enumerate(lines) if "runserver" in line)
    assert '--password="$(cat var/demo-password)"' in lines[seed]
    assert any("演示账号的密码" in line and "var/demo-password" in line for line in lines[seed:serve])
    # The password step runs before the demo data.
    assert any("var/demo-password" in line for line in lines[:seed])


def test_readme_first_command_runs_as_typed():
    """The README's first command: no placeholder a shell would read as a redirection,
    and a password seed_demo accepts."""
    import shlex

    from competition.management.commands.seed_demo import _check_password

    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```sh\n(.+?)\n", readme).group(1).split("#")[0].strip()
    words = shlex.split(first)
    assert words[:2] == ["make", "demo"]
    assert not set(first) & set("<>|;&$`")
    password = next(w.removeprefix("PASSWORD=") for w in words if w.startswith("PASSWORD="))
    _check_password(password)


def test_make_picks_the_first_python_of_at_least_3_11(tmp_path: Path):
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\nexit 1\n")  # fails the version check, as a Python 3.10 would
    old.chmod(0o755)
    candidates = f"PYTHON_CANDIDATES={tmp_path}/python-missing {old} {sys.executable} python3"
    result = _make("--eval", "which-python: ; @echo $(PYTHON)", "which-python", candidates)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == sys.executable

    none = _make(
        f"STAMP={tmp_path}/installed",
        f"BIN={tmp_path}/venv/bin",
        f"{tmp_path}/installed",
        f"PYTHON_CANDIDATES={tmp_path}/python-missing {old}",
    )
    assert none.returncode != 0
    assert "未找到 Python 3.11 或更新的版本" in none.stdout
    assert not (tmp_path / "venv").exists()
