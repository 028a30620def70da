#!/usr/bin/env bash
# Execute the notebooks headless against a fresh `winddown run` of data-samples/city (and two
# `winddown case` rounds of data-samples/cases).
# Installs the pinned Python packages into a virtualenv (reused between runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${WINDDOWN_VENV:-$HOME/.cache/winddown-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/notebooks/requirements.txt"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Small row groups, so that the lookup notebook shows the bloom filters pruning them.
(cd "$root" && WINDDOWN_ROW_GROUP_ROWS=2000 cargo run --quiet --locked -- run data-samples/city --out "$out/city" -q)
export WINDDOWN_OUT="$out/city"
# The same run with the large exports as hive-partitioned folders, for partitioned_outputs.
(cd "$root" && cargo run --quiet --locked -- run data-samples/city --partition-by district --out "$out/city-parts" -q)
export WINDDOWN_PARTITIONED_OUT="$out/city-parts"
# Two clearance rounds of the sample cases, for case_review.
(cd "$root" && cargo run --quiet --locked -- case data-samples/cases --as-of 2021-06-30 --out "$out/case-r1" -q)
(cd "$root" && cargo run --quiet --locked -- case data-samples/cases --ledger "$out/case-r1" --out "$out/case-r2" -q)
export WINDDOWN_CASE_OUT="$out/case-r2" WINDDOWN_CASE_DATA="$root/data-samples/cases"
"$venv/bin/python" - "$root/notebooks" "$out/executed" <<'PY'
import pathlib, sys
import nbformat
from nbclient import NotebookClient
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
books = sorted(src.glob("*.ipynb"))
for path in books:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(src)}}).execute()
    nbformat.write(nb, dst / path.name)
    print(f"notebook {path.name}: executed")
print(f"{len(books)} passed, 0 failed")
PY
