//! What the pty tests of the REPL share: a fresh directory, the planq command with a clean
//! environment, and waits that match UTF-8 text. Every wait is bounded by `TIMEOUT_MS`.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::Path;
use std::process::Command;

use rexpect::session::PtySession;

use super::scratch::Scratch;

/// How long any wait on the REPL may take.
pub const TIMEOUT_MS: u64 = 15_000;
/// The prompt (its colour, when on, ends after `>`).
pub const PROMPT: &str = "planq>";

/// A fresh, empty directory for one test (`kind` keeps test files apart), removed when
/// the test passes.
pub fn tempdir(kind: &str, name: &str) -> Scratch {
    Scratch::new(kind, name)
}

/// planq in `dir`, with its history there, no colour, and no terminal size from the
/// environment: the pty has none either, so tall results never wait in a pager
/// (tests/terminal.rs tests the pager).
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planq"));
    cmd.env("XDG_DATA_HOME", dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("PLANQ_TEST_QUERY_DELAY_MS")
        .env_remove("LINES")
        .env_remove("COLUMNS")
        .current_dir(dir);
    cmd
}

/// Waits for `needle`; returns what came before it, as UTF-8. (rexpect reads the pty byte
/// by byte as Latin-1, so UTF-8 needles are matched as their bytes.)
pub fn expect(p: &mut PtySession, needle: &str) -> Result<String, rexpect::error::Error> {
    let latin1: String = needle.bytes().map(char::from).collect();
    p.exp_string(&latin1).map(|before| {
        let bytes: Vec<u8> = before.chars().map(|c| c as u32 as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Leaves with Ctrl-D and waits for the end.
pub fn quit(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("planq leaves on Ctrl-D");
}
