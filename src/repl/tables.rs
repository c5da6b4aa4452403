//! The dot commands of analysts' own data: `.import FILE[:schema=…] [as NAME]` and
//! `.aliases [suggest | load FILE]`.

use polars::prelude::*;

use crate::error::{Code, Error, ErrorKind};

use super::session::Session;

/// `FILE [as NAME]` → the spec `[NAME=]FILE` (quotes around the file removed).
pub(super) fn import_spec(args: &str) -> String {
    let args = args.trim();
    let (file, name) = match args.rfind(" as ") {
        Some(i) if !args[i + 4..].trim().is_empty() && !args[i + 4..].trim().contains(' ') => {
            (args[..i].trim(), Some(args[i + 4..].trim()))
        }
        _ => (args, None),
    };
    let file = unquote(file);
    match name {
        Some(n) => format!("{n}={file}"),
        // A bare file whose text has `=` before any path character would read as NAME=.
        None => file.to_string(),
    }
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn frame(columns: Vec<Column>) -> Result<DataFrame, Error> {
    let height = columns.first().map_or(0, Column::len);
    DataFrame::new(height, columns)
        .map_err(|e| Error::new(ErrorKind::Query, Code::Internal, e.to_string()))
}

impl Session {
    /// `.import FILE[:schema=COL:TYPE,…] [as NAME]`.
    pub(super) fn import(&mut self, args: &str) -> Result<(), Error> {
        let spec = import_spec(args);
        let table = self.engine_mut()?.import_table(&spec)?;
        for w in &table.warnings {
            self.report(w);
        }
        let columns: Vec<String> = table
            .schema()
            .iter()
            .map(|(n, d)| format!("{n} {}", crate::engine::type_name(d)))
            .collect();
        let rows = table
            .rows
            .map(|n| format!("{n} rows, "))
            .unwrap_or_default();
        self.note(&format!(
            "imported {} as `{}`: {rows}{}\n",
            table.file.as_ref().map_or("", |(p, _)| p.as_str()),
            table.name,
            columns.join(", ")
        ));
        Ok(())
    }

    /// `.aliases`, `.aliases suggest`, `.aliases load FILE`.
    pub(super) fn aliases(&mut self, args: &str) -> Result<(), Error> {
        let (verb, rest) = match args.split_once(char::is_whitespace) {
            Some((v, r)) => (v, r.trim()),
            None => (args, ""),
        };
        match verb {
            "" => {
                let engine = self.engine();
                let data = engine.dataset();
                let year = data.year();
                let Some(a) = data.aliases() else {
                    drop(engine);
                    self.note(
                        "no alias file is loaded (planq --aliases FILE, or .aliases load FILE)\n",
                    );
                    return Ok(());
                };
                let rows = &a.rows;
                let df = frame(vec![
                    Column::new(
                        "alias".into(),
                        rows.iter().map(|r| r.alias.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "canonical".into(),
                        rows.iter().map(|r| r.canonical.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "from".into(),
                        rows.iter().map(|r| r.from).collect::<Vec<_>>(),
                    ),
                    Column::new("to".into(), rows.iter().map(|r| r.to).collect::<Vec<_>>()),
                    Column::new(
                        "applies".into(),
                        rows.iter().map(|r| r.applies(year)).collect::<Vec<_>>(),
                    ),
                ])?;
                drop(engine);
                self.show(&df)?;
            }
            "suggest" => {
                let found = self.engine().alias_suggestions();
                if found.is_empty() {
                    self.note("no near-duplicate owner names found\n");
                    return Ok(());
                }
                let df = frame(vec![
                    Column::new(
                        "alias".into(),
                        found.iter().map(|s| s.alias.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "canonical".into(),
                        found
                            .iter()
                            .map(|s| s.canonical.clone())
                            .collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "why".into(),
                        found.iter().map(|s| s.why.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "alias_rows".into(),
                        found
                            .iter()
                            .map(|s| s.alias_rows as i64)
                            .collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "canonical_rows".into(),
                        found
                            .iter()
                            .map(|s| s.canonical_rows as i64)
                            .collect::<Vec<_>>(),
                    ),
                ])?;
                self.show(&df)?;
                self.note(
                    "suggestions only: nothing was changed; copy the rows you confirm into an alias file (alias,canonical[,from,to])\n",
                );
            }
            "load" => {
                if self.settings.safe {
                    return Err(Error::new(
                        ErrorKind::Query,
                        Code::DotUnsafe,
                        "`.aliases load` is disabled by --safe",
                    )
                    .with_help("run planq without --safe to load files"));
                }
                if rest.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Query,
                        Code::DotMissingArgument,
                        ".aliases load needs a file",
                    )
                    .with_help("e.g. .aliases load examples/aliases.csv"));
                }
                let notes = self.engine_mut()?.set_aliases_file(unquote(rest))?;
                for n in &notes {
                    if n.severity() == miette::Severity::Warning {
                        self.report(n);
                    } else {
                        let text = format!("{}\n", n.message());
                        self.note(&text);
                    }
                }
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Query,
                    Code::DotBadArgument,
                    format!("`.aliases {other}` is not a command"),
                )
                .with_help(
                    "usage: .aliases (the aliases applied), .aliases suggest, .aliases load FILE",
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_arguments_become_specs() {
        assert_eq!(import_spec("a/b.csv"), "a/b.csv");
        assert_eq!(import_spec("a/b.csv as depts"), "depts=a/b.csv");
        assert_eq!(import_spec("\"my file.csv\" as x"), "x=my file.csv");
        assert_eq!(
            import_spec("b.csv:schema=code:str as x"),
            "x=b.csv:schema=code:str"
        );
    }
}
