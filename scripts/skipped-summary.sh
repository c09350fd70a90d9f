#!/usr/bin/env bash
# `make test`'s closing line: the checks the suite skipped, by name, from the file
# tests/util.rs::skip appends to (one "test: why" line each), or that none was skipped.
# Usage: scripts/skipped-summary.sh <skipped-checks.txt>
set -u
file="$1"
if [ -s "$file" ]; then
    echo "make test: $(wc -l < "$file") check(s) skipped:"
    sed 's/^/  /' "$file"
else
    echo "make test: no check skipped"
fi
