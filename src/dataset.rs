//! Loaded plans — one, or a corpus — with their progress reports and the tables built
//! from them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use miette::Severity;
use polars::prelude::DataFrame;

use crate::error::{Code, Error, ErrorKind, Source};
use crate::frames;
use crate::lang::ast::Span;
use crate::plan::source::{self, Format, ReadError, ReadOptions};
use crate::plan::{self, ExtractOptions, Plan};
use crate::progress::{self, Report};
use crate::tables::aliases::Aliases;

/// Named tables, in order.
type Tables = Vec<(String, DataFrame)>;

/// The id of the embedded seed plan in the `plan` column.
pub const SEED_ID: &str = "seed";

/// One plan document of a dataset: its id, its file's text and what was extracted from it.
#[derive(Debug, Clone)]
pub struct PlanDoc {
    /// The short stable id in every table's `plan` column (see [`crate::corpus::assign_ids`]).
    pub id: String,
    /// The file's path and its text (for text formats) or a rendering of it (one line per
    /// paragraph or table row), which diagnostics point into.
    pub source: Source,
    /// What the file was read as.
    pub format: Format,
    /// Its text encoding, for text formats.
    pub encoding: Option<&'static str>,
    /// The extracted plan.
    pub plan: Plan,
}

impl PlanDoc {
    /// A plan document read from `path`, its format detected from its content; the id is
    /// the file's stem until [`crate::corpus::assign_ids`] makes it unique.
    pub fn from_file(path: &str, options: ReadOptions) -> Result<Self, Error> {
        let doc = {
            // The bytes are dropped once decoded: a large plan is not held twice.
            let bytes =
                source::read_file(std::path::Path::new(path)).map_err(|e| Error::io(path, &e))?;
            source::read_shared(path, bytes, options).map_err(|e| read_error(path, e))?
        };
        PlanDoc::from_document(path, doc)
    }

    /// A plan from a document already read (see [`source::read`]).
    fn from_document(name: &str, doc: source::Document) -> Result<Self, Error> {
        let plan = plan::from_document(&doc, ExtractOptions::default());
        let source::Document {
            format,
            encoding,
            text,
            ..
        } = doc;
        let source = Source::new(name, text);
        let is_table_format = matches!(
            format,
            Format::Csv | Format::Tsv | Format::Xlsx | Format::Xls | Format::Ods
        );
        if plan.tasks.is_empty() && is_table_format {
            return Err(Error::new(
                ErrorKind::Data,
                Code::PlanNoTaskTable,
                format!("no task table found in `{name}` ({})", format.as_str()),
            )
            .with_help(
                "a task table has a header row with a task column (工作任务, 重点任务, 主要任务, \
                 任务内容, 具体措施, 工作内容) and owner columns (牵头单位, 责任单位, 配合单位, …)",
            ));
        }
        PlanDoc::new(source, (format, encoding), plan)
    }

    /// A plan document from its text; `name` is used in diagnostics. A document that
    /// yields no tasks is an error.
    pub fn from_text(name: &str, text: &str) -> Result<Self, Error> {
        // A byte-order mark (Word's "Unicode text" and Notepad write one) is not text.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let source = Source::new(name, Arc::<str>::from(text));
        let plan = plan::extract(text, ExtractOptions::default());
        PlanDoc::new(source, (Format::Text, Some("UTF-8")), plan)
    }

    fn new(
        source: Source,
        format: (Format, Option<&'static str>),
        plan: Plan,
    ) -> Result<Self, Error> {
        let tasks = plan.tasks.len();
        PlanDoc::with_tasks(source, format, plan, tasks)
    }

    /// A plan document whose `tasks` tasks were handed out in batches and are no longer
    /// in `plan` (see [`plan::text_in_batches`]; `planq export --out`): `text` is
    /// the document's text, `name` its path. No tasks is an error, as for any plan.
    pub fn batched(
        name: &str,
        text: crate::error::SourceText,
        format: (Format, Option<&'static str>),
        plan: Plan,
        tasks: usize,
    ) -> Result<Self, Error> {
        let source = Source::new(name, text);
        PlanDoc::with_tasks(source, format, plan, tasks)
    }

    fn with_tasks(
        source: Source,
        format: (Format, Option<&'static str>),
        plan: Plan,
        tasks: usize,
    ) -> Result<Self, Error> {
        let name = source.name.clone();
        if tasks == 0 {
            return Err(Error::new(
                ErrorKind::Data,
                Code::PlanNoTasks,
                format!("no tasks found in `{name}`"),
            )
            .at(
                &source,
                source.line_span(1),
                "no numbered item or section heading in this document",
            )
            .with_help(
                "planq recognises headings and items numbered `一、`, `(一)`/`（一）`, `1.`/`1、`/`1．`, `(1)`, \
                 and unnumbered section lines followed by numbered items",
            ));
        }
        Ok(PlanDoc {
            id: crate::corpus::stem_id(&name),
            source,
            format: format.0,
            encoding: format.1,
            plan,
        })
    }

    /// The plan's year: from its title (`2010年…工作要点`), else from the file name.
    pub fn year(&self) -> Option<i32> {
        self.plan.year().or_else(|| {
            let stem = std::path::Path::new(&self.source.name)
                .file_stem()?
                .to_str()?
                .to_string();
            plan::year_of_title(&stem)
        })
    }

    /// The extraction warnings as diagnostics pointing at their plan lines.
    pub fn warnings(&self) -> Vec<Error> {
        self.plan
            .warnings
            .iter()
            .map(|w| {
                Error::new(ErrorKind::Data, w.code, w.message.clone())
                    .at(
                        &self.source,
                        self.source.line_span(w.line as usize),
                        format!("line {}", w.line),
                    )
                    .with_severity(Severity::Warning)
            })
            .collect()
    }

    /// One line about the plan: file, format, encoding, task count (and its id).
    pub fn describe(&self) -> String {
        let enc = self.encoding.map(|e| format!(", {e}")).unwrap_or_default();
        format!(
            "{} ({}{enc}): {} tasks in {} categories",
            self.source.name,
            self.format.as_str(),
            self.plan.tasks.len(),
            self.plan.categories.len()
        )
    }
}

/// Plan documents — one, or a corpus — their progress reports and the tables built from
/// them. Every table has a `plan` column (last) naming the document a row comes from.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The plans, in the order their rows appear in the tables.
    docs: Vec<PlanDoc>,
    reports: Vec<Report>,
    tables: Vec<(String, DataFrame)>,
    /// The alias file applied to `owners` (`--aliases`).
    aliases: Option<Aliases>,
}

impl Dataset {
    /// The embedded seed plan (`2010年数字福建工作要点`), without progress; its id is
    /// [`SEED_ID`].
    pub fn seed() -> Result<Self, Error> {
        let mut doc = PlanDoc::from_text(plan::SEED_NAME, plan::SEED)?;
        doc.id = SEED_ID.to_string();
        Dataset::from_docs(vec![doc])
    }

    /// A plan document read from `path`, its format detected from its content.
    pub fn from_file(path: &str) -> Result<Self, Error> {
        Dataset::from_file_with(path, ReadOptions::default())
    }

    /// A plan document read from `path` with reading options (e.g. a forced encoding).
    pub fn from_file_with(path: &str, options: ReadOptions) -> Result<Self, Error> {
        Dataset::from_docs(vec![PlanDoc::from_file(path, options)?])
    }

    /// A plan document from the bytes of a file in any supported format (text in any
    /// supported encoding, CSV/TSV, HTML, .docx, .xlsx/.xls/.ods); `name` is the file's
    /// path, used in diagnostics and to tell CSV/TSV from other text.
    pub fn from_bytes(name: &str, bytes: &[u8], options: ReadOptions) -> Result<Self, Error> {
        let doc = source::read(name, bytes, options).map_err(|e| read_error(name, e))?;
        Dataset::from_docs(vec![PlanDoc::from_document(name, doc)?])
    }

    /// A plan document from its text; `name` is used in diagnostics. A document that
    /// yields no tasks is an error.
    pub fn from_text(name: &str, text: &str) -> Result<Self, Error> {
        Dataset::from_docs(vec![PlanDoc::from_text(name, text)?])
    }

    /// A dataset of several plans (their ids must be unique: see
    /// [`crate::corpus::assign_ids`]); rows appear in the order of `docs`.
    pub fn from_docs(docs: Vec<PlanDoc>) -> Result<Self, Error> {
        if docs.is_empty() {
            return Err(
                Error::new(ErrorKind::Data, Code::CorpusEmpty, "no plan was loaded")
                    .with_help("give --plan a plan file, a directory of plans or a glob"),
            );
        }
        let mut data = Dataset {
            docs,
            reports: Vec::new(),
            tables: Vec::new(),
            aliases: None,
        };
        data.tables = data.build(&data.reports, None)?.0;
        Ok(data)
    }

    /// Adds plans (their ids unique among themselves and the plans already loaded) and
    /// rebuilds the tables. Progress reports already loaded are kept.
    pub fn add_docs(&mut self, docs: Vec<PlanDoc>) -> Result<(), Error> {
        let mut next = self.clone();
        next.docs.extend(docs);
        next.tables = next.build(&next.reports, next.aliases.as_ref())?.0;
        *self = next;
        Ok(())
    }

    /// Whether the embedded seed plan is all that is loaded.
    pub fn is_seed(&self) -> bool {
        matches!(self.docs.as_slice(), [d] if d.id == SEED_ID && d.source.name == plan::SEED_NAME)
    }

    /// The plans, in table order.
    pub fn docs(&self) -> &[PlanDoc] {
        &self.docs
    }

    /// Every table: each plan's frames with their `plan` column, concatenated, then the
    /// `plans` table. Aliases apply to each plan for its own year.
    fn build(
        &self,
        reports: &[Report],
        aliases: Option<&Aliases>,
    ) -> Result<(Tables, Vec<Error>), Error> {
        let mut notes: Vec<Error> = Vec::new();
        let mut out: Tables = Vec::new();
        let several = self.docs.len() > 1;
        // Each plan's reports: one pass over them (not one per plan), and none copied
        // when there is one plan.
        let mut by_plan: HashMap<&str, Vec<Report>> = HashMap::new();
        if several {
            for r in reports {
                by_plan.entry(r.plan.as_str()).or_default().push(r.clone());
            }
        }
        for doc in &self.docs {
            let mine: Cow<'_, [Report]> = if several {
                Cow::Owned(by_plan.remove(doc.id.as_str()).unwrap_or_default())
            } else {
                Cow::Borrowed(reports)
            };
            let mut tables = frames::build(&doc.plan, &mine)?;
            if let Some(a) = aliases {
                for (name, df) in tables.iter_mut() {
                    if name == "owners" {
                        let (renamed, n) = a.apply(df, doc.year())?;
                        *df = renamed;
                        for note in n {
                            if !notes.iter().any(|m| m.message() == note.message()) {
                                notes.push(note);
                            }
                        }
                    }
                }
            }
            frames::add_plan_column(&mut tables, &doc.id)?;
            if out.is_empty() {
                out = tables;
            } else {
                frames::append(&mut out, &tables)?;
            }
        }
        frames::finish(&mut out);
        out.push(("plans".to_string(), crate::corpus::plans_frame(&self.docs)?));
        Ok((out, notes))
    }

    /// Fails with every extraction warning as an error (the `--strict` mode).
    pub fn check_strict(&self) -> Result<(), Error> {
        for doc in &self.docs {
            let warnings = doc.warnings();
            if warnings.is_empty() {
                continue;
            }
            return Err(Error::new(
                ErrorKind::Data,
                Code::PlanStrict,
                format!(
                    "`{}` has {} extraction warning(s), and --strict makes them errors",
                    doc.source.name,
                    warnings.len()
                ),
            )
            .with_help("fix the plan text at the lines shown, or run without --strict")
            .with_related(warnings));
        }
        Ok(())
    }

    /// The extraction warnings of every plan as diagnostics pointing at their plan lines.
    pub fn warnings(&self) -> Vec<Error> {
        self.docs.iter().flat_map(PlanDoc::warnings).collect()
    }

    /// Loads a progress file (CSV or JSON) and rebuilds the `progress` and `shortfall`
    /// tables. On error nothing of the file is kept.
    pub fn add_progress_file(&mut self, path: &str) -> Result<(), Error> {
        // Decoded like plan text: a GBK file from Excel is read, not refused.
        self.add_progress(&progress::read_file(path)?)
    }

    /// Loads progress from text (see [`Dataset::add_progress_file`]). With several plans
    /// loaded, a row names its plan in a `plan` column unless its target id is in one plan
    /// only.
    pub fn add_progress(&mut self, source: &Source) -> Result<(), Error> {
        let known = progress::Known::new(self.docs.iter().flat_map(|d| {
            d.plan
                .targets()
                .map(move |(_, t)| (d.id.as_str(), t.id.as_str()))
        }))
        .with_plans(self.docs.iter().map(|d| d.id.as_str()));
        let new = progress::load_in(source, &known, &self.reports)?;
        let mut reports = self.reports.clone();
        reports.extend(new);
        self.tables = self.build(&reports, self.aliases.as_ref())?.0;
        self.reports = reports;
        Ok(())
    }

    /// Applies an alias file to `owners`: `owner` becomes the canonical name for each
    /// plan's year and `owner_raw` keeps the name as written. Replaces an earlier alias
    /// file. Returns notes and warnings about what was applied.
    pub fn set_aliases(&mut self, aliases: Aliases) -> Result<Vec<Error>, Error> {
        let (tables, notes) = self.build(&self.reports, Some(&aliases))?;
        self.tables = tables;
        self.aliases = Some(aliases);
        Ok(notes)
    }

    /// The alias file applied, if any.
    pub fn aliases(&self) -> Option<&Aliases> {
        self.aliases.as_ref()
    }

    /// The first plan's year: from its title (`2010年…工作要点`), else from the file name.
    pub fn year(&self) -> Option<i32> {
        self.docs.first().and_then(PlanDoc::year)
    }

    /// What the first plan file was read as (`text`, `html`, `docx`, `xlsx`, …).
    pub fn format(&self) -> Format {
        self.docs.first().map_or(Format::Text, |d| d.format)
    }

    /// The first plan file's text encoding, for text formats.
    pub fn encoding(&self) -> Option<&'static str> {
        self.docs.first().and_then(|d| d.encoding)
    }

    /// One line per plan: file, format, encoding, task count (with its id when there are
    /// several).
    pub fn describe(&self) -> String {
        if let [doc] = self.docs.as_slice() {
            return doc.describe();
        }
        self.docs
            .iter()
            .map(|d| format!("{}: {}", d.id, d.describe()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first plan (the only one, unless a corpus is loaded).
    pub fn plan(&self) -> &Plan {
        &self.docs[0].plan
    }

    /// The first plan document's source.
    pub fn source(&self) -> &Source {
        &self.docs[0].source
    }

    /// Loaded progress reports.
    pub fn reports(&self) -> &[Report] {
        &self.reports
    }

    /// The built tables, in [`frames::TABLES`] order, then `plans`.
    pub fn tables(&self) -> &[(String, DataFrame)] {
        &self.tables
    }

    /// One table by name.
    pub fn table(&self, name: &str) -> Option<&DataFrame> {
        self.tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, df)| df)
    }
}

/// A reader's error as a diagnostic naming the file.
fn read_error(name: &str, e: ReadError) -> Error {
    let err = Error::new(ErrorKind::Data, e.code, e.message).with_help(e.help);
    match e.at.map(|at| *at) {
        Some((text, range, label)) => {
            let src = Source::new(name, text);
            err.at(&src, Span::new(range.start, range.end), label)
        }
        None => err,
    }
}
