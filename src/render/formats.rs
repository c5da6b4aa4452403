//! Machine-readable output: csv, tsv, json, ndjson, markdown and xlsx, and line mode for
//! people. Every value is written exactly (no truncation, no width limits); nulls are empty
//! in csv/tsv/markdown/xlsx and `null` in json.

use std::io::{self, Write};

use polars::prelude::*;

use super::values::{cell_text, Row, Rows};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
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

fn write_delimited(df: &DataFrame, sep: u8, out: &mut dyn Write) -> io::Result<()> {
    let sep = sep as char;
    let quote = |s: &str| -> String {
        if sep == '\t' {
            // TSV has no quoting: tabs and newlines inside values are escaped instead.
            s.replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        } else if s.contains([sep, '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| quote(n.as_str()))
        .collect();
    writeln!(out, "{}", header.join(&sep.to_string()))?;
    for i in 0..df.height() {
        let row: Vec<String> = cells(df, i)
            .into_iter()
            .map(|c| c.map(|s| quote(&s)).unwrap_or_default())
            .collect();
        writeln!(out, "{}", row.join(&sep.to_string()))?;
    }
    Ok(())
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
    fn csv_quotes_and_nulls() {
        assert_eq!(
            render(Format::Csv),
            "name,n\n省数字办,2\n\"a,\"\"b\"\"\",\n"
        );
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
