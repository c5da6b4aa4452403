//! `planq export --out DIR` of one plain-text plan writes its tables batch by batch (the
//! extractor hands over a few hundred tasks at a time, `src/cli/export.rs`). The contract:
//! the same bytes, stderr and exit code as the general path, which builds every table of a
//! loaded dataset. The general path's tables are read here through the query mode
//! (`--out DIR -c tasks -c owners …`: the same dataset, the same CSV writer), and
//! `PLANQ_EXPORT_BATCH=1` / `2` make every task boundary a batch boundary (`下同` carried
//! owners, duplicate ids, warnings of every batch).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

const TABLES: &[&str] = &[
    "tasks",
    "owners",
    "targets",
    "categories",
    "progress",
    "shortfall",
    "warnings",
    "plans",
];

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("PLANQ_EXPORT_BATCH");
    cmd
}

/// A fresh, empty directory for one test, removed when the test passes.
fn scratch(name: &str) -> Scratch {
    Scratch::new("batched", name)
}

/// Every text plan among the fixtures (UTF-8, UTF-16, GB18030, wrapped PDF text, a text
/// file with a task table, which takes the general path), and the seed's file.
fn text_plans() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("seeds/2010年数字福建工作要点.txt")];
    out.extend(fixtures::text_plan_files());
    out
}

/// The general path's tables of `plan` (none when it fails), its stderr and exit code.
fn general(plan: &Path, dir: &Path) -> (Vec<Vec<u8>>, String, Option<i32>) {
    let mut cmd = planq();
    cmd.arg("--plan").arg(plan).arg("--format").arg("csv");
    cmd.arg("--out").arg(dir);
    for t in TABLES {
        cmd.arg("-c").arg(t);
    }
    let out = cmd.output().expect("planq runs");
    let tables = if out.status.success() {
        (1..=TABLES.len())
            .map(|i| std::fs::read(dir.join(format!("{i:02}.csv"))).expect("query output"))
            .collect()
    } else {
        Vec::new()
    };
    // The diagnostics, without the query mode's own `wrote N rows to …` lines.
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .split_inclusive('\n')
        .filter(|l| !(l.starts_with("wrote ") && l.contains(" to ")))
        .collect();
    (tables, stderr, out.status.code())
}

#[test]
fn batched_export_writes_what_the_general_path_writes() {
    let root = scratch("same");
    for (k, plan) in text_plans().into_iter().enumerate() {
        let general = general(&plan, &root.join(format!("{k}-general")));
        for batch in ["1", "2", ""] {
            let dir = root.join(format!("{k}-batch{batch}"));
            assert_batched_writes(&plan, batch, &dir, &general);
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// Asserts that `export --out dir` of `plan`, in batches of `batch` tasks (`""`: the
/// default), writes the tables, stderr and exit code of the general path's `general`.
fn assert_batched_writes(
    plan: &Path,
    batch: &str,
    dir: &Path,
    (tables, warnings, code): &(Vec<Vec<u8>>, String, Option<i32>),
) {
    let mut cmd = planq();
    if !batch.is_empty() {
        cmd.env("PLANQ_EXPORT_BATCH", batch);
    }
    let out = cmd
        .arg("--plan")
        .arg(plan)
        .args(["export", "--out"])
        .arg(dir)
        .output()
        .expect("planq runs");
    let shown = format!("{} (batch {batch:?})", plan.display());
    let stderr = String::from_utf8_lossy(&out.stderr);
    if *code != Some(0) {
        // Not a plan (a fuzz fixture): the same diagnostic and exit code.
        assert_eq!(out.status.code(), *code, "{shown}: {out:?}");
        assert_eq!(&stderr, warnings, "{shown}");
        return;
    }
    assert!(out.status.success(), "{shown}: {out:?}");
    assert_eq!(
        stderr,
        format!("{warnings}wrote 8 tables to {}\n", dir.display()),
        "{shown}: the warnings, then the summary"
    );
    for (t, expected) in TABLES.iter().zip(tables) {
        let got = std::fs::read(dir.join(format!("{t}.csv"))).expect("exported table");
        assert!(
            &got == expected,
            "{shown}: {t}.csv differs from the general path's\n--- batched\n{}\n--- general\n{}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }
}

/// A plan of about 9 MB: past the size from which a file is mapped rather than read
/// (1 MiB), and from which its UTF-8 check, table-delimiter search, line split and
/// wrapped-line count run in pieces on rayon's pool (4 MiB and 1 MiB pieces, cut inside
/// multi-byte chars and lines). Sections of nine items, owner clauses, block lines, a
/// `下同` and numbering that repeats (warnings in many batches).
fn large_plan() -> String {
    const CN: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let mut text = String::from("2099年数字福建工作要点（测试用合成文本）\n");
    for s in 0..9_000 {
        text.push_str(&format!("第{s}部分工作\n"));
        for (k, n) in CN.iter().enumerate() {
            // Every 97th section prints its fifth item's number twice.
            let n = if s % 97 == 0 && k == 5 { CN[4] } else { n };
            text.push_str(&format!(
                "（{n}）推进第{s}项建设。建成{}个民生信息化社区，宽带率达到{}%。",
                1000 + s,
                s % 100
            ));
            match k {
                0 => text.push_str("（省数字办牵头，省经济信息中心配合，下同）\n"),
                1 => text.push('\n'),
                _ => text.push_str("（省通信管理局负责）\n"),
            }
        }
        text.push_str(&format!(
            "牵头单位：省数字办\n完成时限：2099年{}月底\n",
            1 + s % 12
        ));
    }
    text
}

#[test]
fn a_large_mapped_plan_exports_what_the_general_path_writes() {
    let root = scratch("large");
    let text = large_plan();
    assert!(text.len() > 8 << 20, "{} bytes", text.len());
    let utf8 = root.join("large.txt");
    std::fs::write(&utf8, &text).expect("write");
    // The same plan in GB18030: mapped, then decoded into a text of its own.
    let gbk = root.join("large-gbk.txt");
    let (bytes, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    std::fs::write(&gbk, &bytes).expect("write");
    for (k, plan) in [utf8, gbk].iter().enumerate() {
        let general = general(plan, &root.join(format!("{k}-general")));
        assert_eq!(general.2, Some(0), "{}: {}", plan.display(), general.1);
        // What the text holds, counted without planq: every item, and one repeated
        // number in every 97th section (both paths read the file the same way).
        assert_eq!(
            general.1.matches("printed twice").count(),
            93,
            "{}",
            plan.display()
        );
        let dir = root.join(format!("{k}-batched"));
        assert_batched_writes(plan, "", &dir, &general);
        // A row per item; each section's last item holds its two block lines, so its
        // quoted `text` spans three lines of the file.
        let tasks = std::fs::read_to_string(dir.join("tasks.csv")).expect("tasks");
        assert_eq!(
            tasks.lines().count(),
            1 + 9_000 * 9 + 9_000 * 2,
            "{}",
            plan.display()
        );
    }
}

#[test]
fn batched_export_refuses_existing_files_and_leaves_nothing() {
    let dir = scratch("exists");
    std::fs::write(dir.join("owners.csv"), "old\n").expect("write");
    let out = planq()
        .args(["--plan", "tests/plans/genre/03-city-plain-list-xiatong.txt"])
        .args(["export", "--out"])
        .arg(&dir)
        .env("PLANQ_EXPORT_BATCH", "1")
        .output()
        .expect("planq runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("planq::export::exists"));
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["owners.csv"],
        "nothing written, no temporary file left"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("owners.csv")).expect("read"),
        "old\n"
    );
    // --force replaces them all.
    planq()
        .args(["--plan", "tests/plans/genre/03-city-plain-list-xiatong.txt"])
        .args(["export", "--force", "--out"])
        .arg(&dir)
        .assert()
        .success();
    assert!(std::fs::read_to_string(dir.join("owners.csv"))
        .expect("read")
        .starts_with("task_id,owner,role,"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plan_without_tasks_is_an_error_before_anything_is_written() {
    let dir = scratch("notasks");
    let plan = dir.join("empty.txt");
    std::fs::write(&plan, "说明\n这里没有编号的任务。\n").expect("write");
    let out = planq()
        .arg("--plan")
        .arg(&plan)
        .args(["export", "--out"])
        .arg(dir.join("o"))
        .output()
        .expect("planq runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("planq::plan::no_tasks"));
    assert!(
        !dir.join("o").exists(),
        "no output directory for a failed export"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bom_starts_every_batched_file_once() {
    let dir = scratch("bom");
    planq()
        .args(["--plan", "tests/plans/genre/03-city-plain-list-xiatong.txt"])
        .args(["export", "--bom", "--out"])
        .arg(&dir)
        .env("PLANQ_EXPORT_BATCH", "1")
        .assert()
        .success();
    for t in TABLES {
        let bytes = std::fs::read(dir.join(format!("{t}.csv"))).expect("table");
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{t}");
        assert_eq!(
            String::from_utf8_lossy(&bytes).matches('\u{feff}').count(),
            1,
            "{t}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
