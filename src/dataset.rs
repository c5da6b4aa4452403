//! A loaded plan with its progress reports and the tables built from them.

use std::sync::Arc;

use miette::Severity;
use polars::prelude::DataFrame;

use crate::error::{Error, ErrorKind, Source};
use crate::frames;
use crate::plan::{self, ExtractOptions, Plan};
use crate::progress::{self, Report};

/// A plan document, its progress reports and the tables built from both.
#[derive(Debug, Clone)]
pub struct Dataset {
    source: Source,
    plan: Plan,
    reports: Vec<Report>,
    tables: Vec<(String, DataFrame)>,
}

impl Dataset {
    /// The embedded seed plan (`2010年数字福建工作要点`), without progress.
    pub fn seed() -> Result<Self, Error> {
        Dataset::from_text(plan::SEED_NAME, plan::SEED)
    }

    /// A plan document read from `path`.
    pub fn from_file(path: &str) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        Dataset::from_text(path, &text)
    }

    /// A plan document from its text; `name` is used in diagnostics. A document that
    /// yields no tasks is an error.
    pub fn from_text(name: &str, text: &str) -> Result<Self, Error> {
        // A byte-order mark (Word's "Unicode text" and Notepad write one) is not text.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let source = Source::new(name, Arc::<str>::from(text));
        let plan = plan::extract(text, ExtractOptions::default());
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
            plan,
            reports: Vec::new(),
            tables,
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
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        self.add_progress(&Source::new(path, text))
    }

    /// Loads progress from text (see [`Dataset::add_progress_file`]).
    pub fn add_progress(&mut self, source: &Source) -> Result<(), Error> {
        let known: Vec<String> = self.plan.targets().map(|(_, t)| t.id.clone()).collect();
        let new = progress::load(source, &known, &self.reports)?;
        let mut reports = self.reports.clone();
        reports.extend(new);
        self.tables = frames::build(&self.plan, &reports)?;
        self.reports = reports;
        Ok(())
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
