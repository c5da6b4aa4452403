//! The REPL as the grammar documents it, through a real pseudo-terminal (rexpect): a
//! pipeline typed one stage per line with each line starting with `|`, the continuation
//! prompt while a statement is incomplete, did-you-mean for a misspelled stage verb, and
//! the no-match hint under an aggregate. Every wait is bounded by the session timeout.

use rexpect::session::{spawn_command, PtySession};

mod common;

use common::pty::{command, expect, quit, PROMPT, TIMEOUT_MS};
use common::scratch::Scratch;

fn tempdir(name: &str) -> Scratch {
    common::pty::tempdir("repl-cont", name)
}

const CONTINUATION: &str = "…>";

/// planq at its first prompt, in a fresh directory; the directory is returned too, to be
/// kept alive (it is planq's working directory and history) until the test ends.
fn start(name: &str) -> (Scratch, PtySession) {
    let dir = tempdir(name);
    let mut p = spawn_command(command(&dir), Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, "Type .tables to see them").expect("banner");
    expect(&mut p, PROMPT).expect("prompt");
    (dir, p)
}

#[test]
fn lines_starting_with_a_pipe_continue_the_previous_statement() {
    let (_dir, mut p) = start("pipe-lines");
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
    let (_dir, mut p) = start("pipe-first");
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
    let (_dir, mut p) = start("continuation");
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
    let (_dir, mut p) = start("did-you-mean");
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
    let (_dir, mut p) = start("zero-count");
    p.send_line(r#"owners | where role == "牵头" | count"#)
        .unwrap();
    expect(&mut p, "no row has role `牵头`").unwrap();
    expect(&mut p, "did you mean `lead`?").unwrap();
    expect(&mut p, PROMPT).unwrap();
    quit(p);
}
