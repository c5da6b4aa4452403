//! Rendering diagnostics for the terminal with miette ([`report`]; also
//! `planq::cli::report`). Part of the engine, not of the command line: the REPL, the
//! script runner and embedders render errors the same way.
//!
//! Diagnostics are rendered from a *display form* of the error, never from the error
//! itself, so that what reaches the terminal stays bounded whatever the input: a span on
//! a line of 70 000 characters (a huge query literal, a progress CSV field, a one-line
//! 200 MB plan) is shown as a short excerpt around the span, and text quoted from the
//! input in a message, label or help (`` `…` ``) is clipped. miette itself panics on
//! spans past column 65 535, and would echo the whole line otherwise.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::error::{Code, Error, Source};

/// Lines up to this many characters are shown whole, with miette's context lines.
const MAX_LINE: usize = 200;
/// Spans over more lines than this are shown as an excerpt of their first line.
const MAX_SPAN_LINES: usize = 12;
/// Characters shown either side of a span in an excerpt.
const CONTEXT: usize = 40;
/// Characters of the span itself shown in an excerpt.
const MAX_SPAN: usize = 80;
/// Characters of a `` `quoted` `` fragment of a message kept whole.
const MAX_QUOTE: usize = 80;
/// Characters of a whole message, label or help kept.
const MAX_TEXT: usize = 2000;
/// Lines of a whole message, label or help kept: quoted input can hold a line break per
/// character, and each costs a rendered line.
const MAX_LINES: usize = 12;
/// Related diagnostics rendered under one error (a file with 100 000 bad rows would
/// otherwise print 100 000 of them); the rest are counted in a note.
const MAX_RELATED: usize = 100;

/// A diagnostic rendered as miette's graphical report (plain characters when `color` is
/// off, so that scripts and tests get stable text).
pub fn report(err: &Error, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let shown = Shown::of(err);
    let mut out = String::new();
    if handler.render_report(&mut out, &shown).is_err() {
        out = format!("Error: {}\n", shown.message);
    }
    out
}

/// The bounded form of an [`Error`] that is handed to miette.
#[derive(Debug)]
struct Shown {
    code: Code,
    message: String,
    help: Option<String>,
    severity: Severity,
    snippet: Option<Snippet>,
    related: Vec<Shown>,
}

/// The source shown under a diagnostic, with its one label.
#[derive(Debug)]
struct Snippet {
    source: SourceView,
    span: SourceSpan,
    label: Option<String>,
}

/// Either a window of whole lines around the span (short lines: miette shows the lines
/// around the span) or an excerpt of one long line.
#[derive(Debug)]
enum SourceView {
    Window(Window),
    Excerpt(Excerpt),
}

/// The lines around a span, cut out of the source with the line number of their first
/// line. miette finds a span's line by scanning its source from the start, so handing it
/// the whole file would make every diagnostic cost the file's length, and a file with
/// many warnings the square of it.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// 0-based line number of the window's first line in the real source.
    line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A window of one long line; offsets of labels are relative to `text`.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line and column (in characters) of the span's start in the real source.
    line: usize,
    column: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            self.line,
            self.column,
            1,
        )))
    }
}

impl Shown {
    fn of(e: &Error) -> Shown {
        let snippet = match (e.source(), e.span()) {
            (Some(src), Some(span)) => Some(snippet(
                src,
                span.start,
                span.end,
                e.label().map(str::to_string),
            )),
            _ => None,
        };
        let mut related: Vec<Shown> = e
            .related()
            .iter()
            .take(MAX_RELATED)
            .map(Shown::of)
            .collect();
        if e.related().len() > MAX_RELATED {
            let more = e.related().len() - MAX_RELATED;
            related.push(Shown {
                code: Code::More,
                message: format!("… and {more} more (only the first {MAX_RELATED} are shown)"),
                help: None,
                severity: Severity::Advice,
                snippet: None,
                related: Vec::new(),
            });
        }
        Shown {
            code: e.code(),
            message: clip_text(e.message()),
            help: e.help().map(clip_text),
            severity: e.severity(),
            snippet,
            related,
        }
    }
}

/// The largest char boundary at or below `i`.
fn floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Start of the line holding byte `at` (a line ends at `\n` or a bare `\r`, as miette
/// counts them).
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// End of the line holding byte `at` (its line break excluded).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

fn snippet(src: &Source, start: usize, end: usize, label: Option<String>) -> Snippet {
    let text = &*src.text;
    let start = floor(text, start);
    let end = floor(text, end.max(start));
    let label = label.map(|l| clip_text(&l));
    // The lines miette may show: one line of context either side of the span, and one
    // more after an empty span (miette's reading of context around it).
    let first = line_start(text, start);
    let last = line_end(text, end);
    let (mut from, mut to) = (first, last);
    for _ in 0..2 {
        from = prev_line_start(text, from);
        to = next_line_end(text, to);
    }
    let shown = &text[from..to];
    let too_long = shown
        .split(['\n', '\r'])
        .any(|l| l.len() > MAX_LINE && l.chars().count() > MAX_LINE);
    let too_many = text[first..last].matches('\n').count() > MAX_SPAN_LINES;
    if !too_long && !too_many {
        return Snippet {
            source: SourceView::Window(Window {
                name: src.name.clone(),
                text: shown.to_string(),
                line: src.line_col(from).0 - 1,
            }),
            span: SourceSpan::new((start - from).into(), end - start),
            label,
        };
    }
    // An excerpt of the span's first line: CONTEXT characters either side of (at most
    // MAX_SPAN characters of) the span.
    let line_end_ = line_end(text, start);
    let span_end = advance(text, start, MAX_SPAN).min(end).min(line_end_);
    let win_start = back(text, start, CONTEXT).max(first);
    let win_end = advance(text, span_end, CONTEXT).min(line_end_);
    let mut excerpt = String::new();
    if win_start > first {
        excerpt.push('…');
    }
    let label_start = excerpt.len() + (start - win_start);
    let label_len = span_end - start;
    excerpt.push_str(&text[win_start..win_end]);
    if win_end < line_end_ {
        excerpt.push('…');
    }
    // A clipped span says so in its label.
    let label = if span_end < end {
        Some(match label {
            Some(l) => format!("{l} (span clipped)"),
            None => "span clipped".to_string(),
        })
    } else {
        label
    };
    let (line, column) = src.line_col(start);
    Snippet {
        source: SourceView::Excerpt(Excerpt {
            name: src.name.clone(),
            text: excerpt.replace(['\t', '\u{0}'], " "),
            line: line - 1,
            column: column - 1,
        }),
        span: SourceSpan::new(label_start.into(), label_len),
        label,
    }
}

/// The start of the line before the line starting at `first` (or `first` itself on the
/// first line).
fn prev_line_start(text: &str, first: usize) -> usize {
    let bytes = text.as_bytes();
    match first {
        0 => 0,
        // Step back over the line break (`\r\n` is one) to the line before.
        f if f >= 2 && bytes[f - 1] == b'\n' && bytes[f - 2] == b'\r' => line_start(text, f - 2),
        f => line_start(text, f - 1),
    }
}

/// The end of the line after the line ending at `last` (or `last` on the last line).
fn next_line_end(text: &str, last: usize) -> usize {
    let bytes = text.as_bytes();
    if last >= text.len() {
        last
    } else if bytes[last] == b'\r' && bytes.get(last + 1) == Some(&b'\n') {
        line_end(text, last + 2)
    } else {
        line_end(text, last + 1)
    }
}

/// The byte offset `n` characters after `at`.
fn advance(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// The byte offset `n` characters before `at`.
fn back(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Clips text quoted from the input: every `` `quoted` `` fragment over [`MAX_QUOTE`]
/// characters keeps its head and tail, and the whole text at most [`MAX_TEXT`]
/// characters.
pub(crate) fn clip_text(s: &str) -> String {
    if s.len() <= MAX_QUOTE {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len().min(MAX_TEXT * 4));
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open + 1]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('`') else {
            break;
        };
        out.push_str(&clip_middle(&rest[..close], MAX_QUOTE));
        out.push('`');
        rest = &rest[close + 1..];
    }
    out.push_str(&clip_middle(rest, MAX_TEXT));
    if out.chars().count() > MAX_TEXT {
        out = clip_middle(&out, MAX_TEXT);
    }
    clip_lines(&out, MAX_LINES)
}

/// `s` whole when it has at most `max` lines; otherwise its first and last lines around a
/// line that counts the ones left out.
fn clip_lines(s: &str, max: usize) -> String {
    let n = s.split('\n').count();
    if n <= max {
        return s.to_string();
    }
    let (head, tail) = (max - 3, 2);
    let lines: Vec<&str> = s.split('\n').collect();
    let mut out = lines[..head].join("\n");
    out.push_str(&format!("\n… ({} more lines)\n", n - head - tail));
    out.push_str(&lines[n - tail..].join("\n"));
    out
}

/// `s` whole when it has at most `max` characters; otherwise its head and tail around
/// `…` and a count.
fn clip_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max * 2 / 3).collect();
    let tail: String = s.chars().skip(n - max / 4).collect();
    format!("{head}…{tail} ({n} characters)")
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| match &s.source {
            SourceView::Window(w) => w as &dyn SourceCode,
            SourceView::Excerpt(x) => x as &dyn SourceCode,
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.snippet.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(s.label.clone(), s.span),
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|e| e as &dyn Diagnostic)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::lang::ast::Span;

    fn err_at(text: &str, start: usize, end: usize) -> Error {
        let src = Source::new("<q>", text.to_string());
        Error::new(ErrorKind::Query, Code::Internal, "bad")
            .at(&src, Span::new(start, end), "here")
            .with_help("fix it")
    }

    #[test]
    fn short_lines_render_whole() {
        let out = report(&err_at("tasks | where x", 14, 15), false);
        assert!(out.contains("tasks | where x"), "{out}");
        assert!(out.contains("[<q>:1:15]"), "{out}");
    }

    #[test]
    fn spans_past_column_65535_render_clipped() {
        let long = "a".repeat(70_000);
        let text = format!("x = \"{long}\" or nosuch == 1");
        let at = text.find("nosuch").unwrap();
        let out = report(&err_at(&text, at, at + 6), false);
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert!(out.contains("…aaaa"), "{out}");
        assert!(out.contains("nosuch == 1"), "{out}");
        assert!(out.contains(&format!("[<q>:1:{}]", at + 1)), "{out}");
        // A huge span is clipped too.
        let out = report(&err_at(&text, 4, at), false);
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert!(out.contains("span clipped"), "{out}");
    }

    #[test]
    fn a_long_neighbour_line_is_not_echoed() {
        for eol in ["\n", "\r\n", "\r"] {
            let long = "b".repeat(300_000);
            let text = format!("{long}{eol}short line{eol}{long}{eol}");
            let at = text.find("short").unwrap();
            let out = report(&err_at(&text, at, at + 5), false);
            assert!(out.len() < 2_000, "{} bytes", out.len());
            assert!(out.contains("short line"), "{out}");
            assert!(out.contains("[<q>:2:1]"), "{out}");
        }
    }

    #[test]
    fn an_empty_span_before_a_long_line_is_not_echoed() {
        // Found by the surfaces proptest: miette shows two lines after an empty span.
        let text = format!("\n\n一一{}", "x".repeat(70_000));
        let out = report(&err_at(&text, 0, 0), false);
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn quoted_input_in_messages_is_clipped() {
        let msg = format!("line 2: `{}` is not a number", "9".repeat(100_000));
        let clipped = clip_text(&msg);
        assert!(clipped.len() < 300, "{clipped}");
        assert!(
            clipped.ends_with("(100000 characters)` is not a number"),
            "{clipped}"
        );
        assert_eq!(clip_text("`short` text"), "`short` text");
        // A line break per character (quoted input with a stray backtick) is bounded too.
        let many = format!("`{}` and `x", "a\n".repeat(400));
        let clipped = clip_text(&many);
        assert_eq!(clipped.lines().count(), MAX_LINES, "{clipped}");
        assert!(clipped.contains("more lines)"), "{clipped}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_span_of_any_text_renders(
            text in "(\\PC|\n|\r){0,400}",
            a in 0usize..500,
            b in 0usize..500,
            long in 0usize..3,
        ) {
            let text = match long {
                0 => text,
                1 => format!("{text}{}", "é".repeat(70_000)),
                _ => format!("{}{text}", "z".repeat(70_000)),
            };
            let (s, e) = (a.min(b) * text.len() / 500, a.max(b) * text.len() / 500);
            let out = report(&err_at(&text, s, e), false);
            proptest::prop_assert!(out.len() < 4_000, "{} bytes", out.len());
        }
    }
}
