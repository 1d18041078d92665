# The Caregraph application image: one image for every process (web, worker, beat,
# migrate); docker-compose.yml picks the command. Build: docker build -t caregraph .

# --- Stage 1: the front-end assets (GOV.UK Frontend styles and scripts) -----------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/assets frontend/assets
COPY frontend/static frontend/static
# Writes frontend/static/frontend/build/ (never taken from the build context: see .dockerignore).
RUN npm run build

# --- Stage 2: the Python application ----------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings \
    CAREGRAPH_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 caregraph \
 && useradd --system --uid 10001 --gid caregraph --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin caregraph

# Runtime dependencies only, exactly as locked: every package pinned and hash-checked.
RUN python -m venv /opt/venv
COPY requirements/base.txt /tmp/requirements-base.txt
RUN pip install --require-hashes -r /tmp/requirements-base.txt \
 && rm /tmp/requirements-base.txt

WORKDIR /app
COPY . .
COPY --from=assets /build/frontend/static/frontend/build frontend/static/frontend/build

# collectstatic must run in production mode: only then does it write the hashed, compressed
# files and the manifest that production serves. The values below exist for this one command
# (nothing connects to them) and are not kept in the image; the real ones come at run time.
RUN CAREGRAPH_MODE=production \
    SECRET_KEY=build-only-collectstatic-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var/beat /app/var/uploads \
 && chown caregraph:caregraph /app/var /app/var/beat /app/var/uploads

# The code stays owned by root, so the application cannot change it; only /app/var is its own.
USER caregraph
EXPOSE 8000

# Liveness only (the process answers). Django checks the Host header even here, so send the
# first name in ALLOWED_HOSTS. There is no curl in the slim image; Python is enough.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h and h != '*' else 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"

# The web process, as in the Procfile. exec: uvicorn gets the stop signal, not the shell.
# No uvicorn access log: it would print full paths and query strings (which can carry names
# and the secret calendar-feed tokens); the app logs one line per request without them.
CMD ["sh", "-c", "exec uvicorn config.asgi:application --host 0.0.0.0 --port 8000 --workers ${WEB_WORKERS:-2} --proxy-headers --no-server-header --no-access-log"]
