//! A loaded plan with its progress reports and the tables built from them.

use std::sync::Arc;

use miette::Severity;
use polars::prelude::DataFrame;

use crate::error::{Error, ErrorKind, Source};
use crate::frames;
use crate::lang::ast::Span;
use crate::plan::source::{self, Format, ReadError, ReadOptions};
use crate::plan::{self, ExtractOptions, Plan};
use crate::progress::{self, Report};
use crate::tables::aliases::Aliases;

/// Named tables, in order.
type Tables = Vec<(String, DataFrame)>;

/// A plan document, its progress reports and the tables built from both.
#[derive(Debug, Clone)]
pub struct Dataset {
    source: Source,
    /// What the plan file was read as, and its text encoding.
    format: (Format, Option<&'static str>),
    plan: Plan,
    reports: Vec<Report>,
    tables: Vec<(String, DataFrame)>,
    /// The alias file applied to `owners` (`--aliases`).
    aliases: Option<Aliases>,
}

impl Dataset {
    /// The embedded seed plan (`2010年数字福建工作要点`), without progress.
    pub fn seed() -> Result<Self, Error> {
        Dataset::from_text(plan::SEED_NAME, plan::SEED)
    }

    /// A plan document read from `path`, its format detected from its content.
    pub fn from_file(path: &str) -> Result<Self, Error> {
        Dataset::from_file_with(path, ReadOptions::default())
    }

    /// A plan document read from `path` with reading options (e.g. a forced encoding).
    pub fn from_file_with(path: &str, options: ReadOptions) -> Result<Self, Error> {
        let doc = {
            // The bytes are dropped once decoded: a large plan is not held twice.
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
            source::read(path, &bytes, options).map_err(|e| read_error(path, e))?
        };
        Dataset::from_document(path, doc)
    }

    /// A plan document from the bytes of a file in any supported format (text in any
    /// supported encoding, CSV/TSV, HTML, .docx, .xlsx/.xls/.ods); `name` is the file's
    /// path, used in diagnostics and to tell CSV/TSV from other text.
    pub fn from_bytes(name: &str, bytes: &[u8], options: ReadOptions) -> Result<Self, Error> {
        let doc = source::read(name, bytes, options).map_err(|e| read_error(name, e))?;
        Dataset::from_document(name, doc)
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
        let source = Source::new(name, Arc::<str>::from(text));
        let is_table_format = matches!(
            format,
            Format::Csv | Format::Tsv | Format::Xlsx | Format::Xls | Format::Ods
        );
        if plan.tasks.is_empty() && is_table_format {
            return Err(Error::new(
                ErrorKind::Data,
                "planq::plan::no_task_table",
                format!("no task table found in `{name}` ({})", format.as_str()),
            )
            .with_help(
                "a task table has a header row with a task column (工作任务, 重点任务, 主要任务, \
                 任务内容, 具体措施, 工作内容) and owner columns (牵头单位, 责任单位, 配合单位, …)",
            ));
        }
        Dataset::from_plan(source, (format, encoding), plan)
    }

    /// A plan document from its text; `name` is used in diagnostics. A document that
    /// yields no tasks is an error.
    pub fn from_text(name: &str, text: &str) -> Result<Self, Error> {
        // A byte-order mark (Word's "Unicode text" and Notepad write one) is not text.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let source = Source::new(name, Arc::<str>::from(text));
        let plan = plan::extract(text, ExtractOptions::default());
        Dataset::from_plan(source, (Format::Text, Some("UTF-8")), plan)
    }

    fn from_plan(
        source: Source,
        format: (Format, Option<&'static str>),
        plan: Plan,
    ) -> Result<Self, Error> {
        let name = source.name.clone();
        if plan.tasks.is_empty() {
            return Err(Error::new(
                ErrorKind::Data,
                "planq::plan::no_tasks",
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
        let tables = frames::build(&plan, &[])?;
        Ok(Dataset {
            source,
            format,
            plan,
            reports: Vec::new(),
            tables,
            aliases: None,
        })
    }

    /// Fails with every extraction warning as an error (the `--strict` mode).
    pub fn check_strict(&self) -> Result<(), Error> {
        let warnings = self.warnings();
        if warnings.is_empty() {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Data,
            "planq::plan::strict",
            format!(
                "`{}` has {} extraction warning(s), and --strict makes them errors",
                self.source.name,
                warnings.len()
            ),
        )
        .with_help("fix the plan text at the lines shown, or run without --strict")
        .with_related(warnings))
    }

    /// The extraction warnings as diagnostics pointing at their plan lines.
    pub fn warnings(&self) -> Vec<Error> {
        self.plan
            .warnings
            .iter()
            .map(|w| {
                Error::new(ErrorKind::Data, w.code.clone(), w.message.clone())
                    .at(
                        &self.source,
                        self.source.line_span(w.line as usize),
                        format!("line {}", w.line),
                    )
                    .with_severity(Severity::Warning)
            })
            .collect()
    }

    /// Loads a progress file (CSV or JSON) and rebuilds the `progress` and `shortfall`
    /// tables. On error nothing of the file is kept.
    pub fn add_progress_file(&mut self, path: &str) -> Result<(), Error> {
        // Decoded like plan text: a GBK file from Excel is read, not refused.
        self.add_progress(&progress::read_file(path)?)
    }

    /// Loads progress from text (see [`Dataset::add_progress_file`]).
    pub fn add_progress(&mut self, source: &Source) -> Result<(), Error> {
        let known: Vec<String> = self.plan.targets().map(|(_, t)| t.id.clone()).collect();
        let new = progress::load(source, &known, &self.reports)?;
        let mut reports = self.reports.clone();
        reports.extend(new);
        let tables = frames::build(&self.plan, &reports)?;
        self.tables = match &self.aliases {
            Some(a) => self.with_aliases(a, tables)?.0,
            None => tables,
        };
        self.reports = reports;
        Ok(())
    }

    /// Applies an alias file to `owners`: `owner` becomes the canonical name for the plan's
    /// year and `owner_raw` keeps the name as written. Replaces an earlier alias file.
    /// Returns notes and warnings about what was applied.
    pub fn set_aliases(&mut self, aliases: Aliases) -> Result<Vec<Error>, Error> {
        let tables = frames::build(&self.plan, &self.reports)?;
        let (tables, notes) = self.with_aliases(&aliases, tables)?;
        self.tables = tables;
        self.aliases = Some(aliases);
        Ok(notes)
    }

    /// The alias file applied, if any.
    pub fn aliases(&self) -> Option<&Aliases> {
        self.aliases.as_ref()
    }

    fn with_aliases(
        &self,
        aliases: &Aliases,
        mut tables: Tables,
    ) -> Result<(Tables, Vec<Error>), Error> {
        let mut notes = Vec::new();
        for (name, df) in tables.iter_mut() {
            if name == "owners" {
                let (renamed, n) = aliases.apply(df, self.year())?;
                *df = renamed;
                notes = n;
            }
        }
        Ok((tables, notes))
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

    /// What the plan file was read as (`text`, `html`, `docx`, `xlsx`, …).
    pub fn format(&self) -> Format {
        self.format.0
    }

    /// The plan file's text encoding, for text formats.
    pub fn encoding(&self) -> Option<&'static str> {
        self.format.1
    }

    /// One line about the plan: file, format, encoding, task count.
    pub fn describe(&self) -> String {
        let enc = self
            .encoding()
            .map(|e| format!(", {e}"))
            .unwrap_or_default();
        format!(
            "{} ({}{enc}): {} tasks in {} categories",
            self.source.name,
            self.format().as_str(),
            self.plan.tasks.len(),
            self.plan.categories.len()
        )
    }

    /// The extracted plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The plan document's source.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Loaded progress reports.
    pub fn reports(&self) -> &[Report] {
        &self.reports
    }

    /// The built tables, in [`frames::TABLES`] order.
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
