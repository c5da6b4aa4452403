//! Long and wide results at a real terminal (a pseudo-terminal, 80×24 through `COLUMNS`
//! and `LINES`): the pager for tall results (`$PAGER`, `.pager on|off`, a missing pager),
//! `.mode line`, middle columns hidden behind a `…` column, and xlsx refused on a terminal.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::session::{spawn_command, PtySession};
use unicode_width::UnicodeWidthStr;

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

const TIMEOUT_MS: u64 = 15_000;
const PROMPT: &str = "planq>";

/// A fresh, empty directory for one test, removed when the test passes.
fn tempdir(name: &str) -> Scratch {
    Scratch::new("term", name)
}

/// planq at an 80×24 terminal, with `pager` as `$PAGER` (or none).
fn command(dir: &Path, pager: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planq"));
    cmd.env("XDG_DATA_HOME", dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "80")
        .env("LINES", "24")
        .env_remove("PLANQ_TEST_QUERY_DELAY_MS")
        .current_dir(dir);
    match pager {
        Some(p) => cmd.env("PAGER", p),
        None => cmd.env_remove("PAGER"),
    };
    cmd
}

fn expect(p: &mut PtySession, needle: &str) -> String {
    let latin1: String = needle.bytes().map(char::from).collect();
    let got = p
        .exp_string(&latin1)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"));
    // Back from rexpect's Latin-1 to the UTF-8 planq wrote.
    let bytes: Vec<u8> = got.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Lets a dot command that prints nothing finish before the next line is typed (the line
/// editor drops what is typed while it is not reading).
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(500));
}

fn start(cmd: Command) -> PtySession {
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, "Type .tables to see them");
    expect(&mut p, PROMPT);
    p
}

/// A pager that records each use in `log` and shows the text after a marker.
fn recording_pager(dir: &Path) -> (String, PathBuf) {
    let log = dir.join("pager.log");
    let script = dir.join("pager.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho used >> '{}'\necho '== paged =='\ncat\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script.display().to_string(), log)
}

fn uses(log: &Path) -> usize {
    std::fs::read_to_string(log).map_or(0, |s| s.lines().count())
}

#[test]
fn tall_results_go_through_the_pager_and_short_ones_do_not() {
    let dir = tempdir("pager");
    let (pager, log) = recording_pager(&dir);
    let mut p = start(command(&dir, Some(&pager)));
    // 26 tasks: 29 lines, taller than 24.
    p.send_line("tasks | select id, title").unwrap();
    expect(&mut p, "== paged ==");
    expect(&mut p, "26 rows");
    expect(&mut p, PROMPT);
    assert_eq!(uses(&log), 1);
    // 5 rows fit: no pager.
    p.send_line("categories").unwrap();
    expect(&mut p, "5 rows");
    expect(&mut p, PROMPT);
    assert_eq!(uses(&log), 1);
    // .pager off: even a tall result is printed directly.
    p.send_line(".pager off").unwrap();
    expect(&mut p, "pager off");
    p.send_line("tasks | select id, title").unwrap();
    expect(&mut p, "26 rows");
    expect(&mut p, PROMPT);
    assert_eq!(uses(&log), 1);
    p.send_line(".pager on").unwrap();
    expect(&mut p, "pager on");
    p.send_line("owners | select task_id, owner").unwrap();
    expect(&mut p, "== paged ==");
    expect(&mut p, "showing 40 of 56 rows");
    expect(&mut p, PROMPT);
    assert_eq!(uses(&log), 2);
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_missing_pager_falls_back_to_plain_output_quietly() {
    let dir = tempdir("no-pager");
    let mut p = start(command(&dir, Some("/nonexistent/planq-test-pager --flag")));
    p.send_line("tasks | select id, title").unwrap();
    let shown = expect(&mut p, "26 rows");
    expect(&mut p, PROMPT);
    assert!(shown.contains("开展电子政务顶层设计"), "{shown}");
    for noise in ["error", "No such file", "not found", "nonexistent"] {
        assert!(!shown.contains(noise), "{noise}: {shown}");
    }
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn one_shot_queries_at_a_terminal_page_too_and_pipes_never_do() {
    let dir = tempdir("one-shot-pager");
    let (pager, log) = recording_pager(&dir);
    let mut cmd = command(&dir, Some(&pager));
    cmd.args(["-c", "tasks | select id, title"]);
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn");
    expect(&mut p, "== paged ==");
    expect(&mut p, "26 rows");
    p.exp_eof().unwrap();
    assert_eq!(uses(&log), 1);
    // Into a pipe: never a pager.
    let out = command(&dir, Some(&pager))
        .args(["-c", "tasks | select id, title"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("26 rows\n"));
    assert_eq!(uses(&log), 1);
}

#[test]
fn mode_line_at_the_prompt() {
    let dir = tempdir("mode-line");
    let mut p = start(command(&dir, Some("cat")));
    p.send_line(".mode line").unwrap();
    settle();
    p.send_line("tasks | where id == \"3.1\" | select id, title, owners")
        .unwrap();
    let shown = expect(&mut p, "省经济信息中心");
    assert!(shown.contains("    id = 3.1\r\n"), "{shown:?}");
    assert!(
        shown.contains(" title = 拓展省级网上审批平台应用领域\r\n"),
        "{shown:?}"
    );
    assert!(shown.contains("owners = 省效能办"), "{shown:?}");
    expect(&mut p, PROMPT);
    p.send_line(".mode").unwrap();
    expect(&mut p, "line");
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn wide_tables_hide_middle_columns_behind_an_ellipsis() {
    let dir = tempdir("wide");
    let mut p = start(command(&dir, Some("cat")));
    p.send_line("tasks | take 3").unwrap();
    let mut shown = expect(&mut p, "did not fit: ");
    shown.push_str("did not fit: ");
    shown.push_str(&expect(&mut p, "\r\n"));
    shown.push_str("\r\n");
    let lines: Vec<&str> = shown
        .split("\r\n")
        .skip_while(|l| !l.contains(" id "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(lines.len() >= 6, "{shown}");
    for l in &lines {
        assert!(UnicodeWidthStr::width(*l) <= 80, "wider than 80: {l:?}");
    }
    // Whole headers, the first and the last column, a `…` column between.
    let header = lines[0];
    assert!(header.starts_with(" id "), "{header}");
    assert!(header.trim_end().ends_with("plan"), "{header}");
    assert!(header.contains("│ … │"), "{header}");
    let footer = lines.last().unwrap();
    assert!(footer.starts_with("3 rows; "), "{footer}");
    assert!(footer.contains("did not fit: "), "{footer}");
    assert!(
        footer.contains("text"),
        "the hidden columns are named: {footer}"
    );
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn xlsx_is_refused_on_a_terminal_with_a_hint() {
    let dir = tempdir("xlsx-tty");
    let mut cmd = command(&dir, None);
    cmd.args(["--format", "xlsx", "-c", "categories"]);
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn");
    expect(&mut p, "binary format and stdout is a terminal");
    expect(&mut p, "--output out.xlsx");
    p.exp_eof().unwrap();
    // In the REPL: `.format xlsx` says where to write it instead.
    let mut p = start(command(&dir, None));
    p.send_line(".format xlsx").unwrap();
    expect(&mut p, ".once out.xlsx");
    expect(&mut p, PROMPT);
    p.send_line(".once cats.xlsx").unwrap();
    settle();
    p.send_line("categories").unwrap();
    expect(&mut p, "wrote 5 rows to cats.xlsx");
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
    assert!(dir.join("cats.xlsx").exists());
}
