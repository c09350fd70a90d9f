#!/usr/bin/env bash
# `make bench SIZES="1M 10M"`: builds tradepipe, installs the Python engines in bench/.venv,
# and runs bench/run.py. Benchmark data are generated once per size under bench/data/.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${SIZES:-1M 10M 50M}"
cargo build --locked --quiet --workspace --all-targets
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
# shellcheck disable=SC2086
bench/.venv/bin/python bench/run.py --repeats "${REPEATS:-3}" $sizes
