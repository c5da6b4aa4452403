//! A session: the engine, display settings and the last result, shared by every way of
//! running planq — `-c`, script files, stdin and the REPL — so that a script behaves the same
//! wherever it is typed or saved.
//!
//! Results go to `out` (stdout) and nothing else does; diagnostics, timings, notes and
//! banners go to `err` (stderr).

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::time::{Duration, Instant};

use polars::prelude::DataFrame;

use crate::diagnostics::report;
use crate::engine::{Engine, StatementResult};
use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::ParseError;
use crate::render::chart::ChartOptions;
use crate::render::{render_chart, render_table, ChartSpec, Format, TableOptions};

use super::script::{split, Segment};

/// Display and execution settings (`--format`, `.maxrows`, …).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Output format of results.
    pub format: Format,
    /// Rows shown by the table format; 0 shows all. Machine formats always write every row.
    pub max_rows: usize,
    /// Print each statement's run time to stderr.
    pub timer: bool,
    /// Colour in results (tables, charts): only for a terminal.
    pub color: bool,
    /// Colour in diagnostics on stderr.
    pub err_color: bool,
    /// Fit tables and charts to this many columns (`None`: tables unlimited, charts 80).
    pub width: Option<usize>,
    /// Draw every result as a chart instead of a table (`--chart`).
    pub chart: Option<ChartSpec>,
    /// Keep going after a failed statement (`--continue`).
    pub keep_going: bool,
    /// `--safe`: the dot commands that touch files (.load, .read, .save) are disabled.
    pub safe: bool,
    /// `--bom`: csv and tsv output starts with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// `.pager on|off`: tall results go through `$PAGER` (only ever when stdout is a
    /// terminal).
    pub pager: bool,
    /// Whether stdout is a terminal (the pager and binary formats depend on it).
    pub stdout_tty: bool,
    /// The terminal's height in lines, when stdout is a terminal (for the pager).
    pub height: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: Format::Table,
            max_rows: 40,
            timer: false,
            color: false,
            err_color: false,
            width: None,
            chart: None,
            keep_going: false,
            safe: false,
            bom: false,
            pager: false,
            stdout_tty: false,
            height: None,
        }
    }
}

/// What to do after running something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Everything ran.
    Done,
    /// A statement failed (and its diagnostic was printed).
    Failed,
    /// `.quit`, or stdout was closed (a pipe reader went away): stop quietly.
    Quit,
}

/// The code of the error that stands for "stdout was closed".
const CLOSED: Code = Code::IoStdoutClosed;

/// The code of the error of a query cancelled with Ctrl-C.
const CANCELLED: Code = Code::Cancelled;

/// How deep `.read` may nest (a script that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;

/// A planq session.
pub struct Session {
    /// The engine; behind a lock so that a cancelled query can finish on its worker thread
    /// while the REPL goes on.
    pub engine: Arc<RwLock<Engine>>,
    /// Display and execution settings.
    pub settings: Settings,
    /// The last result (for `.save` and `.chart`).
    pub last: Option<DataFrame>,
    /// The REPL's history, for `.history`.
    pub history: Vec<String>,
    /// Set by the SIGINT handler in the REPL; when present, queries run on a worker thread
    /// and Ctrl-C abandons them.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Testing hook (REPL only): every query waits this long on its worker before running,
    /// so that the pty tests can cancel a query reliably. Set by `PLANQ_TEST_QUERY_DELAY_MS`.
    pub query_delay: Option<Duration>,
    /// Whether any statement failed.
    pub failed: bool,
    /// Where results go besides stdout (`.once`, `--out DIR`, `--output FILE`), and what
    /// `.save` knows about the last result.
    pub output: super::output::Output,
    pub(super) out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    depth: usize,
}

fn lock_poisoned<T>(e: std::sync::PoisonError<T>) -> T {
    e.into_inner()
}

/// A syntax error as a diagnostic pointing into `source`.
pub fn parse_diagnostic(source: &Source, e: &ParseError) -> Error {
    Error::new(ErrorKind::Query, e.code, e.message.clone())
        .at(source, e.span, e.label.clone())
        .with_help_opt(e.help.clone())
}

/// The syntax errors of the broken statement at `span` of `text`, in order: `first` (the one
/// the splitter found), then any later ones the parser recovers to.
fn syntax_errors(text: &str, span: Span, first: ParseError) -> Vec<ParseError> {
    let statement = text.get(span.start..span.end).unwrap_or("");
    let later = crate::lang::parse(statement).1.into_iter().map(|mut e| {
        e.span = Span::new(e.span.start + span.start, e.span.end + span.start);
        e
    });
    let after = first.span.start;
    let mut errors = vec![first];
    errors.extend(later.filter(|e| e.span.start > after));
    errors
}

/// Puts an engine error for the statement at `span` of `source` into the whole script: an
/// error pointing into the statement's own text is shifted to its place in the script, and
/// one without a place points at the whole statement.
fn locate(e: Error, source: &Source, span: Span, text: &str) -> Error {
    match (e.source(), e.span()) {
        (Some(s), Some(_)) if &*s.text == text => e.rebase(source, span.start),
        (Some(_), Some(_)) => e,
        _ => {
            let label = e.message().to_string();
            e.at(source, span, label)
        }
    }
}

fn internal(what: &str) -> Error {
    Error::new(
        ErrorKind::Query,
        Code::Internal,
        format!("internal error while {what}"),
    )
    .with_help("this is a bug in planq; please report it with the query")
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Query, CANCELLED, "query cancelled")
}

impl Session {
    /// A session writing results to stdout and everything else to stderr.
    pub fn new(engine: Engine, settings: Settings) -> Session {
        Session::with_output(
            engine,
            settings,
            Box::new(io::stdout()),
            Box::new(io::stderr()),
        )
    }

    /// A session writing to the given streams (for tests).
    pub fn with_output(
        engine: Engine,
        settings: Settings,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> Session {
        Session {
            engine: Arc::new(RwLock::new(engine)),
            settings,
            last: None,
            history: Vec::new(),
            interrupt: None,
            query_delay: None,
            failed: false,
            output: Default::default(),
            out,
            err,
            depth: 0,
        }
    }

    /// Read access to the engine.
    pub fn engine(&self) -> RwLockReadGuard<'_, Engine> {
        self.engine.read().unwrap_or_else(lock_poisoned)
    }

    /// Write access to the engine; in the REPL, waits (interruptibly) for a cancelled query
    /// that still holds it.
    pub fn engine_mut(&self) -> Result<RwLockWriteGuard<'_, Engine>, Error> {
        let mut told = false;
        loop {
            match self.engine.try_write() {
                Ok(g) => return Ok(g),
                Err(TryLockError::Poisoned(p)) => return Ok(p.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
            let Some(flag) = &self.interrupt else {
                return Ok(self.engine.write().unwrap_or_else(lock_poisoned));
            };
            if !told {
                let _ = writeln!(
                    io::stderr(),
                    "waiting for a cancelled query to finish (Ctrl-C to give up)…"
                );
                told = true;
            }
            if flag.swap(false, Ordering::SeqCst) {
                return Err(cancelled());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes a result to stdout.
    pub fn emit(&mut self, text: &str) -> Result<(), Error> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    Error::new(ErrorKind::Data, CLOSED, "stdout was closed")
                } else {
                    Error::new(
                        ErrorKind::Data,
                        Code::Io,
                        format!("cannot write to stdout: {e}"),
                    )
                }
            })
    }

    /// Writes a note (not a result) to stderr.
    pub fn note(&mut self, text: &str) {
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
    }

    /// Prints a diagnostic to stderr.
    pub fn report(&mut self, e: &Error) {
        let text = report(e, self.settings.err_color);
        self.note(&text);
    }

    /// Runs a script (statements and dot commands); `name` names it in diagnostics.
    /// Stops at the first failure unless `--continue` is on.
    pub fn run_source(&mut self, name: &str, text: &str) -> Flow {
        let source = Source::new(name, text);
        let mut flow = Flow::Done;
        let mut prev_end = 0;
        let segments = split(text);
        for (n, segment) in segments.iter().cloned().enumerate() {
            let result = match segment {
                Segment::Dot(span) => {
                    prev_end = span.end;
                    self.dot(&source, span)
                }
                Segment::Statement { span, is_let } => {
                    // A `# name: …` comment just before names the result (`--out DIR`).
                    self.output.name =
                        super::output::result_name(text.get(prev_end..span.start).unwrap_or(""));
                    prev_end = span.end;
                    self.statement(&source, span, is_let)
                        .map(|()| Flow::Done)
                        .inspect_err(|_| self.output.failed_statement(text, span))
                }
                Segment::Broken { error, span } => {
                    prev_end = span.end;
                    self.output.failed_statement(text, span);
                    // Every mistake of the statement — and, when the run stops here, of
                    // the statements that will not run — is reported, not only the first.
                    let mut errors = syntax_errors(text, span, error);
                    if !self.settings.keep_going {
                        for later in &segments[n + 1..] {
                            if let Segment::Broken { error, span } = later {
                                errors.extend(syntax_errors(text, *span, error.clone()));
                            }
                        }
                    }
                    let last = errors.pop().map(|e| parse_diagnostic(&source, &e));
                    for e in &errors {
                        self.report(&parse_diagnostic(&source, e));
                    }
                    Err(last.unwrap_or_else(|| internal("reporting a syntax error")))
                }
            };
            match result {
                Ok(Flow::Done) => {}
                Ok(Flow::Quit) => return Flow::Quit,
                Ok(Flow::Failed) => {
                    // Already reported (a script run by `.read`).
                    flow = Flow::Failed;
                    if !self.settings.keep_going {
                        return flow;
                    }
                }
                Err(e) if e.code() == CLOSED => return Flow::Quit,
                Err(e) if e.code() == CANCELLED => {
                    // The user asked for it: a note, not a diagnostic.
                    self.note("query cancelled\n");
                    return Flow::Failed;
                }
                Err(e) => {
                    self.report(&e);
                    self.failed = true;
                    flow = Flow::Failed;
                    if !self.settings.keep_going {
                        return flow;
                    }
                }
            }
        }
        flow
    }

    /// Runs a script file (`.read`, `planq FILE`).
    pub fn run_file(&mut self, path: &str) -> Flow {
        match std::fs::read_to_string(path) {
            Ok(text) => self.run_source(path, &text),
            Err(e) => {
                self.report(&Error::io(path, &e));
                self.failed = true;
                Flow::Failed
            }
        }
    }

    pub(super) fn run_nested(&mut self, path: &str) -> Result<Flow, Error> {
        if self.depth >= MAX_READ_DEPTH {
            return Err(Error::new(
                ErrorKind::Query,
                Code::DotTooDeep,
                format!(".read nests more than {MAX_READ_DEPTH} scripts deep"),
            )
            .with_help("does a script read itself?"));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        self.depth += 1;
        let flow = self.run_source(path, &text);
        self.depth -= 1;
        Ok(flow)
    }

    fn statement(&mut self, source: &Source, span: Span, is_let: bool) -> Result<(), Error> {
        let text = source.text.get(span.start..span.end).unwrap_or("");
        let started = Instant::now();
        if is_let {
            let name = source.name.clone();
            let mut engine = self.engine_mut()?;
            catch_unwind(AssertUnwindSafe(|| engine.run_script_named(&name, text)))
                .map_err(|_| internal("binding a name"))?
                .map_err(|e| locate(e, source, span, text))?;
            drop(engine);
            self.output.bound();
            self.time(started);
            return Ok(());
        }
        let result = self
            .run_query(text)
            .map_err(|e| locate(e, source, span, text))?;
        let took = started.elapsed();
        let shown = self.deliver(&result.frame);
        self.output.succeeded(text);
        self.last = Some(result.frame);
        shown?;
        // Why nothing matched (e.g. `owner == "数字办"` → did you mean `省数字办`?).
        for note in result.notes {
            self.report(&locate(note, source, span, text));
        }
        if self.settings.timer {
            self.note(&format!("time: {}\n", duration_text(took)));
        }
        Ok(())
    }

    fn time(&mut self, started: Instant) {
        if self.settings.timer {
            let took = started.elapsed();
            self.note(&format!("time: {}\n", duration_text(took)));
        }
    }

    /// Runs one query; in the REPL on a worker thread, which Ctrl-C stops: polars' execution
    /// is cancelled (it stops at its next operator) and the prompt returns at once.
    pub fn run_query(&self, text: &str) -> Result<StatementResult, Error> {
        let Some(flag) = self.interrupt.clone() else {
            let engine = self.engine();
            return catch_unwind(AssertUnwindSafe(|| engine.query_result(text)))
                .map_err(|_| internal("running the query"))?;
        };
        flag.store(false, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel();
        let engine = Arc::clone(&self.engine);
        let owned = text.to_string();
        let delay = self.query_delay;
        let stop = Arc::new(AtomicBool::new(false));
        let worker_stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("planq-query".into())
            .spawn(move || {
                if let Some(d) = delay {
                    // In steps, so that a cancelled test query ends soon as well.
                    let until = Instant::now() + d;
                    while Instant::now() < until && !worker_stop.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                let engine = engine.read().unwrap_or_else(lock_poisoned);
                let _ = tx.send(engine.query_result_cancellable(&owned, &worker_stop));
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Query,
                    Code::Internal,
                    format!("cannot start the query: {e}"),
                )
            })?;
        loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(result) => return result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if flag.swap(false, Ordering::SeqCst) {
                        // Polars stops at its next operator; the worker then ends and its
                        // result is dropped.
                        stop.store(true, Ordering::SeqCst);
                        return Err(cancelled());
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(internal("running the query"));
                }
            }
        }
    }

    /// Shows a result in the current format (or as a chart with `--chart`): on stdout
    /// (through the pager when it is taller than the terminal), or into the file of
    /// `--output`.
    pub fn show(&mut self, df: &DataFrame) -> Result<(), Error> {
        let max_rows = (self.settings.max_rows > 0).then_some(self.settings.max_rows);
        let format = self.settings.format;
        if self.collect_sheet(df) {
            return Ok(());
        }
        if format.is_binary() {
            return self.show_binary(df);
        }
        let mut text = match (&self.settings.chart, format) {
            (Some(spec), Format::Table) => render_chart(df, spec, &self.chart_options())?,
            (_, Format::Table) => render_table(
                df,
                &TableOptions {
                    max_rows,
                    width: self.settings.width,
                    color: self.settings.color,
                },
            ),
            (_, Format::Line) => crate::render::line::render_lines(df, max_rows),
            (_, format) => {
                let mut buf = Vec::new();
                crate::render::write(df, format, &mut buf).map_err(|e| {
                    Error::new(ErrorKind::Data, Code::Io, format!("cannot render: {e}"))
                })?;
                String::from_utf8_lossy(&buf).into_owned()
            }
        };
        if self.settings.bom && format.takes_bom() && !self.output.bom_written {
            // Once, at the start of the stream (or file): a BOM mid-file is a stray character.
            self.output.bom_written = true;
            text.insert_str(0, crate::render::formats::BOM);
        }
        if self.collect_text(&text) {
            return Ok(());
        }
        if matches!(format, Format::Table | Format::Line) && self.page(&text) {
            return Ok(());
        }
        self.emit(&text)
    }

    /// Chart options from the settings.
    pub fn chart_options(&self) -> ChartOptions {
        ChartOptions {
            width: self.settings.width.unwrap_or(80).max(20),
            max_rows: (self.settings.max_rows > 0).then_some(self.settings.max_rows),
            color: self.settings.color,
        }
    }
}

/// `1.23 ms`, `2.5 s`.
pub fn duration_text(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn session() -> (Session, Buf, Buf) {
        let (out, err) = (Buf::default(), Buf::default());
        let s = Session::with_output(
            Engine::seed().unwrap(),
            Settings::default(),
            Box::new(out.clone()),
            Box::new(err.clone()),
        );
        (s, out, err)
    }

    #[test]
    fn earlier_results_print_before_a_failure_and_it_stops() {
        let (mut s, out, err) = session();
        let flow = s.run_source("t.pq", "categories\nnosuchtable\ntargets\n");
        assert_eq!(flow, Flow::Failed);
        assert!(out.text().contains(" no │"), "{}", out.text());
        assert!(!out.text().contains("metric"), "stopped at the failure");
        assert!(err.text().contains("t.pq:2:1"), "{}", err.text());
        assert!(s.failed);
    }

    #[test]
    fn keep_going_runs_the_rest() {
        let (mut s, out, _err) = session();
        s.settings.keep_going = true;
        let flow = s.run_source("t.pq", "nosuchtable\ncategories\n");
        assert_eq!(flow, Flow::Failed);
        assert!(out.text().contains(" no │"));
    }

    #[test]
    fn dot_commands_change_the_format() {
        let (mut s, out, _err) = session();
        assert_eq!(
            s.run_source("t.pq", ".format csv\ncategories\n"),
            Flow::Done
        );
        assert!(
            out.text().starts_with("no,name,tasks,targets,plan\n"),
            "{}",
            out.text()
        );
    }

    #[test]
    fn a_cancelled_query_returns_at_once() {
        let (mut s, _out, _err) = session();
        let flag = Arc::new(AtomicBool::new(false));
        s.interrupt = Some(flag.clone());
        s.query_delay = Some(Duration::from_secs(5));
        let started = Instant::now();
        let setter = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                flag.store(true, Ordering::SeqCst);
            })
        };
        let e = s.run_query("tasks").unwrap_err();
        setter.join().unwrap();
        assert_eq!(e.code(), Code::Cancelled);
        assert!(started.elapsed() < Duration::from_secs(2));
        // The engine stays usable for reading while the abandoned worker sleeps.
        s.query_delay = None;
        assert!(s.run_query("tasks").is_ok());
    }

    #[test]
    fn a_cancelled_query_stops_its_worker() {
        // A 5-way self-join on a constant key: hundreds of millions of rows, it would run
        // for minutes. Cancelled, the worker must stop and let go of the engine.
        const RUNAWAY: &str = "owners | select k = 1 | join (owners | select k = 1) on k \
            | join (owners | select k = 1) on k | join (owners | select k = 1) on k \
            | join (owners | select k = 1) on k | count";
        let (mut s, _out, _err) = session();
        let flag = Arc::new(AtomicBool::new(false));
        s.interrupt = Some(flag.clone());
        s.query_delay = Some(Duration::from_millis(200));
        let setter = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                flag.store(true, Ordering::SeqCst);
            })
        };
        let e = s.run_query(RUNAWAY).unwrap_err();
        setter.join().unwrap();
        assert_eq!(e.code(), Code::Cancelled);
        let started = Instant::now();
        while s.engine.try_write().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the cancelled query is still running"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
