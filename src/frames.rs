//! Plan model → polars DataFrames: `tasks`, `owners`, `targets`, `categories`, `progress`,
//! `shortfall` and `warnings`. The column names and types here are the schema contract the query
//! language and every export build on.

use polars::prelude::*;

pub mod csv;

use crate::error::{Code, Error, ErrorKind};
use crate::plan::{Date, Plan};
use crate::progress::Report;
use crate::shortfall::shortfall;

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
    use rayon::prelude::*;
    // The tables are independent: built on rayon's pool (a 100k-task plan's `tasks`,
    // `owners`, `targets` and `shortfall` each take tens of milliseconds), in order.
    let frames: Vec<PolarsResult<DataFrame>> = (0..TABLES.len())
        .into_par_iter()
        .map(|k| match k {
            0 => tasks(plan),
            1 => owners(plan),
            2 => targets(plan),
            3 => categories(plan),
            4 => progress_frame(progress),
            5 => shortfall_frame(plan, progress),
            _ => warnings(plan),
        })
        .collect();
    TABLES
        .iter()
        .zip(frames)
        .map(|(name, df)| named(name, df))
        .collect()
}

fn named(name: &str, df: PolarsResult<DataFrame>) -> Result<(String, DataFrame), Error> {
    df.map(|df| (name.to_string(), df)).map_err(|e| {
        Error::new(
            ErrorKind::Data,
            Code::Frames,
            format!("could not build table `{name}`: {e}"),
        )
    })
}

/// The tables whose rows are a plan's tasks, owners and targets, in [`TABLES`] order:
/// built batch by batch by [`per_task`] when a plan's tasks come in batches.
pub const PER_TASK: &[&str] = &["tasks", "owners", "targets", "shortfall"];

/// The [`PER_TASK`] tables of `plan`'s tasks (a batch of a plan's tasks, see
/// [`crate::plan::extract_in_batches`]), without progress reports: the rows [`build`] gives
/// those tasks, in the same schemas. The other tables come from [`after_tasks`].
pub fn per_task(plan: &Plan) -> Result<Vec<(String, DataFrame)>, Error> {
    use rayon::prelude::*;
    let frames: Vec<PolarsResult<DataFrame>> = (0..PER_TASK.len())
        .into_par_iter()
        .map(|k| match k {
            0 => tasks(plan),
            1 => owners(plan),
            2 => targets(plan),
            _ => shortfall_frame(plan, &[]),
        })
        .collect();
    PER_TASK
        .iter()
        .zip(frames)
        .map(|(name, df)| named(name, df))
        .collect()
}

/// The tables that are not [`PER_TASK`] — `categories`, `progress` (no reports) and
/// `warnings` — of a plan whose tasks were counted batch by batch into `counts`.
pub fn after_tasks(
    plan: &Plan,
    counts: &CategoryCounts,
) -> Result<Vec<(String, DataFrame)>, Error> {
    Ok(vec![
        named("categories", categories_counted(plan, counts))?,
        named("progress", progress_frame(&[]))?,
        named("warnings", warnings(plan))?,
    ])
}

/// Tasks and targets per category name, for the `categories` table: counted as tasks
/// come (one pass over the tasks, not one per category: a plan with thousands of sections
/// must not cost categories × tasks).
#[derive(Debug, Default)]
pub struct CategoryCounts(std::collections::HashMap<String, (i64, i64)>);

impl CategoryCounts {
    /// Counts `tasks` and their targets in their categories.
    pub fn add(&mut self, tasks: &[crate::plan::Task]) {
        for t in tasks {
            self.add_counts(&t.category, 1, t.targets.len() as i64);
        }
    }

    /// Counts `tasks` tasks with `targets` targets in the category named `name` (tasks
    /// counted elsewhere, by category index: see `planq export --out`).
    pub fn add_counts(&mut self, name: &str, tasks: i64, targets: i64) {
        match self.0.get_mut(name) {
            Some(e) => {
                e.0 += tasks;
                e.1 += targets;
            }
            None => {
                self.0.insert(name.to_string(), (tasks, targets));
            }
        }
    }

    fn get(&self, name: &str) -> (i64, i64) {
        self.0.get(name).copied().unwrap_or_default()
    }
}

/// Adds the `plan` column, last, to every table of one plan: `(plan, id)` is the key of a
/// corpus, and a last column changes single-plan output least.
pub fn add_plan_column(tables: &mut [(String, DataFrame)], plan: &str) -> Result<(), Error> {
    for (name, df) in tables.iter_mut() {
        let col = StringChunked::full("plan".into(), plan, df.height()).into_column();
        df.with_column(col).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::Frames,
                format!("could not build table `{name}`: {e}"),
            )
        })?;
    }
    Ok(())
}

/// Appends one plan's tables to the corpus's (same names, same order, same schemas).
pub fn append(all: &mut [(String, DataFrame)], more: &[(String, DataFrame)]) -> Result<(), Error> {
    for ((name, df), (_, other)) in all.iter_mut().zip(more) {
        df.vstack_mut(other).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::Frames,
                format!("could not append to table `{name}`: {e}"),
            )
        })?;
    }
    Ok(())
}

/// Makes every column one chunk after [`append`]: queries read contiguous buffers.
pub fn finish(all: &mut [(String, DataFrame)]) {
    for (_, df) in all.iter_mut() {
        if df.first_col_n_chunks() > 1 {
            df.rechunk_mut();
        }
    }
}

// Text columns are built from borrowed strings: polars copies each value into its own
// buffers, so collecting owned copies first would copy every string twice.
fn str_col<S: AsRef<str>>(name: &str, values: impl IntoIterator<Item = S>) -> Column {
    StringChunked::from_iter_values(name.into(), values.into_iter()).into_column()
}

fn opt_str_col<S: AsRef<str>>(name: &str, values: impl IntoIterator<Item = Option<S>>) -> Column {
    StringChunked::from_iter_options(name.into(), values.into_iter()).into_column()
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
        str_col("id", t.iter().map(|t| t.id.as_str())),
        str_col("category", t.iter().map(|t| t.category.as_str())),
        opt_str_col("subcategory", t.iter().map(|t| t.subcategory.as_deref())),
        str_col("title", t.iter().map(|t| t.title.as_str())),
        str_col("text", t.iter().map(|t| t.text.as_str())),
        opt_str_col(
            "owners",
            t.iter().map(|t| {
                let mut names = String::new();
                owner_names(t, &mut names).then_some(names)
            }),
        ),
        date_col("deadline", t.iter().map(|t| t.deadline).collect())?,
        opt_str_col(
            "deadline_text",
            t.iter().map(|t| t.deadline_text.as_deref()),
        ),
        int_col("line", t.iter().map(|t| i64::from(t.line)).collect()),
    ])
}

/// Writes the task's distinct owner names, in order of appearance and joined by `、`, into
/// `out` (cleared first): the `owners` column of `tasks`. False when it has none (null).
fn owner_names(task: &crate::plan::Task, out: &mut String) -> bool {
    out.clear();
    for (k, o) in task.owners.iter().enumerate() {
        // A name listed twice (lead of one clause, support of another) is shown once.
        if task.owners[..k].iter().any(|p| p.name == o.name) {
            continue;
        }
        if k > 0 {
            out.push('、');
        }
        out.push_str(&o.name);
    }
    !task.owners.is_empty()
}

fn owners(plan: &Plan) -> PolarsResult<DataFrame> {
    let rows: Vec<(&str, &crate::plan::Owner)> = plan
        .tasks
        .iter()
        .flat_map(|t| t.owners.iter().map(move |o| (t.id.as_str(), o)))
        .collect();
    frame(vec![
        str_col("task_id", rows.iter().map(|(id, _)| *id)),
        str_col("owner", rows.iter().map(|(_, o)| o.name.as_str())),
        str_col("role", rows.iter().map(|(_, o)| o.role.as_str())),
        int_col(
            "position",
            rows.iter().map(|(_, o)| i64::from(o.position)).collect(),
        ),
        str_col("basis", rows.iter().map(|(_, o)| o.basis.as_str())),
        opt_str_col("label", rows.iter().map(|(_, o)| o.label.as_deref())),
    ])
}

/// Every extraction warning as a row, so that `warnings | count by code` works.
fn warnings(plan: &Plan) -> PolarsResult<DataFrame> {
    let w = &plan.warnings;
    frame(vec![
        str_col("code", w.iter().map(|w| w.code.as_str())),
        str_col("message", w.iter().map(|w| w.message.as_str())),
        int_col("line", w.iter().map(|w| i64::from(w.line)).collect()),
        str_col("severity", w.iter().map(|w| w.severity())),
    ])
}

fn targets(plan: &Plan) -> PolarsResult<DataFrame> {
    let rows: Vec<_> = plan.targets().collect();
    frame(vec![
        str_col("id", rows.iter().map(|(_, g)| g.id.as_str())),
        str_col("task_id", rows.iter().map(|(t, _)| t.id.as_str())),
        str_col("metric", rows.iter().map(|(_, g)| g.metric.as_str())),
        Column::new(
            "value".into(),
            rows.iter().map(|(_, g)| g.value).collect::<Vec<f64>>(),
        ),
        str_col("unit", rows.iter().map(|(_, g)| g.unit.as_str())),
        str_col("qualifier", rows.iter().map(|(_, g)| g.qualifier.as_str())),
        str_col("direction", rows.iter().map(|(_, g)| g.direction.as_str())),
        str_col("text", rows.iter().map(|(_, g)| g.text.as_str())),
        int_col(
            "line",
            rows.iter().map(|(_, g)| i64::from(g.line)).collect(),
        ),
    ])
}

fn categories(plan: &Plan) -> PolarsResult<DataFrame> {
    let mut counts = CategoryCounts::default();
    counts.add(&plan.tasks);
    categories_counted(plan, &counts)
}

fn categories_counted(plan: &Plan, per_name: &CategoryCounts) -> PolarsResult<DataFrame> {
    let c = &plan.categories;
    let counts = |name: &str| per_name.get(name);
    frame(vec![
        int_col("no", c.iter().map(|c| i64::from(c.no)).collect()),
        str_col("name", c.iter().map(|c| c.name.as_str())),
        int_col("tasks", c.iter().map(|c| counts(&c.name).0).collect()),
        int_col("targets", c.iter().map(|c| counts(&c.name).1).collect()),
    ])
}

fn progress_frame(reports: &[Report]) -> PolarsResult<DataFrame> {
    frame(vec![
        str_col("target_id", reports.iter().map(|r| r.target_id.as_str())),
        Column::new(
            "actual".into(),
            reports.iter().map(|r| r.actual).collect::<Vec<f64>>(),
        ),
        date_col("as_of", reports.iter().map(|r| Some(r.as_of)).collect())?,
        opt_str_col("note", reports.iter().map(|r| r.note.as_deref())),
    ])
}

fn shortfall_frame(plan: &Plan, reports: &[Report]) -> PolarsResult<DataFrame> {
    let rows = shortfall(plan, reports);
    let f64s = |f: &dyn Fn(&crate::shortfall::Row) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(f).collect()
    };
    frame(vec![
        str_col("target_id", rows.iter().map(|r| r.target_id)),
        str_col("task_id", rows.iter().map(|r| r.task_id)),
        str_col("category", rows.iter().map(|r| r.category)),
        str_col("metric", rows.iter().map(|r| r.metric)),
        str_col("unit", rows.iter().map(|r| r.unit)),
        str_col("direction", rows.iter().map(|r| r.direction.as_str())),
        Column::new(
            "target".into(),
            rows.iter().map(|r| r.target).collect::<Vec<f64>>(),
        ),
        Column::new("actual".into(), f64s(&|r| r.actual)),
        Column::new("shortfall".into(), f64s(&|r| r.shortfall)),
        Column::new("pct_done".into(), f64s(&|r| r.pct_done)),
        str_col("status", rows.iter().map(|r| r.status.as_str())),
        date_col("as_of", rows.iter().map(|r| r.as_of).collect())?,
    ])
}

/// What each column of the built-in tables holds, in one line — shown by `.schema`. Kept
/// here, beside the code that builds the columns, so that a new column gets its line.
pub const DESCRIPTIONS: &[(&str, &str, &str)] = &[
    (
        "tasks",
        "id",
        "printed numbers of the task (二、then (六) → 2.6)",
    ),
    ("tasks", "category", "top-level section the task is in"),
    (
        "tasks",
        "subcategory",
        "headings between the section and the task, joined by ` / `",
    ),
    (
        "tasks",
        "title",
        "lead phrase of the task, up to its first 。",
    ),
    ("tasks", "text", "whole text of the task"),
    (
        "tasks",
        "owners",
        "every owner named, in order, joined by 、",
    ),
    (
        "tasks",
        "deadline",
        "last day allowed: a 完成时限, else the latest deadline phrase of the text",
    ),
    (
        "tasks",
        "deadline_text",
        "the phrase the deadline was read from (年内完成, 6月底前 …)",
    ),
    (
        "tasks",
        "line",
        "line of the plan document where the task starts",
    ),
    ("owners", "task_id", "the task (tasks.id)"),
    (
        "owners",
        "owner",
        "department or unit, its prefix restored (审改办 → 省审改办)",
    ),
    (
        "owners",
        "role",
        "lead (牵头), support (配合) or responsible (负责)",
    ),
    (
        "owners",
        "position",
        "order among the task's owners, from 1",
    ),
    (
        "owners",
        "basis",
        "why it has the role: stated, convention or carried",
    ),
    (
        "owners",
        "label",
        "label it was listed under (责任单位 …), if any",
    ),
    (
        "targets",
        "id",
        "<task_id>#<n>: the n-th target of the task",
    ),
    ("targets", "task_id", "the task (tasks.id)"),
    ("targets", "metric", "what is counted (民生信息化社区)"),
    (
        "targets",
        "value",
        "the number to reach (万 and 亿 multiplied out)",
    ),
    ("targets", "unit", "unit or counter (个, 所, %)"),
    (
        "targets",
        "qualifier",
        "word that qualifies the value (以上, 达到, 左右), or empty",
    ),
    (
        "targets",
        "direction",
        "which side meets it: at_least, at_most or about",
    ),
    ("targets", "text", "the phrase the target was read from"),
    ("targets", "line", "line of the plan document"),
    ("categories", "no", "section number, from 1"),
    ("categories", "name", "section heading"),
    ("categories", "tasks", "number of tasks in the section"),
    ("categories", "targets", "number of targets in the section"),
    (
        "progress",
        "target_id",
        "the target reported on (targets.id)",
    ),
    ("progress", "actual", "amount done, in the target's unit"),
    ("progress", "as_of", "date the amount was measured"),
    ("progress", "note", "remark of the report"),
    ("shortfall", "target_id", "the target (targets.id)"),
    ("shortfall", "task_id", "its task (tasks.id)"),
    ("shortfall", "category", "its task's section"),
    ("shortfall", "metric", "what is counted"),
    ("shortfall", "unit", "unit or counter"),
    (
        "shortfall",
        "direction",
        "which side meets it: at_least, at_most or about",
    ),
    ("shortfall", "target", "the number to reach"),
    (
        "shortfall",
        "actual",
        "latest reported amount (null: no report)",
    ),
    (
        "shortfall",
        "shortfall",
        "how far the latest report is from the target (0 when met)",
    ),
    (
        "shortfall",
        "pct_done",
        "latest report as a percentage of the target",
    ),
    ("shortfall", "status", "met, behind or unreported"),
    ("shortfall", "as_of", "date of the latest report"),
    (
        "warnings",
        "code",
        "stable code of what was noticed (planq::plan::…)",
    ),
    ("warnings", "message", "what the extractor noticed"),
    ("warnings", "line", "line of the plan document"),
    (
        "warnings",
        "severity",
        "warning, or info for skipped page debris",
    ),
];

/// The one-line description of a built-in table's column ([`DESCRIPTIONS`]).
pub fn describe(table: &str, column: &str) -> Option<&'static str> {
    if column == "plan" {
        return Some(if table == "plans" {
            "short stable id of the plan: its file's stem (`~2` when two files share one)"
        } else {
            "the plan the row comes from (plans.plan); (plan, id) is the key of a corpus"
        });
    }
    if table == "plans" {
        return crate::corpus::describe(column);
    }
    DESCRIPTIONS
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, d)| *d)
}

#[cfg(test)]
mod description_tests {
    use super::*;

    #[test]
    fn every_column_of_every_table_is_described() {
        let plan = crate::plan::extract(crate::plan::SEED, Default::default());
        for (name, df) in build(&plan, &[]).expect("tables") {
            for c in df.get_column_names() {
                assert!(
                    describe(&name, c).is_some(),
                    "{name}.{c} has no description"
                );
            }
            let described = DESCRIPTIONS.iter().filter(|(t, _, _)| *t == name).count();
            // Every table gets its `plan` column from the dataset, not from `build`.
            assert_eq!(described, df.width(), "{name}: a description of no column");
            assert!(describe(&name, "plan").is_some());
        }
    }
}
