//! Syntax errors: [`ParseError`] and the builders that turn "not what
//! the rule expected" into the most helpful diagnostic for the token that is there — an
//! unclosed bracket at its opener, `=` meant as `==`, `&&` meant as `and`, a verb with a
//! "did you mean", a statement that ends too early (which a REPL reads on from).

use crate::error::Code;
use std::fmt;

use nom::error::ErrorKind;
use serde::Serialize;

use super::input::{Tok, Tokens};
use crate::lang::ast::{Pipeline, Source, Span, VERBS};
use crate::lang::lexer::{is_reserved, TokenKind};
use crate::lang::suggest::closest;

/// A syntax error, with everything needed for a good diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParseError {
    /// A stable code such as `planq::parse::expected` (a [`Code`]).
    pub code: Code,
    /// One-line description of the problem.
    pub message: String,
    /// Where the problem is (for unclosed things: the opener).
    pub span: Span,
    /// What is wrong at `span`.
    pub label: String,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
    /// True when the input merely ended too early (trailing `|`, unclosed bracket or string,
    /// `let x =` …): a REPL should read another line and try again.
    pub incomplete: bool,
}

impl ParseError {
    /// An error with no help, not incomplete.
    pub(crate) fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        ParseError {
            code,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            incomplete: false,
        }
    }
    /// With `help`.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Marked as input that ended too early.
    pub(crate) fn incomplete(mut self) -> Self {
        self.incomplete = true;
        self
    }
}

impl fmt::Display for ParseError {
    /// The message only; span, label and help are for the diagnostic renderer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

impl<'a> nom::error::ParseError<Tokens<'a>> for ParseError {
    /// A backtracking error ("not this rule"): rules turn it into a diagnostic when no
    /// alternative applies, so it carries only the place, and costs no allocation.
    fn from_error_kind(input: Tokens<'a>, _kind: ErrorKind) -> Self {
        ParseError::new(
            Code::ParseExpected,
            String::new(),
            input.peek().span,
            String::new(),
        )
    }
    fn append(_input: Tokens<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

/// Words people reach for from other query languages, and the planq verb they mean.
const VERB_ALIASES: &[(&str, &str)] = &[
    ("filter", "where"),
    ("order", "sort"),
    ("orderby", "sort"),
    ("order_by", "sort"),
    ("sortby", "sort"),
    ("sort_by", "sort"),
    ("arrange", "sort"),
    ("head", "take"),
    ("first", "take"),
    ("mutate", "derive"),
    ("extend", "derive"),
    ("with", "derive"),
    ("aggregate", "summarize"),
    ("agg", "summarize"),
    ("project", "select"),
    ("unique", "distinct"),
    ("uniq", "distinct"),
    ("dedup", "distinct"),
    ("merge", "join"),
    ("lookup", "join"),
];

/// The next token is not `expected`: the best error we can build for what is there.
pub fn unexpected(i: Tokens<'_>, expected: &str) -> ParseError {
    let t = i.peek();
    if t.eof {
        if let Some(opener) = i.opener() {
            return unclosed(opener, expected);
        }
        return ParseError::new(
            Code::ParseExpected,
            format!("expected {expected}, found end of input"),
            t.span,
            format!("expected {expected}"),
        )
        .help(format!(
            "the statement ends too early: finish it with {expected}"
        ))
        .incomplete();
    }
    if let Some(e) = bad_token(i, t) {
        return e;
    }
    ParseError::new(
        Code::ParseExpected,
        format!("expected {expected}, found {}", t.describe()),
        t.span,
        format!("expected {expected}"),
    )
    .help(format!(
        "write {expected} here (the syntax is in grammar/README.md)"
    ))
}

/// The input ended inside the bracket `opener`.
fn unclosed(opener: Tok<'_>, expected: &str) -> ParseError {
    let closer = if opener.text == "(" { ")" } else { "]" };
    let help = if expected.contains(&format!("`{closer}`")) {
        format!("add a `{closer}`")
    } else {
        format!("expected {expected}, then a closing `{closer}`")
    };
    ParseError::new(
        Code::ParseUnclosedBracket,
        format!("unclosed `{}`", opener.text),
        opener.span,
        format!("this `{}` is never closed", opener.text),
    )
    .help(help)
    .incomplete()
}

/// A closing bracket was expected. A token that cannot possibly continue inside the
/// bracket (`|` in an expression, `;`, the other kind of closer) means the bracket was
/// left open: point at the opener.
pub fn expected_closer(i: Tokens<'_>, expected: &str) -> ParseError {
    let t = i.peek();
    let Some(opener) = i.opener() else {
        return unexpected(i, expected);
    };
    let closer = if opener.text == "(" { ")" } else { "]" };
    if let Some(e) = single_equals(i) {
        return e;
    }
    let gives_up = t.is_punct(";")
        || t.is_pipe()
        || (t.kind == TokenKind::Punct && matches!(t.text, ")" | "]") && t.text != closer);
    if t.eof || !gives_up {
        return unexpected(i, expected);
    }
    ParseError::new(
        Code::ParseUnclosedBracket,
        format!("unclosed `{}`", opener.text),
        opener.span,
        format!("this `{}` is never closed", opener.text),
    )
    .help(format!("add a `{closer}` before {}", t.describe()))
}

/// `=` right after a complete expression: almost certainly meant as `==`.
pub fn single_equals(i: Tokens<'_>) -> Option<ParseError> {
    let t = i.peek();
    t.is_op("=").then(|| {
        ParseError::new(
            Code::ParseSingleEquals,
            "`=` is not a comparison",
            t.span,
            "`=` here",
        )
        .help("use `==` to compare")
    })
}

/// Errors that depend only on the offending token `t`, whatever was expected.
pub fn bad_token(i: Tokens<'_>, t: Tok<'_>) -> Option<ParseError> {
    let e = match t.kind {
        TokenKind::String | TokenKind::Date if !super::literal::quoted_is_closed(t.text) => {
            let len = if t.kind == TokenKind::Date { 2 } else { 1 };
            let quote = if t.text[len - 1..].starts_with('\'') {
                '\''
            } else {
                '"'
            };
            ParseError::new(
                Code::ParseUnclosedString,
                "unclosed string",
                Span::new(t.span.start, t.span.start + len),
                "this string is never closed",
            )
            .help(format!("add a closing {quote}"))
            .incomplete()
        }
        TokenKind::Ident
            if t.text.starts_with('`') && !super::literal::backtick_is_closed(t.text) =>
        {
            ParseError::new(
                Code::ParseUnclosedName,
                "unclosed backtick name",
                Span::new(t.span.start, t.span.start + 1),
                "this name is never closed",
            )
            .help("add a closing backtick")
            .incomplete()
        }
        TokenKind::Error => {
            let c = t.text.chars().next().unwrap_or('?');
            let e = ParseError::new(
                Code::ParseUnexpectedChar,
                format!("unexpected character `{c}`"),
                t.span,
                "not valid here",
            );
            match (full_width(c), c) {
                (Some(ascii), _) => {
                    e.help(format!("`{c}` is a full-width character; use `{ascii}`"))
                }
                (None, '$') => e.help("a parameter is `$` followed by a name, e.g. `$section`"),
                (None, '.') => {
                    e.help("planq has no `.` operator; write a name containing `.` in backticks")
                }
                _ => e,
            }
        }
        TokenKind::Operator => {
            let (instead, what) = match t.text {
                "&&" | "&" => ("and", "and"),
                "||" => ("or", "or"),
                "!" => ("not", "negation"),
                "<>" => ("!=", "not-equal"),
                _ => return None,
            };
            ParseError::new(
                Code::ParseWrongOperator,
                format!("`{}` is not a planq operator", t.text),
                t.span,
                format!("use `{instead}` for {what}"),
            )
            .help(format!("use `{instead}`"))
        }
        // A closer that no open bracket expects.
        TokenKind::Punct if (t.text == ")" || t.text == "]") && i.opener().is_none() => {
            ParseError::new(
                Code::ParseUnmatchedBracket,
                format!("unmatched `{}`", t.text),
                t.span,
                format!("this `{}` has no matching opener", t.text),
            )
        }
        _ => return None,
    };
    Some(e)
}

/// Input left after a complete construct (`pipeline`: the statement it ends, if any).
pub fn trailing(i: Tokens<'_>, expected: &str, pipeline: Option<&Pipeline>) -> ParseError {
    let t = i.peek();
    if let Some(e) = bad_token(i, t) {
        return e;
    }
    if let Some(e) = single_equals(i) {
        return match pipeline.map(|p| (&p.source, p.stages.is_empty())) {
            Some((Source::Name(n), true)) => e.help(format!(
                "to name a pipeline, write `let {} = …`",
                crate::lang::pretty::pretty_name(&n.name)
            )),
            _ => e,
        };
    }
    let e = ParseError::new(
        Code::ParseTrailingInput,
        format!("expected {expected}, found {}", t.describe()),
        t.span,
        "unexpected here",
    )
    .help("the statement is complete before this: start a new stage with `|`, or a new statement with `;` or a new line");
    // `where x > 1` typed without a table: the "table" is a verb.
    let verb_as_source = pipeline.and_then(|p| match &p.source {
        Source::Name(n) if p.stages.is_empty() && VERBS.contains(&n.name.as_str()) => {
            Some(n.name.as_str())
        }
        _ => None,
    });
    if let Some(verb) = verb_as_source {
        e.help(format!(
            "a query starts with a table, e.g. `tasks | {verb} …`"
        ))
    } else if t.is_word() && VERBS.contains(&t.text) {
        e.help(format!("did you forget a `|` before `{}`?", t.text))
    } else {
        e
    }
}

/// A name was expected: a reserved word gets its own error.
pub fn name_error(i: Tokens<'_>, expected: &str) -> ParseError {
    let t = i.peek();
    if t.is_word() && is_reserved(t.text) {
        return ParseError::new(
            Code::ParseReservedWord,
            format!("expected {expected}, found the reserved word `{}`", t.text),
            t.span,
            "reserved word",
        )
        .help(format!("write `` `{}` `` to use it as a name", t.text));
    }
    unexpected(i, expected)
}

/// No stage verb after `|`: a "did you mean" for words from other query languages and typos.
pub fn unknown_verb(i: Tokens<'_>) -> ParseError {
    let t = i.peek();
    let list = VERBS
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let expected = format!("one of {list} after `|`");
    if !t.is_word() {
        let e = unexpected(i, &expected);
        return if t.eof || e.code != Code::ParseExpected {
            e
        } else {
            ParseError {
                label: "expected a stage verb".into(),
                ..e
            }
        };
    }
    let e = ParseError::new(
        Code::ParseUnknownVerb,
        format!("expected {expected}, found `{}`", t.text),
        t.span,
        "not a stage verb",
    );
    let word = t.text.to_lowercase();
    if matches!(word.as_str(), "group" | "groupby" | "group_by") {
        return e.help("did you mean `summarize … by …` or `count by …`?");
    }
    let alias = VERB_ALIASES
        .iter()
        .find(|(a, _)| *a == word)
        .map(|(_, v)| *v);
    match alias.or_else(|| closest(t.text, VERBS.iter().copied())) {
        Some(v) => e.help(format!("did you mean `{v}`?")),
        None => e.help("a stage starts with a verb, e.g. `| where …` or `| select …`"),
    }
}

/// The nesting bound (see [`MAX_NESTING`](super::MAX_NESTING)) is exceeded at `i`.
pub fn too_deep(i: Tokens<'_>) -> ParseError {
    ParseError::new(
        Code::ParseTooDeep,
        "expression nested too deeply",
        i.peek().span,
        "too deep",
    )
    .help(format!(
        "planq accepts at most {} levels of nesting and expressions \
         {} operators deep; split the query up (a long `x == 1 or x == 2 or …` \
         is `x in [1, 2, …]`)",
        super::MAX_NESTING,
        super::MAX_TREE_DEPTH
    ))
}

/// A pipeline with more than [`super::MAX_STAGES`] stages; `span` is the `|` of the first
/// stage too many.
pub fn too_many_stages(span: Span) -> ParseError {
    ParseError::new(
        Code::ParseTooManyStages,
        format!("a pipeline may have at most {} stages", super::MAX_STAGES),
        span,
        "one stage too many",
    )
    .help(
        "combine stages: one `where` with `and`, one `derive a = …, b = …` for several \
         columns, or `x in [1, 2, …]` for a long list",
    )
}

/// The ASCII character a full-width one stands for.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        '，' => ',',
        '（' => '(',
        '）' => ')',
        '【' | '［' => '[',
        '】' | '］' => ']',
        '“' | '”' | '＂' => '"',
        '‘' | '’' | '＇' => '\'',
        '；' => ';',
        '｜' => '|',
        '＝' => '=',
        '＞' => '>',
        '＜' => '<',
        '～' => '~',
        '＄' => '$',
        '＃' => '#',
        _ => return None,
    })
}
