//! The REPL through a real pseudo-terminal (rexpect): queries, Tab completion of columns
//! and values, multi-line pipelines, Ctrl-C, history across restarts, colour. Every wait is
//! bounded by the session timeout.

use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::session::{spawn_command, PtySession};

mod common;

use common::pty::{command, expect, quit, PROMPT, TIMEOUT_MS};
use common::scratch::Scratch;

fn tempdir(name: &str) -> Scratch {
    common::pty::tempdir("repl", name)
}

fn start(cmd: Command) -> PtySession {
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, "Type .tables to see them").expect("banner");
    expect(&mut p, PROMPT).expect("prompt");
    p
}

/// Types `text` (rexpect buffers `send` until a flush).
fn keys(p: &mut PtySession, text: &str) {
    p.send(text).expect("send");
    p.flush().expect("flush");
}

#[test]
fn a_query_runs() {
    let dir = tempdir("query");
    let mut p = start(command(&dir));
    p.send_line("categories").unwrap();
    expect(&mut p, "精心谋划“十二五”发展规划").unwrap();
    expect(&mut p, "5 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line(".tables").unwrap();
    expect(&mut p, "shortfall").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn tab_completes_a_column() {
    let dir = tempdir("complete-column");
    let mut p = start(command(&dir));
    // `rol` is only `role` among owners' columns and the functions.
    keys(&mut p, "owners | where rol\t");
    expect(&mut p, "owners | where role").unwrap();
    keys(&mut p, " == \"lead\" | select posi\t");
    expect(&mut p, "select position").unwrap();
    keys(&mut p, " | take 2\r");
    expect(&mut p, "2 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn tab_completes_from_the_typed_right_side_and_earlier_lets() {
    let dir = tempdir("complete-join");
    let mut p = start(command(&dir));
    // After `==` in a join key: the right side's columns as its pipeline makes them
    // (`tid`), not the left side's `title`.
    keys(
        &mut p,
        "tasks | join (owners | derive tid = task_id) on id == ti\t",
    );
    expect(&mut p, "on id == tid").unwrap();
    keys(&mut p, " | count\r");
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // A `let` earlier on the same line is a source with its own columns.
    keys(
        &mut p,
        "let x = owners | derive unit = owner; x | select uni\t",
    );
    expect(&mut p, "select unit").unwrap();
    keys(&mut p, " | take 1\r");
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn tab_completes_on_a_continuation_line() {
    let dir = tempdir("complete-continued");
    let mut p = start(command(&dir));
    // The second line of a statement completes with the columns of the first.
    p.send_line("owners | derive unit = owner |").unwrap();
    expect(&mut p, "…>").unwrap();
    keys(&mut p, "  select uni\t");
    expect(&mut p, "select unit").unwrap();
    keys(&mut p, " | take 1\r");
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn tab_completes_an_owner_value() {
    let dir = tempdir("complete-value");
    let mut p = start(command(&dir));
    // Inside the string after `owner ==`: the owners' actual names (`省数` → `省数字办`).
    keys(&mut p, "owners | where owner == \"省数\t");
    expect(&mut p, "省数字办\"").unwrap();
    keys(&mut p, " | count\r");
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn a_multi_line_pipeline_runs() {
    let dir = tempdir("multi-line");
    let mut p = start(command(&dir));
    // A trailing `|` continues on the next line; the complete statement runs on Enter.
    p.send_line("owners |").unwrap();
    p.send_line("  count by role |").unwrap();
    p.send_line("  sort role").unwrap();
    expect(&mut p, "lead").unwrap();
    expect(&mut p, "3 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn ctrl_c_clears_the_line() {
    let dir = tempdir("ctrl-c-line");
    let mut p = start(command(&dir));
    keys(&mut p, "tasks | wher");
    p.send_control('c').unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("categories").unwrap();
    expect(&mut p, "5 rows").unwrap();
    quit(p);
}

#[test]
fn ctrl_c_cancels_a_running_query() {
    let dir = tempdir("ctrl-c-query");
    let mut cmd = command(&dir);
    // Testing hook: every REPL query first waits 20 s on its worker thread.
    cmd.env("PLANQ_TEST_QUERY_DELAY_MS", "20000");
    let mut p = start(cmd);
    p.send_line("categories").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let asked = Instant::now();
    p.send_control('c').unwrap();
    expect(&mut p, "query cancelled").unwrap();
    expect(&mut p, PROMPT).unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "back at the prompt long before the query would have finished"
    );
    // Dot commands work at once (they do not wait for the abandoned worker).
    p.send_line(".format").unwrap();
    expect(&mut p, "table").unwrap();
    quit(p);
}

#[test]
fn history_survives_a_restart() {
    let dir = tempdir("history");
    let mut p = start(command(&dir));
    p.send_line("categories | take 3").unwrap();
    expect(&mut p, "3 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // A multi-line statement is one history entry.
    p.send_line("categories |").unwrap();
    p.send_line("  take 2").unwrap();
    expect(&mut p, "2 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // Duplicates are dropped.
    p.send_line("categories | take 3").unwrap();
    expect(&mut p, "3 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();

    let file = dir.join("planq/history");
    let saved = std::fs::read_to_string(&file).expect("history file under XDG_DATA_HOME");
    assert_eq!(saved.matches("categories | take 3").count(), 2, "{saved}");

    // Nothing was written to the current directory but the XDG data dir.
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["planq"], "only {}/planq", dir.display());

    let mut p = start(command(&dir));
    p.send_line(".history").unwrap();
    expect(&mut p, "categories |\r\n         take 2").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // Up arrow twice: the entry before `.history` is the multi-line one, then take 3.
    keys(&mut p, "\x1b[A\x1b[A\x1b[A");
    keys(&mut p, "\r");
    expect(&mut p, "3 rows").unwrap();
    quit(p);
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let dir = tempdir("colour");
    let mut cmd = command(&dir);
    cmd.env_remove("NO_COLOR");
    let mut p = start(cmd);
    p.send_line("categories").unwrap();
    // The header is bold on a terminal.
    expect(&mut p, "\x1b[1mno\x1b[0m").unwrap();
    quit(p);

    // NO_COLOR: the same output without escapes.
    let mut p = start(command(&dir));
    p.send_line("categories").unwrap();
    let before = expect(&mut p, "5 rows").unwrap();
    assert!(!before.contains("\x1b[1m"), "{before:?}");
    quit(p);
}

#[test]
fn dot_command_errors_are_diagnostics() {
    let dir = tempdir("dot-errors");
    let mut p = start(command(&dir));
    p.send_line(".tabls").unwrap();
    expect(&mut p, "did you mean `.tables`?").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line(".load progress").unwrap();
    expect(&mut p, "planq::dot::missing_argument").unwrap();
    expect(&mut p, PROMPT).unwrap();
    // `.load FILE` loads a plan: a missing one is the reader's error, naming it.
    p.send_line(".load nonsense").unwrap();
    expect(&mut p, "cannot read `nonsense`").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line(".help").unwrap();
    expect(&mut p, ".chart").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}
