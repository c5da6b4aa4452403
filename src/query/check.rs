//! The checker: names, types, arity and aggregate placement, against the schemas of the
//! tables — before anything runs. Every mistake becomes a diagnostic pointing at the exact
//! span of the query, with a did-you-mean where one is close. Nothing here knows polars.
//!
//! What it accepts it hands on as a [typed plan](super::typed): sources resolved, each
//! stage's columns, each expression's type, each call's function — all the compiler needs,
//! so the compiler never calls back here and has no user error left to report.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::{
    self, BinOp, Expr, ExprKind, Item, Literal, Pipeline, Span, Stage, StageKind, UnOp,
};
use crate::lang::suggest::{closest, closest_many};
use crate::plan::Date;

use super::functions::{self, Kind, FUNCTIONS};
use super::typed;
use super::types::{Columns, Type};

/// What the checker needs to know about the world: tables and parameters.
pub trait Catalog {
    /// The columns of a table or engine-level `let` binding.
    fn table(&self, name: &str) -> Option<Columns>;
    /// Every table name (for suggestions).
    fn table_names(&self) -> Vec<String>;
    /// The type of a parameter's value.
    fn param(&self, name: &str) -> Option<Type>;
    /// Every parameter name (for suggestions).
    fn param_names(&self) -> Vec<String>;
}

/// Where an expression stands, which decides whether aggregates are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Row by row: `where`, `select`, `derive`, `sort`, grouping keys.
    Row,
    /// A `summarize` item: aggregate calls, and constants and functions around them
    /// (`max(v1) - min(v2)`); a column only inside an aggregate.
    Summary,
    /// Inside an aggregate's arguments: scalar only, no nested aggregates.
    InAggregate,
}

/// A function call being typed: what a function's typing rule
/// ([`Function::typing`](super::functions::Function::typing)) sees — its arguments and
/// their types — and the diagnostics it may give about them.
pub struct Call<'c> {
    checker: &'c Checker<'c>,
    name: &'static str,
    call: &'c Expr,
    args: &'c [Expr],
    types: &'c [Type],
}

impl Call<'_> {
    /// The number of arguments.
    pub fn arity(&self) -> usize {
        self.args.len()
    }

    /// The type of argument `i` (null past the last).
    pub fn ty(&self, i: usize) -> Type {
        self.types.get(i).copied().unwrap_or(Type::Null)
    }

    /// Argument `i`, or an internal error (arity is checked before typing).
    fn arg(&self, i: usize) -> Result<&Expr, Error> {
        self.args.get(i).ok_or_else(|| {
            err(
                self.checker.source,
                Code::Internal,
                self.call.span,
                format!("`{}` lost argument {}", self.name, i + 1),
                "here",
            )
        })
    }

    /// Argument `i` as a text literal, if it is one.
    pub fn str_literal(&self, i: usize) -> Option<&str> {
        match &self.args.get(i)?.kind {
            ExprKind::Lit(Literal::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Argument `i` as an integer literal, if it is one.
    pub fn int_literal(&self, i: usize) -> Option<i64> {
        match self.args.get(i)?.kind {
            ExprKind::Lit(Literal::Int(d)) => Some(d),
            _ => None,
        }
    }

    /// Whether argument `i` is the same on every row (see [`constant`]).
    pub fn constant(&self, i: usize) -> bool {
        self.args.get(i).is_some_and(constant)
    }

    /// Requires argument `i`'s type to pass `ok`; else "`name` needs `what`" at it.
    pub fn need(&self, i: usize, ok: fn(Type) -> bool, what: &str) -> Result<(), Error> {
        if ok(self.ty(i)) {
            Ok(())
        } else {
            Err(self.wrong_type(i, &format!("`{}` needs {what}", self.name)))
        }
    }

    /// Argument `i` has the wrong type: `what` says what was needed.
    pub fn wrong_type(&self, i: usize, what: &str) -> Error {
        match self.arg(i) {
            Ok(e) => self.checker.wrong_type(e, self.ty(i), what),
            Err(e) => e,
        }
    }

    /// Argument `i` does not fit with the other values of type `want` in `op`.
    pub fn mismatch(&self, i: usize, want: Type, op: &str) -> Error {
        match self.arg(i) {
            Ok(e) => self.checker.mismatch(e, self.ty(i), want, op),
            Err(e) => e,
        }
    }

    /// Argument `i` is a regular expression that does not compile: `message` says why.
    pub fn bad_regex(&self, i: usize, message: &str) -> Error {
        let e = match self.arg(i) {
            Ok(e) => e,
            Err(e) => return e,
        };
        err(
            self.checker.source,
            Code::CheckBadRegex,
            e.span,
            "invalid regular expression".into(),
            first_line(message),
        )
        .with_help("escape special characters with \\\\, e.g. \"\\\\(\" for a literal parenthesis; for plain text use contains()")
    }
}

/// Checks statements and expressions of one script.
pub struct Checker<'a> {
    catalog: &'a dyn Catalog,
    source: &'a Source,
    /// `let` bindings made earlier in this script (latest last).
    lets: Vec<(String, Arc<Columns>)>,
    /// The latest binding of each name in `lets`: a script of thousands of `let`s must
    /// not scan them all at every name.
    let_at: HashMap<String, usize>,
}

/// A query error at `span`.
fn err(
    source: &Source,
    code: Code,
    span: Span,
    message: String,
    label: impl Into<String>,
) -> Error {
    Error::new(ErrorKind::Query, code, message).at(source, span, label)
}

fn quoted_list<'s>(names: impl IntoIterator<Item = &'s str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Checker<'a> {
    /// A checker for the script in `source`.
    pub fn new(catalog: &'a dyn Catalog, source: &'a Source) -> Self {
        Checker {
            catalog,
            source,
            lets: Vec::new(),
            let_at: HashMap::new(),
        }
    }

    /// The script's source.
    pub fn source(&self) -> &Source {
        self.source
    }

    /// Records a `let` binding made by this script.
    pub fn bind(&mut self, name: &str, columns: Columns) {
        self.let_at.insert(name.to_string(), self.lets.len());
        self.lets.push((name.to_string(), Arc::new(columns)));
    }

    /// The source text of a span.
    pub fn text(&self, span: Span) -> &str {
        self.source
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .trim()
    }

    /// The output name of an item: its alias, its column name, or its source text.
    pub fn item_name(&self, item: &Item) -> String {
        if let Some(alias) = &item.alias {
            return alias.name.clone();
        }
        match &item.expr.kind {
            ExprKind::Column(name) => name.clone(),
            _ => self.text(item.expr.span).to_string(),
        }
    }

    /// The source of a pipeline, resolved: a `let` of this script, a table of the
    /// catalog, or a checked sub-pipeline.
    fn source_of(&self, source: &ast::Source) -> Result<typed::Source, Error> {
        match source {
            ast::Source::Sub(p) => Ok(typed::Source::Sub(Box::new(self.pipeline(p)?))),
            ast::Source::Name(ident) => {
                if let Some(&i) = self.let_at.get(&ident.name) {
                    return Ok(typed::Source::Binding {
                        name: ident.name.clone(),
                        span: ident.span,
                        index: i,
                        columns: Arc::clone(&self.lets[i].1),
                    });
                }
                if let Some(columns) = self.catalog.table(&ident.name) {
                    return Ok(typed::Source::Table {
                        name: ident.name.clone(),
                        span: ident.span,
                        columns: Arc::new(columns),
                    });
                }
                let mut names: Vec<String> = self.lets.iter().map(|(n, _)| n.clone()).collect();
                names.extend(self.catalog.table_names());
                let help = match closest(&ident.name, names.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("tables: {}", quoted_list(names.iter().map(String::as_str))),
                };
                Err(err(
                    self.source,
                    Code::CheckUnknownTable,
                    ident.span,
                    format!("unknown table `{}`", ident.name),
                    "no table or `let` binding has this name",
                )
                .with_help(help))
            }
        }
    }

    /// Checks a pipeline: its typed plan, or the first mistake.
    pub fn pipeline(&self, p: &Pipeline) -> Result<typed::Pipeline, Error> {
        match self.pipeline_so_far(p)? {
            (plan, None) => Ok(plan),
            (_, Some(e)) => Err(e),
        }
    }

    /// Checks a pipeline as far as it goes: the typed plan of its source and of every
    /// stage before the first mistake, and that mistake, if any. An error only when the
    /// source itself does not check. Completion asks this of a pipeline being typed.
    pub fn pipeline_so_far(&self, p: &Pipeline) -> Result<(typed::Pipeline, Option<Error>), Error> {
        let source = self.source_of(&p.source)?;
        let mut plan = typed::Pipeline {
            source,
            stages: Vec::with_capacity(p.stages.len()),
            span: p.span,
        };
        for stage in &p.stages {
            match self.stage(stage, plan.output()) {
                Ok(s) => plan.stages.push(s),
                Err(e) => return Ok((plan, Some(e))),
            }
        }
        Ok((plan, None))
    }

    /// Checks one stage against its input columns.
    pub fn stage(&self, stage: &Stage, input: &Arc<Columns>) -> Result<typed::Stage, Error> {
        let (kind, output) = self.stage_kind(stage, input)?;
        Ok(typed::Stage {
            kind,
            input: Arc::clone(input),
            output: output.map_or_else(|| Arc::clone(input), Arc::new),
            span: stage.span,
            verb: stage.kind.verb(),
            verb_span: stage.verb_span,
        })
    }

    /// A stage's typed form and its output columns (`None`: its input's).
    fn stage_kind(
        &self,
        stage: &Stage,
        input: &Columns,
    ) -> Result<(typed::StageKind, Option<Columns>), Error> {
        use typed::StageKind as T;
        Ok(match &stage.kind {
            StageKind::Where(e) => {
                let x = self.expr(e, input, Place::Row)?;
                if !x.ty.is_bool() {
                    return Err(err(
                        self.source,
                        Code::CheckNotACondition,
                        e.span,
                        "`where` needs a condition".into(),
                        format!("this is a {}, not true/false", x.ty),
                    )
                    .with_help(
                        "compare it, e.g. `x == \"…\"`, `x > 0`, `x ~ \"part\"` or `x is not null`",
                    ));
                }
                (T::Where(x), None)
            }
            StageKind::Select(items) => {
                let mut out = Columns::default();
                let mut typed_items = Vec::with_capacity(items.len());
                for item in items {
                    let x = self.expr(&item.expr, input, Place::Row)?;
                    typed_items.push(self.add_unique(&mut out, item, x)?);
                }
                (T::Select(typed_items), Some(out))
            }
            StageKind::Derive(items) => {
                // Items see the columns derived before them: `derive a = x + 1, b = a * 2`.
                let mut out = input.clone();
                let mut typed_items = Vec::with_capacity(items.len());
                for item in items {
                    let x = self.expr(&item.expr, &out, Place::Row)?;
                    let name = self.item_name(item);
                    out.set(&name, x.ty);
                    typed_items.push(typed::Item {
                        expr: x,
                        name,
                        span: item.span,
                    });
                }
                (T::Derive(typed_items), Some(out))
            }
            StageKind::Summarize { aggs, by } => {
                let mut out = Columns::default();
                let mut keys = Vec::with_capacity(by.len());
                for item in by {
                    let x = self.expr(&item.expr, input, Place::Row)?;
                    keys.push(self.add_unique(&mut out, item, x)?);
                }
                let mut values = Vec::with_capacity(aggs.len());
                for item in aggs {
                    let x = self.summary_item(&item.expr, input)?;
                    values.push(self.add_unique(&mut out, item, x)?);
                }
                (
                    T::Summarize {
                        aggs: values,
                        by: keys,
                    },
                    Some(out),
                )
            }
            StageKind::Count { by } => {
                let mut out = Columns::default();
                let mut keys = Vec::with_capacity(by.len());
                for item in by {
                    let x = self.expr(&item.expr, input, Place::Row)?;
                    keys.push(self.add_unique(&mut out, item, x)?);
                }
                if out.get("count").is_some() {
                    return Err(err(
                        self.source,
                        Code::CheckDuplicateColumn,
                        stage.verb_span,
                        "`count` would add a second column named `count`".into(),
                        "the count column is called `count`",
                    )
                    .with_help("rename the grouping column: `count by n = count`, or use `summarize k = count() by count`"));
                }
                out.set("count", Type::Int);
                (T::Count { by: keys }, Some(out))
            }
            StageKind::Sort(keys) => {
                let keys = keys
                    .iter()
                    .map(|k| self.sort_key(k, input))
                    .collect::<Result<_, _>>()?;
                (T::Sort(keys), None)
            }
            StageKind::Take { n, .. } => (T::Take { n: *n }, None),
            StageKind::Top { n, key, per, .. } => {
                let key = self.sort_key(key, input)?;
                for (i, c) in per.iter().enumerate() {
                    self.column(&c.name, c.span, input)?;
                    if per[..i].iter().any(|p| p.name == c.name) {
                        return Err(err(
                            self.source,
                            Code::CheckDuplicateColumn,
                            c.span,
                            format!("`{}` is named twice after `per`", c.name),
                            "named already",
                        )
                        .with_help("name each group column once"));
                    }
                }
                let per = per.iter().map(|c| c.name.clone()).collect();
                (T::Top { n: *n, key, per }, None)
            }
            StageKind::Distinct(cols) => {
                if cols.is_empty() {
                    return Ok((T::Distinct(Vec::new()), None));
                }
                let mut out = Columns::default();
                for c in cols {
                    let t = self.column(&c.name, c.span, input)?;
                    out.set(&c.name, t);
                }
                let names = cols.iter().map(|c| c.name.clone()).collect();
                (T::Distinct(names), Some(out))
            }
            StageKind::Join { kind, right, on } => self.join(*kind, right, on, input)?,
            StageKind::Rename(pairs) => {
                let mut out = input.clone();
                let mut renamed: Vec<&str> = Vec::new();
                for (new, old) in pairs {
                    let t = self.column(&old.name, old.span, input)?;
                    if renamed.contains(&old.name.as_str()) {
                        return Err(err(
                            self.source,
                            Code::CheckDuplicateColumn,
                            old.span,
                            format!("`{}` is renamed twice", old.name),
                            "renamed already in this stage",
                        )
                        .with_help(format!(
                            "rename it once; for a copy under a second name use `derive {} = {}`",
                            new.name, old.name
                        )));
                    }
                    renamed.push(&old.name);
                    if new.name != old.name && out.get(&new.name).is_some() {
                        return Err(err(
                            self.source,
                            Code::CheckDuplicateColumn,
                            new.span,
                            format!("a column named `{}` already exists", new.name),
                            "this name is taken",
                        )
                        .with_help(
                            "choose another name, or `select` away the existing column first",
                        ));
                    }
                    if let Some(slot) = out.0.iter_mut().find(|(n, _)| *n == old.name) {
                        *slot = (new.name.clone(), t);
                    }
                }
                let pairs = pairs
                    .iter()
                    .map(|(new, old)| (new.name.clone(), old.name.clone()))
                    .collect();
                (T::Rename(pairs), Some(out))
            }
        })
    }

    fn sort_key(&self, k: &ast::SortKey, input: &Columns) -> Result<typed::SortKey, Error> {
        Ok(typed::SortKey {
            expr: self.expr(&k.expr, input, Place::Row)?,
            order: k.order,
        })
    }

    fn join(
        &self,
        kind: ast::JoinKind,
        right: &ast::Source,
        on: &[ast::JoinKey],
        left: &Columns,
    ) -> Result<(typed::StageKind, Option<Columns>), Error> {
        let right = self.source_of(right)?;
        let right_cols = right.columns();
        let mut keys = Vec::with_capacity(on.len());
        for key in on {
            let lt = self.column(&key.left.name, key.left.span, left)?;
            let r = key.right.as_ref().unwrap_or(&key.left);
            let rt = match right_cols.get(&r.name) {
                Some(t) => t,
                None => {
                    let help = match closest(&r.name, right_cols.names()) {
                        Some(c) => format!(
                            "did you mean `{c}`? (right-side columns: {})",
                            right_cols.listing()
                        ),
                        None => format!("the right side has: {}", right_cols.listing()),
                    };
                    return Err(err(
                        self.source,
                        Code::CheckUnknownColumn,
                        r.span,
                        format!("the right side of the join has no column `{}`", r.name),
                        "not a column of the right side",
                    )
                    .with_help(help));
                }
            };
            let compatible = lt == rt
                || lt == Type::Null
                || rt == Type::Null
                || (lt.is_numeric() && rt.is_numeric());
            if !compatible {
                return Err(err(
                    self.source,
                    Code::CheckTypeMismatch,
                    key.left.span.to(r.span),
                    format!("cannot join a key of type {lt} with a key of type {rt}"),
                    format!("{lt} on the left, {rt} on the right"),
                )
                .with_help("convert one side first, e.g. `derive k = to_str(k)`"));
            }
            // Keys of different types are made alike before joining, and the kept (left)
            // key has that type: int with float compare as floats, null takes the other's.
            let key_type = match (lt, rt) {
                (a, b) if a == b => a,
                (Type::Null, b) => b,
                (a, Type::Null) => a,
                _ => Type::Float,
            };
            keys.push(typed::JoinKey {
                left: key.left.name.clone(),
                right: r.name.clone(),
                left_type: lt,
                right_type: rt,
                key_type,
            });
        }
        if matches!(kind, ast::JoinKind::Semi | ast::JoinKind::Anti) {
            let stage = typed::StageKind::Join {
                kind,
                right,
                on: keys,
                right_columns: Vec::new(),
            };
            return Ok((stage, None));
        }
        let mut out = left.clone();
        for k in &keys {
            if k.key_type != k.left_type {
                out.set(&k.left, k.key_type);
            }
        }
        let right_keys: Vec<String> = keys.iter().map(|k| k.right.clone()).collect();
        let right_columns = join_output_names(left, right_cols, &right_keys);
        for (name, out_name) in &right_columns {
            if let Some(t) = right_cols.get(name) {
                out.set(out_name, t);
            }
        }
        let stage = typed::StageKind::Join {
            kind,
            right,
            on: keys,
            right_columns,
        };
        Ok((stage, Some(out)))
    }

    /// Adds an item's column to `out`, refusing a second column of the same name.
    fn add_unique(
        &self,
        out: &mut Columns,
        item: &Item,
        expr: typed::Expr,
    ) -> Result<typed::Item, Error> {
        let name = self.item_name(item);
        if out.get(&name).is_some() {
            return Err(err(
                self.source,
                Code::CheckDuplicateColumn,
                item.span,
                format!("two output columns would be named `{name}`"),
                "second column with this name",
            )
            .with_help("name it: `expression as other_name`"));
        }
        out.set(&name, expr.ty);
        Ok(typed::Item {
            expr,
            name,
            span: item.span,
        })
    }

    /// The type of a column, or an unknown-column diagnostic.
    pub fn column(&self, name: &str, span: Span, cols: &Columns) -> Result<Type, Error> {
        if let Some(t) = cols.get(name) {
            return Ok(t);
        }
        let help = if let Some(c) = closest(name, cols.names()) {
            format!("did you mean `{c}`?")
        } else if self.catalog.table(name).is_some() || self.let_at.contains_key(name) {
            format!("`{name}` is a table: start a pipeline with it, or `join {name} on …`; columns here: {}", cols.listing())
        } else {
            format!("columns here: {}", cols.listing())
        };
        Err(err(
            self.source,
            Code::CheckUnknownColumn,
            span,
            format!("unknown column `{name}`"),
            "no such column at this point of the pipeline",
        )
        .with_help(help))
    }

    /// An expression in `cols`, at `place`, typed.
    #[recursive::recursive]
    pub fn expr(&self, e: &Expr, cols: &Columns, place: Place) -> Result<typed::Expr, Error> {
        match &e.kind {
            // In a `summarize` formula (`max(v1) - min(v2)`) columns stand inside aggregates.
            ExprKind::Column(name) if place == Place::Summary => {
                self.column(name, e.span, cols)?;
                Err(err(
                    self.source,
                    Code::CheckExpectedAggregate,
                    e.span,
                    format!("`{name}` is outside an aggregate"),
                    "a column of each row, not of the group",
                )
                .with_help(format!(
                    "aggregate it, e.g. `max({name})`, or group by it: `… by {name}`"
                )))
            }
            _ => self.expr_kind(e, cols, place),
        }
    }

    /// A `summarize` item: an aggregate, or a formula of aggregates and constants
    /// (`max(v1) - min(v2)`, `pow(corr(x, y), 2)`).
    fn summary_item(&self, e: &Expr, cols: &Columns) -> Result<typed::Expr, Error> {
        if !has_aggregate(e) {
            return Err(err(
                self.source,
                Code::CheckExpectedAggregate,
                e.span,
                "`summarize` items must be aggregates".into(),
                "not an aggregate",
            )
            .with_help("use an aggregate such as `count()`, `sum(x)`, `avg(x)`, `max(x)`, `concat(x)`; group keys go after `by`"));
        }
        self.expr(e, cols, Place::Summary)
    }

    fn expr_kind(&self, e: &Expr, cols: &Columns, place: Place) -> Result<typed::Expr, Error> {
        use typed::ExprKind as T;
        let boxed = |x: typed::Expr| Box::new(x);
        Ok(match &e.kind {
            ExprKind::Lit(l) => {
                let (lit, ty) = match l {
                    Literal::Int(i) => (typed::Literal::Int(*i), Type::Int),
                    Literal::Float(f) => (typed::Literal::Float(*f), Type::Float),
                    Literal::Str(s) => (typed::Literal::Str(s.clone()), Type::Str),
                    Literal::Bool(b) => (typed::Literal::Bool(*b), Type::Bool),
                    Literal::Null => (typed::Literal::Null, Type::Null),
                    // The parser refuses days that do not exist; a tree built by hand may
                    // still hold one, which is a date-typed null.
                    Literal::Date { year, month, day } => match Date::new(*year, *month, *day) {
                        Some(d) => (typed::Literal::Date(d), Type::Date),
                        None => (typed::Literal::Null, Type::Date),
                    },
                };
                node(T::Lit(lit), ty, e.span, true, false)
            }
            ExprKind::Column(name) => {
                let ty = self.column(name, e.span, cols)?;
                node(T::Column(name.clone()), ty, e.span, false, false)
            }
            ExprKind::Param(name) => {
                let ty = self.param(name, e.span)?;
                node(T::Param(name.clone()), ty, e.span, true, false)
            }
            ExprKind::Paren(inner) => {
                let x = self.expr(inner, cols, place)?;
                let (ty, c, a) = (x.ty, x.constant, x.aggregate);
                node(T::Paren(boxed(x)), ty, e.span, c, a)
            }
            ExprKind::IsNull { expr, negated } => {
                let x = self.expr(expr, cols, place)?;
                let (c, a) = (x.constant, x.aggregate);
                let kind = T::IsNull {
                    expr: boxed(x),
                    negated: *negated,
                };
                node(kind, Type::Bool, e.span, c, a)
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let x = self.expr(expr, cols, place)?;
                let t = x.ty;
                let (mut c, mut a) = (x.constant, x.aggregate);
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    let it = self.expr(item, cols, place)?;
                    if !t.comparable(it.ty) && !date_string(t, item) {
                        return Err(self.mismatch(item, it.ty, t, "in"));
                    }
                    c &= it.constant;
                    a |= it.aggregate;
                    items.push(as_date(it, t));
                }
                let kind = T::InList {
                    expr: boxed(x),
                    list: items,
                    negated: *negated,
                };
                node(kind, Type::Bool, e.span, c, a)
            }
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand, cols, place)?;
                let t = x.ty;
                let ty = match op {
                    UnOp::Not if t.is_bool() => Type::Bool,
                    UnOp::Not => return Err(self.wrong_type(operand, t, "`not` needs true/false")),
                    UnOp::Neg if t == Type::Null => Type::Int,
                    UnOp::Neg if t.is_numeric() => t,
                    UnOp::Neg => return Err(self.wrong_type(operand, t, "`-` needs a number")),
                };
                let (c, a) = (x.constant, x.aggregate);
                let kind = T::Unary {
                    op: *op,
                    operand: boxed(x),
                };
                node(kind, ty, e.span, c, a)
            }
            ExprKind::Binary { op, left, right } => {
                let l = self.expr(left, cols, place)?;
                let r = self.expr(right, cols, place)?;
                let ty = self.binary(*op, left, l.ty, right, r.ty)?;
                let (c, a) = (l.constant && r.constant, l.aggregate || r.aggregate);
                // A text literal compared with a date is a date (`deadline <= "2010-12-31"`).
                let (l, r) = if is_comparison(*op) {
                    let (lt, rt) = (l.ty, r.ty);
                    (as_date(l, rt), as_date(r, lt))
                } else {
                    (l, r)
                };
                let kind = T::Binary {
                    op: *op,
                    left: boxed(l),
                    right: boxed(r),
                };
                node(kind, ty, e.span, c, a)
            }
            ExprKind::Call { .. } => self.call(e, cols, place)?,
        })
    }

    fn param(&self, name: &str, span: Span) -> Result<Type, Error> {
        if let Some(t) = self.catalog.param(name) {
            return Ok(t);
        }
        let names = self.catalog.param_names();
        let mut help = format!(
            "give it a value: `--param {name}=…` on the command line, `.set {name} …` in the REPL"
        );
        if let Some(c) = closest(name, names.iter().map(String::as_str)) {
            help = format!("did you mean `${c}`? Otherwise {help}");
        }
        Err(err(
            self.source,
            Code::CheckUnknownParam,
            span,
            format!("parameter `${name}` has no value"),
            "not set",
        )
        .with_help(help))
    }

    fn binary(
        &self,
        op: BinOp,
        left: &Expr,
        lt: Type,
        right: &Expr,
        rt: Type,
    ) -> Result<Type, Error> {
        use BinOp::*;
        match op {
            And | Or => {
                for (side, t) in [(left, lt), (right, rt)] {
                    if !t.is_bool() {
                        return Err(self.wrong_type(
                            side,
                            t,
                            &format!("`{}` needs true/false on both sides", op.symbol()),
                        ));
                    }
                }
                Ok(Type::Bool)
            }
            Eq | Ne | Lt | Le | Gt | Ge => {
                if lt.comparable(rt) || date_string(lt, right) || date_string(rt, left) {
                    Ok(Type::Bool)
                } else {
                    Err(self.mismatch(right, rt, lt, op.symbol()))
                }
            }
            Like | NotLike => {
                for (side, t) in [(left, lt), (right, rt)] {
                    if matches!(t, Type::Bool | Type::Other) {
                        return Err(self.wrong_type(
                            side,
                            t,
                            &format!("`{}` compares text", op.symbol()),
                        ));
                    }
                }
                Ok(Type::Bool)
            }
            Add if matches!(
                (lt, rt),
                (Type::Str, Type::Str) | (Type::Str, Type::Null) | (Type::Null, Type::Str)
            ) =>
            {
                Ok(Type::Str)
            }
            // Arithmetic on two nulls is a null that still fits anywhere (text included).
            Add | Sub | Mul | Rem if lt == Type::Null && rt == Type::Null => Ok(Type::Null),
            Add | Sub | Mul | Rem | Div => {
                for (side, t) in [(left, lt), (right, rt)] {
                    if !t.is_numeric() {
                        let what = if op == Add {
                            "`+` adds numbers (or joins two texts)"
                        } else {
                            "arithmetic needs numbers"
                        };
                        return Err(self.wrong_type(side, t, what));
                    }
                }
                Ok(if op == Div || lt == Type::Float || rt == Type::Float {
                    Type::Float
                } else {
                    Type::Int
                })
            }
        }
    }

    fn call(&self, e: &Expr, cols: &Columns, place: Place) -> Result<typed::Expr, Error> {
        let ExprKind::Call { func, args } = &e.kind else {
            return self.expr(e, cols, place);
        };
        let Some(f) = functions::lookup(&func.name) else {
            let names = FUNCTIONS.iter().map(|f| f.name);
            let help = match functions::alias_of(&func.name).or_else(|| closest(&func.name, names))
            {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "functions: {}",
                    FUNCTIONS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(err(
                self.source,
                Code::CheckUnknownFunction,
                func.span,
                format!("unknown function `{}`", func.name),
                "no such function",
            )
            .with_help(help));
        };
        if args.len() < f.min_args || args.len() > f.max_args {
            let n = args.len();
            return Err(err(
                self.source,
                Code::CheckArity,
                e.span,
                format!(
                    "`{}` takes {}, not {n}",
                    f.name,
                    arity_text(f.min_args, f.max_args)
                ),
                format!("{n} argument{}", if n == 1 { "" } else { "s" }),
            )
            .with_help(format!("write it as {}", f.usage)));
        }
        let inner_place = match (f.kind, place) {
            (Kind::Aggregate, Place::Summary) => Place::InAggregate,
            (Kind::Aggregate, Place::InAggregate) => {
                return Err(err(
                    self.source,
                    Code::CheckNestedAggregate,
                    e.span,
                    format!("`{}` is inside another aggregate", f.name),
                    "aggregate inside an aggregate",
                )
                .with_help("aggregate once per `summarize`; to aggregate again, add a second `| summarize …` stage"));
            }
            (Kind::Aggregate, Place::Row) => {
                return Err(err(
                    self.source,
                    Code::CheckAggregateOutside,
                    e.span,
                    format!("the aggregate `{}` can only be used in `summarize`", f.name),
                    "aggregate outside `summarize`",
                )
                .with_help(format!(
                    "aggregate in a stage of its own: `… | summarize x = {} by …`",
                    self.text(e.span)
                )));
            }
            (Kind::Scalar, p) => p,
        };
        let typed_args: Vec<typed::Expr> = args
            .iter()
            .map(|a| self.expr(a, cols, inner_place))
            .collect::<Result<_, _>>()?;
        let types: Vec<Type> = typed_args.iter().map(|a| a.ty).collect();
        let ty = (f.typing)(&Call {
            checker: self,
            name: f.name,
            call: e,
            args,
            types: &types,
        })?;
        let constant = typed_args.iter().all(|a| a.constant);
        let aggregate = f.kind == Kind::Aggregate || typed_args.iter().any(|a| a.aggregate);
        let kind = typed::ExprKind::Call {
            id: f.id,
            name_span: func.span,
            args: typed_args,
        };
        Ok(node(kind, ty, e.span, constant, aggregate))
    }

    fn wrong_type(&self, e: &Expr, t: Type, what: &str) -> Error {
        let shown = self.text(e.span);
        let mut help = what.to_string();
        if t == Type::Str && what.contains("number") {
            help.push_str(&format!(
                "; convert text with to_int({shown}) or to_float({shown})"
            ));
        }
        err(
            self.source,
            Code::CheckTypeMismatch,
            e.span,
            format!("{what}, but `{shown}` is {}", article(t)),
            format!("this is {}", article(t)),
        )
        .with_help(help)
    }

    fn mismatch(&self, e: &Expr, got: Type, want: Type, op: &str) -> Error {
        let help = if want == Type::Date && got == Type::Str {
            "write dates as d\"2010-12-31\"".to_string()
        } else if want.is_numeric() && got == Type::Str {
            "numbers are written without quotes, or convert with to_int(…) / to_float(…)"
                .to_string()
        } else if want == Type::Str && got.is_numeric() {
            "text is written in quotes, or convert with to_str(…)".to_string()
        } else {
            format!("both sides of `{op}` must have the same type")
        };
        err(
            self.source,
            Code::CheckTypeMismatch,
            e.span,
            format!(
                "cannot use {} with {} in `{op}`",
                article(got),
                article(want)
            ),
            format!(
                "this is {}, the other side is {}",
                article(got),
                article(want)
            ),
        )
        .with_help(help)
    }

    /// Names close to `name` among the columns, for hints elsewhere.
    pub fn near_columns<'c>(&self, name: &str, cols: &'c Columns) -> Vec<&'c str> {
        closest_many(name, cols.names(), 3)
    }
}

/// The names the right side's columns get in a join's output: every column but the join
/// keys, in order; a name the left side (or an earlier right column) already uses gets the
/// suffix `_right`, then `_right2`, `_right3`, … — the first that is free. So any number of
/// joins of the same table gives distinct names.
pub fn join_output_names(
    left: &Columns,
    right: &Columns,
    right_keys: &[String],
) -> Vec<(String, String)> {
    let mut taken: Vec<String> = left.names().map(str::to_string).collect();
    let mut out = Vec::new();
    for name in right.names() {
        if right_keys.iter().any(|k| k == name) {
            continue;
        }
        let mut candidate = name.to_string();
        let mut n = 1;
        while taken.contains(&candidate) {
            candidate = if n == 1 {
                format!("{name}_right")
            } else {
                format!("{name}_right{n}")
            };
            n += 1;
        }
        taken.push(candidate.clone());
        out.push((name.to_string(), candidate));
    }
    out
}

/// Whether an expression calls an aggregate anywhere.
pub fn has_aggregate(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, args } => {
            functions::lookup(&func.name).is_some_and(|f| f.kind == Kind::Aggregate)
                || args.iter().any(has_aggregate)
        }
        ExprKind::Lit(_) | ExprKind::Column(_) | ExprKind::Param(_) => false,
        ExprKind::Paren(inner) => has_aggregate(inner),
        ExprKind::IsNull { expr, .. } => has_aggregate(expr),
        ExprKind::InList { expr, list, .. } => {
            has_aggregate(expr) || list.iter().any(has_aggregate)
        }
        ExprKind::Unary { operand, .. } => has_aggregate(operand),
        ExprKind::Binary { left, right, .. } => has_aggregate(left) || has_aggregate(right),
    }
}

/// Whether an expression is the same on every row: it reads no column.
pub fn constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Param(_) => true,
        ExprKind::Column(_) => false,
        ExprKind::Paren(inner) => constant(inner),
        ExprKind::IsNull { expr, .. } => constant(expr),
        ExprKind::InList { expr, list, .. } => constant(expr) && list.iter().all(constant),
        ExprKind::Unary { operand, .. } => constant(operand),
        ExprKind::Binary { left, right, .. } => constant(left) && constant(right),
        ExprKind::Call { args, .. } => args.iter().all(constant),
    }
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// A typed node.
fn node(
    kind: typed::ExprKind,
    ty: Type,
    span: Span,
    constant: bool,
    aggregate: bool,
) -> typed::Expr {
    typed::Expr {
        kind,
        ty,
        span,
        constant,
        aggregate,
    }
}

/// `x` compared with a value of type `other`: a text literal that reads as a date becomes
/// that date when `other` is a date (see [`date_string`]); anything else stays as it is.
fn as_date(x: typed::Expr, other: Type) -> typed::Expr {
    if other != Type::Date {
        return x;
    }
    let date = match &x.kind {
        typed::ExprKind::Lit(typed::Literal::Str(s)) => Date::parse_iso(s),
        _ => None,
    };
    match date {
        Some(d) => typed::Expr {
            kind: typed::ExprKind::Lit(typed::Literal::Date(d)),
            ty: Type::Date,
            ..x
        },
        None => x,
    }
}

/// `deadline <= "2010-12-31"`: a date compared with a text literal that reads as a date.
pub fn date_string(t: Type, other: &Expr) -> bool {
    t == Type::Date
        && matches!(&other.kind, ExprKind::Lit(Literal::Str(s)) if Date::parse_iso(s).is_some())
}

fn article(t: Type) -> String {
    match t {
        Type::Int | Type::Other => format!("an {t}"),
        Type::Null => "null".into(),
        _ => format!("a {t}"),
    }
}

fn arity_text(min: usize, max: usize) -> String {
    let n = |k: usize| format!("{k} argument{}", if k == 1 { "" } else { "s" });
    if max == usize::MAX {
        format!("at least {}", n(min))
    } else if min == max {
        n(min)
    } else {
        format!("{min} or {}", n(max))
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}
