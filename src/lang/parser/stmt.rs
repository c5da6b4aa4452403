//! Scripts, statements and pipelines — and error recovery: a broken stage is skipped up to
//! the next `|`, a broken statement up to the next statement, so that one pass reports every
//! syntax error of a script (like jaq's parser, which keeps its errors and carries on).
//!
//! Statement termination: a statement ends at `;`, at the end of input, or at a line break
//! where the statement could end — unless the next line starts with `|`. A line that stops in
//! the middle of a construct (after `|`, `,`, an operator, `=`, `by`, an open bracket …)
//! simply continues on the next line, and inside brackets line breaks never matter.

use crate::error::Code;
use nom::Parser;

use super::error::{
    expected_closer, name_error, too_many_stages, trailing, unexpected, ParseError,
};
use super::expr::nest;
use super::input::{backtrack, fail, kw, op, punct, PResult, Tok, Tokens};
use super::literal::name;
use super::stage::stage;
use crate::lang::ast::{Pipeline, Script, Source, Statement, VERBS};
use crate::lang::lexer::{is_reserved, TokenKind};

/// `Script ::= Separator* ( Statement ( Separator+ Statement )* Separator* )?`
///
/// Every statement that parses, and every error: after an error the parser resumes at the
/// next stage or statement. An error for input that merely ends too early (`incomplete`)
/// is the last one.
pub fn script(mut i: Tokens<'_>) -> (Script, Vec<ParseError>) {
    let mut statements = Vec::new();
    let mut errors = Vec::new();
    let mut seen = false;
    loop {
        while let Ok((rest, _)) = separator(i) {
            i = rest;
        }
        if i.at_eof() {
            break;
        }
        let start = i;
        let before = errors.len();
        match terminated_statement(i, seen, &mut errors) {
            Ok((rest, st)) => {
                if errors.len() == before {
                    statements.push(st);
                }
                i = rest;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                i = skip_statement(start, e.span.start);
                errors.push(e);
            }
            Err(nom::Err::Incomplete(_)) => i = skip_statement(start, start.peek().span.start),
        }
        seen = true;
        if errors.last().is_some_and(|e| e.incomplete) {
            break;
        }
    }
    (Script { statements }, errors)
}

/// `Separator ::= ';' | NEWLINE` — a line break is no token: it is where a statement can
/// end ([`Tokens::at_line_break`]); `;` is read here.
fn separator(i: Tokens<'_>) -> PResult<'_, Tok<'_>> {
    punct(";")(i)
}

/// A statement and what must follow it: `;`, a line break or the end of input.
fn terminated_statement<'a>(
    i: Tokens<'a>,
    seen: bool,
    errors: &mut Vec<ParseError>,
) -> PResult<'a, Statement> {
    if seen {
        not_a_continuation(i)?;
    }
    let (i, statement) = statement(i, errors)?;
    let t = i.peek();
    if !(t.eof || t.is_punct(";") || i.at_line_break()) {
        let p = match &statement {
            Statement::Query(p) => p,
            Statement::Let { pipeline, .. } => pipeline,
        };
        return fail(trailing(i, "`|`, `;` or the end of the line", Some(p)));
    }
    Ok((i, statement))
}

/// A statement that starts with `and`, `+`, `,` … on a new line was almost certainly
/// meant to continue the previous line: say why it didn't.
fn not_a_continuation(i: Tokens<'_>) -> PResult<'_, ()> {
    let t = i.peek();
    if !(t.nl_before && starts_continuation(&t)) {
        return Ok((i, ()));
    }
    fail(
        ParseError::new(
            Code::ParseExpected,
            format!("expected a new statement, found {}", t.describe()),
            t.span,
            "this line starts a new statement",
        )
        .help(format!(
        "a line break ended the previous statement (only a line starting with `|` continues one); \
         move {} to the end of the previous line, or wrap the expression in parentheses",
        t.describe()
    )),
    )
}

/// Whether a token can only continue an expression: an operator, `,`, `and`, `by` …
fn starts_continuation(t: &Tok<'_>) -> bool {
    t.kind == TokenKind::Operator
        || t.is_punct(",")
        || (t.is_word() && is_reserved(t.text) && !matches!(t.text, "null" | "true" | "false"))
}

/// Whether a line ending in `t` must go on: after `|`, `,`, an operator, `and`, `by` …
fn ends_unfinished(t: &Tok<'_>) -> bool {
    t.is_pipe() || starts_continuation(t)
}

/// `Statement ::= LetStatement | Pipeline`
fn statement<'a>(i: Tokens<'a>, errors: &mut Vec<ParseError>) -> PResult<'a, Statement> {
    match let_statement(i) {
        Err(nom::Err::Error(_)) => {}
        done => return done,
    }
    let (i, p) = pipeline(i, Some(errors))?;
    Ok((i, Statement::Query(p)))
}

/// `LetStatement ::= 'let' Name '=' Pipeline` (`let` is a keyword only here).
fn let_statement(i: Tokens<'_>) -> PResult<'_, Statement> {
    let (i, let_) = kw("let")(i)?;
    let (i, name) = name(i, "a name after `let`")?;
    let Ok((i, _)) = op("=")(i) else {
        let e = unexpected(i, "`=` after the name");
        return fail(if i.peek().is_op("==") {
            e.help(format!("bind with a single `=`: `let {} = …`", name.name))
        } else {
            e
        });
    };
    let (i, pipeline) = pipeline_after(i, "a pipeline after `=`", None)?;
    let span = i.span_from(let_.span.start);
    Ok((
        i,
        Statement::Let {
            span,
            name,
            pipeline,
        },
    ))
}

/// A [`pipeline`] where `expected` describes it, when the next token cannot start one.
fn pipeline_after<'a>(
    i: Tokens<'a>,
    expected: &str,
    errors: Option<&mut Vec<ParseError>>,
) -> PResult<'a, Pipeline> {
    let t = i.peek();
    if !(t.is_punct("(") || t.is_name()) {
        return fail(name_error(i, expected));
    }
    pipeline(i, errors)
}

/// `Pipeline ::= Source ( '|' Stage )*` — `|` continues a pipeline even at the start of a
/// new line. With `errors`, a broken stage is recorded there and skipped up to the next
/// `|` (the pipeline is then incomplete and the caller drops it).
fn pipeline<'a>(i: Tokens<'a>, mut errors: Option<&mut Vec<ParseError>>) -> PResult<'a, Pipeline> {
    let (mut i, source) = source(i, "a table name or a parenthesised pipeline")?;
    let start = source.span().start;
    let mut stages = Vec::new();
    loop {
        let t = i.peek();
        if let Ok((rest, _)) = token_pipe(i) {
            match (stage(rest), errors.as_deref_mut()) {
                (Ok((rest, s)), _) => {
                    if stages.len() == super::MAX_STAGES {
                        return fail(too_many_stages(t.span));
                    }
                    stages.push(s);
                    i = rest;
                }
                (Err(nom::Err::Failure(e) | nom::Err::Error(e)), Some(errors)) => {
                    i = skip_stage(rest, e.span.start);
                    errors.push(e);
                }
                (Err(e), _) => return Err(e),
            }
        } else if t.is_op("||") && i.peek_at(1).is_word() && VERBS.contains(&i.peek_at(1).text) {
            return fail(
                ParseError::new(
                    Code::ParseWrongOperator,
                    "`||` is not a planq operator",
                    t.span,
                    "between stages",
                )
                .help("stages are separated by a single `|`"),
            );
        } else {
            break;
        }
    }
    let span = i.span_from(start);
    Ok((
        i,
        Pipeline {
            source,
            stages,
            span,
        },
    ))
}

/// `|`.
fn token_pipe(i: Tokens<'_>) -> PResult<'_, Tok<'_>> {
    let t = i.peek();
    if t.is_pipe() {
        Ok(i.next())
    } else {
        backtrack(i)
    }
}

/// `Source ::= Name | '(' Pipeline ')'` — a table or a let-bound name, or a parenthesised
/// pipeline.
pub fn source<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Source> {
    let Ok((inner, open)) = punct("(")(i) else {
        return name(i, expected).map(|(i, n)| (i, Source::Name(n)));
    };
    let inner = nest(inner, true)?;
    let (rest, mut sub) = pipeline_after(inner, "a pipeline after `(`", None)?;
    let Ok((rest, _)) = punct(")").parse(rest) else {
        let next = rest.peek();
        let e = if next.eof || next.is_punct(";") || next.is_punct("]") {
            expected_closer(rest, "`|` or `)`")
        } else {
            trailing(rest, "`|` or `)`", Some(&sub))
        };
        return fail(e);
    };
    let rest = rest.leave(i);
    sub.span = rest.span_from(open.span.start);
    Ok((rest, Source::Sub(Box::new(sub))))
}

/// Where to resume after a broken statement that starts at `from`, with an error at byte
/// `error_at`: at the next `;` or line break after the error outside brackets opened since
/// `from` — unless the line break is inside an unfinished line (ending in `|`, `,`, an
/// operator …) or the next line continues one (it starts with `|`, `and`, an operator …),
/// which still belongs to the broken statement. Resuming after the error keeps the errors
/// in source order.
fn skip_statement(from: Tokens<'_>, error_at: usize) -> Tokens<'_> {
    let toks = from.rest();
    let mut depth = 0usize;
    for (n, t) in toks.iter().enumerate() {
        if t.eof {
            return from.at(from.pos() + n);
        }
        if n > 0 && depth == 0 && t.span.start > error_at {
            let line_ends = t.nl_before
                && !t.is_pipe()
                && !starts_continuation(t)
                && !ends_unfinished(&toks[n - 1]);
            if t.is_punct(";") || line_ends {
                return from.at(from.pos() + n);
            }
        }
        depth = bracket_depth(depth, t);
    }
    from.at(from.pos() + toks.len())
}

/// Where to resume after a broken stage that starts at `from`, with an error at byte
/// `error_at`: at the next `|` outside brackets opened since `from` (a `|` where the verb
/// should be included), or where the statement ends after the error (see
/// [`skip_statement`]).
fn skip_stage(from: Tokens<'_>, error_at: usize) -> Tokens<'_> {
    let toks = from.rest();
    let mut depth = 0usize;
    for (n, t) in toks.iter().enumerate() {
        if t.eof || (depth == 0 && t.is_pipe() && t.span.start >= error_at) {
            return from.at(from.pos() + n);
        }
        if n > 0 && depth == 0 && t.span.start > error_at {
            let line_ends =
                t.nl_before && !starts_continuation(t) && !ends_unfinished(&toks[n - 1]);
            if t.is_punct(";") || line_ends {
                return from.at(from.pos() + n);
            }
        }
        depth = bracket_depth(depth, t);
    }
    from.at(from.pos() + toks.len())
}

/// The bracket depth after `t`.
fn bracket_depth(depth: usize, t: &Tok<'_>) -> usize {
    match t.text {
        "(" | "[" if t.kind == TokenKind::Punct => depth + 1,
        ")" | "]" if t.kind == TokenKind::Punct => depth.saturating_sub(1),
        _ => depth,
    }
}
