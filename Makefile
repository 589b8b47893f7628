# carecoord: `make run` and `make test` install whatever is missing first
# (a virtualenv from uv.lock, the Kafka jars from Maven Central) and then
# start or test the real system: Kafka 4 (KRaft), PostgreSQL, three services.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
CACHE := .cache
UV := $(CACHE)/uv/bin/uv
VENV := .venv
INSTALLED := $(VENV)/.installed-from-lock
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help install run start stop status logs test test-unit lint format bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "carecoord needs Python >= 3.11 (set PYTHON=...)")'
	@echo "==> installing uv $(UV_VERSION) into $(CACHE)/uv"
	@$(PYTHON) -m venv $(CACHE)/uv && $(CACHE)/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(INSTALLED): pyproject.toml uv.lock | $(UV)
	@echo "==> installing the locked Python packages into $(VENV)"
	@UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

install: $(INSTALLED)  ## install Python packages (uv.lock) and the Kafka jars (Maven Central)
	@$(PY) -m devstack fetch

run: install  ## start Kafka, PostgreSQL and the three services; Ctrl-C stops everything
	@$(PY) -m devstack run

start: install  ## the same, in the background (stop with `make stop`)
	@$(PY) -m devstack start

stop:  ## stop what `make run` / `make start` started
	@if [ -x $(PY) ]; then $(PY) -m devstack stop; fi

status:  ## what runs, where
	@$(PY) -m devstack status

logs:  ## follow the logs (make logs C=care_team)
	@$(PY) -m devstack logs $(C) -f

test: install  ## the whole suite against real Kafka and PostgreSQL
	@$(PY) -m pytest $(PYTEST_ARGS)

test-unit: $(INSTALLED)  ## only the unit tests (no Kafka, no PostgreSQL)
	@$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: $(INSTALLED)  ## ruff and mypy
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy shared services devstack tests bench

format: $(INSTALLED)  ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

bench: install  ## benchmarks in one run: table, bench-results/ (JSON, PNG); make bench ONLY=limits
	@$(PY) -m bench.run $(if $(ONLY),--only $(ONLY)) $(BENCH_ARGS)

clean: stop  ## remove the virtualenv, the Kafka jars, local data and caches
	rm -rf $(VENV) $(CACHE) .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
