//! Query speed: parse+check+compile of a typical query, six representative queries
//! on a synthetic plan of 1,000,000 owner rows, each against the same query written by
//! hand in polars' lazy API, in the same run; and what the no-match hint costs when a
//! count of 0 is explained (`query/zero_count_hint`).
//!
//! Run: `cargo bench --bench query` (`PLANQ_BENCH_OWNER_ROWS=10000000 cargo bench --bench
//! query` for 10M owner rows instead of 1M). Compare `query/<name>/planq` with
//! `query/<name>/polars` for the ratio. `query/sort_take` has a third line,
//! `polars_topk`: its `polars` line is the stable full sort (planq's plan before the top-k).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use planq::Engine;
use polars::prelude::*;

/// Owner rows of the synthetic plan: 1,000,000 unless `PLANQ_BENCH_OWNER_ROWS` says.
fn owner_rows() -> usize {
    std::env::var("PLANQ_BENCH_OWNER_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}
const TASKS: usize = 200_000;

/// Deterministic pseudo-random numbers (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn synthetic() -> (DataFrame, DataFrame) {
    let mut rng = Lcg(42);
    let categories = [
        "精心谋划发展规划",
        "推进便民服务",
        "深化电子政务应用",
        "推进农村信息化",
        "完善信息化管理",
    ];
    let depts: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => format!("省数字办{i}"),
            1 => format!("省通管局{i}"),
            2 => format!("各设区市{i}"),
            _ => format!("省卫生厅{i}"),
        })
        .collect();
    let ids: Vec<String> = (0..TASKS)
        .map(|i| format!("{}.{}", i / 1000 + 1, i % 1000 + 1))
        .collect();
    let tasks = DataFrame::new(
        TASKS,
        vec![
            Column::new("id".into(), ids.clone()),
            Column::new(
                "category".into(),
                (0..TASKS)
                    .map(|i| categories[i % categories.len()])
                    .collect::<Vec<_>>(),
            ),
            Column::new("line".into(), (0..TASKS as i64).collect::<Vec<_>>()),
        ],
    )
    .expect("tasks");
    let roles = ["lead", "support", "responsible"];
    let rows = owner_rows();
    let mut task_id = Vec::with_capacity(rows);
    let mut owner = Vec::with_capacity(rows);
    let mut role = Vec::with_capacity(rows);
    let mut position = Vec::with_capacity(rows);
    for _ in 0..rows {
        task_id.push(ids[rng.next(TASKS)].clone());
        owner.push(depts[rng.next(depts.len())].clone());
        role.push(roles[rng.next(3)]);
        position.push(rng.next(5) as i64 + 1);
    }
    let owners = DataFrame::new(
        rows,
        vec![
            Column::new("task_id".into(), task_id),
            Column::new("owner".into(), owner),
            Column::new("role".into(), role),
            Column::new("position".into(), position),
        ],
    )
    .expect("owners");
    (tasks, owners)
}

fn sorted_desc() -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_order_descending(true)
        .with_nulls_last(true)
        .with_maintain_order(true)
}

fn benches(c: &mut Criterion) {
    let mut engine = Engine::seed().expect("seed");
    c.bench_function("query/parse_check_compile", |b| {
        b.iter(|| {
            engine
                .compile(black_box(
                    r#"owners | where role == "lead" | count by owner | sort count desc | take 5"#,
                ))
                .expect("compiles")
        })
    });

    let (tasks, owners) = synthetic();
    engine
        .register_table("big_tasks", tasks.clone())
        .expect("register");
    engine
        .register_table("big_owners", owners.clone())
        .expect("register");
    let o = || owners.clone().lazy();
    let t = || tasks.clone().lazy();

    type Baseline<'a> = Box<dyn Fn() -> LazyFrame + 'a>;
    let cases: Vec<(&str, &str, Baseline)> = vec![
        (
            "lead_counts",
            r#"big_owners | where role == "lead" | count by owner | sort count desc | take 5"#,
            Box::new(|| {
                o().filter(col("role").eq(lit("lead")))
                    .group_by_stable([col("owner")])
                    .agg([len().cast(DataType::Int64).alias("count")])
                    .sort_by_exprs([col("count")], sorted_desc())
                    .limit(5)
            }),
        ),
        (
            "join_count_by_category",
            "big_owners | join big_tasks on task_id == id | count by category",
            Box::new(|| {
                let args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns);
                o().join(t(), [col("task_id")], [col("id")], args)
                    .group_by_stable([col("category")])
                    .agg([len().cast(DataType::Int64).alias("count")])
            }),
        ),
        (
            "contains_filter",
            r#"big_owners | where owner ~ "数字" | count by role"#,
            Box::new(|| {
                o().filter(col("owner").str().contains_literal(lit("数字")))
                    .group_by_stable([col("role")])
                    .agg([len().cast(DataType::Int64).alias("count")])
            }),
        ),
        (
            "summarize_by_role",
            "big_owners | summarize n = count(), total = sum(position), mean = avg(position) by role",
            Box::new(|| {
                o().group_by_stable([col("role")]).agg([
                    len().cast(DataType::Int64).alias("n"),
                    col("position").sum().alias("total"),
                    col("position").mean().alias("mean"),
                ])
            }),
        ),
        (
            // An ungrouped aggregate: its one row is looked at (is it a 0 or a null?) to
            // decide whether to explain it, and that look must cost nothing measurable.
            "count_all",
            r#"big_owners | where role == "lead" | count"#,
            Box::new(|| {
                o().filter(col("role").eq(lit("lead")))
                    .select([len().cast(DataType::Int64).alias("count")])
            }),
        ),
        (
            "sort_take",
            "big_owners | sort owner, position desc | take 100",
            Box::new(|| {
                o().sort_by_exprs(
                    [col("owner"), col("position")],
                    SortMultipleOptions::default()
                        .with_order_descending_multi([false, true])
                        .with_nulls_last(true)
                        .with_maintain_order(true),
                )
                .limit(100)
            }),
        ),
    ];

    // `sort … | take N` is a top-k in planq: the polars baselines are the stable full sort
    // with a limit (what planq compiled it to before: polars sorts all rows stably, then
    // slices) and the top-k written by hand (row number as the last key, unstable sort with
    // a limit: polars selects the best rows without sorting them all).
    let (_, sort_take, full_sort) = cases
        .iter()
        .find(|(name, ..)| *name == "sort_take")
        .expect("the sort_take case");
    let hand_topk = || {
        o().with_row_index("row", None)
            .sort_by_exprs(
                [col("owner"), col("position"), col("row")],
                SortMultipleOptions::default()
                    .with_order_descending_multi([false, true, false])
                    .with_nulls_last(true)
                    .with_maintain_order(false),
            )
            .limit(100)
            .drop(cols(["row"]))
    };
    {
        let ours = engine.query(sort_take).expect("query runs");
        let full = full_sort().collect().expect("baseline runs");
        let topk = hand_topk().collect().expect("baseline runs");
        // Same rows in the same order: the top-k keeps the stable sort's ties.
        assert!(
            ours.equals_missing(&full),
            "sort_take: planq and full sort differ"
        );
        assert!(
            topk.equals_missing(&full),
            "sort_take: top-k and full sort differ"
        );
    }

    for (name, query, baseline) in &cases {
        // Same answer first: the comparison is only fair if both compute the same thing.
        let ours = engine.query(query).expect("query runs");
        let theirs = baseline().collect().expect("baseline runs");
        // Compared as sets of rows: planq keeps a deterministic order (stable joins and
        // groups), the plain baseline need not.
        let sorted = |df: &DataFrame| {
            let names: Vec<PlSmallStr> = df.get_column_names_owned();
            df.sort(names, SortMultipleOptions::default())
                .expect("sort")
        };
        assert!(
            sorted(&ours).equals_missing(&sorted(&theirs)),
            "{name}: planq and baseline differ"
        );
        let mut group = c.benchmark_group(format!("query/{name}"));
        group.sample_size(20);
        group.bench_function("planq", |b| {
            b.iter(|| engine.query(black_box(query)).expect("runs"))
        });
        group.bench_function("polars", |b| b.iter(|| baseline().collect().expect("runs")));
        if *name == "count_all" {
            // The same statement without what `query` does after collecting (the look at
            // the result that decides on hints): the difference is that look's cost.
            group.bench_function("planq_compile_collect", |b| {
                b.iter(|| {
                    engine
                        .compile(black_box(query))
                        .expect("compiles")
                        .collect()
                        .expect("runs")
                })
            });
        }
        if query == sort_take {
            group.bench_function("polars_topk", |b| {
                b.iter(|| hand_topk().collect().expect("runs"))
            });
        }
        group.finish();
    }
}

/// What a hint costs when it does run: a count of 0 over 1,000,000 rows, explained (the
/// role values are read to name the code `lead` for `牵头`).
fn hint_cost(c: &mut Criterion) {
    let mut engine = Engine::seed().expect("seed");
    let (_, owners) = synthetic();
    engine
        .register_table("big_owners", owners)
        .expect("register");
    let query = r#"big_owners | where role == "牵头" | count"#;
    let result = engine.query_result(query).expect("runs");
    assert_eq!(result.notes.len(), 1, "the zero count is explained");
    let mut group = c.benchmark_group("query/zero_count_hint");
    group.sample_size(10);
    group.bench_function("planq", |b| {
        b.iter(|| engine.query_result(black_box(query)).expect("runs"))
    });
    group.finish();
}

criterion_group!(query_benches, benches, hint_cost);
criterion_main!(query_benches);
