//! Spreadsheets (.xlsx, .xls, .ods) through calamine: every sheet is a table; cells of a
//! merged range carry the range's value (Excel stores it only in the top-left cell).

use crate::error::Code;
use std::io::Cursor;

use calamine::{Data, Reader, Sheets};

use super::{render, Block, Document, Format, Origin, Place, ReadError, Row, Table};

/// Reads every sheet of a workbook as a table.
pub fn read(name: &str, bytes: &[u8], format: Format) -> Result<Document, ReadError> {
    let cursor = Cursor::new(bytes);
    let opened = match format {
        Format::Xlsx => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
        Format::Xls => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        _ => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
    };
    let mut book = opened.map_err(|e| open_error(name, format, &e))?;
    // Merged regions are a nicety: a sheet whose merges cannot be read still reads.
    let mut merges: Vec<(String, calamine::Dimensions)> = Vec::new();
    for sheet in book.sheet_names() {
        let found = match &mut book {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
            _ => Vec::new(),
        };
        merges.extend(found.into_iter().map(|d| (sheet.clone(), d)));
    }
    if format == Format::Ods {
        // calamine does not report an .ods file's merged cells: read them from its XML.
        merges = ods_merges(bytes);
    }
    let mut blocks = Vec::new();
    for sheet in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| open_error(name, format, &e))?;
        let Some((r0, c0)) = range.start() else {
            continue; // an empty sheet
        };
        let mut grid: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        for (_, d) in merges.iter().filter(|(s, _)| *s == sheet) {
            spread(&mut grid, (r0, c0), d);
        }
        let rows = grid
            .into_iter()
            .enumerate()
            .map(|(i, cells)| Row {
                cells,
                origin: Origin {
                    line: 0,
                    place: Place::Cell {
                        sheet: sheet.clone(),
                        row: r0 + i as u32 + 1,
                        col: c0 + 1,
                    },
                },
            })
            .collect();
        blocks.push(Block::Table(Table {
            name: Some(sheet.clone()),
            rows,
        }));
    }
    let text = render(&mut blocks);
    Ok(Document {
        format,
        encoding: None,
        text,
        blocks,
    })
}

/// The merged ranges of an .ods workbook, per sheet, in calamine's absolute 0-based cell
/// coordinates. ODS marks a merge on its top-left cell (`table:number-rows-spanned`,
/// `table:number-columns-spanned`); rows and cells may stand for several
/// (`…-repeated`), which the position count follows. A part that cannot be read gives no
/// merges (the sheet still reads, as for xlsx).
fn ods_merges(bytes: &[u8]) -> Vec<(String, calamine::Dimensions)> {
    use quick_xml::events::{BytesStart, Event};
    use std::io::Read;

    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Vec::new();
    };
    let mut xml = String::new();
    match zip.by_name("content.xml") {
        Ok(mut part) => {
            if part.read_to_string(&mut xml).is_err() {
                return Vec::new();
            }
        }
        Err(_) => return Vec::new(),
    }
    /// The value of attribute `table:<local>`, if any.
    fn attr(e: &BytesStart, local: &str) -> Option<String> {
        e.attributes().flatten().find_map(|a| {
            let key: &str = a.key.as_ref();
            (key.strip_prefix("table:") == Some(local)).then(|| a.value.to_string())
        })
    }
    fn count(e: &BytesStart, local: &str) -> u32 {
        attr(e, local)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    }
    let mut merges = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut sheet, mut row, mut col, mut row_repeat) = (String::new(), 0u32, 0u32, 1u32);
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                if e.name().as_ref() == "table:table-row" {
                    row = row.saturating_add(row_repeat);
                }
                continue;
            }
            Ok(_) => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                sheet = attr(&e, "name")
                    .map(|n| {
                        quick_xml::escape::unescape(&n)
                            .map(|u| u.into_owned())
                            .unwrap_or(n)
                    })
                    .unwrap_or_default();
                row = 0;
            }
            "table:table-row" => {
                col = 0;
                row_repeat = count(&e, "number-rows-repeated");
                if empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            name @ ("table:table-cell" | "table:covered-table-cell") => {
                let (rows, cols) = (
                    count(&e, "number-rows-spanned"),
                    count(&e, "number-columns-spanned"),
                );
                if name == "table:table-cell" && (rows > 1 || cols > 1) {
                    merges.push((
                        sheet.clone(),
                        calamine::Dimensions {
                            start: (row, col),
                            end: (row.saturating_add(rows - 1), col.saturating_add(cols - 1)),
                        },
                    ));
                }
                col = col.saturating_add(count(&e, "number-columns-repeated"));
            }
            _ => {}
        }
    }
    merges
}

/// Copies a merged range's top-left value into every cell of the range.
fn spread(grid: &mut [Vec<String>], (r0, c0): (u32, u32), d: &calamine::Dimensions) {
    let at = |r: u32, c: u32| -> Option<(usize, usize)> {
        Some((r.checked_sub(r0)? as usize, c.checked_sub(c0)? as usize))
    };
    let Some((tr, tc)) = at(d.start.0, d.start.1) else {
        return;
    };
    let Some(value) = grid.get(tr).and_then(|r| r.get(tc)).cloned() else {
        return;
    };
    // Bounded by the sheet's used range: a merge declared over a million empty rows
    // costs nothing.
    let last_row = (d.end.0.saturating_sub(r0) as usize).min(grid.len().saturating_sub(1));
    for row in grid.iter_mut().take(last_row + 1).skip(tr) {
        let last_col = (d.end.1.saturating_sub(c0) as usize).min(row.len().saturating_sub(1));
        for cell in row.iter_mut().take(last_col + 1).skip(tc) {
            if cell.is_empty() {
                *cell = value.clone();
            }
        }
    }
}

/// A cell's text: numbers without a spurious `.0`, dates as `YYYY-MM-DD`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(dt) if !dt.is_duration() => {
            serial_date(dt.as_f64()).unwrap_or_else(|| d.to_string())
        }
        _ => d.to_string().trim().to_string(),
    }
}

/// An Excel serial day (1900 system) as `YYYY-MM-DD`.
fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Days since 1970-01-01; Excel's day 25569 is 1970-01-01 (its fictitious 1900-02-29
    // only shifts dates before March 1900).
    let days = serial.floor() as i64 - 25569;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn open_error(name: &str, format: Format, e: &dyn std::fmt::Display) -> ReadError {
    let msg = e.to_string();
    if msg.to_ascii_lowercase().contains("password") {
        return ReadError::new(
            Code::PlanEncrypted,
            format!("`{name}` is password-protected"),
            "open it in Excel or LibreOffice, remove the password, save, and load the copy",
        );
    }
    ReadError::new(
        Code::PlanBadSpreadsheet,
        format!(
            "`{name}` cannot be read as an {} workbook: {msg}",
            format.as_str()
        ),
        "save it again from Excel or LibreOffice (or export the task sheet as CSV)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        assert_eq!(serial_date(45657.0).as_deref(), Some("2024-12-31"));
        assert_eq!(serial_date(25569.0).as_deref(), Some("1970-01-01"));
        assert_eq!(serial_date(-3.0), None);
    }

    #[test]
    fn merges_spread_within_the_grid() {
        let mut g = vec![
            vec!["a".to_string(), String::new()],
            vec![String::new(), String::new()],
        ];
        spread(
            &mut g,
            (0, 0),
            &calamine::Dimensions {
                start: (0, 0),
                end: (1_000_000, 0),
            },
        );
        assert_eq!(g[1][0], "a");
        assert_eq!(g[0][1], "");
    }
}
