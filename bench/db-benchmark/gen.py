"""The db-benchmark group-by data (h2o.ai / DuckDB Labs, groupby-datagen.R), seeded.

    python gen.py N OUT.parquet [--seed 108] [--k 100]

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
"""

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def levels(prefix_width: int, count: int) -> np.ndarray:
    return np.array([f"id{i:0{prefix_width}d}" for i in range(1, count + 1)], dtype=object)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=float, help="rows, e.g. 1e6")
    ap.add_argument("out", help="output Parquet file")
    ap.add_argument("--seed", type=int, default=108)
    ap.add_argument("--k", type=int, default=100)
    args = ap.parse_args()
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
