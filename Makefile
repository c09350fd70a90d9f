# Two commands matter: `make run` and `make test`. Both use cargo's dev profile, which
# optimises dependencies (see Cargo.toml), so a run and the tests share one build.
CARGO ?= cargo
CONFIG ?= pipeline.toml

.PHONY: run test build fmt lint clean bench

build:
	$(CARGO) build --locked

run: build
	$(CARGO) run --locked --quiet -- --config $(CONFIG) run
	@echo "Open output/reports/china-central-asia/index.html (Markdown: report.md beside it)."

test:
	$(CARGO) test --locked --workspace

# Side-by-side timing against Python polars, DuckDB and pandas (see bench/README.md).
SIZES ?= 1M 10M 50M
bench:
	SIZES="$(SIZES)" bash bench/run.sh

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf output
