#!/usr/bin/env bash
# Rebuild data-samples/ from the generator: the city sample (CSV, UTF-8), the same
# platforms table as a GBK CSV with Chinese headers for Chinese Excel users, and the cases
# sample (illegal-fundraising cases' tables).
# Usage: data-samples/make.sh [path/to/winddown]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-cargo run --quiet --locked --}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
$bin generate --scale city --seed 2019 --out "$tmp/city"
cp "$tmp"/city/*.csv "$here/city/"
$bin generate --cases --seed 2019 --platforms 8 --lenders 600 --out "$tmp/cases"
mkdir -p "$here/cases"
cp "$tmp"/cases/*.csv "$here/cases/"
python3 - "$here" <<'PY'
import csv, sys, pathlib
here = pathlib.Path(sys.argv[1])
headers = {
    "platform_id": "平台编号", "name": "平台名称", "district": "属地",
    "case_filed": "已立案", "controller_missing": "实控人失联", "repayment_suspended": "兑付困难",
    "cooperating": "配合处置", "reporting": "正常报数", "red_flags": "风险标记",
}
yes_no = {"true": "是", "false": "否"}
rows = list(csv.reader(open(here / "city" / "platforms.csv", encoding="utf-8")))
out = [[headers[h] for h in rows[0]]] + [[yes_no.get(c, c) for c in r] for r in rows[1:]]
with open(here / "gbk" / "platforms.csv", "w", encoding="gbk", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(out)
PY
echo "wrote $here/city, $here/gbk/platforms.csv and $here/cases"
