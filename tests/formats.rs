//! Plans in other file formats, through the real binary: each fixture in
//! tests/plans/formats/ must give the seed's golden tables (tests/golden/seed/), or the
//! part of them its format can carry; bad files are diagnostics naming the file; no reader
//! panics on random or mutated bytes.
//!
//! How the fixtures were made (all by tests/plans/formats/make.py, from the seed):
//! - `seed-gb18030.txt`, `seed-utf16.txt` (UTF-16LE with BOM), `seed-bom.txt` (UTF-8 with
//!   BOM): Python's codecs.
//! - `seed.html`: a page in the style of a provincial government site (nav, script,
//!   style, footer chrome, `&nbsp;`-style full-width indents), written by the script.
//! - `seed-numbered.docx`: python-docx, every heading and item numbered automatically by a
//!   `numbering.xml` list (`一、` chineseCounting, `（一）` level 2) — the numbers are not in
//!   the text.
//! - `mixed.docx`: python-docx, numbered prose followed by a task table with a merged
//!   section row, a vertically merged lead cell and a 责任领导 (people) column.
//! - `seed-tasks.xlsx`: openpyxl, the seed as a task-division table (merged title and
//!   section rows, 序号 restarting per section) plus a contact-list sheet;
//!   `seed-tasks.ods` and `seed-tasks.xls`: LibreOffice headless conversions of it;
//!   `seed-tasks.csv` (UTF-8 with BOM, CRLF, as Excel saves) and `seed-tasks.tsv`.
//! - `merged-cells.xlsx`: openpyxl, a task sheet whose lead cell and deadline cell are
//!   merged down over two tasks; `merged-cells.ods`: LibreOffice headless conversion of it.
//! - `seed.pdf`: LibreOffice's PDF export of `seed-numbered.docx`.
//! - `seed-pdftotext.txt`, `seed-pdftotext-layout.txt`: poppler-utils' `pdftotext` (and
//!   `pdftotext -layout`) of `seed.pdf` — what the PDF refusal tells an analyst to run.
//! - `encrypted.xlsx`: msoffcrypto-tool's Office encryption of `seed-tasks.xlsx`.
//! - `not-office.zip`, `no-document.docx`, `no-task-table.xlsx`: Python zipfile/openpyxl.
//! - `damaged-dims.xls`: `seed-tasks.xls` as the mutation proptest below damaged it (seed
//!   2032): a directory entry's child id and the second sheet's DIMENSIONS record changed,
//!   the last byte dropped. calamine reads it and reserves 514 GB: planq aborted.

use std::collections::BTreeSet;

use assert_cmd::Command;
use planq::plan::source::{self, ReadOptions};
use planq::Dataset;
use proptest::prelude::*;

const DIR: &str = "tests/plans/formats";

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `planq --plan FILE export --table TABLE` as CSV rows (header included).
fn export(file: &str, table: &str) -> Vec<Vec<String>> {
    let out = planq()
        .args([
            "export",
            "--plan",
            &format!("{DIR}/{file}"),
            "--table",
            table,
        ])
        .output()
        .expect("run planq");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_csv(&String::from_utf8(out.stdout).expect("utf-8"))
}

/// The seed's golden table, its `plan` column (the last) set to the id `file` gets: the
/// file's stem (the golden files are exports of the embedded seed, id `seed`).
fn golden_for(file: &str, table: &str) -> Vec<Vec<String>> {
    let id = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();
    let mut rows = golden(table);
    for row in rows.iter_mut().skip(1) {
        let last = row.last_mut().expect("a plan column");
        assert_eq!(last, "seed");
        *last = id.clone();
    }
    rows
}

fn golden(table: &str) -> Vec<Vec<String>> {
    parse_csv(&std::fs::read_to_string(format!("tests/golden/seed/{table}.csv")).expect("golden"))
}

/// A small CSV reader for the exports (quotes, doubled quotes, newlines in quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// The named columns of a table, row by row.
fn columns(rows: &[Vec<String>], names: &[&str]) -> Vec<Vec<String>> {
    let header = &rows[0];
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("no column {n}"))
        })
        .collect();
    rows[1..]
        .iter()
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

/// Every golden table, exactly (lines included).
fn assert_exact(file: &str) {
    for table in ["tasks", "owners", "targets"] {
        assert_eq!(
            export(file, table),
            golden_for(file, table),
            "{file}: `{table}` differs from tests/golden/seed/{table}.csv"
        );
    }
}

/// The golden tables without the columns a format cannot carry: lines always; for task
/// tables the task text (the owner clause lives in its own columns) and owner positions
/// (they follow the column order). Owners compare as sets per task.
fn assert_same_plan(file: &str, with_text: bool) {
    let task_cols: &[&str] = if with_text {
        &["id", "category", "subcategory", "title", "text", "owners"]
    } else {
        &["id", "category", "subcategory", "title"]
    };
    assert_eq!(
        columns(&export(file, "tasks"), task_cols),
        columns(&golden("tasks"), task_cols),
        "{file}: tasks"
    );
    let owners = |rows: Vec<Vec<String>>| -> BTreeSet<Vec<String>> {
        columns(&rows, &["task_id", "owner", "role"])
            .into_iter()
            .collect()
    };
    assert_eq!(
        owners(export(file, "owners")),
        owners(golden("owners")),
        "{file}: owners"
    );
    let t = &[
        "id",
        "task_id",
        "metric",
        "value",
        "unit",
        "qualifier",
        "text",
    ];
    assert_eq!(
        columns(&export(file, "targets"), t),
        columns(&golden("targets"), t),
        "{file}: targets"
    );
}

// ---- text encodings ------------------------------------------------------------------

#[test]
fn gb18030_seed_gives_the_golden_tables() {
    assert_exact("seed-gb18030.txt");
}

#[test]
fn utf16_and_bom_seeds_give_the_golden_tables() {
    assert_exact("seed-utf16.txt");
    assert_exact("seed-bom.txt");
}

#[test]
fn plan_reports_format_and_encoding() {
    planq()
        .args(["--plan", &format!("{DIR}/seed-gb18030.txt"), "-c", ".plan"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "(text, gb18030): 26 tasks in 5 categories",
        ));
    planq()
        .args(["-c", ".plan"])
        .assert()
        .success()
        .stdout(predicates::str::contains("(text, UTF-8): 26 tasks"));
}

#[test]
fn forced_encoding() {
    // Forcing the right encoding works; forcing a wrong one is a diagnostic with the offset.
    planq()
        .args([
            "--plan",
            &format!("{DIR}/seed-gb18030.txt"),
            "--encoding",
            "gbk",
            "-c",
            "tasks | count",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("26"));
    planq()
        .args([
            "--plan",
            &format!("{DIR}/seed-gb18030.txt"),
            "--encoding",
            "utf-8",
            "-c",
            "tasks | count",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("planq::plan::encoding"))
        .stderr(predicates::str::contains(
            "byte 4 (0xC4) cannot be decoded as UTF-8",
        ));
    planq()
        .args(["--encoding", "klingon", "-c", "tasks | count"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown encoding `klingon`"));
}

#[test]
fn undecodable_bytes_point_at_their_offset() {
    let dir = std::env::temp_dir().join(format!("planq-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("bad.txt");
    let mut bytes = "一、总体要求\n".as_bytes().to_vec();
    bytes.push(0xFF);
    std::fs::write(&path, &bytes).expect("write");
    planq()
        .args([
            "--plan",
            path.to_str().expect("path"),
            "-c",
            "tasks | count",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("byte 19 (0xFF)"))
        .stderr(predicates::str::contains("undecodable byte at offset 19"));
    let _ = std::fs::remove_dir_all(dir);
}

// ---- HTML ----------------------------------------------------------------------------

#[test]
fn html_seed_gives_the_golden_tables() {
    assert_same_plan("seed.html", true);
    // Lines are the HTML source lines where each item starts.
    let html = std::fs::read_to_string(format!("{DIR}/seed.html")).expect("fixture");
    let tasks = columns(&export("seed.html", "tasks"), &["id", "line"]);
    let line_of = |needle: &str| html.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    assert_eq!(
        tasks[0][1],
        line_of("开展电子政务顶层设计")
            .expect("in html")
            .to_string()
    );
    assert_eq!(
        tasks[25][1],
        line_of("加强信息化队伍建设").expect("in html").to_string()
    );
}

// ---- Word ----------------------------------------------------------------------------

#[test]
fn docx_with_automatic_numbering_gives_the_golden_tables() {
    // Paragraph numbers coincide with the seed's lines (title, preamble, then one paragraph
    // per line), so even the line columns match.
    assert_exact("seed-numbered.docx");
}

#[test]
fn docx_mixing_prose_and_a_task_table() {
    let tasks = columns(
        &export("mixed.docx", "tasks"),
        &["id", "category", "owners"],
    );
    assert_eq!(
        tasks,
        [
            ["1.1", "夯实数据基础设施", "省数据管理局、省通信管理局"],
            ["1.2", "夯实数据基础设施", "省数据管理局"],
            ["2.1", "数字政府", "省政务服务中心、各设区市"],
            ["2.2", "数字政府", "省政务服务中心、省公安厅、省市场监管局"],
            ["3.1", "数字社会", "省民政厅"],
        ]
    );
    // 责任领导 names people: none of them is an owner.
    let owners = export("mixed.docx", "owners");
    assert!(owners.iter().all(|r| !r.contains(&"王五".to_string())));
    // Targets come from prose items and table cells alike.
    let targets = columns(
        &export("mixed.docx", "targets"),
        &["task_id", "value", "unit"],
    );
    assert_eq!(
        targets,
        [
            ["1.1", "5000", "个"],
            ["1.2", "200", "个"],
            ["2.1", "3000", "项"],
            ["2.2", "100", "类"],
            ["3.1", "500", "个"],
        ]
    );
    // Lines are paragraph numbers; a table row counts as one.
    let lines = columns(&export("mixed.docx", "tasks"), &["line"]);
    assert_eq!(lines, [["4"], ["5"], ["9"], ["10"], ["12"]]);
}

#[test]
fn text_converted_from_pdf_gives_the_golden_tables() {
    // Hard-wrapped lines (owner clauses cut in two) and `2010 年`-style spaces: joined and
    // tightened, every line keeping its number, with a warning that says so.
    for file in ["seed-pdftotext.txt", "seed-pdftotext-layout.txt"] {
        assert_same_plan(file, false);
        let deadlines = columns(&export(file, "tasks"), &["id", "deadline", "owners"]);
        let golden = columns(&golden("tasks"), &["id", "deadline", "owners"]);
        assert_eq!(
            deadlines, golden,
            "{file}: the title's year and the owner lists"
        );
        let codes = columns(&export(file, "warnings"), &["code"]);
        assert!(
            codes.iter().any(|c| c[0] == "planq::plan::wrapped"),
            "{file}: {codes:?}"
        );
    }
    // A plan written one paragraph a line is never joined.
    let codes = columns(&export("seed-bom.txt", "warnings"), &["code"]);
    assert!(codes.iter().all(|c| c[0] != "planq::plan::wrapped"));
}

// ---- spreadsheets and delimited files ------------------------------------------------

#[test]
fn xlsx_task_table_gives_the_golden_ids_owners_and_targets() {
    assert_same_plan("seed-tasks.xlsx", false);
    let deadlines = columns(&export("seed-tasks.xlsx", "tasks"), &["id", "deadline"]);
    assert_eq!(deadlines[0], ["1.1", "2010-12-31"]);
    assert_eq!(deadlines[1], ["1.2", ""]);
}

#[test]
fn ods_and_xls_conversions_give_the_same_plan() {
    assert_same_plan("seed-tasks.ods", false);
    assert_same_plan("seed-tasks.xls", false);
}

#[test]
fn merged_cells_cover_every_task_they_span_in_xlsx_and_ods() {
    for file in ["merged-cells.xlsx", "merged-cells.ods"] {
        let tasks = columns(
            &export(file, "tasks"),
            &["id", "category", "owners", "deadline_text"],
        );
        assert_eq!(
            tasks,
            [
                ["1", "数字政府", "省政务服务中心、各设区市", "2025年6月底前"],
                // The lead cell and the deadline cell are merged down from the row above.
                [
                    "2",
                    "数字政府",
                    "省政务服务中心、省公安厅、省市场监管局",
                    "2025年底前"
                ],
                ["3", "数字政府", "省民政厅", "2025年底前"],
            ],
            "{file}"
        );
        let leads: Vec<_> = columns(&export(file, "owners"), &["task_id", "owner", "role"])
            .into_iter()
            .filter(|r| r[2] == "lead")
            .collect();
        assert_eq!(
            leads,
            [
                ["1", "省政务服务中心", "lead"],
                ["2", "省政务服务中心", "lead"],
                ["3", "省民政厅", "lead"],
            ],
            "{file}"
        );
    }
}

#[test]
fn csv_and_tsv_task_tables_give_the_same_plan() {
    assert_same_plan("seed-tasks.csv", false);
    assert_same_plan("seed-tasks.tsv", false);
}

#[test]
fn text_tables_among_prose() {
    let tasks = columns(
        &export("mixed-tables.txt", "tasks"),
        &["id", "category", "owners", "deadline", "line"],
    );
    assert_eq!(
        tasks,
        [
            [
                "1.1",
                "夯实数据基础设施",
                "省数据管理局、省通信管理局",
                "",
                "4"
            ],
            [
                "2.1",
                "附件1：数字政府任务",
                "省政务服务中心、各设区市",
                "",
                "9"
            ],
            // `市场监管局` after `省公安厅` is an abbreviation and takes the group's `省`,
            // exactly as it does in prose (owners.rs).
            [
                "2.2",
                "附件1：数字政府任务",
                "省政务服务中心、省公安厅、省市场监管局",
                "",
                "10"
            ],
            ["3.1", "附件2：数字社会任务", "省民政厅", "", "14"],
            ["4.1", "附件3：数字经济任务", "省工信厅", "2025-12-31", "18"],
            ["4.2", "附件3：数字经济任务", "省发改委", "2025-06-30", "19"],
        ]
    );
}

// ---- bad input -----------------------------------------------------------------------

fn refused(file: &str, code: &str, says: &str) {
    refused_at(&format!("{DIR}/{file}"), code, &[file, says]);
}

/// `planq --plan PATH -c 'tasks | count'` fails with exit 1, nothing on stdout, and the
/// code and every text of `says` on stderr.
fn refused_at(path: &str, code: &str, says: &[&str]) {
    let mut assert = planq()
        .args(["--plan", path, "-c", "tasks | count"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(code));
    for text in says {
        assert = assert.stderr(predicates::str::contains(*text));
    }
}

#[test]
fn bad_files_are_diagnostics_naming_the_file() {
    refused(
        "not-office.zip",
        "planq::plan::unknown_zip",
        "not a .docx, .xlsx or .ods",
    );
    refused(
        "no-document.docx",
        "planq::plan::docx_no_document",
        "no document part",
    );
    refused(
        "no-task-table.xlsx",
        "planq::plan::no_task_table",
        "牵头单位",
    );
    refused(
        "encrypted.xlsx",
        "planq::plan::encrypted",
        "password-protected",
    );
    refused("seed.pdf", "planq::plan::pdf", "pdftotext");
    refused(
        "damaged-dims.xls",
        "planq::plan::bad_spreadsheet",
        "Malformed directory entry",
    );
}

/// An .xlsx task sheet written with rust_xlsxwriter: a header row and two tasks, plus
/// `extra` cells (row, column, text) — stray values far from the table.
fn task_sheet_with(extra: &[(u32, u16, &str)]) -> std::path::PathBuf {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["序号", "工作任务", "牵头单位", "完成时限"],
        ["1", "建成全省政务数据共享平台", "省数字办", "2024年6月"],
        ["2", "新增5G基站8000个", "省通信管理局", "2024年12月"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    for &(r, c, text) in extra {
        ws.write_string(r, c, text).expect("cell");
    }
    let path = std::env::temp_dir().join(format!(
        "planq-formats-stray-{}-{}.xlsx",
        std::process::id(),
        extra.len()
    ));
    wb.save(&path).expect("save xlsx");
    path
}

#[test]
fn stray_cells_far_from_the_table_are_read_without_spanning_the_sheet() {
    // The last cell of the sheet, XFD1048576: the grid from A1 would be 17 G cells, which
    // aborted planq on allocation before the sheet reader kept only used rows and columns.
    let path = task_sheet_with(&[(1_048_575, 16_383, "备注：本表由省数字办汇总")]);
    let out = planq()
        .args(["--plan", path.to_str().expect("utf-8 path"), "-c"])
        .arg("tasks | select id, title")
        .args(["--format", "csv"])
        .output()
        .expect("run planq");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("建成全省政务数据共享平台"), "{text}");
    assert!(text.contains("新增5G基站8000个"), "{text}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_sheet_too_large_even_without_empty_rows_is_a_diagnostic() {
    // 4 200 values on a diagonal: no row or column is empty, and 4 200 × 4 200 cells is
    // more than the 16 Mi a sheet's grid may hold.
    let diagonal: Vec<(u32, u16, String)> = (0..4200u32)
        .map(|i| (10 + i, (10 + i) as u16, format!("v{i}")))
        .collect();
    let extra: Vec<(u32, u16, &str)> = diagonal
        .iter()
        .map(|(r, c, t)| (*r, *c, t.as_str()))
        .collect();
    let path = task_sheet_with(&extra);
    // (the message wraps at a width that depends on the path: match its parts)
    refused_at(
        path.to_str().expect("utf-8 path"),
        "planq::plan::sheet_too_large",
        &["4212 values", "4203 rows × 4204 columns"],
    );
    let _ = std::fs::remove_file(path);
}

/// `seed-tasks.xls` with the first record whose header (type, length) is `header` given
/// `data` at the start of its body, written to a temporary file: `planq` refuses it as a
/// damaged workbook whose message holds `says`.
fn patched_xls_is_refused(name: &str, header: [u8; 4], data: &[u8], says: &str) {
    let mut bytes = fixture("seed-tasks.xls");
    let at = bytes
        .windows(4)
        .position(|w| w == header)
        .expect("the record in seed-tasks.xls");
    bytes[at + 4..at + 4 + data.len()].copy_from_slice(data);
    let path =
        std::env::temp_dir().join(format!("planq-formats-{name}-{}.xls", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    // (the message wraps at a width that depends on the path: match a word of it)
    refused_at(
        path.to_str().expect("utf-8 path"),
        "planq::plan::bad_spreadsheet",
        &[says],
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn an_xls_sheet_declaring_impossible_dimensions_is_refused_not_a_crash() {
    // The first sheet's DIMENSIONS record (BIFF8: first row, last row + 1 as u32) saying
    // rows 5 to 1: calamine's arithmetic wraps to 4 billion rows and it reserves them all —
    // the process aborted (the mutation proptest below found it).
    patched_xls_is_refused(
        "dims",
        [0x00, 0x02, 0x0E, 0x00],
        &[5, 0, 0, 0, 2, 0, 0, 0],
        "25769803758",
    );
}

#[test]
fn an_xls_cell_placed_far_outside_any_sheet_is_refused_not_a_crash() {
    // One LabelSst record (a text cell: row, column as u16) moved to row 60 000, column
    // 65 535: calamine lays out the grid between the first and last cell, 3.9 G cells, and
    // the process aborted (the mutation proptest found it).
    patched_xls_is_refused(
        "cell",
        [0xFD, 0x00, 0x0A, 0x00],
        &[0x60, 0xEA, 0xFF, 0xFF],
        "3932160000",
    );
}

// ---- no panic on any bytes -----------------------------------------------------------

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).expect("fixture")
}

/// Reads and extracts; the result may be an error, never a panic.
fn load(name: &str, bytes: &[u8]) {
    let _ = source::read(name, bytes, ReadOptions::default());
    let _ = Dataset::from_bytes(name, bytes, ReadOptions::default());
}

/// Flips, drops or inserts bytes of `base` at the given positions.
fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(at, op, val) in edits {
        if b.is_empty() {
            b.push(val);
            continue;
        }
        let i = at % b.len();
        match op % 3 {
            0 => b[i] ^= val | 1,
            1 => {
                b.remove(i);
            }
            _ => b.insert(i, val),
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), ext in 0usize..6) {
        let name = ["x.txt", "x.csv", "x.tsv", "x.html", "x.docx", "x.xlsx"][ext];
        load(name, &bytes);
        // With each container's magic in front too.
        let magics: [&[u8]; 4] = [b"PK\x03\x04", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], b"<html>", b"\xff\xfe"];
        for magic in magics {
            let mut b = magic.to_vec();
            b.extend(&bytes);
            load(name, &b);
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        for name in ["seed-numbered.docx", "seed-tasks.xlsx", "seed-tasks.xls", "seed-tasks.ods", "seed.html", "seed-tasks.csv", "seed-gb18030.txt", "mixed-tables.txt"] {
            let b = mutate(&fixture(name), &edits);
            load(name, &b);
        }
    }
}

// ---- the README's examples -----------------------------------------------------------

#[test]
fn readme_examples_run() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let section = readme
        .split("## What can be loaded")
        .nth(1)
        .expect("README section `What can be loaded`");
    let lines: Vec<&str> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("planq --plan "))
        .collect();
    assert!(lines.len() >= 6, "{lines:?}");
    for line in lines {
        let command = line.split("  #").next().unwrap_or(line).trim();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(command.replacen("planq", env!("CARGO_BIN_EXE_planq"), 1))
            .env("NO_COLOR", "1")
            .output()
            .expect("sh");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "README example failed: {command}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
