#!/usr/bin/env bash
# Benchmark (not a test): `winddown serve` over a run folder, driven on loopback by a bounded
# request loop (curl, one request at a time): start-up time, then each route's p50/p95/max over
# N requests, and the server's peak resident memory (VmHWM). Prints a Markdown table for
# docs/performance.md.
#
#   bash bench/desk.sh RUN_OUT [N] [path/to/winddown]
#   DESK_BENCH_WRITE=1 bash bench/desk.sh RUN_OUT      # and append the figures to the docs
#
# RUN_OUT is the output folder of `winddown run` (with payouts); lender ids for the look-ups
# are taken from its claims.parquet (DuckDB in the bench venv, as bench/run.sh sets it up).
set -euo pipefail
run="$(cd "$1" && pwd)"
n="${2:-50}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/winddown-target}"
bin="${3:-$CARGO_TARGET_DIR/release/winddown}"
venv="${WINDDOWN_BENCH_VENV:-$HOME/.cache/winddown-bench-venv}"
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"

# Ids to look up: platforms and lenders spread over the files (not the first rows only).
mapfile -t platforms < <("$venv/bin/python" - "$run" <<'PY'
import duckdb, sys
for (p,) in duckdb.sql(f"select platform_id from '{sys.argv[1]}/platforms.parquet' using sample 20 rows (reservoir, 7)").fetchall():
    print(p)
PY
)
mapfile -t lenders < <("$venv/bin/python" - "$run" <<'PY'
import duckdb, sys
for (l,) in duckdb.sql(f"select lender_id from '{sys.argv[1]}/claims.parquet' using sample 20 rows (reservoir, 7)").fetchall():
    print(l)
PY
)

start=$(date +%s.%N)
"$bin" -q serve "$run" --port "$port" > /tmp/winddown-desk-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -s -o /dev/null "$base/"; do
  kill -0 $pid 2>/dev/null || { cat /tmp/winddown-desk-bench.log; exit 1; }
  sleep 0.05
done
ready=$(echo "$(date +%s.%N) - $start" | bc)

# One route: N requests (cycling through the sample ids), seconds each → p50 p95 max in ms.
measure() {
  local name="$1"; shift
  local times=()
  for ((k = 0; k < n; k++)); do
    local url="${1//\{P\}/${platforms[k % ${#platforms[@]}]}}"
    url="${url//\{L\}/${lenders[k % ${#lenders[@]}]}}"
    times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$base$url")")
  done
  local bad
  bad=$(printf '%s\n' "${times[@]}" | awk '$1 != 200' | wc -l)
  printf '%s\n' "${times[@]}" | awk '{ printf "%.3f\n", $2 * 1000 }' | sort -n | awk -v name="$name" -v bad="$bad" '
    { t[NR] = $1 }
    END {
      p50 = t[int((NR + 1) * 0.5)]; p95 = t[int(NR * 0.95 + 0.999)]
      printf "| %s | %d | %.1f | %.1f | %.1f |%s\n", name, NR, p50, p95, t[NR], (bad > 0 ? " " bad " not 200" : "")
    }'
}

report() {
  echo "start-up: ${ready} s (until / answers)"
  echo
  echo "| route | requests | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|"
  measure "overview /" "/"
  measure "platforms, first page" "/platforms"
  measure "platforms, class + sort" "/platforms?class=failed&sort=-lender_outstanding"
  measure "platforms, search" "/platforms?q=%E5%B9%B3%E5%8F%B0"
  measure "platforms JSON" "/platforms?format=json"
  measure "a platform" "/platforms/{P}"
  measure "a platform JSON" "/platforms/{P}?format=json"
  measure "payouts" "/payouts"
  measure "a lender (look-up)" "/lenders/{L}"
  measure "a lender JSON" "/lenders/{L}?format=json"
  measure "platforms CSV, every row" "/platforms?format=csv"
  echo
  echo "peak resident memory: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$pid/status)"
}

table="$(report)"
echo "$table"
if [ "${DESK_BENCH_WRITE:-}" = 1 ]; then
  docs="$(cd "$(dirname "$0")/.." && pwd)/docs/performance.md"
  {
    echo
    echo "## $(date -u +%Y-%m-%d): the desk, \`bash bench/desk.sh $1 $n\`"
    echo
    echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); \`$bin\` ($("$bin" --version))."
    echo
    echo "$table"
  } >> "$docs"
  echo "appended to $docs"
fi
