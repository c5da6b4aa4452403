//! A small CSV reader that keeps the byte span of every field, so that a bad cell can be
//! pointed at exactly. RFC 4180 quoting (`"a,b"`, `""` for a quote, line breaks inside
//! quotes); lines starting with `#` and blank lines are skipped.
//!
//! Line endings: a file's records end the way its first record ends — `\n` or `\r\n`
//! (which may be mixed), or a bare `\r` (old Mac and Excel exports). Once the style is
//! known, the other kind of line break outside quotes cannot be a record end, and a
//! field that contains one unquoted is reported (it is usually a cell with an embedded
//! line break that was not quoted; splitting the row there would invent two bad rows).
//! Line numbers count every `\n`, `\r\n` and bare `\r` as one line break, the way the
//! diagnostic renderer does.
//!
//! The reader agrees with the `csv` crate on every file both accept without trimming
//! (`tests/csv-differential/` checks a generated corpus).

use std::borrow::Cow;

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

/// A problem in the CSV syntax.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A quote that was opened and never closed: the span of the opening quote. Reading
    /// stops there (the rest of the file is inside the quote).
    Unclosed(Span),
    /// A bare `\r` inside an unquoted field of a file whose lines end with `\n`: its span
    /// and 1-based line.
    StrayCr(Span, usize),
    /// A `\n` inside an unquoted field of a file whose lines end with a bare `\r`.
    StrayLf(Span, usize),
}

/// How the file's records end.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    /// `\n` or `\r\n`.
    Lf,
    /// A bare `\r`.
    Cr,
}

/// One field as the streaming reader ([`Records`]) returns it: the text is borrowed from
/// the input unless unquoting changed it (`""` inside quotes, text after the closing quote).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef<'a> {
    /// The text, quotes removed and `""` unescaped, surrounding spaces trimmed.
    pub text: Cow<'a, str>,
    /// The span of the field as written (quotes included).
    pub span: Span,
}

/// Reads every record of `text`, and every syntax problem found on the way (records are
/// still read after a stray line break, so that later rows get checked too).
pub fn read(text: &str) -> (Vec<Record>, Vec<Problem>) {
    let mut records = Vec::new();
    let mut reader = Records::new(text);
    let mut fields = Vec::new();
    while let Some((line, span)) = reader.next_into(&mut fields) {
        records.push(Record {
            line,
            fields: fields
                .drain(..)
                .map(|f| Field {
                    text: f.text.into_owned(),
                    span: f.span,
                })
                .collect(),
            span,
        });
    }
    (records, reader.into_problems())
}

/// The records of a text, one at a time, with fields borrowed from the text: a file of a
/// million rows is read without a million vectors and three million strings.
pub struct Records<'a> {
    r: Reader<'a>,
    pos: usize,
}

impl<'a> Records<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Records {
            r: Reader {
                text,
                bytes: text.as_bytes(),
                style: None,
                problems: Vec::new(),
                counted: 0,
                line: 1,
            },
            pos: 0,
        }
    }

    /// Reads the next record's fields into `fields` (cleared first) and returns the line
    /// it starts on and its span; `None` at the end of the text, or after a quote that is
    /// never closed (a problem, and the rest of the text is inside it).
    pub fn next_into(&mut self, fields: &mut Vec<FieldRef<'a>>) -> Option<(usize, Span)> {
        fields.clear();
        let r = &mut self.r;
        let text = r.text;
        let mut pos = self.pos;
        // Skip blank and comment lines: a line whose first non-space character is the
        // line's end or `#` (as `trim()` of the line would say, without scanning it all).
        while pos < r.bytes.len() {
            match r.blank_or_comment(pos) {
                Some(line_end) => pos = r.take_break(line_end),
                None => break,
            }
        }
        if pos >= r.bytes.len() {
            self.pos = pos;
            return None;
        }
        let start = pos;
        let start_line = r.line_at(start);
        loop {
            let Some((field, next)) = r.read_field(pos) else {
                self.pos = r.bytes.len();
                return None;
            };
            fields.push(field);
            pos = next;
            if r.bytes.get(pos) == Some(&b',') {
                pos += 1;
            } else {
                // A line break or the end of the text.
                let end = text[..pos].trim_end().len().max(start);
                self.pos = r.take_break(pos);
                return Some((start_line, Span::new(start, end)));
            }
        }
    }

    /// The syntax problems found, in the order found.
    pub fn into_problems(self) -> Vec<Problem> {
        self.r.problems
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    style: Option<Style>,
    problems: Vec<Problem>,
    /// Line counting: `line` is the 1-based line at byte `counted`.
    counted: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    /// The 1-based line of byte `at` (calls must come with non-decreasing `at`).
    fn line_at(&mut self, at: usize) -> usize {
        let b = self.bytes;
        while self.counted < at {
            match b[self.counted] {
                b'\n' => self.line += 1,
                b'\r' if b.get(self.counted + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.counted += 1;
        }
        self.line
    }

    /// Whether a record ends at byte `p` (outside quotes).
    fn ends_record(&self, p: usize) -> bool {
        match (self.bytes[p], self.style) {
            (b'\n', Some(Style::Cr)) => false,
            (b'\n', _) => true,
            (b'\r', Some(Style::Lf)) => self.bytes.get(p + 1) == Some(&b'\n'),
            (b'\r', _) => true,
            _ => false,
        }
    }

    /// The end of the physical line starting at `pos` (before its line break).
    fn line_end(&self, pos: usize) -> usize {
        let mut p = pos;
        while p < self.bytes.len() && !self.ends_record(p) {
            p += 1;
        }
        p
    }

    /// Whether the line starting at `pos` is blank or a comment (its first character
    /// that `trim` would keep is the line's end or `#`): then the end of the line.
    fn blank_or_comment(&self, pos: usize) -> Option<usize> {
        let mut p = pos;
        while p < self.bytes.len() {
            if self.ends_record(p) {
                return Some(p);
            }
            let b = self.bytes[p];
            if b == b'#' {
                return Some(self.line_end(p));
            }
            if b.is_ascii() {
                if !b.is_ascii_whitespace() && b != 0x0b {
                    return None;
                }
                p += 1;
            } else {
                let c = self.text[p..].chars().next()?;
                if !c.is_whitespace() {
                    return None;
                }
                p += c.len_utf8();
            }
        }
        Some(p)
    }

    /// Consumes the line break at `p` (if any), fixing the file's style on the first one.
    fn take_break(&mut self, p: usize) -> usize {
        match self.bytes.get(p) {
            None => p,
            Some(b'\r') if self.bytes.get(p + 1) == Some(&b'\n') => {
                self.style.get_or_insert(Style::Lf);
                p + 2
            }
            Some(b'\r') => {
                self.style.get_or_insert(Style::Cr);
                p + 1
            }
            Some(_) => {
                self.style.get_or_insert(Style::Lf);
                p + 1
            }
        }
    }

    /// A line break that cannot end a record here: a problem, kept in the field.
    fn stray(&mut self, p: usize) {
        let span = Span::new(p, p + 1);
        let line = self.line_at(p);
        self.problems.push(if self.bytes[p] == b'\r' {
            Problem::StrayCr(span, line)
        } else {
            Problem::StrayLf(span, line)
        });
    }

    /// Reads one field starting at `pos`: the field and where it ends; `None` after an
    /// unclosed quote (recorded as a problem).
    fn read_field(&mut self, pos: usize) -> Option<(FieldRef<'a>, usize)> {
        let (text, bytes) = (self.text, self.bytes);
        let mut p = pos;
        while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
            p += 1;
        }
        if bytes.get(p) == Some(&b'"') {
            let open = p;
            // Built only once unquoting changes the text (a `""`); else a slice.
            let mut value: Option<String> = None;
            let mut q = p + 1;
            let mut chunk_start = q;
            let close;
            loop {
                match bytes.get(q) {
                    None => {
                        self.problems
                            .push(Problem::Unclosed(Span::new(open, open + 1)));
                        return None;
                    }
                    Some(b'"') if bytes.get(q + 1) == Some(&b'"') => {
                        value
                            .get_or_insert_with(String::new)
                            .push_str(&text[chunk_start..q + 1]);
                        q += 2;
                        chunk_start = q;
                    }
                    Some(b'"') => {
                        close = q;
                        q += 1;
                        break;
                    }
                    Some(_) => q += 1,
                }
            }
            // Anything between the closing quote and the separator is kept as written.
            let end = self.unquoted_end(q);
            let tail = text[q..end].trim();
            let text = match value {
                None if tail.is_empty() => Cow::Borrowed(&text[chunk_start..close]),
                value => {
                    let mut value = value.unwrap_or_default();
                    value.push_str(&text[chunk_start..close]);
                    value.push_str(tail);
                    Cow::Owned(value)
                }
            };
            let field = FieldRef {
                text,
                span: Span::new(open, end),
            };
            return Some((field, end));
        }
        let end = self.unquoted_end(p);
        let trimmed = text[p..end].trim_end();
        let field = FieldRef {
            text: Cow::Borrowed(trimmed),
            span: Span::new(p, p + trimmed.len()),
        };
        Some((field, end))
    }

    /// The end of unquoted text starting at `p`: a comma or a record end. Line breaks
    /// that cannot end a record in this file's style are recorded as problems.
    fn unquoted_end(&mut self, p: usize) -> usize {
        let mut end = p;
        while end < self.bytes.len() && self.bytes[end] != b',' {
            if matches!(self.bytes[end], b'\r' | b'\n') {
                if self.ends_record(end) {
                    break;
                }
                self.stray(end);
            }
            end += 1;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<Record> {
        let (recs, problems) = read(text);
        assert_eq!(problems, [], "{text:?}");
        recs
    }

    fn texts(text: &str) -> Vec<Vec<String>> {
        ok(text)
            .into_iter()
            .map(|r| r.fields.into_iter().map(|f| f.text).collect())
            .collect()
    }

    #[test]
    fn fields_keep_spans() {
        let text = "# comment\na,b\n\"x,1\", 2 \n";
        let recs = ok(text);
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
        let recs = ok("a,\"say \"\"hi\"\"\nthere\"\nb,c");
        assert_eq!(recs[0].fields[1].text, "say \"hi\"\nthere");
        assert_eq!(recs[1].line, 3);
    }

    #[test]
    fn unclosed_quote_points_at_opener() {
        let (_, problems) = read("a,\"bc\n");
        assert_eq!(problems, [Problem::Unclosed(Span::new(2, 3))]);
    }

    #[test]
    fn crlf_and_missing_trailing_newline() {
        assert_eq!(texts("a,b\r\nc,d"), [["a", "b"], ["c", "d"]]);
    }

    #[test]
    fn bare_cr_line_endings_load_every_row() {
        // Before: the reader stopped at the first bare CR and dropped the rest silently.
        let recs = ok("# old Mac export\ra,b\r\"x\ry\",2\r\rc,d\r");
        let t: Vec<Vec<&str>> = recs
            .iter()
            .map(|r| r.fields.iter().map(|f| f.text.as_str()).collect())
            .collect();
        assert_eq!(t, [vec!["a", "b"], vec!["x\ry", "2"], vec!["c", "d"]]);
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 6]);
    }

    #[test]
    fn a_cr_inside_an_unquoted_field_is_a_problem() {
        let text = "a,b\nc\rd,e\nf,g\n";
        let (recs, problems) = read(text);
        assert_eq!(problems, [Problem::StrayCr(Span::new(5, 6), 2)]);
        // The later rows are still read, so that their errors are reported too.
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].fields[0].text, "c\rd");
        let (_, problems) = read("a,b\rc\nd,e\r");
        assert_eq!(problems, [Problem::StrayLf(Span::new(5, 6), 2)]);
    }
}
