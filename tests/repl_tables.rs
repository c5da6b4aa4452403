//! `.import` and `.aliases` in the REPL, through a real pseudo-terminal (rexpect): a file
//! imported under a name is queried, completed (its columns and values) and joined; a bad
//! file is a diagnostic and leaves nothing behind. Every wait is bounded by the timeout.

use std::path::Path;

use rexpect::session::{spawn_command, PtySession};

mod common;

use common::pty::{command, expect, PROMPT, TIMEOUT_MS};
use common::scratch::Scratch;

fn tempdir(name: &str) -> Scratch {
    common::pty::tempdir("repl-tables", name)
}

fn start(dir: &Path) -> PtySession {
    let mut p = spawn_command(command(dir), Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, PROMPT).expect("prompt");
    p
}

fn keys(p: &mut PtySession, text: &str) {
    p.send(text).expect("send");
    p.flush().expect("flush");
}

#[test]
fn an_imported_file_is_queried_completed_and_joined() {
    let dir = tempdir("import");
    std::fs::write(
        dir.join("depts.csv"),
        "dept,kind,staff\n省数字办,综合协调,42\n省通管局,行业主管,35\n",
    )
    .expect("fixture");
    std::fs::write(dir.join("bad.csv"), "dept,staff\n省数字办,1,2\n").expect("fixture");
    let mut p = start(&dir);
    p.send_line(".import depts.csv as d").unwrap();
    expect(
        &mut p,
        "imported depts.csv as `d`: 2 rows, dept str, kind str, staff int",
    )
    .unwrap();
    expect(&mut p, PROMPT).unwrap();
    // Tab completes the imported table's columns, and its values inside quotes.
    keys(&mut p, "d | where kin\t");
    expect(&mut p, "d | where kind").unwrap();
    keys(&mut p, " == \"综合\t");
    expect(&mut p, "综合协调\"").unwrap();
    keys(&mut p, " | select dept, staff\r");
    expect(&mut p, "省数字办").unwrap();
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("owners | join d on owner == dept | count by kind | sort kind")
        .unwrap();
    expect(&mut p, "综合协调").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // A bad file: a diagnostic with its line, and no table.
    p.send_line(".import bad.csv").unwrap();
    expect(&mut p, "planq::table::malformed_row").unwrap();
    expect(&mut p, "line 2").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // The eight plan tables and `d`: the bad file left nothing behind.
    p.send_line(".tables").unwrap();
    let listing = expect(&mut p, "9 rows").unwrap();
    assert!(listing.contains("file"), "{listing}");
    assert!(!listing.contains("\r\n bad "), "{listing}");
    expect(&mut p, PROMPT).unwrap();
    p.send_line(".aliases suggest").unwrap();
    expect(&mut p, "有关部门").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("planq leaves on Ctrl-D");
}
