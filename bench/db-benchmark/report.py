"""One markdown table from the `question,engine,ms,rows` CSVs of one data size.

    python report.py N library.csv duckdb.csv [cli.csv] [--questions FILE]
"""

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    argv = sys.argv[1:]
    qfile = os.path.join(HERE, "questions.json")
    if "--questions" in argv:
        i = argv.index("--questions")
        qfile = argv[i + 1]
        del argv[i : i + 2]
    n, files = argv[0], argv[1:]
    ms: dict[tuple[str, str], float] = {}
    rows: dict[str, str] = {}
    for path in files:
        if not os.path.exists(path):
            continue
        for r in csv.DictReader(open(path)):
            ms[(r["question"], r["engine"])] = float(r["ms"])
            rows.setdefault(r["question"], r["rows"])
    questions = json.load(open(qfile))
    cli = any(e == "cli" for _, e in ms)

    def cell(q: str, e: str) -> str:
        v = ms.get((q, e))
        return "–" if v is None else f"{v:,.1f}"

    def ratio(q: str, a: str, b: str) -> str:
        x, y = ms.get((q, a)), ms.get((q, b))
        return "–" if x is None or not y else f"{x / y:.2f}"

    ordered = any(e == "polars_ordered" for _, e in ms)
    head = "| question | rows out | planq | polars | DuckDB | planq / polars | planq / DuckDB |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if ordered:
        head += " polars, planq's order | planq / polars, same order |"
        rule += "---:|---:|"
    if cli:
        head += " planq CLI |"
        rule += "---:|"
    print(f"N = {float(n):.0e} rows, median of the runs in ms\n")
    print(head)
    print(rule)
    for q in questions:
        i = q["id"]
        line = (
            f"| {i} {q['name']} | {rows.get(i, '–')} | {cell(i, 'planq')} | {cell(i, 'polars')} "
            f"| {cell(i, 'duckdb')} | {ratio(i, 'planq', 'polars')} | {ratio(i, 'planq', 'duckdb')} |"
        )
        if ordered:
            line += f" {cell(i, 'polars_ordered')} | {ratio(i, 'planq', 'polars_ordered')} |"
        if cli:
            line += f" {cell(i, 'cli')} |"
        print(line)
    if cli and ("load", "cli") in ms:
        print(f"\nplanq CLI: whole process with `--table x=FILE`; `x | count` alone takes {cell('load', 'cli')} ms.")


if __name__ == "__main__":
    main()
