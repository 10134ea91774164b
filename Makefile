# Two commands for a newcomer: `make run` and `make test`. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test cluster-test cluster-chaos bench chaos lint system-run system-test system-bench messages clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $$(deploy/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-run:
	@deploy/system-packages.sh run

system-test:
	@deploy/system-packages.sh test

system-bench:
	@deploy/system-packages.sh bench

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore='.venv/*' -v0

## make run: the whole app on loopback (Dovecot, Redis, gateway, worker, web) with demo data.
run: system-run $(STAMP) messages
	CONVERGENCE_DEVELOPMENT=true $(PY) manage.py rundev

## make test: the whole suite once in random order (PostgreSQL when DATABASE_URL says so; the
## seed is printed, `make test TEST_SEED=N` replays an order), then the end-to-end slice again
## on the embedded SQLite default. TEST_WORKERS pytest-xdist processes share the work, each
## with its own Dovecot, gateway, worker and Redis database (TEST_REDIS_DB + index).
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile
test: system-test $(STAMP) messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest $(PYTEST_PARALLEL) -p randomly -m "not cluster" $(if $(TEST_SEED),--randomly-seed=$(TEST_SEED))
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== end-to-end slice on the embedded SQLite default =="; \
	  env -u DATABASE_URL $(PY) -m pytest $(PYTEST_PARALLEL) -m e2e; \
	fi

## make cluster-test: a small cluster on loopback (tests/test_cluster.py): two nodes with
## their own var directories (gateway, worker, gunicorn each), two Dovecot backends behind a
## Dovecot proxy; mail accepted on one node is delivered by the other's worker and read on
## both web nodes. Not part of `make test` (it starts eleven processes); CI runs both.
cluster-test: system-test $(STAMP) messages
	$(PY) -m pytest -m cluster tests/test_cluster.py

## make bench: the webmail against its raw IMAP floor and Debian's Roundcube on 1,000, 10,000
## and 50,000 messages, in a private Dovecot, delivery, the agenda on 3,000 events and an import
## of 50,000 contacts in a private Radicale (docs/benchmarks.md); then the directory's search,
## compose suggestions and HR imports (the first export, a night's export) on a generated
## académie of 100,000 people brought in by the HR import, on SQLite and, with
## BENCH_DATABASE_URL, on PostgreSQL (docs/benchmarks-directory.md). BENCH_SIZES=2000
## AGENDA_BENCH_EVENTS=300 CONTACTS_BENCH_ROWS=5000 BENCH_DIRECTORY_PEOPLE=10000 make bench for
## a quick run (BENCH_WEBMAIL_ONLY=1: the webmail and Roundcube only). Also two Celery workers
## against one and two web nodes against one (bench/cluster_speed.py; BENCH_CLUSTER_ONLY=1
## BENCH_CLUSTER_MESSAGES=200: that section alone, rewritten in docs/benchmarks.md).
bench: system-bench $(STAMP) messages
	$(PY) -m bench.run
	env -u BENCH_DATABASE_URL $(PY) -m bench.directory
	if [ -n "$$BENCH_DATABASE_URL" ]; then $(PY) -m bench.directory; fi

## make chaos: the fault and abuse campaign (kills of the worker, Dovecot and Redis under
## mail; kills of beat alone while scheduled messages fall due; password guessing; hostile
## messages in every page; a sign-in storm and kills of the web workers mid-request) on a
## private stack; writes
## docs/benchmarks-chaos.md. CHAOS_MESSAGES=100 make chaos for a quick run.
chaos: system-run $(STAMP) messages
	$(PY) -m bench.chaos

## make cluster-chaos: issue #18's campaign on the cluster of make cluster-test (nodes from
## devstack/cluster.py, a PostgreSQL database made for the run, a private Redis): 1,000
## messages to 200 people on both backends while one node is lost whole (its worker with its
## beat, gateway and web process killed at one random moment or three; the seed is printed,
## CLUSTER_CHAOS_SEED=N replays it); each INBOX read
## over IMAP through the proxy (lost, doubled) and on the web through both nodes with the
## sessions signed in before. Writes its section of docs/benchmarks-chaos.md.
## CLUSTER_CHAOS_MESSAGES=100 make cluster-chaos for a quick run (20 people). Not in CI.
cluster-chaos: system-test $(STAMP) messages
	$(PY) -m bench.cluster_chaos

## make lint: ruff, then the import contracts of pyproject.toml (no cycle, no upward import).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

clean:
	rm -rf var/
