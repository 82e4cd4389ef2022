# innovate.aws_postgres — developer entry points. `make demo` and `make test` work on a fresh
# machine: each installs what it needs (Debian packages, .venv) through scripts/bootstrap.sh.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help bootstrap demo up down status test lint sanity unit localenv-test integration molecule awx-test build bench clean

help:
	@echo "make demo   - set up, start the local AWS environment and run site.yml -i inventories/local"
	@echo "make test   - set up and run lint, sanity, unit, local-environment and integration tests"
	@echo "make up|down|status - control the local environment"
	@echo "make bench  - run the benchmarks under bench/"

bootstrap:
	@scripts/bootstrap.sh

up: bootstrap
	@$(BIN)/python -m localenv up

down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m localenv down; fi

status:
	@$(BIN)/python -m localenv status

demo: up
	@scripts/demo.sh

test: bootstrap
	@scripts/test.sh

lint:
	@scripts/lint.sh

sanity:
	@scripts/sanity.sh
	@scripts/doc_check.sh

unit:
	@$(BIN)/python -m pytest tests/unit -q -p no:cacheprovider

localenv-test:
	@$(BIN)/python -m pytest tests/localenv -q -p no:cacheprovider

# One worker per test file (each with its own local environment); most of the time is spent
# waiting on PostgreSQL servers and ansible-playbook start-up, so more workers than cores pays.
INTEGRATION_WORKERS ?= 3
integration: build
	@$(BIN)/python -m pytest tests/integration -q -p no:cacheprovider -n $(INTEGRATION_WORKERS) --dist loadfile --durations=25

molecule:
	@scripts/molecule.sh

# AWX / Automation Controller: surveys, credential types, the EE build context, jobs run with ansible-runner.
awx-test:
	@$(BIN)/python -m pytest tests/awx -q -p no:cacheprovider

build:
	@scripts/build.sh

bench: up
	@$(BIN)/python bench/site_noop.py
	@$(BIN)/python bench/site_noop.py --skip-first-converge --limit app-db --comparable
	@$(BIN)/python bench/parameter_group_noop.py
	@$(BIN)/python bench/pg_role_model_scale.py
	@$(BIN)/python bench/posture_audit.py

clean: down
	rm -rf build .pytest_cache
