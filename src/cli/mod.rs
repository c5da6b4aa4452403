//! The command line: argument parsing, and the subcommands.

mod diagnostics;
mod export;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use diagnostics::report;

use crate::dataset::Dataset;
use crate::error::Error;

/// planq — a work plan as tables, and a small query language over them.
#[derive(Debug, Parser)]
#[command(name = "planq", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for loading the plan.
    #[command(flatten)]
    pub data: DataArgs,
}

/// Where the data comes from (shared by every mode).
#[derive(Debug, Clone, clap::Args, Default)]
pub struct DataArgs {
    /// A plan document to load instead of the embedded seed plan.
    #[arg(long, value_name = "FILE", global = true)]
    pub plan: Option<String>,
    /// A progress file (CSV or JSON); repeatable.
    #[arg(long, value_name = "FILE", global = true)]
    pub progress: Vec<String>,
    /// Treat plan extraction warnings as errors.
    #[arg(long, global = true)]
    pub strict: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the plan's tables as CSV or JSON.
    Export(export::ExportArgs),
}

impl DataArgs {
    /// Loads the plan and progress files; prints extraction warnings to stderr.
    pub fn load(&self, color: bool) -> Result<Dataset, Error> {
        let mut data = match &self.plan {
            Some(path) => Dataset::from_file(path)?,
            None => Dataset::seed()?,
        };
        if self.strict {
            data.check_strict()?;
        } else {
            for w in data.warnings() {
                eprint!("{}", report(&w, color));
            }
        }
        for p in &self.progress {
            data.add_progress_file(p)?;
        }
        Ok(data)
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = diagnostics::stderr_color();
    let result = match cli.command {
        Some(Command::Export(args)) => export::run(&cli.data, &args, color),
        None => export::run(&cli.data, &export::ExportArgs::default(), color),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", report(&e, color));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
