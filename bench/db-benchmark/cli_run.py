"""The db-benchmark questions through the planq binary: `planq --table x=FILE`.

    python cli_run.py PLANQ DATA.parquet ANSWERS_DIR [--runs 5]
        [--questions FILE] [--table NAME=FILE …]

Each --table is passed on to planq as another `--table NAME=FILE` (the join questions'
small, medium and big).

Each run is a whole process: start, read the Parquet file, run the question, write CSV
(to a pipe that is thrown away). The answer of the first run is checked against the
library's (ANSWERS_DIR/<id>.parquet) before the others are timed. `load` is
`x | count`: what reading the file and starting up cost alone. Prints
`question,engine,ms,rows` lines (engine `cli`), the median of --runs runs.

`--table NAME=FILE` arrives with the tables work (issues 11/12); with a planq that does
not have it, this script says so and prints nothing else.
"""

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from duckdb_run import same  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("planq")
    ap.add_argument("data")
    ap.add_argument("answers")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--questions", default=os.path.join(HERE, "questions.json"))
    ap.add_argument("--only")
    ap.add_argument("--table", action="append", default=[], help="NAME=FILE, another table")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    help_text = subprocess.run([args.planq, "--help"], capture_output=True, text=True).stdout
    # The option itself, listed as `--table <NAME=FILE>` (not `export --table`).
    if not re.search(r"^\s*(-\w, )?--table[ =<]", help_text, re.M):
        print("cli_run.py: this planq has no `--table NAME=FILE`; CLI timings skipped", file=sys.stderr)
        return
    questions = [{"id": "load", "planq": "x | count"}] + json.load(open(args.questions))
    print("question,engine,ms,rows")
    failed = False
    for q in questions:
        if only and q["id"] not in only and q["id"] != "load":
            continue
        tables = [a for t in [f"x={args.data}"] + args.table for a in ("--table", t)]
        cmd = [args.planq, *tables, "--format", "csv", "-c", q["planq"]]
        first = subprocess.run(cmd, capture_output=True)
        if first.returncode != 0:
            print(f"cli_run.py: {q['id']}: planq failed:\n{first.stderr.decode()}", file=sys.stderr)
            failed = True
            continue
        got = pcsv.read_csv(io.BytesIO(first.stdout))
        answer = os.path.join(args.answers, q["id"] + ".parquet")
        if os.path.exists(answer):
            diff = same(got, pq.read_table(answer))
            if diff:
                print(f"cli_run.py: {q['id']}: CLI and library differ: {diff}", file=sys.stderr)
                failed = True
                continue
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times.append((time.perf_counter() - t) * 1e3)
        print(f"{q['id']},cli,{statistics.median(times):.1f},{got.num_rows}", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
