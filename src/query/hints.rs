//! Hints for a query that returned no rows: when `where col == "literal"` (or `~`, `in`)
//! matched nothing and the literal is not a value of that column, say so and suggest the
//! nearest values that do exist (`数字办` → did you mean `省数字办`?).

use miette::Severity;
use polars::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::lang::ast::{BinOp, Expr, ExprKind, Literal, Pipeline, Span, StageKind};
use crate::lang::suggest::closest_many;
use crate::render::values::cell_text;

use super::check::Checker;
use super::compile::{self, Env};
use super::types::Type;

/// How many distinct values of a column are read to look for near matches.
const MAX_VALUES: IdxSize = 50_000;

/// A text literal a `where` compares a column with.
struct Probe<'e> {
    column: &'e str,
    literal: &'e str,
    span: Span,
    contains: bool,
}

/// Hints for each `where` literal of `p` that matches no value of its column.
pub fn no_match_hints(checker: &Checker, env: &Env, p: &Pipeline) -> Vec<Error> {
    let mut hints = Vec::new();
    let Ok(schemas) = checker.pipeline(p) else {
        return hints;
    };
    for (i, stage) in p.stages.iter().enumerate() {
        let StageKind::Where(cond) = &stage.kind else {
            continue;
        };
        let mut probes = Vec::new();
        collect(cond, &mut probes);
        for probe in probes {
            if schemas.get(i).and_then(|s| s.get(probe.column)) != Some(Type::Str) {
                continue;
            }
            let prefix = Pipeline {
                source: p.source.clone(),
                stages: p.stages[..i].to_vec(),
                span: p.span,
            };
            let Some(values) = distinct(checker, env, &prefix, probe.column) else {
                continue;
            };
            if let Some(hint) = hint_for(checker, &probe, &values) {
                hints.push(hint);
            }
        }
    }
    hints
}

fn hint_for(checker: &Checker, probe: &Probe, values: &[String]) -> Option<Error> {
    let lower = probe.literal.to_lowercase();
    let found = if probe.contains {
        values.iter().any(|v| v.to_lowercase().contains(&lower))
    } else {
        values.iter().any(|v| v == probe.literal)
    };
    if found {
        return None;
    }
    let near = closest_many(probe.literal, values.iter().map(String::as_str), 3);
    let help = if near.is_empty() {
        let sample: Vec<String> = values.iter().take(5).map(|v| format!("`{v}`")).collect();
        format!(
            "`{}` has {} distinct value{} here, e.g. {}",
            probe.column,
            values.len(),
            if values.len() == 1 { "" } else { "s" },
            sample.join(", ")
        )
    } else {
        format!(
            "did you mean {}?",
            near.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    };
    let label = if probe.contains {
        format!("no `{}` contains this", probe.column)
    } else {
        format!("no `{}` is exactly this", probe.column)
    };
    Some(
        Error::new(
            ErrorKind::Query,
            "planq::hint::no_match",
            format!(
                "no rows: `{}` never matches \"{}\"",
                probe.column, probe.literal
            ),
        )
        .at(checker.source(), probe.span, label)
        .with_help(help)
        .with_severity(Severity::Advice),
    )
}

/// Walks `and`/`or`/`not`/parentheses for `col == "x"`, `col ~ "x"`, `col in ["x", …]`.
fn collect<'e>(e: &'e Expr, out: &mut Vec<Probe<'e>>) {
    match &e.kind {
        ExprKind::Paren(inner) => collect(inner, out),
        ExprKind::Binary {
            op: BinOp::And | BinOp::Or,
            left,
            right,
        } => {
            collect(left, out);
            collect(right, out);
        }
        ExprKind::Binary {
            op: op @ (BinOp::Eq | BinOp::Like),
            left,
            right,
        } => {
            let pair = match (&left.kind, &right.kind) {
                (ExprKind::Column(c), ExprKind::Lit(Literal::Str(s))) => Some((c, s, right.span)),
                (ExprKind::Lit(Literal::Str(s)), ExprKind::Column(c)) => Some((c, s, left.span)),
                _ => None,
            };
            if let Some((column, literal, span)) = pair {
                out.push(Probe {
                    column,
                    literal,
                    span,
                    contains: *op == BinOp::Like,
                });
            }
        }
        ExprKind::InList {
            expr,
            list,
            negated: false,
        } => {
            if let ExprKind::Column(column) = &expr.kind {
                for item in list {
                    if let ExprKind::Lit(Literal::Str(literal)) = &item.kind {
                        out.push(Probe {
                            column,
                            literal,
                            span: item.span,
                            contains: false,
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

/// Distinct non-null values of `column` at the end of `p`, most frequent first.
pub fn distinct(checker: &Checker, env: &Env, p: &Pipeline, column: &str) -> Option<Vec<String>> {
    let lf = compile::pipeline(checker, env, p).ok()?;
    let c = column;
    let df = lf
        .select([col(c)])
        .drop_nulls(None)
        .group_by([col(c)])
        .agg([len().alias("__n")])
        .sort_by_exprs(
            [col("__n"), col(c).cast(DataType::String)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .limit(MAX_VALUES)
        .collect()
        .ok()?;
    let values = df.column(c).ok()?;
    Some(
        (0..values.len())
            .filter_map(|i| values.get(i).ok().and_then(|v| cell_text(&v)))
            .collect(),
    )
}
