# Two commands matter: `make run` and `make test`. Both use cargo's dev profile, which
# optimises dependencies (see Cargo.toml), so a run and the tests share one build.
CARGO ?= cargo
CONFIG ?= pipeline.toml

.PHONY: run test venv build fmt lint clean bench bench-e2e

# Built with every target (tests included) so that dependency features are unified exactly as
# `cargo test` unifies them: `make run` after `make test` (or the other way round) compiles
# nothing twice. The binary is then run directly, not through `cargo run`, which would
# resolve features without the dev-dependencies and rebuild.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

build:
	$(CARGO) build --locked --workspace --all-targets

run: build
	$(TARGET_DIR)/debug/tradepipe --config $(CONFIG) run
	@echo "Open output/reports/china-central-asia/index.html (Markdown: report.md beside it)."

# The Python venv of the cross-checks is made here when it is missing, as .ci/run makes it
# (built aside and moved into place, so a failed install leaves none). A check that still
# cannot run (no Chromium, no network for the venv) is skipped by name and listed in the
# closing summary; under CI=true a skip is a failure.
SKIPPED := $(TARGET_DIR)/tmp/skipped-checks.txt
test: venv
	@rm -f $(SKIPPED)
	@$(CARGO) test --locked --workspace; status=$$?; \
	bash scripts/skipped-summary.sh $(SKIPPED); \
	exit $$status

venv:
	@if [ ! -x .venv/bin/python ]; then \
	  echo "setting up .venv for the Python cross-checks (tests/reference/requirements.txt)"; \
	  rm -rf .venv.partial && python3 -m venv .venv.partial && \
	  .venv.partial/bin/pip install --quiet --disable-pip-version-check -r tests/reference/requirements.txt && \
	  mv .venv.partial .venv || { rm -rf .venv.partial; echo "make test: no .venv (pip failed): the Python cross-checks will be skipped"; }; \
	fi

# Side-by-side timing against Python polars, DuckDB and pandas (see bench/README.md).
# ENGINES="tradepipe spark" picks engines (spark: the Spark engine on local[2]).
SIZES ?= 1M 10M 50M
bench:
	SIZES="$(SIZES)" ENGINES="$(ENGINES)" BENCH_ARGS="$(BENCH_ARGS)" bash bench/run.sh

# The whole job from a BACI release zip (fetch + normalize + indices) against the same job in
# polars, DuckDB and pandas (see bench/README.md). SIZES: 10M, panel, memory, or YEARSxRECORDS.
bench-e2e:
	SIZES="$(if $(filter command line environment,$(origin SIZES)),$(SIZES),10M)" bash bench/run.sh e2e

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf output
