//! Analysts' own tables beside the plan: CSV, TSV, Parquet, JSON (an array of objects)
//! and NDJSON files, loaded as named tables (`planq --table NAME=FILE`, `.import FILE as
//! NAME`), and the alias table that unifies renamed departments ([`aliases`]).
//!
//! A file is loaded in two steps. **Check**: the format comes from the extension and is
//! confirmed by the content (a `.csv` that is really a spreadsheet or Parquet is refused
//! with the fix); text formats get one streaming pass that finds every malformed row and
//! every cell that does not fit its column's type, with its row and column, before anything
//! is registered. **Scan**: the table is a polars lazy scan (`scan_csv`, `scan_parquet`,
//! `scan_ndjson`) with the checked schema, so a query reads only the columns and row groups
//! it needs — a 10-million-row Parquet file is never read whole. JSON arrays (and NDJSON
//! with nested values) are read whole.
//!
//! This module owns polars for loaded tables; the front end (`src/lang`) knows nothing of it.

pub mod aliases;
mod csv;
mod infer;
mod json;

use std::io::Read;
use std::path::Path;

use miette::Severity;
use polars::prelude::*;

use crate::engine::type_name;
use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::lexer::is_bare_name;
use crate::lang::suggest::closest;
use crate::query::Type;

/// At most this many problems of one file are reported (the rest are counted).
const MAX_ERRORS: usize = 10;

/// A table file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values (`.csv`).
    Csv,
    /// Tab-separated values (`.tsv`, `.tab`).
    Tsv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// A JSON array of objects (`.json`).
    Json,
    /// One JSON object per line (`.ndjson`, `.jsonl`).
    Ndjson,
}

impl FileFormat {
    /// The format's name as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Tsv => "tsv",
            FileFormat::Parquet => "parquet",
            FileFormat::Json => "json",
            FileFormat::Ndjson => "ndjson",
        }
    }

    /// The format a file name's extension stands for.
    pub fn from_path(path: &str) -> Option<FileFormat> {
        let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => FileFormat::Csv,
            "tsv" | "tab" => FileFormat::Tsv,
            "parquet" | "pq" => FileFormat::Parquet,
            "json" => FileFormat::Json,
            "ndjson" | "jsonl" => FileFormat::Ndjson,
            _ => return None,
        })
    }
}

/// What to load: `[NAME=]FILE[:schema=COL:TYPE,…]`, as written after `--table` or
/// `.import`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    /// The table name given (`NAME=`), if any.
    pub name: Option<String>,
    /// The file.
    pub path: String,
    /// Column types forced with `:schema=` (`str`, `int`, `float`, `bool`, `date`).
    pub schema: Vec<(String, Type)>,
    /// The text as written, for diagnostics.
    pub text: String,
}

impl TableSpec {
    /// Parses `[NAME=]FILE[:schema=COL:TYPE,…]`. `NAME=` is taken as a name only when
    /// what is before `=` has no path separator or dot (so `a=b/c.csv` names `a`).
    pub fn parse(text: &str) -> Result<TableSpec, Error> {
        let source = Source::new("<table>", text);
        let (name, rest, rest_at) = match text.split_once('=') {
            Some((n, r)) if !n.is_empty() && !n.contains(['/', '\\', '.', ':']) => {
                (Some(n.trim().to_string()), r, n.len() + 1)
            }
            _ => (None, text, 0),
        };
        let (path, schema_text, schema_at) = match rest.rfind(":schema=") {
            Some(i) => (
                &rest[..i],
                Some(&rest[i + ":schema=".len()..]),
                rest_at + i + ":schema=".len(),
            ),
            None => (rest, None, 0),
        };
        if path.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::Usage,
                Code::TableSpec,
                format!("`{text}` names no file"),
            )
            .at(&source, Span::new(rest_at, text.len()), "a file goes here")
            .with_help("write NAME=FILE, e.g. --table depts=examples/departments.csv"));
        }
        let mut schema = Vec::new();
        if let Some(list) = schema_text {
            let mut at = schema_at;
            for item in list.split(',') {
                let span = Span::new(at, at + item.len());
                at += item.len() + 1;
                let Some((col, ty)) = item.rsplit_once(':') else {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        Code::TableSpec,
                        format!("`{item}` is not COLUMN:TYPE"),
                    )
                    .at(&source, span, "expected COLUMN:TYPE")
                    .with_help(
                        "e.g. :schema=code:str,budget:float (types: str, int, float, bool, date)",
                    ));
                };
                let ty = match ty.trim() {
                    "str" | "text" => Type::Str,
                    "int" => Type::Int,
                    "float" => Type::Float,
                    "bool" => Type::Bool,
                    "date" => Type::Date,
                    other => {
                        return Err(Error::new(
                            ErrorKind::Usage,
                            Code::TableSpec,
                            format!("`{other}` is not a column type"),
                        )
                        .at(&source, span, "unknown type")
                        .with_help("types: str, int, float, bool, date"))
                    }
                };
                schema.push((col.trim().to_string(), ty));
            }
        }
        Ok(TableSpec {
            name,
            path: path.to_string(),
            schema,
            text: text.to_string(),
        })
    }

    /// The table's name: the one given, else the file's stem (`departments.csv` →
    /// `departments`). It must be a bare name (letters, digits, `_`; CJK welcome).
    pub fn table_name(&self) -> Result<String, Error> {
        let name = match &self.name {
            Some(n) => n.clone(),
            None => Path::new(&self.path)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string(),
        };
        if !is_bare_name(&name) {
            let suggestion: String = name
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            let suggestion =
                if suggestion.starts_with(|c: char| c.is_ascii_digit()) || suggestion.is_empty() {
                    format!("t_{suggestion}")
                } else {
                    suggestion
                };
            let given = if self.name.is_some() {
                "the name given"
            } else {
                "the file's name"
            };
            return Err(Error::new(
                ErrorKind::Usage,
                Code::TableBadName,
                format!("`{name}` ({given}) cannot be a table name"),
            )
            .with_help(format!(
                "a table name is letters, digits and `_`, not starting with a digit nor a reserved word: \
                 name it, e.g. {suggestion}={}",
                self.path
            )));
        }
        Ok(name)
    }

    /// The type forced for a column.
    fn forced(&self, column: &str) -> Option<Type> {
        self.schema
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, t)| *t)
    }

    /// A forced column the file does not have is an error.
    fn check_overrides<'a>(
        &self,
        columns: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<(), Error> {
        for (c, _) in &self.schema {
            if !columns.clone().any(|n| n == c) {
                let help = match closest(c, columns.clone()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the columns are: {}",
                        columns.clone().collect::<Vec<_>>().join(", ")
                    ),
                };
                return Err(Error::new(
                    ErrorKind::Usage,
                    Code::TableUnknownColumn,
                    format!("`{}` has no column `{c}` to force a type on", self.path),
                )
                .with_help(help));
            }
        }
        Ok(())
    }
}

/// A table read from a file (or a lazy frame registered by the embedding program).
#[derive(Clone)]
pub struct LazyTable {
    /// Its name in queries.
    pub name: String,
    /// The file it was read from and the file's format (`None`: registered by a program).
    pub file: Option<(String, FileFormat)>,
    /// Its row count, when known without reading it.
    pub rows: Option<usize>,
    /// Problems noticed while loading that did not stop it (columns converted or kept
    /// as JSON text).
    pub warnings: Vec<Error>,
    pub(crate) lf: LazyFrame,
    pub(crate) schema: SchemaRef,
}

impl LazyTable {
    /// A lazy frame as a table (its schema is resolved now).
    pub fn new(name: &str, lf: LazyFrame) -> Result<LazyTable, Error> {
        let mut lf = lf;
        let schema = lf.collect_schema().map_err(|e| {
            Error::new(
                ErrorKind::Data,
                Code::TableSchema,
                format!("the table `{name}` has no schema: {e}"),
            )
        })?;
        Ok(LazyTable {
            name: name.to_string(),
            file: None,
            rows: None,
            warnings: Vec::new(),
            lf,
            schema,
        })
    }

    /// The lazy frame of its rows.
    pub fn frame(&self) -> LazyFrame {
        self.lf.clone()
    }

    /// Its schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// A file checked and scanned, before type conversions.
struct Checked {
    lf: LazyFrame,
    rows: Option<usize>,
    warnings: Vec<Error>,
}

/// Checks and scans the file of `spec` as the table `name`. Nothing is kept on error.
pub fn load(spec: &TableSpec, name: &str) -> Result<LazyTable, Error> {
    let path = spec.path.as_str();
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::io(path, &e).with_help(if e.kind() == std::io::ErrorKind::NotFound {
            "check the path (it is relative to the directory planq runs in)"
        } else {
            "check that the file is readable"
        })
    })?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Data,
            Code::TableDirectory,
            format!("`{path}` is a directory, not a table file"),
        )
        .with_help("name a .csv, .tsv, .parquet, .json or .ndjson file"));
    }
    if meta.len() == 0 {
        return Err(Error::new(
            ErrorKind::Data,
            Code::TableEmpty,
            format!("`{path}` is empty"),
        )
        .with_help("a table file needs a header row (CSV/TSV) or at least one object (JSON)"));
    }
    let declared = FileFormat::from_path(path).ok_or_else(|| {
        Error::new(
            ErrorKind::Data,
            Code::TableUnknownFormat,
            format!("cannot tell the format of `{path}` from its name"),
        )
        .with_help(
            "planq reads tables from .csv, .tsv, .parquet (.pq), .json (an array of objects) \
             and .ndjson (.jsonl) files: rename the file, or save it in one of these formats",
        )
    })?;
    let format = confirm(path, declared)?;
    let checked = match format {
        FileFormat::Csv => csv::load(spec, name, b',')?,
        FileFormat::Tsv => csv::load(spec, name, b'\t')?,
        FileFormat::Json => json::load_array(spec)?,
        FileFormat::Ndjson => json::load_lines(spec)?,
        FileFormat::Parquet => parquet(spec)?,
    };
    let (lf, schema, mut warnings) = convert(path, checked.lf)?;
    let mut all = checked.warnings;
    all.append(&mut warnings);
    if checked.rows == Some(0) {
        all.push(
            Error::new(
                ErrorKind::Data,
                Code::TableNoRows,
                format!("`{path}` has a header but no rows"),
            )
            .with_severity(Severity::Warning),
        );
    }
    Ok(LazyTable {
        name: name.to_string(),
        file: Some((path.to_string(), format)),
        rows: checked.rows,
        warnings: all,
        lf,
        schema,
    })
}

/// Confirms the format the name declares from the file's first bytes.
fn confirm(path: &str, declared: FileFormat) -> Result<FileFormat, Error> {
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| Error::io(path, &e))?;
    let looks = if head.starts_with(b"PAR1") {
        "a Parquet file"
    } else if head.starts_with(b"PK\x03\x04") {
        "a zip archive (an .xlsx or .docx file?)"
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        "an old Office file (.xls?)"
    } else if head.starts_with(b"%PDF") {
        "a PDF"
    } else if head.contains(&0) {
        "binary data"
    } else {
        "text"
    };
    let first = head
        .iter()
        .skip(if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        })
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    let refuse = |what: String, help: &str| {
        Err(Error::new(
            ErrorKind::Data,
            Code::TableWrongFormat,
            format!("`{path}` is named as {} but {what}", declared.as_str()),
        )
        .with_help(help.to_string()))
    };
    let spreadsheet = "planq does not read spreadsheets as tables: save the sheet as \"CSV UTF-8\" and load the .csv";
    match declared {
        FileFormat::Parquet if looks == "a Parquet file" => Ok(declared),
        FileFormat::Parquet => refuse(
            format!("holds {looks}, not Parquet (no PAR1 magic)"),
            "name the file after its real format (.csv, .tsv, .json, .ndjson)",
        ),
        _ if looks == "a Parquet file" => refuse("is a Parquet file".into(), "name it .parquet"),
        _ if looks != "text" => refuse(
            format!("holds {looks}"),
            if looks.starts_with("a zip") || looks.starts_with("an old") {
                spreadsheet
            } else {
                "load a CSV, TSV, Parquet, JSON or NDJSON file"
            },
        ),
        FileFormat::Json if first == Some(b'{') => {
            // One object per line under a .json name is common: read it as NDJSON. One
            // object spread over lines is not a table.
            let text = String::from_utf8_lossy(&head);
            let first_line = text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .lines()
                .next()
                .unwrap_or("");
            match serde_json::from_str::<serde_json::Value>(first_line) {
                Ok(serde_json::Value::Object(_)) => Ok(FileFormat::Ndjson),
                _ => refuse(
                    "holds one JSON object, not an array of objects".into(),
                    "a JSON table is an array of objects: [{\"dept\": \"省数字办\"}, …]",
                ),
            }
        }
        FileFormat::Ndjson if first == Some(b'[') => refuse(
            "holds a JSON array".into(),
            "a file holding one array of objects is JSON: name it .json",
        ),
        _ => Ok(declared),
    }
}

/// A Parquet file: its schema comes from the footer; only the footer is read now.
fn parquet(spec: &TableSpec) -> Result<Checked, Error> {
    let path = spec.path.as_str();
    let args = ScanArgsParquet {
        glob: false,
        ..Default::default()
    };
    let mut lf =
        LazyFrame::scan_parquet(PlRefPath::from(path), args).map_err(|e| polars_error(path, &e))?;
    let schema = lf.collect_schema().map_err(|e| polars_error(path, &e))?;
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    spec.check_overrides(names.iter().copied())?;
    // Row count from the footer's metadata (no data pages are read).
    let rows = lf
        .clone()
        .select([len()])
        .collect()
        .ok()
        .and_then(|df| df.column("len").ok()?.get(0).ok()?.extract::<usize>());
    let casts: Vec<Expr> = spec
        .schema
        .iter()
        .map(|(c, t)| {
            let dtype = match t {
                Type::Int => DataType::Int64,
                Type::Float => DataType::Float64,
                Type::Bool => DataType::Boolean,
                Type::Date => DataType::Date,
                _ => DataType::String,
            };
            col(c.as_str()).strict_cast(dtype)
        })
        .collect();
    if !casts.is_empty() {
        lf = lf.with_columns(casts);
    }
    Ok(Checked {
        lf,
        rows,
        warnings: Vec::new(),
    })
}

/// Makes every column one planq can compute with, or warns: date-times become dates
/// (planq's dates have no time of day), and columns of other types (lists, structs,
/// binary) are kept — they can be shown, selected and compared with `==` — with a warning.
fn convert(path: &str, lf: LazyFrame) -> Result<(LazyFrame, SchemaRef, Vec<Error>), Error> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(|e| polars_error(path, &e))?;
    let mut casts = Vec::new();
    let mut warnings = Vec::new();
    for (name, dtype) in schema.iter() {
        match dtype {
            DataType::Datetime(_, _) => {
                casts.push(col(name.clone()).cast(DataType::Date));
                warnings.push(
                    Error::new(
                        ErrorKind::Data,
                        Code::TableDatetime,
                        format!("`{path}`: column `{name}` holds date-times; planq reads them as dates (the time of day is dropped)"),
                    )
                    .with_help(format!("to keep the time, read it as text: add `:schema={name}:str` after the file name"))
                    .with_severity(Severity::Warning),
                );
            }
            d if type_name(d) == "other" => warnings.push(
                Error::new(
                    ErrorKind::Data,
                    Code::TableOtherType,
                    format!("`{path}`: column `{name}` is of type {d}, which planq cannot compute with"),
                )
                .with_help("it can be shown, selected and compared with ==; flatten it before loading to query inside it")
                .with_severity(Severity::Warning),
            ),
            _ => {}
        }
    }
    if !casts.is_empty() {
        lf = lf.with_columns(casts);
    }
    let schema = lf.collect_schema().map_err(|e| polars_error(path, &e))?;
    Ok((lf, schema, warnings))
}

/// The polars schema of checked columns, for a scan: dates are read as text and listed
/// (with their separator) for [`parse_dates`], which parses them strictly.
pub(super) fn scan_schema(columns: &[infer::ColumnState]) -> (Schema, Vec<(String, u8)>) {
    let mut schema = Schema::with_capacity(columns.len());
    let mut dates = Vec::new();
    for c in columns {
        let dtype = match c.kind {
            infer::Kind::Int => DataType::Int64,
            infer::Kind::Float => DataType::Float64,
            infer::Kind::Bool => DataType::Boolean,
            infer::Kind::Date(s) => {
                dates.push((c.name.clone(), if s == b'/' { b'/' } else { b'-' }));
                DataType::String
            }
            _ => DataType::String,
        };
        schema.insert(c.name.as_str().into(), dtype);
    }
    (schema, dates)
}

/// Converts the text columns `dates` (name, separator) into dates at scan time.
fn parse_dates(lf: LazyFrame, dates: &[(String, u8)]) -> LazyFrame {
    if dates.is_empty() {
        return lf;
    }
    lf.with_columns(
        dates
            .iter()
            .map(|(name, sep)| {
                let format = if *sep == b'/' { "%Y/%m/%d" } else { "%Y-%m-%d" };
                col(name.as_str()).str().to_date(StrptimeOptions {
                    format: Some(format.into()),
                    strict: true,
                    exact: true,
                    cache: true,
                })
            })
            .collect::<Vec<_>>(),
    )
}

/// A polars failure reading `path`, as a diagnostic naming the file.
fn polars_error(path: &str, e: &PolarsError) -> Error {
    let msg = e.to_string();
    let first = msg.lines().next().unwrap_or("unreadable").to_string();
    Error::new(
        ErrorKind::Data,
        Code::TableUnreadable,
        format!("cannot read `{path}`: {first}"),
    )
    .with_help("check that the file is complete and in the format its name says")
}

/// A diagnostic at `span` (byte offsets) of `text`, the record that starts on 1-based
/// `line` of `path`. The source holds that record only, placed at its line, so the file is
/// never held in memory for a diagnostic.
fn line_error(
    path: &str,
    line: usize,
    text: &str,
    span: (usize, usize),
    code: Code,
    message: String,
    label: impl Into<String>,
) -> Error {
    let err = Error::new(ErrorKind::Data, code, message);
    // Very far down a file, the padding would cost more than the place is worth; the
    // message has the line.
    if line > 2_000_000 {
        return err;
    }
    let pad = line.saturating_sub(1);
    let mut shown = String::with_capacity(pad + text.len());
    shown.extend(std::iter::repeat_n('\n', pad));
    shown.push_str(text);
    let clamp = |i: usize| {
        let mut i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (s, e) = (clamp(span.0), clamp(span.1.max(span.0)));
    err.at(
        &Source::new(path, shown),
        Span::new(pad + s, pad + e),
        label,
    )
}

/// One error, or a summary of several with each as a related diagnostic.
fn bundle(path: &str, mut errors: Vec<Error>, more: usize) -> Option<Error> {
    match errors.len() {
        0 => None,
        1 if more == 0 => errors.pop(),
        n => {
            let total = n + more;
            let code = errors[0].code();
            let summary = Error::new(
                ErrorKind::Data,
                code,
                format!("`{path}` has {total} problems; nothing of it was loaded"),
            )
            .with_help(if more > 0 {
                format!("the first {n} are shown; fix them and load the file again")
            } else {
                "fix them and load the file again".to_string()
            })
            .with_related(errors);
            Some(summary)
        }
    }
}

/// A cell's text shortened for a message.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let s = TableSpec::parse("depts=examples/departments.csv").unwrap();
        assert_eq!(s.name.as_deref(), Some("depts"));
        assert_eq!(s.path, "examples/departments.csv");
        let s = TableSpec::parse("examples/departments.csv:schema=code:str,budget:float").unwrap();
        assert_eq!(s.name, None);
        assert_eq!(s.path, "examples/departments.csv");
        assert_eq!(
            s.schema,
            [
                ("code".to_string(), Type::Str),
                ("budget".into(), Type::Float)
            ]
        );
        assert_eq!(s.table_name().unwrap(), "departments");
        assert!(TableSpec::parse("x=f.csv:schema=code:text2").is_err());
        assert!(TableSpec::parse("x=").is_err());
        let bad = TableSpec::parse("my-data.csv")
            .unwrap()
            .table_name()
            .unwrap_err();
        assert!(bad.help().unwrap_or("").contains("my_data=my-data.csv"));
        assert!(TableSpec::parse("部门=a.csv").unwrap().table_name().is_ok());
        assert!(TableSpec::parse("null=a.csv")
            .unwrap()
            .table_name()
            .is_err());
    }

    #[test]
    fn formats_come_from_extensions() {
        assert_eq!(FileFormat::from_path("a.CSV"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::from_path("a.jsonl"), Some(FileFormat::Ndjson));
        assert_eq!(FileFormat::from_path("a.pq"), Some(FileFormat::Parquet));
        assert_eq!(FileFormat::from_path("a.xlsx"), None);
        assert_eq!(FileFormat::from_path("noext"), None);
    }

    #[test]
    fn line_errors_point_at_their_line() {
        let e = line_error(
            "f.csv",
            3,
            "a,b,c",
            (2, 3),
            Code::TableCellType,
            "m".into(),
            "here",
        );
        assert_eq!(e.line_col(), Some((3, 3)));
    }
}
