//! The command line: argument parsing, the modes (REPL, scripts, `-c`, stdin) and the
//! `export` subcommand.
//!
//! ```text
//! planq                         the REPL on a terminal; otherwise a script from stdin
//! planq FILE.pq [FILE.pq …]     run saved scripts in order (`-` is stdin)
//! planq -c 'QUERY' [-c …]       one-shot queries (and dot commands, e.g. -c .tables)
//! planq export …                the plan's tables as CSV or JSON
//! ```
//!
//! `-c` texts and files run in the order they are given. Results go to stdout and nothing
//! else does; diagnostics, warnings, timings and the banner go to stderr. Exit codes: 0
//! success, 1 a query, script or data error, 2 a usage error.

pub mod alloc;
mod export;

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

pub use crate::diagnostics::report;

use crate::dataset::Dataset;
use crate::engine::{Engine, Value};
use crate::error::{Code, Error, ErrorKind};
use crate::render::{ChartSpec, Format};
use crate::repl::{self, terminal_height, terminal_width, Flow, Session, Settings};

/// planq — a work plan as tables, and a small query language over them.
#[derive(Debug, Parser)]
#[command(
    name = "planq",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  \
        planq -c 'owners | where role == \"lead\" | count by owner | sort count desc | take 5'\n  \
        planq --progress examples/progress-2010.csv examples/shortfall.pq\n  \
        planq -c 'owners | count by owner | sort count desc' --chart owner,count\n  \
        planq export --table tasks > tasks.csv"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for loading the plan.
    #[command(flatten)]
    pub data: DataArgs,
    /// Options for running queries.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Where the data comes from (shared by every mode).
#[derive(Debug, Clone, clap::Args, Default)]
pub struct DataArgs {
    /// Plan documents to load instead of the embedded seed plan: a file, a directory
    /// (every plan file below it) or a glob ('plans/*.html'); repeatable. A bad file is
    /// reported and the others load, unless --strict.
    #[arg(long, value_name = "FILE|DIR|GLOB", global = true)]
    pub plan: Vec<String>,
    /// A progress file (CSV or JSON); repeatable.
    #[arg(long, value_name = "FILE", global = true)]
    pub progress: Vec<String>,
    /// Treat plan extraction warnings, and plan files that cannot be loaded, as errors.
    #[arg(long, global = true)]
    pub strict: bool,
    /// Decode a text or HTML plan with this encoding (utf-8, gb18030, gbk, utf-16le, big5, …)
    /// instead of detecting it.
    #[arg(long, value_name = "ENCODING", global = true, value_parser = crate::plan::source::text::parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// An alias file (CSV `alias,canonical[,from,to]`): owners get the canonical name in
    /// `owner` and the name as written in `owner_raw`.
    #[arg(long, value_name = "FILE", global = true)]
    pub aliases: Option<String>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always colour (even with `NO_COLOR`, even into a pipe).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether a stream gets colour.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Options for running queries and scripts.
#[derive(Debug, Clone, clap::Args, Default)]
pub struct RunArgs {
    /// Query scripts to run, in order (`-` reads stdin).
    #[arg(value_name = "FILE.pq")]
    pub files: Vec<String>,
    /// Run QUERY (statements or a dot command); repeatable.
    #[arg(short = 'c', long = "command", value_name = "QUERY")]
    pub commands: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// A parameter for `$name` in queries: --param section=3. (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, Value)>,
    /// Show at most N rows in tables (0 = all; display only, other formats write every row).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Print each statement's run time to stderr.
    #[arg(long)]
    pub timer: bool,
    /// Keep going after a failed statement (the exit code is still 1).
    #[arg(long = "continue")]
    pub keep_going: bool,
    /// Draw results as bar charts of a label and a numeric column: --chart owner,count, or
    /// --chart auto (the first text and the first numeric column; progress bars for actual
    /// against target). Like `.chart` after each query.
    #[arg(long, value_name = "LABEL,VALUE|auto")]
    pub chart: Option<String>,
    /// Disable the dot commands that touch files (.load, .read, .save, .once): for running
    /// query text from someone else.
    #[arg(long)]
    pub safe: bool,
    /// Write every result into FILE instead of stdout, when the run ends (xlsx: one sheet
    /// per result). The format is --format's, else FILE's extension.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<String>,
    /// Write each result to a numbered file of its own in DIR: 01-NAME.csv, named after a
    /// `# name: NAME` comment before the statement (format from --format; csv for table).
    #[arg(long = "out", id = "out_dir", value_name = "DIR")]
    pub out_dir: Option<String>,
    /// With --output or --out: replace files that exist (never through a symlink).
    #[arg(long)]
    pub force: bool,
    /// Start csv/tsv output with a UTF-8 byte-order mark, so that Excel on Chinese Windows
    /// opens it as UTF-8.
    #[arg(long)]
    pub bom: bool,
    /// Load a table file (CSV, TSV, Parquet, JSON, NDJSON) as NAME (default: the file's
    /// stem): --table depts=departments.csv; repeatable. Force a column's type with
    /// FILE:schema=COL:TYPE[,COL:TYPE] (str, int, float, bool, date).
    #[arg(long = "table", value_name = "[NAME=]FILE")]
    pub tables: Vec<String>,
}

/// The ids of [`RunArgs`]: options of the query modes, which `export` does not take.
const RUN_ARGS: &[&str] = &[
    "files",
    "commands",
    "format",
    "params",
    "max_rows",
    "timer",
    "keep_going",
    "chart",
    "safe",
    "output",
    "out_dir",
    "force",
    "bom",
    "tables",
];

/// Parses `--param name=value`.
fn parse_param(s: &str) -> Result<(String, Value), String> {
    let Some((name, value)) = s.split_once('=') else {
        return Err(format!("expected NAME=VALUE, got `{s}`"));
    };
    let name = name.trim();
    let name = name.strip_prefix('$').unwrap_or(name);
    if !repl::dot::is_param_name(name) {
        return Err(format!(
            "`{name}` is not a parameter name (letters, digits and `_`)"
        ));
    }
    Ok((name.to_string(), Value::parse_cli(value)))
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the plan's tables as CSV, JSON, xlsx or Parquet.
    Export(export::ExportArgs),
}

impl DataArgs {
    /// Loads the plans and progress files; prints extraction warnings, and the files that
    /// could not be loaded, to stderr.
    pub fn load(&self, color: bool) -> Result<Dataset, Error> {
        let mut data = if self.plan.is_empty() {
            Dataset::seed()?
        } else {
            let options = crate::plan::source::ReadOptions {
                encoding: self.encoding,
            };
            let gathered = crate::corpus::gather(
                &self.plan,
                options,
                &Default::default(),
                &Default::default(),
            );
            let docs = bad_files(gathered, self.strict, color)?;
            Dataset::from_docs(docs)?
        };
        if self.strict {
            data.check_strict()?;
        } else if data.docs().len() == 1 {
            for w in data.warnings() {
                eprint!("{}", report(&w, color));
            }
        } else {
            print_warning_summary(&data, color);
        }
        for p in &self.progress {
            data.add_progress_file(p)?;
        }
        if let Some(path) = &self.aliases {
            let aliases = crate::tables::aliases::Aliases::load_file(path)?;
            for note in data.set_aliases(aliases)? {
                if note.severity() == miette::Severity::Warning {
                    eprint!("{}", report(&note, color));
                }
            }
        }
        Ok(data)
    }
}

/// What to do with the plan files that could not be loaded: with `--strict`, or when no
/// file loaded, an error (one bad file: its own diagnostic); otherwise each is reported and
/// a summary line says how many, and the run goes on with the rest (exit 0).
pub fn bad_files(
    gathered: crate::corpus::Gathered,
    strict: bool,
    color: bool,
) -> Result<Vec<crate::dataset::PlanDoc>, Error> {
    let crate::corpus::Gathered {
        docs,
        mut bad,
        files,
    } = gathered;
    if bad.is_empty() {
        return Ok(docs);
    }
    let total = files.max(docs.len() + bad.len());
    if docs.is_empty() && bad.len() == 1 {
        return Err(bad.remove(0));
    }
    if strict || docs.is_empty() {
        let why = if docs.is_empty() {
            "no plan could be loaded".to_string()
        } else {
            format!(
                "{} of {total} plan files could not be loaded, and --strict makes that an error",
                bad.len()
            )
        };
        return Err(Error::new(ErrorKind::Data, Code::CorpusBadFiles, why)
            .with_help("each file's problem is listed below; fix or remove those files")
            .with_related(bad));
    }
    for e in &bad {
        eprint!("{}", report(e, color));
    }
    let summary = Error::new(
        ErrorKind::Data,
        Code::CorpusBadFiles,
        format!(
            "{} of {total} plan files could not be loaded; the other {} are loaded",
            bad.len(),
            docs.len()
        ),
    )
    .with_help("the problems are listed above; --strict makes a bad file an error (exit 1)")
    .with_severity(miette::Severity::Warning);
    eprint!("{}", report(&summary, color));
    Ok(docs)
}

/// With several plans, one line about their extraction warnings instead of each one (a
/// corpus of thousands of plans would bury the terminal): the `warnings` table has them.
pub fn print_warning_summary(data: &Dataset, color: bool) {
    let with: Vec<&crate::dataset::PlanDoc> = data
        .docs()
        .iter()
        .filter(|d| !d.plan.warnings.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    let n: usize = with.iter().map(|d| d.plan.warnings.len()).sum();
    let note = Error::new(
        ErrorKind::Data,
        Code::CorpusWarnings,
        format!(
            "{n} extraction warning{} in {} of {} plans",
            if n == 1 { "" } else { "s" },
            with.len(),
            data.docs().len()
        ),
    )
    .with_help("`warnings | count by plan, code` lists them; --strict makes them errors")
    .with_severity(miette::Severity::Warning);
    eprint!("{}", report(&note, color));
}

/// One thing to run, in command-line order.
enum Job {
    Command(String),
    File(String),
}

/// `-c` texts and files in the order they were given.
fn jobs(matches: &ArgMatches, run: &RunArgs) -> Vec<Job> {
    let mut ordered: Vec<(usize, Job)> = Vec::new();
    if let Some(idx) = matches.indices_of("commands") {
        ordered.extend(
            idx.zip(&run.commands)
                .map(|(i, c)| (i, Job::Command(c.clone()))),
        );
    }
    if let Some(idx) = matches.indices_of("files") {
        ordered.extend(idx.zip(&run.files).map(|(i, f)| (i, Job::File(f.clone()))));
    }
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, j)| j).collect()
}

/// Refuses the command line with a usage error (exit 2).
fn usage_error(message: &str) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// Checks the output options (`--format xlsx`, `--output`, `--out`, `--bom`, `--force`)
/// and returns the format results are written in.
fn output_format(run: &RunArgs, matches: &ArgMatches, stdout_tty: bool) -> Format {
    let mut format = run.format;
    if let Some(file) = &run.output {
        if !given(matches, "format") {
            format = Format::from_extension(std::path::Path::new(file)).unwrap_or_else(|| {
                usage_error(&format!(
                    "cannot tell the format of `{file}` from its extension; \
                     add --format, or end the name in {}",
                    Format::EXTENSIONS
                ))
            });
        }
    }
    if run.force && run.output.is_none() && run.out_dir.is_none() {
        usage_error("--force replaces files written by --output or --out; give one of them");
    }
    if format.is_binary() && stdout_tty && run.output.is_none() && run.out_dir.is_none() {
        usage_error(&format!(
            "{0} is a binary format and stdout is a terminal; write it to a file: \
             --output out.{0}, --out DIR, or redirect: planq --format {0} -c … > out.{0}",
            format.name()
        ));
    }
    if run.bom && !format.takes_bom() && !(run.out_dir.is_some() && format == Format::Table) {
        usage_error(&format!(
            "--bom is for csv and tsv output (Excel reads their encoding from it); \
             the format is {}",
            format.name()
        ));
    }
    format
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let err_color = cli.data.color.enabled(std::io::stderr().is_terminal());
    let result = match &cli.command {
        Some(Command::Export(_)) if RUN_ARGS.iter().any(|id| given(&matches, id)) => {
            // Global options (--plan, --progress, --strict, --color) go on either side
            // of `export`; the query modes' options make no sense with it.
            let mut cmd = Cli::command();
            cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                "query options (-c, FILE.pq, --format before `export`, --param, …) cannot be used with `export`; \
                 put export's own options (--format, --table, --out) after it",
            )
            .exit()
        }
        Some(Command::Export(args)) => export::run(&cli.data, args, err_color),
        None => return run(&cli, &matches, err_color),
    };
    exit_with(result, err_color)
}

/// Whether the option `id` was given on the command line.
fn given(matches: &ArgMatches, id: &str) -> bool {
    matches
        .value_source(id)
        .is_some_and(|s| s == clap::parser::ValueSource::CommandLine)
}

fn exit_with(result: Result<(), Error>, err_color: bool) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", report(&e, err_color));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// The query modes: REPL, scripts, `-c`, stdin.
fn run(cli: &Cli, matches: &ArgMatches, err_color: bool) -> ExitCode {
    let stdout_tty = std::io::stdout().is_terminal();
    let format = output_format(&cli.run, matches, stdout_tty);
    // With --output, results go to a file: laid out as for a pipe, not for the terminal.
    let stdout_tty = stdout_tty && cli.run.output.is_none();
    let jobs = jobs(matches, &cli.run);
    let interactive = jobs.is_empty() && std::io::stdin().is_terminal();

    let data = match cli.data.load(err_color) {
        Ok(d) => d,
        Err(e) => return exit_with(Err(e), err_color),
    };
    let mut engine = Engine::new(data);
    match engine.import_tables(&cli.run.tables) {
        Ok(loaded) => loaded
            .iter()
            .flat_map(|t| &t.warnings)
            .for_each(|w| eprint!("{}", report(w, err_color))),
        Err(e) => return exit_with(Err(e), err_color),
    }
    for (name, value) in &cli.run.params {
        engine.set_param(name, value.clone());
    }
    let settings = Settings {
        format,
        // On a terminal 40 rows by default; into a pipe or file every row (display only).
        max_rows: cli
            .run
            .max_rows
            .unwrap_or(if stdout_tty || interactive { 40 } else { 0 }),
        timer: cli.run.timer,
        color: cli.data.color.enabled(stdout_tty),
        err_color,
        // Tables fit the terminal; into a pipe or file they are not cut to a width (every
        // cell whole, still aligned), so `planq -c … > report.txt` loses nothing.
        width: if stdout_tty {
            terminal_width().filter(|w| *w >= 20)
        } else {
            None
        },
        chart: cli.run.chart.as_deref().map(ChartSpec::parse),
        keep_going: cli.run.keep_going,
        safe: cli.run.safe,
        bom: cli.run.bom,
        // Tall results through $PAGER: only ever on a terminal (`.pager off` to stop).
        pager: stdout_tty,
        stdout_tty,
        height: if stdout_tty { terminal_height() } else { None },
    };
    let mut session = Session::new(engine, settings);
    if let Err(e) = set_destination(&mut session, &cli.run, format) {
        return exit_with(Err(e), err_color);
    }

    if interactive {
        repl::run(session);
        return ExitCode::SUCCESS;
    }
    let mut flow = Flow::Done;
    if jobs.is_empty() {
        flow = run_stdin(&mut session);
    }
    for job in jobs {
        flow = match job {
            Job::Command(text) => session.run_source("<command>", &text),
            Job::File(path) if path == "-" => run_stdin(&mut session),
            Job::File(path) => session.run_file(&path),
        };
        if flow == Flow::Quit || (flow == Flow::Failed && !session.settings.keep_going) {
            break;
        }
    }
    let _ = flow;
    if let Err(e) = session.finish() {
        session.report(&e);
        session.failed = true;
    }
    if session.failed {
        ExitCode::from(ErrorKind::Query.exit_code() as u8)
    } else {
        ExitCode::SUCCESS
    }
}

/// Where results go: `--out DIR`, `--output FILE`, or (xlsx into a pipe) one workbook on
/// stdout at the end.
fn set_destination(session: &mut Session, run: &RunArgs, format: Format) -> Result<(), Error> {
    use crate::repl::output::{Collect, OutDir};
    if let Some(dir) = &run.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::Io,
                format!("cannot create the directory `{dir}`: {e}"),
            )
            .with_help("--out needs a directory planq can create or write into")
        })?;
        session.output.out_dir = Some(OutDir {
            dir: dir.into(),
            format: if format == Format::Table {
                Format::Csv
            } else {
                format
            },
            force: run.force,
            bom: run.bom,
        });
    } else if let Some(file) = &run.output {
        session.output.collect = Some(Collect::new(
            Some(file.into()),
            run.force,
            format == Format::Xlsx,
        ));
    } else if format.is_binary() {
        session.output.collect = Some(Collect::new(None, false, true));
    }
    Ok(())
}

fn run_stdin(session: &mut Session) -> Flow {
    let mut text = String::new();
    match std::io::stdin().read_to_string(&mut text) {
        Ok(_) => session.run_source("<stdin>", &text),
        Err(e) => {
            session.report(&Error::io("<stdin>", &e));
            session.failed = true;
            Flow::Failed
        }
    }
}
