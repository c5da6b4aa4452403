//! The typed plan: what the checker hands on after it has resolved a pipeline — the tree
//! the compiler, `explain`, the REPL's completion and the no-match hints read, so that none
//! of them asks the checker anything again.
//!
//! Every node is resolved: a pipeline's source says whether it is a table of the catalog, a
//! `let` of the script (by index) or a sub-pipeline; every stage carries the columns it
//! reads and the columns it gives; every item its output name; every expression its
//! [`Type`], its span, whether it is the same on every row ([`Expr::constant`]) and
//! whether it holds an aggregate, and every call its [`FnId`]. A text literal compared
//! with a date (`deadline <= "2010-12-31"`) is already a date literal here. Nothing in this
//! module can fail: it is data, made by `check` and read by the stages after it. Like the
//! checker it knows nothing of polars (`tests/layers.rs`), so other targets (SQL, say) can
//! be written against it.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::lang::ast::{BinOp, JoinKind, Order, Span, UnOp};
use crate::plan::Date;

use super::functions::FnId;
use super::types::{Columns, Type};

/// A checked pipeline: `source | stage | …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Where its rows come from.
    pub source: Source,
    /// Its stages, in order; each one's input is the output of the one before (the
    /// source's columns for the first).
    pub stages: Vec<Stage>,
    /// The whole pipeline in the query text.
    pub span: Span,
}

impl Pipeline {
    /// The columns the pipeline gives: its last stage's output, or its source's columns.
    pub fn columns(&self) -> &Columns {
        self.output()
    }

    /// [`Pipeline::columns`], shared: a stage that keeps its input's columns (`where`,
    /// `sort`, `take` …) shares them rather than copying them.
    pub fn output(&self) -> &Arc<Columns> {
        self.stages
            .last()
            .map_or_else(|| self.source.output(), |s| &s.output)
    }

    /// The pipeline up to (not including) stage `n`: still a checked pipeline, since each
    /// stage depends only on the ones before it.
    pub fn prefix(&self, n: usize) -> Pipeline {
        Pipeline {
            source: self.source.clone(),
            stages: self.stages[..n.min(self.stages.len())].to_vec(),
            span: self.span,
        }
    }

    /// Calls `f` with every source the pipeline reads — its own, those of its
    /// sub-pipelines and the right sides of its joins — in the order the compiler meets
    /// them (a source before the stages that follow it, depth first).
    pub fn for_each_source<'p>(&'p self, f: &mut dyn FnMut(&'p Source)) {
        self.source.for_each(f);
        for stage in &self.stages {
            if let StageKind::Join { right, .. } = &stage.kind {
                right.for_each(f);
            }
        }
    }

    /// The plan as text, one stage a line with the columns it gives (`explain`): `text`
    /// is the query the spans point into.
    pub fn describe(&self, text: &str) -> String {
        let mut out = String::new();
        self.describe_into(text, 0, &mut out);
        out
    }

    fn describe_into(&self, text: &str, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match &self.source {
            Source::Table { name, columns, .. } => {
                let _ = writeln!(out, "{pad}table {name} → {}", typed_listing(columns));
            }
            Source::Binding { name, columns, .. } => {
                let _ = writeln!(out, "{pad}let {name} → {}", typed_listing(columns));
            }
            Source::Sub(p) => {
                let _ = writeln!(out, "{pad}(");
                p.describe_into(text, depth + 1, out);
                let _ = writeln!(out, "{pad})");
            }
        }
        for stage in &self.stages {
            let shown = text.get(stage.span.start..stage.span.end).unwrap_or("");
            let shown = shown.split_whitespace().collect::<Vec<_>>().join(" ");
            let columns = if stage.output == stage.input {
                "(columns unchanged)".to_string()
            } else {
                typed_listing(&stage.output)
            };
            let _ = writeln!(out, "{pad}| {shown} → {columns}");
            if let StageKind::Join {
                right: Source::Sub(p),
                ..
            } = &stage.kind
            {
                let _ = writeln!(out, "{pad}  right side:");
                p.describe_into(text, depth + 2, out);
            }
        }
    }
}

/// `name type, …`: columns with their types.
fn typed_listing(columns: &Columns) -> String {
    columns
        .0
        .iter()
        .map(|(n, t)| format!("{n} {t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a pipeline's rows come from, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table the catalog knows (a plan table, a registered or loaded one, or a `let`
    /// kept by the engine from an earlier call).
    Table {
        /// Its name.
        name: String,
        /// Where the name was written.
        span: Span,
        /// Its columns.
        columns: Arc<Columns>,
    },
    /// A `let` made earlier in the same script.
    Binding {
        /// Its name.
        name: String,
        /// Where the name was written.
        span: Span,
        /// Which of the script's `let`s (0 = the first), so the latest binding of a name
        /// bound twice is the one read.
        index: usize,
        /// Its columns.
        columns: Arc<Columns>,
    },
    /// A parenthesised pipeline.
    Sub(Box<Pipeline>),
}

impl Source {
    /// The source's columns.
    pub fn columns(&self) -> &Columns {
        self.output()
    }

    /// [`Source::columns`], shared.
    pub fn output(&self) -> &Arc<Columns> {
        match self {
            Source::Table { columns, .. } | Source::Binding { columns, .. } => columns,
            Source::Sub(p) => p.output(),
        }
    }

    /// Where the source was written.
    pub fn span(&self) -> Span {
        match self {
            Source::Table { span, .. } | Source::Binding { span, .. } => *span,
            Source::Sub(p) => p.span,
        }
    }

    fn for_each<'p>(&'p self, f: &mut dyn FnMut(&'p Source)) {
        f(self);
        if let Source::Sub(p) = self {
            p.for_each_source(f);
        }
    }
}

/// One checked stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// What it does, resolved.
    pub kind: StageKind,
    /// The columns it reads (the output of the stage before).
    pub input: Arc<Columns>,
    /// The columns it gives (the same, shared, when it keeps them).
    pub output: Arc<Columns>,
    /// The whole stage in the query text.
    pub span: Span,
    /// Its verb, as the language spells it (`where`, `take` for `limit` too …).
    pub verb: &'static str,
    /// Where the verb was written.
    pub verb_span: Span,
}

/// The stages, with typed expressions and resolved names.
#[derive(Debug, Clone, PartialEq)]
pub enum StageKind {
    /// `where` a condition (typed bool or null).
    Where(Expr),
    /// `select` items.
    Select(Vec<Item>),
    /// `derive` items: each sees the columns derived before it.
    Derive(Vec<Item>),
    /// `summarize` aggregates (or formulas of them) `by` grouping items.
    Summarize {
        /// The aggregate items.
        aggs: Vec<Item>,
        /// The grouping items (empty: the whole input is one group).
        by: Vec<Item>,
    },
    /// `count` rows, `by` grouping items; the count column is `count`.
    Count {
        /// The grouping items.
        by: Vec<Item>,
    },
    /// `sort` by keys.
    Sort(Vec<SortKey>),
    /// `take`/`limit` the first `n` rows.
    Take {
        /// How many.
        n: u64,
    },
    /// `top n by key [per columns]`.
    Top {
        /// How many rows (of each group).
        n: u64,
        /// The ranking key.
        key: SortKey,
        /// Group columns (empty: the whole input).
        per: Vec<String>,
    },
    /// `distinct` on these columns (empty: on every column, which all stay).
    Distinct(Vec<String>),
    /// A join.
    Join {
        /// Inner, left, semi or anti.
        kind: JoinKind,
        /// The right side.
        right: Source,
        /// The key pairs, with the type each side is compared as.
        on: Vec<JoinKey>,
        /// The right side's columns that come out (not for semi and anti joins): its name
        /// there, and its name in the output (`_right`, `_right2` … when the left has it).
        right_columns: Vec<(String, String)>,
    },
    /// `rename` pairs: (new name, old name).
    Rename(Vec<(String, String)>),
}

/// An output item: an expression and the name of its column.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The value.
    pub expr: Expr,
    /// The output column's name: the alias, the column's name, or the source text.
    pub name: String,
    /// The whole item.
    pub span: Span,
}

/// A sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The key.
    pub expr: Expr,
    /// Ascending or descending.
    pub order: Order,
}

/// A join key pair, with the types the checker resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinKey {
    /// The left side's column.
    pub left: String,
    /// The right side's column.
    pub right: String,
    /// The left column's type.
    pub left_type: Type,
    /// The right column's type.
    pub right_type: Type,
    /// The type both are compared as, which the kept (left) key has in the output: int
    /// with float compare as floats, a null key takes the other side's type.
    pub key_type: Type,
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
    /// It reads no column, so it is the same on every row (a literal, a parameter, or
    /// functions and operators of those).
    pub constant: bool,
    /// It calls an aggregate somewhere.
    pub aggregate: bool,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A text.
    Str(String),
    /// true / false.
    Bool(bool),
    /// `null` (typed as whatever the expression's type says).
    Null,
    /// A date: `d"2010-12-31"`, or a text literal compared with a date.
    Date(Date),
}

/// Typed expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Literal),
    /// A column of the input.
    Column(String),
    /// `$name`: a parameter whose value the engine holds.
    Param(String),
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `op operand`.
    Unary {
        /// The operator.
        op: UnOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A call of a function of the table.
    Call {
        /// Which function.
        id: FnId,
        /// Where its name was written.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `expr [not] in [a, …]`.
    InList {
        /// The tested value.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `expr is [not] null`.
    IsNull {
        /// The tested value.
        expr: Box<Expr>,
        /// `is not null`.
        negated: bool,
    },
    /// `(expr)`.
    Paren(Box<Expr>),
}

impl Expr {
    /// Calls `f` with every column this expression reads, with the span of each mention,
    /// in source order.
    pub fn for_each_column<'e>(&'e self, f: &mut dyn FnMut(&'e str, Span)) {
        match &self.kind {
            ExprKind::Column(name) => f(name, self.span),
            ExprKind::Lit(_) | ExprKind::Param(_) => {}
            ExprKind::Paren(x) | ExprKind::IsNull { expr: x, .. } => x.for_each_column(f),
            ExprKind::Unary { operand, .. } => operand.for_each_column(f),
            ExprKind::Binary { left, right, .. } => {
                left.for_each_column(f);
                right.for_each_column(f);
            }
            ExprKind::InList { expr, list, .. } => {
                expr.for_each_column(f);
                list.iter().for_each(|x| x.for_each_column(f));
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|x| x.for_each_column(f)),
        }
    }

    /// The expression inside any parentheses.
    pub fn unparen(&self) -> &Expr {
        match &self.kind {
            ExprKind::Paren(inner) => inner.unparen(),
            _ => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, at: usize) -> Expr {
        Expr {
            kind: ExprKind::Column(name.into()),
            ty: Type::Int,
            span: Span::new(at, at + name.len()),
            constant: false,
            aggregate: false,
        }
    }

    #[test]
    fn columns_are_listed_in_source_order_through_every_form() {
        let sum = Expr {
            kind: ExprKind::Binary {
                op: BinOp::Add,
                left: Box::new(column("a", 0)),
                right: Box::new(Expr {
                    kind: ExprKind::Paren(Box::new(column("b", 5))),
                    ty: Type::Int,
                    span: Span::new(4, 7),
                    constant: false,
                    aggregate: false,
                }),
            },
            ty: Type::Int,
            span: Span::new(0, 7),
            constant: false,
            aggregate: false,
        };
        let mut seen = Vec::new();
        sum.for_each_column(&mut |n, s| seen.push((n.to_string(), s.start)));
        assert_eq!(seen, [("a".to_string(), 0), ("b".to_string(), 5)]);
    }

    #[test]
    fn a_prefix_ends_with_the_columns_of_its_last_stage() {
        let cols = |names: &[&str]| {
            Arc::new(Columns(
                names.iter().map(|n| (n.to_string(), Type::Int)).collect(),
            ))
        };
        let p = Pipeline {
            source: Source::Table {
                name: "t".into(),
                span: Span::new(0, 1),
                columns: cols(&["a", "b"]),
            },
            stages: vec![Stage {
                kind: StageKind::Distinct(vec!["a".into()]),
                input: cols(&["a", "b"]),
                output: cols(&["a"]),
                span: Span::new(4, 14),
                verb: "distinct",
                verb_span: Span::new(4, 12),
            }],
            span: Span::new(0, 14),
        };
        assert_eq!(p.columns(), &*cols(&["a"]));
        assert_eq!(p.prefix(0).columns(), &*cols(&["a", "b"]));
        assert_eq!(
            p.describe("t | distinct a"),
            "table t → a int, b int\n| distinct a → a int\n"
        );
    }
}
