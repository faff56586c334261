# The front door. Every target is a thin call into scripts/ that a reader can follow.
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help setup lock up down status demo test lint typecheck unit contracts contracts-check \
        contracts-wheel asyncapi asyncapi-check compose-check helm-check bench chaos event-examples screenshots

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## install uv and the pinned Python dependencies into .venv
	@./scripts/setup.sh

lock: ## re-resolve dependencies and rewrite the pinned requirement files
	@./scripts/lock.sh

up: setup ## start Kafka, Postgres, the four services, the web app and the sandboxes; addresses in .local/stack.env
	@./scripts/stack.sh up

down: ## stop everything `make up` started
	@./scripts/stack.sh down

status: ## show what is running
	@./scripts/stack.sh status

demo: setup ## bring the stack up, take twenty Dext items end to end into the Xero sandbox, sign in on the web
	@./scripts/demo.sh

test: ## lint, types, contract and doc checks, every test on real Kafka and Postgres, the Xero fidelity net, the short chaos run
	@./scripts/test.sh

lint: setup ## ruff check and format check
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

typecheck: setup ## mypy --strict on every package's src
	@.venv/bin/mypy -p countersign_contracts -p countersign_platform \
	  -p countersign_ingest -p countersign_approval -p countersign_publisher -p countersign_notifier \
	  -p countersign_web \
	  -p countersign_dext_sandbox -p countersign_xero_sandbox -p countersign_mail_sandbox \
	  -p countersign_qbo_sandbox \
	  -p countersign_harness
	@MYPYPATH=examples/bill-board/src .venv/bin/mypy -p bill_board

unit: setup ## unit tests only: no network, no processes, no Kafka or Postgres (seconds)
	@.venv/bin/pytest -q -m unit -p no:cacheprovider

contracts: setup ## regenerate the published JSON Schemas (refuses breaking changes)
	@.venv/bin/countersign-contracts generate

contracts-check: setup ## fail when the contracts break a published major version or drifted
	@.venv/bin/countersign-contracts check

contracts-wheel: setup ## build the contracts package as a wheel into dist/, for teams downstream
	@uv build --quiet --wheel --out-dir dist libs/contracts && ls dist/countersign_contracts-*.whl

asyncapi: setup ## regenerate docs/asyncapi/<service>.json
	@$(PY) -m countersign_platform.asyncapi generate docs/asyncapi

asyncapi-check: setup ## fail when docs/asyncapi/ is out of date
	@$(PY) -m countersign_platform.asyncapi check docs/asyncapi

screenshots: setup ## drive the people-facing pages in headless Chromium; their screenshots into docs/images/
	@./scripts/screenshots.sh

event-examples: setup ## run the pipeline; one real message per public event type into docs/events/examples/
	@./scripts/event_examples.sh

compose-check: setup ## validate docker-compose.yml against the compose specification, offline
	@.venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

helm-check: ## lint the Helm chart and validate its rendered manifests, offline
	@./scripts/helm-check.sh

bench: setup ## benchmarks; results in bench/results/
	@./scripts/bench.sh

chaos: setup ## kill services, crash and restart Kafka and Postgres, fault Xero, flood ingest; reconcile (ARGS=--short)
	@./scripts/chaos.sh $(ARGS)
