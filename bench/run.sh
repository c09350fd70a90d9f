#!/usr/bin/env bash
# `make bench SIZES="1M 10M"` (the index stage on canonical data: bench/run.py) and
# `make bench-e2e SIZES="10M panel"` (`bench/run.sh e2e`: the whole job from a BACI release
# zip, bench/run_e2e.py): builds tradepipe, installs the Python engines in bench/.venv, and
# runs the benchmark. Data are generated once per size under bench/data/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = e2e ]; then
    script=bench/run_e2e.py
    sizes="${SIZES:-10M}"
else
    script=bench/run.py
    sizes="${SIZES:-1M 10M 50M}"
fi
cargo build --locked --quiet --workspace --all-targets
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
# shellcheck disable=SC2086
bench/.venv/bin/python "$script" --repeats "${REPEATS:-3}" $sizes
