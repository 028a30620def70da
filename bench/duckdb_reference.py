"""Run bench/duckdb_reference.sql on an input folder (DuckDB from PyPI, pinned in run.sh).

usage: python duckdb_reference.py DATA OUT [threads]
"""
import os
import pathlib
import sys

import duckdb

data, out = sys.argv[1], sys.argv[2]
threads = sys.argv[3] if len(sys.argv) > 3 else None
os.makedirs(out, exist_ok=True)
con = duckdb.connect()
if threads:
    con.execute(f"SET threads = {int(threads)}")
con.execute(f"SET VARIABLE data = '{data}'")
con.execute(f"SET VARIABLE out = '{out}'")
sql = (pathlib.Path(__file__).parent / "duckdb_reference.sql").read_text()
con.execute(sql)
claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
payouts = con.execute("SELECT count(*) FROM payouts").fetchone()[0]
print(f"duckdb: {claims} claims, {payouts} round-1 payout rows")
