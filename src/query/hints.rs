//! Hints for a query that returned no rows: when `where col == "literal"` (or `~`, `in`)
//! matched nothing and the literal is not a value of that column, say so and suggest the
//! nearest values that do exist (`数字办` → did you mean `省数字办`?).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use miette::Severity;
use polars::prelude::*;

use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::{BinOp, Span};
use crate::lang::suggest::closest_many;
use crate::render::values::cell_text;

use super::compile::{self, Env};
use super::typed::{Expr, ExprKind, Literal, Pipeline, Stage, StageKind};
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

/// Whether a result is worth explaining: it is empty, or it is the one row of an aggregate
/// without `by` (`| count`, `| summarize …`) holding a 0 or a null — what an aggregate over
/// no rows gives. Looks at the result only, so that every other query pays nothing.
pub fn worth_a_look(p: &Pipeline, frame: &DataFrame) -> bool {
    if frame.height() == 0 {
        return true;
    }
    let ungrouped = p.stages.iter().any(|s| {
        matches!(&s.kind, StageKind::Count { by } | StageKind::Summarize { by, .. } if by.is_empty())
    });
    frame.height() == 1
        && ungrouped
        && frame.columns().iter().any(|c| match c.get(0) {
            Ok(AnyValue::Null) => true,
            Ok(v) if c.dtype().is_primitive_numeric() => v.extract::<f64>() == Some(0.0),
            _ => false,
        })
}

/// Why a query that [`worth_a_look`] found suspicious has no rows (or aggregated none):
/// for each `where` literal that matches no value of its column, the nearest values (and
/// for roles, their English names); else, for the `where` that removed every row, the
/// column it tests that is null in every row, or (for an aggregate) the `where` itself.
pub fn no_match_hints(source: &Source, env: &Env, p: &Pipeline, frame: &DataFrame) -> Vec<Error> {
    // The stages that had no rows to give: all of them for an empty result; for an
    // aggregate, those before the first aggregate, if it really received no rows.
    let (end, aggregate) = if frame.height() == 0 {
        (p.stages.len(), None)
    } else {
        let Some(k) = p.stages.iter().position(|s| {
            matches!(
                s.kind,
                StageKind::Count { .. } | StageKind::Summarize { .. }
            )
        }) else {
            return Vec::new();
        };
        if rows_within(env, &p.prefix(k)) != Some(0) {
            return Vec::new();
        }
        (k, Some(&p.stages[k]))
    };
    let hints = literal_hints(source, env, p, end);
    if !hints.is_empty() {
        return hints;
    }
    emptying_where(source, env, p, end, aggregate)
        .into_iter()
        .collect()
}

/// Hints for the `where` literals among the first `end` stages of `p` that match no value.
fn literal_hints(source: &Source, env: &Env, p: &Pipeline, end: usize) -> Vec<Error> {
    let mut hints = Vec::new();
    let mut unmatched = 0usize;
    // The distinct values of each (stage, column) probed, read once.
    let mut read: Vec<(usize, &str, Option<Vec<String>>)> = Vec::new();
    for (i, stage) in p.stages.iter().enumerate().take(end) {
        let StageKind::Where(cond) = &stage.kind else {
            continue;
        };
        let mut probes = Vec::new();
        collect(cond, &mut probes);
        for probe in probes {
            if stage.input.get(probe.column) != Some(Type::Str) {
                continue;
            }
            let at = match read
                .iter()
                .position(|(s, c, _)| *s == i && *c == probe.column)
            {
                Some(at) => at,
                None => {
                    let values = distinct_within(env, &p.prefix(i), probe.column, HINT_BUDGET);
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
            if let Some(hint) = hint_for(source, &probe, values) {
                hints.push(hint);
            }
        }
    }
    if unmatched > 0 {
        if let Some(last) = hints.pop() {
            let help = last.help().unwrap_or_default().to_string();
            hints.push(last.with_help(format!(
                "{help}\n…and {unmatched} more value{} of this query match{} nothing",
                if unmatched == 1 { "" } else { "s" },
                if unmatched == 1 { "es" } else { "" }
            )));
        }
    }
    hints
}

/// The first `where` among the first `end` stages after which no row is left, explained:
/// a column it tests that is null in every row it saw, or — when an aggregate would
/// otherwise show a bare 0 — the `where` itself with the number of rows it removed.
fn emptying_where(
    source: &Source,
    env: &Env,
    p: &Pipeline,
    end: usize,
    aggregate: Option<&Stage>,
) -> Option<Error> {
    let mut before = rows_within(env, &p.prefix(0))?;
    for (i, stage) in p.stages.iter().enumerate().take(end) {
        let after = rows_within(env, &p.prefix(i + 1))?;
        if after > 0 {
            before = after;
            continue;
        }
        let StageKind::Where(cond) = &stage.kind else {
            return None; // a join or `take 0` emptied it: nothing to say about a value
        };
        if before == 0 {
            return None;
        }
        let mut columns: Vec<(&str, Span)> = Vec::new();
        cond.for_each_column(&mut |name, span| {
            if !columns.iter().any(|(n, _)| *n == name) {
                columns.push((name, span));
            }
        });
        let seen = p.prefix(i);
        for (name, span) in columns {
            if non_null_within(env, &seen, name) == Some(0) {
                return Some(
                    Error::new(
                        ErrorKind::Query,
                        Code::HintAllNull,
                        format!("no rows: `{name}` is null in every row here"),
                    )
                    .at(
                        source,
                        span,
                        format!(
                            "null in all {before} row{}",
                            if before == 1 { "" } else { "s" }
                        ),
                    )
                    .with_help(format!(
                        "`{name}` has no value at all at this point: a comparison with it is never true, and `is not null` keeps nothing (`where {name} is null` keeps every row)"
                    ))
                    .with_severity(Severity::Advice),
                );
            }
        }
        let agg = aggregate?;
        return Some(
            Error::new(
                ErrorKind::Query,
                Code::HintNoRows,
                format!(
                    "no rows reach `{}`: this `where` removes all {before} row{}",
                    agg.verb,
                    if before == 1 { "" } else { "s" }
                ),
            )
            .at(source, stage.span, "keeps no row")
            .with_help("the result describes an empty set; check the condition's values (Tab completes them)")
            .with_severity(Severity::Advice),
        );
    }
    None
}

fn is_found(probe: &Probe, values: &[String]) -> bool {
    if probe.contains {
        let lower = probe.literal.to_lowercase();
        values.iter().any(|v| v.to_lowercase().contains(&lower))
    } else {
        values.iter().any(|v| v == probe.literal)
    }
}

fn hint_for(source: &Source, probe: &Probe, values: &[String]) -> Option<Error> {
    if is_found(probe, values) {
        return None;
    }
    if values.is_empty() {
        // No value at all: the column is null in every row, which `emptying_where` says.
        return None;
    }
    if let Some(hint) = role_hint(source, probe, values) {
        return Some(hint);
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
            Code::HintNoMatch,
            format!(
                "no rows: `{}` never matches \"{}\"",
                probe.column,
                clip(probe.literal)
            ),
        )
        .at(source, probe.span, label)
        .with_help(help)
        .with_severity(Severity::Advice),
    )
}

/// Roles as the tables write them, with the words plans use for them.
const ROLES: &[(&str, &[&str])] = &[
    ("lead", &["牵头", "主办", "牵头单位"]),
    ("support", &["配合", "协办", "参与", "配合单位"]),
    ("responsible", &["负责", "责任单位", "负责单位"]),
];

/// `role == "牵头"`: the tables write roles in English (they are codes, the same in every
/// plan, while plans word them in several ways), so a Chinese role word never matches;
/// the hint names the code to write instead of a guess by spelling.
fn role_hint(source: &Source, probe: &Probe, values: &[String]) -> Option<Error> {
    let is_role = |v: &str| ROLES.iter().any(|(r, _)| *r == v);
    if values.is_empty() || !values.iter().all(|v| is_role(v)) {
        return None;
    }
    let word = probe.literal.trim();
    let code = ROLES
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(r, _)| *r)?;
    let all = ROLES
        .iter()
        .map(|(r, words)| format!("`{r}` ({})", words[0]))
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Error::new(
            ErrorKind::Query,
            Code::HintNoMatch,
            format!(
                "no row has {} `{}`; roles are {all}",
                probe.column,
                clip(probe.literal)
            ),
        )
        .at(source, probe.span, format!("write \"{code}\""))
        .with_help(format!(
            "did you mean `{code}`? planq writes roles as English codes, the same in every plan"
        ))
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
    let lf = compile::pipeline(&watched, p).ok()?;
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

/// The rows of `p`, read within [`HINT_BUDGET`]; `None` when they cannot be.
fn rows_within(env: &Env, p: &Pipeline) -> Option<usize> {
    let n = scalar_within(env, p, len())?;
    usize::try_from(n).ok()
}

/// The non-null values of `column` at the end of `p`, read within [`HINT_BUDGET`].
fn non_null_within(env: &Env, p: &Pipeline, column: &str) -> Option<u64> {
    scalar_within(env, p, col(column).count())
}

/// One count over the rows of `p`, read within [`HINT_BUDGET`].
fn scalar_within(env: &Env, p: &Pipeline, count: polars::prelude::Expr) -> Option<u64> {
    let halt = Arc::new(AtomicBool::new(false));
    let watched = Env {
        tables: env.tables,
        params: env.params,
        lets: env.lets.clone(),
        stop: Some(Arc::clone(&halt)),
    };
    let lf = compile::pipeline(&watched, p).ok()?;
    let df = compile::collect_watched(
        lf.select([count.cast(DataType::UInt64).alias("__n")]),
        &halt,
        None,
        Some(HINT_BUDGET),
    )
    .ok()?
    .ok()?;
    df.column("__n").ok()?.u64().ok()?.get(0)
}

/// Joins whose two sides both carry `plan` but whose keys do not include it, for a session
/// with several plans loaded: ids (`1.1`, `2.5#1`) repeat in every plan, so such a join
/// matches rows of different plans. Advice, not an error — comparing across plans on
/// purpose is done by selecting `plan` away on one side, which silences it.
pub fn cross_plan_joins(source: &Source, p: &Pipeline) -> Vec<Error> {
    let mut out = Vec::new();
    cross_plan_joins_into(source, p, &mut out);
    out
}

fn cross_plan_joins_into(source: &Source, p: &Pipeline, out: &mut Vec<Error>) {
    use super::typed::Source as From;
    if let From::Sub(inner) = &p.source {
        cross_plan_joins_into(source, inner, out);
    }
    for stage in &p.stages {
        let StageKind::Join { right, on, .. } = &stage.kind else {
            continue;
        };
        if let From::Sub(inner) = right {
            cross_plan_joins_into(source, inner, out);
        }
        let keyed = on.iter().any(|k| k.left == "plan" || k.right == "plan");
        let both = stage.input.get("plan").is_some() && right.columns().get("plan").is_some();
        if both && !keyed {
            out.push(
                Error::new(
                    ErrorKind::Query,
                    Code::HintJoinWithoutPlan,
                    "this join can match rows of different plans: both sides have `plan`, and the keys do not include it",
                )
                .at(source, stage.span, "add `plan,` to the keys")
                .with_help(
                    "ids such as `1.1` repeat in every plan of a corpus: join `on plan, …` to match within a plan \
                     (to compare across plans on purpose, select `plan` away on one side)",
                )
                .with_severity(Severity::Advice),
            );
        }
    }
}
