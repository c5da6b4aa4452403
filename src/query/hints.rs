//! Hints for a query that returned no rows: when `where col == "literal"` (or `~`, `in`)
//! matched nothing and the literal is not a value of that column, say so and suggest the
//! nearest values that do exist (`数字办` → did you mean `省数字办`?).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

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

/// At most this many no-match hints per statement; the rest are counted in the last one,
/// so that an `in` list of thousands of values cannot print megabytes of advice.
const MAX_HINTS: usize = 3;

/// Literals longer than this many characters are shown clipped in hints.
const MAX_SHOWN: usize = 60;

/// `s` clipped to [`MAX_SHOWN`] characters, with `…` when cut.
fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

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
    let mut unmatched = 0usize;
    let Ok(schemas) = checker.pipeline(p) else {
        return hints;
    };
    // The distinct values of each (stage, column) probed, read once.
    let mut read: Vec<(usize, &str, Option<Vec<String>>)> = Vec::new();
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
            let at = match read
                .iter()
                .position(|(s, c, _)| *s == i && *c == probe.column)
            {
                Some(at) => at,
                None => {
                    let prefix = Pipeline {
                        source: p.source.clone(),
                        stages: p.stages[..i].to_vec(),
                        span: p.span,
                    };
                    let values = distinct_within(checker, env, &prefix, probe.column, HINT_BUDGET);
                    read.push((i, probe.column, values));
                    read.len() - 1
                }
            };
            let Some(values) = &read[at].2 else {
                continue;
            };
            if hints.len() >= MAX_HINTS {
                if !is_found(&probe, values) {
                    unmatched += 1;
                }
                continue;
            }
            if let Some(hint) = hint_for(checker, &probe, values) {
                hints.push(hint);
            }
        }
    }
    if unmatched > 0 {
        if let Some(last) = hints.pop() {
            let help = last.help.clone().unwrap_or_default();
            hints.push(last.with_help(format!(
                "{help}\n…and {unmatched} more value{} of this query match{} nothing",
                if unmatched == 1 { "" } else { "s" },
                if unmatched == 1 { "es" } else { "" }
            )));
        }
    }
    hints
}

fn is_found(probe: &Probe, values: &[String]) -> bool {
    if probe.contains {
        let lower = probe.literal.to_lowercase();
        values.iter().any(|v| v.to_lowercase().contains(&lower))
    } else {
        values.iter().any(|v| v == probe.literal)
    }
}

fn hint_for(checker: &Checker, probe: &Probe, values: &[String]) -> Option<Error> {
    if is_found(probe, values) {
        return None;
    }
    let near = closest_many(probe.literal, values.iter().map(String::as_str), 3);
    let help = if near.is_empty() {
        let sample: Vec<String> = values
            .iter()
            .take(5)
            .map(|v| format!("`{}`", clip(v)))
            .collect();
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
                .map(|v| format!("`{}`", clip(v)))
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
                probe.column,
                clip(probe.literal)
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

/// How long the values for one hint may take to read; a hint is not worth more.
const HINT_BUDGET: Duration = Duration::from_secs(2);

/// Distinct non-null values of `column` at the end of `p`, most frequent first; `None`
/// when they cannot be read within `budget`.
pub fn distinct_within(
    checker: &Checker,
    env: &Env,
    p: &Pipeline,
    column: &str,
    budget: Duration,
) -> Option<Vec<String>> {
    // Hints and completions are extras: they must never hold up the answer or freeze
    // the prompt, so they read within a time budget.
    let halt = Arc::new(AtomicBool::new(false));
    let watched = Env {
        tables: env.tables,
        params: env.params,
        lets: env.lets.clone(),
        stop: Some(Arc::clone(&halt)),
    };
    let lf = compile::pipeline(checker, &watched, p).ok()?;
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
        .limit(MAX_VALUES);
    let df = compile::collect_watched(df, &halt, None, Some(budget))
        .ok()?
        .ok()?;
    let values = df.column(c).ok()?;
    Some(
        (0..values.len())
            .filter_map(|i| values.get(i).ok().and_then(|v| cell_text(&v)))
            .collect(),
    )
}
