//! The REPL as the grammar documents it, through a real pseudo-terminal (rexpect): a
//! pipeline typed one stage per line with each line starting with `|`, the continuation
//! prompt while a statement is incomplete, did-you-mean for a misspelled stage verb, and
//! the no-match hint under an aggregate. Every wait is bounded by the session timeout.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

const TIMEOUT_MS: u64 = 15_000;
const PROMPT: &str = "planq>";
const CONTINUATION: &str = "…>";

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("planq-repl-cont-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn command(xdg: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planq"));
    cmd.env("XDG_DATA_HOME", xdg)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("PLANQ_TEST_QUERY_DELAY_MS")
        .current_dir(xdg);
    cmd
}

fn start(name: &str) -> PtySession {
    let dir = tempdir(name);
    let mut p = spawn_command(command(&dir), Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, "Type .tables to see them").expect("banner");
    expect(&mut p, PROMPT).expect("prompt");
    p
}

/// Waits for `needle`; returns what came before it (rexpect reads bytes as Latin-1).
fn expect(p: &mut PtySession, needle: &str) -> Result<String, rexpect::error::Error> {
    let latin1: String = needle.bytes().map(char::from).collect();
    p.exp_string(&latin1).map(|before| {
        let bytes: Vec<u8> = before.chars().map(|c| c as u32 as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn quit(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("planq leaves on Ctrl-D");
}

#[test]
fn lines_starting_with_a_pipe_continue_the_previous_statement() {
    let mut p = start("pipe-lines");
    p.send_line("owners").unwrap();
    expect(&mut p, "rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line(r#"| where role == "lead""#).unwrap();
    expect(&mut p, "20 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("| count by owner").unwrap();
    expect(&mut p, "省数字办").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("| sort count desc | take 1").unwrap();
    let shown = expect(&mut p, "1 row").unwrap();
    assert!(shown.contains("省数字办") && shown.contains('6'), "{shown}");
    expect(&mut p, PROMPT).unwrap();
    // A failed stage is not kept: the next `|` line continues the last good statement.
    p.send_line("| where nosuch > 1").unwrap();
    expect(&mut p, "unknown column `nosuch`").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("| select owner").unwrap();
    expect(&mut p, "1 row").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn a_pipe_line_with_nothing_before_it_says_so() {
    let mut p = start("pipe-first");
    p.send_line("| count").unwrap();
    expect(
        &mut p,
        "continues the previous statement, and none has run yet",
    )
    .unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn an_incomplete_statement_shows_the_continuation_prompt() {
    let mut p = start("continuation");
    p.send_line("owners |").unwrap();
    expect(&mut p, CONTINUATION).unwrap();
    p.send_line(r#"  where role =="#).unwrap();
    expect(&mut p, CONTINUATION).unwrap();
    p.send_line(r#"  "support" | count"#).unwrap();
    let shown = expect(&mut p, "1 row").unwrap();
    assert!(shown.contains("count"), "{shown}");
    expect(&mut p, PROMPT).unwrap();
    // Ctrl-C drops an incomplete statement: the next line starts afresh.
    p.send_line("tasks |").unwrap();
    expect(&mut p, CONTINUATION).unwrap();
    p.send_control('c').unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("categories").unwrap();
    expect(&mut p, "5 rows").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn a_misspelled_stage_verb_gets_did_you_mean() {
    let mut p = start("did-you-mean");
    p.send_line("owners | srot owner").unwrap();
    expect(&mut p, "did you mean `sort`?").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("owners").unwrap();
    expect(&mut p, PROMPT).unwrap();
    p.send_line("| wehre role == \"lead\"").unwrap();
    expect(&mut p, "did you mean `where`?").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}

#[test]
fn a_zero_count_at_the_prompt_explains_itself() {
    let mut p = start("zero-count");
    p.send_line(r#"owners | where role == "牵头" | count"#)
        .unwrap();
    expect(&mut p, "no row has role `牵头`").unwrap();
    expect(&mut p, "did you mean `lead`?").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}
