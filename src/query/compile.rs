//! The compiler: checked AST → polars lazy plans. The only stage that knows polars.
//!
//! It runs after the checker, so names and types are known to be right; the compiler
//! still returns `Result` rather than assuming it, so no malformed input can panic here.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::engine::Value;
use crate::error::{Error, ErrorKind};
use crate::lang::ast::{
    self, BinOp, Expr as AstExpr, ExprKind, Item, JoinKind, Literal, Order, Pipeline, SortKey,
    Stage, StageKind, UnOp,
};
use crate::plan::Date;

use super::check::{date_string, Checker, Place};
use super::types::{Columns, Type};

/// Where compiled pipelines get their data from.
pub struct Env<'a> {
    /// Looks up a table or engine-level `let` binding.
    pub tables: &'a dyn Fn(&str) -> Option<LazyFrame>,
    /// Parameter values.
    pub params: &'a BTreeMap<String, Value>,
    /// `let` bindings made earlier in the script (latest last).
    pub lets: Vec<(String, LazyFrame)>,
}

/// Compiles one pipeline (already checked by `checker`) into a lazy frame.
pub fn pipeline(checker: &Checker, env: &Env, p: &Pipeline) -> Result<LazyFrame, Error> {
    let schemas = checker.pipeline(p)?;
    let mut lf = source(checker, env, &p.source)?;
    for (stage, input) in p.stages.iter().zip(&schemas) {
        lf = compile_stage(checker, env, lf, stage, input)?;
    }
    Ok(lf)
}

fn source(checker: &Checker, env: &Env, s: &ast::Source) -> Result<LazyFrame, Error> {
    match s {
        ast::Source::Sub(p) => pipeline(checker, env, p),
        ast::Source::Name(ident) => env
            .lets
            .iter()
            .rev()
            .find(|(n, _)| *n == ident.name)
            .map(|(_, lf)| lf.clone())
            .or_else(|| (env.tables)(&ident.name))
            .ok_or_else(|| internal(format!("table `{}` vanished after checking", ident.name))),
    }
}

fn internal(message: String) -> Error {
    Error::new(ErrorKind::Query, "planq::compile::internal", message)
        .with_help("this is a bug in planq; please report the query")
}

fn compile_stage(
    checker: &Checker,
    env: &Env,
    lf: LazyFrame,
    stage: &Stage,
    input: &Columns,
) -> Result<LazyFrame, Error> {
    let c = ExprCompiler {
        checker,
        params: env.params,
        cols: input,
    };
    Ok(match &stage.kind {
        StageKind::Where(e) => lf.filter(c.expr(e)?),
        StageKind::Select(items) => lf.select(c.items(items)?),
        StageKind::Derive(items) => {
            // One `with_column` per item so later items see earlier ones; polars merges
            // independent ones again when it optimises the plan.
            let mut lf = lf;
            let mut cols = input.clone();
            for item in items {
                let ec = ExprCompiler {
                    checker,
                    params: env.params,
                    cols: &cols,
                };
                let name = checker.item_name(item);
                lf = lf.with_column(ec.expr(&item.expr)?.alias(name.as_str()));
                let t = checker.expr(&item.expr, &cols, Place::Row)?;
                cols.set(&name, t);
            }
            lf
        }
        StageKind::Summarize { aggs, by } => {
            let aggs: Vec<Expr> = aggs
                .iter()
                .map(|item| {
                    Ok(c.aggregate(&item.expr)?
                        .alias(checker.item_name(item).as_str()))
                })
                .collect::<Result<_, Error>>()?;
            group(lf, c.items(by)?, aggs)
        }
        StageKind::Count { by } => group(
            lf,
            c.items(by)?,
            vec![len().cast(DataType::Int64).alias("count")],
        ),
        StageKind::Sort(keys) => sort(&c, lf, keys, None)?,
        StageKind::Take { n, .. } => lf.limit(idx(*n)),
        StageKind::Top { n, key, .. } => sort(&c, lf, std::slice::from_ref(key), Some(*n))?,
        StageKind::Distinct(cols) => {
            let lf = if cols.is_empty() {
                lf
            } else {
                lf.select(
                    cols.iter()
                        .map(|c| col(c.name.as_str()))
                        .collect::<Vec<_>>(),
                )
            };
            lf.unique_stable(None, UniqueKeepStrategy::First)
        }
        StageKind::Join { kind, right, on } => {
            let right_cols = checker.source_columns(right)?;
            let right_lf = source(checker, env, right)?;
            let (mut left_on, mut right_on) = (Vec::new(), Vec::new());
            for key in on {
                let r = key.right.as_ref().unwrap_or(&key.left);
                let (lt, rt) = (input.get(&key.left.name), right_cols.get(&r.name));
                let (mut l, mut re) = (col(key.left.name.as_str()), col(r.name.as_str()));
                if lt != rt {
                    // int with float keys: compare as floats.
                    l = l.cast(DataType::Float64);
                    re = re.cast(DataType::Float64);
                }
                left_on.push(l);
                right_on.push(re);
            }
            let how = match kind {
                JoinKind::Inner => JoinType::Inner,
                JoinKind::Left => JoinType::Left,
                JoinKind::Semi => JoinType::Semi,
                JoinKind::Anti => JoinType::Anti,
            };
            let mut args = JoinArgs::new(how)
                .with_coalesce(JoinCoalesce::CoalesceColumns)
                .with_suffix(Some("_right".into()));
            // Deterministic output: left rows in their order, then right matches in theirs.
            args.maintain_order = MaintainOrderJoin::LeftRight;
            lf.join(right_lf, left_on, right_on, args)
        }
        StageKind::Rename(pairs) => {
            let old: Vec<&str> = pairs.iter().map(|(_, o)| o.name.as_str()).collect();
            let new: Vec<&str> = pairs.iter().map(|(n, _)| n.name.as_str()).collect();
            lf.rename(old, new, true)
        }
    })
}

fn idx(n: u64) -> IdxSize {
    IdxSize::try_from(n).unwrap_or(IdxSize::MAX)
}

/// `summarize`/`count`: grouped in first-appearance order (stable, so results are
/// reproducible), or one row for the whole table.
fn group(lf: LazyFrame, by: Vec<Expr>, aggs: Vec<Expr>) -> LazyFrame {
    if by.is_empty() {
        lf.select(aggs)
    } else {
        lf.group_by_stable(by).agg(aggs)
    }
}

/// `sort` (and `top`, with a limit): nulls last in both directions, ties stable.
fn sort(
    c: &ExprCompiler,
    lf: LazyFrame,
    keys: &[SortKey],
    limit: Option<u64>,
) -> Result<LazyFrame, Error> {
    let exprs: Vec<Expr> = keys
        .iter()
        .map(|k| c.expr(&k.expr))
        .collect::<Result<_, _>>()?;
    let options = SortMultipleOptions {
        descending: keys.iter().map(|k| k.order == Order::Desc).collect(),
        nulls_last: vec![true; keys.len()],
        multithreaded: true,
        maintain_order: true,
        limit: None,
    };
    let lf = lf.sort_by_exprs(exprs, options);
    Ok(match limit {
        Some(n) => lf.limit(idx(n)),
        None => lf,
    })
}

/// Compiles expressions against one input schema.
struct ExprCompiler<'a> {
    checker: &'a Checker<'a>,
    params: &'a BTreeMap<String, Value>,
    cols: &'a Columns,
}

/// The items of an `in` list as one series, when they are all non-null literals of the
/// tested column's type (text or integers); otherwise `None` and the list is compiled as
/// `x == a or x == b …`.
fn literal_series(list: &[AstExpr], t: Type) -> Option<Series> {
    match t {
        Type::Str => {
            let v: Option<Vec<&str>> = list
                .iter()
                .map(|e| match &e.kind {
                    ExprKind::Lit(Literal::Str(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            Some(Series::new("in".into(), v?))
        }
        Type::Int => {
            let v: Option<Vec<i64>> = list
                .iter()
                .map(|e| match &e.kind {
                    ExprKind::Lit(Literal::Int(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            Some(Series::new("in".into(), v?))
        }
        _ => None,
    }
}

/// The text of a literal or parameter that has no letter case (so `~` needs no
/// lowercasing), if `e` is one.
fn caseless_literal(e: &AstExpr, params: &BTreeMap<String, Value>) -> Option<String> {
    let text = match &e.kind {
        ExprKind::Lit(Literal::Str(s)) => s.clone(),
        ExprKind::Lit(Literal::Int(i)) => i.to_string(),
        ExprKind::Param(name) => match params.get(name)? {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            _ => return None,
        },
        ExprKind::Paren(inner) => return caseless_literal(inner, params),
        _ => return None,
    };
    (text.to_lowercase() == text && text.to_uppercase() == text).then_some(text)
}

fn null() -> Expr {
    lit(Null {})
}

fn date_lit(d: Date) -> Expr {
    lit(d.days_since_epoch()).cast(DataType::Date)
}

impl ExprCompiler<'_> {
    fn ty(&self, e: &AstExpr, place: Place) -> Type {
        self.checker.expr(e, self.cols, place).unwrap_or(Type::Null)
    }

    fn items(&self, items: &[Item]) -> Result<Vec<Expr>, Error> {
        items
            .iter()
            .map(|item| {
                Ok(self
                    .expr(&item.expr)?
                    .alias(self.checker.item_name(item).as_str()))
            })
            .collect()
    }

    fn literal(l: &Literal) -> Expr {
        match l {
            Literal::Int(i) => lit(*i),
            Literal::Float(f) => lit(*f),
            Literal::Str(s) => lit(s.as_str()),
            Literal::Bool(b) => lit(*b),
            Literal::Null => null(),
            Literal::Date { year, month, day } => match Date::new(*year, *month, *day) {
                Some(d) => date_lit(d),
                None => null(),
            },
        }
    }

    fn value(v: &Value) -> Expr {
        match v {
            Value::Null => null(),
            Value::Bool(b) => lit(*b),
            Value::Int(i) => lit(*i),
            Value::Float(f) => lit(*f),
            Value::Date(d) => date_lit(*d),
            Value::Str(s) => lit(s.as_str()),
        }
    }

    /// A row-level expression.
    fn expr(&self, e: &AstExpr) -> Result<Expr, Error> {
        self.expr_in(e, Place::Row)
    }

    /// A `summarize` item: an aggregate call (possibly parenthesised).
    fn aggregate(&self, e: &AstExpr) -> Result<Expr, Error> {
        match &e.kind {
            ExprKind::Paren(inner) => self.aggregate(inner),
            ExprKind::Call { func, args } => self.aggregate_call(&func.name, args),
            _ => Err(internal("summarize item is not an aggregate".into())),
        }
    }

    fn aggregate_call(&self, name: &str, args: &[AstExpr]) -> Result<Expr, Error> {
        let arg = |i: usize| -> Result<Expr, Error> {
            let a = args
                .get(i)
                .ok_or_else(|| internal(format!("`{name}` lost an argument")))?;
            self.expr_in(a, Place::InAggregate)
        };
        let arg_type = |i: usize| {
            args.get(i)
                .map_or(Type::Null, |a| self.ty(a, Place::InAggregate))
        };
        Ok(match name {
            "count" if args.is_empty() => len().cast(DataType::Int64),
            "count" => arg(0)?.count().cast(DataType::Int64),
            "count_distinct" => arg(0)?.drop_nulls().n_unique().cast(DataType::Int64),
            "sum" => {
                let x = if arg_type(0) == Type::Bool {
                    arg(0)?.cast(DataType::Int64)
                } else {
                    arg(0)?
                };
                // SQL: the sum of no values is null, not 0.
                when(x.clone().count().eq(lit(0)))
                    .then(null())
                    .otherwise(x.sum())
            }
            "avg" => arg(0)?.mean(),
            "median" => arg(0)?.median(),
            "min" => arg(0)?.min(),
            "max" => arg(0)?.max(),
            "first" => arg(0)?.first(),
            "last" => arg(0)?.last(),
            "concat" => {
                let sep = match args.get(1).map(|a| &a.kind) {
                    Some(ExprKind::Lit(Literal::Str(s))) => s.as_str(),
                    _ => ",",
                };
                arg(0)?.cast(DataType::String).str().join(sep, true)
            }
            other => return Err(internal(format!("`{other}` is not an aggregate"))),
        })
    }

    fn text(&self, e: &AstExpr, place: Place) -> Result<Expr, Error> {
        let x = self.expr_in(e, place)?;
        Ok(if self.ty(e, place) == Type::Str {
            x
        } else {
            x.cast(DataType::String)
        })
    }

    fn expr_in(&self, e: &AstExpr, place: Place) -> Result<Expr, Error> {
        Ok(match &e.kind {
            ExprKind::Lit(l) => Self::literal(l),
            ExprKind::Column(name) => col(name.as_str()),
            ExprKind::Param(name) => {
                self.params.get(name).map(Self::value).ok_or_else(|| {
                    internal(format!("parameter `{name}` vanished after checking"))
                })?
            }
            ExprKind::Paren(inner) => self.expr_in(inner, place)?,
            ExprKind::IsNull { expr, negated } => {
                let x = self.expr_in(expr, place)?;
                if *negated {
                    x.is_not_null()
                } else {
                    x.is_null()
                }
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let t = self.ty(expr, place);
                let x = self.expr_in(expr, place)?;
                if let Some(values) = literal_series(list, t) {
                    // A list of plain literals: one hash lookup per row.
                    let test = x.is_in(lit(values).implode(false), false);
                    return Ok(if *negated { test.not() } else { test });
                }
                // `x in [a, b]` is `x == a or x == b`, with SQL's null logic.
                let mut acc: Option<Expr> = None;
                for item in list {
                    let v = self.operand(item, t, place)?;
                    let test = x.clone().eq(v);
                    acc = Some(match acc {
                        Some(a) => a.or(test),
                        None => test,
                    });
                }
                let test = acc.unwrap_or_else(|| lit(false));
                if *negated {
                    test.not()
                } else {
                    test
                }
            }
            ExprKind::Unary { op, operand } => {
                let mut x = self.expr_in(operand, place)?;
                if self.ty(operand, place) == Type::Null {
                    // polars refuses `not`/`-` on the Null dtype; give the null a type.
                    x = x.cast(if *op == UnOp::Not {
                        DataType::Boolean
                    } else {
                        DataType::Int64
                    });
                }
                match op {
                    UnOp::Not => x.not(),
                    UnOp::Neg => -x,
                }
            }
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, place)?,
            ExprKind::Call { func, args } => self.call(&func.name, args, place)?,
        })
    }

    /// An operand compared with a value of type `other`: a text literal compared with a
    /// date becomes a date.
    fn operand(&self, e: &AstExpr, other: Type, place: Place) -> Result<Expr, Error> {
        if date_string(other, e) {
            if let ExprKind::Lit(Literal::Str(s)) = &e.kind {
                if let Some(d) = Date::parse_iso(s) {
                    return Ok(date_lit(d));
                }
            }
        }
        self.expr_in(e, place)
    }

    fn binary(
        &self,
        op: BinOp,
        left: &AstExpr,
        right: &AstExpr,
        place: Place,
    ) -> Result<Expr, Error> {
        let (lt, rt) = (self.ty(left, place), self.ty(right, place));
        let l = self.operand(left, rt, place)?;
        let r = self.operand(right, lt, place)?;
        Ok(match op {
            BinOp::Or => l.or(r),
            BinOp::And => l.and(r),
            BinOp::Eq => l.eq(r),
            BinOp::Ne => l.neq(r),
            BinOp::Lt => l.lt(r),
            BinOp::Le => l.lt_eq(r),
            BinOp::Gt => l.gt(r),
            BinOp::Ge => l.gt_eq(r),
            BinOp::Like | BinOp::NotLike => {
                let test = match caseless_literal(right, self.params) {
                    // `owner ~ "数字"`: a needle without letter case (CJK, digits) matches
                    // the same with or without lowercasing, so skip lowercasing every row.
                    Some(needle) => self.text(left, place)?.str().contains_literal(lit(needle)),
                    None => {
                        let hay = self.text(left, place)?.str().to_lowercase();
                        let needle = self.text(right, place)?.str().to_lowercase();
                        hay.str().contains_literal(needle)
                    }
                };
                if op == BinOp::NotLike {
                    test.not()
                } else {
                    test
                }
            }
            BinOp::Add if lt == Type::Str || rt == Type::Str => concat_str([l, r], "", false),
            BinOp::Add => l + r,
            BinOp::Sub => l - r,
            BinOp::Mul => l * r,
            BinOp::Rem => l % r,
            BinOp::Div => {
                // True division; dividing by zero gives null rather than ±inf.
                let r = r.cast(DataType::Float64);
                when(r.clone().eq(lit(0.0)))
                    .then(null())
                    .otherwise(l.cast(DataType::Float64) / r)
            }
        })
    }

    fn call(&self, name: &str, args: &[AstExpr], place: Place) -> Result<Expr, Error> {
        if super::functions::lookup(name)
            .is_some_and(|f| f.kind == super::functions::Kind::Aggregate)
        {
            return self.aggregate_call(name, args);
        }
        let a = |i: usize| -> Result<Expr, Error> {
            let e = args
                .get(i)
                .ok_or_else(|| internal(format!("`{name}` lost an argument")))?;
            self.expr_in(e, place)
        };
        let t0 = args.first().map_or(Type::Null, |e| self.ty(e, place));
        let result_type = |call_types: &[Type]| {
            call_types
                .iter()
                .try_fold(Type::Null, |acc, t| acc.unify(*t))
                .unwrap_or(Type::Null)
        };
        Ok(match name {
            "lower" => a(0)?.str().to_lowercase(),
            "upper" => a(0)?.str().to_uppercase(),
            "len" => a(0)?.str().len_chars().cast(DataType::Int64),
            "trim" => a(0)?.str().strip_chars(null()),
            "contains" => a(0)?.str().contains_literal(a(1)?),
            "starts_with" => a(0)?.str().starts_with(a(1)?),
            "ends_with" => a(0)?.str().ends_with(a(1)?),
            "matches" => a(0)?.str().contains(a(1)?, true),
            "replace" => a(0)?.str().replace_all(a(1)?, a(2)?, true),
            "round" => {
                let digits = match args.get(1).map(|e| &e.kind) {
                    Some(ExprKind::Lit(Literal::Int(d))) => u32::try_from(*d).unwrap_or(0),
                    _ => 0,
                };
                if t0 == Type::Float {
                    a(0)?.round(digits, RoundMode::HalfAwayFromZero)
                } else {
                    a(0)?
                }
            }
            "abs" => a(0)?.abs(),
            "floor" if t0 == Type::Float => a(0)?.floor(),
            "ceil" if t0 == Type::Float => a(0)?.ceil(),
            "floor" | "ceil" => a(0)?,
            "coalesce" => {
                let types: Vec<Type> = args.iter().map(|e| self.ty(e, place)).collect();
                let float = result_type(&types) == Type::Float;
                let exprs: Vec<Expr> = (0..args.len())
                    .map(|i| {
                        Ok(if float {
                            a(i)?.cast(DataType::Float64)
                        } else {
                            a(i)?
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                coalesce(&exprs)
            }
            "if" => {
                let ty = |i: usize| args.get(i).map_or(Type::Null, |e| self.ty(e, place));
                let types = [ty(1), ty(2)];
                let float = result_type(&types) == Type::Float;
                let cast = |x: Expr| if float { x.cast(DataType::Float64) } else { x };
                when(a(0)?).then(cast(a(1)?)).otherwise(cast(a(2)?))
            }
            "to_int" => a(0)?.cast(DataType::Int64),
            "to_float" => a(0)?.cast(DataType::Float64),
            "to_str" => a(0)?.cast(DataType::String),
            "year" => a(0)?.dt().year().cast(DataType::Int64),
            other => return Err(internal(format!("no compiler for function `{other}`"))),
        })
    }
}
