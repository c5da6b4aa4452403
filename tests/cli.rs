//! The command line through the real binary: stdout, stderr and the exit code of `-c`,
//! script files and stdin; every format; bad queries, bad files, `--continue`, colour and
//! usage errors.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;

const LEADS: &str =
    r#"owners | where role == "lead" | count by owner | sort count desc, owner | take 5"#;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A fresh directory for one test's files.
fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("planq-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
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
    assert_eq!(out.lines().count(), 56, "header and all 55 rows");
    let (_, out, _) = run(&["-c", "owners", "--max-rows", "3"]);
    assert!(out.ends_with("showing 3 of 55 rows\n"), "{out}");
    // Into a pipe, tables show every row by default.
    let (_, out, _) = run(&["-c", "owners"]);
    assert!(out.ends_with("\n55 rows\n"), "{out}");
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
    assert!(r.2.contains("saved 2 rows to out.csv"), "{}", r.2);
    let csv = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    assert!(csv.starts_with("no,name,tasks,targets\n1,"), "{csv}");
    let json = std::fs::read_to_string(dir.join("out.json")).unwrap();
    assert!(json.starts_with("[{\"no\":1,"), "{json}");
    let r = run_in(
        Some(&dir),
        &["-c", "categories", "-c", ".save out.xlsx"],
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
        "column,type\ntask_id,str\nowner,str\nrole,str\nposition,int\nbasis,str\nlabel,str\n"
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
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_planq"))
        .args(["-c", "owners", "-c", "tasks", "-c", "owners", "-c", "tasks"])
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
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn export_still_works() {
    let (code, out, _) = run(&["export", "--table", "categories"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("no,name,tasks,targets\n"));
}

#[test]
fn an_empty_result_explains_itself_on_stderr() {
    let r = run(&["-c", "owners | where owner == \"数字办\""]);
    assert_eq!(r.0, 0, "no rows is not an error");
    assert!(r.1.ends_with("0 rows\n"), "{}", r.1);
    assert!(r.2.contains("did you mean `省数字办`"), "{}", r.2);
    assert!(r.2.contains("[<command>:1:25]"), "{}", r.2);
}
