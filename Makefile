# The two commands a newcomer runs: `make demo` and `make test`.
# Both set up everything first: system packages (apt, when missing and
# possible), the virtualenv, Python dependencies, migrations.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# System packages: WeasyPrint (Pango, fast font subsetting), the CJK fonts of
# the certificates, PDF tools the tests read PDFs with, the browser the
# browser tests drive, and docker-compose to validate the deployment file.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
                   poppler-utils chromium docker-compose

.PHONY: demo test setup system-deps lint check serve clean e2e

# manage.py and Celery default to the production settings; the laptop targets
# below ask for the local (DEBUG) ones explicitly.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

demo: setup
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	@if [ -z "$(PASSWORD)" ]; then \
	  echo "请用 make demo PASSWORD=<演示密码> 指定演示账号的密码（未指定则随机生成）。"; fi
	$(LOCAL) $(BIN)/python manage.py seed_demo --password "$${PASSWORD:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(9))')}"
	$(LOCAL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs in two processes (pytest-xdist); each has its own test database,
# Redis database and media directory (config/settings/test.py). PYTEST_ARGS replaces
# the default: `make test PYTEST_ARGS=` runs in one process, `PYTEST_ARGS="-n 4 -x"` …
PYTEST_ARGS ?= -n 2

test: setup lint check
	$(BIN)/pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "正在安装系统软件包：$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "缺少系统软件包：$$missing"; \
	    echo "请运行：sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

check: $(STAMP)
	$(LOCAL) $(BIN)/python manage.py check --fail-level WARNING
	$(LOCAL) $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOWED_HOSTS=awards.example.org \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

serve: $(STAMP)
	$(LOCAL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

clean:
	rm -rf var/test-media .pytest_cache
