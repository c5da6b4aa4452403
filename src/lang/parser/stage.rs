//! Stages: the verb after `|` and what it takes. One function per rule of
//! `grammar/planq.ebnf`; a verb's rule starts after the verb, which [`stage`] has read.

use crate::error::Code;
use nom::combinator::opt;
use nom::sequence::preceded;
use nom::Parser;

use super::error::{unexpected, unknown_verb, ParseError};
use super::expr::expr;
use super::input::{cont, fail, kw, op, punct, PResult, Tokens};
use super::literal::{name, number_literal};
use super::stmt::source;
use crate::lang::ast::{
    AliasStyle, Expr, ExprKind, Ident, Item, JoinKey, JoinKind, Literal, Order, SortKey, Span,
    Stage, StageKind, VERBS,
};
use crate::lang::lexer::{TokenKind, JOIN_KINDS};

/// `Stage ::= Where | Select | Derive | Summarize | Count | Sort | Take | Top | Distinct |
/// Join | Rename`
pub fn stage(i: Tokens<'_>) -> PResult<'_, Stage> {
    let verb = i.peek();
    if !verb.is_word() || !VERBS.contains(&verb.text) {
        return fail(unknown_verb(i));
    }
    let i = i.next().0;
    let (i, kind) = match verb.text {
        "where" => where_(i)?,
        "select" => select(i)?,
        "derive" => derive(i)?,
        "summarize" => summarize(i)?,
        "count" => count(i)?,
        "sort" => sort(i)?,
        "take" | "limit" => take(i, verb.text)?,
        "top" => top(i)?,
        "distinct" => distinct(i)?,
        "join" => join(i)?,
        _ => rename(i)?,
    };
    let stage = Stage {
        kind,
        span: i.span_from(verb.span.start),
        verb_span: verb.span,
    };
    Ok((i, stage))
}

/// `rule`s separated by `,` (a `,` continues the construct across a line break only at the
/// end of a line): the first is `first`, the others `then`.
fn separated<'a, T>(
    i: Tokens<'a>,
    first: &str,
    then: &str,
    rule: impl Fn(Tokens<'a>, &str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, head) = rule(i, first)?;
    let mut all = vec![head];
    let mut next = preceded(cont(punct(",")), |i| rule(i, then));
    loop {
        match next.parse(i) {
            Ok((rest, item)) => {
                all.push(item);
                i = rest;
            }
            Err(nom::Err::Error(_)) => return Ok((i, all)),
            Err(e) => return Err(e),
        }
    }
}

/// `Where ::= 'where' Expr`
fn where_(i: Tokens<'_>) -> PResult<'_, StageKind> {
    expr(i, "an expression after `where`").map(|(i, e)| (i, StageKind::Where(e)))
}

/// `Select ::= 'select' ItemList`
fn select(i: Tokens<'_>) -> PResult<'_, StageKind> {
    item_list(i, "a column or expression after `select`").map(|(i, v)| (i, StageKind::Select(v)))
}

/// `Derive ::= 'derive' NamedItem ( ',' NamedItem )*`
fn derive(i: Tokens<'_>) -> PResult<'_, StageKind> {
    separated(
        i,
        "`name = expression` after `derive`",
        "another item after `,`",
        named_item,
    )
    .map(|(i, v)| (i, StageKind::Derive(v)))
}

/// `Summarize ::= 'summarize' Aggregate ( ',' Aggregate )* GroupBy?`
fn summarize(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let (i, aggs) = separated(
        i,
        "an aggregate such as `n = count()` after `summarize`",
        "another item after `,`",
        aggregate,
    )?;
    let (i, by) = opt(group_by).parse(i)?;
    let by = by.unwrap_or_default();
    Ok((i, StageKind::Summarize { aggs, by }))
}

/// `Count ::= 'count' GroupBy?`
fn count(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let (i, by) = opt(group_by).parse(i)?;
    let by = by.unwrap_or_default();
    Ok((i, StageKind::Count { by }))
}

/// `GroupBy ::= 'by' ItemList`
fn group_by(i: Tokens<'_>) -> PResult<'_, Vec<Item>> {
    let (i, _) = cont(kw("by"))(i)?;
    item_list(i, "a grouping column after `by`")
}

/// `Sort ::= 'sort' 'by'? SortKey ( ',' SortKey )*`
fn sort(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let (i, _) = opt(kw("by")).parse(i)?;
    separated(
        i,
        "a sort key after `sort`",
        "a sort key after `,`",
        |i, expected| sort_key(i, Order::Asc, expected),
    )
    .map(|(i, keys)| (i, StageKind::Sort(keys)))
}

/// `Take ::= ( 'take' | 'limit' ) INTEGER`
fn take<'a>(i: Tokens<'a>, verb: &str) -> PResult<'a, StageKind> {
    let (i, (n, n_span)) = row_count(i, verb)?;
    Ok((i, StageKind::Take { n, n_span }))
}

/// `Top ::= 'top' INTEGER 'by' SortKey ( 'per' Name ( ',' Name )* )?`
fn top(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let (i, (n, n_span)) = row_count(i, "top")?;
    let Ok((i, _)) = kw("by")(i) else {
        return fail(
            unexpected(i, "`by` after the number of rows")
                .help("write `top N by column [asc|desc]`"),
        );
    };
    let (i, key) = sort_key(i, Order::Desc, "a ranking key after `by`")?;
    // `per` is a word only here, after the key: `top 2 by v3 per id6`.
    let (i, per) = opt(preceded(cont(kw("per")), |i| {
        separated(
            i,
            "a group column after `per`",
            "a group column after `,`",
            name,
        )
    }))
    .parse(i)?;
    let per = per.unwrap_or_default();
    Ok((
        i,
        StageKind::Top {
            n,
            n_span,
            key,
            per,
        },
    ))
}

/// `Distinct ::= 'distinct' ( Name ( ',' Name )* )?`
fn distinct(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let starts_name = i.cont().is_some_and(|t| {
        matches!(
            t.kind,
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
        ) && !t.is_kw("by")
    });
    if !starts_name {
        return Ok((i, StageKind::Distinct(Vec::new())));
    }
    separated(i, "a column name", "a column name after `,`", name)
        .map(|(i, cols)| (i, StageKind::Distinct(cols)))
}

/// `Join ::= 'join' JoinKind? Source 'on' JoinKey ( ',' JoinKey )*`
fn join(i: Tokens<'_>) -> PResult<'_, StageKind> {
    let (i, kind) = opt(join_kind).parse(i)?;
    let kind = kind.unwrap_or(JoinKind::Inner);
    let (i, right) = source(i, "a table name or a parenthesised pipeline to join")?;
    let Ok((i, _)) = kw("on")(i) else {
        return fail(
            unexpected(i, "`on` after the joined table")
                .help("write `join table on left_key == right_key`"),
        );
    };
    let (i, on) = separated(
        i,
        "a key column after `on`",
        "a key column after `,`",
        join_key,
    )?;
    Ok((i, StageKind::Join { kind, right, on }))
}

/// `JoinKind ::= 'inner' | 'left' | 'semi' | 'anti'` — only when `on` does not follow at
/// once (`join left on k` joins a table named `left`).
fn join_kind(i: Tokens<'_>) -> PResult<'_, JoinKind> {
    let t = i.peek();
    if !(t.is_word() && JOIN_KINDS.contains(&t.text) && !i.peek_at(1).is_kw("on")) {
        return super::input::backtrack(i);
    }
    let kind = match t.text {
        "left" => JoinKind::Left,
        "semi" => JoinKind::Semi,
        "anti" => JoinKind::Anti,
        _ => JoinKind::Inner,
    };
    Ok((i.next().0, kind))
}

/// `JoinKey ::= Name ( '==' Name )?`
fn join_key<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, JoinKey> {
    let (i, left) = name(i, expected)?;
    let (i, right) = opt(preceded(cont(op("==")), |i| {
        name(i, "the right key column after `==`")
    }))
    .parse(i)?;
    Ok((i, JoinKey { left, right }))
}

/// `Rename ::= 'rename' RenamePair ( ',' RenamePair )*`
fn rename(i: Tokens<'_>) -> PResult<'_, StageKind> {
    separated(
        i,
        "`new = old` after `rename`",
        "`new = old` after `,`",
        rename_pair,
    )
    .map(|(i, pairs)| (i, StageKind::Rename(pairs)))
}

/// `RenamePair ::= Name '=' Name`
fn rename_pair<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, (Ident, Ident)> {
    let (i, new) = name(i, expected)?;
    let Ok((i, _)) = op("=")(i) else {
        return fail(unexpected(i, "`=` after the new name").help("write `rename new = old`"));
    };
    let (i, old) = name(i, "the old column name after `=`")?;
    Ok((i, (new, old)))
}

/// `ItemList ::= Item ( ',' Item )*`
fn item_list<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Vec<Item>> {
    separated(i, expected, "another item after `,`", item)
}

/// `Item ::= Name '=' Expr | Expr ( 'as' Name )?` — `name = expr` is recognised by a name
/// directly followed by `=`.
fn item<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Item> {
    let start = i.peek().span.start;
    let (i, (expr, alias, alias_style)) = if i.peek().is_name() && i.peek_at(1).is_op("=") {
        let (i, alias) = name(i, expected)?;
        let i = i.next().0;
        let (i, expr) = expr(i, "an expression after `=`")?;
        (i, (expr, Some(alias), AliasStyle::Assign))
    } else {
        let (i, expr) = expr(i, expected)?;
        match preceded(cont(kw("as")), |i| name(i, "a name after `as`")).parse(i) {
            Ok((i, alias)) => (i, (expr, Some(alias), AliasStyle::As)),
            Err(nom::Err::Error(_)) => (i, (expr, None, AliasStyle::None)),
            Err(e) => return Err(e),
        }
    };
    let item = Item {
        expr,
        alias,
        alias_style,
        span: i.span_from(start),
    };
    Ok((i, item))
}

/// `NamedItem ::= Name '=' Expr | Expr 'as' Name`
fn named_item<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Item> {
    let (i, item) = item(i, expected)?;
    if item.alias.is_none() {
        let text = i.text(item.expr.span).unwrap_or("expr");
        return fail(
            ParseError::new(
                Code::ParseMissingAlias,
                "`derive` needs a name for each new column",
                item.expr.span,
                "this column has no name",
            )
            .help(format!("write `name = {text}`")),
        );
    }
    Ok((i, item))
}

/// `Aggregate ::= Name '=' Expr | Expr ( 'as' Name )?` — an aggregate call or a formula of
/// them (`max(v1) - min(v2)`): it must contain a call; which calls are aggregates, and that
/// columns stand only inside them, the checker decides.
fn aggregate<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Item> {
    let (i, item) = item(i, expected)?;
    if !has_call(&item.expr) {
        return fail(ParseError::new(
            Code::ParseExpectedAggregate,
            "`summarize` expects aggregate calls",
            item.expr.span,
            "not an aggregate call",
        )
        .help("e.g. `summarize n = count(), total = sum(value) by unit`; use `derive` for per-row columns"));
    }
    Ok((i, item))
}

/// `SortKey ::= Expr ( 'asc' | 'desc' )?` — `default` without either.
fn sort_key<'a>(i: Tokens<'a>, default: Order, expected: &str) -> PResult<'a, SortKey> {
    let (i, expr) = expr(i, expected)?;
    let (i, order) = opt(cont(|i| {
        kw("asc")(i)
            .map(|(i, _)| (i, Order::Asc))
            .or_else(|_| kw("desc")(i).map(|(i, _)| (i, Order::Desc)))
    }))
    .parse(i)?;
    let key = SortKey {
        expr,
        order: order.unwrap_or(default),
        explicit: order.is_some(),
    };
    Ok((i, key))
}

/// `INTEGER` after `take`, `limit` or `top`: a whole, non-negative number of rows.
fn row_count<'a>(i: Tokens<'a>, verb: &str) -> PResult<'a, (u64, Span)> {
    let t = i.peek();
    if t.is_op("-") && i.peek_at(1).kind == TokenKind::Number {
        return fail(ParseError::new(
            Code::ParseBadNumber,
            format!("`{verb}` needs a non-negative number of rows"),
            t.span.to(i.peek_at(1).span),
            "negative",
        ));
    }
    if t.kind != TokenKind::Number {
        return fail(unexpected(i, &format!("a number of rows after `{verb}`")));
    }
    match number_literal(t) {
        Ok(Literal::Int(n)) => Ok((i.next().0, (n as u64, t.span))),
        Ok(_) => fail(ParseError::new(
            Code::ParseBadNumber,
            format!("`{verb}` needs a whole number of rows"),
            t.span,
            "not a whole number",
        )),
        Err(e) => fail(e),
    }
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
