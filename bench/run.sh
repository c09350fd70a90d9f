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
engines=()
if [ -n "${ENGINES:-}" ] && [ "$script" = bench/run.py ]; then
    engines=(--engines "$ENGINES")
    case " $ENGINES " in
    *" spark "*)
        # The Spark engine: pyspark at the version the tests pin, spark-submit found on PATH.
        bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check \
            "$(grep '^pyspark==' tests/reference/requirements.txt)"
        export PATH="$PWD/bench/.venv/bin:$PATH"
        ;;
    esac
fi
# BENCH_ARGS: more options of the script (`--no-complexity`, `--complexity-repeats 2`).
# shellcheck disable=SC2086
bench/.venv/bin/python "$script" --repeats "${REPEATS:-3}" "${engines[@]}" ${BENCH_ARGS:-} $sizes
