#!/usr/bin/env bash
# `make bench-e2e SIZES="10M panel"`: builds tradepipe, installs the Python engines in
# bench/.venv, and runs bench/run_e2e.py. Release zips are generated once per size under
# bench/data/.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${SIZES:-10M}"
cargo build --locked --quiet --workspace --all-targets
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
# shellcheck disable=SC2086
bench/.venv/bin/python bench/run_e2e.py --repeats "${REPEATS:-3}" $sizes
