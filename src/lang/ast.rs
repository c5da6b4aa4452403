//! The abstract syntax tree of planq queries.
//!
//! The front end (this module, the parser and the pretty-printer) knows nothing of polars:
//! it only describes what the user wrote, with the byte span of every node so that later
//! stages can point diagnostics at the exact text at fault.

use serde::Serialize;

/// A byte range `start..end` in the query source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// First byte of the node.
    pub start: usize,
    /// One past the last byte of the node.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// True when the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A name as written (identifier or backtick-quoted), with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    /// The name, with backticks removed.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A whole script: statements in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Script {
    /// The statements, in source order.
    pub statements: Vec<Statement>,
}

/// One statement: a `let` binding or a pipeline whose result is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Statement {
    /// `let name = pipeline`
    Let {
        /// The bound name.
        name: Ident,
        /// The pipeline bound to it.
        pipeline: Pipeline,
        /// The whole statement.
        span: Span,
    },
    /// A pipeline whose result is the statement's output.
    Query(Pipeline),
}

impl Statement {
    /// The span of the whole statement.
    pub fn span(&self) -> Span {
        match self {
            Statement::Let { span, .. } => *span,
            Statement::Query(p) => p.span,
        }
    }
}

/// `source | stage | stage …`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    /// Where rows come from.
    pub source: Source,
    /// The stages, applied left to right.
    pub stages: Vec<Stage>,
    /// The whole pipeline.
    pub span: Span,
}

impl Pipeline {
    /// Calls `f` with every table name the pipeline reads: its source, the sources of
    /// sub-pipelines and the right sides of joins, in source order.
    pub fn for_each_table_name(&self, f: &mut dyn FnMut(&Ident)) {
        self.source.for_each_table_name(f);
        for stage in &self.stages {
            if let StageKind::Join { right, .. } = &stage.kind {
                right.for_each_table_name(f);
            }
        }
    }

    /// Every stage of the pipeline, its sub-pipelines' (source and join sides) included.
    pub fn stage_count(&self) -> usize {
        let sub = |s: &Source| match s {
            Source::Name(_) => 0,
            Source::Sub(p) => p.stage_count(),
        };
        let joined: usize = self
            .stages
            .iter()
            .map(|stage| match &stage.kind {
                StageKind::Join { right, .. } => sub(right),
                _ => 0,
            })
            .sum();
        self.stages.len() + sub(&self.source) + joined
    }
}

impl Source {
    fn for_each_table_name(&self, f: &mut dyn FnMut(&Ident)) {
        match self {
            Source::Name(i) => f(i),
            Source::Sub(p) => p.for_each_table_name(f),
        }
    }
}

/// The start of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Source {
    /// A table or `let`-bound name.
    Name(Ident),
    /// A parenthesised pipeline.
    Sub(Box<Pipeline>),
}

impl Source {
    /// The span of the source.
    pub fn span(&self) -> Span {
        match self {
            Source::Name(i) => i.span,
            Source::Sub(p) => p.span,
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Order {
    /// Ascending (the default).
    Asc,
    /// Descending.
    Desc,
}

/// One sort key: `expr [asc|desc]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    /// The key expression.
    pub expr: Expr,
    /// Direction; `explicit` tells whether the user wrote it.
    pub order: Order,
    /// Whether `asc`/`desc` was written (for faithful pretty-printing).
    pub explicit: bool,
}

/// An output item: `expr`, `expr as name` or `name = expr`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The value.
    pub expr: Expr,
    /// The output name, if given.
    pub alias: Option<Ident>,
    /// How the alias was written (`as` or `=`), for faithful pretty-printing.
    pub alias_style: AliasStyle,
    /// The whole item.
    pub span: Span,
}

/// How an item's name was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AliasStyle {
    /// No alias.
    None,
    /// `expr as name`
    As,
    /// `name = expr`
    Assign,
}

/// Join kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    /// Rows with a match on both sides (the default).
    Inner,
    /// Every left row; right columns null when unmatched.
    Left,
    /// Left rows that have a match (left columns only).
    Semi,
    /// Left rows that have no match (left columns only).
    Anti,
}

/// One join key pair: `left [== right]` (right defaults to the same name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinKey {
    /// Column of the left (pipeline) side.
    pub left: Ident,
    /// Column of the right side; `None` when only one name was written.
    pub right: Option<Ident>,
}

/// A pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// What the stage does.
    pub kind: StageKind,
    /// The whole stage, from its verb to its last token.
    pub span: Span,
    /// The verb's span (e.g. `where`).
    pub verb_span: Span,
}

/// The stage verbs and their arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StageKind {
    /// `where EXPR`
    Where(Expr),
    /// `select ITEM, …`
    Select(Vec<Item>),
    /// `derive name = expr, …` (items always have an alias)
    Derive(Vec<Item>),
    /// `summarize AGG, … [by ITEM, …]`
    Summarize {
        /// Aggregate items.
        aggs: Vec<Item>,
        /// Grouping items (empty: one row for the whole table).
        by: Vec<Item>,
    },
    /// `count [by ITEM, …]`
    Count {
        /// Grouping items.
        by: Vec<Item>,
    },
    /// `sort [by] key, …`
    Sort(Vec<SortKey>),
    /// `take N` / `limit N`
    Take {
        /// Number of rows.
        n: u64,
        /// Span of the number.
        n_span: Span,
    },
    /// `top N by key [per col, …]`
    Top {
        /// Number of rows.
        n: u64,
        /// Span of the number.
        n_span: Span,
        /// The ranking key.
        key: SortKey,
        /// Group columns: the top `n` rows of each group (empty: of the whole input).
        per: Vec<Ident>,
    },
    /// `distinct [col, …]`
    Distinct(Vec<Ident>),
    /// `join [kind] SOURCE on key, …`
    Join {
        /// Join kind.
        kind: JoinKind,
        /// The right-hand side.
        right: Source,
        /// Key pairs.
        on: Vec<JoinKey>,
    },
    /// `rename new = old, …`
    Rename(Vec<(Ident, Ident)>),
}

impl StageKind {
    /// The verb as written in the language (`where`, `select`, …).
    pub fn verb(&self) -> &'static str {
        match self {
            StageKind::Where(_) => "where",
            StageKind::Select(_) => "select",
            StageKind::Derive(_) => "derive",
            StageKind::Summarize { .. } => "summarize",
            StageKind::Count { .. } => "count",
            StageKind::Sort(_) => "sort",
            StageKind::Take { .. } => "take",
            StageKind::Top { .. } => "top",
            StageKind::Distinct(_) => "distinct",
            StageKind::Join { .. } => "join",
            StageKind::Rename(_) => "rename",
        }
    }
}

/// Every stage verb the parser accepts after `|` (aliases included).
pub const VERBS: &[&str] = &[
    "where",
    "select",
    "derive",
    "summarize",
    "count",
    "sort",
    "take",
    "limit",
    "top",
    "distinct",
    "join",
    "rename",
];

/// Literal values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    /// `42`
    Int(i64),
    /// `4.2`
    Float(f64),
    /// `"text"` or `'text'`
    Str(String),
    /// `true` / `false`
    Bool(bool),
    /// `null`
    Null,
    /// `d"2010-12-31"`: days are kept as (year, month, day); the checker validates them.
    Date {
        /// Year.
        year: i32,
        /// Month 1–12.
        month: u32,
        /// Day 1–31.
        day: u32,
    },
}

/// Binary operators, loosest binding first: `or`, `and`, comparisons, `+ -`, `* / %`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~` case-insensitive substring contains
    Like,
    /// `!~` its negation
    NotLike,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (true division)
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Like => "~",
            BinOp::NotLike => "!~",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Expression forms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// A literal value.
    Lit(Literal),
    /// A column name.
    Column(String),
    /// `$name` (the name without `$`).
    Param(String),
    /// `left op right`
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `op operand`
    Unary {
        /// Operator.
        op: UnOp,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `name(args…)`: scalar function or aggregate; the checker decides which.
    Call {
        /// Function name with its span.
        func: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `expr [not] in [a, b, …]`
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// Candidate values.
        list: Vec<Expr>,
        /// `not in`
        negated: bool,
    },
    /// `expr is [not] null`
    IsNull {
        /// Tested value.
        expr: Box<Expr>,
        /// `is not null`
        negated: bool,
    },
    /// `(expr)`: kept so pretty-printing and naming reproduce the source.
    Paren(Box<Expr>),
}
