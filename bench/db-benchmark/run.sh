#!/usr/bin/env bash
# The db-benchmark group-by and join questions in planq (library and CLI), hand-written
# polars and DuckDB, each answer checked equal to the others before it is timed; one
# markdown table per task and size on stdout (median of $RUNS runs, default 5).
#
#   bench/db-benchmark/run.sh            # N = 1e6 and 1e7, group-by and join
#   bench/db-benchmark/run.sh 1e6        # one size
#   TASKS=join bench/db-benchmark/run.sh 1e7   # one task (groupby, join)
#
# Needs cargo and python3 (with venv). Python packages (numpy, pyarrow, duckdb; pinned
# below) go into a venv under $PLANQ_BENCH_HOME (default ~/.cache/planq-db-benchmark),
# with the generated data (G1_<N>_1e2.parquet, join/<N>/{x,small,medium,big}.parquet,
# made once per size) and the raw timings.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
home=${PLANQ_BENCH_HOME:-$HOME/.cache/planq-db-benchmark}
runs=${RUNS:-5}
tasks=${TASKS:-groupby join}
cli_runs=${CLI_RUNS:-$runs}   # whole processes writing every row: CLI_RUNS=1 saves minutes at 1e7
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1e6 1e7)

venv=$home/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy, pyarrow, duckdb' 2>/dev/null; then
    echo "run.sh: installing numpy, pyarrow, duckdb into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'numpy==2.4.6' 'pyarrow==26.0.1' 'duckdb==2.0.1'
fi
py=$venv/bin/python

echo "run.sh: building planq and the db_benchmark example (release)" >&2
(cd "$root" && cargo build --release --example db_benchmark --bin planq >&2)
target=${CARGO_TARGET_DIR:-$root/target}

for n in "${sizes[@]}"; do
  if [[ " $tasks " == *" groupby "* ]]; then
    data=$home/G1_${n}_1e2.parquet
    out=$home/results/$n
    mkdir -p "$out"
    [ -f "$data" ] || "$py" "$here/gen.py" "$n" "$data"
    echo "run.sh: N=$n: planq library and polars" >&2
    "$target/release/examples/db_benchmark" "$data" --runs "$runs" --answers "$out/answers" > "$out/library.csv"
    echo "run.sh: N=$n: DuckDB" >&2
    "$py" "$here/duckdb_run.py" "$data" "$out/answers" --runs "$runs" > "$out/duckdb.csv"
    echo "run.sh: N=$n: planq CLI" >&2
    "$py" "$here/cli_run.py" "$target/release/planq" "$data" "$out/answers" --runs "$cli_runs" > "$out/cli.csv"
    "$py" "$here/report.py" "$n" "$out/library.csv" "$out/duckdb.csv" "$out/cli.csv"
    echo
  fi
  if [[ " $tasks " == *" join "* ]]; then
    jdir=$home/join/$n
    [ -f "$jdir/big.parquet" ] || "$py" "$here/gen.py" "$n" "$jdir" --join
    out=$home/results/join-$n
    mkdir -p "$out"
    q=(--questions "$here/join_questions.json")
    more=()
    for t in small medium big; do more+=(--table "$t=$jdir/$t.parquet"); done
    echo "run.sh: N=$n join: planq library and polars" >&2
    "$target/release/examples/db_benchmark" "$jdir/x.parquet" "${q[@]}" "${more[@]}" \
        --runs "$runs" --answers "$out/answers" > "$out/library.csv"
    echo "run.sh: N=$n join: DuckDB" >&2
    "$py" "$here/duckdb_run.py" "$jdir/x.parquet" "$out/answers" "${q[@]}" "${more[@]}" \
        --runs "$runs" > "$out/duckdb.csv"
    echo "run.sh: N=$n join: planq CLI" >&2
    "$py" "$here/cli_run.py" "$target/release/planq" "$jdir/x.parquet" "$out/answers" \
        "${q[@]}" "${more[@]}" --runs "$cli_runs" > "$out/cli.csv"
    echo "join task:"
    "$py" "$here/report.py" "$n" "$out/library.csv" "$out/duckdb.csv" "$out/cli.csv" "${q[@]}"
    echo
  fi
done
