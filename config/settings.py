"""Caregraph settings.

Every setting comes from the environment, with the embedded default (SQLite, in-memory
channel layer, a local file broker for Celery) where none is given. Set
``CAREGRAPH_MODE=production`` for a deployment: it then refuses to start without a real
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.beat import beat_schedule
from config.storage import private_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(env.str("CAREGRAPH_VAR_DIR", default=str(BASE_DIR / "var")))

MODE = env.str("CAREGRAPH_MODE", default="embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("CAREGRAPH_MODE must be 'embedded' or 'production'.")
PRODUCTION = MODE == "production"

# Refused in production (see below); bandit's B105, like ruff's S105, is answered here.
EMBEDDED_SECRET_KEY = "embedded-only-insecure-key-never-use-in-production"  # noqa: S105 # nosec
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default=EMBEDDED_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "frontend.views.errors.csrf_failure"

if PRODUCTION:
    problems = []
    if SECRET_KEY == EMBEDDED_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("SECRET_KEY must be a random value of at least 50 characters")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the service answers to")
    if not env.str("DATABASE_URL", default=""):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if DEBUG:
        problems.append("DEBUG must be off")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "daphne",  # ASGI runserver for `make run`
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "servestatic",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",  # only so migration api.0002 can carry its tokens over
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "phonenumber_field",
    "caregraph",
    "accounts",
    "agencies",
    "concerns",
    "calendars",
    "messaging",
    "sharedfiles",
    "medicines",
    "wellbeing",
    "notifications",
    "api",
    "frontend",
    "demo",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.RequireMfaMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],  # ours before allauth's
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.service",
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'caregraph.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "config.db.sqlite3"  # flush may empty the audit table
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so the server and worker processes that tests start share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif env.bool("DATABASE_PGBOUNCER", default=False):
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"  # flush may empty the audit table
    # Behind PgBouncer in transaction mode: it pools, and a server-side cursor (which lives
    # across statements on one server connection) would be handed to another client.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Each process holds at most DATABASE_POOL_MAX connections (psycopg's pool): under ASGI
    # every request may run on a thread of its own, and without a bound 40 concurrent
    # requests opened 51 connections and then met "too many clients". A request that
    # waits longer than DATABASE_POOL_TIMEOUT for one is answered 503 with Retry-After
    # (config.errors). Size: workers x DATABASE_POOL_MAX + Celery's below max_connections.
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Names this deployment's keys and channels in Redis (the channel layer, the live stream).
CHANNEL_PREFIX = env.str("CHANNEL_PREFIX", "caregraph")
# The test suite runs in parallel workers (pytest-xdist) that share one Redis: each keeps
# its own channels and cache keys, as their databases hold different networks under the
# same ids. The processes a test starts inherit the variable, so they name them alike.
if TEST_WORKER := env.str("PYTEST_XDIST_WORKER", default=""):
    CHANNEL_PREFIX = f"{CHANNEL_PREFIX}-{TEST_WORKER}"
# The live stream's hub (caregraph.hub): how often it reads how far each log has reached
# (the longest an event lost on the way can be late), and how often sockets hear so.
LIVE_POLL_SECONDS = env.float("LIVE_POLL_SECONDS", default=2.0)
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=20.0)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # Each process waits on Redis in 5-second blocking reads. redis-py 8 gives up
                # on any read after 5 seconds by default, which dropped every socket left idle
                # that long (channels_redis#422): allow longer, yet still notice a dead Redis.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": CHANNEL_PREFIX,
            },
        }
    }
    CACHES = {
        "default": {
            # Answers "nothing cached" while Redis is away, so that signing in still works.
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            "KEY_PREFIX": CHANNEL_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs -------------------------------------------------------------------------

CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded mode: the worker and beat run locally and share a folder instead of Redis.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = beat_schedule(env)

# --- Concerns -------------------------------------------------------------------------------

# An unacknowledged concern of this severity escalates to the lead agency's safeguarding
# leads after this many minutes.
CONCERN_ESCALATION_MINUTES = {
    "urgent": env.int("ESCALATE_URGENT_AFTER_MINUTES", default=60),
    "high": env.int("ESCALATE_HIGH_AFTER_MINUTES", default=24 * 60),
}
# A cumulative concern alert is raised when concerns about one person come from this many
# agencies within this many days, or when this many low concerns gather within the window.
PATTERN_AGENCIES = env.int("PATTERN_AGENCIES", default=3)
PATTERN_WINDOW_DAYS = env.int("PATTERN_WINDOW_DAYS", default=30)
PATTERN_LOW_CONCERNS = env.int("PATTERN_LOW_CONCERNS", default=5)

# --- Notifications --------------------------------------------------------------------------

# A worker holds a message it is sending for this long; one that dies mid-send leaves it to
# be claimed again afterwards. The SMTP timeout stays well under the lease.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_SMTP_TIMEOUT_SECONDS = env.int("OUTBOX_SMTP_TIMEOUT_SECONDS", default=30)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=60)

# --- Calendar -------------------------------------------------------------------------------

CALENDAR_TIME_ZONE = "Europe/London"
# The person's overview warns when no professional visit was held or booked in this many days.
NO_CONTACT_DAYS = env.int("NO_CONTACT_DAYS", default=28)
# GOV.UK Notify for text-message reminders; without a key, reminders go by e-mail only.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")

# --- Sign-in -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "frontend.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "frontend.forms.accounts.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# One address an account: a change waits, as a second unverified address, until the link
# sent to it (through the outbox, frontend.adapters) is followed, then replaces the old one.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/account/login/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Caregraph: "
ACCOUNT_PREVENT_ENUMERATION = True
# django-axes owns lockout after failed passwords; allauth's own counter would answer first.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Wrong two-factor codes count towards the same lockout as wrong passwords (accounts.lockout);
# a code given is noted in the session for the two-factor duty (accounts.two_factor).
MFA_FORMS = {
    "authenticate": "frontend.forms.accounts.TwoFactorAuthenticateForm",
    "reauthenticate": "frontend.forms.accounts.TwoFactorReauthenticateForm",
    "activate_totp": "frontend.forms.accounts.TwoFactorActivateForm",
}
MFA_TOTP_ISSUER = "Caregraph"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.signin_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.signin_locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes keeps the form fields of each failure; a two-factor code is masked like a password.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
# Lockout is per account, not per address: a council office behind one NAT address must not
# be locked out because several colleagues mistyped. axes warns about that choice (W006).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- E-mail --------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Caregraph <no-reply@caregraph.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the service at, for links in e-mails sent by background jobs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Web -----------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Shared files (sharedfiles/): a folder under VAR_DIR, or a private S3 bucket (config/storage.py).
SHARED_FILE_MAX_BYTES = env.int("SHARED_FILE_MAX_BYTES", default=10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "shared_files": private_storage(
        env, prefix="SHARED_FILES", default_dir=VAR_DIR / "uploads" / "shared-files"
    ),
    "wellbeing_photos": private_storage(
        env, prefix="WELLBEING_PHOTOS", default_dir=VAR_DIR / "uploads" / "photos"
    ),
    "staticfiles": {
        "BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# What a photo upload may be: its size in bytes, how many to an update, the longest side kept.
WELLBEING_PHOTO_MAX_BYTES = env.int("WELLBEING_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
WELLBEING_PHOTOS_PER_UPDATE = env.int("WELLBEING_PHOTOS_PER_UPDATE", default=4)
WELLBEING_PHOTO_MAX_SIDE = env.int("WELLBEING_PHOTO_MAX_SIDE", default=1600)
SERVESTATIC_USE_FINDERS = not PRODUCTION
SERVESTATIC_AUTOREFRESH = not PRODUCTION

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first, so that a request without credentials is answered 401 with a challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],  # a view that filters names its django-filter FilterSet
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_METADATA_CLASS": "api.metadata.PlainMetadata",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caregraph API",
    "DESCRIPTION": (
        "The care network around a person at risk, for council case systems, GP systems and "
        "scripts. Ask for a token at `POST /api/v1/auth/token/` and send it as "
        '`Authorization: Token <token>`. Errors are `{"errors": {"<field>": ["..."]}}`; '
        "what you may not see answers 404. Lists are paginated with `?page=`."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The kit's own answers (401, 404 past the last page, 503 with Retry-After, ...) on
    # every operation they can happen to: see api/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.kit_answers_document",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MemberKindEnum": "caregraph.models.MemberKind",
        "AgencyKindEnum": "agencies.models.AgencyKind",
        "StaffRoleEnum": "agencies.models.StaffRole",
        "VisibilityEnum": "caregraph.models.Visibility",
        "IdentifierSystemEnum": "caregraph.models.IdentifierSystem",
        "JoinRequestStatusEnum": "caregraph.models.JoinRequestStatus",
        "AuditActionEnum": "caregraph.models.AuditAction",
        "ConcernCategoryEnum": "concerns.models.ConcernCategory",
        "ConcernSeverityEnum": "caregraph.models.Severity",
        "ConcernStatusEnum": "concerns.models.ConcernStatus",
        "ConcernUpdateKindEnum": "concerns.models.ConcernUpdateKind",
        "AlertRuleEnum": "concerns.models.AlertRule",
        "EventKindEnum": "calendars.models.EventKind",
    },
    # Served from our own static files (drf-spectacular-sidecar): nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

PHONENUMBER_DEFAULT_REGION = "GB"

# --- Logs ----------------------------------------------------------------------------------

LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING_CONFIG = None
from config.logging import logging_configure  # noqa: E402

logging_configure(json_lines=LOG_FORMAT == "json", level=LOG_LEVEL)
