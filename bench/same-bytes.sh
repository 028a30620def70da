#!/usr/bin/env bash
# Every data file winddown writes for one input folder, as sha256 lines: run before and after a
# change that must not change any output byte (a refactor), then diff the two lists.
# Usage: bench/same-bytes.sh DATA OUT_DIR [path/to/winddown]   (DATA with recoveries)
set -euo pipefail
data="$(cd "$1" && pwd)"
out="$2"
bin="${3:-${CARGO_TARGET_DIR:-target}/release/winddown}"
rm -rf "$out"
mkdir -p "$out"
cd "$out"
export WINDDOWN_PSEUDONYM_KEY=same-bytes-key-for-tests
"$bin" -q run "$data" --csv --xlsx --pay-all-rounds --payments bank --payment-file pay.csv --out run
"$bin" -q run "$data" --pseudonymize --out pseudo
"$bin" -q plan "$data" --stages 6 --out plan
"$bin" -q compare "$data" --out compare
"$bin" -q vote "$data" --scheme pro --out vote
"$bin" -q validate "$data" --out validate
"$bin" -q report "$data" --from run --out report
"$bin" -q progress plan run --out progress > /dev/null
"$bin" -q statement run --all --data "$data" --out statements
# The register records when each transfer was issued: everything else must be identical.
find . -type f ! -name winddown-register.csv -print0 | sort -z | xargs -0 sha256sum
