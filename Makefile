# archportal — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PG_TEST_URL ?= $(PG_URL)

.PHONY: run build test fmt-check clippy test-rust pg-up pg-clean schema fmt bench-docs

## Build and serve with the embedded defaults (SQLite and blobs under ./data, http://127.0.0.1:8080).
run:
	$(CARGO) run -p archportal-api --bin archportal -- serve

build:
	$(CARGO) build --workspace

## Everything CI runs: formatting, lints, every test on SQLite and on PostgreSQL.
test: fmt-check clippy pg-up test-rust

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

## Every Rust test; each storage-touching scenario runs once on SQLite and once on PostgreSQL.
test-rust: pg-clean
	$(CARGO) test --workspace --all-features --no-fail-fast

## Make sure the PostgreSQL server the tests use answers (start the local cluster if it is down).
pg-up:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "PostgreSQL is down: starting the local cluster"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

## Drop test databases left behind by interrupted runs.
pg-clean: pg-up
	@psql "$(PG_URL)" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'archportal\_test\_%' OR datname LIKE 'archportal\_cli\_%'" \
	  | while read -r db; do [ -n "$$db" ] && psql "$(PG_URL)" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; done; true

## Regenerate the committed GraphQL SDL after changing the API.
schema:
	UPDATE_SCHEMA=1 $(CARGO) test -p archportal-api --test schema

fmt:
	$(CARGO) fmt --all

## Document benchmarks: PDF/A-1 and DOCX check throughput (criterion), then
## upload ingest MB/s and server RSS growth over loopback (load harness).
bench-docs:
	$(CARGO) bench -p archportal-domain --features testing --bench checks
	$(CARGO) bench -p archportal-api --bench upload
