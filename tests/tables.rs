//! Analysts' own tables through the real binary: `--table` in every format (CSV, TSV,
//! Parquet, JSON array, NDJSON), types and dates inferred, joins and `let`s with plan
//! tables; every kind of bad file refused with a diagnostic naming the file (and row) and
//! nothing loaded; `--aliases` and `.aliases suggest`.
//!
//! Fixtures are written by each test into its own temporary directory: text files as
//! literal strings, Parquet files with polars' `ParquetWriter` (so no binary fixture is
//! committed). `examples/departments.csv` and `examples/aliases.csv` are the shipped samples.

use std::path::Path;

use assert_cmd::Command;
use polars::prelude::*;

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A fresh, empty directory for one test, removed when the test passes.
fn tempdir(name: &str) -> Scratch {
    Scratch::new("tables", name)
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path.display().to_string()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Runs planq; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = planq()
        .args(args)
        .write_stdin("")
        .output()
        .expect("run planq");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs planq and expects success; stdout.
fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "planq {args:?} failed:\n{err}");
    out
}

/// Runs planq and expects failure with `code` in stderr; (exit code, stderr).
fn fails(args: &[&str], code: &str) -> (i32, String) {
    let (exit, out, err) = run(args);
    assert_ne!(exit, 0, "planq {args:?} should fail; stdout:\n{out}");
    assert!(err.contains(code), "expected {code} in:\n{err}");
    (exit, err)
}

const DEPTS_CSV: &str = "dept,kind,staff,budget,reviewed,active\n\
省数字办,综合协调,42,1200.5,2010-03-01,true\n\
省通管局,行业主管,35,800,2010-02-15,false\n\
省经济信息中心,技术支撑,60,,2010-03-10,true\n";

// ---- formats ------------------------------------------------------------------------------

#[test]
fn csv_types_are_inferred_and_dates_recognised() {
    let dir = tempdir("csv");
    let f = write(&dir, "depts.csv", DEPTS_CSV);
    let out = ok(&["--table", &f, "--format", "csv", "-c", ".schema depts"]);
    assert_eq!(
        out,
        "column,type,non_null,description\ndept,str,3,\nkind,str,3,\nstaff,int,3,\nbudget,float,2,\nreviewed,date,3,\nactive,bool,3,\n"
    );
    let out = ok(&[
        "--table",
        &format!("d={f}"),
        "--format",
        "csv",
        "-c",
        r#"d | where reviewed >= d"2010-03-01" and active | select dept, staff * 2 as twice, budget"#,
    ]);
    assert_eq!(
        out,
        "dept,twice,budget\n省数字办,84,1200.5\n省经济信息中心,120,\n"
    );
}

#[test]
fn a_loaded_table_joins_with_plan_tables_and_lets() {
    let dir = tempdir("join");
    let f = write(&dir, "depts.csv", DEPTS_CSV);
    let out = ok(&[
        "--table",
        &f,
        "--format",
        "csv",
        "-c",
        "let big = depts | where staff > 40\n\
         owners | where role == \"lead\" | join big on owner == dept | count by owner, kind | sort owner",
    ]);
    assert_eq!(out, "owner,kind,count\n省数字办,综合协调,6\n");
    // .tables lists it as a file table with its row count.
    let out = ok(&["--table", &f, "--format", "csv", "-c", ".tables"]);
    assert!(out.contains("depts,file,3,"), "{out}");
}

#[test]
fn tsv_files_are_tab_separated() {
    let dir = tempdir("tsv");
    let f = write(
        &dir,
        "d.tsv",
        "dept\tstaff\n省数字办\t42\n\"省,通管局\"\t7\n",
    );
    let out = ok(&[
        "--table",
        &f,
        "--format",
        "csv",
        "-c",
        "d | summarize n = sum(staff)",
    ]);
    assert_eq!(out, "n\n49\n");
}

#[test]
fn parquet_is_scanned_with_its_own_types() {
    let dir = tempdir("parquet");
    let path = dir.join("big.parquet");
    let n = 1000;
    let k: Vec<String> = (0..n).map(|i| format!("k{}", i % 7)).collect();
    let v: Vec<i64> = (0..n).collect();
    let x: Vec<f32> = (0..n).map(|i| i as f32 / 2.0).collect();
    // pandas-style timestamps at midnight: read as dates, with a warning.
    let ts = Column::new(
        "at".into(),
        (0..n).map(|i| (i % 3) * 86_400_000i64).collect::<Vec<_>>(),
    )
    .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    .expect("datetime");
    let mut df = DataFrame::new(
        n as usize,
        vec![
            Column::new("k".into(), k),
            Column::new("v".into(), v),
            Column::new("x".into(), x),
            ts,
        ],
    )
    .expect("frame");
    ParquetWriter::new(std::fs::File::create(&path).expect("create"))
        .finish(&mut df)
        .expect("write parquet");
    let p = path.display().to_string();
    let (code, out, err) = run(&[
        "--table",
        &format!("big={p}"),
        "--format",
        "csv",
        "-c",
        "big | count by k | sort k | take 2",
        "-c",
        ".schema big",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "k,count\nk0,143\nk1,143\n\ncolumn,type,non_null,description\nk,str,1000,\nv,int,1000,\nx,float,1000,\nat,date,1000,\n"
            .replace("\n\n", "\n")
    );
    assert!(err.contains("planq::table::datetime"), "{err}");
    assert!(err.contains("time of day"), "{err}");
}

#[test]
fn json_arrays_and_ndjson_load() {
    let dir = tempdir("json");
    let a = write(
        &dir,
        "a.json",
        r#"[{"dept": "省数字办", "staff": 42, "since": "2009-01-01"},
            {"dept": "省通管局", "staff": 35.5, "tags": ["x", "y"]}]"#,
    );
    let (code, out, err) = run(&["--table", &a, "--format", "csv", "-c", "a"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "dept,staff,since,tags\n省数字办,42,2009-01-01,\n省通管局,35.5,,\"[\"\"x\"\",\"\"y\"\"]\"\n"
    );
    assert!(err.contains("planq::table::nested"), "{err}");
    // NDJSON: a key first seen after the inference window is still a column.
    let mut lines = String::new();
    for i in 0..150 {
        lines.push_str(&format!("{{\"id\": {i}, \"dept\": \"d{}\"}}\n", i % 3));
    }
    lines.push_str("{\"id\": 150, \"dept\": \"d0\", \"late\": \"2010-01-02\"}\n");
    let n = write(&dir, "n.ndjson", &lines);
    let out = ok(&[
        "--table",
        &n,
        "--format",
        "csv",
        "-c",
        "n | count by dept | sort dept",
        "-c",
        "n | where late is not null | select id, late",
        "-c",
        ".schema n",
    ]);
    assert_eq!(
        out,
        "dept,count\nd0,51\nd1,50\nd2,50\nid,late\n150,2010-01-02\ncolumn,type,non_null,description\nid,int,151,\ndept,str,151,\nlate,date,1,\n"
    );
    // One object per line under a .json name is read as NDJSON.
    let j = write(&dir, "lines.json", "{\"a\": 1}\n{\"a\": 2}\n");
    assert_eq!(
        ok(&[
            "--table",
            &j,
            "--format",
            "csv",
            "-c",
            "lines | summarize s = sum(a)"
        ]),
        "s\n3\n"
    );
}

// ---- bad files ----------------------------------------------------------------------------

#[test]
fn a_missing_file_is_named() {
    let (code, err) = fails(
        &["--table", "x=/nonexistent/depts.csv", "-c", "x"],
        "planq::io",
    );
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/depts.csv"), "{err}");
}

#[test]
fn a_directory_and_an_empty_file_are_refused() {
    let dir = tempdir("empty");
    let sub = dir.join("d.csv");
    std::fs::create_dir_all(&sub).expect("dir");
    fails(
        &["--table", &sub.display().to_string(), "-c", "d"],
        "planq::table::directory",
    );
    let e = write(&dir, "e.csv", "");
    let (_, err) = fails(&["--table", &e, "-c", "e"], "planq::table::empty");
    assert!(err.contains("e.csv"), "{err}");
    let b = write(&dir, "blank.csv", "\n\n");
    fails(&["--table", &b, "-c", "blank"], "planq::table::empty");
    // A header without rows loads, with a warning.
    let h = write(&dir, "h.csv", "a,b\n");
    let (code, out, err) = run(&["--table", &h, "--format", "csv", "-c", "h | count"]);
    assert_eq!((code, out.as_str()), (0, "count\n0\n"), "{err}");
    assert!(err.contains("no rows"), "{err}");
}

#[test]
fn an_unreadable_file_is_named() {
    let dir = tempdir("unreadable");
    let f = write(&dir, "secret.csv", "a\n1\n");
    let mut perms = std::fs::metadata(&f).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
    std::fs::set_permissions(&f, perms).expect("chmod");
    if std::fs::read(&f).is_ok() {
        return; // running as root: permissions do not stop reading
    }
    let (_, err) = fails(&["--table", &f, "-c", "secret"], "planq::io");
    assert!(err.contains("secret.csv"), "{err}");
}

#[test]
fn malformed_rows_are_reported_with_their_lines_and_nothing_loads() {
    let dir = tempdir("malformed");
    let f = write(
        &dir,
        "m.csv",
        "dept,staff\n省数字办,42\n省通管局,35,extra\n省卫生厅\n省民政厅,\"39\n",
    );
    let (code, err) = fails(&["--table", &f, "-c", "m"], "planq::table::malformed_row");
    assert_eq!(code, 1);
    assert!(err.contains("has 3 problems"), "{err}");
    assert!(
        err.contains("row 2 (line 3) has 3 fields; the header has 2"),
        "{err}"
    );
    assert!(err.contains("row 3 (line 4) has 1 fields"), "{err}");
    assert!(err.contains("planq::table::unclosed_quote"), "{err}");
    assert!(
        err.contains("m.csv:3:"),
        "the diagnostic points into the file: {err}"
    );
    // In a session, a failed import leaves no table behind.
    let (code, out, _) = run(&[
        "--continue",
        "--format",
        "csv",
        "-c",
        &format!(".import {f} as m"),
        "-c",
        ".tables",
    ]);
    assert_eq!(code, 1);
    assert!(!out.contains("\nm,"), "{out}");
}

#[test]
fn a_blank_line_between_rows_and_text_after_a_quote_are_errors() {
    let dir = tempdir("blank-between");
    let f = write(&dir, "b.csv", "a,b\n1,2\n\n3,4\n\n");
    let (_, err) = fails(&["--table", &f, "-c", "b"], "planq::table::blank_line");
    assert!(err.contains("line 3"), "{err}");
    let q = write(&dir, "q.csv", "a,b\n\"x\"y,2\n");
    fails(&["--table", &q, "-c", "q"], "planq::table::malformed_row");
}

#[test]
fn a_cell_that_does_not_fit_its_column_names_row_and_column_and_the_fix() {
    let dir = tempdir("types");
    let mut text = String::from("dept,staff\n");
    for i in 0..149 {
        text.push_str(&format!("d{i},{i}\n"));
    }
    text.push_str("d149,n/a\n");
    let f = write(&dir, "t.csv", &text);
    let (_, err) = fails(&["--table", &f, "-c", "t"], "planq::table::cell_type");
    assert!(
        err.contains("row 150 (line 151), column `staff`: `n/a` is not an int"),
        "{err}"
    );
    assert!(err.contains(":schema=staff:str"), "{err}");
    // The fix the hint gives works.
    let out = ok(&[
        "--table",
        &format!("{f}:schema=staff:str"),
        "--format",
        "csv",
        "-c",
        "t | where staff == \"n/a\" | select dept",
    ]);
    assert_eq!(out, "dept\nd149\n");
    // A float after the window widens an int column (no value changes).
    let g = write(&dir, "g.csv", text.replace("n/a", "2.5"));
    assert_eq!(
        ok(&[
            "--table",
            &g,
            "--format",
            "csv",
            "-c",
            "g | summarize s = sum(staff)"
        ]),
        "s\n11028.5\n"
    );
    // Forcing a column that does not exist is an error with a suggestion.
    fails(
        &["--table", &format!("{f}:schema=staf:str"), "-c", "t"],
        "planq::table::unknown_column",
    );
    // A forced type that a cell does not fit names the cell.
    let (_, err) = fails(
        &["--table", &format!("{f}:schema=dept:int"), "-c", "t"],
        "planq::table::cell_type",
    );
    assert!(err.contains("column `dept`"), "{err}");
}

#[test]
fn non_utf8_text_gets_the_conversion_command() {
    let dir = tempdir("gbk");
    // "省数字办" in GB18030, as Excel on Chinese Windows saves CSV.
    let mut bytes = b"dept,staff\n".to_vec();
    bytes.extend([0xca, 0xa1, 0xca, 0xfd, 0xd7, 0xd6, 0xb0, 0xec]);
    bytes.extend(b",42\n");
    let f = write(&dir, "gbk.csv", bytes);
    let (_, err) = fails(&["--table", &f, "-c", "gbk"], "planq::table::encoding");
    assert!(err.contains("iconv -f GB18030"), "{err}");
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn names_are_checked() {
    let dir = tempdir("names");
    let f = write(&dir, "depts.csv", DEPTS_CSV);
    let (code, err) = fails(
        &["--table", &format!("tasks={f}"), "-c", "tasks"],
        "planq::table::plan_table",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--table my_tasks="), "{err}");
    let dashed = write(&dir, "my-depts.csv", DEPTS_CSV);
    let (_, err) = fails(&["--table", &dashed, "-c", "x"], "planq::table::bad_name");
    assert!(err.contains("my_depts="), "{err}");
    let (code, err) = fails(
        &[
            "--table",
            &f,
            "--table",
            &format!("depts={dashed}"),
            "-c",
            "depts",
        ],
        "planq::table::duplicate_name",
    );
    assert_eq!(code, 2);
    assert!(err.contains("depts"), "{err}");
    fails(
        &["--table", &format!("null={f}"), "-c", "x"],
        "planq::table::bad_name",
    );
    fails(
        &["--table", &format!("d={f}:schema=staff:money"), "-c", "d"],
        "planq::table::spec",
    );
}

#[test]
fn content_must_match_the_name() {
    let dir = tempdir("content");
    let zip = write(&dir, "sheet.csv", b"PK\x03\x04rest of a zip");
    let (_, err) = fails(
        &["--table", &zip, "-c", "sheet"],
        "planq::table::wrong_format",
    );
    assert!(err.contains("CSV UTF-8"), "{err}");
    let fake = write(&dir, "fake.parquet", "a,b\n1,2\n");
    fails(
        &["--table", &fake, "-c", "fake"],
        "planq::table::wrong_format",
    );
    let xlsx = write(&dir, "book.xlsx", b"PK\x03\x04");
    fails(
        &["--table", &xlsx, "-c", "book"],
        "planq::table::unknown_format",
    );
    let tabs = write(&dir, "tabs.csv", "a\tb\n1\t2\n");
    let (_, err) = fails(&["--table", &tabs, "-c", "tabs"], "planq::table::separator");
    assert!(err.contains(".tsv"), "{err}");
    // A truncated Parquet file: the magic is there, the footer is not.
    let broken = write(&dir, "broken.parquet", b"PAR1\x00\x00\x00");
    let (_, err) = fails(
        &["--table", &broken, "-c", "broken"],
        "planq::table::unreadable",
    );
    assert!(err.contains("broken.parquet"), "{err}");
}

#[test]
fn bad_json_is_reported_with_its_line() {
    let dir = tempdir("badjson");
    let a = write(&dir, "a.json", "[\n  {\"a\": 1},\n  {\"a\": 2,}\n]\n");
    let (_, err) = fails(&["--table", &a, "-c", "a"], "planq::table::malformed_json");
    assert!(err.contains("a.json:3:"), "{err}");
    let o = write(&dir, "o.json", "[{\"a\": 1}, 5]");
    let (_, err) = fails(&["--table", &o, "-c", "o"], "planq::table::not_an_object");
    assert!(err.contains("element 2"), "{err}");
    let n = write(&dir, "n.ndjson", "{\"a\": 1}\n{\"a\": 2\n[1]\n");
    let (_, err) = fails(&["--table", &n, "-c", "n"], "planq::table::malformed_json");
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("line 3 is an array"), "{err}");
    let mut lines = String::new();
    for i in 0..120 {
        lines.push_str(&format!("{{\"v\": {i}}}\n"));
    }
    lines.push_str("{\"v\": \"many\"}\n");
    let t = write(&dir, "t.ndjson", &lines);
    let (_, err) = fails(&["--table", &t, "-c", "t"], "planq::table::cell_type");
    assert!(err.contains("line 121, row 121, key `v`"), "{err}");
}

// ---- aliases --------------------------------------------------------------------------------

#[test]
fn aliases_make_owners_canonical_and_keep_the_text_as_written() {
    let out = ok(&[
        "--aliases",
        &example("aliases.csv"),
        "--format",
        "csv",
        "-c",
        "owners | where owner != owner_raw | count by owner_raw, owner | sort owner_raw",
    ]);
    assert_eq!(
        out,
        "owner_raw,owner,count\n省数字办,省数据管理局,6\n省空间中心,省空间信息工程研究中心,1\n省通管局,省通信管理局,4\n"
    );
    // Joined with the shipped directory, every lead unit of the seed that has an entry is found.
    let out = ok(&[
        "--aliases",
        &example("aliases.csv"),
        "--table",
        &example("departments.csv"),
        "--format",
        "csv",
        "-c",
        "owners | where role == \"lead\" | join departments on owner == dept | count by kind | sort kind",
    ]);
    assert!(out.starts_with("kind,count\n"), "{out}");
    assert!(out.contains("综合协调,"), "{out}");
}

#[test]
fn alias_years_follow_the_plans_year() {
    let dir = tempdir("alias-year");
    let plan = write(
        &dir,
        "2020年数字福建工作要点.txt",
        "2020年数字福建工作要点\n一、数字政府\n1. 推进政务数据汇聚共享（省数字办牵头，省经信委配合）。\n",
    );
    let out = ok(&[
        "--plan",
        &plan,
        "--aliases",
        &example("aliases.csv"),
        "--format",
        "csv",
        "-c",
        "owners | select owner_raw, owner",
    ]);
    // 2020: 省数字办 is not mapped (its row ends in 2017); 省经信委 takes its 2018- meaning.
    assert_eq!(
        out,
        "owner_raw,owner\n省数字办,省数字办\n省经信委,省工业和信息化厅\n"
    );
}

#[test]
fn conflicting_and_circular_aliases_are_errors_with_their_rows() {
    let dir = tempdir("alias-bad");
    let c = write(
        &dir,
        "c.csv",
        "alias,canonical,from,to\nA,B,2000,2010\nA,C,2005,\n",
    );
    let (code, err) = fails(
        &["--aliases", &c, "-c", "owners | count"],
        "planq::aliases::conflict",
    );
    assert_eq!(code, 1);
    assert!(err.contains("c.csv:3:"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    let y = write(&dir, "y.csv", "alias,canonical\nA,B\nB,A\n");
    let (_, err) = fails(
        &["--aliases", &y, "-c", "owners | count"],
        "planq::aliases::cycle",
    );
    assert!(err.contains("A → B → A"), "{err}");
    fails(
        &[
            "--aliases",
            &dir.join("none.csv").display().to_string(),
            "-c",
            "owners",
        ],
        "planq::io",
    );
}

#[test]
fn alias_suggestions_are_listed_and_never_applied() {
    let dir = tempdir("alias-suggest");
    let plan = write(
        &dir,
        "2012年工作要点.txt",
        "2012年数字福建工作要点\n一、数字政府\n\
         1. 推进政务数据共享（省经信委牵头）。\n\
         2. 推进企业信息化（省经济和信息化委员会牵头，省卫生厅配合）。\n\
         3. 推进医院信息化（市卫生厅负责）。\n",
    );
    let (code, out, err) = run(&[
        "--plan",
        &plan,
        "--format",
        "csv",
        "-c",
        ".aliases suggest",
        "-c",
        "owners | where owner == \"省经信委\" | count",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "alias,canonical,why,alias_rows,canonical_rows\n\
             省经信委,省经济和信息化委员会,`省经信委` abbreviates `省经济和信息化委员会`,1,1\n"
        ),
        "{out}"
    );
    // Different levels (省… / 市…) are never paired.
    assert!(!out.contains("市卫生厅"), "{out}");
    assert!(out.ends_with("count\n1\n"), "nothing was applied: {out}");
    assert!(err.contains("suggestions only"), "{err}");
    // Once mapped, a pair is no longer suggested.
    let aliases = write(
        &dir,
        "a.csv",
        "alias,canonical\n省经信委,省经济和信息化委员会\n",
    );
    let out = ok(&[
        "--plan",
        &plan,
        "--aliases",
        &aliases,
        "--format",
        "csv",
        "-c",
        ".aliases suggest",
    ]);
    assert!(!out.contains("省经信委"), "{out}");
}

#[test]
fn loaded_tables_get_did_you_mean_like_plan_tables() {
    let f = example("departments.csv");
    let (_, err) = fails(&["--table", &f, "-c", "deparments | count"], "planq::check");
    assert!(err.contains("did you mean `departments`?"), "{err}");
    let (_, err) = fails(
        &["--table", &f, "-c", "departments | where staf > 3"],
        "planq::check",
    );
    assert!(err.contains("did you mean `staff`?"), "{err}");
    // A filter matching nothing suggests the values the file has.
    let (code, _, err) = run(&[
        "--table",
        &f,
        "-c",
        "departments | where dept == \"数据管理局\"",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("省数据管理局"), "{err}");
}

#[test]
fn one_bad_table_stops_everything_before_any_query() {
    let dir = tempdir("one-bad");
    let good = write(&dir, "good.csv", DEPTS_CSV);
    let bad = write(&dir, "bad.csv", "a,b\n1\n");
    let (code, out, err) = run(&["--table", &good, "--table", &bad, "-c", "good | count"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "", "no query ran");
    assert!(err.contains("bad.csv"), "{err}");
}

#[test]
fn nested_parquet_columns_are_kept_with_a_warning() {
    let dir = tempdir("parquet-list");
    let path = dir.join("l.parquet");
    let tags = Column::new(
        "tags".into(),
        [
            Series::new("".into(), [1i64, 2]),
            Series::new("".into(), [3i64]),
        ],
    );
    let mut df = DataFrame::new(2, vec![Column::new("k".into(), ["a", "b"]), tags]).expect("frame");
    ParquetWriter::new(std::fs::File::create(&path).expect("create"))
        .finish(&mut df)
        .expect("write parquet");
    let p = path.display().to_string();
    let (code, out, err) = run(&[
        "--table",
        &p,
        "--format",
        "csv",
        "-c",
        "l | where k == \"b\" | select k, tags",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("k,tags\nb,"), "{out}");
    assert!(err.contains("planq::table::other_type"), "{err}");
    assert!(err.contains("`tags`"), "{err}");
}
