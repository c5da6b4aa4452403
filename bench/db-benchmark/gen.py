"""The db-benchmark group-by and join data (h2o.ai / DuckDB Labs), seeded.

    python gen.py N OUT.parquet [--seed 108] [--k 100]      # group-by: one table
    python gen.py N DIR --join [--seed 108]                  # join: four tables in DIR

Columns and distributions are those of groupby-datagen.R with K = 100 and no NAs:

    id1, id2  str  "id001" … "id{K}"           uniform over K levels
    id3       str  "id0000000001" … (N/K levels) uniform over N/K levels
    id4, id5  int  1 … K                         uniform
    id6       int  1 … N/K                       uniform
    v1        int  1 … 5                         uniform
    v2        int  1 … 15                        uniform
    v3        float  uniform [0, 100), rounded to 6 decimals

The R original draws with R's sampler (set.seed(108)); this draws with numpy's PCG64 from
the same seed, so the distributions are the same and the values are not. Integers are
written as int64 and strings as plain UTF-8 (what polars and DuckDB read natively).

With --join, the tables of join-datagen.R (no NAs, random order) go into DIR as
x.parquet, small.parquet, medium.parquet and big.parquet:

    x       N rows       id1, id2, id3 (int), id4, id5, id6 (str "id" + id1/id2/id3), v1
    small   N/1e6 rows   id1, id4, v2
    medium  N/1e3 rows   id1, id2, id4, id5, v2
    big     N rows       id1, id2, id3, id4, id5, id6, v2

Each key has n = N/1e6 (id1), N/1e3 (id2) or N (id3) levels on each side. Its values are a
permutation of 1 … 1.1·n split into a common 90%, 10% only on the left (x) and 10% only on
the right: x draws from common + left, the right tables from common + right, every level at
least once ("sample_all"). So about 90% of x's rows find a match, id2 is unique in medium
and id3 unique in big, and small/medium/big joins give ≈ 0.9·N rows. v1, v2 are uniform
[0, 100) rounded to 6 decimals. (With N = 1e6, small has one row and id1 one level, which
every row of x shares: the R script asks N ≥ 1e7 for that reason; the 1e6 size is kept as a
quick check.)
"""

import argparse
import sys

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def levels(prefix_width: int, count: int) -> np.ndarray:
    return np.array([f"id{i:0{prefix_width}d}" for i in range(1, count + 1)], dtype=object)


def split_keys(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """join-datagen.R's split_xlr: 1.1·n keys, 90% common, 10% left only, 10% right only."""
    common = max(1, round(0.9 * n))
    left = max(0, n - common)
    right = round(0.1 * n)
    key = rng.permutation(np.arange(1, common + left + right + 1, dtype=np.int64))
    return key[:common], key[common : common + left], key[common + left :]


def sample_all(rng: np.random.Generator, pool: np.ndarray, size: int) -> np.ndarray:
    """join-datagen.R's sample_all: every value of `pool` at least once, then draws."""
    assert len(pool) <= size
    y = np.concatenate([pool, rng.choice(pool, size - len(pool), replace=True)])
    return rng.permutation(y)


def id_strings(ints: np.ndarray) -> pa.Array:
    """`sprintf("id%.0f", x)` for a column of integers."""
    return pc.binary_join_element_wise("id", pc.cast(pa.array(ints), pa.string()), "")


def join_tables(n: int, seed: int, out_dir: str) -> None:
    if n < 1_000_000 or n % 1_000_000:
        sys.exit(f"gen.py: join N must be a multiple of 1e6, got {n}")
    rng = np.random.default_rng(seed)
    keys = [split_keys(rng, n // 1_000_000), split_keys(rng, n // 1_000), split_keys(rng, n)]

    def lhs(i: int, size: int) -> np.ndarray:
        return sample_all(rng, np.concatenate([keys[i][0], keys[i][1]]), size)

    def rhs(i: int, size: int) -> np.ndarray:
        return sample_all(rng, np.concatenate([keys[i][0], keys[i][2]]), size)

    def v(size: int) -> np.ndarray:
        return np.round(rng.uniform(0, 100, size), 6)

    def table(ids: list[np.ndarray], value: str, size: int) -> pa.Table:
        cols: dict[str, pa.Array] = {}
        for i, a in enumerate(ids):
            cols[f"id{i + 1}"] = pa.array(a)
        for i, a in enumerate(ids):
            cols[f"id{i + 4}"] = id_strings(a)
        cols[value] = pa.array(v(size))
        return pa.table(cols)

    os.makedirs(out_dir, exist_ok=True)
    x = table([lhs(0, n), lhs(1, n), lhs(2, n)], "v1", n)
    small_n, medium_n = n // 1_000_000, n // 1_000
    small = table([rhs(0, small_n)], "v2", small_n)
    medium = table([rhs(0, medium_n), rhs(1, medium_n)], "v2", medium_n)
    big = table([rhs(0, n), rhs(1, n), rhs(2, n)], "v2", n)
    for name, t in [("x", x), ("small", small), ("medium", medium), ("big", big)]:
        path = os.path.join(out_dir, f"{name}.parquet")
        pq.write_table(t, path, compression="snappy")
        print(f"gen.py: wrote {t.num_rows} rows to {path}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=float, help="rows, e.g. 1e6")
    ap.add_argument("out", help="output Parquet file (a directory with --join)")
    ap.add_argument("--seed", type=int, default=108)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--join", action="store_true", help="the join task's four tables")
    args = ap.parse_args()
    if args.join:
        join_tables(int(args.n), args.seed, args.out)
        return
    n, k = int(args.n), args.k
    if n < k or n % k:
        sys.exit(f"gen.py: N must be a multiple of K={k}, got {n}")
    groups = n // k
    rng = np.random.default_rng(args.seed)
    small = levels(3, k)
    large = levels(10, groups)

    def strings(pool: np.ndarray) -> pa.Array:
        # Draw indexes, then one dictionary decode: fast even for 1e7 rows.
        idx = rng.integers(0, len(pool), n)
        return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(pool, pa.string())).cast(pa.string())

    table = pa.table(
        {
            "id1": strings(small),
            "id2": strings(small),
            "id3": strings(large),
            "id4": rng.integers(1, k + 1, n, dtype=np.int64),
            "id5": rng.integers(1, k + 1, n, dtype=np.int64),
            "id6": rng.integers(1, groups + 1, n, dtype=np.int64),
            "v1": rng.integers(1, 6, n, dtype=np.int64),
            "v2": rng.integers(1, 16, n, dtype=np.int64),
            "v3": np.round(rng.uniform(0, 100, n), 6),
        }
    )
    pq.write_table(table, args.out, compression="snappy")
    print(f"gen.py: wrote {n} rows ({groups} id3/id6 levels) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
