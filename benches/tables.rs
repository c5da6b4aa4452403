//! Loaded tables (issue 11): `big | count by k` over a Parquet file loaded as a lazy table
//! (`Engine::import_table`, what `--table big=big.parquet` does), against the same query
//! written by hand in polars' lazy API (`scan_parquet` → stable group-by → row count), in
//! the same run, at 100 thousand, 1 million and 10 million rows so that growth shows.
//!
//! The files are generated once (seeded, the same bytes every time) into
//! `$CARGO_TARGET_DIR/bench-data/tables-<rows>.parquet` (default `target/`): a string key
//! `k` with 100 levels and three numeric columns. Before timing, the two answers are
//! checked to be equal.
//!
//! Run: `cargo bench --bench tables`; compare `tables/<rows>/planq` with
//! `tables/<rows>/polars`. `PLANQ_BENCH_MAX_ROWS=1000000` skips the 10M file.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use planq::Engine;
use polars::prelude::*;

/// Deterministic pseudo-random numbers (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Where the generated files live.
pub fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data")
}

/// The Parquet file of `rows` rows, generated when missing.
fn parquet_file(rows: usize) -> PathBuf {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    let path = dir.join(format!("tables-{rows}.parquet"));
    if path.exists() {
        return path;
    }
    let mut rng = Lcg(11);
    let levels: Vec<String> = (0..100).map(|i| format!("k{i:02}")).collect();
    let mut k = Vec::with_capacity(rows);
    let mut a = Vec::with_capacity(rows);
    let mut b = Vec::with_capacity(rows);
    let mut c = Vec::with_capacity(rows);
    for i in 0..rows {
        k.push(levels[rng.next(100) as usize].as_str());
        a.push(rng.next(1_000_000) as i64);
        b.push(rng.next(10_000) as f64 / 100.0);
        c.push(i as i64);
    }
    let mut df = DataFrame::new(
        rows,
        vec![
            Column::new("k".into(), k),
            Column::new("a".into(), a),
            Column::new("b".into(), b),
            Column::new("c".into(), c),
        ],
    )
    .expect("frame");
    let tmp = path.with_extension("tmp");
    ParquetWriter::new(std::fs::File::create(&tmp).expect("create"))
        .finish(&mut df)
        .expect("write parquet");
    std::fs::rename(&tmp, &path).expect("rename");
    path
}

/// The query by hand: what planq's `big | count by k` means, in polars' lazy API.
fn by_hand(path: &str) -> DataFrame {
    let args = ScanArgsParquet {
        glob: false,
        ..Default::default()
    };
    LazyFrame::scan_parquet(PlRefPath::from(path), args)
        .expect("scan")
        .group_by_stable([col("k")])
        .agg([len().cast(DataType::Int64).alias("count")])
        .collect()
        .expect("polars query")
}

fn sorted(df: &DataFrame) -> DataFrame {
    df.sort(["k"], SortMultipleOptions::default())
        .expect("sort")
}

fn bench(c: &mut Criterion) {
    let max: usize = std::env::var("PLANQ_BENCH_MAX_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut group = c.benchmark_group("tables");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for rows in [100_000usize, 1_000_000, 10_000_000] {
        if rows > max {
            continue;
        }
        let path = parquet_file(rows).display().to_string();
        let mut engine = Engine::seed().expect("seed");
        engine
            .import_table(&format!("big={path}"))
            .expect("import the parquet file");
        let query = "big | count by k";
        // Same answer before timing: 100 groups, counts adding up to every row.
        let planq = engine.query(query).expect("planq query");
        let hand = by_hand(&path);
        assert_eq!(planq.height(), 100);
        assert!(
            sorted(&planq).equals(&sorted(&hand)),
            "planq and polars disagree"
        );
        let total: i64 = planq
            .column("count")
            .and_then(|c| c.i64().map(|c| c.sum().unwrap_or(0)))
            .expect("counts");
        assert_eq!(total as usize, rows);
        group.bench_function(format!("{rows}/planq"), |bch| {
            bch.iter(|| black_box(engine.query(query).expect("planq")))
        });
        group.bench_function(format!("{rows}/polars"), |bch| {
            bch.iter(|| black_box(by_hand(&path)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
