//! The plan model: what a work-plan document says, independent of any table library.
//!
//! [`source`] reads a file of any supported format into a [`source::Document`];
//! [`from_document`] turns its prose (through [`extract`]) and its task tables (through
//! [`table`]) into a [`Plan`]; the `frames` module turns a plan into polars DataFrames.
//! Every task keeps the 1-based line of its document's display text.

mod char_set;
mod date;
mod extract;
pub(crate) mod fast_hash;
mod gazetteer;
mod nfkc;
mod numbers;
mod owners;
pub mod source;
pub mod table;
mod targets;
pub mod unwrap;

use crate::error::Code;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use date::{find_deadlines, parse_deadline, plan_year, Date, Deadline};
pub use extract::{extract, extract_finished, extract_in_batches, ExtractOptions};
pub(crate) use gazetteer::shown_name as place_shown_name;
pub(crate) use gazetteer::warm as warm_gazetteer;
use source::{Block, Document, Format};

/// The seed plan, compiled into the binary as the default document.
pub const SEED: &str = include_str!("../../seeds/2010年数字福建工作要点.txt");

/// The seed plan's display name (used in diagnostics).
pub const SEED_NAME: &str = "seeds/2010年数字福建工作要点.txt";

/// An owner's role in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 牵头: leads the task.
    Lead,
    /// 配合, 参与, 协办, 相关责任单位: supports the lead.
    Support,
    /// 负责, 责任单位: responsible for carrying it out.
    Responsible,
}

impl Role {
    /// The role as written in tables: `lead`, `support`, `responsible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Support => "support",
            Role::Responsible => "responsible",
        }
    }
}

/// Why an owner has its role: said in so many words, read by the genre's convention, or
/// carried over from a statement that reaches other items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// A role word or label in the text (`X牵头`, `牵头单位：X`), or a notice that states
    /// the convention (`排在第一位的为牵头单位`).
    #[default]
    Stated,
    /// A plain list `责任单位：A、B，C`: the first unit leads by the genre's convention, the
    /// rest are responsible.
    Convention,
    /// From a clause of another item (`…，下同`, `以下任务均需X落实`).
    Carried,
}

impl Basis {
    /// The basis as written in tables: `stated`, `convention`, `carried`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Stated => "stated",
            Basis::Convention => "convention",
            Basis::Carried => "carried",
        }
    }
}

/// One owner of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    /// Department name, prefix restored (`审改办` after `省效能办` → `省审改办`).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// 1-based order of appearance within the task.
    pub position: u32,
    /// Why it has that role.
    #[serde(default)]
    pub basis: Basis,
    /// The label the owner was listed under (`责任单位`, `数据提供单位`), if any.
    #[serde(default)]
    pub label: Option<String>,
}

/// Which side of a target counts as meeting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Met when the actual value reaches the target (the default: `达到`, `以上`, `超`).
    #[default]
    AtLeast,
    /// Met when the actual value stays at or under it (`以内`, `不超过`, `控制在`, `下降到`).
    AtMost,
    /// Aimed at, not a bound (`左右`): met when the actual value reaches it.
    About,
}

impl Direction {
    /// The direction as written in tables: `at_least`, `at_most`, `about`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
            Direction::About => "about",
        }
    }
}

/// A numeric target stated in a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Stable id `<task_id>#<n>`.
    pub id: String,
    /// What is counted, e.g. `民生信息化社区`.
    pub metric: String,
    /// The normalised number (`200万` → 2000000, `两` → 2, `百分之九十八` → 98).
    pub value: f64,
    /// Unit or counter: `个`, `所`, `%`, `人`, …
    pub unit: String,
    /// `以上`, `超`, `不少于`, `达到`, `以内`, `不超过`, `左右` or empty.
    pub qualifier: String,
    /// Which side of the value counts as meeting it.
    #[serde(default)]
    pub direction: Direction,
    /// The source phrase.
    pub text: String,
    /// 1-based source line.
    pub line: u32,
}

/// A numbered item of the plan (or a section that has no items).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Path of printed numbers (`二、` then `(六)` → `2.6`), with ordinals for unnumbered
    /// levels (the seed's sections); a repeated printed number gets a `~2`, `~3`… suffix.
    pub id: String,
    /// Top-level section title.
    pub category: String,
    /// Heading(s) between the category and the task, joined by ` / `.
    pub subcategory: Option<String>,
    /// Lead phrase, up to the first `。`.
    pub title: String,
    /// Full item text (numbering removed), continuation lines joined with `\n`.
    pub text: String,
    /// Owners in order of appearance.
    pub owners: Vec<Owner>,
    /// The last day of the deadline: a `完成时限` label or column, else the latest deadline
    /// phrase of the text (`年内完成`, `6月底前`).
    pub deadline: Option<Date>,
    /// The phrase the deadline was read from, as written (also when it could not be dated:
    /// `6月底前` in a plan without a year).
    #[serde(default)]
    pub deadline_text: Option<String>,
    /// 1-based line where the task starts.
    pub line: u32,
    /// Numeric targets found in the text.
    pub targets: Vec<Target>,
}

/// A top-level section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// 1-based section number.
    pub no: u32,
    /// Heading text (numbering removed).
    pub name: String,
    /// 1-based line of the heading.
    pub line: u32,
}

/// Something the extractor noticed but could not place with certainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable code, e.g. [`Code::PlanUnplacedText`].
    pub code: Code,
    /// 1-based line.
    pub line: u32,
    /// What was noticed.
    pub message: String,
}

impl Warning {
    /// `info` for page debris that was skipped (no plan content was lost), `warning` for
    /// everything that may have lost or misplaced content.
    pub fn severity(&self) -> &'static str {
        match self.code {
            Code::PlanDebris => "info",
            _ => "warning",
        }
    }
}

/// A whole extracted plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// The document's title line, if it has one.
    pub title: Option<String>,
    /// Text before the first heading (title excluded).
    pub preamble: String,
    /// Top-level sections in order.
    pub categories: Vec<Category>,
    /// Tasks in document order.
    pub tasks: Vec<Task>,
    /// What could not be placed with certainty.
    pub warnings: Vec<Warning>,
}

/// `chars` as a string, sized at once: collecting chars one by one grows the string (and
/// checks its room) at every char, which was a good part of reading a target.
pub(crate) fn string_of(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    for &c in chars {
        s.push(c);
    }
    s
}

/// The year a title starts with (`2023年数字福建工作要点` → 2023).
pub fn year_of_title(title: &str) -> Option<i32> {
    date::plan_year(Some(title))
}

impl Plan {
    /// The plan's year, from its title (`2010年数字福建工作要点` → 2010).
    pub fn year(&self) -> Option<i32> {
        date::plan_year(self.title.as_deref())
    }

    /// Every target of every task, with its task.
    pub fn targets(&self) -> impl Iterator<Item = (&Task, &Target)> {
        self.tasks
            .iter()
            .flat_map(|t| t.targets.iter().map(move |g| (t, g)))
    }
}

/// Appends the decimal digits of `n` (what `{n}` prints) without the formatter, which
/// costs more than the digits where millions of numbers are written (task ids, CSV cells).
/// `itoa` writes two digits at a time from a table: pushed one by one, the digits of a
/// 10k-task export's numbers took 18.2M of its 441M instructions under
/// `valgrind --tool=callgrind`.
pub fn push_decimal(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// [`extract`] on prose; a text file's prose first has its hard-wrapped paragraphs joined
/// (text converted from PDF), with a warning that says so.
fn extract_prose(prose: &str, options: ExtractOptions, text_file: bool) -> Plan {
    extract::every_task(|sink| prose_in_batches(prose, options, text_file, usize::MAX, sink))
}

/// [`extract_prose`] with the tasks handed to `sink` in batches (see
/// [`extract_in_batches`]); the plan returned has no tasks.
fn prose_in_batches(
    prose: &str,
    options: ExtractOptions,
    text_file: bool,
    batch: usize,
    sink: &mut dyn FnMut(Vec<Task>),
) -> Plan {
    prose_finished(prose, options, text_file, batch, &|task, _| task, sink)
}

/// [`prose_in_batches`] with each task finished by `finish` (see
/// [`extract::extract_finished`]).
fn prose_finished<R: Send>(
    prose: &str,
    options: ExtractOptions,
    text_file: bool,
    batch: usize,
    finish: &(dyn Fn(Task, usize) -> R + Sync),
    sink: &mut dyn FnMut(Vec<R>),
) -> Plan {
    let Some(unwrapped) = text_file.then(|| unwrap::join_wrapped(prose)).flatten() else {
        return extract::extract_finished(prose, options, batch, finish, sink);
    };
    let mut plan = extract::extract_finished(&unwrapped.text, options, batch, finish, sink);
    plan.warnings.push(Warning {
        code: Code::PlanWrapped,
        line: unwrapped.first,
        message: format!(
            "the text looks hard-wrapped (as PDF converters write it): {} lines were joined to \
             the paragraph above them; check the tasks' text",
            unwrapped.joins
        ),
    });
    plan
}

/// Whether [`text_in_batches`] reads `doc`: a text file without task tables,
/// whose plan is its prose alone (other documents number their task tables' tasks after
/// the prose's, so they need every prose task first).
pub fn reads_in_batches(doc: &Document) -> bool {
    doc.format == Format::Text && !doc.blocks.iter().any(|b| matches!(b, Block::Table(_)))
}

/// [`from_document`] for a document that [`reads_in_batches`], given its text: the tasks
/// are handed to `sink` in document order, at most `batch` at a time, and the plan
/// returned has everything but its tasks.
pub fn text_in_batches(
    text: &str,
    options: ExtractOptions,
    batch: usize,
    sink: &mut dyn FnMut(Vec<Task>),
) -> Plan {
    prose_in_batches(text, options, true, batch, sink)
}

/// [`text_in_batches`], handing `sink` what `finish` makes of each complete task, with its
/// category's index in [`Plan::categories`], instead of the task: see
/// [`extract::extract_finished`].
pub fn text_finished<R: Send>(
    text: &str,
    options: ExtractOptions,
    batch: usize,
    finish: &(dyn Fn(Task, usize) -> R + Sync),
    sink: &mut dyn FnMut(Vec<R>),
) -> Plan {
    prose_finished(text, options, true, batch, finish, sink)
}

/// Extracts a plan from a document of any format: its paragraphs go through the prose
/// extractor as lines (one paragraph a line), its task tables through [`table::read_table`].
/// Every line of the result is a line of [`Document::text`]. Tables that are not task
/// tables are read as paragraphs (old web pages lay out their text in tables).
pub fn from_document(doc: &Document, options: ExtractOptions) -> Plan {
    if reads_in_batches(doc) {
        return extract_prose(&doc.text, options, true);
    }
    // Prose: for text files the text itself with table rows blanked, so lines stay put;
    // for other formats one line per paragraph, mapped back to its origin afterwards.
    let mut prose = String::new();
    let mut lines: Vec<u32> = Vec::new();
    let mut tables = Vec::new();
    let mut heading_before: Vec<Option<String>> = Vec::new();
    // The last non-blank paragraph when it is short, and where its line starts in `prose`.
    let mut last_short: Option<(String, usize)> = None;
    let same_lines = doc.format == Format::Text;
    let is_sheet = matches!(doc.format, Format::Xlsx | Format::Xls | Format::Ods);
    let mut skipped: Vec<Warning> = Vec::new();
    let push_line = |text: &str, line: u32, prose: &mut String, lines: &mut Vec<u32>| {
        if same_lines {
            while lines.len() + 1 < line as usize {
                prose.push('\n');
                lines.push(lines.len() as u32 + 1);
            }
        }
        prose.push_str(&text.replace(['\n', '\r'], " "));
        prose.push('\n');
        lines.push(line);
    };
    for block in &doc.blocks {
        match block {
            Block::Paragraph(p) => {
                let at = prose.len();
                push_line(&p.text, p.origin.line, &mut prose, &mut lines);
                let t = p.text.trim();
                if !t.is_empty() {
                    // Items (`(二)…`, `3.…`) are never captions; headings (`二、…`) may be.
                    let item = t.starts_with(|c: char| {
                        c.is_ascii_digit() || matches!(c, '(' | '（' | '①'..='⑳')
                    });
                    let short =
                        !item && t.chars().count() <= 40 && !t.ends_with(['。', '；', '，']);
                    last_short = short.then(|| (t.to_string(), at));
                }
            }
            Block::Table(t) if table::header_row(t).is_some() => {
                // The short line just above a task table is its caption (`附件1：…任务分解表`):
                // it names the table's category and is taken out of the prose, where it
                // would read as text continuing the last item.
                let caption = last_short.take();
                if let Some((_, at)) = &caption {
                    let removed = prose[*at..].matches('\n').count();
                    prose.truncate(*at);
                    prose.extend(std::iter::repeat_n('\n', removed));
                }
                tables.push(t);
                heading_before.push(t.name.clone().or(caption.map(|c| c.0)));
            }
            Block::Table(t) if is_sheet => {
                // A spreadsheet's other sheets (contacts, notes) are not the plan.
                skipped.push(Warning {
                    code: Code::PlanSheetSkipped,
                    line: t.rows.first().map_or(1, |r| r.origin.line),
                    message: format!(
                        "sheet `{}` has no task-table header (a task column and owner columns); skipped",
                        t.name.as_deref().unwrap_or("?")
                    ),
                });
            }
            Block::Table(t) => {
                // Not a task table: its cells are text (one line per row, cells joined).
                for row in &t.rows {
                    let text: Vec<&str> = row
                        .cells
                        .iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .collect();
                    let mut joined = text.join(" ");
                    if text.len() > 1 && text.windows(2).all(|w| w[0] == w[1]) {
                        joined = text[0].to_string(); // merged cells repeated
                    }
                    push_line(&joined, row.origin.line, &mut prose, &mut lines);
                }
                last_short = None;
            }
        }
    }
    let mut plan = extract_prose(&prose, options, same_lines);
    if !same_lines {
        let map = |l: &mut u32| {
            if let Some(&to) = lines.get((*l as usize).wrapping_sub(1)) {
                *l = to;
            }
        };
        for c in &mut plan.categories {
            map(&mut c.line);
        }
        for t in &mut plan.tasks {
            map(&mut t.line);
            for g in &mut t.targets {
                map(&mut g.line);
            }
        }
        for w in &mut plan.warnings {
            map(&mut w.line);
        }
    }

    plan.warnings.extend(skipped);
    // Task tables, after the prose, their categories numbered on.
    let mut taken: HashSet<String> = plan.tasks.iter().map(|t| t.id.clone()).collect();
    for (t, heading) in tables.into_iter().zip(heading_before) {
        let fallback = heading
            .or_else(|| plan.title.clone())
            .unwrap_or_else(|| "任务".to_string());
        let first = plan.categories.len() as u32 + 1;
        let year = plan_year(plan.title.as_deref());
        let Some(read) = table::read_table(t, first, &fallback, &taken, year) else {
            continue;
        };
        if plan.title.is_none() {
            plan.title = read.title.clone();
        }
        taken.extend(read.tasks.iter().map(|t| t.id.clone()));
        plan.categories.extend(read.categories);
        plan.tasks.extend(read.tasks);
        plan.warnings.extend(read.warnings);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::{push_decimal, string_of};

    #[test]
    fn push_decimal_writes_what_the_formatter_writes() {
        for n in [0, 1, 9, 10, 99, 100, 12345, 1 << 32, u64::MAX - 1, u64::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    /// Chars of one to four bytes, at the start, the middle and the end: the same string
    /// as collecting them.
    #[test]
    fn string_of_encodes_every_char_as_collecting_does() {
        for s in [
            "",
            "a",
            "建成2000个",
            "é中𝄞x",
            "𝄞",
            "百分之九十八％",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            let chars: Vec<char> = s.chars().collect();
            assert_eq!(string_of(&chars), s);
            for k in 0..chars.len() {
                let part: String = chars[k..].iter().collect();
                assert_eq!(string_of(&chars[k..]), part);
            }
        }
    }
}
