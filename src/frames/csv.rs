//! The [`PER_TASK`](super::PER_TASK) tables of a batch of tasks written straight to CSV,
//! without building their frames: what `planq export --out DIR` of a large plain-text plan
//! writes batch by batch (issue 8). Building polars columns for a few hundred rows and
//! reading them back cell by cell cost about as much as extracting the tasks.
//!
//! The bytes are the ones [`crate::render::write`] gives the frames of
//! [`super::per_task`] with the `plan` column added: the header lines are made by
//! rendering those frames for no tasks, every cell goes through the cell writers the frame
//! renderer uses (`crate::render::formats::push_*_cell`), and the rows take their columns
//! in the frames' order — which the tests here compare, table by table, on every fixture
//! plan.

use crate::error::Error;
use crate::plan::{Plan, Task};
use crate::render::formats::{push_date_cell, push_float_cell, push_int_cell, push_text_cell_sep};

/// CSV's separator.
const SEP: char = ',';

/// The header line of each [`PER_TASK`](super::PER_TASK) table, `plan` column included,
/// as the frame renderer writes it.
pub fn headers() -> Result<Vec<String>, Error> {
    let mut tables = super::per_task(&Plan::default())?;
    super::add_plan_column(&mut tables, "")?;
    tables
        .iter()
        .map(|(name, df)| {
            let mut out = Vec::new();
            crate::render::write(df, crate::render::Format::Csv, &mut out).map_err(|e| {
                Error::new(
                    crate::error::ErrorKind::Data,
                    crate::error::Code::Frames,
                    format!("could not write the header of `{name}`: {e}"),
                )
            })?;
            Ok(String::from_utf8_lossy(&out).into_owned())
        })
        .collect()
}

/// One task's rows of the four [`PER_TASK`](super::PER_TASK) tables, in one string (one
/// allocation a task), with what the `plans` and `categories` tables count of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskRows {
    text: String,
    /// Where each table's rows end in `text`.
    ends: [usize; 4],
    /// Its category's index in [`Plan::categories`].
    pub category: usize,
    /// Its owners.
    pub owners: usize,
    /// Its targets.
    pub targets: usize,
}

impl TaskRows {
    /// The task's rows of the `k`th [`PER_TASK`](super::PER_TASK) table.
    pub fn table(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        self.text.get(start..self.ends[k]).unwrap_or_default()
    }
}

/// The rows of `task` (of the category at `category` in [`Plan::categories`], with `plan`
/// as the last column), written straight into the one string they are handed over in:
/// what `export --out` makes of each task on the thread that built it (see
/// [`crate::plan::extract_finished`]). The task is freed here, by that thread.
pub fn task_rows(task: Task, category: usize, plan: &str) -> TaskRows {
    /// The calling thread's cell buffers; the length of its last task's rows (the next
    /// task's string is sized from it: tasks of a plan are alike, so it is seldom grown);
    /// the end of a row and the plan it was made for.
    #[derive(Default)]
    struct Buffers {
        scratch: Scratch,
        last: usize,
        row_end: String,
        plan: String,
    }
    thread_local! {
        static BUFFERS: std::cell::RefCell<Buffers> = Default::default();
    }
    BUFFERS.with(|b| {
        let Buffers {
            scratch,
            last,
            row_end: end,
            plan: made_for,
        } = &mut *b.borrow_mut();
        if made_for != plan || end.is_empty() {
            *end = row_end(plan);
            plan.clone_into(made_for);
        }
        let mut text = String::with_capacity(*last + *last / 4);
        let mut ends = [0; 4];
        for (k, at) in ends.iter_mut().enumerate() {
            table_rows(k, &task, end, scratch, &mut text);
            *at = text.len();
        }
        *last = text.len();
        TaskRows {
            text,
            ends,
            category,
            owners: task.owners.len(),
            targets: task.targets.len(),
        }
    })
}

/// Buffers kept between tasks, so that writing rows allocates nothing once they have grown.
#[derive(Debug, Default)]
pub struct Scratch {
    cell: String,
    owners: String,
}

/// Appends the rows of `tasks` (a run of a plan's tasks, see
/// [`crate::plan::text_in_batches`]) to each [`PER_TASK`](super::PER_TASK) table's text
/// in `out` (`tasks`, `owners`, `targets`, `shortfall`, in that order), with `plan` as the
/// last column and no progress reports. Nothing is cleared: the caller writes and clears
/// `out` when it likes.
pub fn per_task_rows(tasks: &[Task], plan: &str, scratch: &mut Scratch, out: &mut [String; 4]) {
    let row_end = row_end(plan);
    for t in tasks {
        for (k, text) in out.iter_mut().enumerate() {
            table_rows(k, t, &row_end, scratch, text);
        }
    }
}

/// What ends every row: the `plan` cell and the line break. Made once, not once a row
/// (the `plan` cell was a sixth of the cells quoted).
fn row_end(plan: &str) -> String {
    let mut end = String::with_capacity(plan.len() + 4);
    end.push(SEP);
    push_text_cell_sep::<SEP>(&mut end, Some(plan));
    end.push('\n');
    end
}

/// Appends `t`'s rows of the `k`th [`PER_TASK`](super::PER_TASK) table to `line`.
fn table_rows(k: usize, t: &Task, row_end: &str, scratch: &mut Scratch, line: &mut String) {
    match k {
        0 => task_row(t, row_end, scratch, line),
        1 => {
            for o in &t.owners {
                push_text_cell_sep::<SEP>(line, Some(&t.id));
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&o.name));
                line.push(SEP);
                push_word(line, o.role.as_str());
                line.push(SEP);
                push_int_cell(line, Some(i64::from(o.position)));
                line.push(SEP);
                push_word(line, o.basis.as_str());
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, o.label.as_deref());
                line.push_str(row_end);
            }
        }
        2 => {
            for g in &t.targets {
                push_text_cell_sep::<SEP>(line, Some(&g.id));
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&t.id));
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&g.metric));
                line.push(SEP);
                push_float_cell(line, &mut scratch.cell, Some(g.value), SEP);
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&g.unit));
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&g.qualifier));
                line.push(SEP);
                push_word(line, g.direction.as_str());
                line.push(SEP);
                push_text_cell_sep::<SEP>(line, Some(&g.text));
                line.push(SEP);
                push_int_cell(line, Some(i64::from(g.line)));
                line.push_str(row_end);
            }
        }
        _ => {
            for g in &t.targets {
                shortfall_row(&crate::shortfall::row(t, g, None), row_end, scratch, line);
            }
        }
    }
}

/// Appends a cell of a fixed English word (a role, a basis, a direction, a status): no
/// such word needs quoting (`vocabulary_words_need_no_quoting`), so the search for what
/// would is skipped.
fn push_word(line: &mut String, word: &'static str) {
    line.push_str(word);
}

fn task_row(t: &Task, row_end: &str, scratch: &mut Scratch, line: &mut String) {
    push_text_cell_sep::<SEP>(line, Some(&t.id));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(&t.category));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, t.subcategory.as_deref());
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(&t.title));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(&t.text));
    line.push(SEP);
    let has_owners = super::owner_names(t, &mut scratch.owners);
    push_text_cell_sep::<SEP>(line, has_owners.then_some(scratch.owners.as_str()));
    line.push(SEP);
    push_date_cell(line, &mut scratch.cell, t.deadline, SEP);
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, t.deadline_text.as_deref());
    line.push(SEP);
    push_int_cell(line, Some(i64::from(t.line)));
    line.push_str(row_end);
}

/// A target's `shortfall` row with no progress reports: the row
/// [`crate::shortfall::shortfall`] computes, so that a change there reaches both paths.
fn shortfall_row(
    r: &crate::shortfall::Row,
    row_end: &str,
    scratch: &mut Scratch,
    line: &mut String,
) {
    let cell = &mut scratch.cell;
    push_text_cell_sep::<SEP>(line, Some(r.target_id));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(r.task_id));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(r.category));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(r.metric));
    line.push(SEP);
    push_text_cell_sep::<SEP>(line, Some(r.unit));
    line.push(SEP);
    push_word(line, r.direction.as_str());
    line.push(SEP);
    push_float_cell(line, cell, Some(r.target), SEP);
    line.push(SEP);
    push_float_cell(line, cell, r.actual, SEP);
    line.push(SEP);
    push_float_cell(line, cell, r.shortfall, SEP);
    line.push(SEP);
    push_float_cell(line, cell, r.pct_done, SEP);
    line.push(SEP);
    push_word(line, r.status.as_str());
    line.push(SEP);
    push_date_cell(line, cell, r.as_of, SEP);
    line.push_str(row_end);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{extract, Basis, Date, Direction, ExtractOptions, Owner, Role, Target};

    /// Every word [`push_word`] writes is one the cell writer would leave as it is. Each
    /// `match` below is exhaustive: a new variant does not compile until it is listed.
    #[test]
    fn vocabulary_words_need_no_quoting() {
        use crate::shortfall::Status;
        let mut words = Vec::new();
        for r in [Role::Lead, Role::Support, Role::Responsible] {
            match r {
                Role::Lead | Role::Support | Role::Responsible => words.push(r.as_str()),
            }
        }
        for b in [Basis::Stated, Basis::Convention, Basis::Carried] {
            match b {
                Basis::Stated | Basis::Convention | Basis::Carried => words.push(b.as_str()),
            }
        }
        for d in [Direction::AtLeast, Direction::AtMost, Direction::About] {
            match d {
                Direction::AtLeast | Direction::AtMost | Direction::About => words.push(d.as_str()),
            }
        }
        for s in [Status::Met, Status::Behind, Status::Unreported] {
            match s {
                Status::Met | Status::Behind | Status::Unreported => words.push(s.as_str()),
            }
        }
        for w in words {
            let mut cell = String::new();
            push_text_cell_sep::<SEP>(&mut cell, Some(w));
            assert_eq!(cell, w);
            let mut raw = String::new();
            push_word(&mut raw, w);
            assert_eq!(raw, cell);
        }
    }

    /// What the frame path writes for `batch`: its frames with the `plan` column, rendered.
    fn through_frames(batch: &Plan, plan: &str) -> Vec<String> {
        let mut tables = super::super::per_task(batch).expect("frames");
        super::super::add_plan_column(&mut tables, plan).expect("plan column");
        tables
            .iter()
            .map(|(_, df)| {
                let mut out = Vec::new();
                crate::render::write(df, crate::render::Format::Csv, &mut out).expect("csv");
                String::from_utf8(out).expect("utf-8")
            })
            .collect()
    }

    /// The same tables written here: the headers, then the rows batch by batch.
    fn direct(batch: &Plan, plan: &str, per_batch: usize) -> Vec<String> {
        let mut out: [String; 4] = Default::default();
        for (o, h) in out.iter_mut().zip(headers().expect("headers")) {
            o.push_str(&h);
        }
        let mut scratch = Scratch::default();
        for tasks in batch.tasks.chunks(per_batch.max(1)) {
            per_task_rows(tasks, plan, &mut scratch, &mut out);
        }
        out.to_vec()
    }

    fn assert_same(batch: &Plan, plan: &str) {
        let expected = through_frames(batch, plan);
        for per_batch in [1, 3, 1000] {
            let got = direct(batch, plan, per_batch);
            for (k, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert!(
                    g == e,
                    "{}: batches of {per_batch}\n--- direct\n{g}\n--- frames\n{e}",
                    super::super::PER_TASK[k]
                );
            }
        }
    }

    #[test]
    fn the_seed_writes_what_its_frames_write() {
        let plan = extract(crate::plan::SEED, ExtractOptions::default());
        assert!(plan.tasks.len() > 20 && plan.targets().count() > 5);
        assert_same(&plan, "seed");
    }

    #[test]
    fn every_text_fixture_writes_what_its_frames_write() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in ["tests/plans/genre", "tests/plans/issuers", "tests/fixtures"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue; // not UTF-8: other tests read those through `source`
                };
                let plan = extract(&text, ExtractOptions::default());
                assert_same(&plan, "p");
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} fixtures read");
    }

    /// Values no real plan may hold but the writer must still write as the frames do:
    /// separators, quotes, line breaks and edge spaces; floats that are not whole, `-0`,
    /// huge and not a number; nulls in every nullable column; an owner named twice and an
    /// empty name; a plan id that needs quoting.
    #[test]
    fn awkward_values_are_written_as_the_frames_write_them() {
        let owner = |name: &str, role, label: Option<&str>| Owner {
            name: name.into(),
            role,
            position: 1,
            basis: Basis::Stated,
            label: label.map(Into::into),
        };
        let target = |id: &str, value: f64, direction| Target {
            id: id.into(),
            metric: "a,b".into(),
            value,
            unit: "\"个\"".into(),
            qualifier: " 以上".into(),
            direction,
            text: "line\nbreak".into(),
            line: 7,
        };
        let task = |id: &str| Task {
            id: id.into(),
            category: "一, 二".into(),
            subcategory: None,
            title: "title ".into(),
            text: "text\r\nmore".into(),
            owners: vec![],
            deadline: None,
            deadline_text: None,
            line: 3,
            targets: vec![],
        };
        let mut a = task("1.1");
        a.subcategory = Some("sub \"x\"".into());
        a.owners = vec![
            owner("", Role::Lead, None),
            owner("省A厅", Role::Support, Some("责任单位,牵头")),
            owner("", Role::Responsible, None),
            owner("省A厅", Role::Lead, Some("")),
        ];
        a.deadline = Date::new(2025, 12, 31);
        a.deadline_text = Some("年内完成".into());
        a.targets = vec![
            target("1.1#1", 96.5, Direction::AtLeast),
            target("1.1#2", -0.0, Direction::AtMost),
            target("1.1#3", 1e20, Direction::About),
            target("1.1#4", f64::NAN, Direction::AtLeast),
            target("1.1#5", -3.0, Direction::AtLeast),
            target("1.1#6", 0.1 + 0.2, Direction::AtLeast),
        ];
        let plan = Plan {
            tasks: vec![a, task("1.2"), task("1.2~2")],
            ..Default::default()
        };
        assert_same(&plan, "a \"plan\", quoted");
        assert_same(&plan, "");
    }
}
