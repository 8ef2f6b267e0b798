"""Settings shared by every environment, read from the environment.

See ``.env.example`` for every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env_file = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(env_file).is_file():
    env.read_env(env_file)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "competition",
    "notifications",
    "nominations",
    "judging",
    "certificates",
    "exhibition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "competition.middleware.RequestContextMiddleware",
    "competition.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sign-in: an account with a one-time password may only change it.
    "competition.people.middleware.MustChangePasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler off for the application's sessions: on a bad row estimate it
    # spent 5-8 s compiling a 0.3 s ranking query (docs/benchmarks.md); the application's
    # queries are short, so compiling never pays. Set per connection, not server-wide.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# The scorecard save's fixed read (judging/services/scoring_row.py) as a server-side prepared
# statement per connection. Off behind a pooler in transaction mode that cannot hold prepared
# statements (PgBouncer before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "competition.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Password sign-in only: permissions come from the role predicates alone.
    "competition.backends.PasswordBackend",
]
# Django's four password validators, with Chinese messages (competition/validators.py);
# applied wherever a password is set (services.user_create, the password change,
# the admin's forms, seed_demo).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "competition.validators.UserAttributeSimilarityValidator"},
    {"NAME": "competition.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "competition.validators.CommonPasswordValidator"},
    {"NAME": "competition.validators.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.StaticFilesStorage"},
}
# Uploads are written to disk past this size; services check the real limits.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

REDIS_URL = env.str("REDIS_URL", default="")
# The cache (sign-in throttle, public limits, exhibition bodies) in its own Redis
# with an LRU maxmemory, so that nothing cached can fill the Celery broker;
# without CACHE_URL it shares REDIS_URL (a laptop, CI).
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="xlf"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager (in process) when no broker is configured.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs (celery beat; without a broker, run the management commands of the same names).
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {"task": "judging.drain_outbox", "schedule": 60.0},
    "certificates-drain-outbox": {"task": "certificates.drain_outbox", "schedule": 60.0},
    # Deadline reminders (each sent once per recipient and threshold), the daily 企业微信
    # summary, and deliveries left unsent; without beat: ``manage.py send_reminders``.
    "notifications-periodic": {"task": "notifications.periodic", "schedule": 600.0},
    # Returned nominations whose 补正截止 has passed → 已逾期未更正; without beat: ``manage.py lapse_overdue``.
    "nominations-lapse-overdue": {"task": "nominations.lapse_overdue", "schedule": 600.0},
}
# An unacknowledged task (its worker died) is delivered again after this many seconds.
# Workers sweep for such tasks every interval × throttle seconds.
# A send to a broker that is down fails within seconds (the job stays in the outbox).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}

# Number of reverse proxies in front of the app. 0: X-Forwarded-For and
# X-Request-ID are never believed (any client could write them); n: the n-th
# X-Forwarded-For address from the right is the client's, and the proxy's
# X-Request-ID is kept. NUM_PROXIES is its former name, read when it is unset.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("NUM_PROXIES", default=0))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "competition.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "competition.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "competition.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public": "60/minute",
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles identify clients like competition.middleware.client_address does.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# The OpenAPI schema (/api/schema/) and its Swagger page (/api/docs/) for anyone;
# otherwise (production) for the office only. Always open when DEBUG is on.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

SPECTACULAR_SETTINGS = {
    "TITLE": "太原市学雷锋志愿服务先进典型推选 API",
    "DESCRIPTION": "推荐、资格审查、评审、公示、荣誉证书与云展馆的接口。认证：`Authorization: Token <token>`。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "competition.enums.Phase",
        "UnitKindEnum": "competition.enums.UnitKind",
        "CategoryKindEnum": "competition.enums.CategoryKind",
        "RoleEnum": "competition.enums.Role",
        "AggregationMethodEnum": "competition.enums.AggregationMethod",
        "NominationStatusEnum": "nominations.enums.Status",
        "AttachmentKindEnum": "nominations.enums.AttachmentKind",
        "ServiceFieldEnum": "nominations.enums.ServiceField",
        "DecisionEnum": "nominations.enums.Decision",
        "AssignmentStatusEnum": "judging.enums.AssignmentStatus",
        "ObjectionStatusEnum": "judging.enums.ObjectionStatus",
    },
}

# API tokens and login throttling.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12))
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
# Failed sign-ins per window: per (account, client address) the low limit, per
# address one across accounts, per account only a high ceiling (so that wrong
# passwords from anywhere cannot lock an account out for everyone).
LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = env.int("LOGIN_FAILURES_PER_ACCOUNT_ADDRESS", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=100)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Public objections (异议): limits per client address (every attempt), per phone
# number and per nomination (objections received). 0 turns a limit off.
OBJECTIONS_PER_ADDRESS_PER_HOUR = env.int("OBJECTIONS_PER_ADDRESS_PER_HOUR", default=10)
OBJECTIONS_PER_PHONE_PER_DAY = env.int("OBJECTIONS_PER_PHONE_PER_DAY", default=3)
OBJECTIONS_PER_NOMINATION_PER_DAY = env.int("OBJECTIONS_PER_NOMINATION_PER_DAY", default=30)
# Looking an objection up by receipt and phone: every attempt, per client address.
OBJECTION_LOOKUPS_PER_ADDRESS_PER_HOUR = env.int("OBJECTION_LOOKUPS_PER_ADDRESS_PER_HOUR", default=30)
# 意见建议 from the 云展馆: every attempt, per client address. 0 turns the limit off.
SUGGESTIONS_PER_ADDRESS_PER_HOUR = env.int("SUGGESTIONS_PER_ADDRESS_PER_HOUR", default=5)

# Distinct list responses (a hall's filters and pages) each family of the public
# exhibition stores in the cache per 6 hours; further ones are served uncached.
EXHIBITION_CACHED_QUERIES_MAX = env.int("EXHIBITION_CACHED_QUERIES_MAX", default=1000)
# Nomination attachments: the longest video accepted, in seconds (the form promises 3 minutes).
NOMINATIONS_VIDEO_MAX_SECONDS = env.int("NOMINATIONS_VIDEO_MAX_SECONDS", default=180)
# The content halls of the 云展馆: the longest video the office may put on show, in seconds.
EXHIBITION_VIDEO_MAX_SECONDS = env.int("EXHIBITION_VIDEO_MAX_SECONDS", default=180)

# Notifications (the notifications app). E-mail through Django's mail framework, set by
# EMAIL_URL (django-environ's form): smtp+tls://user:password@host:587 (STARTTLS; the same as
# smtp://…:587/?EMAIL_USE_TLS=True), smtp+ssl://user:password@host:465 (SSL),
# smtp://127.0.0.1:25 (plain), consolemail:// (prints the mails: the embedded default, the demo).
# A "@" in the user name is written %40.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
for _name in ("EMAIL_USE_TLS", "EMAIL_USE_SSL"):  # "?EMAIL_USE_TLS=False" arrives as a string
    if isinstance(EMAIL_CONFIG.get(_name), str):
        EMAIL_CONFIG[_name] = EMAIL_CONFIG[_name].strip().lower() in ("1", "true", "yes", "on")
vars().update({k: v for k, v in EMAIL_CONFIG.items() if k.startswith("EMAIL_") and v is not None})
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="太原市学雷锋志愿服务推选 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The office's 企业微信 group robot (optional): https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
WECOM_WEBHOOK_URL = env.str("WECOM_WEBHOOK_URL", default="")
# A failed send is retried this many times, after 30 s, 60 s, 120 s… (Celery's exponential
# backoff, capped at an hour); then it stays failed until the office retries it.
NOTIFICATIONS_MAX_RETRIES = env.int("NOTIFICATIONS_MAX_RETRIES", default=5)
NOTIFICATIONS_RETRY_BACKOFF = env.int("NOTIFICATIONS_RETRY_BACKOFF", default=30)
# The daily summary goes to the 企业微信 group at the first periodic run after this hour (local time).
NOTIFICATIONS_SUMMARY_HOUR = env.int("NOTIFICATIONS_SUMMARY_HOUR", default=8)

# Rankings on PostgreSQL are computed in the database (judging.aggregation_sql); off, the
# pure-Python reference (judging.aggregation) computes them, as it always does on SQLite.
JUDGING_AGGREGATION_SQL = env.bool("JUDGING_AGGREGATION_SQL", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
