#!/bin/sh
# The CLI and DuckDB on the benchmark's Parquet files (issue 11): run after
# `cargo bench --bench tables` has generated them. Checks that planq and DuckDB give the
# same counts, then times
#   planq --table big=FILE -c 'big | count by k'        (hyperfine, whole process)
#   DuckDB (Python package): SELECT k, count(*) FROM FILE GROUP BY k   (in-process, median)
# Usage: benches/tables_cli.sh [ROWS]   (default 10000000)
set -eu
rows=${1:-10000000}
target=${CARGO_TARGET_DIR:-target}
file="$target/bench-data/tables-$rows.parquet"
planq="$target/release/planq"
[ -f "$file" ] || { echo "no $file: run cargo bench --bench tables first" >&2; exit 1; }
[ -x "$planq" ] || { echo "no $planq: run cargo build --release first" >&2; exit 1; }

planq_out=$("$planq" --table "big=$file" --format csv -c 'big | count by k | sort k')
duck_out=$(python3 - "$file" <<'PY'
import sys, duckdb
rows = duckdb.sql(f"SELECT k, count(*) FROM read_parquet('{sys.argv[1]}') GROUP BY k ORDER BY k").fetchall()
print("k,count")
for k, n in rows:
    print(f"{k},{n}")
PY
)
if [ "$planq_out" != "$duck_out" ]; then
    echo "planq and DuckDB disagree" >&2
    exit 1
fi
echo "answers equal ($(echo "$planq_out" | wc -l) lines)"

hyperfine --warmup 2 --runs 15 -N "$planq --table big=$file -c 'big | count by k'" \
    --export-json "$target/bench-data/tables-cli-$rows.json"

python3 - "$file" <<'PY'
import statistics, sys, time, duckdb
con = duckdb.connect()
q = f"SELECT k, count(*) FROM read_parquet('{sys.argv[1]}') GROUP BY k"
con.sql(q).fetchall()  # warm-up
times = []
for _ in range(15):
    t = time.perf_counter()
    con.sql(q).fetchall()
    times.append(time.perf_counter() - t)
print(f"duckdb {duckdb.__version__} (in-process): median {statistics.median(times)*1000:.1f} ms, "
      f"min {min(times)*1000:.1f} ms over {len(times)} runs")
PY
