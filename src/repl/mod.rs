//! The interactive REPL, and the session that scripts share with it.
//!
//! * History lives in `$XDG_DATA_HOME/planq/history` (else `~/.local/share/planq/history`),
//!   one entry per statement — a multi-line statement is one entry — without duplicates;
//!   never in the current directory (with neither variable set, history is not saved).
//! * Completion, highlighting and the completeness test are pure functions in
//!   [`complete`] and [`highlight`]; the rustyline helper only wires them in.
//! * An incomplete statement (`owners |`, an open bracket or string) is read on with the
//!   continuation prompt `    …> `; a line starting with `|` continues the last statement
//!   that ran (see [`next_input`]), so the grammar's one-stage-per-line style works typed.
//! * Ctrl-C on a line clears it; during a query it cancels: the query runs on a worker
//!   thread, a SIGINT handler sets a flag, the REPL cancels polars' execution (which stops
//!   at its next operator, so the worker does not keep eating CPU) and returns to the
//!   prompt at once. Ctrl-D leaves.

pub mod complete;
pub mod dot;
pub mod highlight;
pub mod output;
mod plans;
pub mod script;
pub mod session;
mod tables;
mod terminal;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Config, Context, Editor, Helper};

pub use session::{Flow, Session, Settings};
pub(crate) use terminal::{terminal_height, terminal_width};

use complete::EngineCatalog;
use highlight::Completeness;

/// Where the history file lives: `$XDG_DATA_HOME/planq/history`, else
/// `$HOME/.local/share/planq/history`; `None` when neither is an absolute path.
pub fn history_path() -> Option<PathBuf> {
    let absolute = |v: Option<std::ffi::OsString>| {
        v.map(PathBuf::from)
            .filter(|p| p.is_absolute() && !p.as_os_str().is_empty())
    };
    if let Some(data) = absolute(std::env::var_os("XDG_DATA_HOME")) {
        return Some(data.join("planq").join("history"));
    }
    absolute(std::env::var_os("HOME")).map(|h| h.join(".local/share/planq/history"))
}

/// The rustyline helper: completion, hints from history, highlighting, validation.
pub struct ReplHelper {
    engine: Arc<std::sync::RwLock<crate::Engine>>,
    last_columns: Arc<Mutex<Vec<String>>>,
    /// The statement a line starting with `|` continues, for completing its columns.
    previous: Arc<Mutex<Option<String>>>,
    /// The lines of an incomplete statement read so far (the continuation prompt is
    /// showing), for completing the line being typed within the whole statement.
    pending: Arc<Mutex<String>>,
    color: bool,
    hinter: HistoryHinter,
}

impl Helper for ReplHelper {}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        // A writer (a `.load` waiting on a cancelled query) holds the engine: no completion
        // rather than a frozen prompt.
        let Ok(engine) = self.engine.try_read() else {
            return Ok((pos, Vec::new()));
        };
        let last_columns = self
            .last_columns
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default();
        let catalog = EngineCatalog {
            engine: &engine,
            last_columns,
        };
        // A continuation line completes within the whole statement: the lines read so far,
        // and for `| where ro` the previous statement it continues.
        let pending = self.pending.lock().map(|p| p.clone()).unwrap_or_default();
        let previous = self.previous.lock().ok().and_then(|p| p.clone());
        let before = text_before_line(&pending, line, previous.as_deref());
        let offset = before.len();
        let full = format!("{before}{line}");
        let (start, cands) = complete::complete(&full, pos + offset, &catalog);
        let Some(start) = start.checked_sub(offset) else {
            return Ok((pos, Vec::new()));
        };
        Ok((
            start,
            cands
                .into_iter()
                .map(|c| Pair {
                    display: c.display,
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for ReplHelper {
    fn validate(&self, _ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        // Every Enter hands the line to the loop in [`run`], which decides whether the
        // statement is complete (and shows the continuation prompt when it is not):
        // rustyline has no prompt for the second line of a buffer.
        Ok(ValidationResult::Valid(None))
    }
}

/// The prompt while a statement is incomplete, as wide as `planq> ` so the lines align.
pub const CONTINUATION_PROMPT: &str = "    …> ";

/// What a line typed at the prompt becomes, given the statement read so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Wait for another line (continuation prompt): the statement so far.
    More(String),
    /// Run this text.
    Run(String),
    /// A line starting with `|` with no earlier statement to continue.
    NothingToContinue,
}

/// Joins a typed line to the input: lines of an incomplete statement are collected until
/// it is complete; a statement starting with `|` continues `previous` — the last statement
/// that ran successfully — so that a pipeline written one stage per line, each line
/// starting with `|` (the grammar's style), works when typed.
pub fn next_input(pending: &str, line: &str, previous: Option<&str>) -> Input {
    let mut text = pending.to_string();
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line);
    let whole = if starts_with_pipe(&text) {
        match previous {
            Some(prev) => format!("{prev}\n{}", text.trim_start()),
            None => return Input::NothingToContinue,
        }
    } else {
        text.clone()
    };
    match highlight::completeness(&whole) {
        Completeness::More => Input::More(text),
        Completeness::Run => Input::Run(whole),
    }
}

/// The text that precedes `line` in the statement [`next_input`] would build from it: the
/// pending lines, and the previous statement when they (or the line) start with `|`.
fn text_before_line(pending: &str, line: &str, previous: Option<&str>) -> String {
    let mut before = pending.to_string();
    if !before.is_empty() {
        before.push('\n');
    }
    let starts = if pending.is_empty() { line } else { pending };
    match previous {
        Some(prev) if starts_with_pipe(starts) => {
            format!("{prev}\n{}", before.trim_start())
        }
        _ => before,
    }
}

/// Whether the input starts with a pipe (`| where …`), not `||` (no such operator).
fn starts_with_pipe(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('|') && !t.starts_with("||")
}

/// The banner (on stderr) for a first-time user.
fn banner(session: &Session) -> String {
    let engine = session.engine();
    let data = engine.dataset();
    let name = match data.docs() {
        [one] => one.source.name.clone(),
        docs => format!("{} plans", docs.len()),
    };
    let tasks: usize = data.docs().iter().map(|d| d.plan.tasks.len()).sum();
    format!(
        "planq {} — {name}: {tasks} tasks in {} tables.\n\
         Type .tables to see them, .help for help, Tab to complete; for example:\n  {}\n",
        env!("CARGO_PKG_VERSION"),
        engine.tables().len(),
        dot::EXAMPLE
    )
}

/// Runs the REPL until `.quit` or Ctrl-D. Returns whether every statement succeeded.
pub fn run(mut session: Session) -> bool {
    session.query_delay = std::env::var("PLANQ_TEST_QUERY_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis);

    let config = Config::builder()
        .history_ignore_dups(true)
        .map(|b| b.history_ignore_space(true))
        .and_then(|b| b.max_history_size(10_000))
        .map(|b| {
            b.auto_add_history(false)
                .completion_type(rustyline::CompletionType::List)
                .build()
        })
        .unwrap_or_default();
    let mut editor: Editor<ReplHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            session.note(&format!("error: cannot start the line editor: {e}\n"));
            return false;
        }
    };
    // After the editor: rustyline replaces the SIGINT handler when it is created (it reads
    // Ctrl-C as a key in raw mode anyway), so ours must come last to see Ctrl-C during a
    // query.
    let flag = Arc::new(AtomicBool::new(false));
    {
        let flag = Arc::clone(&flag);
        if let Err(e) = ctrlc::set_handler(move || {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }) {
            session.note(&format!(
                "warning: Ctrl-C cannot cancel queries ({e}); it will end planq\n"
            ));
        }
    }
    session.interrupt = Some(Arc::clone(&flag));
    let last_columns = Arc::new(Mutex::new(Vec::new()));
    let continued = Arc::new(Mutex::new(None));
    let pending_shared = Arc::new(Mutex::new(String::new()));
    editor.set_helper(Some(ReplHelper {
        engine: Arc::clone(&session.engine),
        last_columns: Arc::clone(&last_columns),
        previous: Arc::clone(&continued),
        pending: Arc::clone(&pending_shared),
        color: session.settings.color,
        hinter: HistoryHinter::new(),
    }));

    let path = history_path();
    if let Some(p) = &path {
        if p.exists() {
            if let Err(e) = editor.load_history(p) {
                session.note(&format!(
                    "warning: cannot read history {}: {e}\n",
                    p.display()
                ));
            }
        }
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    session.history = editor.history().iter().cloned().collect();

    let text = banner(&session);
    session.note(&text);
    let prompt = if session.settings.color {
        "\x1b[1;32mplanq>\x1b[0m "
    } else {
        "planq> "
    };
    // The statement read so far (an incomplete one), and the last one that ran, which a
    // line starting with `|` continues.
    let mut pending = String::new();
    let mut previous: Option<String> = None;
    loop {
        if let Ok(mut shared) = pending_shared.lock() {
            shared.clone_from(&pending);
        }
        let shown = if pending.is_empty() {
            prompt
        } else {
            CONTINUATION_PROMPT
        };
        match editor.readline(shown) {
            Ok(line) => {
                if pending.is_empty() && line.trim().is_empty() {
                    continue;
                }
                let text = match next_input(&pending, &line, previous.as_deref()) {
                    Input::More(text) => {
                        pending = text;
                        continue;
                    }
                    Input::Run(text) => text,
                    Input::NothingToContinue => {
                        pending.clear();
                        session.note(
                            "error: a line starting with `|` continues the previous statement, \
                             and none has run yet; start with a table, e.g. `owners | count`\n",
                        );
                        continue;
                    }
                };
                pending.clear();
                let entry = text.trim_end().to_string();
                if editor.add_history_entry(entry.as_str()).unwrap_or(false) {
                    session.history.push(entry.clone());
                    if let Some(p) = &path {
                        if let Err(e) = editor.append_history(p) {
                            session.note(&format!(
                                "warning: cannot save history to {}: {e}\n",
                                p.display()
                            ));
                        }
                    }
                }
                if session.settings.stdout_tty {
                    // The window may have been resized since the last statement.
                    session.settings.width = terminal_width().filter(|w| *w >= 20);
                    session.settings.height = terminal_height();
                }
                let failed_before = session.failed;
                session.failed = false;
                let flow = session.run_source("<input>", &text);
                if flow == Flow::Done && !session.failed && !entry.trim_start().starts_with('.') {
                    if let Ok(mut c) = continued.lock() {
                        *c = Some(entry.clone());
                    }
                    previous = Some(entry);
                }
                session.failed |= failed_before;
                if let (Some(df), Ok(mut cols)) = (&session.last, last_columns.lock()) {
                    *cols = df
                        .get_column_names()
                        .iter()
                        .map(|n| n.to_string())
                        .collect();
                }
                if flow == Flow::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C drops the incomplete statement too.
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                session.note(&format!("error: {e}\n"));
                break;
            }
        }
    }
    // `planq --output FILE` at a terminal: the REPL's results go to FILE when it ends.
    if let Err(e) = session.finish() {
        session.report(&e);
        session.failed = true;
    }
    !session.failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_statement_waits_for_more() {
        assert_eq!(
            next_input("", "owners |", None),
            Input::More("owners |".into())
        );
        assert_eq!(
            next_input("owners |", "count", None),
            Input::Run("owners |\ncount".into())
        );
        assert_eq!(next_input("", "owners", None), Input::Run("owners".into()));
        assert_eq!(
            next_input("", ".tables", None),
            Input::Run(".tables".into())
        );
    }

    #[test]
    fn a_line_starting_with_a_pipe_continues_the_previous_statement() {
        assert_eq!(
            next_input("", "| where role == \"lead\"", Some("owners")),
            Input::Run("owners\n| where role == \"lead\"".into())
        );
        assert_eq!(
            next_input("", "  | count", Some("owners\n| where role == \"lead\"")),
            Input::Run("owners\n| where role == \"lead\"\n| count".into())
        );
        // Incomplete after the pipe: wait, then join.
        assert_eq!(
            next_input("", "| where role ==", Some("owners")),
            Input::More("| where role ==".into())
        );
        assert_eq!(
            next_input("| where role ==", "\"lead\"", Some("owners")),
            Input::Run("owners\n| where role ==\n\"lead\"".into())
        );
        assert_eq!(next_input("", "| count", None), Input::NothingToContinue);
    }

    #[test]
    fn a_continuation_line_completes_within_its_statement() {
        assert_eq!(text_before_line("", "owners | wh", None), "");
        assert_eq!(
            text_before_line("owners |", "  where ro", None),
            "owners |\n"
        );
        assert_eq!(text_before_line("", "| wh", Some("owners")), "owners\n");
        assert_eq!(
            text_before_line("| where role ==", "\"le", Some("owners")),
            "owners\n| where role ==\n"
        );
        // The same statement the line joins when it is run.
        let whole = format!("{}{}", text_before_line("owners |", "count", None), "count");
        assert_eq!(next_input("owners |", "count", None), Input::Run(whole));
    }
}
