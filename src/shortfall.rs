//! Shortfall: each target against its latest progress report.

use crate::plan::fast_hash::FastMap;
use crate::plan::{Date, Direction, Plan, Target, Task};
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

impl Status {
    /// The status as written in tables: `met`, `behind`, `unreported`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Behind => "behind",
            Status::Unreported => "unreported",
        }
    }
}

/// One row of the `shortfall` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// The target's id.
    pub target_id: &'a str,
    /// Its task.
    pub task_id: &'a str,
    /// The task's category.
    pub category: &'a str,
    /// What is counted.
    pub metric: &'a str,
    /// Unit.
    pub unit: &'a str,
    /// Which side of the target meets it.
    pub direction: Direction,
    /// The target value.
    pub target: f64,
    /// Latest reported value.
    pub actual: Option<f64>,
    /// How far the actual value is on the wrong side: `target − actual` for an at-least
    /// (or about) target, `actual − target` for an at-most one; floored at 0.
    pub shortfall: Option<f64>,
    /// `actual / target × 100` (not capped: over-delivery shows as more than 100); for an
    /// at-most target `target / actual × 100`, so that 100 or more means within the bound.
    pub pct_done: Option<f64>,
    /// Met, behind or unreported.
    pub status: Status,
    /// Date of the latest report.
    pub as_of: Option<Date>,
}

/// Computes the shortfall of every target of `plan`, in target order, from the latest
/// report (by `as_of`) of each. Rows borrow the plan's strings (a plan of a million
/// targets would otherwise copy five strings per row only to hand them to polars).
pub fn shortfall<'a>(plan: &'a Plan, reports: &[Report]) -> Vec<Row<'a>> {
    // The latest report of each target, in one pass over the reports (not one per target).
    // On equal dates the later report in file order wins, as `max_by_key` would choose.
    // Keys are validated target ids, so a fast hash is safe (see `FastMap`); room for
    // the plan's targets, not for every report (a million reports of 50,000 targets).
    let mut latest_of: FastMap<&str, &Report> = FastMap::with_capacity_and_hasher(
        reports.len().min(plan.targets().count()),
        Default::default(),
    );
    for r in reports {
        latest_of
            .entry(r.target_id.as_str())
            .and_modify(|best| {
                if r.as_of >= best.as_of {
                    *best = r;
                }
            })
            .or_insert(r);
    }
    plan.targets()
        .map(|(task, target)| row(task, target, latest_of.get(target.id.as_str()).copied()))
        .collect()
}

/// The `shortfall` row of `target` (of `task`) given its latest report, if any.
pub fn row<'a>(task: &'a Task, target: &'a Target, latest: Option<&Report>) -> Row<'a> {
    let actual = latest.map(|r| r.actual);
    let at_most = target.direction == Direction::AtMost;
    let status = match actual {
        None => Status::Unreported,
        Some(a) if at_most && a <= target.value => Status::Met,
        Some(a) if !at_most && a >= target.value => Status::Met,
        Some(_) => Status::Behind,
    };
    // For an at-most target the wrong side is above it.
    let (over, ratio) = (
        |a: f64| {
            if at_most {
                a - target.value
            } else {
                target.value - a
            }
        },
        |a: f64| {
            if at_most {
                (target.value, a)
            } else {
                (a, target.value)
            }
        },
    );
    Row {
        target_id: &target.id,
        task_id: &task.id,
        category: &task.category,
        metric: &target.metric,
        unit: &target.unit,
        direction: target.direction,
        target: target.value,
        actual,
        shortfall: actual.map(|a| tidy(over(a).max(0.0))),
        pct_done: actual.and_then(|a| {
            let (num, den) = ratio(a);
            (den != 0.0).then(|| (num / den * 1e4).round() / 100.0)
        }),
        status,
        as_of: latest.map(|r| r.as_of),
    }
}

/// Rounds away binary noise (`96 − 95.2` = `0.7999999999999972` → `0.8`).
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{extract, ExtractOptions};

    fn report(id: &str, actual: f64) -> Report {
        Report {
            target_id: id.into(),
            actual,
            as_of: Date::new(2025, 6, 30).expect("date"),
            note: None,
            plan: String::new(),
        }
    }

    #[test]
    fn at_most_targets_are_met_at_or_under_the_bound() {
        let plan = extract(
            "一、甲\n（一）居民消费价格涨幅控制在3%以内，建设100个站点。(省A厅负责)\n",
            ExtractOptions::default(),
        );
        let dirs: Vec<Direction> = plan.targets().map(|(_, t)| t.direction).collect();
        assert_eq!(dirs, [Direction::AtMost, Direction::AtLeast]);
        let rows = shortfall(&plan, &[report("1.1#1", 2.5), report("1.1#2", 90.0)]);
        assert_eq!(rows[0].status, Status::Met);
        assert_eq!(rows[0].shortfall, Some(0.0));
        assert_eq!(rows[1].status, Status::Behind);
        let rows = shortfall(&plan, &[report("1.1#1", 3.5)]);
        assert_eq!(rows[0].status, Status::Behind);
        assert_eq!(rows[0].shortfall, Some(0.5));
        assert_eq!(rows[0].pct_done, Some(85.71));
    }
}
