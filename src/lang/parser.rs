//! The planq parser: source text to [`ast`](super::ast) with byte spans on every node.
//!
//! Two layers:
//! 1. the nom-based [`lexer`](super::lexer) cuts the text into tokens (leniently: it never
//!    fails), and trivia (whitespace, comments) is dropped while remembering which tokens
//!    start a new line;
//! 2. a hand-written recursive-descent parser with precedence climbing for expressions turns
//!    the tokens into the syntax tree. Hand-writing this layer keeps the error messages precise:
//!    unclosed brackets point at their opener, a REPL learns when input is merely incomplete,
//!    unknown verbs get a "did you mean".
//!
//! Statement termination: a statement ends at `;`, at the end of input, or at a line break
//! where the statement could end — unless the next line starts with `|`. A line that stops in
//! the middle of a construct (after `|`, `,`, an operator, `=`, `by`, an open bracket …)
//! simply continues on the next line, and inside brackets line breaks never matter.

use std::fmt;

use serde::Serialize;

use super::ast::*;
use super::lexer::{self, is_reserved, TokenKind, JOIN_KINDS};
use super::suggest::closest;

/// Stable error codes.
pub mod codes {
    /// Something else was expected here.
    pub const EXPECTED: &str = "planq::parse::expected";
    /// A word after `|` that is not a stage verb.
    pub const UNKNOWN_VERB: &str = "planq::parse::unknown_verb";
    /// A string or date literal without its closing quote.
    pub const UNCLOSED_STRING: &str = "planq::parse::unclosed_string";
    /// A backtick name without its closing backtick.
    pub const UNCLOSED_NAME: &str = "planq::parse::unclosed_name";
    /// `(` or `[` never closed.
    pub const UNCLOSED_BRACKET: &str = "planq::parse::unclosed_bracket";
    /// `)` or `]` with nothing to close.
    pub const UNMATCHED_BRACKET: &str = "planq::parse::unmatched_bracket";
    /// A malformed or out-of-range number.
    pub const BAD_NUMBER: &str = "planq::parse::bad_number";
    /// A malformed or impossible date.
    pub const BAD_DATE: &str = "planq::parse::bad_date";
    /// An unknown `\` escape in a string.
    pub const BAD_ESCAPE: &str = "planq::parse::bad_escape";
    /// Text left over after a complete statement or expression.
    pub const TRAILING_INPUT: &str = "planq::parse::trailing_input";
    /// A reserved word used as a name.
    pub const RESERVED_WORD: &str = "planq::parse::reserved_word";
    /// `=` used to compare.
    pub const SINGLE_EQUALS: &str = "planq::parse::single_equals";
    /// `&&`, `||`, `!`, `&` or `<>` instead of `and`, `or`, `not`, `!=`.
    pub const WRONG_OPERATOR: &str = "planq::parse::wrong_operator";
    /// `a < b < c`.
    pub const CHAINED_COMPARISON: &str = "planq::parse::chained_comparison";
    /// A character that starts no token.
    pub const UNEXPECTED_CHAR: &str = "planq::parse::unexpected_char";
    /// ``` `` ``` — a name must not be empty.
    pub const EMPTY_NAME: &str = "planq::parse::empty_name";
    /// `derive` item without a name.
    pub const MISSING_ALIAS: &str = "planq::parse::missing_alias";
    /// `summarize` item without any call (`summarize value`).
    pub const EXPECTED_AGGREGATE: &str = "planq::parse::expected_aggregate";
    /// [`parse_query`](super::parse_query) on empty input.
    pub const EMPTY: &str = "planq::parse::empty";
    /// [`parse_query`](super::parse_query) on a `let` statement.
    pub const NOT_A_QUERY: &str = "planq::parse::not_a_query";
    /// Brackets, prefix operators or sub-pipelines nested too deeply.
    pub const TOO_DEEP: &str = "planq::parse::too_deep";
}

/// A syntax error, with everything needed for a good diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParseError {
    /// A stable code such as `planq::parse::expected` (see [`codes`]).
    pub code: &'static str,
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
    fn new(
        code: &'static str,
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
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    fn incomplete(mut self) -> Self {
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

type PResult<T> = Result<T, ParseError>;

/// Parse a whole script: `let` bindings and queries separated by `;` or line breaks.
pub fn parse_script(src: &str) -> Result<Script, ParseError> {
    Parser::new(src, false).script()
}

/// Parse exactly one query (a pipeline statement, no `let`).
pub fn parse_query(src: &str) -> Result<Pipeline, ParseError> {
    let mut statements = parse_script(src)?.statements.into_iter();
    let first = statements.next();
    if let Some(second) = statements.next() {
        return Err(ParseError::new(
            codes::TRAILING_INPUT,
            "expected a single query, found another statement",
            second.span(),
            "a second statement",
        )
        .help("run one query at a time, or parse the input as a script"));
    }
    match first {
        None => Err(ParseError::new(
            codes::EMPTY,
            "expected a query, found nothing",
            Span::new(0, src.len()),
            "empty query",
        )
        .help("a query starts with a table, e.g. `tasks | take 5`")),
        Some(Statement::Let { span, name, .. }) => Err(ParseError::new(
            codes::NOT_A_QUERY,
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
    let mut p = Parser::new(src, true);
    let expr = p.expr("an expression")?;
    if !p.at_eof() {
        return Err(p.trailing("an operator or the end of the expression", None));
    }
    Ok(expr)
}

/// A significant token.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: TokenKind,
    span: Span,
    text: &'a str,
    /// A line break separates it from the previous significant token.
    nl_before: bool,
    eof: bool,
}

impl Tok<'_> {
    /// A bare (not backticked) word.
    fn is_word(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
        ) && !self.text.starts_with('`')
    }
    fn is_kw(&self, word: &str) -> bool {
        self.is_word() && self.text == word
    }
    /// Something that can be a name: a non-reserved bare word or a backticked name.
    fn is_name(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
        ) && !(self.is_word() && is_reserved(self.text))
    }
    fn is_op(&self, op: &str) -> bool {
        self.kind == TokenKind::Operator && self.text == op
    }
    fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }
    fn is_pipe(&self) -> bool {
        self.kind == TokenKind::Pipe
    }
    fn describe(&self) -> String {
        if self.eof {
            return "end of input".into();
        }
        match self.kind {
            TokenKind::String => "a string".into(),
            TokenKind::Date => "a date".into(),
            _ => {
                let mut text: String = self.text.chars().take(24).collect();
                if text.len() < self.text.len() {
                    text.push('…');
                }
                format!("`{text}`")
            }
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Tok<'a>>,
    pos: usize,
    /// Brackets currently open: the opener's token.
    open: Vec<Tok<'a>>,
    /// Line breaks never end anything (expression mode).
    newlines_free: bool,
    /// End of the last consumed token.
    last_end: usize,
    /// Current recursion depth (see [`MAX_NESTING`]).
    nesting: usize,
}

/// How deeply brackets, prefix operators and sub-pipelines may nest (bounds the parser's
/// recursion).
const MAX_NESTING: usize = 128;
/// How deep an expression tree may be (bounds the recursion of everything that walks it;
/// long `a or b or c …` chains build deep trees without nesting).
const MAX_TREE_DEPTH: usize = 512;

/// An expression and the depth of its tree.
type Node = (Expr, usize);

/// Where an item list is parsed; decides which items are acceptable.
#[derive(Clone, Copy, PartialEq)]
enum ItemMode {
    Select,
    Derive,
    Aggregate,
    Group,
}

const COMPARISONS: &[(&str, BinOp)] = &[
    ("==", BinOp::Eq),
    ("!=", BinOp::Ne),
    ("<", BinOp::Lt),
    ("<=", BinOp::Le),
    (">", BinOp::Gt),
    (">=", BinOp::Ge),
    ("~", BinOp::Like),
    ("!~", BinOp::NotLike),
];

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

impl<'a> Parser<'a> {
    fn new(src: &'a str, newlines_free: bool) -> Self {
        let mut toks = Vec::new();
        let mut nl_before = false;
        for t in lexer::tokens(src) {
            let text = t.text(src);
            if t.is_trivia() {
                nl_before |= text.contains('\n');
                continue;
            }
            toks.push(Tok {
                kind: t.kind,
                span: t.span,
                text,
                nl_before,
                eof: false,
            });
            nl_before = false;
        }
        toks.push(Tok {
            kind: TokenKind::Whitespace,
            span: Span::new(src.len(), src.len()),
            text: "",
            nl_before,
            eof: true,
        });
        Parser {
            src,
            toks,
            pos: 0,
            open: Vec::new(),
            newlines_free,
            last_end: 0,
            nesting: 0,
        }
    }

    // ----- token access -------------------------------------------------------------------

    fn peek(&self) -> Tok<'a> {
        self.toks[self.pos]
    }
    fn peek_at(&self, n: usize) -> Tok<'a> {
        self.toks[(self.pos + n).min(self.toks.len() - 1)]
    }
    fn at_eof(&self) -> bool {
        self.peek().eof
    }
    fn bump(&mut self) -> Tok<'a> {
        let t = self.peek();
        if !t.eof {
            self.pos += 1;
            self.last_end = t.span.end;
        }
        t
    }
    /// The next token starts a new line where a statement may end.
    fn at_line_break(&self) -> bool {
        let t = self.peek();
        t.nl_before && !t.eof && self.open.is_empty() && !self.newlines_free
    }
    /// The next token, if it may continue the current construct (an optional continuation
    /// such as an operator, `,`, `as`, `by`, `asc`: a line break ends the statement first).
    fn cont(&self) -> Option<Tok<'a>> {
        (!self.at_line_break()).then(|| self.peek())
    }
    fn cont_kw(&self, word: &str) -> bool {
        self.cont().is_some_and(|t| t.is_kw(word))
    }
    fn cont_op(&self, op: &str) -> bool {
        self.cont().is_some_and(|t| t.is_op(op))
    }
    fn cont_punct(&self, p: &str) -> bool {
        self.cont().is_some_and(|t| t.is_punct(p))
    }
    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.last_end.max(start))
    }

    // ----- errors ---------------------------------------------------------------------------

    /// The next token is not `expected`: build the best error we can for what is there.
    fn unexpected(&self, expected: &str) -> ParseError {
        let t = self.peek();
        if t.eof {
            if let Some(opener) = self.open.last() {
                return self.unclosed(*opener, expected);
            }
            return ParseError::new(
                codes::EXPECTED,
                format!("expected {expected}, found end of input"),
                t.span,
                format!("expected {expected}"),
            )
            .help(format!(
                "the statement ends too early: finish it with {expected}"
            ))
            .incomplete();
        }
        if let Some(e) = self.bad_token(t) {
            return e;
        }
        ParseError::new(
            codes::EXPECTED,
            format!("expected {expected}, found {}", t.describe()),
            t.span,
            format!("expected {expected}"),
        )
        .help(format!(
            "write {expected} here (the syntax is in grammar/README.md)"
        ))
    }

    fn unclosed(&self, opener: Tok<'a>, expected: &str) -> ParseError {
        let closer = if opener.text == "(" { ")" } else { "]" };
        let help = if expected.contains(&format!("`{closer}`")) {
            format!("add a `{closer}`")
        } else {
            format!("expected {expected}, then a closing `{closer}`")
        };
        ParseError::new(
            codes::UNCLOSED_BRACKET,
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
    fn expected_closer(&self, expected: &str) -> ParseError {
        let t = self.peek();
        let Some(opener) = self.open.last().copied() else {
            return self.unexpected(expected);
        };
        let closer = if opener.text == "(" { ")" } else { "]" };
        if let Some(e) = self.single_equals() {
            return e;
        }
        let gives_up = t.is_punct(";")
            || t.is_pipe()
            || (t.kind == TokenKind::Punct && matches!(t.text, ")" | "]") && t.text != closer);
        if t.eof || !gives_up {
            return self.unexpected(expected);
        }
        ParseError::new(
            codes::UNCLOSED_BRACKET,
            format!("unclosed `{}`", opener.text),
            opener.span,
            format!("this `{}` is never closed", opener.text),
        )
        .help(format!("add a `{closer}` before {}", t.describe()))
    }

    /// `=` right after a complete expression: almost certainly meant as `==`.
    fn single_equals(&self) -> Option<ParseError> {
        let t = self.peek();
        t.is_op("=").then(|| {
            ParseError::new(
                codes::SINGLE_EQUALS,
                "`=` is not a comparison",
                t.span,
                "`=` here",
            )
            .help("use `==` to compare")
        })
    }

    /// Errors that depend only on the offending token, whatever was expected.
    fn bad_token(&self, t: Tok<'a>) -> Option<ParseError> {
        let e = match t.kind {
            TokenKind::String | TokenKind::Date if !quoted_is_closed(t.text) => {
                let len = if t.kind == TokenKind::Date { 2 } else { 1 };
                let quote = if t.text[len - 1..].starts_with('\'') {
                    '\''
                } else {
                    '"'
                };
                ParseError::new(
                    codes::UNCLOSED_STRING,
                    "unclosed string",
                    Span::new(t.span.start, t.span.start + len),
                    "this string is never closed",
                )
                .help(format!("add a closing {quote}"))
                .incomplete()
            }
            TokenKind::Ident if t.text.starts_with('`') && !backtick_is_closed(t.text) => {
                ParseError::new(
                    codes::UNCLOSED_NAME,
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
                    codes::UNEXPECTED_CHAR,
                    format!("unexpected character `{c}`"),
                    t.span,
                    "not valid here",
                );
                match (full_width(c), c) {
                    (Some(ascii), _) => {
                        e.help(format!("`{c}` is a full-width character; use `{ascii}`"))
                    }
                    (None, '$') => e.help("a parameter is `$` followed by a name, e.g. `$section`"),
                    (None, '.') => e.help(
                        "planq has no `.` operator; write a name containing `.` in backticks",
                    ),
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
                    codes::WRONG_OPERATOR,
                    format!("`{}` is not a planq operator", t.text),
                    t.span,
                    format!("use `{instead}` for {what}"),
                )
                .help(format!("use `{instead}`"))
            }
            // A closer that no open bracket expects.
            TokenKind::Punct if (t.text == ")" || t.text == "]") && self.open.is_empty() => {
                ParseError::new(
                    codes::UNMATCHED_BRACKET,
                    format!("unmatched `{}`", t.text),
                    t.span,
                    format!("this `{}` has no matching opener", t.text),
                )
            }
            _ => return None,
        };
        Some(e)
    }

    /// Input left after a complete construct.
    fn trailing(&self, expected: &str, pipeline: Option<&Pipeline>) -> ParseError {
        let t = self.peek();
        if let Some(e) = self.bad_token(t) {
            return e;
        }
        if let Some(e) = self.single_equals() {
            return match pipeline.map(|p| (&p.source, p.stages.is_empty())) {
                Some((Source::Name(n), true)) => e.help(format!(
                    "to name a pipeline, write `let {} = …`",
                    super::pretty::pretty_name(&n.name)
                )),
                _ => e,
            };
        }
        let e = ParseError::new(
            codes::TRAILING_INPUT,
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

    // ----- statements -----------------------------------------------------------------------

    fn script(&mut self) -> PResult<Script> {
        let mut statements = Vec::new();
        loop {
            while self.peek().is_punct(";") {
                self.bump();
            }
            if self.at_eof() {
                break;
            }
            if !statements.is_empty() {
                self.check_not_a_continuation()?;
            }
            let statement = self.statement()?;
            let t = self.peek();
            if !(t.eof || t.is_punct(";") || self.at_line_break()) {
                let p = match &statement {
                    Statement::Query(p) => p,
                    Statement::Let { pipeline, .. } => pipeline,
                };
                return Err(self.trailing("`|`, `;` or the end of the line", Some(p)));
            }
            statements.push(statement);
        }
        Ok(Script { statements })
    }

    /// A statement that starts with `and`, `+`, `,` … on a new line was almost certainly
    /// meant to continue the previous line: say why it didn't.
    fn check_not_a_continuation(&self) -> PResult<()> {
        let t = self.peek();
        let continues = t.kind == TokenKind::Operator
            || t.is_punct(",")
            || (t.is_word() && is_reserved(t.text) && !matches!(t.text, "null" | "true" | "false"));
        if !(t.nl_before && continues) {
            return Ok(());
        }
        Err(ParseError::new(
            codes::EXPECTED,
            format!("expected a new statement, found {}", t.describe()),
            t.span,
            "this line starts a new statement",
        )
        .help(format!(
            "a line break ended the previous statement (only a line starting with `|` continues one); \
             move {} to the end of the previous line, or wrap the expression in parentheses",
            t.describe()
        )))
    }

    fn statement(&mut self) -> PResult<Statement> {
        let t = self.peek();
        if !t.is_kw("let") {
            return Ok(Statement::Query(self.pipeline()?));
        }
        self.bump();
        let name = self.name("a name after `let`")?;
        if !self.peek().is_op("=") {
            let e = self.unexpected("`=` after the name");
            return Err(if self.peek().is_op("==") {
                e.help(format!("bind with a single `=`: `let {} = …`", name.name))
            } else {
                e
            });
        }
        self.bump();
        let pipeline = self.pipeline_after("a pipeline after `=`")?;
        Ok(Statement::Let {
            span: self.span_from(t.span.start),
            name,
            pipeline,
        })
    }

    fn pipeline_after(&mut self, expected: &str) -> PResult<Pipeline> {
        let t = self.peek();
        if !(t.is_punct("(") || t.is_name()) {
            return Err(self.name_error(expected));
        }
        self.pipeline()
    }

    fn pipeline(&mut self) -> PResult<Pipeline> {
        let source = self.source("a table name or a parenthesised pipeline")?;
        let start = source.span().start;
        let mut stages = Vec::new();
        loop {
            // `|` continues a pipeline even at the start of a new line.
            let t = self.peek();
            if t.is_pipe() {
                self.bump();
                stages.push(self.stage()?);
            } else if t.is_op("||")
                && self.peek_at(1).is_word()
                && VERBS.contains(&self.peek_at(1).text)
            {
                return Err(ParseError::new(
                    codes::WRONG_OPERATOR,
                    "`||` is not a planq operator",
                    t.span,
                    "between stages",
                )
                .help("stages are separated by a single `|`"));
            } else {
                break;
            }
        }
        Ok(Pipeline {
            source,
            stages,
            span: self.span_from(start),
        })
    }

    fn source(&mut self, expected: &str) -> PResult<Source> {
        let t = self.peek();
        if t.is_punct("(") {
            self.bump();
            self.nest()?;
            self.open.push(t);
            let mut inner = self.pipeline_after("a pipeline after `(`")?;
            if !self.peek().is_punct(")") {
                let next = self.peek();
                let e = if next.eof || next.is_punct(";") || next.is_punct("]") {
                    self.expected_closer("`|` or `)`")
                } else {
                    self.trailing("`|` or `)`", Some(&inner))
                };
                return Err(e);
            }
            self.bump();
            self.open.pop();
            self.unnest();
            inner.span = self.span_from(t.span.start);
            Ok(Source::Sub(Box::new(inner)))
        } else {
            Ok(Source::Name(self.name(expected)?))
        }
    }

    // ----- stages ---------------------------------------------------------------------------

    fn stage(&mut self) -> PResult<Stage> {
        let verb = self.peek();
        if !verb.is_word() || !VERBS.contains(&verb.text) {
            return Err(self.unknown_verb());
        }
        self.bump();
        let v = verb.text;
        let kind = match v {
            "where" => StageKind::Where(self.expr("an expression after `where`")?),
            "select" => StageKind::Select(
                self.items(ItemMode::Select, "a column or expression after `select`")?,
            ),
            "derive" => StageKind::Derive(
                self.items(ItemMode::Derive, "`name = expression` after `derive`")?,
            ),
            "summarize" => {
                let aggs = self.items(
                    ItemMode::Aggregate,
                    "an aggregate such as `n = count()` after `summarize`",
                )?;
                let by = self.group_by()?;
                StageKind::Summarize { aggs, by }
            }
            "count" => StageKind::Count {
                by: self.group_by()?,
            },
            "sort" => {
                if self.peek().is_kw("by") {
                    self.bump();
                }
                let mut keys = vec![self.sort_key(Order::Asc, "a sort key after `sort`")?];
                while self.cont_punct(",") {
                    self.bump();
                    keys.push(self.sort_key(Order::Asc, "a sort key after `,`")?);
                }
                StageKind::Sort(keys)
            }
            "take" | "limit" => {
                let (n, n_span) = self.row_count(v)?;
                StageKind::Take { n, n_span }
            }
            "top" => {
                let (n, n_span) = self.row_count(v)?;
                if !self.peek().is_kw("by") {
                    return Err(self
                        .unexpected("`by` after the number of rows")
                        .help("write `top N by column [asc|desc]`"));
                }
                self.bump();
                let key = self.sort_key(Order::Desc, "a ranking key after `by`")?;
                // `per` is a word only here, after the key: `top 2 by v3 per id6`.
                let mut per = Vec::new();
                if self.cont_kw("per") {
                    self.bump();
                    per.push(self.name("a group column after `per`")?);
                    while self.cont_punct(",") {
                        self.bump();
                        per.push(self.name("a group column after `,`")?);
                    }
                }
                StageKind::Top {
                    n,
                    n_span,
                    key,
                    per,
                }
            }
            "distinct" => {
                let mut cols = Vec::new();
                if self.cont().is_some_and(|t| {
                    matches!(
                        t.kind,
                        TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
                    ) && !t.is_kw("by")
                }) {
                    cols.push(self.name("a column name")?);
                    while self.cont_punct(",") {
                        self.bump();
                        cols.push(self.name("a column name after `,`")?);
                    }
                }
                StageKind::Distinct(cols)
            }
            "join" => {
                let mut kind = JoinKind::Inner;
                let t = self.peek();
                if t.is_word() && JOIN_KINDS.contains(&t.text) && !self.peek_at(1).is_kw("on") {
                    self.bump();
                    kind = match t.text {
                        "left" => JoinKind::Left,
                        "semi" => JoinKind::Semi,
                        "anti" => JoinKind::Anti,
                        _ => JoinKind::Inner,
                    };
                }
                let right = self.source("a table name or a parenthesised pipeline to join")?;
                if !self.peek().is_kw("on") {
                    return Err(self
                        .unexpected("`on` after the joined table")
                        .help("write `join table on left_key == right_key`"));
                }
                self.bump();
                let mut on = vec![self.join_key("a key column after `on`")?];
                while self.cont_punct(",") {
                    self.bump();
                    on.push(self.join_key("a key column after `,`")?);
                }
                StageKind::Join { kind, right, on }
            }
            "rename" => {
                let mut pairs = vec![self.rename_pair("`new = old` after `rename`")?];
                while self.cont_punct(",") {
                    self.bump();
                    pairs.push(self.rename_pair("`new = old` after `,`")?);
                }
                StageKind::Rename(pairs)
            }
            _ => unreachable!("every verb in VERBS is handled"),
        };
        Ok(Stage {
            kind,
            span: self.span_from(verb.span.start),
            verb_span: verb.span,
        })
    }

    fn unknown_verb(&self) -> ParseError {
        let t = self.peek();
        let list = VERBS
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = format!("one of {list} after `|`");
        if !t.is_word() {
            let e = self.unexpected(&expected);
            return if t.eof || e.code != codes::EXPECTED {
                e
            } else {
                ParseError {
                    label: "expected a stage verb".into(),
                    ..e
                }
            };
        }
        let e = ParseError::new(
            codes::UNKNOWN_VERB,
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

    fn group_by(&mut self) -> PResult<Vec<Item>> {
        if !self.cont_kw("by") {
            return Ok(Vec::new());
        }
        self.bump();
        self.items(ItemMode::Group, "a grouping column after `by`")
    }

    fn items(&mut self, mode: ItemMode, expected: &str) -> PResult<Vec<Item>> {
        let mut items = vec![self.item(mode, expected)?];
        while self.cont_punct(",") {
            self.bump();
            items.push(self.item(mode, "another item after `,`")?);
        }
        Ok(items)
    }

    fn item(&mut self, mode: ItemMode, expected: &str) -> PResult<Item> {
        let start = self.peek().span.start;
        let (expr, alias, alias_style) = if self.peek().is_name() && self.peek_at(1).is_op("=") {
            let alias = self.name(expected)?;
            self.bump();
            let expr = self.expr("an expression after `=`")?;
            (expr, Some(alias), AliasStyle::Assign)
        } else {
            let expr = self.expr(expected)?;
            if self.cont_kw("as") {
                self.bump();
                let alias = self.name("a name after `as`")?;
                (expr, Some(alias), AliasStyle::As)
            } else {
                (expr, None, AliasStyle::None)
            }
        };
        let span = self.span_from(start);
        if mode == ItemMode::Derive && alias.is_none() {
            let text = self
                .src
                .get(expr.span.start..expr.span.end)
                .unwrap_or("expr");
            return Err(ParseError::new(
                codes::MISSING_ALIAS,
                "`derive` needs a name for each new column",
                expr.span,
                "this column has no name",
            )
            .help(format!("write `name = {text}`")));
        }
        // A `summarize` item is a call or a formula of calls (`max(v1) - min(v2)`); which
        // calls are aggregates, and that columns stand only inside them, the checker decides.
        if mode == ItemMode::Aggregate && !has_call(&expr) {
            return Err(ParseError::new(
                codes::EXPECTED_AGGREGATE,
                "`summarize` expects aggregate calls",
                expr.span,
                "not an aggregate call",
            )
            .help("e.g. `summarize n = count(), total = sum(value) by unit`; use `derive` for per-row columns"));
        }
        Ok(Item {
            expr,
            alias,
            alias_style,
            span,
        })
    }

    fn sort_key(&mut self, default: Order, expected: &str) -> PResult<SortKey> {
        let expr = self.expr(expected)?;
        let order = if self.cont_kw("asc") {
            Some(Order::Asc)
        } else if self.cont_kw("desc") {
            Some(Order::Desc)
        } else {
            None
        };
        if order.is_some() {
            self.bump();
        }
        Ok(SortKey {
            expr,
            order: order.unwrap_or(default),
            explicit: order.is_some(),
        })
    }

    fn row_count(&mut self, verb: &str) -> PResult<(u64, Span)> {
        let t = self.peek();
        let expected = format!("a number of rows after `{verb}`");
        if t.is_op("-") && self.peek_at(1).kind == TokenKind::Number {
            let span = t.span.to(self.peek_at(1).span);
            return Err(ParseError::new(
                codes::BAD_NUMBER,
                format!("`{verb}` needs a non-negative number of rows"),
                span,
                "negative",
            ));
        }
        if t.kind != TokenKind::Number {
            return Err(self.unexpected(&expected));
        }
        self.bump();
        match number_literal(t)? {
            Literal::Int(n) => Ok((n as u64, t.span)),
            _ => Err(ParseError::new(
                codes::BAD_NUMBER,
                format!("`{verb}` needs a whole number of rows"),
                t.span,
                "not a whole number",
            )),
        }
    }

    fn join_key(&mut self, expected: &str) -> PResult<JoinKey> {
        let left = self.name(expected)?;
        let right = if self.cont_op("==") {
            self.bump();
            Some(self.name("the right key column after `==`")?)
        } else {
            None
        };
        Ok(JoinKey { left, right })
    }

    fn rename_pair(&mut self, expected: &str) -> PResult<(Ident, Ident)> {
        let new = self.name(expected)?;
        if !self.peek().is_op("=") {
            return Err(self
                .unexpected("`=` after the new name")
                .help("write `rename new = old`"));
        }
        self.bump();
        let old = self.name("the old column name after `=`")?;
        Ok((new, old))
    }

    // ----- names ----------------------------------------------------------------------------

    fn name_error(&self, expected: &str) -> ParseError {
        let t = self.peek();
        if t.is_word() && is_reserved(t.text) {
            return ParseError::new(
                codes::RESERVED_WORD,
                format!("expected {expected}, found the reserved word `{}`", t.text),
                t.span,
                "reserved word",
            )
            .help(format!("write `` `{}` `` to use it as a name", t.text));
        }
        self.unexpected(expected)
    }

    fn name(&mut self, expected: &str) -> PResult<Ident> {
        let t = self.peek();
        if !t.is_name() {
            return Err(self.name_error(expected));
        }
        if let Some(e) = self.bad_token(t) {
            return Err(e);
        }
        self.bump();
        let name = if t.text.starts_with('`') {
            let inner = &t.text[1..t.text.len() - 1];
            if inner.is_empty() {
                return Err(
                    ParseError::new(codes::EMPTY_NAME, "empty name", t.span, "empty name")
                        .help("write a name between the backticks"),
                );
            }
            inner.replace("``", "`")
        } else {
            t.text.to_string()
        };
        Ok(Ident { name, span: t.span })
    }

    // ----- expressions ----------------------------------------------------------------------
    //
    // Each function returns the expression and the depth of its tree, so that no input can
    // build a tree deep enough to overflow the stack of whoever walks it (printing, dropping,
    // compiling). `nest` bounds the parser's own recursion before any node exists.

    fn expr(&mut self, expected: &str) -> PResult<Expr> {
        self.or_expr(expected).map(|(e, _)| e)
    }

    /// Enter one level of recursion (brackets, prefix operators, sub-pipelines).
    fn nest(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.too_deep());
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.nesting -= 1;
    }

    fn too_deep(&self) -> ParseError {
        ParseError::new(
            codes::TOO_DEEP,
            "expression nested too deeply",
            self.peek().span,
            "too deep",
        )
        .help(format!(
            "planq accepts at most {MAX_NESTING} levels of nesting and expressions \
             {MAX_TREE_DEPTH} operators deep; split the query up"
        ))
    }

    /// Account for a new node above children of depth `child`.
    fn node(&self, expr: Expr, child: usize) -> PResult<Node> {
        if child + 1 > MAX_TREE_DEPTH {
            return Err(self.too_deep());
        }
        Ok((expr, child + 1))
    }

    fn binary_node(&self, op: BinOp, (l, ld): Node, (r, rd): Node) -> PResult<Node> {
        self.node(binary(op, l, r), ld.max(rd))
    }

    fn or_expr(&mut self, expected: &str) -> PResult<Node> {
        let mut left = self.and_expr(expected)?;
        while self.cont_kw("or") {
            self.bump();
            let right = self.and_expr("an expression after `or`")?;
            left = self.binary_node(BinOp::Or, left, right)?;
        }
        Ok(left)
    }

    fn and_expr(&mut self, expected: &str) -> PResult<Node> {
        let mut left = self.not_expr(expected)?;
        while self.cont_kw("and") {
            self.bump();
            let right = self.not_expr("an expression after `and`")?;
            left = self.binary_node(BinOp::And, left, right)?;
        }
        Ok(left)
    }

    fn not_expr(&mut self, expected: &str) -> PResult<Node> {
        let t = self.peek();
        if !t.is_kw("not") {
            return self.comparison(expected);
        }
        self.bump();
        self.nest()?;
        let (operand, d) = self.not_expr("an expression after `not`")?;
        self.unnest();
        let expr = Expr {
            span: t.span.to(operand.span),
            kind: ExprKind::Unary {
                op: UnOp::Not,
                operand: Box::new(operand),
            },
        };
        self.node(expr, d)
    }

    /// Whether a comparison operator (`==`, `~`, `in`, `not in`, `is` …) comes next.
    fn comparison_ahead(&self) -> bool {
        let Some(t) = self.cont() else { return false };
        COMPARISONS.iter().any(|(s, _)| t.is_op(s))
            || t.is_kw("in")
            || t.is_kw("is")
            || (t.is_kw("not") && self.peek_at(1).is_kw("in"))
    }

    fn comparison(&mut self, expected: &str) -> PResult<Node> {
        let (left, ld) = self.additive(expected)?;
        if !self.comparison_ahead() {
            return Ok((left, ld));
        }
        let op_tok = self.bump();
        let result = if op_tok.is_kw("in") || op_tok.is_kw("not") {
            let negated = op_tok.is_kw("not");
            if negated {
                self.bump();
            }
            let (list, list_depth) = self.list()?;
            let expr = Expr {
                span: self.span_from(left.span.start),
                kind: ExprKind::InList {
                    expr: Box::new(left),
                    list,
                    negated,
                },
            };
            self.node(expr, ld.max(list_depth))?
        } else if op_tok.is_kw("is") {
            let negated = self.peek().is_kw("not");
            if negated {
                self.bump();
            }
            if !self.peek().is_kw("null") {
                let expected = if negated {
                    "`null` after `is not`"
                } else {
                    "`null` or `not null` after `is`"
                };
                return Err(self.unexpected(expected).help(
                    "`is` only tests for null (`x is null`, `x is not null`); compare values with `==`",
                ));
            }
            self.bump();
            let expr = Expr {
                span: self.span_from(left.span.start),
                kind: ExprKind::IsNull {
                    expr: Box::new(left),
                    negated,
                },
            };
            self.node(expr, ld)?
        } else {
            let op = COMPARISONS
                .iter()
                .find(|(s, _)| op_tok.is_op(s))
                .map(|(_, op)| *op)
                .unwrap_or(BinOp::Eq);
            let right = self.additive(&format!("an expression after `{}`", op_tok.text))?;
            self.binary_node(op, (left, ld), right)?
        };
        if self.comparison_ahead() {
            let t = self.peek();
            return Err(ParseError::new(
                codes::CHAINED_COMPARISON,
                "comparisons cannot be chained",
                t.span,
                "a second comparison",
            )
            .help("combine comparisons with `and`, e.g. `a < b and b < c`, or add parentheses"));
        }
        Ok(result)
    }

    fn list(&mut self) -> PResult<(Vec<Expr>, usize)> {
        let open = self.peek();
        if !open.is_punct("[") {
            return Err(self
                .unexpected("`[` after `in`")
                .help("write a list of values, e.g. `owner in [\"省数字办\", \"省通管局\"]`"));
        }
        self.bump();
        self.comma_list(open, "]", "a value or `]`")
    }

    /// `expr, expr, …` after `open` (already consumed) up to `close`, trailing comma allowed;
    /// consumes `close`. Returns the items and their greatest depth.
    fn comma_list(
        &mut self,
        open: Tok<'a>,
        close: &str,
        expected: &str,
    ) -> PResult<(Vec<Expr>, usize)> {
        self.nest()?;
        self.open.push(open);
        let mut items = Vec::new();
        let mut depth = 0;
        while !self.peek().is_punct(close) {
            let (item, d) = self.or_expr(expected)?;
            items.push(item);
            depth = depth.max(d);
            if self.peek().is_punct(",") {
                self.bump();
            } else if !self.peek().is_punct(close) {
                return Err(self.expected_closer(&format!("`,` or `{close}`")));
            }
        }
        self.bump();
        self.open.pop();
        self.unnest();
        Ok((items, depth))
    }

    fn additive(&mut self, expected: &str) -> PResult<Node> {
        let mut left = self.multiplicative(expected)?;
        loop {
            let op = if self.cont_op("+") {
                BinOp::Add
            } else if self.cont_op("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            let t = self.bump();
            let right = self.multiplicative(&format!("an expression after `{}`", t.text))?;
            left = self.binary_node(op, left, right)?;
        }
    }

    fn multiplicative(&mut self, expected: &str) -> PResult<Node> {
        let mut left = self.unary(expected)?;
        loop {
            let op = if self.cont_op("*") {
                BinOp::Mul
            } else if self.cont_op("/") {
                BinOp::Div
            } else if self.cont_op("%") {
                BinOp::Rem
            } else {
                return Ok(left);
            };
            let t = self.bump();
            let right = self.unary(&format!("an expression after `{}`", t.text))?;
            left = self.binary_node(op, left, right)?;
        }
    }

    fn unary(&mut self, expected: &str) -> PResult<Node> {
        let t = self.peek();
        if !t.is_op("-") {
            return self.atom(expected);
        }
        self.bump();
        self.nest()?;
        let (operand, d) = self.unary("an expression after `-`")?;
        self.unnest();
        let expr = Expr {
            span: t.span.to(operand.span),
            kind: ExprKind::Unary {
                op: UnOp::Neg,
                operand: Box::new(operand),
            },
        };
        self.node(expr, d)
    }

    fn atom(&mut self, expected: &str) -> PResult<Node> {
        let t = self.peek();
        let leaf = |kind| Ok((Expr { kind, span: t.span }, 1));
        match t.kind {
            TokenKind::Number => {
                self.bump();
                return leaf(ExprKind::Lit(number_literal(t)?));
            }
            TokenKind::String => {
                self.bump();
                return leaf(ExprKind::Lit(Literal::Str(decode_string(t, 0)?)));
            }
            TokenKind::Date => {
                self.bump();
                return leaf(ExprKind::Lit(date_literal(t)?));
            }
            TokenKind::Param => {
                self.bump();
                return leaf(ExprKind::Param(t.text[1..].to_string()));
            }
            _ => {}
        }
        if t.is_word() {
            match t.text {
                "true" | "false" => {
                    self.bump();
                    return leaf(ExprKind::Lit(Literal::Bool(t.text == "true")));
                }
                "null" => {
                    self.bump();
                    return leaf(ExprKind::Lit(Literal::Null));
                }
                _ => {}
            }
            if !is_reserved(t.text) {
                self.bump();
                if self.cont_punct("(") {
                    return self.call(t);
                }
                return leaf(ExprKind::Column(t.text.to_string()));
            }
        }
        if t.is_name() {
            let name = self.name(expected)?;
            return leaf(ExprKind::Column(name.name));
        }
        if t.is_punct("(") {
            self.bump();
            self.nest()?;
            self.open.push(t);
            let (inner, d) = self.or_expr("an expression after `(`")?;
            if !self.peek().is_punct(")") {
                return Err(self.expected_closer("an operator or `)`"));
            }
            self.bump();
            self.open.pop();
            self.unnest();
            let expr = Expr {
                kind: ExprKind::Paren(Box::new(inner)),
                span: self.span_from(t.span.start),
            };
            return self.node(expr, d);
        }
        if t.is_punct("[") {
            return Err(self
                .unexpected(expected)
                .help("lists are only allowed after `in`, e.g. `x in [1, 2]`"));
        }
        Err(self.name_error(expected))
    }

    fn call(&mut self, name: Tok<'a>) -> PResult<Node> {
        let open = self.bump();
        if name.text == "count" && self.peek().is_op("*") {
            self.open.push(open);
            return Err(self
                .unexpected("an argument or `)`")
                .help("`count()` counts rows"));
        }
        let (args, d) = self.comma_list(open, ")", "an argument or `)`")?;
        let expr = Expr {
            kind: ExprKind::Call {
                func: Ident {
                    name: name.text.to_string(),
                    span: name.span,
                },
                args,
            },
            span: self.span_from(name.span.start),
        };
        self.node(expr, d)
    }
}

fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    Expr {
        span: left.span.to(right.span),
        kind: ExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
    }
}

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

/// Whether a string or date token (as lexed) has its closing quote.
fn quoted_is_closed(text: &str) -> bool {
    let body = text
        .strip_prefix('d')
        .filter(|b| b.starts_with(['"', '\'']))
        .unwrap_or(text);
    let Some(quote) = body.chars().next() else {
        return false;
    };
    let mut escaped = false;
    for (at, c) in body.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return at + 1 == body.len();
        }
    }
    false
}

fn backtick_is_closed(text: &str) -> bool {
    // The lexer stops at the first lone closing backtick, so a closed name ends with one and
    // is longer than the opener; `` `a`` `` (escaped backtick at the end) runs on unclosed.
    let inner = &text[1..];
    if !inner.ends_with('`') {
        return false;
    }
    // Count the trailing backticks: an odd run means the last one closes.
    let run = inner.bytes().rev().take_while(|&b| b == b'`').count();
    run % 2 == 1
}

/// Decode a quoted string token; `skip` bytes of prefix (1 for `d` in dates).
fn decode_string(t: Tok<'_>, skip: usize) -> PResult<String> {
    let body = &t.text[skip..];
    let quote_len = 1;
    let opener = Span::new(t.span.start, t.span.start + skip + quote_len);
    let Some(quote) = body.chars().next() else {
        return Err(ParseError::new(
            codes::UNCLOSED_STRING,
            "unclosed string",
            opener,
            "this string is never closed",
        )
        .incomplete());
    };
    let mut out = String::new();
    let mut chars = body.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        if c == quote {
            return Ok(out);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((esc_at, e)) = chars.next() else {
            break;
        };
        out.push(match e {
            '"' | '\'' | '\\' => e,
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            _ => {
                let start = t.span.start + skip + at;
                let end = t.span.start + skip + esc_at + e.len_utf8();
                return Err(ParseError::new(
                    codes::BAD_ESCAPE,
                    format!("unknown escape `\\{e}`"),
                    Span::new(start, end),
                    "unknown escape",
                )
                .help("the escapes are \\\" \\' \\\\ \\n \\t \\r; write `\\\\` for a backslash"));
            }
        });
    }
    Err(ParseError::new(
        codes::UNCLOSED_STRING,
        "unclosed string",
        opener,
        "this string is never closed",
    )
    .help(format!("add a closing {quote}"))
    .incomplete())
}

fn number_literal(t: Tok<'_>) -> PResult<Literal> {
    // `_` separates digits (`1_000`); anywhere else it makes the number invalid.
    let raw = t.text.as_bytes();
    let digitish = |b: &u8| b.is_ascii_digit() || *b == b'_';
    let separators_ok = raw.iter().enumerate().all(|(i, b)| {
        *b != b'_' || (i > 0 && digitish(&raw[i - 1]) && raw.get(i + 1).is_some_and(digitish))
    });
    let text: String = t.text.chars().filter(|&c| c != '_').collect();
    let bad =
        |message: String, label: &str| ParseError::new(codes::BAD_NUMBER, message, t.span, label);
    // digits ('.' digits)? ([eE] [+-]? digits)?
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i > s)
    };
    let (mut i, _) = digits(0);
    let mut float = false;
    let mut ok = true;
    if i < b.len() && b[i] == b'.' {
        float = true;
        let (j, any) = digits(i + 1);
        ok &= any;
        i = j;
    }
    if ok && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        float = true;
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let (k, any) = digits(j);
        ok &= any;
        i = k;
    }
    if !ok || !separators_ok || i != b.len() {
        let e = bad(
            format!("`{}` is not a valid number", t.text),
            "not a number",
        );
        return Err(if t.text.chars().any(|c| c.is_alphabetic()) {
            e.help(format!(
                "names cannot start with a digit; write `` `{}` `` for a column of that name",
                t.text
            ))
        } else {
            e
        });
    }
    if float {
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Literal::Float(f)),
            _ => Err(bad(format!("`{}` is too large", t.text), "out of range")),
        }
    } else {
        text.parse::<i64>().map(Literal::Int).map_err(|_| {
            bad(format!("`{}` is too large for an integer", t.text), "out of range")
                .help("integers go up to 9223372036854775807; write a float such as 1e19 for larger values")
        })
    }
}

fn date_literal(t: Tok<'_>) -> PResult<Literal> {
    let text = decode_string(t, 1)?;
    let bad = |label: &str| {
        ParseError::new(
            codes::BAD_DATE,
            format!("`{text}` is not a valid date"),
            t.span,
            label,
        )
    };
    let b = text.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(bad("expected YYYY-MM-DD").help("write dates as d\"2010-12-31\""));
    }
    let year: i32 = text[0..4].parse().unwrap_or(0);
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let day: u32 = text[8..10].parse().unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(bad("no such month").help("months run from 01 to 12"));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        return Err(bad("no such day").help(format!(
            "{} {year} has {days} days",
            MONTHS[month as usize - 1]
        )));
    }
    Ok(Literal::Date { year, month, day })
}

/// Whether an expression calls a function anywhere (a `summarize` item must).
fn has_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { .. } => true,
        ExprKind::Lit(_) | ExprKind::Column(_) | ExprKind::Param(_) => false,
        ExprKind::Paren(inner) => has_call(inner),
        ExprKind::IsNull { expr, .. } => has_call(expr),
        ExprKind::InList { expr, list, .. } => has_call(expr) || list.iter().any(has_call),
        ExprKind::Unary { operand, .. } => has_call(operand),
        ExprKind::Binary { left, right, .. } => has_call(left) || has_call(right),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(kind: TokenKind, text: &str) -> Tok<'_> {
        Tok {
            kind,
            span: Span::new(0, text.len()),
            text,
            nl_before: false,
            eof: false,
        }
    }

    #[test]
    fn numbers() {
        let n = |s| number_literal(tok(TokenKind::Number, s));
        assert_eq!(n("0"), Ok(Literal::Int(0)));
        assert_eq!(n("9223372036854775807"), Ok(Literal::Int(i64::MAX)));
        assert_eq!(n("1_000_000"), Ok(Literal::Int(1_000_000)));
        assert_eq!(n("2.50"), Ok(Literal::Float(2.5)));
        assert_eq!(n("1E+2"), Ok(Literal::Float(100.0)));
        assert_eq!(n("1__0"), Ok(Literal::Int(10)));
        for bad in [
            "9223372036854775808",
            "1e",
            "1.2.3",
            "0x10",
            "3个",
            "1e999",
            "1_",
            "1_.5",
            "1e_5",
        ] {
            assert_eq!(n(bad).unwrap_err().code, codes::BAD_NUMBER, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let d = |s| date_literal(tok(TokenKind::Date, s));
        assert_eq!(
            d("d\"2024-02-29\""),
            Ok(Literal::Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "d'2023-02-29'",
            "d'2010-04-31'",
            "d'2010-00-10'",
            "d'2010-1-1'",
            "d''",
            "d'２０１０-01-01'",
        ] {
            assert_eq!(d(bad).unwrap_err().code, codes::BAD_DATE, "{bad}");
        }
    }

    #[test]
    fn strings() {
        let s = |src| decode_string(tok(TokenKind::String, src), 0);
        assert_eq!(s(r#""a\tb""#), Ok("a\tb".into()));
        assert_eq!(s("'多\\'行\n'"), Ok("多'行\n".into()));
        let e = s(r#""x\é""#).unwrap_err();
        assert_eq!((e.code, e.span), (codes::BAD_ESCAPE, Span::new(2, 5)));
        assert_eq!(s("\"abc").unwrap_err().code, codes::UNCLOSED_STRING);
        assert_eq!(s("\"abc\\\"").unwrap_err().code, codes::UNCLOSED_STRING);
    }

    #[test]
    fn closedness() {
        assert!(quoted_is_closed("\"a\""));
        assert!(quoted_is_closed("d'a'"));
        assert!(!quoted_is_closed("\"a\\\""));
        assert!(!quoted_is_closed("d\""));
        assert!(backtick_is_closed("`a`"));
        assert!(backtick_is_closed("``"));
        assert!(backtick_is_closed("`a```"));
        assert!(!backtick_is_closed("`a``"));
        assert!(!backtick_is_closed("`"));
    }

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
            assert_eq!(parse_expr(&src).unwrap_err().code, codes::TOO_DEEP);
        }
        let pipes = format!("{}t{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse_query(&pipes).unwrap_err().code, codes::TOO_DEEP);
        // A long but flat chain is fine.
        assert!(parse_expr(&format!("a{}", " or a".repeat(400))).is_ok());
    }

    #[test]
    fn sub_pipeline_span_includes_parentheses() {
        let src = "(owners | take 1) | count";
        let p = parse_query(src).unwrap();
        assert_eq!(p.source.span(), Span::new(0, 17));
        assert_eq!(p.span, Span::new(0, src.len()));
    }
}
