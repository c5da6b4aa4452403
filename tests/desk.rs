//! The analyst's desk (issue 12), through the real binary: no silent zeros (a `where` that
//! removes every row says why, also under an aggregate; a column null in every row says
//! so; `.schema` shows non-null counts and descriptions), deadlines read from task text,
//! and progress files in GBK.
//!
//! Fixtures: `tests/fixtures/progress-gbk.csv` was written by Python
//! (`text.encode("gbk")`), as Excel on Chinese Windows saves "CSV";
//! `tests/fixtures/progress-undecodable.csv` is the same kind of file with the bytes
//! `FF FE` inside its second note, which neither UTF-8 nor GB18030 decodes.

use assert_cmd::Command;
use predicates::prelude::*;

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs planq; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = planq().args(args).output().expect("run planq");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Writes `text` to a file `name` in a fresh directory; returns the directory (keep it
/// alive while the file is used: dropping it removes the file) and the file's path.
fn temp(name: &str, text: &str) -> (Scratch, std::path::PathBuf) {
    let dir = Scratch::new("desk", name);
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

// ---- no silent zeros -------------------------------------------------------------------

#[test]
fn a_count_of_zero_names_the_role_values() {
    let (code, out, err) = run(&[
        "--format",
        "csv",
        "-c",
        r#"owners | where role == "牵头" | count"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "count\n0\n");
    assert!(
        err.contains(
            "no row has role `牵头`; roles are `lead` (牵头), `support` (配合), `responsible` (负责)"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `lead`?"), "{err}");
}

#[test]
fn a_role_word_in_a_list_or_an_empty_result_gets_the_same_hint() {
    let (_, out, err) = run(&["-c", r#"owners | where role in ["配合"]"#]);
    assert!(out.contains("0 rows"), "{out}");
    assert!(err.contains("did you mean `support`?"), "{err}");
}

#[test]
fn a_count_that_is_really_zero_elsewhere_gets_the_value_hint_too() {
    let (_, out, err) = run(&[
        "--format",
        "csv",
        "-c",
        r#"owners | where owner == "数字办" | count"#,
    ]);
    assert_eq!(out, "count\n0\n");
    assert!(err.contains("did you mean `省数字办`"), "{err}");
}

#[test]
fn a_nonzero_count_or_a_grouped_count_says_nothing() {
    for q in [
        r#"owners | where role == "lead" | count"#,
        "tasks | count",
        "owners | count by role",
        r#"targets | where unit == "%" | summarize n = count(), s = sum(value)"#,
    ] {
        let (code, _, err) = run(&["-c", q]);
        assert_eq!(code, 0, "{q}: {err}");
        assert_eq!(err, "", "{q}");
    }
}

#[test]
fn a_filter_on_a_column_null_in_every_row_says_so() {
    // Without progress reports, `actual` has no value in any of the 12 shortfall rows.
    let (_, out, err) = run(&["-c", "shortfall | where actual > 0"]);
    assert!(out.contains("0 rows"), "{out}");
    assert!(err.contains("planq::hint::all_null"), "{err}");
    assert!(err.contains("`actual` is null in every row here"), "{err}");
    assert!(err.contains("null in all 12 rows"), "{err}");
    // Under an aggregate too, and for a text column (`subcategory` of the seed).
    let (_, out, err) = run(&[
        "--format",
        "csv",
        "-c",
        "shortfall | where actual > 0 | count",
    ]);
    assert_eq!(out, "count\n0\n");
    assert!(err.contains("`actual` is null in every row here"), "{err}");
    let (_, _, err) = run(&["-c", r#"tasks | where subcategory == "x""#]);
    assert!(
        err.contains("`subcategory` is null in every row here"),
        "{err}"
    );
    assert!(!err.contains("distinct value"), "{err}");
}

#[test]
fn a_where_that_empties_an_aggregate_is_named() {
    let (_, out, err) = run(&[
        "--format",
        "csv",
        "-c",
        "targets | where value > 100000000 | summarize total = sum(value)",
    ]);
    assert_eq!(out, "total\n\n");
    assert!(
        err.contains("no rows reach `summarize`: this `where` removes all 12 rows"),
        "{err}"
    );
}

#[test]
fn schema_shows_non_null_counts_and_descriptions() {
    let (code, out, err) = run(&["--format", "csv", "-c", ".schema tasks"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "column,type,non_null,description");
    assert!(
        lines.contains(&"id,str,26,printed numbers of the task (二、then (六) → 2.6)"),
        "{out}"
    );
    // One task of the seed has a deadline (`年内完成`); no task has a subcategory.
    assert!(out.contains("\ndeadline,date,1,"), "{out}");
    assert!(out.contains("\nsubcategory,str,0,"), "{out}");
    let (_, out, _) = run(&["--format", "csv", "-c", ".schema"]);
    assert!(
        out.starts_with("table,column,type,non_null,description\n"),
        "{out}"
    );
    assert!(out.contains("\nshortfall,actual,float,0,"), "{out}");
}

// ---- deadlines in the text ----------------------------------------------------------------

#[test]
fn the_seed_reads_its_one_deadline_phrase() {
    let (_, out, _) = run(&[
        "--format",
        "csv",
        "-c",
        "tasks | where deadline is not null | select id, deadline, deadline_text",
    ]);
    assert_eq!(out, "id,deadline,deadline_text\n2.2,2010-12-31,年内完成\n");
}

#[test]
fn a_plan_without_a_year_keeps_the_phrase_and_warns() {
    let (_dir, plan) = temp(
        "no-year.txt",
        "数字乡村建设工作要点\n一、基础设施\n（一）推进光网提速。6月底前完成改造。（县工信局负责）\n（二）建设示范基地。2025年9月底前建成。（县农业局负责）\n",
    );
    let plan = plan.to_str().expect("path");
    let (_, out, _) = run(&[
        "--plan",
        plan,
        "--format",
        "csv",
        "-c",
        "tasks | select id, deadline, deadline_text",
    ]);
    assert_eq!(
        out,
        "id,deadline,deadline_text\n1.1,,6月底前完成\n1.2,2025-09-30,2025年9月底前\n"
    );
    let (_, out, _) = run(&[
        "--plan",
        plan,
        "--format",
        "csv",
        "-c",
        "warnings | select code, line",
    ]);
    assert!(out.contains("planq::plan::deadline_year,3"), "{out}");
}

#[test]
fn a_deadline_column_and_the_text_share_one_reader() {
    // The task table fixture has a 完成时限 column: its cells are the phrases.
    let (_, out, err) = run(&[
        "--plan",
        "tests/plans/formats/mixed-tables.txt",
        "--format",
        "csv",
        "-c",
        "tasks | where deadline_text is not null | select id, deadline, deadline_text",
    ]);
    assert_eq!(err, "");
    assert_eq!(
        out,
        "id,deadline,deadline_text\n4.1,2025-12-31,2025年12月底\n4.2,2025-06-30,2025年6月\n"
    );
}

// ---- progress files in GBK ----------------------------------------------------------------

#[test]
fn a_gbk_progress_file_is_read() {
    planq()
        .args([
            "--progress",
            "tests/fixtures/progress-gbk.csv",
            "--format",
            "csv",
            "-c",
            "progress | select target_id, note",
        ])
        .assert()
        .success()
        .stdout("target_id,note\n2.5#1,民生信息化社区：福州、厦门先行\n3.7#1,基站建设进度（省通管局报送）\n");
}

#[test]
fn an_undecodable_progress_file_names_the_encoding() {
    planq()
        .args([
            "--progress",
            "tests/fixtures/progress-undecodable.csv",
            "-c",
            "progress",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("planq::progress::encoding")
                .and(predicate::str::contains("cannot be decoded as gb18030"))
                .and(predicate::str::contains("check the path").not()),
        );
}
