# The two commands a newcomer needs: `make run` and `make test`. Everything else is theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DJANGO_SETTINGS_MODULE := config.settings
PYTEST_ARGS ?=
# The suite runs in two processes (pytest-xdist), one per core of the CI machine; 0 runs it in one.
PYTEST_WORKERS ?= 2

.PHONY: run test install assets check lint typecheck security pytest stack demo migrate lock clean soak bench

## run: install what is needed, migrate, load demo data and serve http://127.0.0.1:8000
run: install migrate
	python manage.py demo_data
	honcho --no-colour -f Procfile.embedded start

## test: install what is needed, then ruff, mypy, the security checks and the whole pytest suite
test: install lint typecheck security pytest

install: $(VENV)/.installed assets

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements/dev.txt | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed
	npm run --silent build

migrate: $(VENV)/.installed
	python manage.py migrate --noinput -v 0

lint: $(VENV)/.installed
	ruff check .
	ruff format --check .
	lint-imports --no-cache

typecheck: $(VENV)/.installed
	mypy .

# bandit over our code; pip-audit over the lock file (skipped, saying so, where the advisory
# database is out of reach); Django's deployment checks with the production settings.
security: $(VENV)/.installed
	bandit -c pyproject.toml -r . -q && echo "bandit: no issues"
	python .ci/dependency_audit.py requirements/base.txt
	CAREGRAPH_MODE=production DEBUG=0 ALLOWED_HOSTS=caregraph.example.org \
	  SECRET_KEY="$$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  DATABASE_URL=postgres://caregraph@127.0.0.1:5432/caregraph \
	  python manage.py check --deploy --fail-level WARNING

pytest: $(VENV)/.installed assets
	pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## stack: the production processes by hand (needs DATABASE_URL and REDIS_URL set)
stack: install
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "Set DATABASE_URL and REDIS_URL first (see README)."; exit 2; }
	python manage.py migrate --noinput -v 0
	python manage.py collectstatic --noinput
	honcho --no-colour -f Procfile start

## bench: every benchmark, then docs/benchmarks.md and docs/fanout.svg (needs DATABASE_URL and REDIS_URL)
BENCH_ARGS ?=
bench:
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "Set DATABASE_URL and REDIS_URL first (see bench/README.md)."; exit 2; }
	python -m bench.report $(BENCH_ARGS)

demo: migrate
	python manage.py demo_data

## soak: ten minutes of a bad day against the real services (needs DATABASE_URL on PostgreSQL)
soak: $(VENV)/.installed
	python -m bench.soak

## lock: re-resolve the Python lock files after changing pyproject.toml
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules var frontend/static/frontend/build
