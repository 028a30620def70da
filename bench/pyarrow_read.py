"""Read the five input tables whole with pyarrow (from PyPI, pinned in run.sh): the plain
Parquet reader the province's run is measured against (docs/performance.md, "The benchmark").

usage: python pyarrow_read.py DATA
"""
import sys

import pyarrow.parquet as pq

data = sys.argv[1]
rows = {
    table: pq.read_table(f"{data}/{table}.parquet").num_rows
    for table in ["platforms", "loans", "lenders", "investments", "recoveries"]
}
print("pyarrow: " + ", ".join(f"{n} {t}" for t, n in rows.items()))
