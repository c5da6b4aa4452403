//! The canonical pretty-printer: one line per statement, `a | b` with single spaces, strings
//! double-quoted with escapes, names backticked only when they need it, parentheses kept
//! where the source had them (and added where an AST built by code needs them).
//!
//! Round trip: for any tree the parser can produce, `parse(pretty(ast))` equals `ast` up to
//! spans ([`strip_spans`]), and `pretty(parse(pretty(ast))) == pretty(ast)`.

use std::fmt::Write;

use super::ast::*;
use super::lexer::is_bare_name;

/// A script, one statement per line.
pub fn pretty_script(script: &Script) -> String {
    let mut out = String::new();
    for (k, statement) in script.statements.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        match statement {
            Statement::Let { name, pipeline, .. } => {
                let _ = write!(out, "let {} = ", pretty_name(&name.name));
                pipeline_into(pipeline, &mut out);
            }
            Statement::Query(pipeline) => pipeline_into(pipeline, &mut out),
        }
    }
    out
}

/// A pipeline on one line.
pub fn pretty_pipeline(pipeline: &Pipeline) -> String {
    let mut out = String::new();
    pipeline_into(pipeline, &mut out);
    out
}

/// An expression on one line.
pub fn pretty_expr(expr: &Expr) -> String {
    let mut out = String::new();
    expr_into(expr, &mut out);
    out
}

/// A name as it must be written: bare when possible, else in backticks (``` `` ``` for a
/// backtick inside).
pub fn pretty_name(name: &str) -> String {
    if is_bare_name(name) {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// A string literal: double-quoted, with `\\ \" \n \t \r` escaped.
pub fn pretty_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A literal as written in planq. Non-finite floats have no syntax and print as Rust does.
pub fn pretty_literal(lit: &Literal) -> String {
    match lit {
        Literal::Int(n) => n.to_string(),
        // Debug keeps a `.0` or an exponent, so the text parses back as a float.
        Literal::Float(f) => format!("{f:?}"),
        Literal::Str(s) => pretty_string(s),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".into(),
        Literal::Date { year, month, day } => format!("d\"{year:04}-{month:02}-{day:02}\""),
    }
}

fn pipeline_into(p: &Pipeline, out: &mut String) {
    source_into(&p.source, out);
    for stage in &p.stages {
        out.push_str(" | ");
        stage_into(stage, out);
    }
}

fn source_into(source: &Source, out: &mut String) {
    match source {
        Source::Name(name) => out.push_str(&pretty_name(&name.name)),
        Source::Sub(p) => {
            out.push('(');
            pipeline_into(p, out);
            out.push(')');
        }
    }
}

fn list<T>(items: &[T], out: &mut String, mut each: impl FnMut(&T, &mut String)) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        each(item, out);
    }
}

fn item_into(item: &Item, out: &mut String) {
    match (&item.alias, item.alias_style) {
        (Some(alias), AliasStyle::Assign) => {
            let _ = write!(out, "{} = ", pretty_name(&alias.name));
            expr_into(&item.expr, out);
        }
        (Some(alias), _) => {
            expr_into(&item.expr, out);
            let _ = write!(out, " as {}", pretty_name(&alias.name));
        }
        (None, _) => expr_into(&item.expr, out),
    }
}

fn sort_key_into(key: &SortKey, out: &mut String) {
    expr_into(&key.expr, out);
    if key.explicit {
        out.push_str(match key.order {
            Order::Asc => " asc",
            Order::Desc => " desc",
        });
    }
}

fn stage_into(stage: &Stage, out: &mut String) {
    out.push_str(stage.kind.verb());
    match &stage.kind {
        StageKind::Where(e) => {
            out.push(' ');
            expr_into(e, out);
        }
        StageKind::Select(items) | StageKind::Derive(items) => {
            out.push(' ');
            list(items, out, item_into);
        }
        StageKind::Summarize { aggs, by } => {
            out.push(' ');
            list(aggs, out, item_into);
            if !by.is_empty() {
                out.push_str(" by ");
                list(by, out, item_into);
            }
        }
        StageKind::Count { by } => {
            if !by.is_empty() {
                out.push_str(" by ");
                list(by, out, item_into);
            }
        }
        StageKind::Sort(keys) => {
            out.push(' ');
            list(keys, out, sort_key_into);
        }
        StageKind::Take { n, .. } => {
            let _ = write!(out, " {n}");
        }
        StageKind::Top { n, key, per, .. } => {
            let _ = write!(out, " {n} by ");
            sort_key_into(key, out);
            if !per.is_empty() {
                out.push_str(" per ");
                list(per, out, |c, out| out.push_str(&pretty_name(&c.name)));
            }
        }
        StageKind::Distinct(cols) => {
            if !cols.is_empty() {
                out.push(' ');
                list(cols, out, |c, out| out.push_str(&pretty_name(&c.name)));
            }
        }
        StageKind::Join { kind, right, on } => {
            out.push_str(match kind {
                JoinKind::Inner => " ",
                JoinKind::Left => " left ",
                JoinKind::Semi => " semi ",
                JoinKind::Anti => " anti ",
            });
            source_into(right, out);
            out.push_str(" on ");
            list(on, out, |k, out| {
                out.push_str(&pretty_name(&k.left.name));
                if let Some(right) = &k.right {
                    let _ = write!(out, " == {}", pretty_name(&right.name));
                }
            });
        }
        StageKind::Rename(pairs) => {
            out.push(' ');
            list(pairs, out, |(new, old), out| {
                let _ = write!(
                    out,
                    "{} = {}",
                    pretty_name(&new.name),
                    pretty_name(&old.name)
                );
            });
        }
    }
}

/// Binding strength, loosest 1 … tightest 8 (atoms).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => binop_precedence(*op),
        ExprKind::Unary { op: UnOp::Not, .. } => 3,
        ExprKind::InList { .. } | ExprKind::IsNull { .. } => 4,
        ExprKind::Unary { op: UnOp::Neg, .. } => 7,
        _ => 8,
    }
}

fn binop_precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        _ => 4,
    }
}

const COMPARISON: u8 = 4;

fn operand_into(e: &Expr, parens: bool, out: &mut String) {
    if parens {
        out.push('(');
        expr_into(e, out);
        out.push(')');
    } else {
        expr_into(e, out);
    }
}

fn expr_into(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Lit(lit) => out.push_str(&pretty_literal(lit)),
        ExprKind::Column(name) => out.push_str(&pretty_name(name)),
        ExprKind::Param(name) => {
            out.push('$');
            out.push_str(name);
        }
        ExprKind::Binary { op, left, right } => {
            let p = binop_precedence(*op);
            // Left-associative; comparisons do not associate at all.
            let lp = precedence(left);
            operand_into(left, lp < p || (p == COMPARISON && lp == COMPARISON), out);
            let _ = write!(out, " {} ", op.symbol());
            operand_into(right, precedence(right) <= p, out);
        }
        ExprKind::Unary {
            op: UnOp::Not,
            operand,
        } => {
            out.push_str("not ");
            operand_into(operand, precedence(operand) < 3, out);
        }
        ExprKind::Unary {
            op: UnOp::Neg,
            operand,
        } => {
            let mut inner = String::new();
            operand_into(operand, precedence(operand) < 7, &mut inner);
            // `--` would start a comment.
            out.push_str(if inner.starts_with('-') { "- " } else { "-" });
            out.push_str(&inner);
        }
        ExprKind::Call { func, args } => {
            out.push_str(&func.name);
            out.push('(');
            list(args, out, expr_into);
            out.push(')');
        }
        ExprKind::InList {
            expr,
            list: items,
            negated,
        } => {
            operand_into(expr, precedence(expr) <= COMPARISON, out);
            out.push_str(if *negated { " not in [" } else { " in [" });
            list(items, out, expr_into);
            out.push(']');
        }
        ExprKind::IsNull { expr, negated } => {
            operand_into(expr, precedence(expr) <= COMPARISON, out);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            expr_into(inner, out);
            out.push(')');
        }
    }
}

/// Syntax tree nodes whose spans can be reset, to compare trees regardless of layout.
pub trait ClearSpans {
    /// Set every span in the tree to `Span::default()`.
    fn clear_spans(&mut self);
}

/// `tree` with every span reset to `Span::default()`.
pub fn strip_spans<T: ClearSpans>(mut tree: T) -> T {
    tree.clear_spans();
    tree
}

impl ClearSpans for Span {
    fn clear_spans(&mut self) {
        *self = Span::default();
    }
}

impl ClearSpans for Ident {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
    }
}

impl<T: ClearSpans> ClearSpans for Vec<T> {
    fn clear_spans(&mut self) {
        self.iter_mut().for_each(T::clear_spans);
    }
}

impl<T: ClearSpans> ClearSpans for Option<T> {
    fn clear_spans(&mut self) {
        if let Some(t) = self {
            t.clear_spans();
        }
    }
}

impl<T: ClearSpans> ClearSpans for Box<T> {
    fn clear_spans(&mut self) {
        (**self).clear_spans();
    }
}

impl<A: ClearSpans, B: ClearSpans> ClearSpans for (A, B) {
    fn clear_spans(&mut self) {
        self.0.clear_spans();
        self.1.clear_spans();
    }
}

impl ClearSpans for Script {
    fn clear_spans(&mut self) {
        self.statements.clear_spans();
    }
}

impl ClearSpans for Statement {
    fn clear_spans(&mut self) {
        match self {
            Statement::Let {
                name,
                pipeline,
                span,
            } => {
                name.clear_spans();
                pipeline.clear_spans();
                span.clear_spans();
            }
            Statement::Query(p) => p.clear_spans(),
        }
    }
}

impl ClearSpans for Pipeline {
    fn clear_spans(&mut self) {
        self.source.clear_spans();
        self.stages.clear_spans();
        self.span.clear_spans();
    }
}

impl ClearSpans for Source {
    fn clear_spans(&mut self) {
        match self {
            Source::Name(i) => i.clear_spans(),
            Source::Sub(p) => p.clear_spans(),
        }
    }
}

impl ClearSpans for Item {
    fn clear_spans(&mut self) {
        self.expr.clear_spans();
        self.alias.clear_spans();
        self.span.clear_spans();
    }
}

impl ClearSpans for SortKey {
    fn clear_spans(&mut self) {
        self.expr.clear_spans();
    }
}

impl ClearSpans for JoinKey {
    fn clear_spans(&mut self) {
        self.left.clear_spans();
        self.right.clear_spans();
    }
}

impl ClearSpans for Stage {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
        self.verb_span.clear_spans();
        match &mut self.kind {
            StageKind::Where(e) => e.clear_spans(),
            StageKind::Select(items) | StageKind::Derive(items) => items.clear_spans(),
            StageKind::Summarize { aggs, by } => {
                aggs.clear_spans();
                by.clear_spans();
            }
            StageKind::Count { by } => by.clear_spans(),
            StageKind::Sort(keys) => keys.clear_spans(),
            StageKind::Take { n_span, .. } => n_span.clear_spans(),
            StageKind::Top {
                n_span, key, per, ..
            } => {
                n_span.clear_spans();
                key.clear_spans();
                per.clear_spans();
            }
            StageKind::Distinct(cols) => cols.clear_spans(),
            StageKind::Join { right, on, .. } => {
                right.clear_spans();
                on.clear_spans();
            }
            StageKind::Rename(pairs) => pairs.clear_spans(),
        }
    }
}

impl ClearSpans for Expr {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
        match &mut self.kind {
            ExprKind::Lit(_) | ExprKind::Column(_) | ExprKind::Param(_) => {}
            ExprKind::Binary { left, right, .. } => {
                left.clear_spans();
                right.clear_spans();
            }
            ExprKind::Unary { operand, .. } => operand.clear_spans(),
            ExprKind::Call { func, args } => {
                func.clear_spans();
                args.clear_spans();
            }
            ExprKind::InList { expr, list, .. } => {
                expr.clear_spans();
                list.clear_spans();
            }
            ExprKind::IsNull { expr, .. } => expr.clear_spans(),
            ExprKind::Paren(inner) => inner.clear_spans(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }
    fn col(n: &str) -> Expr {
        e(ExprKind::Column(n.into()))
    }
    fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
        e(ExprKind::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
        })
    }
    fn neg(x: Expr) -> Expr {
        e(ExprKind::Unary {
            op: UnOp::Neg,
            operand: Box::new(x),
        })
    }

    #[test]
    fn names() {
        assert_eq!(pretty_name("负责单位"), "负责单位");
        assert_eq!(pretty_name("count"), "count");
        assert_eq!(pretty_name("by"), "`by`");
        assert_eq!(pretty_name("let"), "`let`");
        assert_eq!(pretty_name("a b"), "`a b`");
        assert_eq!(pretty_name("1st"), "`1st`");
        assert_eq!(pretty_name("a`b"), "`a``b`");
    }

    #[test]
    fn literals() {
        assert_eq!(pretty_string("a\"b\\c\nd\te'"), r#""a\"b\\c\nd\te'""#);
        assert_eq!(pretty_literal(&Literal::Float(1.0)), "1.0");
        assert_eq!(pretty_literal(&Literal::Float(1e20)), "1e20");
        assert_eq!(
            pretty_literal(&Literal::Date {
                year: 987,
                month: 1,
                day: 2
            }),
            "d\"0987-01-02\""
        );
    }

    #[test]
    fn parentheses_where_needed_only() {
        let (a, b, c) = (col("a"), col("b"), col("c"));
        let sum = bin(BinOp::Add, a.clone(), b.clone());
        assert_eq!(
            pretty_expr(&bin(BinOp::Mul, sum.clone(), c.clone())),
            "(a + b) * c"
        );
        assert_eq!(
            pretty_expr(&bin(BinOp::Add, c.clone(), sum.clone())),
            "c + (a + b)"
        );
        assert_eq!(
            pretty_expr(&bin(BinOp::Add, sum.clone(), c.clone())),
            "a + b + c"
        );
        let eq = bin(BinOp::Eq, a.clone(), b.clone());
        assert_eq!(pretty_expr(&bin(BinOp::Eq, eq, c.clone())), "(a == b) == c");
        assert_eq!(pretty_expr(&neg(neg(a.clone()))), "- -a");
        assert_eq!(pretty_expr(&neg(sum)), "-(a + b)");
        assert_eq!(pretty_expr(&bin(BinOp::Sub, b, neg(c))), "b - -c");
    }
}
