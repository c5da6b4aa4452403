//! CSV and TSV files: one table (RFC 4180 quoting, newlines inside quoted cells). Rows
//! before the header row — a title, a date — become paragraphs.

use super::{Block, Document, Format, Origin, Paragraph, Place, ReadError, Row, Table};
use crate::error::Code;
use crate::plan::table::is_task_header;

/// Reads a delimited file whose text is already decoded.
pub fn read(
    text: crate::error::SourceText,
    encoding: &'static str,
    delim: u8,
    format: Format,
) -> Result<Document, ReadError> {
    let records = parse(&text, delim).map_err(|line| {
        let start = line_start(&text, line);
        let mut e = ReadError::new(
            Code::PlanCsvQuote,
            format!("a quote opened on line {line} is never closed"),
            "close the quoted cell with `\"`, or write a literal quote as `\"\"`",
        );
        e.at = Some(Box::new((
            text.to_string(),
            start..start,
            "quote opened here".into(),
        )));
        e
    })?;
    let header = records.iter().position(|(_, cells)| is_task_header(cells));
    let mut blocks = Vec::new();
    let mut table = Table::default();
    for (k, (line, cells)) in records.into_iter().enumerate() {
        let origin = Origin {
            line,
            place: Place::Line(line),
        };
        if header.is_none_or(|h| k < h) {
            let joined = cells
                .iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            blocks.push(Block::Paragraph(Paragraph {
                text: joined,
                origin,
            }));
        } else {
            table.rows.push(Row { cells, origin });
        }
    }
    if !table.rows.is_empty() {
        blocks.push(Block::Table(table));
    }
    Ok(Document {
        format,
        encoding: Some(encoding),
        text,
        blocks,
    })
}

fn line_start(text: &str, line: u32) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line as usize - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// Records of `text` with the 1-based line each starts on; blank lines are skipped. A
/// quote never closed is an error with the line it opened on.
pub fn parse(text: &str, delim: u8) -> Result<Vec<(u32, Vec<String>)>, u32> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1u32;
    while pos < bytes.len() {
        let start_line = line;
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut seg_start = pos;
        let mut quoted = false;
        let mut quote_line = line;
        loop {
            let Some(&b) = bytes.get(pos) else {
                if quoted {
                    return Err(quote_line);
                }
                cell.push_str(&text[seg_start..pos]);
                break;
            };
            if quoted {
                if b == b'"' {
                    cell.push_str(&text[seg_start..pos]);
                    if bytes.get(pos + 1) == Some(&b'"') {
                        cell.push('"');
                        pos += 2;
                    } else {
                        quoted = false;
                        pos += 1;
                    }
                    seg_start = pos;
                } else {
                    if b == b'\n' {
                        line += 1;
                    }
                    pos += 1;
                }
                continue;
            }
            if b == b'"' && text[seg_start..pos].trim().is_empty() && cell.is_empty() {
                quoted = true;
                quote_line = line;
                pos += 1;
                seg_start = pos;
            } else if b == delim {
                cell.push_str(&text[seg_start..pos]);
                cells.push(std::mem::take(&mut cell).trim().to_string());
                pos += 1;
                seg_start = pos;
            } else if b == b'\n' {
                cell.push_str(&text[seg_start..pos]);
                pos += 1;
                line += 1;
                break;
            } else {
                pos += 1;
            }
        }
        cells.push(cell.trim().to_string());
        if cells.iter().any(|c| !c.is_empty()) {
            out.push((start_line, cells));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_and_lines() {
        let r = parse("a,\"b,c\"\n\n\"x\ny\",\"say \"\"hi\"\"\"\r\nlast", b',').unwrap();
        assert_eq!(
            r,
            vec![
                (1, vec!["a".to_string(), "b,c".to_string()]),
                (3, vec!["x\ny".to_string(), "say \"hi\"".to_string()]),
                (5, vec!["last".to_string()]),
            ]
        );
        assert_eq!(parse("a\n\"open", b','), Err(2));
    }

    #[test]
    fn title_rows_become_paragraphs() {
        let doc = read(
            "2025年工作要点任务分解表,,\n序号,工作任务,牵头单位\n1,建设平台,省数字办\n".into(),
            "UTF-8",
            b',',
            Format::Csv,
        )
        .unwrap();
        assert!(
            matches!(&doc.blocks[0], Block::Paragraph(p) if p.text == "2025年工作要点任务分解表")
        );
        assert!(
            matches!(&doc.blocks[1], Block::Table(t) if t.rows.len() == 2 && t.rows[1].origin.line == 3)
        );
    }
}
