//! `.load [plan] FILE|DIR|GLOB`: plans added to the session's corpus (`.plans` lists them).

use std::collections::HashSet;
use std::path::PathBuf;

use crate::error::{Code, Error, ErrorKind};
use crate::plan::source::ReadOptions;

use super::session::Session;

impl Session {
    /// Loads the plans `spec` names and adds them to those loaded (the embedded seed plan
    /// is replaced: it is a demonstration, not part of a corpus). A file already loaded is
    /// refused with a hint; a bad file is reported and the others are added.
    pub(super) fn load_plans(&mut self, spec: &str) -> Result<(), Error> {
        let (taken, skip, seed) = {
            let engine = self.engine();
            let data = engine.dataset();
            let seed = data.is_seed();
            let taken: HashSet<String> = if seed {
                HashSet::new()
            } else {
                data.docs().iter().map(|d| d.id.clone()).collect()
            };
            let skip: HashSet<PathBuf> = data
                .docs()
                .iter()
                .filter_map(|d| std::fs::canonicalize(&d.source.name).ok())
                .collect();
            (taken, skip, seed)
        };
        let gathered =
            crate::corpus::gather(&[spec.to_string()], ReadOptions::default(), &taken, &skip);
        if gathered.docs.is_empty() {
            let mut bad = gathered.bad;
            return Err(if bad.len() == 1 {
                bad.remove(0)
            } else {
                Error::new(
                    ErrorKind::Data,
                    Code::CorpusBadFiles,
                    format!("no plan could be loaded from `{spec}`"),
                )
                .with_help("each file's problem is listed below")
                .with_related(bad)
            });
        }
        for e in &gathered.bad {
            self.report(e);
        }
        let docs = gathered.docs;
        if docs.len() == 1 {
            for w in docs[0].warnings() {
                self.report(&w);
            }
        } else {
            let n: usize = docs.iter().map(|d| d.plan.warnings.len()).sum();
            if n > 0 {
                self.note(&format!(
                    "{n} extraction warnings (`warnings | count by plan, code` lists them)\n"
                ));
            }
        }
        let tasks: usize = docs.iter().map(|d| d.plan.tasks.len()).sum();
        let added = docs.len();
        let first = docs[0].id.clone();
        self.engine_mut()?.add_plans(docs)?;
        let total = self.engine().dataset().docs().len();
        let bad = if gathered.bad.is_empty() {
            String::new()
        } else {
            format!("; {} file(s) could not be loaded", gathered.bad.len())
        };
        let replaced = if seed {
            " (in place of the embedded seed plan)"
        } else {
            ""
        };
        if added == 1 {
            self.note(&format!(
                "loaded plan {spec} as `{first}`: {tasks} tasks{replaced}; {total} plan(s) loaded{bad}\n"
            ));
        } else {
            self.note(&format!(
                "loaded {added} plans from {spec}: {tasks} tasks{replaced}; {total} plans loaded{bad}\n"
            ));
        }
        Ok(())
    }
}
