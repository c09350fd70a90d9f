#!/usr/bin/env bash
# The yearly report job: what examples/github-actions-yearly-report.yml runs, and what a
# scheduled job on any CI can run. Validates, runs the pipeline with JSON logs, records the
# data's freshness, and gathers the reports, the run manifest and the log into one folder to
# publish as an artifact.
#
#   scripts/yearly-report.sh ARTIFACT_DIR
#
# Environment: TRADEPIPE (the binary; default ./target/debug/tradepipe), CONFIG (default
# pipeline.toml), TRADEPIPE_OUTPUT (default: output next to the config), and whatever the
# configured sources need (COMTRADE_API_KEY, TRADEPIPE_*_URL).
set -euo pipefail

artifact="${1:?usage: scripts/yearly-report.sh ARTIFACT_DIR}"
bin="${TRADEPIPE:-./target/debug/tradepipe}"
config="${CONFIG:-pipeline.toml}"
mkdir -p "$artifact"

"$bin" --config "$config" validate
"$bin" --config "$config" --log-format json run 2> "$artifact/run.log.jsonl"

# Stale data is reported, not fatal: the report says which year its data end in.
set +e
"$bin" --config "$config" freshness > "$artifact/freshness.txt"
fresh=$?
set -e
if [ "$fresh" -ge 3 ]; then
    echo "freshness check could not run (exit $fresh)" >&2
    exit "$fresh"
fi

# Where the run wrote: the output directory named in the last log line.
output="$(tail -n 1 "$artifact/run.log.jsonl" | sed -n 's/.*"output":"\([^"]*\)".*/\1/p')"
if [ -z "$output" ] || [ ! -f "$output/manifest.json" ]; then
    echo "the run's log does not name an output directory with a manifest" >&2
    exit 70
fi
cp -R "$output/reports" "$artifact/reports"
cp "$output/manifest.json" "$artifact/manifest.json"
echo "artifact ready: $artifact (freshness exit $fresh)"
