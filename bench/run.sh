#!/usr/bin/env bash
# Benchmark (not a test): `winddown run` against a DuckDB reference doing the core work
# (bench/duckdb_reference.sql) and, for Parquet, against pyarrow reading the five tables whole
# (bench/pyarrow_read.py), on the same generated files, timed alternately with
# /usr/bin/time -v; prints wall time, peak RSS and the ratios.
#
#   bash bench/run.sh [SCALE] [FORMAT] [REPEATS]
#
# SCALE: quarter | half | province | double | national (¼, ½, 1, 2 and 10× a province of
# 1,000 platforms and 5M lenders); FORMAT: parquet | csv; REPEATS: runs of each (default 2).
# `BENCH_ONLY=winddown` skips DuckDB (national). Data is generated once (seed 7) into
# $WINDDOWN_BENCH_DATA (default ~/.cache/winddown-bench), outputs go to a scratch folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scale="${1:-province}"
format="${2:-parquet}"
repeats="${3:-2}"
store="${WINDDOWN_BENCH_DATA:-$HOME/.cache/winddown-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/winddown-target}"
venv="${WINDDOWN_BENCH_VENV:-$HOME/.cache/winddown-bench-venv}"

case "$scale" in
  quarter)  gen=(--scale province --platforms 250 --lenders 1250000) ;;
  half)     gen=(--scale province --platforms 500 --lenders 2500000) ;;
  province) gen=(--scale province) ;;
  double)   gen=(--scale province --platforms 2000 --lenders 10000000) ;;
  national) gen=(--scale national) ;;
  *) echo "unknown scale $scale" >&2; exit 2 ;;
esac

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check duckdb==1.5.6 pyarrow==26.0.1

(cd "$root" && cargo build --release --locked --quiet)
bin="$CARGO_TARGET_DIR/release/winddown"
data="$store/$scale-$format"
if [ ! -f "$data/manifest.json" ]; then
  mkdir -p "$store"
  "$bin" generate "${gen[@]}" --seed 7 --format "$format" --out "$data" -q
fi
du -sh "$data" | sed 's/^/input: /'

scratch="$(mktemp -d "${TMPDIR:-/tmp}/winddown-bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# One timed run: prints "wall_seconds peak_kb".
measure() {
  local log="$scratch/time.log"
  # The run before's files written out first: no run pays for another's writeback.
  sync
  /usr/bin/time -v "$@" >"$scratch/out.log" 2>"$log" || { cat "$scratch/out.log" "$log" >&2; exit 1; }
  local wall rss
  wall="$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
  rss="$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')"
  echo "$wall $rss"
}

results=()
for i in $(seq 1 "$repeats"); do
  rm -rf "$scratch/w"
  read -r w r < <(measure "$bin" run "$data" --out "$scratch/w" -q)
  echo "run $i: winddown ${w}s, peak $((r / 1024)) MB"
  results+=("winddown $w $r")
  if [ "${BENCH_ONLY:-}" != "winddown" ]; then
    rm -rf "$scratch/d"
    read -r w r < <(measure "$venv/bin/python" "$root/bench/duckdb_reference.py" "$data" "$scratch/d")
    echo "run $i: duckdb   ${w}s, peak $((r / 1024)) MB"
    results+=("duckdb $w $r")
    if [ "$format" = parquet ]; then
      read -r w r < <(measure "$venv/bin/python" "$root/bench/pyarrow_read.py" "$data")
      echo "run $i: pyarrow  ${w}s, peak $((r / 1024)) MB (the five tables read whole)"
      results+=("pyarrow $w $r")
    fi
  fi
done

printf '%s\n' "${results[@]}" | awk -v scale="$scale" -v format="$format" '
  { n[$1]++; if (!($1 in best) || $2 < best[$1]) best[$1] = $2; if ($3 > peak[$1]) peak[$1] = $3 }
  END {
    printf "\n%s %s (best of %d):\n", scale, format, n["winddown"]
    printf "  winddown run: %7.1f s, peak %6.0f MB\n", best["winddown"], peak["winddown"] / 1024
    if ("duckdb" in best) {
      printf "  duckdb core:  %7.1f s, peak %6.0f MB\n", best["duckdb"], peak["duckdb"] / 1024
      printf "  ratio winddown / duckdb: %.2f\n", best["winddown"] / best["duckdb"]
    }
    if ("pyarrow" in best) {
      printf "  pyarrow read: %7.1f s, peak %6.0f MB\n", best["pyarrow"], peak["pyarrow"] / 1024
      printf "  ratio winddown / pyarrow read: %.2f\n", best["winddown"] / best["pyarrow"]
    }
  }'
