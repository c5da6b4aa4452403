//! Extraction speed, in one run so that growth shows:
//!
//! - `extract/seed`, `extract/seed_to_dataframes`: the seed plan (text → model, text →
//!   DataFrames);
//! - `extract/tasks/<n>/{model,frames,export}`: a synthetic plan of 10k, 100k and 1M tasks
//!   (the genre's sections, varied numbers, owners and block lines, ≈ 175 bytes a task):
//!   text → model (`extract`; `model_batched`: the tasks handed over in batches and
//!   dropped, as `export --out` extracts), text → every table (`Dataset::from_text`), and text → every
//!   table written as CSV (what `planq export --out DIR` did for every plan, into a sink),
//!   and `export_batched`: the same CSV written batch by batch, as `export --out` now
//!   writes a plain-text plan. Throughput is the plan's bytes.
//! - `extract/progress/<rows>`: a progress CSV of 10k, 100k and 1M rows over the 48,000
//!   targets of a 2,000-section plan, read and validated (`progress::load`). Throughput is
//!   rows.
//!
//! Before timing, each input is checked: the plan yields exactly its tasks, and the
//! progress file loads every row.
//!
//! mimalloc is set up as the `planq` binary sets it (transparent huge pages off).
//!
//! Run: `cargo bench --bench extract`. `PLANQ_BENCH_MAX_TASKS=100000` (or `_ROWS`) skips the
//! larger sizes (1M tasks need ≈ 175 MB of text and several GB of memory).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use planq::error::Source;
use planq::plan::{extract, ExtractOptions, SEED};
use planq::render::Format;
use planq::Dataset;

/// A large document of the same genre: sections of nine items (eight with an inline owner
/// clause and three targets, one with block lines for owner and deadline), until it has
/// `tasks` tasks.
pub fn synthetic_plan(tasks: usize) -> String {
    let mut doc = String::from("2099年工作要点（合成数据）\n说明：本文件由基准测试生成。\n");
    let owners = ["省数字办", "省通管局", "省卫生厅", "省民政厅", "省统计局"];
    let mut k = 0usize;
    let mut n = 0usize;
    while n < tasks {
        let o = owners[k % owners.len()];
        doc.push_str(&format!("第{k}部分工作\n"));
        for i in 1..=8 {
            if n == tasks {
                break;
            }
            doc.push_str(&format!(
                "({})推进第{k}项建设。建成{}个民生信息化社区，宽带率达到{}%，为{}万农民提供服务。({o}牵头，省经济信息中心、审改办配合)\n",
                chinese(i),
                1000 + k % 997,
                80 + k % 20,
                1 + k % 300,
            ));
            n += 1;
        }
        if n < tasks {
            doc.push_str(&format!(
                "(九)完善管理。完成{}所医疗机构接入。\n牵头单位：{o}\n完成时限：2099年{}月底\n",
                k % 50 + 1,
                k % 12 + 1
            ));
            n += 1;
        }
        k += 1;
    }
    doc
}

/// What `planq export --out DIR` does with a plain-text plan (`src/cli/export.rs`), into
/// a sink (the binary writes on a thread of its own while the next batch is extracted):
/// the tasks in batches of 512, each task's `tasks`, `owners`, `targets` and `shortfall`
/// rows made as CSV on the thread that built it, then the other tables.
fn export_batched(doc: &str) {
    use planq::frames;
    use std::io::Write;
    // As `planq export --out` writes a plain-text plan: each task's rows made where it is
    // built (`frames::csv::task_rows`), appended to its tables' files (here a sink).
    let mut out = std::io::sink();
    for header in frames::csv::headers().expect("headers") {
        out.write_all(header.as_bytes()).expect("write");
    }
    let mut per_root: Vec<(i64, i64)> = Vec::new();
    let finish = |task, category| frames::csv::task_rows(task, category, "synthetic");
    let plan = planq::plan::extract_finished(
        doc,
        ExtractOptions::default(),
        512,
        &finish,
        &mut |rows: Vec<frames::csv::TaskRows>| {
            for r in &rows {
                if per_root.len() <= r.category {
                    per_root.resize(r.category + 1, (0, 0));
                }
                per_root[r.category].0 += 1;
                per_root[r.category].1 += r.targets as i64;
                for k in 0..frames::PER_TASK.len() {
                    out.write_all(r.table(k).as_bytes()).expect("write");
                }
            }
        },
    );
    let mut counts = frames::CategoryCounts::default();
    for (c, &(tasks, targets)) in plan.categories.iter().zip(&per_root) {
        counts.add_counts(&c.name, tasks, targets);
    }
    let mut rest = frames::after_tasks(&plan, &counts).expect("frames");
    frames::add_plan_column(&mut rest, "synthetic").expect("plan column");
    for (_, df) in &rest {
        planq::render::write(df, Format::Csv, &mut std::io::sink()).expect("csv");
    }
}

fn chinese(i: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][(i - 1) % 10]
}

/// A progress CSV of `rows` reports over `ids`, each id reported on different dates.
fn progress_csv(ids: &[String], rows: usize) -> String {
    let mut out = String::from("target_id,actual,as_of\n");
    for r in 0..rows {
        let id = &ids[r % ids.len()];
        let day = r / ids.len();
        out.push_str(&format!(
            "{id},{},{:04}-{:02}-{:02}\n",
            r % 1000,
            2099 + day / 336,
            day / 28 % 12 + 1,
            day % 28 + 1
        ));
    }
    out
}

/// The largest size to run, from `PLANQ_BENCH_MAX_<what>`.
fn max_size(what: &str) -> usize {
    std::env::var(format!("PLANQ_BENCH_MAX_{what}"))
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX)
}

fn label(n: usize) -> String {
    match n {
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n if n >= 1000 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

fn benches(c: &mut Criterion) {
    // The allocator as the `planq` binary sets it, so the figures are the binary's.
    planq::cli::alloc::configure();
    c.bench_function("extract/seed", |b| {
        b.iter(|| extract(black_box(SEED), ExtractOptions::default()))
    });
    c.bench_function("extract/seed_to_dataframes", |b| {
        b.iter(|| Dataset::from_text("seed", black_box(SEED)).expect("seed"))
    });

    for tasks in [10_000, 100_000, 1_000_000] {
        if tasks > max_size("TASKS") {
            continue;
        }
        let doc = synthetic_plan(tasks);
        // Checked before timing: every task is read, and nothing is warned about.
        let plan = extract(&doc, ExtractOptions::default());
        assert_eq!(plan.tasks.len(), tasks);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings.first());
        drop(plan);
        let mut group = c.benchmark_group(format!("extract/tasks/{}", label(tasks)));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(if tasks >= 1_000_000 {
            60
        } else {
            10
        }));
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_function("model", |b| {
            b.iter(|| extract(black_box(&doc), ExtractOptions::default()))
        });
        // Extraction as `export --out` runs it: tasks in batches of 256, each dropped once
        // handed over, so the model is never held whole.
        group.bench_function("model_batched", |b| {
            b.iter(|| {
                planq::plan::extract_in_batches(
                    black_box(&doc),
                    ExtractOptions::default(),
                    256,
                    &mut |tasks| drop(black_box(tasks)),
                )
            })
        });
        group.bench_function("frames", |b| {
            b.iter(|| Dataset::from_text("synthetic", black_box(&doc)).expect("plan"))
        });
        group.bench_function("export", |b| {
            b.iter(|| {
                let data = Dataset::from_text("synthetic", black_box(&doc)).expect("plan");
                for (_, df) in data.tables() {
                    planq::render::write(df, Format::Csv, &mut std::io::sink()).expect("csv");
                }
            })
        });
        group.bench_function("export_batched", |b| {
            b.iter(|| export_batched(black_box(&doc)))
        });
        group.finish();
    }

    // Progress over the targets of a 2,000-section plan.
    let base = synthetic_plan(18_000);
    let data = Dataset::from_text("base", &base).expect("base plan");
    let ids: Vec<String> = data.plan().targets().map(|(_, t)| t.id.clone()).collect();
    for rows in [10_000, 100_000, 1_000_000] {
        if rows > max_size("ROWS") {
            continue;
        }
        let source = Source::new("progress.csv", progress_csv(&ids, rows));
        let loaded = planq::progress::load(&source, &ids, &[]).expect("progress loads");
        assert_eq!(loaded.len(), rows);
        let mut group = c.benchmark_group("extract/progress");
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_function(label(rows), |b| {
            b.iter(|| planq::progress::load(black_box(&source), &ids, &[]).expect("progress"))
        });
        group.finish();
    }
}

criterion_group!(extract_benches, benches);
criterion_main!(extract_benches);
