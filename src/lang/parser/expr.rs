//! Expressions, loosest first: `or`, `and`, `not`, comparisons (non-associative), `+ -`,
//! `* / %`, prefix `-`, atoms. One function per rule of `grammar/planq.ebnf`.
//!
//! Each rule returns the expression with the depth of its tree ([`Node`]), so that no input
//! can build a tree deep enough to overflow the stack of whoever walks it (printing,
//! dropping, checking, compiling); [`nest`] bounds the parser's own recursion before any
//! node exists.

use crate::error::Code;
use nom::branch::alt;
use nom::combinator::opt;
use nom::Parser;

use super::error::{expected_closer, name_error, too_deep, unexpected, ParseError};
use super::input::{backtrack, cont, fail, kw, op, punct, PResult, Tok, Tokens};
use super::literal::{literal, name};
use super::{MAX_NESTING, MAX_TREE_DEPTH};
use crate::lang::ast::{BinOp, Expr, ExprKind, Ident, UnOp};
use crate::lang::lexer::{is_reserved, TokenKind};

/// An expression and the depth of its tree.
pub type Node = (Expr, usize);

/// The comparison operators of [`compare_op`] and what they mean.
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

/// `Expr ::= OrExpr`
pub fn expr<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Expr> {
    or_expr(i, expected).map(|(i, (e, _))| (i, e))
}

/// One level deeper (brackets, prefix operators, sub-pipelines), inside the bracket just
/// read if `bracket`;
/// fails past [`MAX_NESTING`].
pub fn nest(i: Tokens<'_>, bracket: bool) -> Result<Tokens<'_>, nom::Err<ParseError>> {
    if i.nesting() + 1 > MAX_NESTING {
        return Err(nom::Err::Failure(too_deep(i)));
    }
    Ok(i.enter(bracket))
}

/// A new node above children of depth `child`; fails past [`MAX_TREE_DEPTH`].
fn node(i: Tokens<'_>, expr: Expr, child: usize) -> PResult<'_, Node> {
    if child + 1 > MAX_TREE_DEPTH {
        return fail(too_deep(i));
    }
    Ok((i, (expr, child + 1)))
}

/// `left op right` as a node.
fn binary_node<'a>(i: Tokens<'a>, op: BinOp, (l, ld): Node, (r, rd): Node) -> PResult<'a, Node> {
    let expr = Expr {
        span: l.span.to(r.span),
        kind: ExprKind::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
        },
    };
    node(i, expr, ld.max(rd))
}

/// `operand ( operator operand )*`, left-associative; `operator` says which [`BinOp`] the
/// next token is, if it may continue the expression here.
fn left_assoc<'a>(
    i: Tokens<'a>,
    expected: &str,
    operand: fn(Tokens<'a>, &str) -> PResult<'a, Node>,
    operator: fn(&Tok<'a>) -> Option<BinOp>,
) -> PResult<'a, Node> {
    let (mut i, mut left) = operand(i, expected)?;
    while let Some(op) = i.cont().as_ref().and_then(operator) {
        let (rest, t) = i.next();
        let (rest, right) = operand(rest, after(t.text))?;
        let (rest, joined) = binary_node(rest, op, left, right)?;
        (i, left) = (rest, joined);
    }
    Ok((i, left))
}

/// What is expected after the binary operator `op` (static: this is on every operator's
/// path, and only an error reads it).
fn after(op: &str) -> &'static str {
    match op {
        "or" => "an expression after `or`",
        "and" => "an expression after `and`",
        "+" => "an expression after `+`",
        "-" => "an expression after `-`",
        "*" => "an expression after `*`",
        "/" => "an expression after `/`",
        "%" => "an expression after `%`",
        "==" => "an expression after `==`",
        "!=" => "an expression after `!=`",
        "<" => "an expression after `<`",
        "<=" => "an expression after `<=`",
        ">" => "an expression after `>`",
        ">=" => "an expression after `>=`",
        "~" => "an expression after `~`",
        "!~" => "an expression after `!~`",
        _ => "an expression after the operator",
    }
}

/// `OrExpr ::= AndExpr ( 'or' AndExpr )*`
pub fn or_expr<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    left_assoc(i, expected, and_expr, |t| {
        t.is_kw("or").then_some(BinOp::Or)
    })
}

/// `AndExpr ::= NotExpr ( 'and' NotExpr )*`
fn and_expr<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    left_assoc(i, expected, not_expr, |t| {
        t.is_kw("and").then_some(BinOp::And)
    })
}

/// `NotExpr ::= 'not' NotExpr | Comparison`
fn not_expr<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    match kw("not")(i) {
        Ok((inner, not)) => prefix(
            i,
            inner,
            not,
            UnOp::Not,
            not_expr,
            "an expression after `not`",
        ),
        Err(_) => comparison(i, expected),
    }
}

/// The operand of a prefix operator `op` (the token `tok`, already read from `i`), parsed
/// by `rule` one nesting level deeper.
fn prefix<'a>(
    i: Tokens<'a>,
    inner: Tokens<'a>,
    tok: Tok<'a>,
    op: UnOp,
    rule: fn(Tokens<'a>, &str) -> PResult<'a, Node>,
    expected: &str,
) -> PResult<'a, Node> {
    let inner = nest(inner, false)?;
    let (rest, (operand, d)) = rule(inner, expected)?;
    let expr = Expr {
        span: tok.span.to(operand.span),
        kind: ExprKind::Unary {
            op,
            operand: Box::new(operand),
        },
    };
    node(rest.leave(i), expr, d)
}

/// Whether a comparison operator (`==`, `~`, `in`, `not in`, `is` …) comes next.
fn comparison_ahead(i: Tokens<'_>) -> bool {
    let Some(t) = i.cont() else { return false };
    COMPARISONS.iter().any(|(s, _)| t.is_op(s))
        || t.is_kw("in")
        || t.is_kw("is")
        || (t.is_kw("not") && i.peek_at(1).is_kw("in"))
}

/// `Comparison ::= Additive ( CompareOp Additive | 'not'? 'in' List | 'is' 'not'? 'null' )?`
fn comparison<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    let (i, (left, ld)) = additive(i, expected)?;
    if !comparison_ahead(i) {
        return Ok((i, (left, ld)));
    }
    let start = left.span.start;
    let (i, result) = if let Ok((i, (not, _))) = (opt(kw("not")), kw("in")).parse(i) {
        let (i, (list, list_depth)) = list(i)?;
        let expr = Expr {
            span: i.span_from(start),
            kind: ExprKind::InList {
                expr: Box::new(left),
                list,
                negated: not.is_some(),
            },
        };
        node(i, expr, ld.max(list_depth))?
    } else if let Ok((i, _)) = kw("is")(i) {
        let (i, not) = opt(kw("not")).parse(i)?;
        let Ok((i, _)) = kw("null")(i) else {
            let expected = if not.is_some() {
                "`null` after `is not`"
            } else {
                "`null` or `not null` after `is`"
            };
            return fail(unexpected(i, expected).help(
                "`is` only tests for null (`x is null`, `x is not null`); compare values with `==`",
            ));
        };
        let expr = Expr {
            span: i.span_from(start),
            kind: ExprKind::IsNull {
                expr: Box::new(left),
                negated: not.is_some(),
            },
        };
        node(i, expr, ld)?
    } else {
        let (i, (t, op)) = compare_op(i)?;
        let right = additive(i, after(t.text))?;
        binary_node(right.0, op, (left, ld), right.1)?
    };
    if comparison_ahead(i) {
        let t = i.peek();
        return fail(
            ParseError::new(
                Code::ParseChainedComparison,
                "comparisons cannot be chained",
                t.span,
                "a second comparison",
            )
            .help("combine comparisons with `and`, e.g. `a < b and b < c`, or add parentheses"),
        );
    }
    Ok((i, result))
}

/// `CompareOp ::= '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~'`
fn compare_op(i: Tokens<'_>) -> PResult<'_, (Tok<'_>, BinOp)> {
    let t = i.peek();
    match COMPARISONS.iter().find(|(s, _)| t.is_op(s)) {
        Some((_, op)) => Ok((i.next().0, (t, *op))),
        None => backtrack(i),
    }
}

/// `List ::= '[' ( Expr ( ',' Expr )* ','? )? ']'`
fn list(i: Tokens<'_>) -> PResult<'_, (Vec<Expr>, usize)> {
    let Ok((inner, _)) = punct("[")(i) else {
        return fail(
            unexpected(i, "`[` after `in`")
                .help("write a list of values, e.g. `owner in [\"省数字办\", \"省通管局\"]`"),
        );
    };
    let (rest, items) = comma_list(inner, "]", "a value or `]`")?;
    Ok((rest.leave(i), items))
}

/// `expr, expr, …` after an opening bracket (just consumed) up to `close`, trailing comma allowed;
/// consumes `close`. Returns the items and their greatest depth, still inside the bracket
/// (the caller [`leave`](Tokens::leave)s it).
fn comma_list<'a>(
    i: Tokens<'a>,
    close: &'static str,
    expected: &str,
) -> PResult<'a, (Vec<Expr>, usize)> {
    let mut i = nest(i, true)?;
    let mut items = Vec::new();
    let mut depth = 0;
    loop {
        if let Ok((rest, _)) = punct(close)(i) {
            return Ok((rest, (items, depth)));
        }
        let (rest, (item, d)) = or_expr(i, expected)?;
        items.push(item);
        depth = depth.max(d);
        i = match punct(",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) if rest.peek().is_punct(close) => rest,
            Err(_) => return fail(expected_closer(rest, &format!("`,` or `{close}`"))),
        };
    }
}

/// `Additive ::= Multiplicative ( ( '+' | '-' ) Multiplicative )*`
fn additive<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    left_assoc(i, expected, multiplicative, |t| match t.text {
        "+" if t.is_op("+") => Some(BinOp::Add),
        "-" if t.is_op("-") => Some(BinOp::Sub),
        _ => None,
    })
}

/// `Multiplicative ::= Unary ( ( '*' | '/' | '%' ) Unary )*`
fn multiplicative<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    left_assoc(i, expected, unary, |t| match t.text {
        "*" if t.is_op("*") => Some(BinOp::Mul),
        "/" if t.is_op("/") => Some(BinOp::Div),
        "%" if t.is_op("%") => Some(BinOp::Rem),
        _ => None,
    })
}

/// `Unary ::= '-' Unary | Atom`
fn unary<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    match op("-")(i) {
        Ok((inner, minus)) => prefix(i, inner, minus, UnOp::Neg, unary, "an expression after `-`"),
        Err(_) => atom(i, expected),
    }
}

/// `Atom ::= Literal | Call | Name | PARAM | '(' Expr ')'`
fn atom<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    let t = i.peek();
    let leaf = |kind| (Expr { kind, span: t.span }, 1);
    let parsed = alt((
        |i| literal(i).map(|(rest, lit)| (rest, leaf(ExprKind::Lit(lit)))),
        |i| param(i).map(|(rest, p)| (rest, leaf(p))),
        |i| call_or_column(i, expected),
        paren,
    ))
    .parse(i);
    match parsed {
        Err(nom::Err::Error(_)) => {}
        done => return done,
    }
    if t.is_punct("[") {
        return fail(
            unexpected(i, expected).help("lists are only allowed after `in`, e.g. `x in [1, 2]`"),
        );
    }
    fail(name_error(i, expected))
}

/// `'(' Expr ')'` in an [`atom`].
fn paren(i: Tokens<'_>) -> PResult<'_, Node> {
    let (inner, open) = punct("(")(i)?;
    let inner = nest(inner, true)?;
    let (rest, (e, d)) = or_expr(inner, "an expression after `(`")?;
    let Ok((rest, _)) = punct(")")(rest) else {
        return fail(expected_closer(rest, "an operator or `)`"));
    };
    let rest = rest.leave(i);
    let expr = Expr {
        kind: ExprKind::Paren(Box::new(e)),
        span: rest.span_from(open.span.start),
    };
    node(rest, expr, d)
}

/// `PARAM`: `$name`.
fn param(i: Tokens<'_>) -> PResult<'_, ExprKind> {
    let t = i.peek();
    if t.kind != TokenKind::Param {
        return backtrack(i);
    }
    Ok((i.next().0, ExprKind::Param(t.text[1..].to_string())))
}

/// A bare word — a [`call`] when `(` follows on the same line — or a backticked name: a
/// column.
fn call_or_column<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Node> {
    let t = i.peek();
    let column = |rest, name| {
        Ok((
            rest,
            (
                Expr {
                    kind: ExprKind::Column(name),
                    span: t.span,
                },
                1,
            ),
        ))
    };
    if t.is_word() && !is_reserved(t.text) {
        let rest = i.next().0;
        if cont(punct("("))(rest).is_ok() {
            return call(rest, t);
        }
        return column(rest, t.text.to_string());
    }
    if t.is_name() {
        let (rest, n) = name(i, expected)?;
        return column(rest, n.name);
    }
    backtrack(i)
}

/// `Call ::= WORD '(' ( Expr ( ',' Expr )* ','? )? ')'` — after the word `func`.
fn call<'a>(i: Tokens<'a>, func: Tok<'a>) -> PResult<'a, Node> {
    let (inner, _) = punct("(")(i)?;
    if func.text == "count" && inner.peek().is_op("*") {
        return fail(
            unexpected(inner.enter(true), "an argument or `)`").help("`count()` counts rows"),
        );
    }
    let (rest, (args, depth)) = comma_list(inner, ")", "an argument or `)`")?;
    let rest = rest.leave(i);
    let expr = Expr {
        kind: ExprKind::Call {
            func: Ident {
                name: func.text.to_string(),
                span: func.span,
            },
            args,
        },
        span: rest.span_from(func.span.start),
    };
    node(rest, expr, depth)
}
