//! Spreadsheets (.xlsx, .xls, .ods) through calamine: every sheet is a table; cells of a
//! merged range carry the range's value (Excel stores it only in the top-left cell).

use crate::error::Code;
use std::io::Cursor;

use calamine::{Data, Reader, Sheets};

use super::{render, Block, Document, Format, Origin, Place, ReadError, Row, Table};

/// Reads every sheet of a workbook as a table.
pub fn read(name: &str, bytes: &[u8], format: Format) -> Result<Document, ReadError> {
    if format == Format::Xls {
        xls_sizes_fit(name, bytes)?;
    }
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
        let (cells, corners) =
            sheet_cells(&mut book, &sheet).map_err(|e| open_error(name, format, &e))?;
        let Some(grid) = Grid::of(cells, corners) else {
            continue; // an empty sheet
        };
        if grid.area() > MAX_GRID_CELLS {
            return Err(too_large(name, &sheet, &grid));
        }
        let mut rows = grid.rows();
        for (_, d) in merges.iter().filter(|(s, _)| *s == sheet) {
            spread(&mut rows, &grid.row_at, &grid.col_at, d);
        }
        let first_col = grid.col_at.first().copied().unwrap_or(0);
        let rows = rows
            .into_iter()
            .zip(&grid.row_at)
            .map(|(cells, &row)| Row {
                cells,
                origin: Origin {
                    line: 0,
                    place: Place::Cell {
                        sheet: sheet.clone(),
                        row: row + 1,
                        col: first_col + 1,
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
        text: text.into(),
        blocks,
    })
}

/// The most cells a sheet's table may span (its rows × columns, empty cells included):
/// 16 Mi, ≈ 400 MB of empty cells. A workbook declares its cells sparsely, so a few stray
/// values far apart (`A1` and `XFD1048576`) would otherwise ask for a grid of terabytes.
const MAX_GRID_CELLS: usize = 16 << 20;

/// The non-empty cells of a sheet — 0-based (row, column) and text — and, when calamine
/// built the sheet's range itself, that range's corners (the grid spans them, as calamine
/// reports them). An .xlsx sheet is read cell by cell, so stray far cells cost nothing;
/// calamine builds the others' ranges itself (an .xls sheet is at most 65 536 × 256 cells;
/// .ods is capped by calamine).
fn sheet_cells(
    book: &mut Sheets<Cursor<&[u8]>>,
    sheet: &str,
) -> Result<(Cells, Option<Corners>), calamine::Error> {
    let mut out = Vec::new();
    if let Sheets::Xlsx(x) = book {
        let mut reader = match x.worksheet_cells_reader(sheet) {
            Ok(r) => r,
            // A chart sheet or the like: no cells (as calamine's own range reader says).
            Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok((out, None)),
            Err(e) => return Err(calamine::Error::Xlsx(e)),
        };
        while let Some(cell) = reader.next_cell().map_err(calamine::Error::Xlsx)? {
            if *cell.get_value() != calamine::DataRef::Empty {
                let data = Data::from(cell.get_value().clone());
                out.push((cell.get_position(), cell_text(&data)));
            }
        }
        return Ok((out, None));
    }
    let range = book.worksheet_range(sheet)?;
    let (Some((r0, c0)), Some(end)) = (range.start(), range.end()) else {
        return Ok((out, None));
    };
    for (r, c, d) in range.used_cells() {
        // Offsets inside a calamine range fit its u32 coordinates.
        let (r, c) = (u32::try_from(r), u32::try_from(c));
        if let (Ok(r), Ok(c)) = (r, c) {
            out.push(((r0.saturating_add(r), c0.saturating_add(c)), cell_text(d)));
        }
    }
    Ok((out, Some(((r0, c0), end))))
}

/// Refuses an .xls workbook a sheet of which declares more cells than an .xls sheet can
/// hold (65 536 rows × 256 columns), or whose container is damaged. calamine reserves room
/// for every cell a sheet's DIMENSIONS record declares before it reads one, so a corrupt
/// record (or one whose last row comes before its first) asks for terabytes and aborts
/// the process: the records are read here first, where calamine reads them (from the
/// stream's start, and from each sheet's offset in its BOUNDSHEET record), with
/// calamine's own arithmetic.
fn xls_sizes_fit(name: &str, bytes: &[u8]) -> Result<(), ReadError> {
    let damaged = |why: String| {
        ReadError::new(
            Code::PlanBadSpreadsheet,
            format!("`{name}` cannot be read as an xls workbook: {why}"),
            "the file is damaged: save it again from Excel or LibreOffice (or export the task sheet as CSV)",
        )
    };
    let mut container = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| damaged(format!("its container is damaged ({e})")))?;
    let Some(stream) = ["Workbook", "Book"]
        .into_iter()
        .find(|s| container.is_stream(s))
    else {
        return Ok(()); // calamine says which part is missing
    };
    let mut workbook = Vec::new();
    container
        .open_stream(stream)
        .and_then(|mut s| std::io::Read::read_to_end(&mut s, &mut workbook))
        .map_err(|e| damaged(format!("its workbook stream cannot be read ({e})")))?;
    let mut starts = vec![0usize];
    starts.extend(
        xls_records(&workbook, 0)
            .filter(|(typ, data)| *typ == 0x0085 && data.len() >= 4)
            .map(|(_, data)| u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize),
    );
    let declared = starts
        .iter()
        .flat_map(|&at| xls_records(&workbook, at).filter(|(typ, _)| *typ == 0x0200))
        .map(|(_, data)| xls_declared_cells(data));
    let spanned = starts.iter().map(|&at| xls_spanned_cells(&workbook, at));
    let worst = declared.chain(spanned).max().unwrap_or(0);
    if worst > MAX_GRID_CELLS as u64 {
        return Err(damaged(format!(
            "a sheet declares or spans {worst} cells, more than an .xls sheet can hold (65536 rows × 256 columns)"
        )));
    }
    Ok(())
}

/// A BIFF stream's records (type, data) from byte `at` to its end.
fn xls_records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let header = stream.get(at..at.checked_add(4)?)?;
        let typ = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
}

/// The grid calamine lays out for the sheet whose substream starts at `at`: rows ×
/// columns between the first and last cell its records place (a value or a formula, as
/// calamine 0.38 collects them), up to the sheet's EOF. calamine allocates that grid
/// whole, so one cell record with a damaged column (a u16, where a sheet has 256) asked for
/// 36 GB.
fn xls_spanned_cells(stream: &[u8], at: usize) -> u64 {
    let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
    let mut place = |row: u32, first: u32, last: u32| {
        rows = (rows.0.min(row), rows.1.max(row));
        cols = (cols.0.min(first), cols.1.max(last));
    };
    let u16_at = |d: &[u8], i: usize| u32::from(u16::from_le_bytes([d[i], d[i + 1]]));
    let mut depth = 0usize;
    for (typ, data) in xls_records(stream, at) {
        match typ {
            // BOF: the sheet's own first, then nested substreams (charts).
            0x0809 => depth += 1,
            0x000A if depth <= 1 => break,
            0x000A => depth -= 1,
            // Number, Label, RString, BoolErr, Rk, LabelSst, Formula: row, column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if data.len() >= 4 => {
                let col = u16_at(data, 2);
                place(u16_at(data, 0), col, col);
            }
            // MulRk: row, first column, …, last column.
            0x00BD if data.len() >= 6 => {
                let (first, last) = (u16_at(data, 2), u16_at(data, data.len() - 2));
                place(u16_at(data, 0), first.min(last), first.max(last));
            }
            _ => {}
        }
    }
    if rows.0 > rows.1 {
        return 0;
    }
    (u64::from(rows.1 - rows.0) + 1).saturating_mul(u64::from(cols.1 - cols.0) + 1)
}

/// The cells calamine reserves for a DIMENSIONS record ([MS-XLS] 2.4.90): its rows ×
/// columns as calamine 0.38 computes them (first and last-plus-one row and column;
/// 32-bit row numbers in BIFF8, 16-bit in BIFF5; unsigned arithmetic that wraps).
fn xls_declared_cells(r: &[u8]) -> u64 {
    let u16_at = |i: usize| u32::from(u16::from_le_bytes([r[i], r[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([r[i], r[i + 1], r[i + 2], r[i + 3]]);
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return 0, // calamine refuses the record itself
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
    rows.saturating_mul(cols)
}

/// A sheet's non-empty cells: 0-based (row, column) and text.
type Cells = Vec<((u32, u32), String)>;

/// The first and last (row, column) of a range.
type Corners = ((u32, u32), (u32, u32));

/// A sheet's cells laid out as a grid: the sheet rows and columns it keeps (0-based,
/// ascending) and the text of each non-empty cell.
struct Grid {
    row_at: Vec<u32>,
    col_at: Vec<u32>,
    cells: Cells,
}

impl Grid {
    /// Every row and column between the first and last cell (and `corners`), or — when
    /// that area is larger than [`MAX_GRID_CELLS`] — only the rows and columns that hold
    /// a value: nothing is lost, and a few stray cells far from the table no longer span
    /// the sheet. `None` for no cells.
    fn of(cells: Cells, corners: Option<Corners>) -> Option<Grid> {
        let mut ends: Vec<(u32, u32)> = corners.map(|(a, b)| vec![a, b]).unwrap_or_default();
        ends.extend(cells.iter().map(|c| c.0));
        let r0 = ends.iter().map(|p| p.0).min()?;
        let r1 = ends.iter().map(|p| p.0).max()?;
        let c0 = ends.iter().map(|p| p.1).min()?;
        let c1 = ends.iter().map(|p| p.1).max()?;
        let area = (u64::from(r1 - r0) + 1).saturating_mul(u64::from(c1 - c0) + 1);
        if area <= MAX_GRID_CELLS as u64 {
            return Some(Grid {
                row_at: (r0..=r1).collect(),
                col_at: (c0..=c1).collect(),
                cells,
            });
        }
        let cells: Vec<_> = cells.into_iter().filter(|c| !c.1.is_empty()).collect();
        let used = |axis: fn(&(u32, u32)) -> u32| {
            let mut v: Vec<u32> = cells.iter().map(|c| axis(&c.0)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        Some(Grid {
            row_at: used(|p| p.0),
            col_at: used(|p| p.1),
            cells,
        })
    }

    /// Rows × columns.
    fn area(&self) -> usize {
        self.row_at.len().saturating_mul(self.col_at.len())
    }

    /// The grid's text, row by row (empty where no cell is).
    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new(); self.col_at.len()]; self.row_at.len()];
        for ((r, c), text) in &self.cells {
            if let (Ok(i), Ok(j)) = (self.row_at.binary_search(r), self.col_at.binary_search(c)) {
                rows[i][j].clone_from(text);
            }
        }
        rows
    }
}

/// Why a sheet with values spread too far is refused.
fn too_large(name: &str, sheet: &str, grid: &Grid) -> ReadError {
    ReadError::new(
        Code::PlanSheetTooLarge,
        format!(
            "sheet `{sheet}` of `{name}` is too large to read as a table: even without its empty rows and columns, its {} values span {} rows × {} columns",
            grid.cells.len(),
            grid.row_at.len(),
            grid.col_at.len()
        ),
        "delete the stray cells far from the task table (Ctrl+End shows the last used cell), or export the task sheet as CSV",
    )
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

/// Copies a merged range's top-left value into every cell of the range (`row_at` and
/// `col_at` name the sheet row and column of each grid row and column).
fn spread(grid: &mut [Vec<String>], row_at: &[u32], col_at: &[u32], d: &calamine::Dimensions) {
    let (Ok(tr), Ok(tc)) = (
        row_at.binary_search(&d.start.0),
        col_at.binary_search(&d.start.1),
    ) else {
        return;
    };
    let Some(value) = grid.get(tr).and_then(|r| r.get(tc)).cloned() else {
        return;
    };
    // Bounded by the grid: a merge declared over a million empty rows costs nothing.
    let last_row = row_at.partition_point(|&r| r <= d.end.0);
    let last_col = col_at.partition_point(|&c| c <= d.end.1);
    for row in grid.iter_mut().take(last_row).skip(tr) {
        for cell in row.iter_mut().take(last_col).skip(tc) {
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
    fn xls_dimensions_are_read_as_calamine_reads_them() {
        let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut r = Vec::new();
            r.extend(rf.to_le_bytes());
            r.extend(rl.to_le_bytes());
            r.extend(cf.to_le_bytes());
            r.extend(cl.to_le_bytes());
            r.extend([0, 0]);
            r
        };
        // A1:D10: rows 0..10, columns 0..4.
        assert_eq!(xls_declared_cells(&biff8(0, 10, 0, 4)), 40);
        // The largest an .xls sheet holds.
        assert_eq!(xls_declared_cells(&biff8(0, 65_536, 0, 256)), 65_536 * 256);
        // A last row before the first wraps around in calamine: billions of rows.
        assert!(xls_declared_cells(&biff8(100, 50, 0, 4)) > MAX_GRID_CELLS as u64);
        // Empty: one cell.
        assert_eq!(xls_declared_cells(&biff8(0, 0, 0, 0)), 1);
        // A record of another length is refused by calamine itself.
        assert_eq!(xls_declared_cells(&[0; 12]), 0);
    }

    #[test]
    fn xls_cells_span_the_grid_calamine_lays_out() {
        let record = |typ: u16, data: &[u8]| {
            let mut r = typ.to_le_bytes().to_vec();
            r.extend((data.len() as u16).to_le_bytes());
            r.extend(data);
            r
        };
        let cell = |row: u16, col: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0; 10]); // format and value
            d
        };
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(record(0x0203, &cell(2, 1)));
        stream.extend(record(0x0203, &cell(11, 3)));
        // A nested chart substream's records stay inside the sheet.
        stream.extend(record(0x0809, &[0; 16]));
        stream.extend(record(0x000A, &[]));
        stream.extend(record(0x000A, &[]));
        // After the sheet's EOF: another sheet's cell, not counted.
        stream.extend(record(0x0203, &cell(60_000, 200)));
        // Rows 2..=11, columns 1..=3.
        assert_eq!(xls_spanned_cells(&stream, 0), 30);
        // A damaged column number: 65 536 columns wide.
        let mut damaged = record(0x0809, &[0; 16]);
        damaged.extend(record(0x0203, &cell(0, 0)));
        damaged.extend(record(0x0204, &cell(60_000, 65_535)));
        assert!(xls_spanned_cells(&damaged, 0) > MAX_GRID_CELLS as u64);
        // MulRk: first and last column.
        let mut mulrk = 5u16.to_le_bytes().to_vec();
        mulrk.extend(7u16.to_le_bytes());
        mulrk.extend([0; 12]);
        mulrk.extend(8u16.to_le_bytes());
        let stream = [record(0x0809, &[0; 16]), record(0x00BD, &mulrk)].concat();
        assert_eq!(xls_spanned_cells(&stream, 0), 2);
    }

    #[test]
    fn merges_spread_within_the_grid() {
        let mut g = vec![
            vec!["a".to_string(), String::new()],
            vec![String::new(), String::new()],
        ];
        spread(
            &mut g,
            &[0, 1],
            &[0, 1],
            &calamine::Dimensions {
                start: (0, 0),
                end: (1_000_000, 0),
            },
        );
        assert_eq!(g[1][0], "a");
        assert_eq!(g[0][1], "");
    }
}
