//! JSON tables: an array of objects (read whole and built here), or NDJSON — one object
//! per line — checked in one streaming pass and then scanned lazily by polars.
//!
//! Both go through the same inference as CSV cells: a key's type comes from its values in
//! the first [`WINDOW`] rows, later values must fit it, and a key first seen late is still
//! a column (polars alone would infer from the first rows and drop it). JSON strings stay
//! text unless every one is a `YYYY-MM-DD` date; arrays and objects are kept as JSON text,
//! with a warning (an NDJSON file holding them is then read whole).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};

use polars::prelude::*;
use serde_json::{Map, Value as J};

use super::infer::{date_sep, ColumnState, Kind, WINDOW};
use super::{line_error, Checked, TableSpec, MAX_ERRORS};
use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::plan::Date;

/// The kind of a JSON value.
fn kind(v: &J) -> Kind {
    match v {
        J::Null => Kind::Null,
        J::Bool(_) => Kind::Bool,
        J::Number(n) if n.is_i64() => Kind::Int,
        J::Number(_) => Kind::Float,
        J::String(s) => date_sep(s).map_or(Kind::Str, Kind::Date),
        J::Array(_) | J::Object(_) => Kind::Nested,
    }
}

/// The columns of a file's objects, in order of first appearance, and the misfits found.
struct Inference<'a> {
    spec: &'a TableSpec,
    columns: Vec<ColumnState>,
    index: HashMap<String, usize>,
    errors: Vec<Error>,
    more: usize,
}

impl<'a> Inference<'a> {
    fn new(spec: &'a TableSpec) -> Self {
        Inference {
            spec,
            columns: Vec::new(),
            index: HashMap::new(),
            errors: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, e: Error) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.more += 1;
        }
    }

    /// Takes data row `row` (`text` is the object as written: its keys' order is the
    /// columns' order); `at` makes a diagnostic pointing at a key of the row.
    fn see(
        &mut self,
        obj: &Map<String, J>,
        text: &str,
        row: usize,
        at: &dyn Fn(&str, String, String) -> Error,
    ) {
        let order = keys_in_order(text);
        let keys = order
            .iter()
            .filter(|k| obj.contains_key(*k))
            .chain(obj.keys().filter(|k| !order.contains(k)));
        for key in keys {
            let Some(value) = obj.get(key) else { continue };
            let i = match self.index.get(key) {
                Some(&i) => i,
                None => {
                    self.index.insert(key.clone(), self.columns.len());
                    self.columns
                        .push(ColumnState::new(key, self.spec.forced(key)));
                    self.columns.len() - 1
                }
            };
            let col = &mut self.columns[i];
            let before = col.expected();
            if !col.see(kind(value), row) {
                let how = if col.forced.is_some() {
                    format!(
                        "`{key}` was forced to {} with :schema",
                        col.kind.type_name()
                    )
                } else {
                    format!(
                        "its values in the first {WINDOW} rows made `{key}` a column of {}s",
                        col.kind.type_name()
                    )
                };
                let shown = super::clip(&value.to_string());
                let e = at(
                    key,
                    format!("row {}, key `{key}`: {shown} is not {before}", row + 1),
                    format!("not {before}"),
                )
                .with_help(format!(
                    "{how}; correct the value, make it null, or read the column as text by adding \
                     `:schema={key}:str` after the file name"
                ));
                self.push(e);
            }
        }
    }

    /// Warnings about columns kept as JSON text.
    fn warnings(&self, path: &str) -> Vec<Error> {
        self.columns
            .iter()
            .filter(|c| c.kind == Kind::Nested)
            .map(|c| {
                Error::new(
                    ErrorKind::Data,
                    Code::TableNested,
                    format!(
                        "`{path}`: column `{}` holds JSON arrays or objects; it is kept as JSON text",
                        c.name
                    ),
                )
                .with_help("planq's tables are flat: flatten the values before loading to query inside them")
                .with_severity(miette::Severity::Warning)
            })
            .collect()
    }
}

/// The object of one row, or a diagnostic.
fn object(v: J) -> Result<Map<String, J>, &'static str> {
    match v {
        J::Object(m) => Ok(m),
        J::Array(_) => Err("an array"),
        J::String(_) => Err("a string"),
        J::Number(_) => Err("a number"),
        J::Bool(_) => Err("a boolean"),
        J::Null => Err("null"),
    }
}

/// The byte offset of 1-based (line, column) in `text`.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let src = Source::new("", text);
    let start = src.line_span(line).start;
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The keys of the JSON object `text`, in the order they are written (serde_json's map
/// sorts them; a table's columns follow the file).
fn keys_in_order(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut keys: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    let mut last: Option<(usize, usize)> = None;
    for (i, &c) in b.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
                if depth == 1 {
                    last = Some((start, i + 1));
                }
            }
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                start = i;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b':' if depth == 1 => {
                if let Some((s, e)) = last.take() {
                    if let Ok(k) = serde_json::from_str::<String>(&text[s..e]) {
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                }
            }
            b',' => last = None,
            _ => {}
        }
    }
    keys
}

/// The span of `"key"` in `text`, else the whole text.
fn key_span(text: &str, key: &str) -> (usize, usize) {
    let quoted = format!("\"{key}\"");
    match text.find(&quoted) {
        Some(s) => (s, s + quoted.len()),
        None => (0, text.len()),
    }
}

/// Byte spans of the elements of the JSON array `text` (which is valid JSON).
fn elements(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = None;
    for (i, &c) in b.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                if depth == 1 && start.is_none() {
                    start = Some(i);
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth == 2 && start.is_none() {
                    start = Some(i);
                }
            }
            b']' | b'}' => {
                if depth == 1 {
                    if let Some(s) = start.take() {
                        out.push((s, text[..i].trim_end().len()));
                    }
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 1 => {
                if let Some(s) = start.take() {
                    out.push((s, text[..i].trim_end().len()));
                }
            }
            c if depth == 1 && !c.is_ascii_whitespace() && start.is_none() => start = Some(i),
            _ => {}
        }
    }
    out
}

/// A JSON file holding an array of objects, read whole.
pub(super) fn load_array(spec: &TableSpec) -> Result<Checked, Error> {
    let path = spec.path.as_str();
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::new(
            ErrorKind::Data,
            Code::TableEncoding,
            format!("`{path}` is not UTF-8 text"),
        )
        .with_help("JSON files are UTF-8: convert it, e.g. `iconv -f GB18030 -t UTF-8`"),
        _ => Error::io(path, &e),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let source = Source::new(path, text.as_str());
    let value: J = serde_json::from_str(&text).map_err(|e| {
        let at = offset(&text, e.line(), e.column());
        Error::new(
            ErrorKind::Data,
            Code::TableMalformedJson,
            format!("`{path}` is not valid JSON: {e}"),
        )
        .at(&source, Span::new(at, (at + 1).min(text.len())), "here")
        .with_help(
            "a JSON table is an array of objects: [{\"dept\": \"省数字办\", \"budget\": 1200}, …]",
        )
    })?;
    let J::Array(items) = value else {
        let what = object(value).err().unwrap_or("an object");
        let lead = text.len() - text.trim_start().len();
        return Err(Error::new(
            ErrorKind::Data,
            Code::TableNotAnArray,
            format!("`{path}` holds {what}, not an array of objects"),
        )
        .at(&source, Span::new(lead, (lead + 1).min(text.len())), "expected `[`")
        .with_help("a .json table is an array of objects; one object per line is NDJSON: name the file .ndjson"));
    };
    let spans = elements(&text);
    let mut inference = Inference::new(spec);
    let mut rows = Vec::with_capacity(items.len());
    for (row, item) in items.into_iter().enumerate() {
        let (s, e) = spans.get(row).copied().unwrap_or((0, text.len()));
        match object(item) {
            Ok(obj) => {
                let element = &text[s..e];
                inference.see(&obj, element, row, &|key, message, label| {
                    let (ks, ke) = key_span(element, key);
                    Error::new(
                        ErrorKind::Data,
                        Code::TableCellType,
                        format!("`{path}` {message}"),
                    )
                    .at(&source, Span::new(s + ks, s + ke), label)
                });
                rows.push(obj);
            }
            Err(what) => inference.push(
                Error::new(
                    ErrorKind::Data,
                    Code::TableNotAnObject,
                    format!(
                        "`{path}`: element {} of the array is {what}, not an object",
                        row + 1
                    ),
                )
                .at(&source, Span::new(s, e), "not an object")
                .with_help("every element of a JSON table is an object of column → value"),
            ),
        }
    }
    if let Some(e) = super::bundle(path, inference.errors.clone(), inference.more) {
        return Err(e);
    }
    if inference.columns.is_empty() {
        return Err(empty(path));
    }
    spec.check_overrides(inference.columns.iter().map(|c| c.name.as_str()))?;
    let df = build(&inference.columns, &rows).map_err(|e| super::polars_error(path, &e))?;
    Ok(Checked {
        rows: Some(df.height()),
        lf: df.lazy(),
        warnings: inference.warnings(path),
    })
}

fn empty(path: &str) -> Error {
    Error::new(
        ErrorKind::Data,
        Code::TableEmpty,
        format!("`{path}` has no rows: no object names a column"),
    )
    .with_help("a JSON table needs at least one object with a key")
}

/// An NDJSON file: checked line by line, then scanned lazily (read whole only when some
/// value is an array or object).
pub(super) fn load_lines(spec: &TableSpec) -> Result<Checked, Error> {
    let path = spec.path.as_str();
    let open = || -> Result<BufReader<File>, Error> {
        Ok(BufReader::with_capacity(
            1 << 20,
            File::open(path).map_err(|e| Error::io(path, &e))?,
        ))
    };
    let mut inference = Inference::new(spec);
    let mut row = 0usize;
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let mut reader = open()?;
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, &e))?
            == 0
        {
            break;
        }
        line_no += 1;
        let raw = match std::str::from_utf8(&buf) {
            Ok(s) => s,
            Err(e) => {
                let at = e.valid_up_to();
                let text = String::from_utf8_lossy(&buf).into_owned();
                inference.push(
                    line_error(
                        path,
                        line_no,
                        text.trim_end(),
                        (at, at + 1),
                        Code::TableEncoding,
                        format!("`{path}` line {line_no} is not UTF-8 text"),
                        "this byte is not UTF-8",
                    )
                    .with_help(
                        "NDJSON files are UTF-8: convert it, e.g. `iconv -f GB18030 -t UTF-8`",
                    ),
                );
                continue;
            }
        };
        let line = raw.trim_end_matches(['\n', '\r']);
        let line = if line_no == 1 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<J>(line) {
            Err(e) => {
                let at = offset(line, 1, e.column());
                inference.push(
                    line_error(
                        path,
                        line_no,
                        line,
                        (at, (at + 1).min(line.len())),
                        Code::TableMalformedJson,
                        format!("`{path}` line {line_no} is not valid JSON: {e}"),
                        "here",
                    )
                    .with_help("every line of an NDJSON file is one complete JSON object"),
                );
            }
            Ok(v) => match object(v) {
                Ok(obj) => {
                    inference.see(&obj, line, row, &|key, message, label| {
                        line_error(
                            path,
                            line_no,
                            line,
                            key_span(line, key),
                            Code::TableCellType,
                            format!("`{path}` line {line_no}, {message}"),
                            label,
                        )
                    });
                    row += 1;
                }
                Err(what) => inference.push(
                    line_error(
                        path,
                        line_no,
                        line,
                        (0, line.len()),
                        Code::TableNotAnObject,
                        format!("`{path}` line {line_no} is {what}, not an object"),
                        "not an object",
                    )
                    .with_help(if line.trim_start().starts_with('[') {
                        "every line of an NDJSON file is one object; a file holding one array of objects is JSON: name it .json"
                    } else {
                        "every line of an NDJSON file is one JSON object of column → value"
                    }),
                ),
            },
        }
    }
    if let Some(e) = super::bundle(path, inference.errors.clone(), inference.more) {
        return Err(e);
    }
    if inference.columns.is_empty() {
        return Err(empty(path));
    }
    spec.check_overrides(inference.columns.iter().map(|c| c.name.as_str()))?;
    let warnings = inference.warnings(path);
    let columns = inference.columns;
    if columns.iter().any(|c| c.kind == Kind::Nested) {
        // Nested values: polars would need their exact nested type; read whole, as text.
        let mut rows = Vec::with_capacity(row);
        for line in open()?.lines() {
            let line = line.map_err(|e| Error::io(path, &e))?;
            let line = line.trim_start_matches('\u{feff}');
            if line.trim().is_empty() {
                continue;
            }
            if let Ok(J::Object(m)) = serde_json::from_str::<J>(line) {
                rows.push(m);
            }
        }
        let df = build(&columns, &rows).map_err(|e| super::polars_error(path, &e))?;
        return Ok(Checked {
            rows: Some(df.height()),
            lf: df.lazy(),
            warnings,
        });
    }
    let (schema, dates) = super::scan_schema(&columns);
    let lf = LazyJsonLineReader::new(PlRefPath::from(path))
        .with_schema(Some(Arc::new(schema)))
        .finish()
        .map_err(|e| super::polars_error(path, &e))?;
    Ok(Checked {
        lf: super::parse_dates(lf, &dates),
        rows: Some(row),
        warnings,
    })
}

/// A frame from parsed objects, each column of its checked kind.
fn build(columns: &[ColumnState], rows: &[Map<String, J>]) -> PolarsResult<DataFrame> {
    let mut out = Vec::with_capacity(columns.len());
    for c in columns {
        let name: PlSmallStr = c.name.as_str().into();
        let values = rows.iter().map(|r| r.get(&c.name).unwrap_or(&J::Null));
        let column = match c.kind {
            Kind::Int => Column::new(name, values.map(J::as_i64).collect::<Vec<_>>()),
            Kind::Float => Column::new(name, values.map(J::as_f64).collect::<Vec<_>>()),
            Kind::Bool => Column::new(name, values.map(J::as_bool).collect::<Vec<_>>()),
            Kind::Date(_) => Column::new(
                name,
                values
                    .map(|v| {
                        v.as_str()
                            .and_then(Date::parse_iso)
                            .map(Date::days_since_epoch)
                    })
                    .collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)?,
            _ => Column::new(
                name,
                values
                    .map(|v| match v {
                        J::Null => None,
                        J::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect::<Vec<_>>(),
            ),
        };
        out.push(column);
    }
    DataFrame::new(rows.len(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_are_found_with_strings_and_nesting() {
        let text = r#"[ {"a": "x,]"}, {"b": [1, 2]} ,3 ]"#;
        let spans: Vec<&str> = elements(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(spans, [r#"{"a": "x,]"}"#, r#"{"b": [1, 2]}"#, "3"]);
    }

    #[test]
    fn keys_keep_their_written_order() {
        assert_eq!(
            keys_in_order(r#"{"z": 1, "a": {"q": 2}, "m\u00e9": [1, "x:y"], "b": "c:d"}"#),
            ["z", "a", "mé", "b"]
        );
    }

    #[test]
    fn json_values_have_kinds() {
        assert_eq!(kind(&serde_json::json!(3)), Kind::Int);
        assert_eq!(kind(&serde_json::json!(3.5)), Kind::Float);
        assert_eq!(kind(&serde_json::json!("2010-12-31")), Kind::Date(b'-'));
        assert_eq!(kind(&serde_json::json!("3")), Kind::Str);
        assert_eq!(kind(&serde_json::json!([1])), Kind::Nested);
    }
}
