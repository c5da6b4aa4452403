//! Progress as JSON: an array of `{"target_id", "actual", "as_of", "note"}` objects.
//! serde_json checks the syntax; a small scanner finds where each object and value was
//! written so that a bad value can be pointed at.

use serde_json::Value;

use super::{data_error, summary, Cell, RawRow, COLUMNS};
use crate::error::{Error, Source};
use crate::lang::ast::Span;
use crate::lang::suggest::closest;

pub(super) fn rows(source: &Source) -> Result<Vec<RawRow>, Error> {
    let text = &*source.text;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column());
        data_error("planq::progress::bad_json", format!("invalid JSON: {e}"))
            .at(source, Span::new(offset, (offset + 1).min(text.len())), "here")
            .with_help("a JSON progress file is an array of {\"target_id\", \"actual\", \"as_of\", \"note\"} objects")
    })?;
    let Value::Array(items) = value else {
        return Err(data_error(
            "planq::progress::bad_json",
            "a JSON progress file must be an array of objects",
        )
        .at(source, Span::new(0, text.len().min(1)), "expected `[`"));
    };
    let spans = element_spans(text);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let span = spans.get(i).copied().unwrap_or(Span::new(0, 0));
        let obj_text = &text[span.start..span.end];
        let line = text[..span.start].matches('\n').count() + 1;
        let Value::Object(map) = item else {
            errors.push(
                data_error(
                    "planq::progress::bad_row",
                    format!("item {} is not an object", i + 1),
                )
                .at(
                    source,
                    span,
                    "expected {\"target_id\": …, \"actual\": …, \"as_of\": …}",
                ),
            );
            continue;
        };
        for key in map.keys() {
            if !COLUMNS.contains(&key.as_str()) {
                let help = closest(key, COLUMNS.iter().copied()).map_or(
                    "fields are target_id, actual, as_of and note".to_string(),
                    |c| format!("did you mean `{c}`?"),
                );
                errors.push(
                    data_error(
                        "planq::progress::unknown_column",
                        format!("unknown field `{key}`"),
                    )
                    .at(
                        source,
                        key_span(obj_text, key, span),
                        "not a progress field",
                    )
                    .with_help(help),
                );
            }
        }
        let cell = |key: &str| -> Cell {
            let v = map.get(key)?;
            let text = match v {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((text, value_span(obj_text, key, span)))
        };
        rows.push(RawRow {
            line,
            span,
            target_id: cell("target_id"),
            actual: cell("actual"),
            as_of: cell("as_of"),
            note: cell("note").map(|(t, _)| t),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(summary(source, errors))
    }
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

/// Spans of the top-level array's elements (the text is known to be valid JSON).
fn element_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut start = None;
    for (i, c) in text.char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                if depth == 1 && start.is_none() {
                    start = Some(i);
                }
            }
            '[' | '{' => {
                if depth == 1 && start.is_none() {
                    start = Some(i);
                }
                depth += 1;
            }
            ']' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    if let Some(s) = start.take() {
                        spans.push(Span::new(s, i + 1));
                    }
                } else if depth == 0 {
                    if let Some(s) = start.take() {
                        spans.push(Span::new(s, text[..i].trim_end().len()));
                    }
                }
            }
            ',' if depth == 1 => {
                if let Some(s) = start.take() {
                    spans.push(Span::new(s, text[..i].trim_end().len()));
                }
            }
            c if depth == 1 && start.is_none() && !c.is_whitespace() => start = Some(i),
            _ => {}
        }
    }
    spans
}

/// The span of `"key"` inside an object's text.
fn key_span(obj: &str, key: &str, obj_span: Span) -> Span {
    let quoted = format!("\"{key}\"");
    match obj.find(&quoted) {
        Some(at) => Span::new(obj_span.start + at, obj_span.start + at + quoted.len()),
        None => obj_span,
    }
}

/// The span of the value of `"key"` inside an object's text.
fn value_span(obj: &str, key: &str, obj_span: Span) -> Span {
    let k = key_span(obj, key, obj_span);
    if k == obj_span {
        return obj_span;
    }
    let rel = k.end - obj_span.start;
    let rest = &obj[rel..];
    let Some(colon) = rest.find(':') else {
        return k;
    };
    let after = &rest[colon + 1..];
    let lead = after.len() - after.trim_start().len();
    let v_start = rel + colon + 1 + lead;
    let v = &obj[v_start..];
    let len = if v.starts_with('"') {
        let mut esc = false;
        let mut end = v.len();
        for (i, c) in v.char_indices().skip(1) {
            match c {
                _ if esc => esc = false,
                '\\' => esc = true,
                '"' => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        end
    } else {
        v.find([',', '}', '\n'])
            .unwrap_or(v.len())
            .min(v.trim_end().len())
    };
    Span::new(obj_span.start + v_start, obj_span.start + v_start + len)
}
