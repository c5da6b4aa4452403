//! Plan model → polars DataFrames: `tasks`, `owners`, `targets`, `categories`, `progress`,
//! `shortfall` and `warnings`. The column names and types here are the schema contract the query
//! language and every export build on.

use polars::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::plan::{Date, Plan};
use crate::progress::Report;
use crate::shortfall::{shortfall, Status};

/// The built-in tables, in the order they are listed to users.
pub const TABLES: &[&str] = &[
    "tasks",
    "owners",
    "targets",
    "categories",
    "progress",
    "shortfall",
    "warnings",
];

/// Builds every table of a plan with its progress reports, in [`TABLES`] order.
pub fn build(plan: &Plan, progress: &[Report]) -> Result<Vec<(String, DataFrame)>, Error> {
    let frames = [
        tasks(plan),
        owners(plan),
        targets(plan),
        categories(plan),
        progress_frame(progress),
        shortfall_frame(plan, progress),
        warnings(plan),
    ];
    TABLES
        .iter()
        .zip(frames)
        .map(|(name, df)| {
            df.map(|df| (name.to_string(), df)).map_err(|e| {
                Error::new(
                    ErrorKind::Data,
                    "planq::frames",
                    format!("could not build table `{name}`: {e}"),
                )
            })
        })
        .collect()
}

fn str_col(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn opt_str_col(name: &str, values: Vec<Option<String>>) -> Column {
    Column::new(name.into(), values)
}

fn int_col(name: &str, values: Vec<i64>) -> Column {
    Column::new(name.into(), values)
}

fn date_col(name: &str, values: Vec<Option<Date>>) -> PolarsResult<Column> {
    let days: Vec<Option<i32>> = values
        .into_iter()
        .map(|d| d.map(Date::days_since_epoch))
        .collect();
    Column::new(name.into(), days).cast(&DataType::Date)
}

fn frame(columns: Vec<Column>) -> PolarsResult<DataFrame> {
    let height = columns.first().map_or(0, Column::len);
    DataFrame::new(height, columns)
}

fn tasks(plan: &Plan) -> PolarsResult<DataFrame> {
    let t = &plan.tasks;
    frame(vec![
        str_col("id", t.iter().map(|t| t.id.clone()).collect()),
        str_col("category", t.iter().map(|t| t.category.clone()).collect()),
        opt_str_col(
            "subcategory",
            t.iter().map(|t| t.subcategory.clone()).collect(),
        ),
        str_col("title", t.iter().map(|t| t.title.clone()).collect()),
        str_col("text", t.iter().map(|t| t.text.clone()).collect()),
        opt_str_col(
            "owners",
            t.iter()
                .map(|t| {
                    let mut names: Vec<&str> = Vec::new();
                    for o in &t.owners {
                        if !names.contains(&o.name.as_str()) {
                            names.push(&o.name);
                        }
                    }
                    (!names.is_empty()).then(|| names.join("、"))
                })
                .collect(),
        ),
        date_col("deadline", t.iter().map(|t| t.deadline).collect())?,
        opt_str_col(
            "deadline_text",
            t.iter().map(|t| t.deadline_text.clone()).collect(),
        ),
        int_col("line", t.iter().map(|t| i64::from(t.line)).collect()),
    ])
}

fn owners(plan: &Plan) -> PolarsResult<DataFrame> {
    let rows: Vec<(&str, &crate::plan::Owner)> = plan
        .tasks
        .iter()
        .flat_map(|t| t.owners.iter().map(move |o| (t.id.as_str(), o)))
        .collect();
    frame(vec![
        str_col(
            "task_id",
            rows.iter().map(|(id, _)| id.to_string()).collect(),
        ),
        str_col("owner", rows.iter().map(|(_, o)| o.name.clone()).collect()),
        str_col(
            "role",
            rows.iter()
                .map(|(_, o)| o.role.as_str().to_string())
                .collect(),
        ),
        int_col(
            "position",
            rows.iter().map(|(_, o)| i64::from(o.position)).collect(),
        ),
        str_col(
            "basis",
            rows.iter()
                .map(|(_, o)| o.basis.as_str().to_string())
                .collect(),
        ),
        opt_str_col("label", rows.iter().map(|(_, o)| o.label.clone()).collect()),
    ])
}

/// Every extraction warning as a row, so that `warnings | count by code` works.
fn warnings(plan: &Plan) -> PolarsResult<DataFrame> {
    let w = &plan.warnings;
    frame(vec![
        str_col("code", w.iter().map(|w| w.code.clone()).collect()),
        str_col("message", w.iter().map(|w| w.message.clone()).collect()),
        int_col("line", w.iter().map(|w| i64::from(w.line)).collect()),
        str_col(
            "severity",
            w.iter().map(|w| w.severity().to_string()).collect(),
        ),
    ])
}

fn targets(plan: &Plan) -> PolarsResult<DataFrame> {
    let rows: Vec<_> = plan.targets().collect();
    frame(vec![
        str_col("id", rows.iter().map(|(_, g)| g.id.clone()).collect()),
        str_col("task_id", rows.iter().map(|(t, _)| t.id.clone()).collect()),
        str_col(
            "metric",
            rows.iter().map(|(_, g)| g.metric.clone()).collect(),
        ),
        Column::new(
            "value".into(),
            rows.iter().map(|(_, g)| g.value).collect::<Vec<f64>>(),
        ),
        str_col("unit", rows.iter().map(|(_, g)| g.unit.clone()).collect()),
        str_col(
            "qualifier",
            rows.iter().map(|(_, g)| g.qualifier.clone()).collect(),
        ),
        str_col(
            "direction",
            rows.iter()
                .map(|(_, g)| g.direction.as_str().to_string())
                .collect(),
        ),
        str_col("text", rows.iter().map(|(_, g)| g.text.clone()).collect()),
        int_col(
            "line",
            rows.iter().map(|(_, g)| i64::from(g.line)).collect(),
        ),
    ])
}

fn categories(plan: &Plan) -> PolarsResult<DataFrame> {
    let c = &plan.categories;
    let count = |name: &str, f: &dyn Fn(&crate::plan::Task) -> usize| -> i64 {
        plan.tasks
            .iter()
            .filter(|t| t.category == name)
            .map(f)
            .sum::<usize>() as i64
    };
    frame(vec![
        int_col("no", c.iter().map(|c| i64::from(c.no)).collect()),
        str_col("name", c.iter().map(|c| c.name.clone()).collect()),
        int_col("tasks", c.iter().map(|c| count(&c.name, &|_| 1)).collect()),
        int_col(
            "targets",
            c.iter()
                .map(|c| count(&c.name, &|t| t.targets.len()))
                .collect(),
        ),
    ])
}

fn progress_frame(reports: &[Report]) -> PolarsResult<DataFrame> {
    frame(vec![
        str_col(
            "target_id",
            reports.iter().map(|r| r.target_id.clone()).collect(),
        ),
        Column::new(
            "actual".into(),
            reports.iter().map(|r| r.actual).collect::<Vec<f64>>(),
        ),
        date_col("as_of", reports.iter().map(|r| Some(r.as_of)).collect())?,
        opt_str_col("note", reports.iter().map(|r| r.note.clone()).collect()),
    ])
}

fn shortfall_frame(plan: &Plan, reports: &[Report]) -> PolarsResult<DataFrame> {
    let rows = shortfall(plan, reports);
    let f64s = |f: &dyn Fn(&crate::shortfall::Row) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(f).collect()
    };
    frame(vec![
        str_col(
            "target_id",
            rows.iter().map(|r| r.target_id.clone()).collect(),
        ),
        str_col("task_id", rows.iter().map(|r| r.task_id.clone()).collect()),
        str_col(
            "category",
            rows.iter().map(|r| r.category.clone()).collect(),
        ),
        str_col("metric", rows.iter().map(|r| r.metric.clone()).collect()),
        str_col("unit", rows.iter().map(|r| r.unit.clone()).collect()),
        str_col(
            "direction",
            rows.iter()
                .map(|r| r.direction.as_str().to_string())
                .collect(),
        ),
        Column::new(
            "target".into(),
            rows.iter().map(|r| r.target).collect::<Vec<f64>>(),
        ),
        Column::new("actual".into(), f64s(&|r| r.actual)),
        Column::new("shortfall".into(), f64s(&|r| r.shortfall)),
        Column::new("pct_done".into(), f64s(&|r| r.pct_done)),
        str_col(
            "status",
            rows.iter()
                .map(|r| {
                    match r.status {
                        Status::Met => "met",
                        Status::Behind => "behind",
                        Status::Unreported => "unreported",
                    }
                    .to_string()
                })
                .collect(),
        ),
        date_col("as_of", rows.iter().map(|r| r.as_of).collect())?,
    ])
}
