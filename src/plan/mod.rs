//! The plan model: what a work-plan document says, independent of any table library.
//!
//! [`extract`] turns a document into a [`Plan`]; the `frames` module turns a plan into
//! polars DataFrames. Every task keeps the 1-based line of its source text.

mod date;
mod extract;
mod gazetteer;
mod numbers;
mod owners;
mod targets;

use serde::{Deserialize, Serialize};

pub use date::Date;
pub use extract::{extract, ExtractOptions};

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
    /// `完成时限` when stated.
    pub deadline: Option<Date>,
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
    /// Stable code, e.g. `planq::plan::unplaced_text`.
    pub code: String,
    /// 1-based line.
    pub line: u32,
    /// What was noticed.
    pub message: String,
}

impl Warning {
    /// `info` for page debris that was skipped (no plan content was lost), `warning` for
    /// everything that may have lost or misplaced content.
    pub fn severity(&self) -> &'static str {
        match self.code.as_str() {
            "planq::plan::debris" => "info",
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

impl Plan {
    /// Every target of every task, with its task.
    pub fn targets(&self) -> impl Iterator<Item = (&Task, &Target)> {
        self.tasks
            .iter()
            .flat_map(|t| t.targets.iter().map(move |g| (t, g)))
    }
}
