//! `planq export`: every table (or one) as CSV, JSON, an Excel workbook or Parquet, for
//! spreadsheets, tests and other engines (DuckDB, Spark, DataFusion). xlsx goes to files (`--out DIR`: one workbook per table; `--output FILE`: one
//! workbook, a sheet per table) or into a pipe, never to a terminal.
//!
//! Into a pipe that closes early (`planq export | head`) it stops quietly with exit 0, as
//! the query modes do. `--out DIR` writes each file atomically, never overwrites one
//! without `--force` and never writes through a symlink (see [`crate::render::file`]).

use std::io::{self, Write};
use std::path::Path;

use crate::error::{Code, Error, ErrorKind};
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
    /// Write every table to DIR/<table>.csv (or .json, .xlsx).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["table", "output"])]
    pub out: Option<String>,
    /// Write every table (or the --table) into one FILE; xlsx: one sheet per table.
    #[arg(long, value_name = "FILE")]
    pub output: Option<String>,
    /// With --out or --output: replace files that exist (never through a symlink).
    #[arg(long)]
    pub force: bool,
    /// Start CSV with a UTF-8 byte-order mark, so that Excel on Chinese Windows opens it as
    /// UTF-8.
    #[arg(long)]
    pub bom: bool,
}

/// The formats `export` writes: the ones a spreadsheet or a program reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    /// One CSV file per table.
    #[default]
    Csv,
    /// One JSON array of row objects per table.
    Json,
    /// Excel workbooks: bold frozen header, text kept as text, dates as dates.
    Xlsx,
    /// Apache Parquet, one file per table (`--out DIR`, or `--table NAME`): typed columns
    /// for DuckDB, Spark, DataFusion or polars.
    Parquet,
}

impl ExportFormat {
    /// The result format that writes it; `None` for Parquet, which is written by polars.
    fn render(self) -> Option<Format> {
        match self {
            ExportFormat::Csv => Some(Format::Csv),
            ExportFormat::Json => Some(Format::Json),
            ExportFormat::Xlsx => Some(Format::Xlsx),
            ExportFormat::Parquet => None,
        }
    }
}

/// The table `name` of the loaded data, or a usage error with did-you-mean.
fn named_table<'d>(
    data: &'d crate::Dataset,
    name: &str,
) -> Result<&'d polars::prelude::DataFrame, Error> {
    data.table(name).ok_or_else(|| {
        let names = data.tables().iter().map(|(n, _)| n.as_str());
        let help = match closest(name, names) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("tables: {}", crate::frames::TABLES.join(", ")),
        };
        Error::new(
            ErrorKind::Usage,
            Code::ExportUnknownTable,
            format!("no table named `{name}`"),
        )
        .with_help(help)
    })
}

fn usage(message: String, help: &str) -> Error {
    Error::new(ErrorKind::Usage, Code::ExportUsage, message).with_help(help.to_string())
}

/// Runs the export.
pub fn run(data: &DataArgs, args: &ExportArgs, color: bool) -> Result<(), Error> {
    use std::io::IsTerminal;
    let Some(format) = args.format.render() else {
        return parquet(data, args, color);
    };
    if args.force && args.out.is_none() && args.output.is_none() {
        return Err(usage(
            "--force replaces files written by --out or --output".into(),
            "give --out DIR or --output FILE",
        ));
    }
    if args.bom && format != Format::Csv {
        return Err(usage(
            format!("--bom is for CSV; the format is {}", format.name()),
            "drop --bom, or export --format csv --bom",
        ));
    }
    let to_stdout_file = args.out.is_none() && args.output.is_none();
    if format.is_binary() && to_stdout_file && std::io::stdout().is_terminal() {
        return Err(usage(
            "xlsx is a binary format and stdout is a terminal".into(),
            "planq export --format xlsx --output plan.xlsx (a sheet per table), --out DIR, \
             or redirect: planq export --format xlsx > plan.xlsx",
        ));
    }
    if let (Some(dir), Format::Csv) = (&args.out, format) {
        if let Some(doc) = batchable(data) {
            return batched(doc, args, dir, color);
        }
    }
    // Never freed: the process ends after the export, and freeing a large plan's model and
    // tables string by string cost ≈ 4% of a 100k-task export (`perf record`).
    let data = std::mem::ManuallyDrop::new(data.load(color)?);
    let ext = format.extension();
    let stdout = std::io::stdout();
    let write_err = |what: &str, e: io::Error| {
        Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot write {what}: {e}"),
        )
    };
    // A reader that stops early (`| head`) is not a failure.
    let to_stdout = |r: io::Result<()>| match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| write_err("to stdout", e)),
    };
    if let Some(name) = &args.table {
        let df = named_table(&data, name)?;
        if let Some(file) = &args.output {
            let sheets = [(name.clone(), df)];
            return write_one(Path::new(file), args, format, &sheets);
        }
        let mut out = stdout.lock();
        // A workbook's one sheet is named after the table.
        let result = if format == Format::Xlsx {
            all_tables(&[(name.clone(), df)], format, false, &mut out)
        } else {
            render::write_with_bom(df, format, args.bom, &mut out)
        };
        return to_stdout(result.and_then(|()| out.flush()));
    }
    let tables: Vec<(String, &polars::prelude::DataFrame)> = data
        .tables()
        .iter()
        .map(|(n, df)| (n.clone(), df))
        .collect();
    if let Some(file) = &args.output {
        return write_one(Path::new(file), args, format, &tables);
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        // Refuse before writing anything: an export is all the tables or none replaced.
        let paths = table_paths(&data, dir, ext, args.force)?;
        let paths: Vec<_> = paths
            .into_iter()
            .zip(data.tables())
            .map(|(p, (_, df))| (p, df))
            .collect();
        // The files are independent: written on rayon's pool (the large tables of a big
        // plan take similar times), and the first failure in table order is reported.
        use rayon::prelude::*;
        let jobs: Vec<_> = paths.into_iter().zip(data.tables()).collect();
        let results: Vec<Result<(), Error>> = jobs
            .into_par_iter()
            .map(|((path, df), (name, _))| {
                let shown = path.display().to_string();
                write_file(&path, args.force, |w| {
                    if format == Format::Xlsx {
                        // The sheet is named after the table.
                        all_tables(&[(name.clone(), df)], format, false, w)
                    } else {
                        render::write_with_bom(df, format, args.bom, w)
                    }
                })
                .map_err(|e| write_error(&shown, e))
            })
            .collect();
        results.into_iter().collect::<Result<(), Error>>()?;
        eprintln!("wrote {} tables to {dir}", data.tables().len());
        return Ok(());
    }
    // Neither: every table to stdout — CSV sections headed by `# table`, one JSON object,
    // or one workbook.
    let mut out = stdout.lock();
    let result = all_tables(&tables, format, args.bom, &mut out);
    to_stdout(result.and_then(|()| out.flush()))
}

/// `export --format parquet`: each table to `DIR/<table>.parquet` (`--out DIR`), or the one
/// `--table` to `--output FILE` or into a pipe. Parquet files are one table each, so every
/// table into one stream is refused.
fn parquet(data: &DataArgs, args: &ExportArgs, color: bool) -> Result<(), Error> {
    use std::io::IsTerminal;
    if args.bom {
        return Err(usage(
            "--bom is for CSV; the format is parquet".into(),
            "drop --bom",
        ));
    }
    if args.force && args.out.is_none() && args.output.is_none() {
        return Err(usage(
            "--force replaces files written by --out or --output".into(),
            "give --out DIR or --output FILE",
        ));
    }
    if args.out.is_none() && args.table.is_none() {
        return Err(usage(
            "a Parquet file holds one table; export --format parquet needs --out DIR (a file per table) or --table NAME".into(),
            "planq export --format parquet --out tables/",
        ));
    }
    if args.out.is_none() && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(usage(
            "parquet is a binary format and stdout is a terminal".into(),
            "add --output FILE.parquet, or redirect: planq export --format parquet --table tasks > tasks.parquet",
        ));
    }
    let data = data.load(color)?;
    let write = |df: &polars::prelude::DataFrame, w: &mut dyn Write| -> io::Result<()> {
        let mut df = df.clone();
        polars::prelude::ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(|e| io::Error::other(e.to_string()))
    };
    let write_err = |shown: &str, e: WriteError| match e {
        WriteError::Exists => exists_error(&[shown.to_string()]),
        e => Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot write {shown}: {e}"),
        ),
    };
    if let Some(name) = &args.table {
        let df = named_table(&data, name)?;
        if let Some(file) = &args.output {
            write_file(Path::new(file), args.force, |w| write(df, w))
                .map_err(|e| write_err(file, e))?;
            eprintln!("wrote 1 table to {file}");
            return Ok(());
        }
        let mut bytes = Vec::new();
        write(df, &mut bytes).map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::Io,
                format!("cannot write Parquet: {e}"),
            )
        })?;
        let mut out = std::io::stdout().lock();
        return match out.write_all(&bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| {
                Error::new(
                    ErrorKind::Data,
                    Code::Io,
                    format!("cannot write to stdout: {e}"),
                )
            }),
        };
    }
    let dir = args.out.as_deref().unwrap_or(".");
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot write {dir}: {e}"),
        )
    })?;
    let paths = table_paths(&data, dir, "parquet", args.force)?;
    let paths: Vec<_> = paths
        .into_iter()
        .zip(data.tables())
        .map(|(p, (_, df))| (p, df))
        .collect();
    for (path, df) in &paths {
        let shown = path.display().to_string();
        write_file(path, args.force, |w| write(df, w)).map_err(|e| write_err(&shown, e))?;
    }
    eprintln!("wrote {} tables to {dir}", paths.len());
    Ok(())
}

/// Every table in one stream: CSV sections headed by `# table`, one JSON object of arrays,
/// or one workbook with a sheet per table.
fn all_tables(
    tables: &[(String, &polars::prelude::DataFrame)],
    format: Format,
    bom: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Xlsx {
        let bytes = render::xlsx::workbook(tables)?;
        return out.write_all(&bytes);
    }
    if bom {
        out.write_all(render::formats::BOM.as_bytes())?;
    }
    if format == Format::Json {
        let obj: serde_json::Map<String, serde_json::Value> = tables
            .iter()
            .map(|(n, df)| {
                let rows = serde_json::to_value(render::Rows(df)).unwrap_or_default();
                (n.clone(), rows)
            })
            .collect();
        // (io::Error::from keeps the kind of an I/O failure, so a closed pipe is seen.)
        serde_json::to_writer(&mut *out, &obj)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        tables.iter().enumerate().try_for_each(|(i, (n, df))| {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "# {n}")?;
            render::write(df, Format::Csv, out)
        })
    }
}

/// `--output FILE`: the tables into one file, atomically.
fn write_one(
    path: &Path,
    args: &ExportArgs,
    format: Format,
    tables: &[(String, &polars::prelude::DataFrame)],
) -> Result<(), Error> {
    let shown = path.display().to_string();
    let one = tables.len() == 1 && format != Format::Xlsx;
    write_file(path, args.force, |w| {
        if one {
            render::write_with_bom(tables[0].1, format, args.bom, w)
        } else {
            all_tables(tables, format, args.bom, w)
        }
    })
    .map_err(|e| write_error(&shown, e))?;
    eprintln!(
        "wrote {} table{} to {shown}",
        tables.len(),
        if tables.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// `DIR/<table>.<ext>` for every table, refused before anything is written when one exists
/// and `force` is off: an export replaces all the tables or none.
fn table_paths(
    data: &crate::Dataset,
    dir: &str,
    ext: &str,
    force: bool,
) -> Result<Vec<std::path::PathBuf>, Error> {
    paths_of(
        data.tables().iter().map(|(n, _)| n.as_str()),
        dir,
        ext,
        force,
    )
}

/// `DIR/<name>.<ext>` for every name, refused as [`table_paths`] refuses them.
fn paths_of<'n>(
    names: impl Iterator<Item = &'n str>,
    dir: &str,
    ext: &str,
    force: bool,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let paths: Vec<_> = names
        .map(|name| Path::new(dir).join(format!("{name}.{ext}")))
        .collect();
    if !force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(exists_error(&existing));
        }
    }
    Ok(paths)
}

/// The diagnostic for a file `--out` or `--output` could not write (`shown`: its name as
/// the user gave it).
fn write_error(shown: &str, e: WriteError) -> Error {
    match e {
        WriteError::Exists => exists_error(&[shown.to_string()]),
        e => Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("cannot write {shown}: {e}"),
        ),
    }
}

fn exists_error(paths: &[String]) -> Error {
    Error::new(
        ErrorKind::Usage,
        Code::ExportExists,
        format!(
            "{} already exist{}; nothing was written",
            paths.join(", "),
            if paths.len() == 1 { "s" } else { "" }
        ),
    )
    .with_help("add --force to replace them, or choose another --out directory")
}

/// Tasks per batch when a plan is exported batch by batch. A batch is handed over as its
/// tasks' CSV rows, and three are in flight at most (one being built, one queued, one
/// being written). For 100k tasks, batches of 256 / 512 / 1024 / 2048 took 0.57 / 0.56 /
/// 0.58 / 0.61 s and peaked at 63 / 64 / 66 / 71 MB (`PLANQ_EXPORT_BATCH`, median of 9
/// interleaved runs, in a slow hour of the host); with frames per batch, before, 128 had
/// been best.
const BATCH: usize = 512;

/// The tasks per batch: [`BATCH`], or `PLANQ_EXPORT_BATCH` when set (tests use 1 and 2 so
/// that every batch boundary is crossed, `下同` carried owners among them).
fn batch_size() -> usize {
    std::env::var("PLANQ_EXPORT_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(BATCH)
}

/// The plan file `export --out DIR` (CSV) can write batch by batch, read: one `--plan`
/// file that is plain text (prose without task tables), with no `--progress`,
/// `--aliases` or `--strict` (those need every task at once: progress rows are checked
/// against all targets, aliases rewrite `owners` whole, `--strict` writes nothing when
/// there is a warning). Anything else, a file that cannot be read included, is `None`
/// and takes the general path (which also reports any error, exactly as before); only a
/// text file that turns out to hold a task table is read twice.
fn batchable(data: &DataArgs) -> Option<Batchable> {
    let [path] = data.plan.as_slice() else {
        return None;
    };
    if !data.progress.is_empty() || data.aliases.is_some() || data.strict {
        return None;
    }
    let size = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        _ => return None,
    };
    super::alloc::keep_freed_memory_for(size);
    // Other formats are not read twice: a look at the name and the first bytes first.
    let mut head = [0u8; 8];
    let n = {
        use std::io::Read;
        let mut file = std::fs::File::open(path).ok()?;
        let mut n = 0;
        while n < head.len() {
            match file.read(&mut head[n..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => n += k,
            }
        }
        n
    };
    if !crate::plan::source::may_be_text(path, &head[..n]) {
        return None;
    }
    let options = crate::plan::source::ReadOptions {
        encoding: data.encoding,
    };
    // A UTF-8 file's bytes become its text (no copy); other bytes are dropped once
    // decoded, as `PlanDoc::from_file` does.
    let bytes = crate::plan::source::read_file(Path::new(path)).ok()?;
    let doc = crate::plan::source::read_shared(path, bytes, options).ok()?;
    if !crate::plan::reads_in_batches(&doc) {
        return None;
    }
    // The text, shared with diagnostics; the bytes and the blocks go.
    let crate::plan::source::Document {
        format,
        encoding,
        text,
        ..
    } = doc;
    super::alloc::give_back_free_memory();
    Some(Batchable {
        path: path.clone(),
        text,
        format,
        encoding,
    })
}

/// A plan file that [`batched`] writes: its path, text, format and encoding.
struct Batchable {
    path: String,
    text: crate::error::SourceText,
    format: crate::plan::source::Format,
    encoding: Option<&'static str>,
}

/// `export --out DIR` of one plain-text plan, batch by batch: the extractor hands over
/// [`BATCH`] tasks at a time, their rows of `tasks`, `owners`, `targets` and `shortfall`
/// are built and appended to those files, and the batch is dropped; the other tables are
/// written when every task has been seen. Memory is the text, its outline and one batch,
/// not every task and every table (issue 8: 26× the file before). The files, stderr and
/// the exit code are those of the general path: tables the same bytes (`tests/export_batched.rs`),
/// warnings reported before an error in writing, files written atomically and all or
/// none.
fn batched(
    Batchable {
        path,
        text,
        format,
        encoding,
    }: Batchable,
    args: &ExportArgs,
    dir: &str,
    color: bool,
) -> Result<(), Error> {
    use crate::corpus::{plans_frame_counted, stem_id, PlanCounts};
    use crate::frames::csv::TaskRows;
    use crate::frames::{self, CategoryCounts};
    use crate::plan::ExtractOptions;

    let names: Vec<&str> = frames::TABLES
        .iter()
        .copied()
        .chain(std::iter::once("plans"))
        .collect();
    let id = stem_id(&path);
    let mut counts = PlanCounts::default();
    let mut per_category = CategoryCounts::default();
    // Each task's rows are formatted on rayon's pool as soon as it is complete, by the
    // thread that built it (its strings still in that core's cache; the task freed where
    // it was allocated), and written on a thread of their own while the extractor goes
    // on; one batch waits at most, so memory stays the text, the outline and about three
    // batches of rows.
    let mut per_root: Vec<(i64, i64)> = Vec::new();
    let (prepared, writer) = std::thread::scope(|scope| {
        // The place names that owner clauses are read with, built while the text is
        // checked and outlined, not in the first batch while the other pool thread waits
        // for them. 80 interleaved 10k runs, twice: median 33.9 / 34.6 → 32.5 / 31.4 ms;
        // 100k peak 49.7 → 50.7 MB.
        scope.spawn(crate::plan::warm_gazetteer);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<TaskRows>>(1);
        let (small_tx, small_rx) = std::sync::mpsc::channel::<Vec<(usize, Vec<u8>)>>();
        let mut writer = BatchWriter {
            names: &names,
            dir,
            args,
            files: Vec::new(),
            failed: None,
            rows: Default::default(),
        };
        let handle = scope.spawn(move || {
            for tasks in rx {
                writer.write(&tasks);
            }
            writer.finish();
            writer.write_small_and_sync(small_rx);
            writer
        });
        let mut sink = |tasks: Vec<TaskRows>| {
            counts.tasks += tasks.len();
            for t in &tasks {
                counts.owners += t.owners;
                counts.targets += t.targets;
                if per_root.len() <= t.category {
                    per_root.resize(t.category + 1, (0, 0));
                }
                per_root[t.category].0 += 1;
                per_root[t.category].1 += t.targets as i64;
            }
            // A writer that stopped has its error; the extraction still ends, so that the
            // warnings are reported before it, as on the general path.
            let _ = tx.send(tasks);
        };
        let finish = |task, category| crate::frames::csv::task_rows(task, category, &id);
        let plan = crate::plan::text_finished(
            &text,
            ExtractOptions::default(),
            batch_size(),
            &finish,
            &mut sink,
        );
        drop(tx);
        // The rest of the plan, its warnings and the small tables are made while the
        // writer writes the last batches (≈ 1 ms of a 10k-task export was spent waiting
        // for it, then as long making these).
        let small_tables = || -> Result<_, Error> {
            for (category, &(tasks, targets)) in plan.categories.iter().zip(&per_root) {
                per_category.add_counts(&category.name, tasks, targets);
            }
            let mut doc = crate::dataset::PlanDoc::batched(
                &path,
                text,
                (format, encoding),
                plan,
                counts.tasks,
            )?;
            doc.id = id.clone();
            // The warnings, as loading reports them for one plan, before any error in
            // writing.
            for w in doc.warnings() {
                eprint!("{}", super::report(&w, color));
            }
            counts.warnings = doc.plan.warnings.len();
            let mut rest = frames::after_tasks(&doc.plan, &per_category)?;
            frames::add_plan_column(&mut rest, &doc.id)?;
            rest.push((
                "plans".to_string(),
                plans_frame_counted(std::slice::from_ref(&doc), &[counts])?,
            ));
            let mut small = Vec::with_capacity(rest.len());
            for (name, df) in &rest {
                let Some(k) = names.iter().position(|n| n == name) else {
                    continue;
                };
                let mut bytes = Vec::new();
                render::write_with_bom(df, Format::Csv, args.bom, &mut bytes)
                    .map_err(|e| io_error(&format!("table `{name}`"), e))?;
                small.push((k, bytes));
            }
            Ok(small)
        };
        // To the writer, which writes them beside the per-task tables' sync; nothing is
        // sent when they could not be made (the error is returned below).
        let prepared = small_tables().map(|small| {
            let _ = small_tx.send(small);
        });
        drop(small_tx);
        (prepared, handle.join())
    });
    let Ok(mut writer) = writer else {
        return Err(Error::new(
            ErrorKind::Data,
            Code::Io,
            format!("the export to {dir} stopped"),
        ));
    };
    prepared?;
    if let Some(e) = writer.failed.take() {
        return Err(e);
    }
    let files = &mut writer.files;
    let n = files.len();
    // Every file on the disk first, then each given its name. The writer has synced them
    // all ([`BatchWriter::write_small_and_sync`]): this sync of each finds nothing to do,
    // and is here so that no file is named unsynced whatever the writer did.
    {
        use rayon::prelude::*;
        let synced: Vec<Result<(), Error>> = files
            .par_iter_mut()
            .map(|(shown, file)| file.sync().map_err(|e| write_error(shown, e)))
            .collect();
        synced.into_iter().collect::<Result<(), Error>>()?;
    }
    for (shown, file) in std::mem::take(files) {
        file.commit().map_err(|e| write_error(&shown, e))?;
    }
    eprintln!("wrote {n} tables to {dir}");
    Ok(())
}

fn io_error(what: &str, e: io::Error) -> Error {
    Error::new(
        ErrorKind::Data,
        Code::Io,
        format!("cannot write {what}: {e}"),
    )
}

/// The writing half of [`batched`]: opens the files at the first batch and appends each
/// batch's rows of the [`crate::frames::PER_TASK`] tables (formatted from the tasks by
/// `crate::frames::csv`).
struct BatchWriter<'a> {
    /// Every table's name, in the order of `files`.
    names: &'a [&'a str],
    dir: &'a str,
    args: &'a ExportArgs,
    /// Each table's file and its name as shown; empty until the first batch.
    files: Vec<(String, crate::render::file::Pending)>,
    /// The first failure; later batches are then dropped unwritten.
    failed: Option<Error>,
    /// The rows of each [`crate::frames::PER_TASK`] table not yet written.
    rows: [String; 4],
}

/// Bytes of a table's rows held at most before they are written, and handed to the disk
/// without waiting ([`crate::render::file::Pending::write_behind`]): large writes, little
/// held. Smaller was slower: 32 / 64 / 256 KiB exported 10k tasks in 52.9 / 49.4 / 48.1 ms
/// (median of 15 interleaved runs), each write handing its pages to the disk.
const ROWS_HELD: usize = 1 << 18;

impl BatchWriter<'_> {
    fn write(&mut self, tasks: &[crate::frames::csv::TaskRows]) {
        if self.failed.is_some() {
            return;
        }
        if let Err(e) = self.try_write(tasks) {
            self.failed = Some(e);
        }
    }

    /// Writes the rows still held, once every batch is in.
    fn finish(&mut self) {
        if self.failed.is_none() && !self.files.is_empty() {
            if let Err(e) = self.flush() {
                self.failed = Some(e);
            }
        }
    }

    fn try_write(&mut self, tasks: &[crate::frames::csv::TaskRows]) -> Result<(), Error> {
        if self.files.is_empty() {
            std::fs::create_dir_all(self.dir).map_err(|e| io_error(self.dir, e))?;
            // Refuse before writing anything: all the tables or none replaced.
            for p in paths_of(self.names.iter().copied(), self.dir, "csv", self.args.force)? {
                let shown = p.display().to_string();
                let file = crate::render::file::Pending::create(&p, self.args.force)
                    .map_err(|e| write_error(&shown, e))?;
                self.files.push((shown, file));
            }
            // The per-task tables' headers, as their frames render them.
            let headers = crate::frames::csv::headers()?;
            for (text, header) in self.rows.iter_mut().zip(headers) {
                // Sized once: grown by doubling, the four buffers had taken ≈ 4 MB of
                // fresh memory for 1 MB of rows held.
                text.reserve(ROWS_HELD);
                if self.args.bom {
                    text.push_str(render::formats::BOM);
                }
                text.push_str(&header);
            }
        }
        for t in tasks {
            for k in 0..self.rows.len() {
                let rows = t.table(k);
                // Written before it would outgrow its room (a task larger than the room
                // alone grows it).
                if self.rows[k].len() + rows.len() > ROWS_HELD {
                    self.write_rows(k)?;
                }
                self.rows[k].push_str(rows);
            }
        }
        Ok(())
    }

    /// Once every batch is written ([`BatchWriter::finish`]): syncs the per-task tables'
    /// files on a thread of its own, while this one waits for the small tables (made
    /// meanwhile on the main thread, sent through `small`), writes them and syncs their
    /// files, so that the file system commits all of them together. (Synced after the
    /// small tables were made, then the small tables, 10k tasks waited ≈ 2 ms after the
    /// last batch; the per-task tables' sync alone takes ≈ 1.3.) Nothing comes through
    /// `small` when the main thread could not make them: it reports why.
    fn write_small_and_sync(&mut self, small: std::sync::mpsc::Receiver<Vec<(usize, Vec<u8>)>>) {
        if self.failed.is_some() {
            return;
        }
        let dir = self.dir;
        let per_task: Vec<bool> = (self.names.iter())
            .map(|n| crate::frames::PER_TASK.contains(n))
            .collect();
        let (big, mut rest): (Vec<_>, Vec<_>) = (self.files.iter_mut().enumerate())
            .partition(|(k, _)| per_task.get(*k).copied().unwrap_or(false));
        let sync = |(shown, file): &mut (String, crate::render::file::Pending)| {
            file.sync().map_err(|e| write_error(shown, e))
        };
        let result = std::thread::scope(|scope| {
            let big = scope.spawn(move || big.into_iter().try_for_each(|(_, f)| sync(f)));
            let rest_result = match small.recv() {
                Ok(tables) => tables
                    .into_iter()
                    .try_for_each(|(k, bytes)| {
                        let Some((_, (shown, file))) = rest.iter_mut().find(|(j, _)| *j == k)
                        else {
                            return Err(io_error(
                                dir,
                                io::Error::other(format!("table {k} has no file")),
                            ));
                        };
                        file.writer()
                            .write_all(&bytes)
                            .map_err(|e| io_error(shown, e))
                    })
                    .and_then(|()| rest.iter_mut().try_for_each(|(_, f)| sync(f))),
                Err(_) => Ok(()),
            };
            let big_result = big.join().unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Data,
                    Code::Io,
                    format!("the export to {dir} stopped"),
                ))
            });
            big_result.and(rest_result)
        });
        if let Err(e) = result {
            self.failed = Some(e);
        }
    }

    /// Writes every per-task table's rows still held.
    fn flush(&mut self) -> Result<(), Error> {
        (0..self.rows.len()).try_for_each(|k| self.write_rows(k))
    }

    /// Writes the rows held of the `k`th [`crate::frames::PER_TASK`] table, and hands
    /// them to the disk without waiting.
    fn write_rows(&mut self, k: usize) -> Result<(), Error> {
        let text = &mut self.rows[k];
        let (Some(name), false) = (crate::frames::PER_TASK.get(k), text.is_empty()) else {
            return Ok(());
        };
        let Some(f) = self.names.iter().position(|n| n == name) else {
            return Ok(());
        };
        let (shown, file) = &mut self.files[f];
        file.writer()
            .write_all(text.as_bytes())
            .and_then(|()| file.write_behind())
            .map_err(|e| io_error(shown, e))?;
        text.clear();
        Ok(())
    }
}
