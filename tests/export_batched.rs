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
        let (tables, warnings, code) = general(&plan, &root.join(format!("{k}-general")));
        for batch in ["1", "2", ""] {
            let dir = root.join(format!("{k}-batch{batch}"));
            let mut cmd = planq();
            if !batch.is_empty() {
                cmd.env("PLANQ_EXPORT_BATCH", batch);
            }
            let out = cmd
                .arg("--plan")
                .arg(&plan)
                .args(["export", "--out"])
                .arg(&dir)
                .output()
                .expect("planq runs");
            let shown = format!("{} (batch {batch:?})", plan.display());
            let stderr = String::from_utf8_lossy(&out.stderr);
            if code != Some(0) {
                // Not a plan (a fuzz fixture): the same diagnostic and exit code.
                assert_eq!(out.status.code(), code, "{shown}: {out:?}");
                assert_eq!(stderr, warnings, "{shown}");
                continue;
            }
            assert!(out.status.success(), "{shown}: {out:?}");
            assert_eq!(
                stderr,
                format!("{warnings}wrote 8 tables to {}\n", dir.display()),
                "{shown}: the warnings, then the summary"
            );
            for (t, expected) in TABLES.iter().zip(&tables) {
                let got = std::fs::read(dir.join(format!("{t}.csv"))).expect("exported table");
                assert!(
                    &got == expected,
                    "{shown}: {t}.csv differs from the general path's\n--- batched\n{}\n--- general\n{}",
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(expected)
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
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
