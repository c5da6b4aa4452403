//! Extraction speed: the seed plan (text → model, and text → DataFrames), and throughput
//! on a large synthetic plan (≥ 50 MB of varied sections).
//!
//! Run: `cargo bench --bench extract`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use planq::plan::{extract, ExtractOptions, SEED};
use planq::Dataset;

/// A large document of the same genre: the seed's sections, renumbered and varied
/// (numbers, owners, a three-level section with block lines), repeated to `bytes`.
pub fn synthetic_plan(bytes: usize) -> String {
    let mut doc = String::from("2099年工作要点（合成数据）\n说明：本文件由基准测试生成。\n");
    let owners = ["省数字办", "省通管局", "省卫生厅", "省民政厅", "省统计局"];
    let mut k = 0usize;
    while doc.len() < bytes {
        let o = owners[k % owners.len()];
        doc.push_str(&format!("第{k}部分工作\n"));
        for i in 1..=8 {
            doc.push_str(&format!(
                "({})推进第{k}项建设。建成{}个民生信息化社区，宽带率达到{}%，为{}万农民提供服务。({o}牵头，省经济信息中心、审改办配合)\n",
                chinese(i),
                1000 + k % 997,
                80 + k % 20,
                1 + k % 300,
            ));
        }
        doc.push_str(&format!(
            "(九)完善管理。完成{}所医疗机构接入。\n牵头单位：{o}\n完成时限：2099年{}月底\n",
            k % 50 + 1,
            k % 12 + 1
        ));
        k += 1;
    }
    doc
}

fn chinese(i: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][(i - 1) % 10]
}

fn benches(c: &mut Criterion) {
    c.bench_function("extract/seed", |b| {
        b.iter(|| extract(black_box(SEED), ExtractOptions::default()))
    });
    c.bench_function("extract/seed_to_dataframes", |b| {
        b.iter(|| Dataset::from_text("seed", black_box(SEED)).expect("seed"))
    });

    let doc = synthetic_plan(50 * 1024 * 1024);
    let mut group = c.benchmark_group("extract/synthetic_50MB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("extract", |b| {
        b.iter(|| extract(black_box(&doc), ExtractOptions::default()))
    });
    group.finish();
}

criterion_group!(extract_benches, benches);
criterion_main!(extract_benches);
