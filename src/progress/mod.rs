//! Progress reports: what has been done towards each target, loaded from CSV
//! (`target_id,actual,as_of[,note]`) or JSON (an array of such objects).
//!
//! Loading is all-or-nothing: every problem of a file is reported together, each pointing
//! at its row and cell, and a file with any error loads nothing.

pub(crate) mod csv;
mod json;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::suggest::closest_many;
use crate::plan::Date;

/// One progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The target reported on (`<task_id>#<n>`).
    pub target_id: String,
    /// The amount done, in the target's unit.
    pub actual: f64,
    /// The date the amount was measured.
    pub as_of: Date,
    /// A free-text remark.
    #[serde(default)]
    pub note: Option<String>,
    /// The plan the target belongs to (its `plans.plan` id): from the file's `plan`
    /// column, else the one plan that has the target; empty from [`load`].
    #[serde(default)]
    pub plan: String,
}

/// The targets a progress file may report on: each target id with the plans that have it.
#[derive(Debug, Default)]
pub struct Known {
    /// Target id → the plans that have a target of that id.
    plans_of: HashMap<String, Vec<String>>,
    /// Every plan id, in order.
    plans: Vec<String>,
    /// Every target id once, in order (for did-you-mean).
    ids: Vec<String>,
}

impl Known {
    /// From (plan, target id) pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Known {
        let mut k = Known::default();
        let mut plans = HashSet::new();
        for (plan, id) in pairs {
            if plans.insert(plan.to_string()) {
                k.plans.push(plan.to_string());
            }
            let e = k.plans_of.entry(id.to_string()).or_default();
            if e.is_empty() {
                k.ids.push(id.to_string());
            }
            if e.last().map(String::as_str) != Some(plan) {
                e.push(plan.to_string());
            }
        }
        k
    }

    /// Also a plan without targets (a `plan` cell naming it is then no typo).
    pub fn with_plans<'a>(mut self, plans: impl IntoIterator<Item = &'a str>) -> Known {
        for p in plans {
            if !self.plans.iter().any(|q| q == p) {
                self.plans.push(p.to_string());
            }
        }
        self
    }
}

/// A cell as written, with its span; `None` when the column is absent from the row.
type Cell = Option<(String, Span)>;

/// A row before validation, in the shape both formats share.
struct RawRow {
    line: usize,
    span: Span,
    target_id: Cell,
    actual: Cell,
    as_of: Cell,
    note: Option<String>,
    /// The `plan` cell, when the file has that column.
    plan: Cell,
}

/// The columns of a progress file.
const COLUMNS: &[&str] = &["target_id", "actual", "as_of", "note", "plan"];

/// Reads and validates a progress file from disk.
pub fn load_file(path: &str, known_targets: &[String]) -> Result<Vec<Report>, Error> {
    load(&read_file(path)?, known_targets, &[])
}

/// Validates progress text against the targets of one plan (see [`load_in`]); the
/// reports' `plan` is empty.
pub fn load(
    source: &Source,
    known_targets: &[String],
    earlier: &[Report],
) -> Result<Vec<Report>, Error> {
    let known = Known::new(known_targets.iter().map(|t| ("", t.as_str())));
    load_in(source, &known, earlier)
}

/// Reads a progress file as text, decoded the way plan text is
/// ([`crate::plan::source::text::decode`]): UTF-8 (with or without BOM), UTF-16 with a
/// BOM, else GB18030/GBK — what Excel on Chinese Windows saves as "CSV". Bytes no encoding
/// decodes are an error naming the encoding tried and the byte's offset.
pub fn read_file(path: &str) -> Result<Source, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
    match crate::plan::source::text::decode(&bytes, None) {
        Ok((text, _encoding)) => Ok(Source::new(path, text)),
        Err(e) => {
            let err = Error::new(ErrorKind::Data, "planq::progress::encoding", e.message)
                .with_help(
                    "progress files are read as UTF-8, UTF-16 (with BOM) or GB18030/GBK; \
                     save the file as UTF-8 (Excel: \"CSV UTF-8\")",
                );
            Err(match e.at.map(|at| *at) {
                Some((text, range, label)) => err.at(
                    &Source::new(path, text),
                    Span::new(range.start, range.end),
                    label,
                ),
                None => err,
            })
        }
    }
}

/// Validates progress text. JSON when the name ends in `.json` or the text starts with
/// `[`; CSV otherwise. A leading byte-order mark (Excel and Notepad write one) is not
/// part of the data; diagnostics then point into the text without it.
/// `earlier` are reports already loaded (from other files): reporting one of them again
/// for the same date is a duplicate too. With several plans known, a row's plan is its
/// `plan` cell, else the one plan that has its target; a target id that several plans
/// have needs the cell (`planq::progress::ambiguous_target`).
pub fn load_in(source: &Source, known: &Known, earlier: &[Report]) -> Result<Vec<Report>, Error> {
    let stripped;
    let source = match source.text.strip_prefix('\u{feff}') {
        Some(rest) => {
            stripped = Source::new(source.name.clone(), rest);
            &stripped
        }
        None => source,
    };
    let is_json = source.name.to_ascii_lowercase().ends_with(".json")
        || source.text.trim_start().starts_with('[');
    // Problems of the file's shape are collected with the problems of its values, so
    // that one bad row never hides another.
    let mut errors = Vec::new();
    let (rows, present) = if is_json {
        (json::rows(source, &mut errors)?, [true; 3])
    } else {
        csv_rows(source, &mut errors)?
    };
    validate(source, rows, known, earlier, present, errors)
}

fn data_error(code: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Data, code, message)
}

/// The rows of a CSV file, and which of `target_id`, `actual`, `as_of` its header has.
fn csv_rows(source: &Source, errors: &mut Vec<Error>) -> Result<(Vec<RawRow>, [bool; 3]), Error> {
    let (records, problems) = csv::read(&source.text);
    for p in problems {
        errors.push(match p {
            csv::Problem::Unclosed(span) => data_error(
                "planq::progress::unclosed_quote",
                "a quoted field is never closed",
            )
            .at(source, span, "this quote is not closed")
            .with_help("close the field with `\"`, and write a quote inside a field as `\"\"`"),
            csv::Problem::StrayCr(span, line) => data_error(
                "planq::progress::stray_line_break",
                format!("line {line}: a carriage return (\\r) inside an unquoted field"),
            )
            .at(source, span, "carriage return here")
            .with_help(
                "this file's lines end with \\n: quote a field that holds a line break, or remove the \\r",
            ),
            csv::Problem::StrayLf(span, line) => data_error(
                "planq::progress::stray_line_break",
                format!("line {line}: a line feed (\\n) inside an unquoted field"),
            )
            .at(source, span, "line feed here")
            .with_help(
                "this file's lines end with \\r: quote a field that holds a line break, or use one kind of line ending",
            ),
        });
    }
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        if !errors.is_empty() {
            return Err(summary(source, std::mem::take(errors)));
        }
        return Err(data_error(
            "planq::progress::empty",
            format!("progress file `{}` has no header and no rows", source.name),
        )
        .with_help("the first line must be the header `target_id,actual,as_of,note`"));
    };
    let mut index = [None; 5];
    for (i, f) in header.fields.iter().enumerate() {
        let name = f.text.as_str();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) if index[k].is_none() => index[k] = Some(i),
            Some(_) => errors.push(
                data_error(
                    "planq::progress::duplicate_column",
                    format!("column `{name}` appears twice"),
                )
                .at(source, f.span, format!("second `{name}` column"))
                .with_help("keep one column of each name"),
            ),
            None => errors.push(
                data_error(
                    "planq::progress::unknown_column",
                    format!("unknown column `{name}` in the header"),
                )
                .at(source, f.span, "not a progress column")
                .with_help(column_help(name)),
            ),
        }
    }
    for (k, col) in COLUMNS.iter().enumerate().take(3) {
        if index[k].is_none() {
            errors.push(
                data_error(
                    "planq::progress::missing_column",
                    format!("the header has no `{col}` column"),
                )
                .at(source, header.span, format!("`{col}` is missing here"))
                .with_help("the header must be `target_id,actual,as_of` with an optional `note`"),
            );
        }
    }
    let present = [index[0].is_some(), index[1].is_some(), index[2].is_some()];
    let cell = |r: &csv::Record, k: usize| -> Cell {
        let f = r.fields.get(index[k]?)?;
        Some((f.text.clone(), f.span))
    };
    let mut rows = Vec::new();
    for r in records {
        if r.fields.len() > header.fields.len() {
            // Reported, and the row is still checked: its other problems show too.
            let extra = &r.fields[header.fields.len()];
            errors.push(
                data_error(
                    "planq::progress::extra_fields",
                    format!(
                        "line {}: row has {} fields but the header has {}",
                        r.line,
                        r.fields.len(),
                        header.fields.len()
                    ),
                )
                .at(
                    source,
                    Span::new(extra.span.start, r.span.end.max(extra.span.start)),
                    "too many fields",
                )
                .with_help("quote a value that contains a comma: \"a, b\""),
            );
        }
        rows.push(RawRow {
            line: r.line,
            span: r.span,
            target_id: cell(&r, 0),
            actual: cell(&r, 1),
            as_of: cell(&r, 2),
            note: cell(&r, 3).map(|(t, _)| t).filter(|t| !t.is_empty()),
            plan: cell(&r, 4),
        });
    }
    Ok((rows, present))
}

fn column_help(name: &str) -> String {
    match closest_many(name, COLUMNS.iter().copied(), 1).first() {
        Some(c) => format!("did you mean `{c}`?"),
        None => "progress columns are target_id, actual, as_of, note and plan".to_string(),
    }
}

/// One error for a whole file, with each problem as a related diagnostic.
fn summary(source: &Source, errors: Vec<Error>) -> Error {
    if let [only] = errors.as_slice() {
        let mut e = only.clone();
        e.message = format!("{} (nothing was loaded from `{}`)", e.message, source.name);
        return e;
    }
    data_error(
        "planq::progress::invalid",
        format!(
            "progress file `{}` has {} errors; nothing was loaded from it",
            source.name,
            errors.len()
        ),
    )
    .with_help("fix every row listed below, then load the file again")
    .with_related(errors)
}

/// Checks every row; `present` says which of `target_id`, `actual`, `as_of` the file has
/// at all (a column missing from the header is reported once, not on every row), and
/// `errors` holds the problems already found in the file's shape.
fn validate(
    source: &Source,
    rows: Vec<RawRow>,
    known: &Known,
    earlier: &[Report],
    present: [bool; 3],
    mut errors: Vec<Error>,
) -> Result<Vec<Report>, Error> {
    // Sets, not scans: every row is checked against the plan's targets, the earlier files
    // and the rows before it, so scans would cost rows × targets and rows².
    let several = known.plans.len() > 1;
    let earlier_keys: HashSet<(&str, &str, Date)> = earlier
        .iter()
        .map(|r| (r.plan.as_str(), r.target_id.as_str(), r.as_of))
        .collect();
    let mut first_line_of: HashMap<(String, String, Date), usize> = HashMap::new();
    // Did-you-mean compares an unknown id with every known one; past this many unknown ids
    // the rest get the general help, so a file of wrong ids stays linear.
    const SUGGESTED_UNKNOWN_IDS: usize = 100;
    let mut unknown_ids = 0usize;
    let mut out: Vec<Report> = Vec::new();
    for row in rows {
        let missing = |col: &str| {
            data_error(
                "planq::progress::missing_value",
                format!("row on line {} has no `{col}`", row.line),
            )
            .at(source, row.span, format!("`{col}` missing"))
        };
        // The plan the row names, if it names one that exists.
        let mut plan_named: Option<&str> = None;
        if let Some((p, span)) = row.plan.as_ref().filter(|(p, _)| !p.is_empty()) {
            match known.plans.iter().find(|q| *q == p) {
                Some(q) => plan_named = Some(q.as_str()),
                None => {
                    let near = closest_many(p, known.plans.iter().map(String::as_str), 3);
                    errors.push(
                        data_error(
                            "planq::progress::unknown_plan",
                            format!("line {}: no plan `{p}` is loaded", row.line),
                        )
                        .at(source, *span, "unknown plan id")
                        .with_help(if near.is_empty() {
                            "the plan column holds ids of loaded plans: list them with `plans | select plan, file`"
                                .to_string()
                        } else {
                            format!(
                                "did you mean {}?",
                                near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")
                            )
                        }),
                    );
                    continue;
                }
            }
        }
        let target_id = match &row.target_id {
            Some((t, span)) if !t.is_empty() => {
                let plans = known.plans_of.get(t.as_str());
                let found = match (plans, plan_named) {
                    (Some(ps), Some(p)) => ps.iter().any(|q| q == p).then(|| p.to_string()),
                    (Some(ps), None) if ps.len() == 1 => Some(ps[0].clone()),
                    (Some(ps), None) => {
                        let shown: Vec<String> =
                            ps.iter().take(5).map(|p| format!("`{p}`")).collect();
                        errors.push(
                            data_error(
                                "planq::progress::ambiguous_target",
                                format!(
                                    "line {}: target `{t}` is in {} loaded plans ({}{}), and the row does not say which",
                                    row.line,
                                    ps.len(),
                                    shown.join(", "),
                                    if ps.len() > 5 { ", …" } else { "" }
                                ),
                            )
                            .at(source, *span, "which plan's target?")
                            .with_help(
                                "add a `plan` column naming the plan of each row (its id in `plans | select plan, file`)",
                            ),
                        );
                        continue;
                    }
                    (None, _) => None,
                };
                if let Some(plan) = found {
                    Some((plan, t.clone()))
                } else {
                    let in_plan = match plan_named {
                        Some(p) if several => format!(" in plan `{p}`"),
                        _ => String::new(),
                    };
                    let known_ids = &known.ids;

                    unknown_ids += 1;
                    let near = if unknown_ids <= SUGGESTED_UNKNOWN_IDS {
                        closest_many(t, known_ids.iter().map(String::as_str), 3)
                    } else {
                        Vec::new()
                    };
                    let help = if near.is_empty() {
                        format!(
                            "target ids look like `2.5#1` (task id, `#`, number); list them with `targets | select id, metric`{}",
                            if known_ids.is_empty() { " (this plan has no targets)" } else { "" }
                        )
                    } else {
                        format!(
                            "did you mean {}?",
                            near.iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    };
                    errors.push(
                        data_error(
                            "planq::progress::unknown_target",
                            format!("line {}: no target `{t}` in the plan{in_plan}", row.line),
                        )
                        .at(source, *span, "unknown target id")
                        .with_help(help),
                    );
                    None
                }
            }
            _ => {
                if present[0] {
                    errors.push(missing("target_id"));
                }
                None
            }
        };
        let actual = match &row.actual {
            Some((t, span)) if !t.is_empty() => match parse_actual(t) {
                Some(v) => Some(v),
                None => {
                    errors.push(
                        data_error(
                            "planq::progress::bad_number",
                            format!("line {}: `{t}` is not a number", row.line),
                        )
                        .at(source, *span, "expected a non-negative number")
                        .with_help("write the amount done as a plain number, e.g. 1250 or 87.5 (a trailing % is allowed)"),
                    );
                    None
                }
            },
            _ => {
                if present[1] {
                    errors.push(missing("actual"));
                }
                None
            }
        };
        let as_of = match &row.as_of {
            Some((t, span)) if !t.is_empty() => match Date::parse_iso(t) {
                Some(d) => Some(d),
                None => {
                    errors.push(
                        data_error(
                            "planq::progress::bad_date",
                            format!("line {}: `{t}` is not a date", row.line),
                        )
                        .at(source, *span, "expected YYYY-MM-DD")
                        .with_help(
                            "dates are written like 2010-06-30, and must exist in the calendar",
                        ),
                    );
                    None
                }
            },
            _ => {
                if present[2] {
                    errors.push(missing("as_of"));
                }
                None
            }
        };
        if let (Some((plan, target_id)), Some(actual), Some(as_of)) = (target_id, actual, as_of) {
            let span = row.as_of.as_ref().map_or(row.span, |(_, s)| *s);
            if earlier_keys.contains(&(plan.as_str(), target_id.as_str(), as_of)) {
                errors.push(
                    data_error(
                        "planq::progress::duplicate",
                        format!(
                            "line {}: `{target_id}` for {as_of} was already loaded from an earlier progress file",
                            row.line
                        ),
                    )
                    .at(source, span, "reported again here")
                    .with_help("keep one report per target and date across progress files"),
                );
                continue;
            }
            let key = (plan.clone(), target_id.clone(), as_of);
            if let Some(first_line) = first_line_of.get(&key) {
                errors.push(
                    data_error(
                        "planq::progress::duplicate",
                        format!(
                            "line {}: `{target_id}` is reported twice for {as_of}",
                            row.line
                        ),
                    )
                    .at(
                        source,
                        span,
                        format!("already reported on line {first_line}"),
                    )
                    .with_help(
                        "keep one report per target and date; use a later as_of for an update",
                    ),
                );
                continue;
            }
            first_line_of.insert(key, row.line);
            out.push(Report {
                target_id,
                actual,
                as_of,
                note: row.note,
                plan,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        // In file order, whichever pass found them.
        errors.sort_by_key(|e| e.span.map_or(0, |s| s.start));
        Err(summary(source, errors))
    }
}

/// A finite, non-negative number; a trailing `%` is allowed.
fn parse_actual(t: &str) -> Option<f64> {
    let t = t.trim().trim_end_matches(['%', '％']).trim();
    let v: f64 = t.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["2.5#1", "4.1#1", "4.1#3"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn loads_csv_with_comments_and_notes() {
        let src = Source::new(
            "p.csv",
            "# sample\ntarget_id,actual,as_of,note\n2.5#1,1500,2010-06-30,\"half, roughly\"\n4.1#3,95%,2010-12-31,\n",
        );
        let r = load(&src, &known(), &[]).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].note.as_deref(), Some("half, roughly"));
        assert_eq!(r[1].actual, 95.0);
        assert_eq!(r[1].note, None);
    }

    #[test]
    fn all_errors_reported_and_nothing_loaded() {
        let src = Source::new(
            "p.csv",
            "target_id,actual,as_of\n2.5#2,abc,2010-02-30\n2.5#1,1,2010-01-01\n2.5#1,2,2010-01-01\n",
        );
        let e = load(&src, &known(), &[]).unwrap_err();
        let codes: Vec<&str> = e.related.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "planq::progress::unknown_target",
                "planq::progress::bad_number",
                "planq::progress::bad_date",
                "planq::progress::duplicate"
            ]
        );
        assert_eq!(e.related[0].help.as_deref(), Some("did you mean `2.5#1`?"));
        let span = e.related[1].span.unwrap();
        assert_eq!(&src.text[span.start..span.end], "abc");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn header_problems() {
        let src = Source::new("p.csv", "target_id,actaul,as_of\n");
        let e = load(&src, &known(), &[]).unwrap_err();
        let help: Vec<_> = e.related.iter().filter_map(|e| e.help.clone()).collect();
        assert!(
            help.iter().any(|h| h.contains("did you mean `actual`")),
            "{help:?}"
        );
    }

    #[test]
    fn loads_json() {
        let src = Source::new(
            "p.json",
            r#"[{"target_id": "2.5#1", "actual": 1200, "as_of": "2010-06-30", "note": null},
               {"target_id": "4.1#1", "actual": "12", "as_of": "2010-06-30"}]"#,
        );
        let r = load(&src, &known(), &[]).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].actual, 12.0);
    }

    fn codes(e: &Error) -> Vec<&str> {
        if e.related.is_empty() {
            vec![e.code.as_str()]
        } else {
            e.related.iter().map(|e| e.code.as_str()).collect()
        }
    }

    #[test]
    fn cr_only_files_load_every_row() {
        // Before: 0 rows and no error (everything after the first bare CR was dropped).
        let src = Source::new(
            "p.csv",
            "target_id,actual,as_of,note\r2.5#1,1500,2010-06-30,a\r4.1#3,95%,2010-12-31,\r",
        );
        let r = load(&src, &known(), &[]).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].actual, 95.0);
        let bad = Source::new("p.csv", "target_id,actual,as_of\n2.5#1,15\r00,2010-06-30\n");
        let e = load(&bad, &known(), &[]).unwrap_err();
        assert!(
            codes(&e).contains(&"planq::progress::stray_line_break"),
            "{:?}",
            codes(&e)
        );
    }

    #[test]
    fn an_extra_field_does_not_hide_later_errors() {
        let src = Source::new(
            "p.csv",
            "target_id,actual,as_of\n2.5#1,1,2010-01-01,extra\n2.5#9,x,2010-02-30\n",
        );
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                "planq::progress::extra_fields",
                "planq::progress::unknown_target",
                "planq::progress::bad_number",
                "planq::progress::bad_date"
            ]
        );
        // A header problem does not hide the rows' problems either.
        let src = Source::new("p.csv", "target_id,actaul,as_of\n2.5#9,1,2010-01-01\n");
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                "planq::progress::missing_column",
                "planq::progress::unknown_column",
                "planq::progress::unknown_target"
            ]
        );
    }

    #[test]
    fn a_json_unknown_field_does_not_hide_bad_values() {
        let src = Source::new(
            "p.json",
            r#"[{"target_id": "2.5#1", "actual": 1, "as_of": "2010-01-01", "nots": "x"},
               {"target_id": "2.5#1", "actual": "lots", "as_of": "+201-01-01"}]"#,
        );
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                "planq::progress::unknown_column",
                "planq::progress::bad_number",
                "planq::progress::bad_date"
            ]
        );
    }

    #[test]
    fn json_duplicate_keys_are_errors() {
        // serde_json alone keeps the last value silently.
        let text = "[{\"target_id\": \"2.5#1\", \"actual\": 1, \"as_of\": \"2010-01-01\",\n  \"actual\": 900}]";
        let src = Source::new("p.json", text);
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(e.code, "planq::progress::duplicate_field");
        let span = e.span.unwrap();
        assert_eq!(&text[span.start..span.end], "\"actual\"");
        assert_eq!(src.line_col(span.start).0, 2);
    }

    #[test]
    fn strict_dates_everywhere() {
        for date in ["+201-01-01", "201-01-01", "12010-01-01", "2010-1-1x"] {
            let src = Source::new("p.csv", format!("target_id,actual,as_of\n2.5#1,1,{date}\n"));
            let e = load(&src, &known(), &[]).unwrap_err();
            assert_eq!(codes(&e), ["planq::progress::bad_date"], "{date}");
            let src = Source::new(
                "p.json",
                format!(r#"[{{"target_id": "2.5#1", "actual": 1, "as_of": "{date}"}}]"#),
            );
            let e = load(&src, &known(), &[]).unwrap_err();
            assert_eq!(codes(&e), ["planq::progress::bad_date"], "{date}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_data() {
        let csv = Source::new(
            "p.csv",
            "\u{feff}target_id,actual,as_of\n2.5#1,1,2010-01-01\n",
        );
        assert_eq!(load(&csv, &known(), &[]).unwrap().len(), 1);
        let json = Source::new(
            "p.json",
            "\u{feff}[{\"target_id\": \"2.5#1\", \"actual\": 1, \"as_of\": \"2010-01-01\"}]",
        );
        assert_eq!(load(&json, &known(), &[]).unwrap().len(), 1);
        // Without a .json name: detected by the `[` after the mark.
        let json = Source::new("p.txt", json.text.to_string());
        assert_eq!(load(&json, &known(), &[]).unwrap().len(), 1);
    }

    #[test]
    fn json_errors_point_into_the_file() {
        let src = Source::new(
            "p.json",
            r#"[{"target_id": "2.5#1", "actual": "lots", "as_of": "2010-06-30"}]"#,
        );
        let e = load(&src, &known(), &[]).unwrap_err();
        let span = e.span.unwrap();
        assert_eq!(&src.text[span.start..span.end], "\"lots\"");
        let bad = Source::new("p.json", "[{\"target_id\": }]");
        let e = load(&bad, &known(), &[]).unwrap_err();
        assert_eq!(e.code, "planq::progress::bad_json");
        assert!(e.span.is_some());
    }
}
