//! Snapshots of how results look at an 80×24 terminal: a table wider than 80 columns
//! (middle columns hidden behind `…`, whole headers, the hidden ones named in the footer),
//! a table taller than 24 lines (cut by `.maxrows`, the footer telling the true count), and
//! line mode. The renderer gets the width explicitly; `tests/terminal.rs` checks the same
//! through the binary in a pseudo-terminal.

use planq::render::line::render_lines;
use planq::render::{render_table, TableOptions};
use planq::Engine;
use unicode_width::UnicodeWidthStr;

fn at_80(query: &str, max_rows: Option<usize>) -> String {
    let df = Engine::seed().expect("seed").query(query).expect("query");
    let t = render_table(
        &df,
        &TableOptions {
            max_rows,
            width: Some(80),
            color: false,
        },
    );
    for line in t.lines().filter(|l| l.contains('│')) {
        assert!(UnicodeWidthStr::width(line) <= 80, "wider than 80: {line}");
    }
    t
}

#[test]
fn wide_tasks_at_80_columns() {
    let t = at_80("tasks | take 5", None);
    assert!(t.lines().next().unwrap().contains(" │ … │ "), "{t}");
    insta::assert_snapshot!("wide_tasks_80", t);
}

#[test]
fn wide_targets_keep_whole_headers() {
    let t = at_80("targets | take 4", None);
    let header = t.lines().next().unwrap();
    for name in ["id", "line"] {
        assert!(header.contains(name), "{header}");
    }
    assert!(
        !header.contains("targe…"),
        "headers are never abbreviated: {header}"
    );
    insta::assert_snapshot!("wide_targets_80", t);
}

#[test]
fn tall_owners_at_24_lines() {
    // 20 rows, as `.maxrows 20` shows them: header, rule, 20 rows and the footer fit 24.
    let t = at_80("owners | select task_id, owner, role, basis", Some(20));
    assert_eq!(t.lines().count(), 23);
    assert!(t.ends_with("showing 20 of 56 rows\n"), "{t}");
    insta::assert_snapshot!("tall_owners_80x24", t);
}

#[test]
fn line_mode_of_a_task() {
    let df = Engine::seed()
        .expect("seed")
        .query(r#"tasks | where id == "2.5""#)
        .expect("query");
    insta::assert_snapshot!("line_task_2_5", render_lines(&df, None));
}
