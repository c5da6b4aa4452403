#!/usr/bin/env python3
"""Differential check of planq's query semantics against DuckDB (issue 10).

Generates random pipelines together with their SQL equivalents, runs each through the planq
binary (on the seed plan) and through DuckDB (on the same tables, exported by `planq export`),
and compares the results as multisets of rows (floats to 1e-9 relative).

Run on demand, not in CI (it needs `pip install duckdb`):

    cargo build --release
    python3 scripts/differential.py --planq target/release/planq -n 2000 --seed 1

Exit status 1 when a pipeline disagrees; each disagreement is printed with both answers.
The language differs from SQL on purpose in a few places (grammar/README.md, "Where planq
differs from SQL"); the generator writes the SQL for planq's definition there:
`%` takes the divisor's sign, `/` by zero is null, `to_int` truncates, `~` is a
case-insensitive substring test, `concat` of nothing is "".
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import duckdb

# Column types of the seed tables used here (checked against `planq export` at start).
TABLES = {
    "categories": {"no": "int", "name": "str", "tasks": "int", "targets": "int"},
    "owners": {"task_id": "str", "owner": "str", "role": "str", "position": "int"},
    "targets": {
        "id": "str",
        "task_id": "str",
        "metric": "str",
        "value": "float",
        "unit": "str",
        "qualifier": "str",
        "text": "str",
        "line": "int",
    },
}

STRINGS = ['"省数字办"', '"lead"', '"a"', '""', '"数字"', '"T1"', '"Lead"']
INTS = ["0", "1", "2", "-3", "5", "100"]
FLOATS = ["0.5", "2.5", "-1.25"]


def sql_lit(planq_lit):
    if planq_lit.startswith('"'):
        return "'" + planq_lit[1:-1].replace("'", "''") + "'"
    return planq_lit


class Gen:
    def __init__(self, rng, cols):
        self.rng = rng
        self.cols = cols  # name -> type

    def pick(self, xs):
        return self.rng.choice(xs)

    def cols_of(self, t):
        return [c for c, ct in self.cols.items() if ct == t]

    def expr(self, t, depth=0):
        """A (planq, sql) pair of type t ('int', 'float', 'str', 'bool')."""
        r = self.rng.random()
        leaf = depth >= 2 or r < 0.35
        if t == "int":
            if leaf:
                cs = self.cols_of("int")
                if cs and self.rng.random() < 0.7:
                    c = self.pick(cs)
                    return c, f'"{c}"'
                if self.rng.random() < 0.1:
                    return "null", "CAST(NULL AS BIGINT)"
                v = self.pick(INTS)
                return v, f"CAST({v} AS BIGINT)"
            k = self.rng.randrange(7)
            if k <= 2:
                op = self.pick(["+", "-", "*"])
                a, b = self.expr("int", depth + 1), self.expr("int", depth + 1)
                return f"({a[0]} {op} {b[0]})", f"({a[1]} {op} {b[1]})"
            if k == 3:
                a, b = self.expr("int", depth + 1), self.expr("int", depth + 1)
                # planq: the remainder takes the divisor's sign; x % 0 is null.
                sql = (
                    f"(CASE WHEN {b[1]} = 0 THEN NULL ELSE "
                    f"((({a[1]}) % ({b[1]})) + ({b[1]})) % ({b[1]}) END)"
                )
                return f"({a[0]} % {b[0]})", sql
            if k == 4:
                a = self.expr("str", depth + 1)
                return f"len({a[0]})", f"length({a[1]})"
            if k == 5:
                a = self.expr("int", depth + 1)
                return f"abs({a[0]})", f"abs({a[1]})"
            a, b = self.expr("int", depth + 1), self.expr("int", depth + 1)
            return f"coalesce({a[0]}, {b[0]})", f"coalesce({a[1]}, {b[1]})"
        if t == "float":
            if leaf:
                cs = self.cols_of("float")
                if cs and self.rng.random() < 0.6:
                    c = self.pick(cs)
                    return c, f'"{c}"'
                v = self.pick(FLOATS)
                return v, f"CAST({v} AS DOUBLE)"
            k = self.rng.randrange(4)
            if k == 0:
                a, b = self.expr("int", depth + 1), self.expr("int", depth + 1)
                sql = f"(CASE WHEN {b[1]} = 0 THEN NULL ELSE CAST({a[1]} AS DOUBLE) / {b[1]} END)"
                return f"({a[0]} / {b[0]})", sql
            if k == 1:
                a, b = self.expr("float", depth + 1), self.expr("int", depth + 1)
                return f"({a[0]} + {b[0]})", f"({a[1]} + {b[1]})"
            if k == 2:
                a = self.expr("int", depth + 1)
                return f"to_float({a[0]})", f"CAST({a[1]} AS DOUBLE)"
            a = self.expr("float", depth + 1)
            return f"round({a[0]}, 2)", f"round({a[1]}, 2)"
        if t == "str":
            if leaf:
                cs = self.cols_of("str")
                if cs and self.rng.random() < 0.7:
                    c = self.pick(cs)
                    return c, f'"{c}"'
                if self.rng.random() < 0.1:
                    return "null", "CAST(NULL AS VARCHAR)"
                v = self.pick(STRINGS)
                return v, sql_lit(v)
            k = self.rng.randrange(5)
            a = self.expr("str", depth + 1)
            if k == 0:
                return f"lower({a[0]})", f"lower({a[1]})"
            if k == 1:
                return f"upper({a[0]})", f"upper({a[1]})"
            if k == 2:
                b = self.expr("str", depth + 1)
                return f"({a[0]} + {b[0]})", f"({a[1]} || {b[1]})"
            if k == 3:
                i = self.expr("int", depth + 1)
                return f"to_str({i[0]})", f"CAST({i[1]} AS VARCHAR)"
            c = self.expr("bool", depth + 1)
            b = self.expr("str", depth + 1)
            return (
                f"if({c[0]}, {a[0]}, {b[0]})",
                f"(CASE WHEN {c[1]} THEN {a[1]} ELSE {b[1]} END)",
            )
        # bool
        if leaf:
            k = self.rng.randrange(4)
            if k == 0:
                return self.pick([("true", "TRUE"), ("false", "FALSE"), ("null", "CAST(NULL AS BOOLEAN)")])
            ty = self.pick(["int", "str"])
            a, b = self.expr(ty, depth + 1), self.expr(ty, depth + 1)
            op = self.pick(["==", "!=", "<", "<=", ">", ">="])
            sop = {"==": "=", "!=": "<>"}.get(op, op)
            return f"({a[0]} {op} {b[0]})", f"({a[1]} {sop} {b[1]})"
        k = self.rng.randrange(7)
        if k == 0:
            a, b = self.expr("bool", depth + 1), self.expr("bool", depth + 1)
            op = self.pick(["and", "or"])
            return f"({a[0]} {op} {b[0]})", f"({a[1]} {op.upper()} {b[1]})"
        if k == 1:
            a = self.expr("bool", depth + 1)
            return f"(not {a[0]})", f"(NOT {a[1]})"
        if k == 2:
            a = self.expr(self.pick(["int", "str", "float"]), depth + 1)
            neg = self.pick(["", " not"])
            return f"({a[0]} is{neg} null)", f"({a[1]} IS{neg.upper()} NULL)"
        if k == 3:
            a, b = self.expr("str", depth + 1), self.expr("str", depth + 1)
            return f"({a[0]} ~ {b[0]})", f"contains(lower({a[1]}), lower({b[1]}))"
        if k == 4:
            a, b = self.expr("str", depth + 1), self.expr("str", depth + 1)
            return f"starts_with({a[0]}, {b[0]})", f"starts_with({a[1]}, {b[1]})"
        if k == 5:
            a = self.expr("int", depth + 1)
            items = [self.pick(INTS) for _ in range(self.rng.randrange(0, 3))]
            neg = self.pick(["", " not"])
            if not items:
                # Nothing is in an empty list (not even null).
                return f"({a[0]}{neg} in [])", "TRUE" if neg else "FALSE"
            return (
                f"({a[0]}{neg} in [{', '.join(items)}])",
                f"({a[1]}{neg.upper()} IN ({', '.join(items)}))",
            )
        a, b = self.expr("float", depth + 1), self.expr("int", depth + 1)
        return f"({a[0]} <= {b[0]})", f"({a[1]} <= {b[1]})"


def pipeline(rng):
    """A (planq, sql) pair: a table and one to three stages."""
    table = rng.choice(list(TABLES))
    cols = dict(TABLES[table])
    planq = table
    sql = f'SELECT * FROM "{table}"'
    n = 0
    for _ in range(rng.randrange(1, 4)):
        g = Gen(rng, cols)
        n += 1
        sub = f"s{n}"
        k = rng.randrange(7)
        if k in (0, 1):
            c = g.expr("bool")
            planq += f" | where {c[0]}"
            sql = f"SELECT * FROM ({sql}) {sub} WHERE {c[1]}"
        elif k == 2:
            t = rng.choice(["int", "str", "float", "bool"])
            e = g.expr(t)
            planq += f" | derive d{n} = {e[0]}"
            names = ", ".join(f'"{c}"' for c in cols)
            sql = f"SELECT {names}, {e[1]} AS d{n} FROM ({sql}) {sub}"
            cols[f"d{n}"] = t
        elif k == 3:
            ts = [rng.choice(["int", "str", "bool"]) for _ in range(rng.randrange(1, 3))]
            es = [g.expr(t) for t in ts]
            planq += " | select " + ", ".join(f"c{i} = {e[0]}" for i, e in enumerate(es))
            sql = "SELECT " + ", ".join(f"{e[1]} AS c{i}" for i, e in enumerate(es)) + f" FROM ({sql}) {sub}"
            cols = {f"c{i}": t for i, t in enumerate(ts)}
        elif k == 4:
            kt = rng.choice(["int", "str", "bool"])
            key = g.expr(kt)
            planq += f" | count by k = {key[0]}"
            sql = f"SELECT {key[1]} AS k, count(*) AS count FROM ({sql}) {sub} GROUP BY 1"
            cols = {"k": kt, "count": "int"}
        elif k == 5:
            e = g.expr("int")
            f = g.expr("float")
            by = rng.random() < 0.5 and g.expr(rng.choice(["int", "str"]))
            aggs_p = f"s = sum({e[0]}), c = count({e[0]}), n = count(), mx = max({e[0]}), a = avg({f[0]})"
            aggs_s = (
                f"sum({e[1]}) AS s, count({e[1]}) AS c, count(*) AS n, max({e[1]}) AS mx, avg({f[1]}) AS a"
            )
            if by:
                planq += f" | summarize {aggs_p} by g = {by[0]}"
                sql = f"SELECT {by[1]} AS g, {aggs_s} FROM ({sql}) {sub} GROUP BY 1"
                cols = {"g": "x", "s": "int", "c": "int", "n": "int", "mx": "int", "a": "float"}
            else:
                planq += f" | summarize {aggs_p}"
                sql = f"SELECT {aggs_s} FROM ({sql}) {sub}"
                cols = {"s": "int", "c": "int", "n": "int", "mx": "int", "a": "float"}
        else:
            # sort by an expression (possibly a constant) keeps every row.
            e = g.expr(rng.choice(["int", "str"]))
            planq += f" | sort {e[0]}"
    return planq, sql


def norm(v):
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        f = float(v)
        if math.isnan(f):
            return ("nan",)
        return ("num", round(f, 9) if abs(f) < 1e15 else f)
    return ("str", str(v))


def rows_key(rows):
    return sorted((tuple(norm(v) for v in r) for r in rows), key=repr)


def run_planq(binary, q):
    p = subprocess.run(
        [binary, "--format", "json", "-c", q],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
    )
    if p.returncode != 0:
        return None, p.stderr
    data = json.loads(p.stdout) if p.stdout.strip() else []
    return [list(r.values()) for r in data], None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--planq", default="target/release/planq")
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=10, help="disagreements to print")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    tmp = tempfile.mkdtemp(prefix="planq-diff-")
    # JSON keeps empty text and null apart (CSV cannot).
    subprocess.run(
        [args.planq, "export", "--format", "json", "--out", tmp], check=True, capture_output=True
    )
    con = duckdb.connect()
    types = {"int": "BIGINT", "str": "VARCHAR", "float": "DOUBLE"}
    for t, cols in TABLES.items():
        spec = ", ".join(f"\"{c}\": '{types[ct]}'" for c, ct in cols.items())
        con.execute(
            f"CREATE TABLE \"{t}\" AS SELECT * FROM "
            f"read_json('{tmp}/{t}.json', format='array', columns={{{spec}}})"
        )

    agree = differ = planq_refused = sql_failed = both_failed = 0
    shown = 0
    for i in range(args.n):
        q, sql = pipeline(rng)
        p_rows, p_err = run_planq(args.planq, q)
        try:
            s_rows = con.execute(sql).fetchall()
            s_err = None
        except duckdb.Error as e:
            s_rows, s_err = None, str(e).splitlines()[0]
        if p_rows is None and s_rows is None:
            both_failed += 1
            continue
        if p_rows is None:
            planq_refused += 1
            if "overflow" in p_err:
                continue
            if shown < args.show:
                shown += 1
                print(f"--- planq failed, SQL ran: {q}\n{sql}\n{p_err.strip()[:600]}\n")
            continue
        if s_rows is None:
            sql_failed += 1
            if "Overflow" in s_err or "out of range" in s_err:
                continue
            if shown < args.show:
                shown += 1
                print(f"--- SQL failed, planq ran: {q}\n{sql}\n{s_err}\n")
            continue
        if rows_key(p_rows) == rows_key(s_rows):
            agree += 1
        else:
            differ += 1
            if shown < args.show:
                shown += 1
                print(f"--- differ: {q}\n{sql}\nplanq: {p_rows[:5]}\nsql:   {s_rows[:5]}\n")
    print(
        f"{args.n} pipelines: {agree} agree, {differ} differ, "
        f"{planq_refused} planq-only errors, {sql_failed} SQL-only errors, {both_failed} both errors"
    )
    sys.exit(1 if differ or (planq_refused + sql_failed) else 0)


if __name__ == "__main__":
    main()
