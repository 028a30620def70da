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
# Inputs as DuckDB partitions them (docs/inputs.md, "A table as a folder of parts"): the city's
# tables written by DuckDB as Parquet, once whole and once with the investments hive-partitioned
# by platform (`PARTITION_BY`: the column only in the folders' names, the rows in another
# order), give the same data files byte for byte.
"$venv/bin/python" - "$root/data-samples/city" "$out/duckdb" <<'PY'
import pathlib, sys
import duckdb
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
con = duckdb.connect()
typed = {"invested_on": "DATE", "matures_on": "DATE", "amount": "DECIMAL(18,2)",
         "principal_returned": "DECIMAL(18,2)", "returns_received": "DECIMAL(18,2)"}
for table in ["platforms", "lenders", "loans", "investments", "recoveries"]:
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{src / table}.csv', all_varchar = true)")
    columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    select = ", ".join(f"CAST({c} AS {typed[c]}) AS {c}" if table == "investments" and c in typed else c
                       for c in columns)
    for layout in ["whole", "parts"]:
        (dst / layout).mkdir(parents=True, exist_ok=True)
        if table == "investments" and layout == "parts":
            con.execute(f"COPY (SELECT {select} FROM {table}) TO '{dst / layout / table}' "
                        "(FORMAT parquet, PARTITION_BY (platform_id))")
        else:
            con.execute(f"COPY (SELECT {select} FROM {table}) TO '{dst / layout / table}.parquet' (FORMAT parquet)")
parts = sorted((dst / "parts" / "investments").glob("platform_id=*/*.parquet"))
assert len(parts) > 1, parts
print(f"duckdb: investments in {len(parts)} hive partitions")
PY
for layout in whole parts; do
  (cd "$root" && cargo run --quiet --locked -- run "$out/duckdb/$layout" --out "$out/duckdb-$layout" -q)
done
"$venv/bin/python" - "$out/duckdb-whole" "$out/duckdb-parts" <<'PY'
import json, sys
whole, parts = ({f["file"]: f["sha256"] for f in json.load(open(f"{d}/manifest.json"))["files"]}
                for d in sys.argv[1:])
# validation.json and rejects.csv name the files, a part or the whole.
data = [f for f in whole if f.endswith(".parquet")]
differ = [f for f in data if whole[f] != parts.get(f)]
assert data and not differ, f"hive partitions differ from the whole table: {differ}"
print(f"duckdb partitions: {len(data)} data files the same as the whole table's")
PY
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
