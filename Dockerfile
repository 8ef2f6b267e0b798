# Production image: gunicorn + whitenoise (web), the same image runs the
# Celery worker and beat (see docker-compose.yml). Build: docker-compose build
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media

# WeasyPrint's system libraries: Pango, HarfBuzz's subsetter (without it font
# subsetting is 20-40x slower) and the CJK font of the certificates.
# fontconfig's fc-cache builds the font cache now: the app user cannot write
# one, and without it every process would rescan the large CJK fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies from pyproject.toml (no dev extras). Only pyproject.toml and the
# README are copied here, so this layer is rebuilt only when they change; the
# project's own packages are not in the build context yet, so this installs the
# dependencies and the project's metadata. The code runs from /app (on
# PYTHONPATH): the templates, static files and manage.py live there.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Static files are collected into the image (whitenoise serves them). The
# SECRET_KEY below exists only in this build step; the running container
# must get a real one from the environment (.env). The code and the static
# files stay owned by root; the app user writes only var/ (the beat schedule)
# and var/media (a named volume takes this directory's owner when created).
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown app:app /app/var /app/var/media

USER app

EXPOSE 8000

# The production settings redirect plain HTTP to HTTPS and check the Host
# header, so the probe says it came through the TLS proxy and uses the first
# allowed host.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.').replace('*', 'localhost') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz/', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"

CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --timeout ${GUNICORN_TIMEOUT:-60} --access-logfile - --error-logfile -"]
