//! Results into files, through the real binary: `.xlsx` (opened again with calamine, the
//! frozen header read from the sheet XML), `--bom`, `.once`, `--out DIR`, `--output FILE`,
//! `export --format xlsx`, `.save` after a failed statement, line mode, and charts kept out
//! of machine formats.
#![cfg(feature = "spreadsheet")]

use std::io::Read;
use std::path::Path;

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("PAGER");
    cmd
}

/// A fresh, empty directory for one test, removed when the test passes.
fn tempdir(name: &str) -> Scratch {
    Scratch::new("output", name)
}

/// Runs planq in `dir`; (exit code, stdout bytes, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = planq()
        .args(args)
        .current_dir(dir)
        .write_stdin("")
        .output()
        .expect("run planq");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

/// The rows of a sheet.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("an xlsx file calamine opens");
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let book: Xlsx<_> = open_workbook(path).expect("xlsx");
    book.sheet_names().to_vec()
}

/// A part of the xlsx zip, as text.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut s = String::new();
    zip.by_name(name)
        .expect("the part")
        .read_to_string(&mut s)
        .expect("utf-8 xml");
    s
}

/// The `width` attributes of a sheet's `<col>` elements, in order.
fn column_widths(xml: &str) -> Vec<f64> {
    xml.split("<col ")
        .skip(1)
        .filter_map(|c| {
            let w = c.split("width=\"").nth(1)?;
            w[..w.find('"')?].parse().ok()
        })
        .collect()
}

const TYPED: &str = r#"progress | take 2 | derive ref = "3.10", n = 3.10, owner = "省数字办" | select target_id, ref, n, owner, actual, as_of, note"#;

#[test]
fn xlsx_keeps_text_numbers_dates_and_a_frozen_bold_header() {
    let dir = tempdir("xlsx");
    let progress = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/progress-2010.csv");
    let progress = progress.display().to_string();
    let (code, out, err) = run_in(
        &dir,
        &[
            "--progress",
            &progress,
            "--format",
            "xlsx",
            "--output",
            "r.xlsx",
            "-c",
            TYPED,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "results went to the file");
    assert!(err.contains("wrote 1 result to r.xlsx"), "{err}");
    let path = dir.join("r.xlsx");
    assert_eq!(sheet_names(&path), ["result 1"]);
    let rows = sheet(&path, "result 1");
    assert_eq!(
        rows[0],
        ["target_id", "ref", "n", "owner", "actual", "as_of", "note"]
            .map(|s| Data::String(s.into()))
    );
    let first = &rows[1];
    // Ids stay text: `3.10` is never the number 3.1; the number column is a number.
    assert_eq!(first[1], Data::String("3.10".into()));
    assert_eq!(first[2], Data::Float(3.1));
    assert_eq!(first[3], Data::String("省数字办".into()));
    assert!(matches!(first[0], Data::String(_)), "{:?}", first[0]);
    assert!(matches!(first[4], Data::Float(_)), "{:?}", first[4]);
    // Dates are Excel dates (a serial number with a date format), not text.
    match &first[5] {
        Data::DateTime(d) => {
            assert!(d.is_datetime(), "{d:?}");
            // Excel's serial days: 40179 is 2010-01-01, 40543 is 2010-12-31.
            assert!((40179.0..=40543.0).contains(&d.as_f64()), "{d:?}");
        }
        other => panic!("as_of is not a date: {other:?}"),
    }
    assert_eq!(rows.len(), 3);

    // The header row is frozen and bold; the sheet says so in its XML.
    let xml = part(&path, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(part(&path, "xl/styles.xml").contains("<b/>"));
    // Widths follow display width: `省数字办` (8 columns) is wider than `3.10` (4) and
    // `owner` (5).
    let widths = column_widths(&xml);
    assert_eq!(widths.len(), 7, "{xml}");
    assert!(widths[3] > widths[1] + 3.0, "{widths:?}");
}

#[test]
fn nulls_are_empty_cells() {
    let dir = tempdir("nulls");
    let (code, _, err) = run_in(
        &dir,
        &[
            "--output",
            "t.xlsx",
            "-c",
            "# name: tasks\ntasks | take 3 | select id, title, deadline, line",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let rows = sheet(&dir.join("t.xlsx"), "tasks");
    assert_eq!(rows[1][0], Data::String("1.1".into()));
    assert_eq!(rows[1][2], Data::Empty, "deadline is null in the seed");
    assert!(matches!(rows[1][3], Data::Float(_)));
}

#[test]
fn several_results_become_several_sheets() {
    let dir = tempdir("sheets");
    std::fs::write(
        dir.join("report.pq"),
        "# name: 牵头单位\nowners | where role == \"lead\" | count by owner\n\ncategories\n",
    )
    .unwrap();
    let (code, out, err) = run_in(&dir, &["report.pq", "--output", "report.xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let path = dir.join("report.xlsx");
    assert_eq!(sheet_names(&path), ["牵头单位", "result 2"]);
    assert_eq!(sheet(&path, "result 2").len(), 6);
    // Into a pipe the same workbook goes to stdout (several workbooks one after another
    // would be no file at all).
    let (code, out, err) = run_in(&dir, &["report.pq", "--format", "xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(b"PK"), "a zip");
    std::fs::write(dir.join("piped.xlsx"), &out).unwrap();
    assert_eq!(sheet_names(&dir.join("piped.xlsx")).len(), 2);
    // --output never replaces a file without --force.
    let (code, _, err) = run_in(&dir, &["report.pq", "--output", "report.xlsx"]);
    assert_eq!(code, 1);
    assert!(err.contains("planq::output::exists"), "{err}");
    let (code, _, err) = run_in(&dir, &["report.pq", "--output", "report.xlsx", "--force"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn save_and_once_write_xlsx() {
    let dir = tempdir("savexlsx");
    let (code, out, err) = run_in(
        &dir,
        &[
            "-c",
            "categories",
            "-c",
            ".save cats.xlsx",
            "-c",
            ".once owners.xlsx",
            "-c",
            "owners | take 4",
            "-c",
            ".format csv",
            "-c",
            "tasks | count",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("saved 5 rows of `categories` to cats.xlsx"),
        "{err}"
    );
    assert!(err.contains("wrote 4 rows to owners.xlsx"), "{err}");
    // Only the result after `.once`'s went to its file; the next one to stdout again.
    assert!(text(&out).ends_with("count\n26\n"), "{}", text(&out));
    assert!(!text(&out).contains("task_id"), "{}", text(&out));
    assert_eq!(sheet(&dir.join("cats.xlsx"), "result").len(), 6);
    assert_eq!(sheet(&dir.join("owners.xlsx"), "result").len(), 5);
}

#[test]
fn export_writes_workbooks() {
    let dir = tempdir("export");
    let (code, _, err) = run_in(&dir, &["export", "--format", "xlsx", "--out", "tables"]);
    assert_eq!(code, 0, "{err}");
    let tasks = dir.join("tables/tasks.xlsx");
    assert_eq!(sheet_names(&tasks), ["tasks"]);
    assert_eq!(sheet(&tasks, "tasks").len(), 27, "header and 26 tasks");
    let (code, _, err) = run_in(
        &dir,
        &["export", "--format", "xlsx", "--output", "plan.xlsx"],
    );
    assert_eq!(code, 0, "{err}");
    let names = sheet_names(&dir.join("plan.xlsx"));
    for t in ["tasks", "owners", "targets", "categories", "warnings"] {
        assert!(names.iter().any(|n| n == t), "{t} in {names:?}");
    }
    // Again, without --force: refused, nothing replaced.
    let (code, _, err) = run_in(
        &dir,
        &["export", "--format", "xlsx", "--output", "plan.xlsx"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already exists"), "{err}");
    // One table into a pipe.
    let (code, out, err) = run_in(&dir, &["export", "--format", "xlsx", "--table", "owners"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(b"PK"));
}

#[test]
fn bom_for_excel() {
    let dir = tempdir("bom");
    let (code, out, err) = run_in(
        &dir,
        &[
            "--bom",
            "--format",
            "csv",
            "-c",
            "categories",
            "-c",
            "tasks | count",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s = text(&out);
    assert!(s.starts_with("\u{feff}no,name,"), "{s:?}");
    assert_eq!(s.matches('\u{feff}').count(), 1, "one mark, at the start");
    // Without --bom there is none.
    let (_, out, _) = run_in(&dir, &["--format", "csv", "-c", "categories"]);
    assert!(out.starts_with(b"no,"));
    // .save FILE.csv --bom, and export --bom.
    let (code, _, err) = run_in(&dir, &["-c", "categories", "-c", ".save c.csv --bom"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(dir.join("c.csv"))
        .unwrap()
        .starts_with(b"\xef\xbb\xbfno,"));
    let (code, out, err) = run_in(&dir, &["export", "--table", "categories", "--bom"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(b"\xef\xbb\xbfno,"));
    // A BOM makes no sense in JSON: a usage error, not a silently odd file.
    let (code, _, err) = run_in(&dir, &["--bom", "--format", "json", "-c", "categories"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--bom is for csv and tsv"), "{err}");
}

#[test]
fn out_dir_writes_one_numbered_file_per_result() {
    let dir = tempdir("outdir");
    std::fs::write(
        dir.join("report.pq"),
        "# The weekly report\n\
         let leads = owners | where role == \"lead\"\n\
         # name: 牵头 by owner\n\
         leads | count by owner | sort count desc | take 2\n\
         .chart owner count\n\
         categories | take 1\n\
         -- name: tasks/all\n\
         tasks | count\n",
    )
    .unwrap();
    let (code, out, err) = run_in(&dir, &["report.pq", "--out", "results"]);
    assert_eq!(code, 0, "{err}");
    let mut files: Vec<String> = std::fs::read_dir(dir.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["01-牵头-by-owner.csv", "02.csv", "03-tasksall.csv"]);
    let first = std::fs::read_to_string(dir.join("results/01-牵头-by-owner.csv")).unwrap();
    assert_eq!(first, "owner,count\n省数字办,6\n省通管局,4\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("results/03-tasksall.csv")).unwrap(),
        "count\n26\n"
    );
    // The chart is for people: on stdout (free of results here), never in a file.
    assert!(text(&out).contains("省数字办"), "{}", text(&out));
    // Run again: the files exist, nothing is replaced without --force.
    let (code, _, err) = run_in(&dir, &["report.pq", "--out", "results"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("planq::output::exists"), "{err}");
    let (code, _, err) = run_in(
        &dir,
        &[
            "report.pq",
            "--out",
            "results",
            "--force",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("results/01-牵头-by-owner.json").exists());
}

#[test]
fn save_after_a_failed_statement_saves_nothing() {
    let dir = tempdir("failedsave");
    let (code, _, err) = run_in(
        &dir,
        &[
            "--continue",
            "-c",
            "categories",
            "-c",
            "owners | where rol == \"lead\"",
            "-c",
            ".save out.csv",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("planq::dot::save_after_failure"), "{err}");
    assert!(err.contains("owners | where rol == \"lead\""), "{err}");
    assert!(
        err.contains("of `categories`"),
        "says what the older result is: {err}"
    );
    assert!(
        !dir.join("out.csv").exists(),
        "the older result was not saved"
    );
    // A syntax error counts as a failed statement too; a good statement after it clears it.
    let (code, _, err) = run_in(
        &dir,
        &[
            "--continue",
            "-c",
            "categories",
            "-c",
            "owners | wher x",
            "-c",
            "tasks | count",
            "-c",
            ".save out.csv",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("saved 1 row of `tasks | count` to out.csv"),
        "{err}"
    );
}

#[test]
fn line_mode_shows_one_column_per_line() {
    let dir = tempdir("line");
    let (code, out, err) = run_in(
        &dir,
        &[
            "--format",
            "line",
            "-c",
            "tasks | take 2 | select id, category, title",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        text(&out),
        "      id = 1.1\n\
         category = 精心谋划“十二五”发展规划\n   \
         title = 开展电子政务顶层设计\n\
         \n      \
         id = 1.2\n\
         category = 精心谋划“十二五”发展规划\n   \
         title = 编制“十二五”建设规划\n"
    );
    // `.mode line` is the same.
    let (_, out2, _) = run_in(
        &dir,
        &[
            "-c",
            ".mode line",
            "-c",
            "tasks | take 2 | select id, category, title",
        ],
    );
    assert_eq!(out, out2);
}

#[test]
fn charts_never_go_into_a_machine_format() {
    let dir = tempdir("chart");
    let (code, out, err) = run_in(
        &dir,
        &[
            "--format",
            "csv",
            "-c",
            "owners | count by owner | take 3",
            "-c",
            ".chart owner count",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s = text(&out);
    assert_eq!(s.lines().count(), 4, "only the csv: {s}");
    assert!(!s.contains('█'), "{s}");
    assert!(
        err.contains('█') || err.contains('▏') || err.contains("count"),
        "the chart is on stderr: {err}"
    );
}

#[test]
fn out_dir_in_xlsx_and_output_in_text() {
    let dir = tempdir("outxlsx");
    std::fs::write(
        dir.join("r.pq"),
        "# name: cats\ncategories\ntasks | count\n",
    )
    .unwrap();
    // --out DIR --format xlsx: a workbook per result, its sheet named after the result.
    let (code, _, err) = run_in(&dir, &["r.pq", "--out", "x", "--format", "xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(sheet_names(&dir.join("x/01-cats.xlsx")), ["cats"]);
    assert_eq!(
        sheet(&dir.join("x/02.xlsx"), "result")[1],
        [Data::Float(26.0)]
    );
    // --output FILE.csv: every result, one after another, written once at the end; with
    // --bom one mark at the start of the file.
    let (code, out, err) = run_in(&dir, &["r.pq", "--output", "all.csv", "--bom"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("wrote 2 results to all.csv"), "{err}");
    let all = std::fs::read_to_string(dir.join("all.csv")).unwrap();
    assert!(
        all.starts_with("\u{feff}no,name,tasks,targets,plan\n"),
        "{all:?}"
    );
    assert!(all.ends_with("count\n26\n"), "{all:?}");
    assert_eq!(all.matches('\u{feff}').count(), 1);
    // A failing run still writes the results before the failure, and exits 1.
    std::fs::write(dir.join("bad.pq"), "categories\nnosuch\n").unwrap();
    let (code, _, err) = run_in(&dir, &["bad.pq", "--output", "bad.csv"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown table"), "{err}");
    assert!(std::fs::read_to_string(dir.join("bad.csv"))
        .unwrap()
        .starts_with("no,name"));
}
