//! Machine-readable output: csv, tsv, json, ndjson, markdown and xlsx, and line mode for
//! people. Every value is written exactly (no truncation, no width limits); nulls are empty
//! in csv/tsv/markdown/xlsx and `null` in json.

use std::io::{self, Write};

use polars::prelude::*;

use super::values::{cell_text, Row, Rows};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Aligned table for people (the terminal default).
    #[default]
    Table,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A GitHub-flavoured markdown table.
    Markdown,
    /// One column per line, one record after another (for long text).
    Line,
    /// An Excel workbook (to a file or a pipe, never to a terminal).
    Xlsx,
}

impl Format {
    /// Every format's name, for help and completion.
    pub const NAMES: &'static [&'static str] = &[
        "table", "csv", "tsv", "json", "ndjson", "markdown", "line", "xlsx",
    ];

    /// Parses a format name (`md` is accepted for markdown).
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "markdown" | "md" => Format::Markdown,
            "line" => Format::Line,
            "xlsx" | "excel" => Format::Xlsx,
            _ => return None,
        })
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Markdown => "markdown",
            Format::Line => "line",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format a file name's extension asks for (`out.xlsx` → xlsx, `out.txt` → line).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "md" | "markdown" => Format::Markdown,
            "txt" => Format::Line,
            "xlsx" => Format::Xlsx,
            _ => return None,
        })
    }

    /// The extensions [`Format::from_extension`] knows, for help texts.
    pub const EXTENSIONS: &'static str =
        ".csv, .tsv, .json, .ndjson, .md, .txt (line mode) or .xlsx";

    /// The extension of a file in this format (a table goes to files as csv).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table | Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Markdown => "md",
            Format::Line => "txt",
            Format::Xlsx => "xlsx",
        }
    }

    /// Whether the format is binary (never written to a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Xlsx
    }

    /// Whether the format is read by programs (a chart in its stream would corrupt it).
    pub fn is_machine(self) -> bool {
        matches!(
            self,
            Format::Csv | Format::Tsv | Format::Json | Format::Ndjson | Format::Xlsx
        )
    }

    /// Whether `--bom` applies: the delimited formats Excel opens.
    pub fn takes_bom(self) -> bool {
        matches!(self, Format::Csv | Format::Tsv)
    }
}

/// The UTF-8 byte-order mark: Excel on Chinese (and other non-UTF-8) Windows reads a CSV
/// file as UTF-8 only when it starts with one.
pub const BOM: &str = "\u{feff}";

/// Writes `df` in a machine-readable format (`Table` is handled by the table renderer and
/// falls back to csv here).
pub fn write(df: &DataFrame, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Csv | Format::Table => write_delimited(df, b',', out),
        Format::Tsv => write_delimited(df, b'\t', out),
        Format::Json => {
            // io::Error::from keeps the kind of an I/O failure (a closed pipe stays one).
            serde_json::to_writer(&mut *out, &Rows(df)).map_err(io::Error::from)?;
            writeln!(out)
        }
        Format::Ndjson => write_ndjson(df, out),
        Format::Markdown => write_markdown(df, out),
        Format::Line => out.write_all(super::line::render_lines(df, None).as_bytes()),
        Format::Xlsx => {
            let bytes = super::xlsx::workbook(&[("result".to_string(), df)])?;
            out.write_all(&bytes)
        }
    }
}

/// Like [`write`], starting with a UTF-8 byte-order mark when `bom` is set and the format
/// takes one (csv, tsv).
pub fn write_with_bom(
    df: &DataFrame,
    format: Format,
    bom: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if bom && format.takes_bom() {
        out.write_all(BOM.as_bytes())?;
    }
    write(df, format, out)
}

fn cells(df: &DataFrame, i: usize) -> Vec<Option<String>> {
    df.columns()
        .iter()
        .map(|c| c.get(i).ok().and_then(|v| cell_text(&v)))
        .collect()
}

/// One column's cells, read through its typed array: a per-cell `AnyValue` and the
/// strings made from it cost more than the rest of an export (issue 8).
enum Cells<'a> {
    Str(Box<dyn Iterator<Item = Option<&'a str>> + 'a>),
    Int(Box<dyn Iterator<Item = Option<i64>> + 'a>),
    Float(Box<dyn Iterator<Item = Option<f64>> + 'a>),
    Date(Box<dyn Iterator<Item = Option<i32>> + 'a>),
    /// Any other type: through `AnyValue`, as the other formats read it.
    Other(&'a Column, usize),
}

impl<'a> Cells<'a> {
    fn new(c: &'a Column) -> Cells<'a> {
        let typed = match c.dtype() {
            DataType::String => c.str().ok().map(|a| Cells::Str(Box::new(a.iter()))),
            DataType::Int64 => c.i64().ok().map(|a| Cells::Int(Box::new(a.iter()))),
            DataType::Float64 => c.f64().ok().map(|a| Cells::Float(Box::new(a.iter()))),
            DataType::Date => c
                .date()
                .ok()
                .map(|a| Cells::Date(Box::new(a.physical().iter()))),
            _ => None,
        };
        typed.unwrap_or(Cells::Other(c, 0))
    }

    /// Appends the next cell's text (nothing for null) to `line`, quoted for `sep`.
    fn push_next(&mut self, line: &mut String, scratch: &mut String, sep: char) {
        match self {
            Cells::Str(it) => push_text_cell(line, it.next().flatten(), sep),
            Cells::Int(it) => push_int_cell(line, it.next().flatten()),
            Cells::Float(it) => push_float_cell(line, scratch, it.next().flatten(), sep),
            Cells::Date(it) => push_date_cell(
                line,
                scratch,
                it.next()
                    .flatten()
                    .map(crate::plan::Date::from_days_since_epoch),
                sep,
            ),
            Cells::Other(c, i) => {
                scratch.clear();
                if let Some(text) = c.get(*i).ok().and_then(|v| cell_text(&v)) {
                    scratch.push_str(&text);
                }
                *i += 1;
                push_field(line, scratch, sep);
            }
        }
    }
}

// The cell writers below are the one definition of how a text, integer, float or date
// cell is written to CSV/TSV: frames are written through them, and so are the rows that
// `export --out` writes straight from a plan's tasks (`crate::frames::csv`), so the two
// cannot drift apart.

/// Appends a text cell (nothing for null), quoted for `sep` when it must be.
#[inline]
pub fn push_text_cell(line: &mut String, s: Option<&str>, sep: char) {
    if let Some(s) = s {
        push_field(line, s, sep);
    }
}

/// [`push_text_cell`] with the separator fixed where it is compiled (`SEP`): the tests for
/// other separators fold away. A 10k-task export writes 400 000 text cells this way
/// (`frames::csv`); with the separator an argument they cost 37.1M instructions.
#[inline]
pub fn push_text_cell_sep<const SEP: char>(line: &mut String, s: Option<&str>) {
    if let Some(s) = s {
        push_field_sep::<SEP>(line, s);
    }
}

/// [`push_field`] for one separator, fixed at compile time. One function, not inlined
/// into each cell's call: the search it holds would be copied two dozen times.
#[inline(never)]
fn push_field_sep<const SEP: char>(line: &mut String, s: &str) {
    push_field_inline(line, s, SEP);
}

/// Appends an integer cell (nothing for null): digits and `-` never need quoting.
pub fn push_int_cell(line: &mut String, v: Option<i64>) {
    if let Some(v) = v {
        push_int(line, v);
    }
}

/// Appends a float cell (nothing for null) as `cell_text` formats it, without a string
/// per cell; a whole float (`2000`, the usual target) prints as the integer it is, which
/// is what `{f}` prints for it, without the float formatter (`-0.0` excepted: it prints
/// `-0`). `scratch` is a buffer the caller keeps between cells.
pub fn push_float_cell(line: &mut String, scratch: &mut String, f: Option<f64>, sep: char) {
    use std::fmt::Write as _;
    let Some(f) = f else { return };
    if f.fract() == 0.0 && f.abs() < 1e15 && (f != 0.0 || f.is_sign_positive()) {
        push_int(line, f as i64); // digits and `-`: no quoting
        return;
    }
    scratch.clear();
    let _ = write!(scratch, "{f}");
    push_field(line, scratch, sep);
}

/// Appends a date cell (nothing for null) as `YYYY-MM-DD`, formatted in place.
pub fn push_date_cell(
    line: &mut String,
    scratch: &mut String,
    d: Option<crate::plan::Date>,
    sep: char,
) {
    use std::fmt::Write as _;
    let Some(d) = d else { return };
    scratch.clear();
    let _ = write!(scratch, "{d}");
    push_field(line, scratch, sep);
}

/// Appends one field: TSV escapes tabs and line breaks (it has no quoting); CSV quotes a
/// field holding the separator, a quote, a line break, or a leading or trailing space.
/// The field written as it is, the common case, is all this function does itself: the
/// escaping and quoting are out of line, so that the half million fields of a 10k-task
/// export do not each pay for their registers and stack.
#[inline]
fn push_field(line: &mut String, s: &str, sep: char) {
    push_field_inline(line, s, sep);
}

/// [`push_field`]'s body, inlined into each of its forms (a separator known at compile
/// time is then folded into it: see [`push_text_cell_sep`]).
#[inline(always)]
fn push_field_inline(line: &mut String, s: &str, sep: char) {
    let b = s.as_bytes();
    let as_is = if sep == '\t' {
        !s.contains(['\\', '\t', '\n', '\r'])
    } else {
        !(needs_quotes(s, sep) || b.first() == Some(&b' ') || b.last() == Some(&b' '))
    };
    if as_is {
        line.push_str(s);
    } else {
        push_escaped(line, s, sep);
    }
}

/// [`push_field`] of a field that cannot be written as it is.
#[cold]
#[inline(never)]
fn push_escaped(line: &mut String, s: &str, sep: char) {
    if sep == '\t' {
        for c in s.chars() {
            match c {
                '\\' => line.push_str("\\\\"),
                '\t' => line.push_str("\\t"),
                '\n' => line.push_str("\\n"),
                '\r' => line.push_str("\\r"),
                c => line.push(c),
            }
        }
    } else {
        line.push('"');
        line.push_str(&s.replace('"', "\"\""));
        line.push('"');
    }
}

/// Whether a CSV field holds the separator, a quote or a line break. Compared byte by
/// byte for an ASCII separator (UTF-8 never has these bytes inside another char): a
/// search by `char` decodes every char, which was ≈ 10% of a large plan's export.
#[inline(always)]
fn needs_quotes(s: &str, sep: char) -> bool {
    if !sep.is_ascii() {
        return s.contains([sep, '"', '\n', '\r']);
    }
    let sep = sep as u8;
    // Eight bytes at a time. Every byte looked for is below `limit` (at most 0x80), so a
    // word without a byte below it (Chinese text: every byte ≥ 0x80) is passed at once;
    // only a word that has one is tested for each of the four (a word holds a byte `b`
    // when, XORed with `b` repeated, it has a zero byte).
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let limit = u64::from(sep.max(b'"')) + 1;
    let has_below = |w: u64| w.wrapping_sub(ONES * limit) & !w & HIGHS != 0;
    let has = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    let hit =
        |w: u64| has_below(w) && (has(w, sep) || has(w, b'"') || has(w, b'\n') || has(w, b'\r'));
    let b = s.as_bytes();
    // A short field (ids, roles, most names) byte by byte: a byte of Chinese text fails
    // the first comparison. Assembling the last bytes into a padded word, byte by byte,
    // cost more than the search: `push_field` was 70.7M of a 10k-task export's 474M
    // instructions under `valgrind --tool=callgrind`, 56.7M so.
    if b.len() < 8 {
        let limit = sep.max(b'"');
        return b
            .iter()
            .any(|&c| c <= limit && (c == sep || c == b'"' || c == b'\n' || c == b'\r'));
    }
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    // The last eight bytes as one more word: it overlaps the words before it, which does
    // not matter to a search.
    b.chunks_exact(8).any(|c| hit(word(c))) || hit(word(&b[b.len() - 8..]))
}

/// Appends the decimal digits of `v` (what `{v}` prints) without the formatter.
fn push_int(line: &mut String, v: i64) {
    if v < 0 {
        line.push('-');
    }
    crate::plan::push_decimal(line, v.unsigned_abs());
}

fn write_delimited(df: &DataFrame, sep: u8, out: &mut dyn Write) -> io::Result<()> {
    let sep = sep as char;
    let mut line = String::new();
    for (k, n) in df.get_column_names().iter().enumerate() {
        if k > 0 {
            line.push(sep);
        }
        push_field(&mut line, n.as_str(), sep);
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    delimited_rows(df, sep, out)
}

fn delimited_rows(df: &DataFrame, sep: char, out: &mut dyn Write) -> io::Result<()> {
    let mut line = String::new();
    let mut cells: Vec<Cells> = df.columns().iter().map(Cells::new).collect();
    let mut scratch = String::new();
    line.clear();
    for _ in 0..df.height() {
        for (k, c) in cells.iter_mut().enumerate() {
            if k > 0 {
                line.push(sep);
            }
            c.push_next(&mut line, &mut scratch, sep);
        }
        line.push('\n');
        // Written in blocks: one `write_all` per row costs a dynamic call per row.
        if line.len() >= 1 << 16 {
            out.write_all(line.as_bytes())?;
            line.clear();
        }
    }
    out.write_all(line.as_bytes())
}

/// One object per line, keys in column order (as `json` writes them; a `serde_json::Map`
/// would sort them).
fn write_ndjson(df: &DataFrame, out: &mut dyn Write) -> io::Result<()> {
    let cols = df.columns();
    for i in 0..df.height() {
        serde_json::to_writer(&mut *out, &Row { cols, i }).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(())
}

fn write_markdown(df: &DataFrame, out: &mut dyn Write) -> io::Result<()> {
    // A cell stays on its row: `|` is escaped, and every line break (`\r\n`, `\n` or a
    // bare `\r`, which some renderers treat as a line end) becomes `<br>`.
    let esc = |s: &str| {
        s.replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| esc(n.as_str()))
        .collect();
    writeln!(out, "| {} |", names.join(" | "))?;
    let aligns: Vec<&str> = df
        .columns()
        .iter()
        .map(|c| {
            if c.dtype().is_primitive_numeric() {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(out, "| {} |", aligns.join(" | "))?;
    for i in 0..df.height() {
        let row: Vec<String> = cells(df, i)
            .into_iter()
            .map(|c| c.map(|s| esc(&s)).unwrap_or_default())
            .collect();
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        DataFrame::new(
            2,
            vec![
                Column::new("name".into(), ["省数字办", "a,\"b\""]),
                Column::new("n".into(), [Some(2.0f64), None]),
            ],
        )
        .unwrap()
    }

    fn render(f: Format) -> String {
        let mut out = Vec::new();
        write(&sample(), f, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers_and_quoting_as_the_formatter_and_char_search_give_them() {
        for v in [0, 7, -7, 10, 1234567890, i64::MAX, i64::MIN] {
            let mut line = String::from("x");
            push_int(&mut line, v);
            assert_eq!(line, format!("x{v}"));
        }
        for s in [
            "省数字办",
            "a,b",
            "引号\"",
            "两行\n",
            "回车\r",
            "，全角逗号",
            "tab\t",
            "推进第0项建设。建成1000个民生信息化社区",
            "推进第0项建设。建成1000个民生信息化社区,",
            "推进第0项建设,建成1000个民生信息化社区",
            "12345678\n",
            "1234567\n",
            "x\u{0}y",
        ] {
            for sep in [',', '\t', '，'] {
                assert_eq!(
                    needs_quotes(s, sep),
                    s.contains([sep, '"', '\n', '\r']),
                    "{s:?} {sep:?}"
                );
            }
        }
    }

    #[test]
    fn every_ascii_byte_at_every_place_of_a_word() {
        for n in 0..20 {
            for b in 0u8..128 {
                let mut v = vec![b'a'; n];
                v.push(b);
                v.extend_from_slice("省".as_bytes());
                let s = String::from_utf8(v).unwrap();
                for sep in [',', '\t', ';', '|'] {
                    let want = s.contains([sep, '"', '\n', '\r']);
                    assert_eq!(needs_quotes(&s, sep), want, "{s:?} {sep:?}");
                }
            }
        }
    }

    #[test]
    fn csv_quotes_and_nulls() {
        assert_eq!(
            render(Format::Csv),
            "name,n\n省数字办,2\n\"a,\"\"b\"\"\",\n"
        );
    }

    #[test]
    fn float_and_date_cells_as_cell_text_writes_them() {
        // The in-place formatting of CSV float and date cells (whole floats as integers)
        // must print exactly what `cell_text` prints, edge cases included.
        let floats = [
            2000.0,
            -3.0,
            0.0,
            -0.0,
            1.5,
            98.6,
            -0.25,
            1e15 - 1.0,
            1e15,
            1e16,
            -1e20,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let days = [-800_000, -1, 0, 14_975, 2_932_896];
        let df = DataFrame::new(
            floats.len(),
            vec![
                Column::new("f".into(), floats.to_vec()),
                Column::new(
                    "d".into(),
                    (0..floats.len())
                        .map(|i| days.get(i).copied())
                        .collect::<Vec<Option<i32>>>(),
                )
                .cast(&DataType::Date)
                .unwrap(),
            ],
        )
        .unwrap();
        let mut out = Vec::new();
        write(&df, Format::Csv, &mut out).unwrap();
        let mut expected = String::from("f,d\n");
        for (i, f) in floats.iter().enumerate() {
            let mut line = String::new();
            push_field(&mut line, &cell_text(&AnyValue::Float64(*f)).unwrap(), ',');
            line.push(',');
            if let Some(d) = days.get(i) {
                push_field(&mut line, &cell_text(&AnyValue::Date(*d)).unwrap(), ',');
            }
            expected.push_str(&line);
            expected.push('\n');
        }
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn delimited_cells_of_every_type() {
        // Typed columns (text, int, float, date, bool) with nulls, spaces, tabs and line
        // breaks, in CSV and TSV, across more rows than one write block holds.
        let rows = 5000;
        let text: Vec<Option<String>> = (0..rows)
            .map(|i| match i % 4 {
                0 => None,
                1 => Some(format!(" lead {i}")),
                2 => Some(format!("a\tb\nc\\{i}")),
                _ => Some(format!("省{i}")),
            })
            .collect();
        let df = DataFrame::new(
            rows,
            vec![
                Column::new("text".into(), text),
                Column::new(
                    "n".into(),
                    (0..rows as i64)
                        .map(|i| (i % 3 != 0).then_some(-i))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "f".into(),
                    (0..rows)
                        .map(|i| (i % 5 != 0).then_some(i as f64 / 4.0))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "d".into(),
                    (0..rows as i32)
                        .map(|i| (i % 7 != 0).then_some(i))
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Date)
                .unwrap(),
                Column::new(
                    "b".into(),
                    (0..rows).map(|i| i % 2 == 0).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap();
        // The reference: every cell through `AnyValue`, as the writer did before.
        for (sep, fmt) in [(',', Format::Csv), ('\t', Format::Tsv)] {
            let mut expected = String::from(if sep == ',' {
                "text,n,f,d,b\n"
            } else {
                "text\tn\tf\td\tb\n"
            });
            for i in 0..rows {
                let row: Vec<String> = cells(&df, i)
                    .into_iter()
                    .map(|c| {
                        let mut field = String::new();
                        push_field(&mut field, &c.unwrap_or_default(), sep);
                        field
                    })
                    .collect();
                expected.push_str(&row.join(&sep.to_string()));
                expected.push('\n');
            }
            let mut out = Vec::new();
            write(&df, fmt, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
        let mut f = String::new();
        push_field(&mut f, " x", ',');
        push_field(&mut f, "a\tb", '\t');
        assert_eq!(f, "\" x\"a\\tb");
    }

    #[test]
    fn json_and_ndjson() {
        assert_eq!(
            render(Format::Json),
            "[{\"name\":\"省数字办\",\"n\":2.0},{\"name\":\"a,\\\"b\\\"\",\"n\":null}]\n"
        );
        assert_eq!(render(Format::Ndjson).lines().count(), 2);
    }

    #[test]
    fn markdown_escapes_pipes() {
        let md = render(Format::Markdown);
        assert!(md.starts_with("| name | n |\n| --- | ---: |\n"), "{md}");
        let df = DataFrame::new(1, vec![Column::new("a|b".into(), ["x|y\r\nz\rw\nv"])]).unwrap();
        let mut out = Vec::new();
        write(&df, Format::Markdown, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| a\\|b |\n| --- |\n| x\\|y<br>z<br>w<br>v |\n"
        );
    }

    #[test]
    fn ndjson_keeps_column_order() {
        let df = DataFrame::new(
            1,
            vec![
                Column::new("z".into(), [1i64]),
                Column::new("a".into(), ["x"]),
                Column::new("m".into(), [true]),
            ],
        )
        .unwrap();
        let mut out = Vec::new();
        write(&df, Format::Ndjson, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"z\":1,\"a\":\"x\",\"m\":true}\n"
        );
    }
}
