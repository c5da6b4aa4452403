//! `planq export`: every table (or one) as CSV or JSON, for spreadsheets and tests.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::lang::suggest::closest;
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
    let write_err = |what: &str, e: std::io::Error| {
        Error::new(
            ErrorKind::Data,
            "planq::io",
            format!("cannot write {what}: {e}"),
        )
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
        return render::write(df, format, &mut out).map_err(|e| write_err("to stdout", e));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        for (name, df) in data.tables() {
            let path = Path::new(dir).join(format!("{name}.{ext}"));
            let shown = path.display().to_string();
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&path).map_err(|e| write_err(&shown, e))?,
            );
            render::write(df, format, &mut file)
                .and_then(|()| file.flush())
                .map_err(|e| write_err(&shown, e))?;
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
        serde_json::to_writer(&mut out, &obj)
            .map_err(std::io::Error::other)
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
    result.map_err(|e| write_err("to stdout", e))
}
