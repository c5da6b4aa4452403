//! The db-benchmark group-by and join questions (h2o.ai / DuckDB Labs) in planq, through
//! the library, side by side with the same queries written by hand in polars' lazy API.
//!
//! ```sh
//! cargo run --release --example db_benchmark -- DATA.parquet [--runs 5] [--answers DIR]
//!     [--only q1,q8] [--explain] [--questions FILE] [--table NAME=FILE …]
//! ```
//!
//! `DATA.parquet` is made by `bench/db-benchmark/gen.py`; the questions (planq and SQL
//! text) are `bench/db-benchmark/questions.json` (group-by) or `join_questions.json`
//! (join: `--table small=… --table medium=… --table big=…`). Every table is read once into
//! memory; `DATA.parquet` is registered as `x`, each `--table` under its name.
//!
//! Each question has two hand-written polars queries: `polars`, what a polars user writes
//! (rows in whatever order polars gives), and `polars_ordered`, the same query keeping the
//! order planq promises (`group_by_stable`, `MaintainOrderJoin::LeftRight`). planq's answer
//! is first checked equal to both (rows sorted, floats to a relative 1e-9), and row for row
//! to the ordered one; then the three are timed: the median of `--runs` runs, the runs
//! alternating. Prints one CSV line per question and engine (`question,engine,ms,rows`);
//! `--answers DIR` also writes planq's answers as `DIR/<id>.parquet` (for the DuckDB
//! check), `--explain` prints planq's optimised plan of each question.
//! `bench/db-benchmark/run.sh` drives it.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use planq::Engine;
use polars::prelude::*;

/// One question as `questions.json` has it.
struct Question {
    id: String,
    planq: String,
}

/// The hand-written polars query of a question: what a polars user writes, without the
/// features planq's build does not enable (`top_k`, `cov`), so `sort … head` and Pearson's
/// formula stand in for `top_k` and `pearson_corr`. The joins are polars' defaults: the
/// right key dropped, colliding right columns suffixed `_right`, rows in no promised order.
///
/// With `ordered`, the same query keeps the row order planq promises (groups in order of
/// first appearance, join rows in left order then right order): `group_by_stable` and
/// `MaintainOrderJoin::LeftRight`. That baseline separates what planq's compilation costs
/// from what its deterministic order costs.
fn by_hand(id: &str, tables: &[(String, DataFrame)], ordered: bool) -> Option<LazyFrame> {
    let c = col;
    let table = |name: &str| {
        tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, df)| df.clone().lazy())
    };
    let x = table("x")?;
    let join = |right: &str, key: &str, how: JoinType| -> Option<LazyFrame> {
        let mut args = JoinArgs::new(how);
        if ordered {
            args.maintain_order = MaintainOrderJoin::LeftRight;
        }
        Some(x.clone().join(table(right)?, [col(key)], [col(key)], args))
    };
    let group = |lf: LazyFrame, keys: &[&str]| {
        let keys: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        if ordered {
            lf.group_by_stable(keys)
        } else {
            lf.group_by(keys)
        }
    };
    let by = |keys: &[&str]| group(x.clone(), keys);
    Some(match id {
        "j1" => join("small", "id1", JoinType::Inner)?,
        "j2" => join("medium", "id2", JoinType::Inner)?,
        "j3" => join("medium", "id2", JoinType::Left)?,
        "j4" => join("medium", "id5", JoinType::Inner)?,
        "j5" => join("big", "id3", JoinType::Inner)?,
        "q1" => by(&["id1"]).agg([c("v1").sum()]),
        "q2" => by(&["id1", "id2"]).agg([c("v1").sum()]),
        "q3" => by(&["id3"]).agg([c("v1").sum(), c("v3").mean()]),
        "q4" => by(&["id4"]).agg([c("v1").mean(), c("v2").mean(), c("v3").mean()]),
        "q5" => by(&["id6"]).agg([c("v1").sum(), c("v2").sum(), c("v3").sum()]),
        "q6" => by(&["id4", "id5"]).agg([
            c("v3").median().alias("median_v3"),
            c("v3").std(1).alias("sd_v3"),
        ]),
        "q7" => by(&["id3"]).agg([(c("v1").max() - c("v2").min()).alias("range_v1_v2")]),
        "q8" => group(x.clone().filter(c("v3").is_not_null()), &["id6"])
            .agg([c("v3")
                .sort(SortOptions::default().with_order_descending(true))
                .head(Some(2))
                .alias("largest2_v3")])
            .explode(
                cols(["largest2_v3"]),
                ExplodeOptions {
                    empty_as_null: false,
                    keep_nulls: true,
                },
            ),
        "q9" => {
            let (v1, v2) = (
                c("v1").cast(DataType::Float64),
                c("v2").cast(DataType::Float64),
            );
            let dx = v1.clone() - v1.mean();
            let dy = v2.clone() - v2.mean();
            let r = (dx.clone() * dy.clone()).sum()
                / ((dx.clone() * dx).sum() * (dy.clone() * dy).sum()).sqrt();
            by(&["id2", "id4"]).agg([r.pow(2).alias("r2")])
        }
        "q10" => by(&["id1", "id2", "id3", "id4", "id5", "id6"])
            .agg([c("v3").sum(), len().alias("count")]),
        _ => return None,
    })
}

fn questions(path: &str) -> Result<Vec<Question>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let list = json.as_array().ok_or("questions.json: expected an array")?;
    list.iter()
        .map(|q| {
            let field = |k: &str| {
                q.get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| format!("questions.json: a question without `{k}`"))
            };
            Ok(Question {
                id: field("id")?,
                planq: field("planq")?,
            })
        })
        .collect()
}

/// Checks two answers equal: same columns, same rows in any order; numbers compared as
/// floats to a relative 1e-9 (sums of floats differ in their last bits by summation order).
fn same(a: &DataFrame, b: &DataFrame) -> Result<(), String> {
    let names = |df: &DataFrame| -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    };
    if names(a) != names(b) {
        return Err(format!("columns {:?} vs {:?}", names(a), names(b)));
    }
    if a.height() != b.height() {
        return Err(format!("{} rows vs {}", a.height(), b.height()));
    }
    let by = names(a);
    let sort = |df: &DataFrame| {
        df.sort(&by, SortMultipleOptions::default())
            .map_err(|e| e.to_string())
    };
    let (a, b) = (sort(a)?, sort(b)?);
    for name in &by {
        let x = a.column(name).map_err(|e| e.to_string())?;
        let y = b.column(name).map_err(|e| e.to_string())?;
        if x.dtype().is_primitive_numeric() && y.dtype().is_primitive_numeric() {
            let f = |c: &Column| -> Result<Vec<Option<f64>>, String> {
                let s = c.cast(&DataType::Float64).map_err(|e| e.to_string())?;
                Ok(s.f64().map_err(|e| e.to_string())?.iter().collect())
            };
            for (i, (p, q)) in f(x)?.into_iter().zip(f(y)?).enumerate() {
                let ok = match (p, q) {
                    (Some(p), Some(q)) => {
                        p == q || (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0)
                    }
                    (None, None) => true,
                    _ => false,
                };
                if !ok {
                    return Err(format!("`{name}` row {i}: {p:?} vs {q:?}"));
                }
            }
        } else {
            let (s, t) = (x.as_materialized_series(), y.as_materialized_series());
            let (s, t) = (
                s.cast(&DataType::String).map_err(|e| e.to_string())?,
                t.cast(&DataType::String).map_err(|e| e.to_string())?,
            );
            if !s.equals_missing(&t) {
                return Err(format!("`{name}` differs"));
            }
        }
    }
    Ok(())
}

/// Median wall times of `runs` runs of each query, in milliseconds. The runs alternate
/// (a, b, c, a, b, c, …), so that on a shared machine a busy moment slows all alike and
/// their ratios stay meaningful.
fn time_alternating(runs: usize, queries: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut ms = vec![Vec::new(); queries.len()];
    for _ in 0..runs.max(1) {
        for (q, times) in queries.iter_mut().zip(&mut ms) {
            let t = Instant::now();
            q();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    ms.into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}

/// Checks that two answers have their rows in the same order: every column that is not a
/// float is compared row by row (floats were compared by value, in any order, by `same`;
/// sums of floats may differ in their last bits).
fn same_order(a: &DataFrame, b: &DataFrame) -> Result<(), String> {
    for (x, y) in a.columns().iter().zip(b.columns()) {
        if x.dtype().is_float() {
            continue;
        }
        let text = |c: &Column| c.as_materialized_series().cast(&DataType::String);
        let (s, t) = (
            text(x).map_err(|e| e.to_string())?,
            text(y).map_err(|e| e.to_string())?,
        );
        if !s.equals_missing(&t) {
            return Err(format!("`{}`: rows in another order", x.name()));
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut data = None;
    let mut runs = 5;
    let mut answers: Option<String> = None;
    let mut only: Option<Vec<String>> = None;
    let mut explain = false;
    let mut extra: Vec<(String, String)> = Vec::new();
    let mut qfile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/bench/db-benchmark/questions.json"
    )
    .to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().ok_or("--runs N")?.parse()?,
            "--answers" => answers = Some(args.next().ok_or("--answers DIR")?),
            "--only" => {
                only = Some(
                    args.next()
                        .ok_or("--only q1,q2")?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--questions" => qfile = args.next().ok_or("--questions FILE")?,
            "--explain" => explain = true,
            "--table" => {
                let spec = args.next().ok_or("--table NAME=FILE")?;
                let (name, file) = spec.split_once('=').ok_or("--table NAME=FILE")?;
                extra.push((name.to_string(), file.to_string()));
            }
            _ if data.is_none() => data = Some(a),
            other => return Err(format!("unexpected argument {other:?}").into()),
        }
    }
    let data = data.ok_or("usage: db_benchmark DATA.parquet [--runs 5] [--answers DIR]")?;
    let mut tables: Vec<(String, DataFrame)> = Vec::new();
    for (name, file) in std::iter::once(("x".to_string(), data)).chain(extra) {
        let df = ParquetReader::new(std::fs::File::open(&file)?).finish()?;
        eprintln!("db_benchmark: {name}: {} rows from {file}", df.height());
        tables.push((name, df));
    }
    let mut engine = Engine::seed()?;
    for (name, df) in &tables {
        engine.register_table(name, df.clone())?;
    }
    if let Some(dir) = &answers {
        std::fs::create_dir_all(dir)?;
    }
    println!("question,engine,ms,rows");
    for q in questions(&qfile)? {
        if only.as_ref().is_some_and(|o| !o.contains(&q.id)) {
            continue;
        }
        let Some(hand) = by_hand(&q.id, &tables, false) else {
            return Err(format!("{}: no hand-written polars query", q.id).into());
        };
        if explain {
            eprintln!(
                "--- {} planq: {}\n{}",
                q.id,
                q.planq,
                engine.explain(&q.planq)?
            );
            eprintln!("--- {} polars\n{}", q.id, hand.clone().explain(true)?);
        }
        let mut ours = engine.query(&q.planq)?;
        let theirs = hand.clone().collect()?;
        same(&ours, &theirs).map_err(|e| format!("{}: planq and polars differ: {e}", q.id))?;
        if let Some(dir) = &answers {
            let mut file = std::fs::File::create(format!("{dir}/{}.parquet", q.id))?;
            ParquetWriter::new(&mut file).finish(&mut ours)?;
        }
        // The same query keeping planq's row order must give planq's answer row for row.
        let ordered = by_hand(&q.id, &tables, true)
            .ok_or("no ordered query")?
            .collect()?;
        same(&ours, &ordered)
            .and_then(|()| same_order(&ours, &ordered))
            .map_err(|e| format!("{}: planq and polars (same order) differ: {e}", q.id))?;
        let run = |ordered: bool| {
            by_hand(&q.id, &tables, ordered).map(|lf| lf.collect().map(|df| df.height()))
        };
        let ms = time_alternating(
            runs,
            &mut [
                &mut || {
                    let _ = std::hint::black_box(engine.query(&q.planq).map(|df| df.height()));
                },
                &mut || {
                    let _ = std::hint::black_box(run(false));
                },
                &mut || {
                    let _ = std::hint::black_box(run(true));
                },
            ],
        );
        println!("{},planq,{:.1},{}", q.id, ms[0], ours.height());
        println!("{},polars,{:.1},{}", q.id, ms[1], theirs.height());
        println!("{},polars_ordered,{:.1},{}", q.id, ms[2], ordered.height());
    }
    Ok(())
}
