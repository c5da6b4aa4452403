//! Shortfall: each target against its latest progress report.

use crate::plan::{Date, Plan};
use crate::progress::Report;

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The latest report reaches the target.
    Met,
    /// The latest report falls short.
    Behind,
    /// No report yet.
    Unreported,
}

/// One row of the `shortfall` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The target's id.
    pub target_id: String,
    /// Its task.
    pub task_id: String,
    /// The task's category.
    pub category: String,
    /// What is counted.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// The target value.
    pub target: f64,
    /// Latest reported value.
    pub actual: Option<f64>,
    /// `target − actual`, floored at 0.
    pub shortfall: Option<f64>,
    /// `actual / target × 100` (not capped: over-delivery shows as more than 100).
    pub pct_done: Option<f64>,
    /// Met, behind or unreported.
    pub status: Status,
    /// Date of the latest report.
    pub as_of: Option<Date>,
}

/// Computes the shortfall of every target of `plan`, in target order, from the latest
/// report (by `as_of`) of each.
pub fn shortfall(plan: &Plan, reports: &[Report]) -> Vec<Row> {
    plan.targets()
        .map(|(task, target)| {
            let latest = reports
                .iter()
                .filter(|r| r.target_id == target.id)
                .max_by_key(|r| r.as_of);
            let actual = latest.map(|r| r.actual);
            let status = match actual {
                None => Status::Unreported,
                Some(a) if a >= target.value => Status::Met,
                Some(_) => Status::Behind,
            };
            Row {
                target_id: target.id.clone(),
                task_id: task.id.clone(),
                category: task.category.clone(),
                metric: target.metric.clone(),
                unit: target.unit.clone(),
                target: target.value,
                actual,
                shortfall: actual.map(|a| tidy((target.value - a).max(0.0))),
                pct_done: actual.and_then(|a| {
                    (target.value != 0.0).then(|| (a / target.value * 1e4).round() / 100.0)
                }),
                status,
                as_of: latest.map(|r| r.as_of),
            }
        })
        .collect()
}

/// Rounds away binary noise (`96 − 95.2` = `0.7999999999999972` → `0.8`).
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}
