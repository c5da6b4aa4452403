//! Where results go besides stdout, and what `.save` saves.
//!
//! * `.once FILE` — the next result only goes to FILE (its format from the extension), as
//!   in sqlite3 and DuckDB.
//! * `--out DIR` — every result of the run goes to a numbered file of its own,
//!   `DIR/01-name.csv`, named after a `# name: …` comment just before its statement
//!   (`DIR/02.csv` without one); the format is `--format`'s (csv for the table format).
//! * `--output FILE` — every result goes into one file, written when the run ends; for
//!   xlsx one sheet per result. A binary xlsx workbook written to a pipe (`--format xlsx >
//!   out.xlsx`) is gathered the same way, since several workbooks one after another are
//!   no file at all. To a terminal, xlsx is refused.
//! * `.save FILE` saves the last result — and refuses when the last statement failed: the
//!   previous result is not what the user just asked for.
//!
//! Every file goes through [`crate::render::file`]: atomic, no overwriting unless forced,
//! never through a symlink. Notes about written files go to stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use crate::error::{Code, Error, ErrorKind};
use crate::lang::ast::Span;
use crate::render::file::{write_file, WriteError};
use crate::render::{self, pager, Format};

use super::session::Session;

/// A file for the next result (`.once`).
#[derive(Debug, Clone)]
pub struct FileTarget {
    /// Where.
    pub path: PathBuf,
    /// In which format.
    pub format: Format,
    /// Replace an existing file.
    pub force: bool,
    /// Start csv/tsv with a UTF-8 byte-order mark.
    pub bom: bool,
}

/// A directory for every result (`--out DIR`).
#[derive(Debug, Clone)]
pub struct OutDir {
    /// The directory (created when missing).
    pub dir: PathBuf,
    /// The format of every file.
    pub format: Format,
    /// Replace existing files.
    pub force: bool,
    /// Start csv/tsv files with a UTF-8 byte-order mark.
    pub bom: bool,
}

/// Results gathered for one file written at the end (`--output FILE`, or xlsx to a pipe).
#[derive(Debug, Clone, Default)]
pub struct Collect {
    /// The file; `None` for stdout.
    pub path: Option<PathBuf>,
    /// Replace an existing file.
    pub force: bool,
    /// Gather sheets of a workbook (else text).
    pub xlsx: bool,
    sheets: Vec<(String, DataFrame)>,
    text: String,
    results: usize,
}

impl Collect {
    /// Gathers results for `path` (`None`: stdout) as a workbook when `xlsx`, else as text.
    pub fn new(path: Option<PathBuf>, force: bool, xlsx: bool) -> Collect {
        Collect {
            path,
            force,
            xlsx,
            ..Collect::default()
        }
    }
}

/// The output state of a session.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// The name of the statement running now (from its `# name:` comment).
    pub name: Option<String>,
    /// `.once`: the next result's file.
    pub once: Option<FileTarget>,
    /// `--out DIR`.
    pub out_dir: Option<OutDir>,
    /// `--output FILE`, or xlsx into a pipe.
    pub collect: Option<Collect>,
    /// Whether the byte-order mark of `--bom` was written to stdout already.
    pub bom_written: bool,
    /// Results delivered so far (numbers the files of `--out`).
    results: usize,
    /// The statement of the last result, shortened, and its name.
    last_query: Option<String>,
    last_name: Option<String>,
    /// The last statement, shortened, when it failed.
    failed: Option<String>,
}

impl Output {
    /// Records that the statement at `span` of `text` failed (`.save` then refuses).
    pub fn failed_statement(&mut self, text: &str, span: Span) {
        self.failed = Some(excerpt(text.get(span.start..span.end).unwrap_or("")));
        self.name = None;
    }

    /// Records that a `let` statement succeeded: the last statement no longer failed.
    pub fn bound(&mut self) {
        self.failed = None;
        self.name = None;
    }

    /// Records that the statement `text` gave the (now) last result.
    pub fn succeeded(&mut self, text: &str) {
        self.failed = None;
        self.last_query = Some(excerpt(text));
        self.last_name = self.name.take();
    }
}

/// A statement on one line, at most 60 characters (for notes and messages).
fn excerpt(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 {
        one.chars().take(59).collect::<String>() + "…"
    } else {
        one
    }
}

/// The name a `# name: …` (or `-- name: …`) comment in `gap` — the text between the
/// previous statement and this one — gives the result; the last such comment wins.
pub fn result_name(gap: &str) -> Option<String> {
    gap.lines()
        .filter_map(|l| {
            let t = l.trim();
            let body = t.strip_prefix('#').or_else(|| t.strip_prefix("--"))?.trim();
            let head = body.get(..4)?;
            if !head.eq_ignore_ascii_case("name") {
                return None;
            }
            let rest = body[4..].trim_start();
            let value = rest
                .strip_prefix(':')
                .or_else(|| rest.strip_prefix('：'))?
                .trim();
            (!value.is_empty()).then(|| value.to_string())
        })
        .next_back()
}

/// A result's name made safe as part of a file name: letters and digits of any script,
/// `-`, `_` and `.`; blanks become `-`; everything else (`/`, `:`, …) is dropped.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '.') {
            out.push(c);
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.')
        .chars()
        .take(60)
        .collect()
}

/// The file of the `n`th result under `--out`: `01-name.csv`, or `01.csv` without a name.
pub fn numbered_file(n: usize, name: Option<&str>, format: Format) -> String {
    let ext = format.extension();
    match name.map(slug).filter(|s| !s.is_empty()) {
        Some(s) => format!("{n:02}-{s}.{ext}"),
        None => format!("{n:02}.{ext}"),
    }
}

/// The bytes of `df` as a file in `format` (an xlsx workbook has one sheet, `sheet`).
fn file_bytes(df: &DataFrame, format: Format, bom: bool, sheet: &str) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match format {
        Format::Xlsx => buf = render::xlsx::workbook(&[(sheet.to_string(), df)])?,
        Format::Table => render::write_with_bom(df, Format::Csv, bom, &mut buf)?,
        f => render::write_with_bom(df, f, bom, &mut buf)?,
    }
    Ok(buf)
}

/// A failed write as a diagnostic; `force_hint` says how to replace an existing file.
fn write_error(path: &Path, e: WriteError, force_hint: &str) -> Error {
    let shown = path.display();
    // The dot commands keep their own code (scripts may match on it).
    let code = if force_hint.starts_with('.') {
        Code::DotExists
    } else {
        Code::OutputExists
    };
    match e {
        WriteError::Exists => Error::new(
            ErrorKind::Query,
            code,
            format!("`{shown}` already exists; nothing was written"),
        )
        .with_help(force_hint.to_string()),
        e => Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot write `{shown}`: {e}"),
        ),
    }
}

fn rows(n: usize) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

/// The format a file name asks for, or an error saying which names work.
pub fn format_of(path: &str, code: Code) -> Result<Format, Error> {
    Format::from_extension(Path::new(path)).ok_or_else(|| {
        Error::new(
            ErrorKind::Query,
            code,
            format!("cannot tell the format of `{path}` from its extension"),
        )
        .with_help(format!("end the file name in {}", Format::EXTENSIONS))
    })
}

impl Session {
    /// Sends a statement's result where it goes: the file of `.once`, a numbered file under
    /// `--out`, else [`Session::show`].
    pub(super) fn deliver(&mut self, df: &DataFrame) -> Result<(), Error> {
        self.output.results += 1;
        let name = self.output.name.clone();
        if let Some(t) = self.output.once.take() {
            let hint = format!(".once {} --force replaces it", t.path.display());
            return self.write_result(&t.path, t.format, t.force, t.bom, df, name, &hint);
        }
        if let Some(d) = self.output.out_dir.clone() {
            let file = numbered_file(self.output.results, name.as_deref(), d.format);
            let path = d.dir.join(file);
            let bom = d.bom || self.settings.bom;
            return self.write_result(
                &path,
                d.format,
                d.force,
                bom,
                df,
                name,
                "add --force to replace files, or choose another --out directory",
            );
        }
        self.show(df)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_result(
        &mut self,
        path: &Path,
        format: Format,
        force: bool,
        bom: bool,
        df: &DataFrame,
        name: Option<String>,
        force_hint: &str,
    ) -> Result<(), Error> {
        let sheet = name.unwrap_or_else(|| "result".to_string());
        let bytes = file_bytes(df, format, bom, &sheet).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::OutputFormat,
                format!("cannot write `{}`: {e}", path.display()),
            )
        })?;
        write_file(path, force, |w| w.write_all(&bytes))
            .map_err(|e| write_error(path, e, force_hint))?;
        self.note(&format!(
            "wrote {} to {}\n",
            rows(df.height()),
            path.display()
        ));
        Ok(())
    }

    /// `.save FILE`: the last result into FILE, in the format of its extension.
    pub(super) fn save_last(&mut self, path: &str, force: bool, bom: bool) -> Result<(), Error> {
        if let Some(failed) = self.output.failed.clone() {
            let help = match &self.output.last_query {
                Some(q) => format!(
                    "nothing was saved. The result before it, of `{q}`, is not what you just \
                     asked for: fix the failed statement (or run `{q}` again), then .save"
                ),
                None => "nothing was saved; run a query that succeeds, then .save".into(),
            };
            return Err(Error::new(
                ErrorKind::Query,
                Code::DotSaveAfterFailure,
                format!("the last statement failed, so it has no result to save: `{failed}`"),
            )
            .with_help(help));
        }
        let Some(df) = self.last.clone() else {
            return Err(Error::new(
                ErrorKind::Query,
                Code::DotNoResult,
                "there is no result to save yet",
            )
            .with_help("run a query first"));
        };
        let format = format_of(path, Code::DotUnknownExtension)?;
        let sheet = self
            .output
            .last_name
            .clone()
            .unwrap_or_else(|| "result".into());
        let bytes = file_bytes(&df, format, bom || self.settings.bom, &sheet).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::OutputFormat,
                format!("cannot write `{path}`: {e}"),
            )
        })?;
        // Atomic, no overwriting unless forced, never through a symlink.
        write_file(Path::new(path), force, |w| w.write_all(&bytes)).map_err(|e| {
            write_error(
                Path::new(path),
                e,
                &format!(".save {path} --force replaces it"),
            )
        })?;
        let what = match &self.output.last_query {
            Some(q) => format!(" of `{q}`"),
            None => String::new(),
        };
        self.note(&format!("saved {}{what} to {path}\n", rows(df.height())));
        Ok(())
    }

    /// `.once FILE`: the next result goes to FILE.
    pub(super) fn once(&mut self, path: &str, force: bool, bom: bool) -> Result<(), Error> {
        let format = format_of(path, Code::DotUnknownExtension)?;
        self.output.once = Some(FileTarget {
            path: PathBuf::from(path),
            format,
            force,
            bom: bom || self.settings.bom,
        });
        Ok(())
    }

    /// Gathers `df` as a sheet when results are gathered into a workbook.
    pub(super) fn collect_sheet(&mut self, df: &DataFrame) -> bool {
        let name = self.output.name.clone();
        let Some(c) = self.output.collect.as_mut().filter(|c| c.xlsx) else {
            return false;
        };
        c.results += 1;
        let sheet = name.unwrap_or_else(|| format!("result {}", c.results));
        c.sheets.push((sheet, df.clone()));
        true
    }

    /// Gathers rendered text when results are gathered into a text file.
    pub(super) fn collect_text(&mut self, text: &str) -> bool {
        let Some(c) = self.output.collect.as_mut().filter(|c| !c.xlsx) else {
            return false;
        };
        c.results += 1;
        c.text.push_str(text);
        true
    }

    /// The error for a binary format with nowhere to go but the terminal.
    pub(super) fn show_binary(&mut self, _df: &DataFrame) -> Result<(), Error> {
        Err(Error::new(
            ErrorKind::Usage,
            Code::OutputBinaryToTerminal,
            format!(
                "{} is a binary format; it is not shown here",
                self.settings.format.name()
            ),
        )
        .with_help(
            "write it to a file: `.once out.xlsx` before a query, `.save out.xlsx` after it, \
             or planq --format xlsx --output out.xlsx",
        ))
    }

    /// Shows `text` through the pager when it is on, stdout is a terminal and the text is
    /// taller than the terminal; returns whether it did.
    pub(super) fn page(&mut self, text: &str) -> bool {
        let tall = self
            .settings
            .height
            .is_some_and(|h| text.lines().count() >= h);
        if !(self.settings.pager && self.settings.stdout_tty && tall) {
            return false;
        }
        let _ = self.out.flush();
        pager::page(text, &pager::pager_command())
    }

    /// Ends the run: writes what `--output` (or xlsx into a pipe) gathered.
    pub fn finish(&mut self) -> Result<(), Error> {
        let Some(c) = self.output.collect.take() else {
            return Ok(());
        };
        if c.results == 0 {
            if let Some(p) = &c.path {
                self.note(&format!("no results; {} was not written\n", p.display()));
            }
            return Ok(());
        }
        let bytes = if c.xlsx {
            let sheets: Vec<(String, &DataFrame)> =
                c.sheets.iter().map(|(n, df)| (n.clone(), df)).collect();
            render::xlsx::workbook(&sheets).map_err(|e| {
                Error::new(
                    ErrorKind::Data,
                    Code::OutputFormat,
                    format!("cannot write the workbook: {e}"),
                )
            })?
        } else {
            c.text.into_bytes()
        };
        match &c.path {
            None => self.emit_bytes(&bytes),
            Some(p) => {
                write_file(p, c.force, |w| w.write_all(&bytes)).map_err(|e| {
                    write_error(p, e, "add --force to replace it, or choose another file")
                })?;
                let n = c.results;
                self.note(&format!(
                    "wrote {n} result{} to {}\n",
                    if n == 1 { "" } else { "s" },
                    p.display()
                ));
                Ok(())
            }
        }
    }

    fn emit_bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .and_then(|()| self.out.flush())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Data,
                    Code::Io,
                    format!("cannot write to stdout: {e}"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_last_name_comment() {
        assert_eq!(
            result_name("\n# leads\n# name: 牵头单位 by count\n"),
            Some("牵头单位 by count".into())
        );
        assert_eq!(result_name("-- Name：完成情况\n"), Some("完成情况".into()));
        assert_eq!(result_name("# a name: x\n"), None);
        assert_eq!(result_name("# name:\n"), None);
        assert_eq!(result_name(""), None);
    }

    #[test]
    fn file_names_are_numbered_and_safe() {
        assert_eq!(
            numbered_file(1, Some("牵头单位 by count"), Format::Csv),
            "01-牵头单位-by-count.csv"
        );
        assert_eq!(
            numbered_file(2, Some("../../etc/passwd"), Format::Json),
            "02-etcpasswd.json"
        );
        assert_eq!(numbered_file(12, None, Format::Table), "12.csv");
        assert_eq!(numbered_file(3, Some("///"), Format::Xlsx), "03.xlsx");
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(
            excerpt("owners\n  | count by owner"),
            "owners | count by owner"
        );
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), 60);
    }
}
