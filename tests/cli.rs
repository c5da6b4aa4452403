//! The command line through the real binary: stdout, stderr and the exit code of `-c`,
//! script files and stdin; every format; bad queries, bad files, `--continue`, colour and
//! usage errors.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

const LEADS: &str =
    r#"owners | where role == "lead" | count by owner | sort count desc, owner | take 5"#;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A fresh, empty directory for one test, removed when the test passes.
fn tempdir(name: &str) -> Scratch {
    Scratch::new("cli", name)
}

fn progress_file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/progress-2010.csv")
        .display()
        .to_string()
}

/// Runs planq and describes everything it did, for a snapshot.
fn run_in(dir: Option<&Path>, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = planq();
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.write_stdin(stdin.unwrap_or(""));
    let out = cmd.output().expect("run planq");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(None, args, None)
}

fn describe((code, out, err): &(i32, String, String)) -> String {
    format!("exit: {code}\n--- stdout\n{out}--- stderr\n{err}")
}

// ---- -c, files, stdin ------------------------------------------------------------------

#[test]
fn one_shot_table() {
    let r = run(&["-c", "categories"]);
    assert_eq!(r.0, 0);
    assert_eq!(r.2, "", "nothing but results on stdout, nothing on stderr");
    insta::assert_snapshot!("c_categories", describe(&r));
}

#[test]
fn one_shot_pipeline() {
    let r = run(&["-c", LEADS]);
    insta::assert_snapshot!("c_leads", describe(&r));
    assert_eq!(r.0, 0);
    assert!(r.1.ends_with("5 rows\n"), "{}", r.1);
}

#[test]
fn one_shot_count_of_tasks() {
    let r = run(&["-c", "tasks | count", "--format", "csv"]);
    assert_eq!(describe(&r), "exit: 0\n--- stdout\ncount\n26\n--- stderr\n");
}

#[test]
fn every_format_is_exact() {
    for format in ["table", "csv", "tsv", "json", "ndjson", "markdown"] {
        let r = run(&["-c", "categories", "--format", format]);
        assert_eq!(r.0, 0, "{format}: {}", r.2);
        insta::assert_snapshot!(format!("format_{format}"), r.1);
    }
}

#[test]
fn machine_formats_are_never_cut_by_max_rows() {
    let (code, out, _) = run(&["-c", "owners", "--format", "csv", "--max-rows", "3"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 57, "header and all 56 rows");
    let (_, out, _) = run(&["-c", "owners", "--max-rows", "3"]);
    assert!(out.ends_with("showing 3 of 56 rows\n"), "{out}");
    // Into a pipe, tables show every row by default.
    let (_, out, _) = run(&["-c", "owners"]);
    assert!(out.ends_with("\n56 rows\n"), "{out}");
}

#[test]
fn several_commands_run_in_order_with_dot_commands() {
    let r = run(&[
        "-c",
        ".format csv",
        "-c",
        "categories | take 2",
        "-c",
        "tasks | count",
    ]);
    insta::assert_snapshot!("c_several", describe(&r));
    assert_eq!(r.0, 0);
}

#[test]
fn script_files_run_in_order() {
    let dir = tempdir("files");
    std::fs::write(
        dir.join("a.pq"),
        "# first\n.format csv\ncategories | take 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.pq"),
        "let leads = owners | where role == \"lead\"\nleads\n  | count by owner\n  | sort count desc, owner\n  | take 2\n",
    )
    .unwrap();
    let r = run_in(Some(&dir), &["a.pq", "b.pq"], None);
    insta::assert_snapshot!("files_in_order", describe(&r));
    assert_eq!(r.0, 0);
}

#[test]
fn script_from_stdin() {
    let r = run_in(None, &[], Some("categories | take 2\n\ntasks | count\n"));
    insta::assert_snapshot!("stdin_script", describe(&r));
    assert_eq!(r.0, 0);
    // `-` is stdin too, among files.
    let r2 = run_in(None, &["-"], Some("categories | take 2\n\ntasks | count\n"));
    assert_eq!(r.1, r2.1);
}

#[test]
fn empty_stdin_does_nothing() {
    assert_eq!(
        describe(&run_in(None, &[], Some(""))),
        "exit: 0\n--- stdout\n--- stderr\n"
    );
}

// ---- errors ----------------------------------------------------------------------------

#[test]
fn a_bad_query_is_a_diagnostic_and_exit_1() {
    let r = run(&["-c", "owners | wher role == \"lead\""]);
    assert_eq!(r.0, 1);
    assert_eq!(r.1, "", "nothing on stdout");
    assert!(r.2.contains("planq::parse::unknown_verb"), "{}", r.2);
    assert!(r.2.contains("did you mean `where`?"), "{}", r.2);
    insta::assert_snapshot!("bad_verb", describe(&r));
}

#[test]
fn an_unknown_table_suggests_one() {
    let r = run(&["-c", "owner | count"]);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("owners"), "{}", r.2);
    insta::assert_snapshot!("unknown_table", describe(&r));
}

#[test]
fn a_script_error_names_the_file_and_line_after_earlier_output() {
    let dir = tempdir("script-error");
    let script = "categories | take 1\n\nowners\n  | wher role == \"lead\"\n\ntargets | count\n";
    std::fs::write(dir.join("report.pq"), script).unwrap();
    let r = run_in(Some(&dir), &["report.pq"], None);
    assert_eq!(r.0, 1);
    // The first statement's result is printed before the failure …
    assert!(r.1.contains("精心谋划“十二五”发展规划"), "{}", r.1);
    // … the one after it is not run …
    assert!(!r.1.contains("count"), "{}", r.1);
    // … and the diagnostic points into the file at line 4.
    assert!(r.2.contains("[report.pq:4:5]"), "{}", r.2);
    insta::assert_snapshot!("script_error", describe(&r));
}

#[test]
fn continue_runs_the_rest_and_still_fails() {
    let dir = tempdir("continue");
    let script = "categories | take 1\nnosuchtable\n.formt csv\ntargets | count\n";
    std::fs::write(dir.join("report.pq"), script).unwrap();
    let r = run_in(Some(&dir), &["--continue", "report.pq"], None);
    assert_eq!(r.0, 1, "a failed statement still fails the run");
    assert!(r.1.contains("精心谋划"), "{}", r.1);
    assert!(r.1.contains("count"), "the last statement ran: {}", r.1);
    assert!(r.2.contains("[report.pq:2:1]"), "{}", r.2);
    assert!(r.2.contains("did you mean `.format`?"), "{}", r.2);
    insta::assert_snapshot!("continue", describe(&r));
    // Without --continue it stops at the first failure.
    let r = run_in(Some(&dir), &["report.pq"], None);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("planq::check::unknown_table"), "{}", r.2);
    assert!(!r.2.contains("planq::dot::unknown_command"), "{}", r.2);
    assert!(!r.1.contains("count"), "{}", r.1);
}

#[test]
fn an_error_in_stdin_names_stdin() {
    let r = run_in(None, &[], Some("categories | take 1\nnosuch\n"));
    assert_eq!(r.0, 1);
    assert!(r.2.contains("[<stdin>:2:1]"), "{}", r.2);
}

#[test]
fn a_missing_parameter_is_an_error() {
    let r = run(&["-c", "tasks | where starts_with(id, $section) | count"]);
    assert_eq!(r.0, 1, "{}", r.2);
    assert!(r.2.contains("section"), "{}", r.2);
}

#[test]
fn parameters_from_the_command_line() {
    let r = run(&[
        "--param",
        "section=\"3.\"",
        "-c",
        "tasks | where starts_with(id, $section) | count",
        "--format",
        "csv",
    ]);
    assert_eq!(describe(&r), "exit: 0\n--- stdout\ncount\n8\n--- stderr\n");
}

#[test]
fn bad_files_are_data_errors() {
    let r = run(&["/nonexistent/script.pq"]);
    assert_eq!(r.0, 1);
    assert!(
        r.2.contains("cannot read `/nonexistent/script.pq`"),
        "{}",
        r.2
    );
    let r = run(&["--plan", "/nonexistent/plan.txt", "-c", "tasks"]);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("/nonexistent/plan.txt"), "{}", r.2);
    let dir = tempdir("bad-progress");
    std::fs::write(
        dir.join("p.csv"),
        "target_id,actual,as_of\n9.9#9,abc,2010-13-01\n",
    )
    .unwrap();
    let r = run_in(Some(&dir), &["--progress", "p.csv", "-c", "progress"], None);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("p.csv"), "{}", r.2);
    assert_eq!(r.1, "");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--param", "noequals", "-c", "tasks"][..],
        &["--param", "1bad=3", "-c", "tasks"],
        &["--format", "xml", "-c", "tasks"],
        &["--max-rows", "-1", "-c", "tasks"],
        &["--color", "sometimes", "-c", "tasks"],
        &["--no-such-flag"],
        &["-c"],
    ] {
        let r = run(args);
        assert_eq!(r.0, 2, "{args:?}: {}", r.2);
        assert_eq!(r.1, "", "{args:?}");
        assert!(r.2.contains("error:"), "{args:?}: {}", r.2);
    }
}

#[test]
fn a_bad_dot_command_in_a_script_is_a_diagnostic() {
    let r = run(&["-c", ".maxrows many"]);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("planq::dot::bad_argument"), "{}", r.2);
    let r = run(&["-c", ".tabels"]);
    assert!(r.2.contains("did you mean `.tables`?"), "{}", r.2);
    let r = run(&["-c", ".chart"]);
    assert!(r.2.contains("no result to chart"), "{}", r.2);
    let r = run(&["-c", ".read /nonexistent.pq"]);
    assert_eq!(r.0, 1);
    assert!(r.2.contains("cannot read"), "{}", r.2);
}

// ---- output ----------------------------------------------------------------------------

#[test]
fn timer_goes_to_stderr_only() {
    let plain = run(&["-c", "categories"]);
    let timed = run(&["--timer", "-c", "categories"]);
    assert_eq!(plain.1, timed.1, "stdout is the same");
    assert!(timed.2.starts_with("time: "), "{}", timed.2);
    assert!(timed.2.trim_end().ends_with(" ms"), "{}", timed.2);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    // Into a pipe: no colour, NO_COLOR or not.
    let (_, out, err) = run(&["-c", "nosuch | take 1"]);
    assert!(!err.contains('\x1b'), "{err}");
    let (_, out2, _) = run(&["-c", "categories"]);
    assert!(!out.contains('\x1b') && !out2.contains('\x1b'));
    // --color always wins, even over NO_COLOR.
    let (_, out, err) = run(&["--color", "always", "-c", "categories", "-c", "nosuch"]);
    assert!(out.contains("\x1b[1m"), "{out}");
    assert!(err.contains('\x1b'), "{err}");
    // --color never, also for export.
    let (_, out, _) = run(&["--color", "never", "-c", "categories"]);
    assert!(!out.contains('\x1b'));
}

#[test]
fn charts_from_dot_command_and_flag() {
    let r = run(&["-c", "categories", "-c", ".chart name tasks"]);
    assert_eq!(r.0, 0, "{}", r.2);
    insta::assert_snapshot!("chart_dot", r.1);
    let flag = run(&["-c", "categories", "--chart", "name,tasks"]);
    assert_eq!(flag.0, 0, "{}", flag.2);
    assert!(r.1.ends_with(&flag.1), "the flag draws the same chart");
    let r = run(&["-c", LEADS, "--chart", "auto"]);
    insta::assert_snapshot!("chart_leads", r.1);
}

#[test]
fn shortfall_progress_bars() {
    let p = progress_file();
    let r = run(&[
        "--progress",
        &p,
        "-c",
        "shortfall | select metric, unit, target, actual",
        "-c",
        ".chart",
    ]);
    assert_eq!(r.0, 0, "{}", r.2);
    insta::assert_snapshot!("chart_shortfall", r.1);
    let r = run(&[
        "--progress",
        &p,
        "-c",
        "shortfall | select target_id, pct_done",
        "--chart",
        "auto",
    ]);
    assert!(r.1.contains("100%"), "{}", r.1);
}

#[test]
fn save_writes_the_last_result() {
    let dir = tempdir("save");
    let r = run_in(
        Some(&dir),
        &[
            "-c",
            "categories | take 2",
            "-c",
            ".save out.csv",
            "-c",
            ".save out.json",
        ],
        None,
    );
    assert_eq!(r.0, 0, "{}", r.2);
    assert!(
        r.2.contains("saved 2 rows of `categories | take 2` to out.csv"),
        "{}",
        r.2
    );
    let csv = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    assert!(csv.starts_with("no,name,tasks,targets,plan\n1,"), "{csv}");
    let json = std::fs::read_to_string(dir.join("out.json")).unwrap();
    assert!(json.starts_with("[{\"no\":1,"), "{json}");
    let r = run_in(
        Some(&dir),
        &["-c", "categories", "-c", ".save out.xyz"],
        None,
    );
    assert_eq!(r.0, 1);
    assert!(r.2.contains("planq::dot::unknown_extension"), "{}", r.2);
}

#[test]
fn schema_and_tables_are_results() {
    let (code, out, _) = run(&["-c", ".schema owners", "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "column,type,non_null,description\n\
         task_id,str,56,the task (tasks.id)\n\
         owner,str,56,\"department or unit, its prefix restored (审改办 → 省审改办)\"\n\
         role,str,56,\"lead (牵头), support (配合) or responsible (负责)\"\n\
         position,int,56,\"order among the task's owners, from 1\"\n\
         basis,str,56,\"why it has the role: stated, convention or carried\"\n\
         label,str,0,\"label it was listed under (责任单位 …), if any\"\n\
         plan,str,56,\"the plan the row comes from (plans.plan); (plan, id) is the key of a corpus\"\n"
    );
    let (_, out, _) = run(&["-c", ".tables", "--format", "csv"]);
    assert!(
        out.starts_with("table,kind,rows,columns\ntasks,plan,26,"),
        "{out}"
    );
    let (code, _, err) = run(&["-c", ".schema owner"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `owners`?"), "{err}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let (status, err) =
        run_into_closed_stdout(&["-c", "owners", "-c", "tasks", "-c", "owners", "-c", "tasks"]);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, Some(0), "{err}");
}

/// Runs planq with `args` and its stdout closed before it writes: (exit code, stderr).
fn run_into_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_planq"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    (status.code(), err)
}

#[test]
fn export_still_works() {
    let (code, out, _) = run(&["export", "--table", "categories"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("no,name,tasks,targets,plan\n"));
}

#[test]
fn an_empty_result_explains_itself_on_stderr() {
    let r = run(&["-c", "owners | where owner == \"数字办\""]);
    assert_eq!(r.0, 0, "no rows is not an error");
    assert!(r.1.ends_with("0 rows\n"), "{}", r.1);
    assert!(r.2.contains("did you mean `省数字办`"), "{}", r.2);
    assert!(r.2.contains("[<command>:1:25]"), "{}", r.2);
}

// ---- never crash, never lose data (issue 10) -------------------------------------------

/// Writes `text` to a file `name` in a fresh directory; returns the directory (keep it
/// alive while the file is used: dropping it removes the file) and the file's path.
fn file_with(test: &str, name: &str, text: &str) -> (Scratch, String) {
    let dir = tempdir(test);
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    (dir, path.display().to_string())
}

#[test]
fn a_span_past_column_65535_renders_clipped() {
    // Before: miette panicked (exit 101) on the span of `nosuch` past column 65 535.
    let long = "a".repeat(70_000);
    let query = format!("tasks | where title == \"{long}\" or nosuch == 1");
    let (code, out, err) = run(&["-c", &query]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("planq::check::unknown_column"), "{err}");
    assert!(err.contains("nosuch == 1"), "{err}");
    let column = query.find("nosuch").unwrap() + 1;
    assert!(err.contains(&format!("[<command>:1:{column}]")), "{err}");
    assert!(err.len() < 3_000, "{} bytes of diagnostics", err.len());
}

#[test]
fn a_70000_character_progress_field_renders_clipped() {
    let long = "9".repeat(70_000);
    let (_dir, path) = file_with(
        "longfield",
        "p.csv",
        &format!("target_id,actual,as_of\n2.5#1,{long}x,2010-06-30\n"),
    );
    let (code, _, err) = run(&["--progress", &path, "-c", "progress | count"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("planq::progress::bad_number"), "{err}");
    assert!(
        err.contains("70001") && err.contains("characters)"),
        "{err}"
    );
    assert!(err.len() < 3_000, "{} bytes of diagnostics", err.len());
}

#[test]
fn a_one_line_plan_is_not_echoed_in_its_warnings() {
    // A plan whose item is one huge line (a converted document without line breaks) and
    // numbered wrongly: the warning shows an excerpt of the line, not megabytes of it
    // (before: the whole line, or a panic past column 65 535).
    let filler = "推进信息化建设工作".repeat(25_000);
    let (_dir, path) = file_with(
        "oneline",
        "plan.txt",
        &format!("一、总体要求\n2.加快{filler}（牵头单位：{filler}）完成时限：{filler}\n"),
    );
    let (code, out, err) = run(&["--plan", &path, "-c", "tasks | count", "--format", "csv"]);
    assert_eq!((code, out.as_str()), (0, "count\n1\n"), "{err}");
    assert!(err.contains("planq::plan::numbering"), "{err}");
    assert!(err.contains("span clipped"), "{err}");
    assert!(err.len() < 3_000, "{} bytes of diagnostics", err.len());
}

#[test]
fn a_cr_only_progress_file_loads_every_row() {
    // Before: 0 rows, exit 0 (everything after the first bare CR was dropped).
    let (_dir, path) = file_with(
        "cronly",
        "p.csv",
        "target_id,actual,as_of,note\r2.5#1,1500,2010-06-30,half\r2.2#1,9,2010-12-31,\r",
    );
    let (code, out, err) = run(&[
        "--progress",
        &path,
        "-c",
        "progress | count",
        "--format",
        "csv",
    ]);
    assert_eq!((code, out.as_str()), (0, "count\n2\n"), "{err}");
}

#[test]
fn every_error_of_a_progress_file_is_reported() {
    let (_dir, path) = file_with(
        "allerrors",
        "p.csv",
        "target_id,actual,as_of\n2.5#1,1,2010-01-01,extra\n9.9#9,lots,+201-01-01\n",
    );
    let (code, _, err) = run(&["--progress", &path, "-c", "progress"]);
    assert_eq!(code, 1);
    for c in ["extra_fields", "unknown_target", "bad_number", "bad_date"] {
        assert!(err.contains(&format!("planq::progress::{c}")), "{c}: {err}");
    }
    assert!(err.contains("has 4 errors; nothing was loaded"), "{err}");
}

#[test]
fn json_duplicate_keys_and_unknown_fields_are_all_reported() {
    let (_dir, path) = file_with(
        "jsondup",
        "p.json",
        "[{\"target_id\": \"2.5#1\", \"actual\": 1, \"as_of\": \"2010-01-01\", \"actual\": 2},\n {\"target_id\": \"2.5#1\", \"actaul\": 1, \"actual\": \"x\", \"as_of\": \"2010-01-02\"}]",
    );
    let (code, _, err) = run(&["--progress", &path, "-c", "progress"]);
    assert_eq!(code, 1);
    for c in ["duplicate_field", "unknown_column", "bad_number"] {
        assert!(err.contains(&format!("planq::progress::{c}")), "{c}: {err}");
    }
}

#[test]
fn the_duplicate_column_label_names_the_column() {
    let (_dir, path) = file_with("dupcol", "p.csv", "target_id,actual,as_of,actual\n");
    let (code, _, err) = run(&["--progress", &path, "-c", "progress"]);
    assert_eq!(code, 1);
    assert!(err.contains("second `actual` column"), "{err}");
    assert!(!err.contains("{name}"), "{err}");
}

#[test]
fn a_byte_order_mark_is_accepted_everywhere() {
    let dir = tempdir("bom");
    let script = dir.join("s.pq");
    std::fs::write(&script, "\u{feff}.format csv\ncategories | count\n").unwrap();
    let csv = dir.join("p.csv");
    std::fs::write(&csv, "\u{feff}target_id,actual,as_of\n2.5#1,1,2010-01-01\n").unwrap();
    let json = dir.join("p.json");
    std::fs::write(
        &json,
        "\u{feff}[{\"target_id\": \"2.2#1\", \"actual\": 1, \"as_of\": \"2010-01-01\"}]",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "--progress",
        &csv.display().to_string(),
        "--progress",
        &json.display().to_string(),
        &script.display().to_string(),
        "-c",
        "progress | count",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "count\n5\ncount\n2\n");
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/2010年数字福建工作要点.txt"),
    )
    .unwrap();
    let plan = dir.join("plan.txt");
    std::fs::write(&plan, format!("\u{feff}{seed}")).unwrap();
    let (code, out, err) = run(&[
        "--plan",
        &plan.display().to_string(),
        "--strict",
        "-c",
        "tasks | count",
        "--format",
        "csv",
    ]);
    assert_eq!((code, out.as_str()), (0, "count\n26\n"), "{err}");
}

#[test]
fn export_into_a_closed_pipe_ends_quietly() {
    // Before: "Broken pipe" and exit 1, unlike the query modes.
    for args in [
        &["export"][..],
        &["export", "--table", "tasks"][..],
        &["export", "--format", "json"][..],
    ] {
        let (status, err) = run_into_closed_stdout(args);
        assert_eq!(err, "", "{args:?}");
        assert_eq!(status, Some(0), "{args:?}");
    }
}

#[test]
fn global_options_go_on_either_side_of_export() {
    let progress = progress_file();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds/2010年数字福建工作要点.txt")
        .display()
        .to_string();
    let after = run(&["export", "--progress", &progress, "--table", "progress"]);
    let before = run(&["--progress", &progress, "export", "--table", "progress"]);
    assert_eq!(after.0, 0, "{}", after.2);
    assert_eq!(before, after);
    assert!(after.1.lines().count() > 2, "{}", after.1);
    let (code, out, err) = run(&["--plan", &plan, "export", "--table", "categories"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("no,name,tasks,targets,plan\n"), "{out}");
    // The query modes' options make no sense with export: a usage error, not a guess.
    let (code, _, err) = run(&["-c", "tasks", "export"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn ndjson_keeps_column_order() {
    let (code, out, _) = run(&[
        "-c",
        "categories | select tasks, name, no | take 1",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "{\"tasks\":2,\"name\":\"精心谋划“十二五”发展规划\",\"no\":1}\n"
    );
}

#[test]
fn markdown_escapes_cr_and_pipes() {
    let (code, out, _) = run(&[
        "-c",
        r#"categories | select a = "x|y\rz\nw" | take 1"#,
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out, "| a |\n| --- |\n| x\\|y<br>z<br>w |\n");
}

#[test]
fn export_out_refuses_to_overwrite_and_never_follows_symlinks() {
    let dir = tempdir("exportout");
    let out = dir.join("out");
    let out_s = out.display().to_string();
    let (code, _, err) = run(&["export", "--out", &out_s]);
    assert_eq!(code, 0, "{err}");
    let tasks = std::fs::read_to_string(out.join("tasks.csv")).unwrap();
    // Again: refused, nothing touched.
    std::fs::write(out.join("tasks.csv"), "mine").unwrap();
    let (code, _, err) = run(&["export", "--out", &out_s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("planq::export::exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("tasks.csv")).unwrap(),
        "mine"
    );
    // A symlink planted in DIR is replaced, never written through.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::remove_file(out.join("owners.csv")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, out.join("owners.csv")).unwrap();
    let (code, _, err) = run(&["export", "--out", &out_s]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["export", "--out", &out_s, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(out.join("tasks.csv")).unwrap(),
        tasks
    );
    assert!(!std::fs::symlink_metadata(out.join("owners.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn save_refuses_to_overwrite_without_force() {
    let dir = tempdir("saveforce");
    std::fs::write(dir.join("out.csv"), "mine").unwrap();
    let r = run_in(
        Some(&dir),
        &["-c", "categories", "-c", ".save out.csv"],
        None,
    );
    assert_eq!(r.0, 1, "{}", r.2);
    assert!(r.2.contains("planq::dot::exists"), "{}", r.2);
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv")).unwrap(),
        "mine"
    );
    let r = run_in(
        Some(&dir),
        &["-c", "categories | take 1", "-c", ".save out.csv --force"],
        None,
    );
    assert_eq!(r.0, 0, "{}", r.2);
    let csv = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[test]
fn safe_mode_disables_dot_commands_that_touch_files() {
    let dir = tempdir("safe");
    std::fs::write(dir.join("s.pq"), "tasks | count\n").unwrap();
    for cmd in [
        ".load progress p.csv",
        ".read s.pq",
        ".save out.csv",
        ".once out.csv",
        ".load plan x.txt",
    ] {
        let r = run_in(Some(&dir), &["--safe", "-c", "categories", "-c", cmd], None);
        assert_eq!(r.0, 1, "{cmd}: {}", r.2);
        assert!(r.2.contains("planq::dot::unsafe"), "{cmd}: {}", r.2);
        assert!(r.2.contains("disabled by --safe"), "{cmd}: {}", r.2);
    }
    assert!(!dir.join("out.csv").exists());
    // Other dot commands still work.
    let r = run(&["--safe", "-c", ".format csv", "-c", "categories | count"]);
    assert_eq!((r.0, r.1.as_str()), (0, "count\n5\n"), "{}", r.2);
}

/// The binary is linked at a fixed address where the toolchain can (`build.rs`): the
/// dynamic loader then relocates nothing at every start (issue 8: `planq --version` 3.4 →
/// 1.6 ms). `PLANQ_PIE=1` at build time keeps a position-independent executable.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
fn the_binary_is_not_relocated_at_start() {
    let mut header = [0u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_planq"))
        .and_then(|mut f| f.read_exact(&mut header))
        .expect("the planq binary's ELF header");
    // `e_type`: 2 is an executable at a fixed address, 3 a position-independent one.
    let e_type = u16::from_le_bytes([header[16], header[17]]);
    let expected = if option_env!("PLANQ_PIE") == Some("1") {
        3
    } else {
        2
    };
    assert_eq!(e_type, expected, "the ELF type of the planq binary");
}
