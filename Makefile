# archportal — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PG_TEST_URL ?= $(PG_URL)

DEMO_ORGANIZATIONS ?= 30
DEMO_OBJECTS ?= 500
DEMO_SERVICES ?= 100

.PHONY: demo bench bench-docs bench-exports fuzz run build test fmt-check clippy deny audit test-rust test-frontend frontend pg-up pg-clean schema fmt crash-short crash db-fault search-fault soak reliability-bins

NPM ?= npm
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
FRONTEND_INSTALLED := frontend/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/codegen.yml -type f 2>/dev/null)

## Build the web UI and serve everything with the embedded defaults (SQLite and blobs under ./data, http://127.0.0.1:8080).
run: frontend
	$(CARGO) run -p archportal-api --bin archportal -- serve

## The web UI, built into frontend/dist (served by archportal at /).
frontend: frontend/dist/index.html

$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm is needed to build the web UI (Node.js 20+)"; exit 1; }
	cd frontend && $(NPM) ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: $(FRONTEND_INSTALLED) $(FRONTEND_SOURCES) api/schema.graphql
	cd frontend && $(NPM) run build

## A living portal for a first look: seeds an empty database with demo data in Kazakh and Russian
## (fixed seed, so always the same), then serves it like `make run`. Sign in after `archportal admin create`.
demo: frontend
	$(CARGO) build -p archportal-api --bin archportal
	@if $(TARGET_DIR)/debug/archportal demo seed --organizations $(DEMO_ORGANIZATIONS) --objects $(DEMO_OBJECTS) --services $(DEMO_SERVICES); then :; \
	  else echo "(not seeded: the database already holds data; serving it as it is)"; fi
	$(TARGET_DIR)/debug/archportal serve

## Criterion benchmarks of the PDF/A-1 and DOCX checks and the upload ingest harness.
bench-docs:
	$(CARGO) bench -p archportal-domain --features testing --bench checks
	$(CARGO) bench -p archportal-api --bench upload

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := pdfa_check docx_check accounting_code_parse bin_parse calendar_import graphql_request
# Per-target cargo-fuzz options and libFuzzer flags. graphql_request runs the whole server
# in-process, so it is its own crate (fuzz/graphql: the other targets do not build the server),
# without AddressSanitizer (safe Rust end to end; ASan's 256 MB allocation quarantine would take
# half of the 512 MB RSS limit), in its own build directory, with a dictionary of the schema's
# identifiers; an input taking over 10 s is a finding (fuzz/known-hangs/README.md).
FUZZ_OPTS_graphql_request := --fuzz-dir graphql --sanitizer none --target-dir target/graphql
FUZZ_ARGS_graphql_request := -dict=graphql_request.dict -timeout=10

## Fuzz the document checkers, the parsers and the GraphQL request path (nightly toolchain and
## `cargo install cargo-fuzz`): each target in turn for FUZZ_SECONDS (default 60), starting from
## fuzz/seeds; new inputs go to fuzz/corpus, crashes to fuzz/artifacts (fuzz/graphql/artifacts for
## graphql_request). A crash becomes a file in domain/tests/fuzz-regressions/<target> (parsers,
## checkers) or tests/e2e/fuzz-regressions/graphql_request, replayed by the fuzz_inputs tests.
fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is needed: cargo install cargo-fuzz"; exit 1; }
	cd fuzz && $(foreach t,$(FUZZ_TARGETS),mkdir -p corpus/$(t) && \
	  $(CARGO) +nightly fuzz run $(FUZZ_OPTS_$(t)) $(t) corpus/$(t) seeds/$(t) -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=512 $(FUZZ_ARGS_$(t)) && ) true

## The load benchmark (release build): seeds PostgreSQL, drives analyst queries at 1/16/64 clients,
## compares with PostGraphile on the same database, repeats on SQLite, prints a table. See benches/README.md.
bench:
	$(CARGO) build --release -p archportal-api --bin archportal -p archportal-bench --bin load
	$(TARGET_DIR)/release/load --archportal $(TARGET_DIR)/release/archportal --pg-url "$(PG_URL)" $(BENCH_ARGS)

## Memory of the streamed exports, backup and restore (debug build, like the reliability harness): fills
## PostgreSQL and SQLite to 10,000 then 100,000 objects and integration requests, downloads each export
## (CSV, XLSX) from a fresh server sampling its VmRSS every 20 ms, runs backup and restore the same way,
## prints a table. EXPORTS_ARGS="--sizes 1000,10000 --backends sqlite --no-backup". See benches/README.md.
bench-exports: pg-up
	$(CARGO) build -p archportal-api --bin archportal
	$(CARGO) build -p archportal-bench --bin exports
	$(TARGET_DIR)/debug/exports --archportal $(TARGET_DIR)/debug/archportal --pg-url "$(PG_URL)" $(EXPORTS_ARGS)

build:
	$(CARGO) build --workspace

## The reliability harness (benches/src/bin/reliability.rs) drives the real debug server; see benches/README.md.
SOAK_SECONDS ?= 600
RELIABILITY = $(TARGET_DIR)/debug/reliability --archportal $(TARGET_DIR)/debug/archportal --pg-url "$(PG_URL)"

# Two builds, so that the server is built with the same features as `make test-frontend`'s (no rebuild).
reliability-bins:
	$(CARGO) build -p archportal-api --bin archportal
	$(CARGO) build -p archportal-bench --bin reliability

## Short form run by `make test`: kill -9 the server 5 times per backend (SQLite, PostgreSQL) under a mixed
## load and check the invariants after each kill; then cut PostgreSQL for 30 s under load; then fill the search
## index's disk (ENOSPC, a 32 MiB tmpfs: needs root) for 10 s under load. CRASH_ARGS="--seed N".
crash-short: pg-up reliability-bins
	$(RELIABILITY) crash --kills 5 $(CRASH_ARGS)
	$(RELIABILITY) db-fault --outage-secs 30
	$(RELIABILITY) search-fault --outage-secs 10

## Long form: 50 kills per backend.
crash: pg-up reliability-bins
	$(RELIABILITY) crash --kills 50 $(CRASH_ARGS)

## PostgreSQL unreachable for 30 s under load, refused and then black-holed (through the harness's TCP proxy).
db-fault: pg-up reliability-bins
	$(RELIABILITY) db-fault --outage-secs 30
	$(RELIABILITY) db-fault --outage-secs 30 --blackhole

## The embedded search index's file system full (ENOSPC, a 32 MiB tmpfs mounted on its directory: needs root)
## for 30 s under writes: writes succeed, /readyz says search degraded, the index catches up.
search-fault: pg-up reliability-bins
	$(RELIABILITY) search-fault --outage-secs 30

## A steady mixed load for SOAK_SECONDS (600) on PostgreSQL; prints RSS and p50/p99 every 30 s. Not in CI.
soak: pg-up reliability-bins
	$(RELIABILITY) soak --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

## Everything CI runs: formatting, lints, every test on SQLite and on PostgreSQL, the web UI's checks and browser tests.
test: fmt-check clippy deny pg-up test-rust crash-short test-frontend

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

## Dependency audit without the advisory database: licenses, bans (no OpenSSL), sources (crates.io only); see deny.toml.
deny:
	@command -v cargo-deny >/dev/null || { echo "cargo-deny is missing: installing it (cargo install --locked cargo-deny)"; $(CARGO) install --locked cargo-deny; }
	$(CARGO) deny check licenses bans sources

## The RustSec advisories too (fetches https://github.com/rustsec/advisory-db: needs network).
audit:
	$(CARGO) deny check advisories licenses bans sources

## Every Rust test; each storage-touching scenario runs once on SQLite and once on PostgreSQL.
test-rust: pg-clean
	$(CARGO) test --workspace --all-features --no-fail-fast

## The web UI: types generated from api/schema.graphql are current, unit tests, then browser tests
## (Debian's chromium) against the real server on a fresh database.
test-frontend: $(FRONTEND_INSTALLED) frontend
	cd frontend && $(NPM) run check && $(NPM) test
	$(CARGO) build -p archportal-api --bin archportal
	cd frontend && ARCHPORTAL_BIN=$(TARGET_DIR)/debug/archportal $(NPM) run e2e

## Make sure the PostgreSQL server the tests use answers (start the local cluster if it is down).
pg-up:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "PostgreSQL is down: starting the local cluster"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

## Drop test databases left behind by interrupted runs: only those whose name
## says they were created more than two hours ago, so that test runs going on
## at the same time (other checkouts, CI) are never disturbed.
pg-clean: pg-up
	@psql "$(PG_URL)" -Atc "SELECT datname FROM pg_database WHERE datname ~ '^archportal_(test|cli)_[0-9]+_' AND split_part(datname, '_', 3)::bigint < extract(epoch FROM now()) - 7200" \
	  | while read -r db; do [ -n "$$db" ] && psql "$(PG_URL)" -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; done; true

## Regenerate the committed GraphQL SDL after changing the API.
schema:
	UPDATE_SCHEMA=1 $(CARGO) test -p archportal-api --test schema

fmt:
	$(CARGO) fmt --all
