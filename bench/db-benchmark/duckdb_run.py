"""The db-benchmark group-by and join questions in DuckDB, each answer checked against planq's.

    python duckdb_run.py DATA.parquet ANSWERS_DIR [--runs 5] [--threads 2]
        [--questions FILE] [--table NAME=FILE …]

DATA is table `x`, each --table another (the join questions' small, medium, big). The
tables are loaded into DuckDB's memory first (as planq and polars hold it in memory);
each question runs as `CREATE OR REPLACE TEMP TABLE ans AS <query>` (the db-benchmark's
own way of timing: the answer is materialised, not sent to Python). Before it is timed,
the answer is compared with planq's (ANSWERS_DIR/<id>.parquet, written by the
db_benchmark example): same columns, same rows in any order, numbers to a relative 1e-9.
Prints `question,engine,ms,rows` lines, the median of --runs runs.
"""

import argparse
import json
import os
import statistics
import sys
import time

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def plain(t: pa.Table) -> pa.Table:
    """View and large types as plain ones (polars writes strings as views)."""
    cols = []
    for col in t.columns:
        ty = col.type
        if pa.types.is_string_view(ty) or pa.types.is_binary_view(ty) or pa.types.is_large_string(ty):
            col = col.cast(pa.string())
        cols.append(col)
    return pa.table(cols, names=t.column_names)


def sorted_table(t: pa.Table) -> pa.Table:
    t = plain(t)
    return t.sort_by([(name, "ascending") for name in t.column_names])


def same(ours: pa.Table, theirs: pa.Table) -> str | None:
    """None when equal, else what differs."""
    if ours.column_names != theirs.column_names:
        return f"columns {ours.column_names} vs {theirs.column_names}"
    if ours.num_rows != theirs.num_rows:
        return f"{ours.num_rows} rows vs {theirs.num_rows}"
    a, b = sorted_table(ours), sorted_table(theirs)
    for name in a.column_names:
        x, y = a.column(name), b.column(name)
        numeric = pa.types.is_integer(x.type) or pa.types.is_floating(x.type)
        if numeric and (pa.types.is_integer(y.type) or pa.types.is_floating(y.type)):
            p = x.cast(pa.float64()).to_numpy(zero_copy_only=False)
            q = y.cast(pa.float64()).to_numpy(zero_copy_only=False)
            both_null = np.isnan(p) & np.isnan(q)
            close = np.isclose(p, q, rtol=1e-9, atol=1e-9) | both_null
            if not close.all():
                i = int(np.argmin(close))
                return f"`{name}` row {i}: {p[i]!r} vs {q[i]!r}"
        elif not pc.all(pc.equal(x.cast(pa.string()), y.cast(pa.string()))).as_py():
            return f"`{name}` differs"
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("answers")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--questions", default=os.path.join(HERE, "questions.json"))
    ap.add_argument("--only")
    ap.add_argument("--table", action="append", default=[], help="NAME=FILE, another table")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    con = duckdb.connect()
    con.execute(f"SET threads TO {args.threads}")
    for name, path in [("x", args.data)] + [t.split("=", 1) for t in args.table]:
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [path])
    print("question,engine,ms,rows")
    failed = False
    for q in json.load(open(args.questions)):
        if only and q["id"] not in only:
            continue
        theirs = con.sql(q["sql"]).to_arrow_table()
        ours = pq.read_table(os.path.join(args.answers, q["id"] + ".parquet"))
        diff = same(ours, theirs)
        if diff:
            print(f"duckdb_run.py: {q['id']}: planq and DuckDB differ: {diff}", file=sys.stderr)
            failed = True
            continue
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            con.execute("CREATE OR REPLACE TEMP TABLE ans AS " + q["sql"])
            times.append((time.perf_counter() - t) * 1e3)
        print(f"{q['id']},duckdb,{statistics.median(times):.1f},{theirs.num_rows}", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
