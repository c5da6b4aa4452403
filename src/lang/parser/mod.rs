//! The planq parser: source text to [`ast`](super::ast) with byte spans on every node,
//! written with nom 8 combinators, one function per rule of `grammar/planq.ebnf`, named after
//! the rule (`Comparison` → `comparison`, `Where` → `where_`), in modules that mirror the
//! grammar:
//!
//! | module | rules |
//! |---|---|
//! | `stmt` | `Script`, `Separator`, `Statement`, `LetStatement`, `Pipeline`, `Source` — and error recovery |
//! | `stage` | `Stage` and each verb, `GroupBy`, `JoinKind`, `JoinKey`, `RenamePair`, `ItemList`, `Item`, `NamedItem`, `Aggregate`, `SortKey` |
//! | `expr` | `Expr` … `Atom`, `CompareOp`, `Call`, `List` |
//! | `literal` | `Literal`, `Name` (and the checks of number, string and date tokens) |
//! | `error` | [`ParseError`] and the diagnostics for what was found instead |
//! | `input` | the token stream as a nom `Input` |
//!
//! **Why over tokens, not characters.** The grammar is parsed over the token stream of the
//! [`lexer`](super::lexer) (itself nom over `&str`), the way jaq's and prqlc's parsers work
//! on their lexers' tokens. The lexer is lenient and already shared with the REPL's
//! highlighting and completion, so the two can never disagree on what a token is; whether a
//! line break ends a statement is a property of a token (`nl_before`), not a whitespace
//! rule threaded through every combinator; and a diagnostic can name what it found (`found
//! `where``) because one token is one thing. The bracket context that decides line breaks
//! and unclosed-bracket errors travels in the input ([`input`]).
//!
//! Rules return `nom::Err::Error` when they do not apply (nothing consumed, an alternative
//! may) and `nom::Err::Failure` with the diagnostic once committed. [`parse`] keeps going
//! after a failure — a broken stage is skipped to the next `|`, a broken statement to the
//! next statement — and returns every error; [`parse_script`] returns the first.

mod error;
mod expr;
mod input;
mod literal;
mod stage;
mod stmt;

pub use error::ParseError;

use crate::error::Code;
use crate::lang::ast::{Expr, Pipeline, Script, Span, Statement};
use error::trailing;
use input::{lex, Tokens};

/// How deeply brackets, prefix operators and sub-pipelines may nest (bounds the parser's
/// recursion).
const MAX_NESTING: usize = 128;
/// How deep an expression tree may be (bounds the recursion of everything that walks it;
/// long `a or b or c …` chains build deep trees without nesting). planq's own walkers grow
/// their stack as needed (`recursive`), but polars clones and drops its expressions by
/// plain recursion: a chain of 400 `+` overflowed a 2 MiB thread (the REPL worker's, and
/// Rust's default for a spawned thread) while cloning. 256 leaves a margin;
/// `tests/depth.rs` runs the deepest accepted query of every shape on such a thread.
const MAX_TREE_DEPTH: usize = 256;
/// How many stages one pipeline may have (the engine also bounds a chain of `let`s by it). Each stage of a lazy plan carries its own schema
/// (in planq's checker and in polars' plan), so memory and time grow with the square of the
/// stage count: 2,000 `where` stages take ≈ 2.6 s and 1.3 GB, 20,000 `derive` stages
/// exhausted memory. No query written by hand comes near the bound; a generated one is told
/// to combine stages.
pub const MAX_STAGES: usize = 2048;

/// Parse a whole script, recovering from errors: the statements that parse, and every
/// syntax error in source order (empty when the script is fine). Resumes after an error at
/// the next stage (`|`) or statement (`;`, a new line); the last error is the only one that
/// may be [`incomplete`](ParseError::incomplete).
pub fn parse(src: &str) -> (Script, Vec<ParseError>) {
    let toks = lex(src);
    stmt::script(Tokens::new(src, &toks, false))
}

/// Parse a whole script: `let` bindings and queries separated by `;` or line breaks. The
/// first syntax error, if any (see [`parse`] for all of them).
pub fn parse_script(src: &str) -> Result<Script, ParseError> {
    let (script, errors) = parse(src);
    match errors.into_iter().next() {
        None => Ok(script),
        Some(e) => Err(e),
    }
}

/// Parse exactly one query (a pipeline statement, no `let`).
pub fn parse_query(src: &str) -> Result<Pipeline, ParseError> {
    let mut statements = parse_script(src)?.statements.into_iter();
    let first = statements.next();
    if let Some(second) = statements.next() {
        return Err(ParseError::new(
            Code::ParseTrailingInput,
            "expected a single query, found another statement",
            second.span(),
            "a second statement",
        )
        .help("run one query at a time, or parse the input as a script"));
    }
    match first {
        None => Err(ParseError::new(
            Code::ParseEmpty,
            "expected a query, found nothing",
            Span::new(0, src.len()),
            "empty query",
        )
        .help("a query starts with a table, e.g. `tasks | take 5`")),
        Some(Statement::Let { span, name, .. }) => Err(ParseError::new(
            Code::ParseNotAQuery,
            "expected a query, found a `let` binding",
            span,
            "a `let` binding produces no result",
        )
        .help(format!(
            "bind `{}` in a script, or run the pipeline directly",
            name.name
        ))),
        Some(Statement::Query(pipeline)) => Ok(pipeline),
    }
}

/// Parse a single expression (line breaks are insignificant).
pub fn parse_expr(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src);
    let i = Tokens::new(src, &toks, true);
    match expr::expr(i, "an expression") {
        Ok((rest, e)) if rest.at_eof() => Ok(e),
        Ok((rest, _)) => Err(trailing(
            rest,
            "an operator or the end of the expression",
            None,
        )),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(
            Code::ParseExpected,
            "expected an expression",
            Span::new(src.len(), src.len()),
            "incomplete",
        )
        .incomplete()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_end_statements_only_where_they_can() {
        // Optional continuations stop at a line break…
        let s = parse_script("a | sort x\ndesc_table").unwrap();
        assert_eq!(s.statements.len(), 2);
        // …mandatory ones read on.
        let s = parse_script("a | where x ==\n1 | take\n2").unwrap();
        assert_eq!(s.statements.len(), 1);
        // Inside brackets nothing ends.
        let s = parse_script("a | where x in [\n1,\n2\n] and (y\n> 1)").unwrap();
        assert_eq!(s.statements.len(), 1);
    }

    #[test]
    fn verbs_are_names_outside_stage_position() {
        let e = parse_expr("count + sort * where").unwrap();
        assert_eq!(e.span, Span::new(0, 20));
        assert!(parse_query("count | count by count | sort count").is_ok());
    }

    #[test]
    fn depth_is_bounded() {
        let deep =
            |open: &str, close: &str, n: usize| format!("{}a{}", open.repeat(n), close.repeat(n));
        assert!(parse_expr(&deep("(", ")", 100)).is_ok());
        for src in [
            deep("(", ")", 100_000),
            deep("f(", ")", 100_000),
            deep("- ", "", 100_000),
            deep("not ", "", 100_000),
            deep("x in [", "]", 100_000),
            deep("(", "", 100_000),
            format!("a{}", " or a".repeat(100_000)),
            format!("a{}", " + a".repeat(100_000)),
        ] {
            assert_eq!(parse_expr(&src).unwrap_err().code, Code::ParseTooDeep);
        }
        let pipes = format!("{}t{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse_query(&pipes).unwrap_err().code, Code::ParseTooDeep);
        // A long but flat chain is fine.
        assert!(parse_expr(&format!("a{}", " or a".repeat(200))).is_ok());
        // Past the bound, the help names the form long alternatives have.
        let long = parse_expr(&format!("a == 0{}", " or a == 1".repeat(300))).unwrap_err();
        assert_eq!(long.code, Code::ParseTooDeep);
        assert!(long
            .help
            .as_deref()
            .is_some_and(|h| h.contains("x in [1, 2, …]")));
    }

    #[test]
    fn stages_are_bounded() {
        let chain = |n: usize| format!("tasks{}", " | take 5".repeat(n));
        assert!(parse_query(&chain(MAX_STAGES)).is_ok());
        let src = chain(MAX_STAGES + 1);
        let e = parse_query(&src).unwrap_err();
        assert_eq!(e.code, Code::ParseTooManyStages);
        // It points at the `|` of the first stage too many.
        assert_eq!(
            e.span.start,
            "tasks".len() + MAX_STAGES * " | take 5".len() + 1
        );
        assert!(e
            .help
            .as_deref()
            .is_some_and(|h| h.contains("derive a = …, b = …")));
        // A script reports it and goes on with the next statement.
        let (script, errors) = parse(&format!("{src}\nowners | take 1"));
        assert_eq!(errors.len(), 1);
        assert_eq!(script.statements.len(), 1);
    }

    #[test]
    fn sub_pipeline_span_includes_parentheses() {
        let src = "(owners | take 1) | count";
        let p = parse_query(src).unwrap();
        assert_eq!(p.source.span(), Span::new(0, 17));
        assert_eq!(p.span, Span::new(0, src.len()));
    }

    /// The codes of every error `parse` reports for `src`.
    fn all(src: &str) -> Vec<Code> {
        parse(src).1.iter().map(|e| e.code).collect()
    }

    #[test]
    fn recovers_at_the_next_stage_and_statement() {
        // Three mistakes, three errors: two stages of one statement, and a later statement.
        let src = "tasks | wher x > 1 | take -1 | select a\nowners | where a = 1\ntasks | count";
        let (script, errors) = parse(src);
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                Code::ParseUnknownVerb,
                Code::ParseBadNumber,
                Code::ParseSingleEquals
            ]
        );
        assert_eq!(&src[errors[0].span.start..errors[0].span.end], "wher");
        assert_eq!(&src[errors[2].span.start..errors[2].span.end], "=");
        // Only the statement without errors is in the script.
        assert_eq!(script.statements.len(), 1);
        assert_eq!(
            script.statements[0].span().start,
            src.rfind("tasks").unwrap()
        );
        // `;` separates statements on one line too.
        assert_eq!(
            all("a | take x; b | take y; c"),
            [Code::ParseExpected, Code::ParseExpected]
        );
    }

    #[test]
    fn recovery_keeps_broken_multiline_statements_together() {
        // The continuation lines of a broken statement are not new statements.
        let src = "tasks | where a = 1\n  and b == 2\n  | take 5\nowners | take 1";
        assert_eq!(all(src), [Code::ParseSingleEquals]);
        let src = "tasks | where x in [\n 1 = 2,\n 3\n]\nowners | take 1";
        assert_eq!(all(src), [Code::ParseSingleEquals]);
        // A stage error inside brackets skips the whole bracket.
        let src = "tasks | join (owners | wher x) on id | take 1 2";
        assert_eq!(all(src), [Code::ParseUnknownVerb, Code::ParseTrailingInput]);
    }

    #[test]
    fn an_incomplete_error_is_last() {
        let (_, errors) = parse("tasks | sellect a\nowners | where (x");
        assert_eq!(errors.len(), 2);
        assert!(!errors[0].incomplete && errors[1].incomplete);
        assert_eq!(all("tasks |"), [Code::ParseExpected]);
    }
}
