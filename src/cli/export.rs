//! `planq export`: every table (or one) as CSV or JSON, for spreadsheets and tests.
//!
//! Into a pipe that closes early (`planq export | head`) it stops quietly with exit 0, as
//! the query modes do. `--out DIR` writes each file atomically, never overwrites one
//! without `--force` and never writes through a symlink (see [`crate::render::file`]).

use std::io::{self, Write};
use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::lang::suggest::closest;
use crate::render::file::{write_file, WriteError};
use crate::render::{self, Format};

use super::DataArgs;

/// Arguments of `planq export`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write only this table, to stdout.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Write every table to DIR/<table>.csv (or .json).
    #[arg(long, value_name = "DIR", conflicts_with = "table")]
    pub out: Option<String>,
    /// With --out: replace files that exist (never through a symlink).
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// The formats `export` writes: the ones a spreadsheet or a program reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    /// One CSV file per table.
    #[default]
    Csv,
    /// One JSON array of row objects per table.
    Json,
}

impl From<ExportFormat> for Format {
    fn from(f: ExportFormat) -> Format {
        match f {
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Json => Format::Json,
        }
    }
}

/// Runs the export.
pub fn run(data: &DataArgs, args: &ExportArgs, color: bool) -> Result<(), Error> {
    let data = data.load(color)?;
    let format = Format::from(args.format);
    let ext = format.name();
    let stdout = std::io::stdout();
    let write_err = |what: &str, e: io::Error| {
        Error::new(
            ErrorKind::Data,
            "planq::io",
            format!("cannot write {what}: {e}"),
        )
    };
    // A reader that stops early (`| head`) is not a failure.
    let to_stdout = |r: io::Result<()>| match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| write_err("to stdout", e)),
    };
    if let Some(name) = &args.table {
        let Some(df) = data.table(name) else {
            let names = data.tables().iter().map(|(n, _)| n.as_str());
            let help = match closest(name, names) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("tables: {}", crate::frames::TABLES.join(", ")),
            };
            return Err(Error::new(
                ErrorKind::Usage,
                "planq::export::unknown_table",
                format!("no table named `{name}`"),
            )
            .with_help(help));
        };
        let mut out = stdout.lock();
        return to_stdout(render::write(df, format, &mut out).and_then(|()| out.flush()));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        // Refuse before writing anything: an export is all the tables or none replaced.
        let paths: Vec<_> = data
            .tables()
            .iter()
            .map(|(name, df)| (Path::new(dir).join(format!("{name}.{ext}")), df))
            .collect();
        if !args.force {
            let existing: Vec<String> = paths
                .iter()
                .filter(|(p, _)| std::fs::symlink_metadata(p).is_ok())
                .map(|(p, _)| p.display().to_string())
                .collect();
            if !existing.is_empty() {
                return Err(exists_error(&existing));
            }
        }
        for (path, df) in paths {
            let shown = path.display().to_string();
            write_file(&path, args.force, |w| render::write(df, format, w)).map_err(
                |e| match e {
                    WriteError::Exists => exists_error(std::slice::from_ref(&shown)),
                    e => Error::new(
                        ErrorKind::Data,
                        "planq::io",
                        format!("cannot write {shown}: {e}"),
                    ),
                },
            )?;
        }
        eprintln!("wrote {} tables to {dir}", data.tables().len());
        return Ok(());
    }
    // Neither: every table to stdout — CSV sections headed by `# table`, or one JSON object.
    let mut out = stdout.lock();
    let result = if format == Format::Json {
        let obj: serde_json::Map<String, serde_json::Value> = data
            .tables()
            .iter()
            .map(|(n, df)| {
                let rows = serde_json::to_value(render::Rows(df)).unwrap_or_default();
                (n.clone(), rows)
            })
            .collect();
        // (io::Error::from keeps the kind of an I/O failure, so a closed pipe is seen.)
        serde_json::to_writer(&mut out, &obj)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        data.tables()
            .iter()
            .enumerate()
            .try_for_each(|(i, (n, df))| {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "# {n}")?;
                render::write(df, Format::Csv, &mut out)
            })
    };
    to_stdout(result.and_then(|()| out.flush()))
}

fn exists_error(paths: &[String]) -> Error {
    Error::new(
        ErrorKind::Usage,
        "planq::export::exists",
        format!(
            "{} already exist{}; nothing was written",
            paths.join(", "),
            if paths.len() == 1 { "s" } else { "" }
        ),
    )
    .with_help("add --force to replace them, or choose another --out directory")
}
