//! A small CSV reader that keeps the byte span of every field, so that a bad cell can be
//! pointed at exactly. RFC 4180 quoting (`"a,b"`, `""` for a quote, newlines inside
//! quotes); lines starting with `#` and blank lines are skipped.

use crate::lang::ast::Span;

/// One field: its unquoted text and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The text, quotes removed and `""` unescaped, surrounding spaces trimmed.
    pub text: String,
    /// The span of the field as written (quotes included).
    pub span: Span,
}

/// One record with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line of the record's start.
    pub line: usize,
    /// Its fields.
    pub fields: Vec<Field>,
    /// The span of the whole record.
    pub span: Span,
}

/// A quote that was opened and never closed: the span of the opening quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Unclosed(pub Span);

/// Reads every record of `text`.
pub fn read(text: &str) -> Result<Vec<Record>, Unclosed> {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < bytes.len() {
        // Skip blank and comment lines.
        let line_end = text[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
        let raw = text[pos..line_end].trim();
        if raw.is_empty() || raw.starts_with('#') {
            pos = line_end + 1;
            line += 1;
            continue;
        }
        let start = pos;
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            let (field, next, newlines) = read_field(text, pos)?;
            line += newlines;
            fields.push(field);
            pos = next;
            match bytes.get(pos) {
                Some(b',') => pos += 1,
                Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => {
                    pos += 2;
                    line += 1;
                    break;
                }
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                    break;
                }
                _ => {
                    pos = bytes.len();
                    break;
                }
            }
        }
        let end = text[..pos].trim_end().len().max(start);
        records.push(Record {
            line: start_line,
            fields,
            span: Span::new(start, end),
        });
    }
    Ok(records)
}

/// Reads one field starting at `pos`: the field, where it ends, newlines consumed.
fn read_field(text: &str, pos: usize) -> Result<(Field, usize, usize), Unclosed> {
    let bytes = text.as_bytes();
    let mut p = pos;
    while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
        p += 1;
    }
    if bytes.get(p) == Some(&b'"') {
        let open = p;
        let mut value = String::new();
        let mut newlines = 0;
        let mut q = p + 1;
        let mut chunk_start = q;
        loop {
            match bytes.get(q) {
                None => return Err(Unclosed(Span::new(open, open + 1))),
                Some(b'"') if bytes.get(q + 1) == Some(&b'"') => {
                    value.push_str(&text[chunk_start..q + 1]);
                    q += 2;
                    chunk_start = q;
                }
                Some(b'"') => {
                    value.push_str(&text[chunk_start..q]);
                    q += 1;
                    break;
                }
                Some(b'\n') => {
                    newlines += 1;
                    q += 1;
                }
                Some(_) => q += 1,
            }
        }
        // Anything between the closing quote and the separator is kept as written.
        let mut end = q;
        while end < bytes.len() && !matches!(bytes[end], b',' | b'\n' | b'\r') {
            end += 1;
        }
        value.push_str(text[q..end].trim());
        let field = Field {
            text: value,
            span: Span::new(open, end),
        };
        return Ok((field, end, newlines));
    }
    let mut end = p;
    while end < bytes.len() && !matches!(bytes[end], b',' | b'\n' | b'\r') {
        end += 1;
    }
    let raw = &text[p..end];
    let trimmed = raw.trim_end();
    let field = Field {
        text: trimmed.to_string(),
        span: Span::new(p, p + trimmed.len()),
    };
    Ok((field, end, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_spans() {
        let text = "# comment\na,b\n\"x,1\", 2 \n";
        let recs = read(text).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].line, 2);
        assert_eq!(recs[1].fields[0].text, "x,1");
        assert_eq!(
            &text[recs[1].fields[0].span.start..recs[1].fields[0].span.end],
            "\"x,1\""
        );
        assert_eq!(recs[1].fields[1].text, "2");
        assert_eq!(
            &text[recs[1].fields[1].span.start..recs[1].fields[1].span.end],
            "2"
        );
    }

    #[test]
    fn quotes_escape_and_span_lines() {
        let recs = read("a,\"say \"\"hi\"\"\nthere\"\nb,c").unwrap();
        assert_eq!(recs[0].fields[1].text, "say \"hi\"\nthere");
        assert_eq!(recs[1].line, 3);
    }

    #[test]
    fn unclosed_quote_points_at_opener() {
        assert_eq!(read("a,\"bc\n"), Err(Unclosed(Span::new(2, 3))));
    }

    #[test]
    fn crlf_and_missing_trailing_newline() {
        let recs = read("a,b\r\nc,d").unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].fields[1].text, "b");
        assert_eq!(recs[1].fields[1].text, "d");
    }
}
