//! Results into Excel: `.xlsx` workbooks, one sheet per result or table.
//!
//! * The header row is bold and frozen (it stays in view while scrolling).
//! * Column widths fit the contents by **display width** (`unicode-width`), so a column of
//!   `省数字办` is as wide as its eight terminal columns, not four characters.
//! * Every string column is written as text — an id such as `3.10` stays `3.10`, never the
//!   number 3.1 — numbers as numbers, booleans as booleans, dates as Excel dates with a
//!   `yyyy-mm-dd` format, nulls as empty cells.
//! * What Excel cannot hold is an error naming the cell, never a silent cut: text longer
//!   than 32,767 characters, more than 1,048,575 data rows or 16,384 columns.

use polars::prelude::*;
use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::values::cell_text;

/// The most characters Excel holds in one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Rows in a sheet, the header included.
const MAX_ROWS: usize = 1_048_576;
/// Columns in a sheet.
const MAX_COLS: usize = 16_384;
/// The widest a fitted column gets (Excel's units, about one per narrow character): long
/// task text wraps nothing and would push every other column off screen.
const MAX_WIDTH: f64 = 80.0;
/// Days from Excel's epoch (1899-12-30, in the 1900 date system) to 1970-01-01.
const EXCEL_UNIX_EPOCH: f64 = 25_569.0;

/// Why a workbook could not be made.
#[derive(Debug)]
pub struct XlsxWriteError(pub String);

impl std::fmt::Display for XlsxWriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for XlsxWriteError {}

impl From<XlsxError> for XlsxWriteError {
    fn from(e: XlsxError) -> Self {
        XlsxWriteError(e.to_string())
    }
}

impl From<XlsxWriteError> for std::io::Error {
    fn from(e: XlsxWriteError) -> Self {
        std::io::Error::other(e.0)
    }
}

/// A workbook of `sheets` (name, frame), in order, as the bytes of an `.xlsx` file. Sheet
/// names are made valid for Excel (see [`sheet_names`]).
pub fn workbook(sheets: &[(String, &DataFrame)]) -> Result<Vec<u8>, XlsxWriteError> {
    let mut book = Workbook::new();
    let names = sheet_names(sheets.iter().map(|(n, _)| n.as_str()));
    for ((_, df), name) in sheets.iter().zip(names) {
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        fill_sheet(sheet, df, &name)?;
    }
    if sheets.is_empty() {
        // Excel cannot open a workbook without a sheet.
        book.add_worksheet();
    }
    Ok(book.save_to_buffer()?)
}

/// Names Excel accepts, in order and distinct: at most 31 characters, none of `[]:*?/\`,
/// not empty, not starting or ending with `'`; a repeated name gets ` (2)`, ` (3)`, ….
pub fn sheet_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in names.enumerate() {
        let cleaned: String = raw
            .chars()
            .map(|c| {
                if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.trim().trim_matches('\'').to_string();
        let base = if cleaned.is_empty() {
            format!("Sheet{}", i + 1)
        } else {
            cleaned
        };
        let mut n = 1;
        loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!(" ({n})")
            };
            let keep = 31 - suffix.chars().count();
            let candidate: String = base.chars().take(keep).collect::<String>() + &suffix;
            // Excel compares sheet names without case.
            if !out
                .iter()
                .any(|o| o.to_lowercase() == candidate.to_lowercase())
            {
                out.push(candidate);
                break;
            }
            n += 1;
        }
    }
    out
}

/// What kind of cell a column becomes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Bool,
    Date,
    DateTime,
}

fn kind(dtype: &DataType) -> Kind {
    match dtype {
        DataType::Boolean => Kind::Bool,
        DataType::Date => Kind::Date,
        DataType::Datetime(_, _) => Kind::DateTime,
        d if d.is_primitive_numeric() => Kind::Number,
        _ => Kind::Text,
    }
}

/// A column's letters (`A`, `AB`) for messages.
fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn fill_sheet(sheet: &mut Worksheet, df: &DataFrame, name: &str) -> Result<(), XlsxWriteError> {
    if df.height() + 1 > MAX_ROWS {
        return Err(XlsxWriteError(format!(
            "sheet `{name}`: {} rows do not fit in an Excel sheet (at most {})",
            df.height(),
            MAX_ROWS - 1
        )));
    }
    if df.width() > MAX_COLS {
        return Err(XlsxWriteError(format!(
            "sheet `{name}`: {} columns do not fit in an Excel sheet (at most {MAX_COLS})",
            df.width()
        )));
    }
    let bold = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (j, col) in df.columns().iter().enumerate() {
        let c = j as u16;
        let header = col.name().as_str();
        sheet.write_string_with_format(0, c, header, &bold)?;
        let mut width = UnicodeWidthStr::width(header);
        let k = kind(col.dtype());
        for i in 0..df.height() {
            let r = (i + 1) as u32;
            let v = col.get(i).map_err(|e| XlsxWriteError(e.to_string()))?;
            if matches!(v, AnyValue::Null) {
                continue; // an empty cell
            }
            let shown_width = match (k, &v) {
                (Kind::Date, AnyValue::Date(d)) => {
                    sheet.write_number_with_format(
                        r,
                        c,
                        f64::from(*d) + EXCEL_UNIX_EPOCH,
                        &date,
                    )?;
                    10
                }
                (Kind::DateTime, AnyValue::Datetime(t, unit, _)) => {
                    let per_day = match unit {
                        TimeUnit::Nanoseconds => 86_400e9,
                        TimeUnit::Microseconds => 86_400e6,
                        TimeUnit::Milliseconds => 86_400e3,
                    };
                    let serial = *t as f64 / per_day + EXCEL_UNIX_EPOCH;
                    sheet.write_number_with_format(r, c, serial, &datetime)?;
                    19
                }
                (Kind::Bool, AnyValue::Boolean(b)) => {
                    sheet.write_boolean(r, c, *b)?;
                    5
                }
                (Kind::Number, v) => {
                    let text = cell_text(v).unwrap_or_default();
                    match number(v) {
                        Some(n) => {
                            sheet.write_number(r, c, n)?;
                        }
                        // NaN, infinities and integers past 2^53 have no exact Excel number:
                        // text keeps them as they are.
                        None => {
                            sheet.write_string(r, c, &text)?;
                        }
                    }
                    text.len()
                }
                (_, v) => {
                    let text = cell_text(v).unwrap_or_default();
                    if text.chars().count() > MAX_CELL_CHARS {
                        return Err(XlsxWriteError(format!(
                            "sheet `{name}`, cell {}{}: {} characters do not fit in an Excel cell \
                             (at most {MAX_CELL_CHARS})",
                            column_letters(j),
                            r + 1,
                            text.chars().count()
                        )));
                    }
                    sheet.write_string(r, c, &text)?;
                    // The longest line of the cell is what shows.
                    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
                }
            };
            width = width.max(shown_width);
        }
        // Two units of margin; a little more for the bold header's filter-free look.
        sheet.set_column_width(c, (width as f64 + 2.0).min(MAX_WIDTH))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A numeric cell as an exact Excel number, when there is one.
fn number(v: &AnyValue) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    let f = match v {
        AnyValue::Int8(i) => f64::from(*i),
        AnyValue::Int16(i) => f64::from(*i),
        AnyValue::Int32(i) => f64::from(*i),
        AnyValue::UInt8(i) => f64::from(*i),
        AnyValue::UInt16(i) => f64::from(*i),
        AnyValue::UInt32(i) => f64::from(*i),
        AnyValue::Int64(i) if i.abs() <= EXACT => *i as f64,
        AnyValue::UInt64(i) if *i <= EXACT as u64 => *i as f64,
        AnyValue::Float32(f) => f64::from(*f),
        AnyValue::Float64(f) => *f,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_distinct() {
        let names = sheet_names(
            [
                "tasks",
                "Tasks",
                "a/b:c",
                "",
                "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三",
            ]
            .into_iter(),
        );
        assert_eq!(names[0], "tasks");
        assert_eq!(names[1], "Tasks (2)");
        assert_eq!(names[2], "a_b_c");
        assert_eq!(names[3], "Sheet4");
        assert_eq!(names[4].chars().count(), 31);
    }

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn numbers_without_an_exact_excel_value_are_none() {
        assert_eq!(number(&AnyValue::Int64(3)), Some(3.0));
        assert_eq!(number(&AnyValue::Int64(i64::MAX)), None);
        assert_eq!(number(&AnyValue::Float64(f64::NAN)), None);
        assert_eq!(number(&AnyValue::Float64(2.5)), Some(2.5));
    }

    #[test]
    fn an_overlong_cell_is_an_error_naming_it() {
        let long = "字".repeat(MAX_CELL_CHARS + 1);
        let df = DataFrame::new(1, vec![Column::new("text".into(), [long.as_str()])]).unwrap();
        let e = workbook(&[("r".into(), &df)]).unwrap_err();
        assert!(e.0.contains("cell A2"), "{e}");
    }
}
