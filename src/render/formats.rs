//! Machine-readable output: csv, tsv, json, ndjson and markdown. Every value is written
//! exactly (no truncation, no width limits); nulls are empty in csv/tsv/markdown and
//! `null` in json.

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
}

impl Format {
    /// Every format's name, for help and completion.
    pub const NAMES: &'static [&'static str] =
        &["table", "csv", "tsv", "json", "ndjson", "markdown"];

    /// Parses a format name (`md` is accepted for markdown).
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "markdown" | "md" => Format::Markdown,
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
        }
    }
}

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
    }
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
