//! planq's one error type: a miette diagnostic that also serialises.
//!
//! Every failure a user can cause — a bad query, a bad plan line, a bad progress row, a
//! missing file — becomes an [`Error`] with a stable code, the exact span at fault in its
//! source (query text or file), a label saying what is wrong there and a help line.
//! Several errors found in one pass (e.g. every bad row of a progress file) travel
//! together as `related` diagnostics of one summary error.

mod code;
pub(crate) mod source_text;

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{
    Diagnostic, LabeledSpan, MietteError, Severity, SourceCode, SourceSpan, SpanContents,
};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use code::Code;
pub use source_text::SourceText;

use crate::lang::ast::Span;

/// What kind of failure this is; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The query text is wrong (syntax, names, types).
    Query,
    /// The data is wrong or missing (plan document, progress file, I/O).
    Data,
    /// The command line is wrong.
    Usage,
}

impl ErrorKind {
    /// The process exit code for this kind: 2 for usage errors, 1 otherwise.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::Query | ErrorKind::Data => 1,
        }
    }
}

/// A named piece of source text (a query, a script file, a plan or progress file).
#[derive(Debug, Clone)]
pub struct Source {
    /// Display name: a file path, `<query>` or `<stdin>`.
    pub name: String,
    /// The full text.
    pub text: SourceText,
    /// Line indexes, built on first use and shared by clones: a file with thousands of
    /// warnings or errors must not rescan its text for each one.
    index: Arc<LineIndex>,
}

/// Where lines start, in two conventions (see [`Source::line_col`], [`Source::line_span`]).
#[derive(Debug, Default)]
struct LineIndex {
    /// Offsets just past every `\n`, `\r\n` or bare `\r`.
    breaks: OnceLock<Vec<usize>>,
    /// Offsets just past every `\n` (the plan extractor's lines).
    newlines: OnceLock<Vec<usize>>,
}

impl Source {
    /// A source from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<SourceText>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            index: Arc::default(),
        }
    }

    /// 1-based (line, column) of a byte offset; columns count characters. `\n`, `\r\n`
    /// and a bare `\r` each end a line (as in the diagnostic renderer and the CSV reader).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let mut start = offset;
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let starts = self.index.breaks.get_or_init(|| {
            let bytes = self.text.as_bytes();
            (0..bytes.len())
                .filter(|&i| match bytes[i] {
                    b'\n' => true,
                    b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .map(|i| i + 1)
                .collect()
        });
        // Line starts at or before `start` (a break at `start - 1` starts a line at `start`).
        let line = starts.partition_point(|&s| s <= start);
        let line_start = if line == 0 { 0 } else { starts[line - 1] };
        let col = self.text[line_start..start].chars().count() + 1;
        (line + 1, col)
    }

    /// The byte span of 1-based line `line` (without its newline).
    pub fn line_span(&self, line: usize) -> Span {
        let starts = self.index.newlines.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1)
                .collect()
        });
        let end_of_text = Span::new(self.text.len(), self.text.len());
        let start = match line {
            0 => return end_of_text,
            1 => 0,
            n => match starts.get(n - 2) {
                Some(&s) => s,
                None => return end_of_text,
            },
        };
        let end = starts.get(line - 1).map_or(self.text.len(), |&s| s - 1);
        let l = &self.text[start..end];
        let l = l.strip_suffix('\r').unwrap_or(l);
        Span::new(start, start + l.len())
    }
}

/// A planq error: code, message, optional source span, label, help and related errors.
/// Boxed, so that `Result<T, Error>` stays one pointer wide on the happy path; the fields
/// are private and read through accessors ([`Error::code`], [`Error::span`], …), so an
/// error is built only by the constructors below and stays consistent (a span always has
/// its source).
#[derive(Debug, Clone)]
pub struct Error(Box<ErrorData>);

/// The contents of an [`Error`].
#[derive(Debug, Clone)]
struct ErrorData {
    kind: ErrorKind,
    code: Code,
    message: String,
    /// The span and the text it points into, stored once (miette reads the same
    /// [`Source`] through its [`SourceCode`] impl).
    at: Option<(Source, Span)>,
    label: Option<String>,
    help: Option<String>,
    related: Vec<Error>,
    severity: Severity,
}

impl Error {
    /// A new error without a span.
    pub fn new(kind: ErrorKind, code: Code, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorData {
            kind,
            code,
            message: message.into(),
            at: None,
            label: None,
            help: None,
            related: Vec::new(),
            severity: Severity::Error,
        }))
    }

    /// Points the error at `span` of `source`, with a label.
    pub fn at(mut self, source: &Source, span: Span, label: impl Into<String>) -> Self {
        self.0.at = Some((source.clone(), span));
        self.0.label = Some(label.into());
        self
    }

    /// What kind of failure this is (decides the exit code).
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The stable code, e.g. [`Code::CheckUnknownColumn`].
    pub fn code(&self) -> Code {
        self.0.code
    }

    /// The one-line description.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where in [`Error::source`] the fault is.
    pub fn span(&self) -> Option<Span> {
        self.0.at.as_ref().map(|(_, span)| *span)
    }

    /// The text the span points into.
    pub fn source(&self) -> Option<&Source> {
        self.0.at.as_ref().map(|(source, _)| source)
    }

    /// What is wrong at the span.
    pub fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    /// What to do about it.
    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// Further errors found in the same pass (e.g. every bad row of a file).
    pub fn related(&self) -> &[Error] {
        &self.0.related
    }

    /// Error (the default) or warning.
    pub fn severity(&self) -> Severity {
        self.0.severity
    }

    /// The same error with another message (e.g. to add the context a caller knows).
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.0.message = message.into();
        self
    }

    /// The same error as another kind (e.g. a query error met while loading data).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.0.kind = kind;
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Adds a help line if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.0.help = help;
        }
        self
    }

    /// Sets the severity (warnings are reported but do not fail).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }

    /// Attaches related errors.
    pub fn with_related(mut self, related: Vec<Error>) -> Self {
        self.0.related = related;
        self
    }

    /// Re-anchors a span-carrying error into a larger source: the span is shifted by
    /// `offset` bytes (used when a statement of a script was checked on its own).
    pub fn rebase(mut self, source: &Source, offset: usize) -> Self {
        if let Some((old, span)) = &mut self.0.at {
            *old = source.clone();
            *span = Span::new(span.start + offset, span.end + offset);
        }
        self.0.related = std::mem::take(&mut self.0.related)
            .into_iter()
            .map(|r| r.rebase(source, offset))
            .collect();
        self
    }

    /// An I/O failure on `path`, as a data error.
    pub fn io(path: &str, err: &std::io::Error) -> Self {
        Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot read `{path}`: {err}"),
        )
        .with_help("check the path and that the file is readable")
    }

    /// 1-based (line, column) of the start of the span, when there is one.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.0
            .at
            .as_ref()
            .map(|(src, span)| src.line_col(span.start))
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        self.0.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.0.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(self.0.label.clone(), span),
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.0.related.iter().map(|e| e as &dyn Diagnostic),
            ))
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Error", 10)?;
        st.serialize_field("kind", &self.0.kind)?;
        st.serialize_field("code", &self.0.code)?;
        st.serialize_field("message", &self.0.message)?;
        st.serialize_field("source", &self.source().map(|s| &s.name))?;
        st.serialize_field("span", &self.span())?;
        let (line, column) = match self.line_col() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        st.serialize_field("line", &line)?;
        st.serialize_field("column", &column)?;
        st.serialize_field("label", &self.0.label)?;
        st.serialize_field("help", &self.0.help)?;
        st.serialize_field("related", &self.0.related)?;
        st.end()
    }
}

/// The source text as miette reads it: the [`Source`]'s own text under its name, so an
/// error stores its source once.
impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// planq's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexed lookups agree with a plain scan at every offset and line.
    #[test]
    fn line_index_agrees_with_a_scan() {
        let text = "a\rb\r\n省c\n\nd\r\r\ne\n";
        let src = Source::new("p", text);
        for offset in 0..=text.len() + 2 {
            let o = offset.min(text.len());
            let mut start = o;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let b = text.as_bytes();
            let brk = |i: usize| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
            let line = (0..start).filter(|&i| brk(i)).count() + 1;
            let ls = (0..start).rev().find(|&i| brk(i)).map_or(0, |i| i + 1);
            let col = text[ls..start].chars().count() + 1;
            assert_eq!(src.line_col(offset), (line, col), "offset {offset}");
        }
        let mut start = 0;
        let lines: Vec<&str> = text.split('\n').collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.strip_suffix('\r').unwrap_or(l);
            assert_eq!(
                src.line_span(i + 1),
                Span::new(start, start + t.len()),
                "line {}",
                i + 1
            );
            start += l.len() + 1;
        }
        let end = Span::new(text.len(), text.len());
        assert_eq!(src.line_span(0), end);
        assert_eq!(src.line_span(lines.len() + 1), end);
    }

    #[test]
    fn line_col_counts_characters() {
        let src = Source::new("q", "ab\n省数字办 x");
        let x = src.text.find('x').unwrap();
        assert_eq!(src.line_col(x), (2, 6));
        assert_eq!(src.line_span(2), Span::new(3, src.text.len()));
        let cr = Source::new("p", "a\rb\r\nc\nd");
        assert_eq!(cr.line_col(2), (2, 1));
        assert_eq!(cr.line_col(4), (2, 3));
        assert_eq!(cr.line_col(5), (3, 1));
        assert_eq!(cr.line_col(7), (4, 1));
    }

    #[test]
    fn serialises_with_line_and_column() {
        let src = Source::new("<query>", "tasks | where x");
        let e = Error::new(
            ErrorKind::Query,
            Code::CheckUnknownColumn,
            "unknown column `x`",
        )
        .at(&src, Span::new(14, 15), "no such column")
        .with_help("columns: id");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["line"], 1);
        assert_eq!(v["column"], 15);
        assert_eq!(v["code"], "planq::check::unknown_column");
        assert_eq!(e.exit_code(), 1);
    }
}
