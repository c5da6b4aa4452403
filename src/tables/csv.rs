//! CSV and TSV tables: one streaming validation pass at load, then a lazy polars scan.
//!
//! The pass reads the file once, record by record (RFC 4180 quoting, `""` for a quote,
//! line breaks inside quotes; `\n` or `\r\n` line ends), without holding it in memory. It
//! checks what polars would otherwise report late and vaguely, or not at all: UTF-8,
//! a header of unique non-empty names, the same number of fields in every row, and every
//! cell fitting its column's type (inferred from the first [`WINDOW`] rows, or forced
//! with `:schema=col:TYPE`). The types found are then handed to polars as the full
//! schema, so the scan at query time reads exactly what was checked.

use std::fs::File;
use std::io::{BufRead, BufReader};

use polars::prelude::*;

use super::infer::{classify, ColumnState, Kind, WINDOW};
use super::{line_error, Checked, TableSpec, MAX_ERRORS};
use crate::error::{Code, Error, ErrorKind};

/// One record: the physical line it starts on and its text (line breaks inside quotes
/// kept, the record's own line end removed).
struct Record {
    line: usize,
    text: String,
}

/// Reads records from a file, one at a time.
struct Records<R> {
    reader: R,
    /// The field separator.
    sep: u8,
    /// The 1-based line the next record starts on.
    line: usize,
    buf: Vec<u8>,
}

/// Where the reader is within a record, for telling a line break inside quotes from the
/// end of a record. A quote opens a quoted field only at the start of a field (as in
/// polars): `5"3` is text.
#[derive(Clone, Copy, PartialEq)]
enum Quote {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of `""`.
    Closing,
}

fn scan_quotes(bytes: &[u8], sep: u8, mut state: Quote) -> Quote {
    for &b in bytes {
        state = match (state, b) {
            (Quote::Quoted, b'"') => Quote::Closing,
            (Quote::Quoted, _) => Quote::Quoted,
            (Quote::Closing, b'"') => Quote::Quoted,
            (Quote::FieldStart, b'"') => Quote::Quoted,
            (_, b'\n') => Quote::FieldStart,
            (_, c) if c == sep => Quote::FieldStart,
            _ => Quote::Unquoted,
        };
    }
    state
}

/// Why a record could not be read.
enum RecordError {
    Io(std::io::Error),
    /// Bytes that are not UTF-8 at (line, byte offset in the record).
    Utf8(usize, String, usize),
    /// A quote opened on this line and never closed.
    Unclosed(usize, String),
}

impl<R: BufRead> Records<R> {
    fn next(&mut self) -> Result<Option<Record>, RecordError> {
        self.buf.clear();
        let start = self.line;
        let mut state = Quote::FieldStart;
        loop {
            let before = self.buf.len();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(RecordError::Io)?;
            if n == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                if state == Quote::Quoted {
                    let text = String::from_utf8_lossy(&self.buf).into_owned();
                    return Err(RecordError::Unclosed(start, text));
                }
                break;
            }
            self.line += 1;
            state = scan_quotes(&self.buf[before..], self.sep, state);
            if state != Quote::Quoted {
                break;
            }
        }
        let mut end = self.buf.len();
        if self.buf[..end].ends_with(b"\n") {
            end -= 1;
        }
        if self.buf[..end].ends_with(b"\r") {
            end -= 1;
        }
        match std::str::from_utf8(&self.buf[..end]) {
            Ok(s) => Ok(Some(Record {
                line: start,
                text: s.to_string(),
            })),
            Err(e) => {
                let at = e.valid_up_to();
                let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                Err(RecordError::Utf8(start, text, at))
            }
        }
    }
}

/// A record's fields: (text, byte span in the record).
type Fields = Vec<(String, (usize, usize))>;

/// Splits a record into fields. `Err` gives the byte offset of
/// text after a closing quote.
fn fields(text: &str, sep: u8) -> Result<Fields, usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        if b.get(i) == Some(&b'"') {
            let mut value = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => break,
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        value.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            if i < b.len() && b[i] != sep {
                return Err(i);
            }
            out.push((String::from_utf8_lossy(&value).into_owned(), (start, i)));
        } else {
            while i < b.len() && b[i] != sep {
                i += 1;
            }
            out.push((text[start..i].to_string(), (start, i)));
        }
        if i >= b.len() {
            return Ok(out);
        }
        i += 1; // the separator
    }
}

/// Checks a CSV (`sep` `,`) or TSV (`\t`) file and returns its lazy scan.
pub(super) fn load(spec: &TableSpec, name: &str, sep: u8) -> Result<Checked, Error> {
    let path = spec.path.as_str();
    let file = File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut records = Records {
        reader: BufReader::with_capacity(1 << 20, file),
        sep,
        line: 1,
        buf: Vec::new(),
    };
    let bad_record = |e: RecordError| {
        match e {
        RecordError::Io(e) => Error::io(path, &e),
        RecordError::Utf8(line, text, at) => line_error(
            path,
            line,
            &text,
            (at, at + 1),
            Code::TableEncoding,
            format!("`{path}` line {line} is not UTF-8 text"),
            "this byte is not UTF-8",
        )
        .with_help(format!(
            "planq reads tables as UTF-8. A file saved by Excel on Chinese Windows is usually GB18030: \
             convert it with `iconv -f GB18030 -t UTF-8 {path} > utf8.csv`, or save it as \"CSV UTF-8\""
        )),
        RecordError::Unclosed(line, text) => line_error(
            path,
            line,
            &text,
            (text.find('"').unwrap_or(0), text.find('"').unwrap_or(0) + 1),
            Code::TableUnclosedQuote,
            format!("`{path}` line {line}: a quoted field is never closed"),
            "this quote is not closed",
        )
        .with_help("close the field with `\"`, and write a quote inside a field as `\"\"`"),
    }
    };

    // The header.
    let header = loop {
        match records.next().map_err(bad_record)? {
            None => {
                return Err(Error::new(
                    ErrorKind::Data,
                    Code::TableEmpty,
                    format!("`{path}` is empty: it has no header row"),
                )
                .with_help("a table file starts with a header row naming its columns"))
            }
            Some(r) if r.text.trim().is_empty() => continue,
            Some(r) => break r,
        }
    };
    let header_text = header.text.strip_prefix('\u{feff}').unwrap_or(&header.text);
    let bom = header.text.len() - header_text.len();
    let names = fields(header_text, sep).map_err(|at| {
        line_error(
            path,
            header.line,
            &header.text,
            (at + bom, at + bom + 1),
            Code::TableMalformedRow,
            format!("`{path}` line {}: text after a closing quote", header.line),
            "after the closing quote",
        )
        .with_help("quote the whole field, and write a quote inside it as `\"\"`")
    })?;
    let sep_name = if sep == b'\t' { "tab" } else { "comma" };
    if sep == b',' && names.len() == 1 && header_text.contains('\t') {
        return Err(line_error(
            path,
            header.line,
            &header.text,
            (0, header.text.len()),
            Code::TableSeparator,
            format!("`{path}` looks tab-separated, but its name says CSV"),
            "tabs between the names, no commas",
        )
        .with_help("name the file .tsv (planq reads .tsv files as tab-separated)"));
    }
    let mut columns: Vec<ColumnState> = Vec::with_capacity(names.len());
    // A set, not a scan of `columns`: a header of many thousand columns stays linear.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (text, (s, e)) in &names {
        let at = (s + bom, e + bom);
        if text.trim().is_empty() {
            return Err(line_error(
                path,
                header.line,
                &header.text,
                at,
                Code::TableHeader,
                format!(
                    "`{path}`: column {} of the header has no name",
                    columns.len() + 1
                ),
                "no name here",
            )
            .with_help("every column needs a name in the header row"));
        }
        if !seen.insert(text.as_str()) {
            return Err(line_error(
                path,
                header.line,
                &header.text,
                at,
                Code::TableHeader,
                format!("`{path}`: the header names the column `{text}` twice"),
                "named again here",
            )
            .with_help("rename one of the two columns in the header row"));
        }
        columns.push(ColumnState::new(text, spec.forced(text)));
    }
    spec.check_overrides(columns.iter().map(|c| c.name.as_str()))?;

    // Every record.
    let mut errors: Vec<Error> = Vec::new();
    let mut more = 0usize;
    let mut row = 0usize;
    // Blank lines: (first line, how many). An error only when a row follows them (a file
    // may end in blank lines); in a one-column file they are rows with an empty cell.
    let mut blank: Option<(usize, usize)> = None;
    let mut push = |errors: &mut Vec<Error>, e: Error| {
        if errors.len() < MAX_ERRORS {
            errors.push(e);
        } else {
            more += 1;
        }
    };
    loop {
        let record = match records.next() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                push(&mut errors, bad_record(e));
                break;
            }
        };
        if record.text.trim().is_empty() {
            blank = Some(blank.map_or((record.line, 1), |(l, n)| (l, n + 1)));
            continue;
        }
        if let Some((line, n)) = blank.take() {
            if columns.len() == 1 {
                row += n;
            } else {
                push(
                    &mut errors,
                    line_error(
                        path,
                        line,
                        "",
                        (0, 0),
                        Code::TableBlankLine,
                        format!("`{path}` line {line}: a blank line between rows"),
                        "blank line",
                    )
                    .with_help("remove the blank line: a row needs one field per column"),
                );
            }
        }
        let cells = match fields(&record.text, sep) {
            Ok(c) => c,
            Err(at) => {
                push(
                    &mut errors,
                    line_error(
                        path,
                        record.line,
                        &record.text,
                        (at, at + 1),
                        Code::TableMalformedRow,
                        format!(
                            "`{path}` row {} (line {}): text after a closing quote",
                            row + 1,
                            record.line
                        ),
                        "after the closing quote",
                    )
                    .with_help("quote the whole field, and write a quote inside it as `\"\"`"),
                );
                row += 1;
                continue;
            }
        };
        if cells.len() != columns.len() {
            let span = match cells.get(columns.len()) {
                Some((_, (s, _))) => (*s, record.text.len()),
                None => (record.text.len(), record.text.len()),
            };
            push(
                &mut errors,
                line_error(
                    path,
                    record.line,
                    &record.text,
                    span,
                    Code::TableMalformedRow,
                    format!(
                        "`{path}` row {} (line {}) has {} fields; the header has {}",
                        row + 1,
                        record.line,
                        cells.len(),
                        columns.len()
                    ),
                    if cells.len() > columns.len() {
                        "extra fields from here"
                    } else {
                        "fields missing here"
                    },
                )
                .with_help(format!(
                    "every row needs one field per column, separated by a {sep_name}; \
                     a field that contains a {sep_name} or a quote must be quoted (\"a{} b\")",
                    if sep == b'\t' { "\\t" } else { "," }
                )),
            );
            row += 1;
            continue;
        }
        for (col, (text, (s, e))) in columns.iter_mut().zip(&cells) {
            let before = col.kind;
            let cell = classify(text);
            if !col.see(cell, row) {
                let expected = match before {
                    Kind::Date(0) => "a date".to_string(),
                    _ => col.expected(),
                };
                let how = if col.forced.is_some() {
                    format!(
                        "`{}` was forced to {} with :schema",
                        col.name,
                        col.kind.type_name()
                    )
                } else {
                    format!(
                        "the first {WINDOW} rows made `{}` a column of {}s",
                        col.name,
                        col.kind.type_name()
                    )
                };
                push(
                    &mut errors,
                    line_error(
                        path,
                        record.line,
                        &record.text,
                        (*s, *e),
                        Code::TableCellType,
                        format!(
                            "`{path}` row {} (line {}), column `{}`: `{}` is not {expected}",
                            row + 1,
                            record.line,
                            col.name,
                            super::clip(text)
                        ),
                        format!("not {expected}"),
                    )
                    .with_help(format!(
                        "{how}; correct the cell, leave it empty (null), or read the column as text by \
                         adding `:schema={}:str` after the file name (--table {name}={path}:schema={}:str)",
                        col.name, col.name
                    )),
                );
            }
        }
        row += 1;
    }
    if let Some(e) = super::bundle(path, errors, more) {
        return Err(e);
    }

    // The checked schema, for polars.
    let (schema, dates) = super::scan_schema(&columns);
    // Polars reads blank lines at the end as rows of nulls: stop before them.
    let n_rows = blank.is_some().then_some(row);
    let lf = LazyCsvReader::new(PlRefPath::from(path))
        .with_n_rows(n_rows)
        // Blank lines before the header (which polars would take for the header).
        .with_skip_lines(header.line - 1)
        .with_separator(sep)
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .with_glob(false)
        .finish()
        .map_err(|e| super::polars_error(path, &e))?;
    Ok(Checked {
        lf: super::parse_dates(lf, &dates),
        rows: Some(row),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_unquote_and_keep_spans() {
        let f = fields(r#"a,"b,c","say ""hi""",,"#, b',').unwrap();
        let texts: Vec<&str> = f.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["a", "b,c", "say \"hi\"", "", ""]);
        assert_eq!(f[1].1, (2, 7));
        assert_eq!(fields("\"a\"x,b", b','), Err(3));
        assert_eq!(fields("a\tb", b'\t').unwrap().len(), 2);
    }

    #[test]
    fn records_span_quoted_line_breaks() {
        let text = "a,b\n\"x\ny\",2\r\n5\"3,4\nlast,3";
        let mut r = Records {
            reader: text.as_bytes(),
            sep: b',',
            line: 1,
            buf: Vec::new(),
        };
        let lines: Vec<(usize, String)> = std::iter::from_fn(|| r.next().ok().flatten())
            .map(|r| (r.line, r.text))
            .collect();
        assert_eq!(
            lines,
            [
                (1, "a,b".to_string()),
                (2, "\"x\ny\",2".to_string()),
                (4, "5\"3,4".to_string()),
                (5, "last,3".to_string())
            ]
        );
    }
}
