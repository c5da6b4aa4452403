//! Splitting a script into what runs one after another: statements, dot commands, and text
//! that does not parse.
//!
//! Scripts (files, stdin, `-c`, REPL input) run **statement by statement**, so that the
//! results before a failing statement are printed before its diagnostic. A line whose first
//! character (after indentation) is `.` is a dot command when it stands at a statement
//! boundary — that is, unless it is inside an unfinished statement (an open string or
//! bracket, a trailing `|`), where it is part of the query.
//!
//! When a stretch of query text does not parse, the statements before the faulty one still
//! run: the splitter finds the last statement boundary before the error (a line that does not
//! continue the statement above, i.e. does not start with `|`, and before which everything
//! parses). The faulty statement runs to the next line that starts a new statement, so that
//! `--continue` can carry on after it.

use crate::lang::ast::{Span, Statement};
use crate::lang::{parse_script, ParseError};

/// One piece of a script, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A dot command: the span of its line (indentation and line break excluded).
    Dot(Span),
    /// A statement that parses.
    Statement {
        /// The statement's span in the script.
        span: Span,
        /// Whether it is a `let` binding (which shows no result).
        is_let: bool,
    },
    /// Text that does not parse, with the error (its span relative to the whole script).
    Broken {
        /// The faulty statement's text.
        span: Span,
        /// The syntax error.
        error: ParseError,
    },
}

/// Lines of `src` as (start, end without line break, start of the next line).
fn lines(src: &str) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start = bom_len(src);
    while start < src.len() {
        let (end, next) = match src[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (src.len(), src.len()),
        };
        let end = if src[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        out.push((start, end, next));
        start = next;
    }
    out
}

/// The length of a leading byte-order mark (editors on Windows write one): it is not part
/// of the script.
fn bom_len(src: &str) -> usize {
    if src.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    }
}

/// Whether a line holds something other than blanks and comments.
fn significant(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty() || t.starts_with('#') || t.starts_with("--"))
}

/// Splits `src` into segments (see the module docs).
pub fn split(src: &str) -> Vec<Segment> {
    let all = lines(src);
    let mut out = Vec::new();
    let mut chunk_start = bom_len(src);
    for &(start, end, next) in &all {
        if start < chunk_start {
            continue;
        }
        let line = &src[start..end];
        let trimmed = line.trim_start();
        if !trimmed.starts_with('.') {
            continue;
        }
        let before = &src[chunk_start..start];
        if matches!(parse_script(before), Err(e) if e.incomplete) {
            continue; // inside an open string, bracket or pipeline
        }
        split_chunk(src, &all, chunk_start, start, &mut out);
        let dot_start = start + (line.len() - trimmed.len());
        out.push(Segment::Dot(Span::new(
            dot_start,
            start + line.trim_end().len(),
        )));
        chunk_start = next;
    }
    split_chunk(src, &all, chunk_start, src.len(), &mut out);
    out
}

fn statements(script_text: &str, offset: usize, out: &mut Vec<Segment>) -> bool {
    match parse_script(script_text) {
        Ok(script) => {
            out.extend(script.statements.iter().map(|s| {
                let span = s.span();
                Segment::Statement {
                    span: Span::new(span.start + offset, span.end + offset),
                    is_let: matches!(s, Statement::Let { .. }),
                }
            }));
            true
        }
        Err(_) => false,
    }
}

/// The start of the line holding byte `at`.
fn line_of(all: &[(usize, usize, usize)], at: usize) -> usize {
    all.iter()
        .rev()
        .find(|(s, _, _)| *s <= at)
        .map_or(0, |(s, _, _)| *s)
}

/// Whether the first significant line at or after `at` (before `end`) starts with `|`,
/// i.e. continues the statement above it.
fn continues_at(src: &str, all: &[(usize, usize, usize)], at: usize, end: usize) -> bool {
    all.iter()
        .filter(|(s, _, _)| *s >= at && *s < end)
        .map(|(s, e, _)| &src[*s..(*e).min(end)])
        .find(|l| significant(l))
        .is_some_and(|l| l.trim_start().starts_with('|'))
}

fn split_chunk(
    src: &str,
    all: &[(usize, usize, usize)],
    start: usize,
    end: usize,
    out: &mut Vec<Segment>,
) {
    let mut rest = start;
    while rest < end && significant_text(&src[rest..end]) {
        let text = &src[rest..end];
        let error = match parse_script(text) {
            Ok(_) => {
                statements(text, rest, out);
                return;
            }
            Err(e) => e,
        };
        let error_at = (rest + error.span.start).min(end);
        // The last statement boundary before the error.
        let mut boundary = line_of(all, error_at).max(rest);
        while boundary > rest {
            let prefix = &src[rest..boundary];
            if !continues_at(src, all, boundary, end) && parse_script(prefix).is_ok() {
                break;
            }
            boundary = line_of(all, boundary - 1).max(rest);
        }
        if boundary > rest {
            statements(&src[rest..boundary], rest, out);
        }
        // The faulty statement ends where the next statement starts (after the error's line).
        let error_line_end = all
            .iter()
            .find(|(s, _, next)| *s <= error_at && error_at < *next)
            .map_or(end, |(_, _, next)| *next);
        let resume = if error.incomplete {
            end
        } else {
            all.iter()
                .filter(|(s, e, _)| *s >= error_line_end && *s < end && significant(&src[*s..*e]))
                .find(|(s, e, _)| !src[*s..*e].trim_start().starts_with('|'))
                .map_or(end, |(s, _, _)| *s)
        };
        let mut error = error;
        error.span = Span::new(error.span.start + rest, error.span.end + rest);
        let text_end = boundary + src[boundary..resume].trim_end().len();
        out.push(Segment::Broken {
            span: Span::new(boundary, text_end),
            error,
        });
        rest = resume.max(boundary + 1).min(end);
        while !src.is_char_boundary(rest) {
            rest += 1;
        }
    }
}

fn significant_text(text: &str) -> bool {
    text.lines().any(significant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(src: &str) -> Vec<String> {
        split(src)
            .into_iter()
            .map(|s| match s {
                Segment::Dot(span) => format!("dot {}", &src[span.start..span.end]),
                Segment::Statement { span, is_let } => format!(
                    "{} {}",
                    if is_let { "let" } else { "query" },
                    &src[span.start..span.end]
                ),
                Segment::Broken { span, error } => format!(
                    "broken {} @{}",
                    &src[span.start..span.end],
                    &src[error.span.start..error.span.end.max(error.span.start)]
                ),
            })
            .collect()
    }

    #[test]
    fn statements_and_dot_commands_in_order() {
        let src = "# tasks by owner\n.format csv\nlet l = owners | where role == \"lead\"\nl\n  | count by owner\n.chart owner count\ntasks; targets\n";
        assert_eq!(
            describe(src),
            [
                "dot .format csv",
                "let let l = owners | where role == \"lead\"",
                "query l\n  | count by owner",
                "dot .chart owner count",
                "query tasks",
                "query targets",
            ]
        );
    }

    #[test]
    fn a_dot_inside_an_open_string_is_text() {
        let src = "tasks | where title ~ \"a\n.b\"\n.tables";
        assert_eq!(
            describe(src),
            ["query tasks | where title ~ \"a\n.b\"", "dot .tables"]
        );
    }

    #[test]
    fn statements_before_a_syntax_error_still_run() {
        let src = "tasks\nowners\n  | wher x\n  | take 1\ntargets\n";
        let d = describe(src);
        assert_eq!(d[0], "query tasks");
        assert!(
            d[1].starts_with("broken owners\n  | wher x\n  | take 1 @"),
            "{d:?}"
        );
        assert_eq!(d[2], "query targets");
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn an_incomplete_script_is_one_broken_statement() {
        let src = "tasks\nowners | where owner == \"省数字办";
        let d = describe(src);
        assert_eq!(d[0], "query tasks");
        assert!(d[1].starts_with("broken owners | where"), "{d:?}");
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(
            describe("\u{feff}.tables\ntasks | count"),
            ["dot .tables", "query tasks | count"]
        );
        assert_eq!(describe("\u{feff}tasks | count"), ["query tasks | count"]);
    }

    #[test]
    fn empty_and_comment_only_scripts_do_nothing() {
        assert!(split("").is_empty());
        assert!(split("# nothing\n\n-- here\n").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn segments_are_ordered_and_inside_the_script(
            src in "[a-z .|\"'()\\[\\];,=\n省#-]{0,60}"
        ) {
            let mut at = 0;
            for seg in split(&src) {
                let span = match seg {
                    Segment::Dot(s) | Segment::Statement { span: s, .. } => s,
                    Segment::Broken { span, .. } => span,
                };
                proptest::prop_assert!(span.start >= at && span.start <= span.end);
                proptest::prop_assert!(span.end <= src.len());
                proptest::prop_assert!(src.get(span.start..span.end).is_some());
                at = span.end;
            }
        }
    }

    #[test]
    fn never_loops_or_panics_on_odd_input() {
        for src in [
            "(((",
            "\"",
            "|||\n|",
            "tasks |\n.x",
            "省\n.\n",
            "\r\n.a\r\n",
            "a b c\nd e",
        ] {
            let _ = split(src);
        }
    }
}
