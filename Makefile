# The two commands a newcomer runs: `make demo` and `make test`.
# Both set up everything first: system packages (apt, when missing and
# possible), the virtualenv, Python dependencies, migrations.

# Any Python from 3.11 on: the first of these that is at least 3.11 (or PYTHON=...).
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
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

.PHONY: demo demo-password test setup system-deps lint check serve clean e2e

# The demo accounts' password: PASSWORD=..., else the one kept from the last demo,
# else a new random one. Kept in this file (git-ignored, readable by you only).
DEMO_PASSWORD_FILE ?= var/demo-password

# manage.py and Celery default to the production settings; the laptop targets
# below ask for the local (DEBUG) ones explicitly.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

demo: setup demo-password
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) $(BIN)/python manage.py seed_demo --password="$$(cat $(DEMO_PASSWORD_FILE))"
	@echo "演示账号的密码：$$(cat $(DEMO_PASSWORD_FILE))（保存在 $(DEMO_PASSWORD_FILE)）"
	$(LOCAL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo-password:
	@mkdir -p "$$(dirname "$(DEMO_PASSWORD_FILE)")"; umask 077; \
	if [ -n "$$PASSWORD" ]; then \
	  printf '%s\n' "$$PASSWORD" > "$(DEMO_PASSWORD_FILE)"; how="由 PASSWORD= 指定"; \
	elif [ -s "$(DEMO_PASSWORD_FILE)" ]; then \
	  how="沿用上次 make demo 的密码"; \
	else \
	  LC_ALL=C tr -dc 'A-HJ-NP-Za-km-z2-9' < /dev/urandom | head -c 16 > "$(DEMO_PASSWORD_FILE)"; \
	  echo >> "$(DEMO_PASSWORD_FILE)"; how="未指定 PASSWORD=，已随机生成"; \
	fi; \
	chmod 600 "$(DEMO_PASSWORD_FILE)"; \
	echo "============================================================"; \
	echo "  演示账号（office、observer、unit-…、judge01…）的密码：$$(cat "$(DEMO_PASSWORD_FILE)")"; \
	echo "  （$$how；保存在 $(DEMO_PASSWORD_FILE)）"; \
	echo "============================================================"

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
	@test -x $(BIN)/python || { \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "未找到 Python 3.11 或更新的版本（已查找：$(PYTHON_CANDIDATES)）。"; \
	    echo "请先安装 Python 3.11 及以上版本（含 venv 模块），例如：sudo apt-get install -y python3 python3-venv；"; \
	    echo "或用 make PYTHON=/path/to/python3.12 指定解释器。"; exit 1; \
	  fi; \
	  if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
	    echo "$(PYTHON) 不能使用：需要 Python 3.11 或更新的版本。"; exit 1; \
	  fi; \
	  echo "用 $$($(PYTHON) --version 2>&1)（$(PYTHON)）创建 $(VENV)"; \
	  $(PYTHON) -m venv $(VENV) || { echo "创建虚拟环境失败：请安装 $(PYTHON) 的 venv 模块（如 sudo apt-get install -y python3-venv）。"; exit 1; }; \
	}
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
