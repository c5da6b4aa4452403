//! Progress as JSON: an array of `{"target_id", "actual", "as_of", "note"}` objects.
//!
//! serde_json checks the syntax; then a small scanner walks the (now known valid) text
//! and finds where every element, key and value was written, so that a bad value — or a
//! key written twice in one object, which serde_json would silently resolve to the last
//! value — can be pointed at. Keys and values are decoded by serde_json from their spans.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::{data_error, Cell, RawRow, Validator, COLUMNS};
use crate::error::{Code, Error, Source};
use crate::lang::ast::Span;
use crate::lang::suggest::closest;

/// Reads the rows of a JSON progress file into `check`. Problems of single objects
/// (unknown or repeated fields, non-objects) are `check`'s errors and the rest is still
/// read; a file that is not JSON, or not an array, is an `Err`.
pub(super) fn rows(source: &Source, check: &mut Validator<'_>) -> Result<(), Error> {
    let text = &*source.text;
    let help = "a JSON progress file is an array of {\"target_id\", \"actual\", \"as_of\", \"note\"} objects";
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let offset = offset_of(text, e.line(), e.column());
        return Err(
            data_error(Code::ProgressBadJson, format!("invalid JSON: {e}"))
                .at(source, Span::new(offset, next_char(text, offset)), "here")
                .with_help(help),
        );
    }
    // Line numbers, counted incrementally (elements come in text order).
    let (mut counted, mut line) = (0, 1);
    let mut i = 0;
    let walked = Scanner::new(text).array(|span, members| {
        i += 1;
        line += text.as_bytes()[counted..span.start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = span.start;
        let Some(members) = members else {
            check.errors.push(
                data_error(Code::ProgressBadRow, format!("item {i} is not an object")).at(
                    source,
                    span,
                    "expected {\"target_id\": …, \"actual\": …, \"as_of\": …}",
                ),
            );
            return;
        };
        // The first of each key, with its member: a list for the usual handful of keys, a
        // map for an object with many (an object may be hostile-large).
        let mut seen: Vec<(Cow<'_, str>, Member)> = Vec::with_capacity(members.len().min(8));
        let mut many: HashMap<Cow<'_, str>, Member> = HashMap::new();
        for &m in members {
            let Some(key) = string(text, m.key) else {
                continue; // cannot happen in valid JSON
            };
            let first = if members.len() <= 16 {
                seen.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)
            } else {
                many.get(&key).copied()
            };
            if let Some(first) = first {
                let first_line = source.line_col(first.key.start).0;
                check.errors.push(
                    data_error(
                        Code::ProgressDuplicateField,
                        format!("field `{key}` appears twice in item {i}"),
                    )
                    .at(
                        source,
                        m.key,
                        format!("second `{key}` (the first is on line {first_line})"),
                    )
                    .with_help(format!("keep one `{key}` per object")),
                );
                continue;
            }
            if !COLUMNS.contains(&&*key) {
                let help = closest(&key, COLUMNS.iter().copied()).map_or(
                    "fields are target_id, actual, as_of, note and plan".to_string(),
                    |c| format!("did you mean `{c}`?"),
                );
                check.errors.push(
                    data_error(
                        Code::ProgressUnknownColumn,
                        format!("unknown field `{key}`"),
                    )
                    .at(source, m.key, "not a progress field")
                    .with_help(help),
                );
            }
            if members.len() <= 16 {
                seen.push((key, m));
            } else {
                many.insert(key, m);
            }
        }
        let cell = |key: &str| -> Cell<'_> {
            let m = if members.len() <= 16 {
                seen.iter().find(|(k, _)| k == key).map(|(_, m)| *m)
            } else {
                many.get(key).copied()
            }?;
            Some((value(text, m.value)?, m.value))
        };
        check.row(RawRow {
            line,
            span,
            target_id: cell("target_id"),
            actual: cell("actual"),
            as_of: cell("as_of"),
            note: cell("note").map(|(t, _)| t),
            plan: cell("plan"),
        });
    });
    if walked.is_none() {
        let at = text.len() - text.trim_start().len();
        return Err(data_error(
            Code::ProgressBadJson,
            "a JSON progress file must be an array of objects",
        )
        .at(source, Span::new(at, next_char(text, at)), "expected `[`")
        .with_help(help));
    }
    Ok(())
}

/// The JSON string written at `span`, decoded: a slice of the text when it has no escapes.
fn string(text: &str, span: Span) -> Option<Cow<'_, str>> {
    let raw = &text[span.start..span.end];
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A cell's text from the JSON value written at `span`: a string's contents, a number or
/// `true`/`false` as written, an array or object in serde_json's compact form; `None`
/// for `null`.
fn value(text: &str, span: Span) -> Option<Cow<'_, str>> {
    let raw = &text[span.start..span.end];
    match raw.as_bytes().first()? {
        b'"' => string(text, span),
        b'n' => None,
        b'[' | b'{' => serde_json::from_str::<Value>(raw)
            .ok()
            .map(|v| Cow::Owned(v.to_string())),
        _ => Some(Cow::Borrowed(raw)),
    }
}

/// The byte after the character at `at` (or `at` at the end).
fn next_char(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

/// Byte offset of a 1-based line and column (serde_json's columns count bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut off = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: Span,
    value: Span,
}

/// Walks valid JSON text, byte by byte (every structural character is ASCII). It never
/// panics on invalid text either: it returns `None`.
struct Scanner<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            b: text.as_bytes(),
            p: 0,
        }
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.p += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.p) == Some(&c)).then(|| self.p += 1)
    }

    /// Walks the elements of a top-level array, handing each to `each` with its members
    /// when it is an object; `None` when the text is not an array (or not valid JSON).
    fn array(&mut self, mut each: impl FnMut(Span, Option<&[Member]>)) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        // One buffer for every object's members.
        let mut members = Vec::new();
        loop {
            self.ws();
            let start = self.p;
            let is_object = self.b.get(self.p) == Some(&b'{');
            if is_object {
                self.object(&mut members)?;
            } else {
                self.skip_value()?;
            }
            each(
                Span::new(start, self.p),
                is_object.then_some(members.as_slice()),
            );
            if self.eat(b',').is_none() {
                self.eat(b']')?;
                return Some(());
            }
        }
    }

    /// The members of the object at the cursor, into `out` (cleared first).
    fn object(&mut self, out: &mut Vec<Member>) -> Option<()> {
        self.eat(b'{')?;
        out.clear();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let k = self.p;
            self.skip_string()?;
            let key = Span::new(k, self.p);
            self.eat(b':')?;
            self.ws();
            let v = self.p;
            self.skip_value()?;
            out.push(Member {
                key,
                value: Span::new(v, self.p),
            });
            if self.eat(b',').is_none() {
                self.eat(b'}')?;
                return Some(());
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        if self.b.get(self.p) != Some(&b'"') {
            return None;
        }
        self.p += 1;
        loop {
            match self.b.get(self.p)? {
                b'\\' => self.p += 2,
                b'"' => {
                    self.p += 1;
                    return Some(());
                }
                _ => self.p += 1,
            }
        }
    }

    /// Skips one value of any kind (iteratively: nesting depth costs no stack).
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.b.get(self.p)? {
                b'"' => self.skip_string()?,
                b'[' | b'{' => {
                    depth += 1;
                    self.p += 1;
                }
                b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    self.p += 1;
                }
                _ if depth > 0 => self.p += 1,
                _ => {
                    // A number or a literal.
                    let start = self.p;
                    while self.b.get(self.p).is_some_and(|c| {
                        !matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                    }) {
                        self.p += 1;
                    }
                    if self.p == start {
                        return None;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_finds_members_in_nested_and_escaped_text() {
        let text = r#" [ {"a\"b": [1, {"x": "}"}], "c" : -1.5e3 }, "s", 7 ] "#;
        let mut els = Vec::new();
        Scanner::new(text)
            .array(|span, members| els.push((span, members.map(<[Member]>::to_vec))))
            .unwrap();
        assert_eq!(els.len(), 3);
        let m = els[0].1.as_ref().unwrap();
        assert_eq!(&text[m[0].key.start..m[0].key.end], r#""a\"b""#);
        assert_eq!(
            &text[m[0].value.start..m[0].value.end],
            r#"[1, {"x": "}"}]"#
        );
        assert_eq!(&text[m[1].value.start..m[1].value.end], "-1.5e3");
        assert!(els[1].1.is_none());
        assert_eq!(&text[els[2].0.start..els[2].0.end], "7");
    }
}
