//! Progress reports: what has been done towards each target, loaded from CSV
//! (`target_id,actual,as_of[,note]`) or JSON (an array of such objects).
//!
//! Loading is all-or-nothing: every problem of a file is reported together, each pointing
//! at its row and cell, and a file with any error loads nothing.

pub(crate) mod csv;
mod ids;
mod json;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::suggest::closest_many;
use crate::plan::fast_hash::FastMap;
use crate::plan::Date;
use ids::Ids;

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
    /// Every target id once, numbered in order.
    ids: Ids,
    /// For each target number, the first plan that has the target: (plan number, the
    /// number of that (plan, target) pair — what duplicate reports are keyed by).
    first_pair: Vec<(u32, u32)>,
    /// The other plans that have a target, for ids in several plans (a corpus).
    more_pairs: FastMap<u32, Vec<(u32, u32)>>,
    /// Every plan id, in order.
    plans: Vec<String>,
    /// Plan id → its number (a file's `plan` column is looked up once per row).
    plan_index: FastMap<String, u32>,
    /// How many (plan, target) pairs there are.
    pairs: u32,
}

impl Known {
    /// From (plan, target id) pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Known {
        let mut k = Known::default();
        // Consecutive pairs are mostly of one plan: its number is looked up once.
        let mut last_plan: Option<(&str, u32)> = None;
        for (plan, id) in pairs {
            let p = match last_plan {
                Some((q, n)) if q == plan => n,
                _ => {
                    let n = k.plan_number(plan);
                    last_plan = Some((plan, n));
                    n
                }
            };
            let t = k.ids.insert(id);
            if t as usize == k.first_pair.len() {
                k.first_pair.push((p, k.pairs));
                k.pairs += 1;
                continue;
            }
            // An id seen before: a new pair unless it is the same plan's again.
            let last = k
                .more_pairs
                .get(&t)
                .and_then(|m| m.last())
                .unwrap_or(&k.first_pair[t as usize])
                .0;
            if last != p {
                k.more_pairs.entry(t).or_default().push((p, k.pairs));
                k.pairs += 1;
            }
        }
        k
    }

    /// Also a plan without targets (a `plan` cell naming it is then no typo).
    pub fn with_plans<'a>(mut self, plans: impl IntoIterator<Item = &'a str>) -> Known {
        for p in plans {
            self.plan_number(p);
        }
        self
    }

    /// The number of plan `p`, added if new.
    fn plan_number(&mut self, p: &str) -> u32 {
        if let Some(&n) = self.plan_index.get(p) {
            return n;
        }
        let n = self.plans.len() as u32;
        self.plans.push(p.to_string());
        self.plan_index.insert(p.to_string(), n);
        n
    }

    /// The (plan, pair) numbers of target number `t`: the first, and any others.
    fn pairs_of(&self, t: u32) -> (&(u32, u32), &[(u32, u32)]) {
        let more = if self.more_pairs.is_empty() {
            None
        } else {
            self.more_pairs.get(&t)
        };
        (
            &self.first_pair[t as usize],
            more.map_or(&[], Vec::as_slice),
        )
    }

    /// The pair number of target `id` in plan `plan`, if that plan has it.
    fn pair(&self, plan: &str, id: &str) -> Option<u32> {
        let p = *self.plan_index.get(plan)?;
        let (first, more) = self.pairs_of(self.ids.find(id)?);
        std::iter::once(first)
            .chain(more)
            .find(|&&(q, _)| q == p)
            .map(|&(_, pair)| pair)
    }
}

/// A cell as written (borrowed from the file's text where it can be), with its span;
/// `None` when the column is absent from the row.
type Cell<'a> = Option<(Cow<'a, str>, Span)>;

/// A row before validation, in the shape both formats share.
struct RawRow<'a> {
    line: usize,
    span: Span,
    target_id: Cell<'a>,
    actual: Cell<'a>,
    as_of: Cell<'a>,
    note: Option<Cow<'a, str>>,
    /// The `plan` cell, when the file has that column.
    plan: Cell<'a>,
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
            let err = Error::new(ErrorKind::Data, Code::ProgressEncoding, e.message).with_help(
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
    // that one bad row never hides another. Rows are checked as they are read: a file of
    // a million rows is never held as a million parsed rows.
    // Room for every row at once (a million-row file is not grown by doubling): the
    // number of lines or objects, never more rows than the text could hold.
    let text = source.text.as_bytes();
    let (marker, shortest) = if is_json { (b'{', 45) } else { (b'\n', 15) };
    let rows = text.iter().filter(|&&b| b == marker).count();
    let mut check = Validator::new(source, known, earlier, rows.min(text.len() / shortest));
    let syntax = if is_json {
        json::rows(source, &mut check)?;
        Vec::new()
    } else {
        csv_rows(source, &mut check)?
    };
    check.finish(syntax)
}

fn data_error(code: Code, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Data, code, message)
}

/// The diagnostics of the CSV syntax problems a reader found.
fn syntax_errors(source: &Source, problems: Vec<csv::Problem>) -> Vec<Error> {
    problems
        .into_iter()
        .map(|p| match p {
            csv::Problem::Unclosed(span) => data_error(
                Code::ProgressUnclosedQuote,
                "a quoted field is never closed",
            )
            .at(source, span, "this quote is not closed")
            .with_help("close the field with `\"`, and write a quote inside a field as `\"\"`"),
            csv::Problem::StrayCr(span, line) => data_error(
                Code::ProgressStrayLineBreak,
                format!("line {line}: a carriage return (\\r) inside an unquoted field"),
            )
            .at(source, span, "carriage return here")
            .with_help(
                "this file's lines end with \\n: quote a field that holds a line break, or remove the \\r",
            ),
            csv::Problem::StrayLf(span, line) => data_error(
                Code::ProgressStrayLineBreak,
                format!("line {line}: a line feed (\\n) inside an unquoted field"),
            )
            .at(source, span, "line feed here")
            .with_help(
                "this file's lines end with \\r: quote a field that holds a line break, or use one kind of line ending",
            ),
        })
        .collect()
}

/// Reads a CSV file's header and rows into `check`, and returns the diagnostics of its
/// syntax problems.
fn csv_rows(source: &Source, check: &mut Validator<'_>) -> Result<Vec<Error>, Error> {
    let mut records = csv::Records::new(&source.text);
    let mut header = Vec::new();
    let Some((_, header_span)) = records.next_into(&mut header) else {
        let errors = syntax_errors(source, records.into_problems());
        if !errors.is_empty() {
            return Err(summary(source, errors));
        }
        return Err(data_error(
            Code::ProgressEmpty,
            format!("progress file `{}` has no header and no rows", source.name),
        )
        .with_help("the first line must be the header `target_id,actual,as_of,note`"));
    };
    let mut index = [None; 5];
    for (i, f) in header.iter().enumerate() {
        let name = &*f.text;
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) if index[k].is_none() => index[k] = Some(i),
            Some(_) => check.errors.push(
                data_error(
                    Code::ProgressDuplicateColumn,
                    format!("column `{name}` appears twice"),
                )
                .at(source, f.span, format!("second `{name}` column"))
                .with_help("keep one column of each name"),
            ),
            None => check.errors.push(
                data_error(
                    Code::ProgressUnknownColumn,
                    format!("unknown column `{name}` in the header"),
                )
                .at(source, f.span, "not a progress column")
                .with_help(column_help(name)),
            ),
        }
    }
    for (k, col) in COLUMNS.iter().enumerate().take(3) {
        if index[k].is_none() {
            check.errors.push(
                data_error(
                    Code::ProgressMissingColumn,
                    format!("the header has no `{col}` column"),
                )
                .at(source, header_span, format!("`{col}` is missing here"))
                .with_help("the header must be `target_id,actual,as_of` with an optional `note`"),
            );
        }
    }
    check.present = [index[0].is_some(), index[1].is_some(), index[2].is_some()];
    let width = header.len();
    let mut fields = Vec::with_capacity(width + 1);
    while let Some((line, span)) = records.next_into(&mut fields) {
        if fields.len() > width {
            // Reported, and the row is still checked: its other problems show too.
            let extra = &fields[width];
            check.errors.push(
                data_error(
                    Code::ProgressExtraFields,
                    format!(
                        "line {line}: row has {} fields but the header has {width}",
                        fields.len(),
                    ),
                )
                .at(
                    source,
                    Span::new(extra.span.start, span.end.max(extra.span.start)),
                    "too many fields",
                )
                .with_help("quote a value that contains a comma: \"a, b\""),
            );
        }
        let mut cell = |k: usize| {
            let f = fields.get_mut(index[k]?)?;
            Some((std::mem::take(&mut f.text), f.span))
        };
        let row = RawRow {
            line,
            span,
            target_id: cell(0),
            actual: cell(1),
            as_of: cell(2),
            note: cell(3).map(|(t, _)| t).filter(|t| !t.is_empty()),
            plan: cell(4),
        };
        check.row(row);
    }
    Ok(syntax_errors(source, records.into_problems()))
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
        let message = format!(
            "{} (nothing was loaded from `{}`)",
            only.message(),
            source.name
        );
        return only.clone().with_message(message);
    }
    data_error(
        Code::ProgressInvalid,
        format!(
            "progress file `{}` has {} errors; nothing was loaded from it",
            source.name,
            errors.len()
        ),
    )
    .with_help("fix every row listed below, then load the file again")
    .with_related(errors)
}

/// Checks rows one at a time, against the plan's targets, the earlier files and the rows
/// before; `present` says which of `target_id`, `actual`, `as_of` the file has at all (a
/// column missing from the header is reported once, not on every row), and `errors`
/// holds every problem found so far, of the file's shape and of its values.
struct Validator<'k> {
    source: &'k Source,
    known: &'k Known,
    present: [bool; 3],
    /// Reports already loaded from other files, by (plan, target) pair and date.
    earlier: HashSet<u64>,
    /// Per (plan, target) pair: the latest date reported so far in this file (days since
    /// the epoch; `i32::MIN` for none) and its line. While each pair's rows come in date
    /// order — a log of reports appended as they come, or rows sorted by target then
    /// date — a row repeats an earlier one only if it repeats this date, and that is the
    /// whole duplicate check: one lookup in a vector of the plan's size.
    latest: Vec<(i32, usize)>,
    /// The key of every report accepted while rows came in order, with its line.
    accepted: Vec<(u64, usize)>,
    /// Once a row comes out of date order: the line of the first report of each key,
    /// built from `accepted`, and from then on the duplicate check.
    first_line_of: Option<HashMap<u64, usize>>,
    /// How many unknown target ids were met (see `SUGGESTED_UNKNOWN_IDS`).
    unknown_ids: usize,
    out: Vec<Report>,
    errors: Vec<Error>,
}

/// A (plan, target) pair and a date as one hash key: a duplicate check per row costs
/// one hash of eight bytes, not of two strings and three numbers.
fn report_key(pair: u32, as_of: Date) -> u64 {
    (u64::from(pair) << 32) | u64::from(as_of.days_since_epoch() as u32)
}

/// Did-you-mean compares an unknown id with every known one; past this many unknown ids
/// the rest get the general help, so a file of wrong ids stays linear.
const SUGGESTED_UNKNOWN_IDS: usize = 100;

impl<'k> Validator<'k> {
    fn new(source: &'k Source, known: &'k Known, earlier: &[Report], rows: usize) -> Self {
        // Sets, not scans: every row is checked against the plan's targets, the earlier
        // files and the rows before it, so scans would cost rows × targets and rows².
        let earlier = earlier
            .iter()
            .filter_map(|r| Some(report_key(known.pair(&r.plan, &r.target_id)?, r.as_of)))
            .collect();
        Validator {
            source,
            known,
            present: [true; 3],
            earlier,
            latest: vec![(i32::MIN, 0); known.pairs as usize],
            accepted: Vec::with_capacity(rows),
            first_line_of: None,
            unknown_ids: 0,
            out: Vec::with_capacity(rows),
            errors: Vec::new(),
        }
    }

    /// Checks one row: a report, or errors.
    fn row(&mut self, row: RawRow<'_>) {
        let (source, known) = (self.source, self.known);
        let several = known.plans.len() > 1;
        let missing = |col: &str| {
            data_error(
                Code::ProgressMissingValue,
                format!("row on line {} has no `{col}`", row.line),
            )
            .at(source, row.span, format!("`{col}` missing"))
        };
        // The plan the row names, if it names one that exists.
        let mut plan_named: Option<u32> = None;
        if let Some((p, span)) = row.plan.as_ref().filter(|(p, _)| !p.is_empty()) {
            match known.plan_index.get(&**p) {
                Some(&q) => plan_named = Some(q),
                None => {
                    let near = closest_many(p, known.plans.iter().map(String::as_str), 3);
                    self.errors.push(
                        data_error(
                            Code::ProgressUnknownPlan,
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
                    return;
                }
            }
        }
        // The (plan, target pair) of the row's target.
        let target = match &row.target_id {
            Some((t, span)) if !t.is_empty() => {
                let found = match known.ids.find(t) {
                    None => None,
                    Some(i) => {
                        let (first, more) = known.pairs_of(i);
                        let mut all = std::iter::once(first).chain(more);
                        match plan_named {
                            Some(p) => all.find(|&&(q, _)| q == p).copied(),
                            None if more.is_empty() => Some(*first),
                            None => {
                                let count = 1 + more.len();
                                let shown: Vec<String> = all
                                    .take(5)
                                    .map(|&(p, _)| format!("`{}`", known.plans[p as usize]))
                                    .collect();
                                self.errors.push(
                                    data_error(
                                        Code::ProgressAmbiguousTarget,
                                        format!(
                                            "line {}: target `{t}` is in {count} loaded plans ({}{}), and the row does not say which",
                                            row.line,
                                            shown.join(", "),
                                            if count > 5 { ", …" } else { "" }
                                        ),
                                    )
                                    .at(source, *span, "which plan's target?")
                                    .with_help(
                                        "add a `plan` column naming the plan of each row (its id in `plans | select plan, file`)",
                                    ),
                                );
                                return;
                            }
                        }
                    }
                };
                if found.is_none() {
                    let in_plan = match plan_named {
                        Some(p) if several => format!(" in plan `{}`", known.plans[p as usize]),
                        _ => String::new(),
                    };
                    let known_ids = &known.ids;
                    self.unknown_ids += 1;
                    let near = if self.unknown_ids <= SUGGESTED_UNKNOWN_IDS {
                        closest_many(t, known_ids.iter(), 3)
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
                    self.errors.push(
                        data_error(
                            Code::ProgressUnknownTarget,
                            format!("line {}: no target `{t}` in the plan{in_plan}", row.line),
                        )
                        .at(source, *span, "unknown target id")
                        .with_help(help),
                    );
                }
                found
            }
            _ => {
                if self.present[0] {
                    self.errors.push(missing("target_id"));
                }
                None
            }
        };
        let actual = match &row.actual {
            Some((t, span)) if !t.is_empty() => match parse_actual(t) {
                Some(v) => Some(v),
                None => {
                    self.errors.push(
                        data_error(
                            Code::ProgressBadNumber,
                            format!("line {}: `{t}` is not a number", row.line),
                        )
                        .at(source, *span, "expected a non-negative number")
                        .with_help("write the amount done as a plain number, e.g. 1250 or 87.5 (a trailing % is allowed)"),
                    );
                    None
                }
            },
            _ => {
                if self.present[1] {
                    self.errors.push(missing("actual"));
                }
                None
            }
        };
        let as_of = match &row.as_of {
            Some((t, span)) if !t.is_empty() => match parse_date(t) {
                Some(d) => Some(d),
                None => {
                    self.errors.push(
                        data_error(
                            Code::ProgressBadDate,
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
                if self.present[2] {
                    self.errors.push(missing("as_of"));
                }
                None
            }
        };
        let (Some((plan, pair)), Some(actual), Some(as_of)) = (target, actual, as_of) else {
            return;
        };
        // Present, since `target` was found from it.
        let Some((target_id, _)) = row.target_id else {
            return;
        };
        let span = row.as_of.as_ref().map_or(row.span, |(_, s)| *s);
        let key = report_key(pair, as_of);
        if self.earlier.contains(&key) {
            self.errors.push(
                data_error(
                    Code::ProgressDuplicate,
                    format!(
                        "line {}: `{target_id}` for {as_of} was already loaded from an earlier progress file",
                        row.line
                    ),
                )
                .at(source, span, "reported again here")
                .with_help("keep one report per target and date across progress files"),
            );
            return;
        }
        if let Some(first_line) = self.first_report(pair, as_of, row.line) {
            self.errors.push(
                data_error(
                    Code::ProgressDuplicate,
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
                .with_help("keep one report per target and date; use a later as_of for an update"),
            );
            return;
        }
        // Once a file has errors nothing of it is loaded: no need to keep its reports.
        if self.errors.is_empty() {
            self.out.push(Report {
                target_id: target_id.into_owned(),
                actual,
                as_of,
                note: row.note.map(Cow::into_owned),
                plan: known.plans[plan as usize].clone(),
            });
        }
    }

    /// The line of an earlier report of `pair` for `as_of` in this file, if there is one;
    /// otherwise the report on `line` is recorded.
    fn first_report(&mut self, pair: u32, as_of: Date, line: usize) -> Option<usize> {
        let key = report_key(pair, as_of);
        if let Some(map) = &mut self.first_line_of {
            if let Some(&first) = map.get(&key) {
                return Some(first);
            }
            map.insert(key, line);
            return None;
        }
        let days = as_of.days_since_epoch();
        let (latest, latest_line) = self.latest[pair as usize];
        if days > latest {
            self.latest[pair as usize] = (days, line);
            self.accepted.push((key, line));
            return None;
        }
        if days == latest {
            return Some(latest_line);
        }
        // Out of date order: from here on, every key is looked up.
        let mut map: HashMap<u64, usize> = std::mem::take(&mut self.accepted).into_iter().collect();
        let first = map.get(&key).copied();
        if first.is_none() {
            map.insert(key, line);
        }
        self.first_line_of = Some(map);
        first
    }

    /// The reports, or one error listing every problem in file order; `syntax` are the
    /// problems of the CSV syntax, listed first among problems at the same place.
    fn finish(self, mut syntax: Vec<Error>) -> Result<Vec<Report>, Error> {
        if syntax.is_empty() && self.errors.is_empty() {
            return Ok(self.out);
        }
        syntax.extend(self.errors);
        let mut errors = syntax;
        // In file order, whichever pass found them.
        errors.sort_by_key(|e| e.span().map_or(0, |s| s.start));
        Err(summary(self.source, errors))
    }
}

/// A date of a progress file: `YYYY-MM-DD` read directly (the common case, a million
/// times in a large file), anything else by [`Date::parse_iso`], which accepts exactly
/// the same dates (one- or two-digit months and days, `/`, spaces around).
fn parse_date(t: &str) -> Option<Date> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10 && matches!(b[4], b'-' | b'/') && b[7] == b[4] {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return Date::new(y as i32, m, d);
        }
    }
    Date::parse_iso(t)
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
        let codes: Vec<Code> = e.related().iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                Code::ProgressUnknownTarget,
                Code::ProgressBadNumber,
                Code::ProgressBadDate,
                Code::ProgressDuplicate
            ]
        );
        assert_eq!(e.related()[0].help(), Some("did you mean `2.5#1`?"));
        let span = e.related()[1].span().unwrap();
        assert_eq!(&src.text[span.start..span.end], "abc");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn header_problems() {
        let src = Source::new("p.csv", "target_id,actaul,as_of\n");
        let e = load(&src, &known(), &[]).unwrap_err();
        let help: Vec<_> = e.related().iter().filter_map(|e| e.help()).collect();
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

    fn codes(e: &Error) -> Vec<Code> {
        if e.related().is_empty() {
            vec![e.code()]
        } else {
            e.related().iter().map(|e| e.code()).collect()
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
            codes(&e).contains(&Code::ProgressStrayLineBreak),
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
                Code::ProgressExtraFields,
                Code::ProgressUnknownTarget,
                Code::ProgressBadNumber,
                Code::ProgressBadDate
            ]
        );
        // A header problem does not hide the rows' problems either.
        let src = Source::new("p.csv", "target_id,actaul,as_of\n2.5#9,1,2010-01-01\n");
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                Code::ProgressMissingColumn,
                Code::ProgressUnknownColumn,
                Code::ProgressUnknownTarget
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
                Code::ProgressUnknownColumn,
                Code::ProgressBadNumber,
                Code::ProgressBadDate
            ]
        );
    }

    #[test]
    fn json_duplicate_keys_are_errors() {
        // serde_json alone keeps the last value silently.
        let text = "[{\"target_id\": \"2.5#1\", \"actual\": 1, \"as_of\": \"2010-01-01\",\n  \"actual\": 900}]";
        let src = Source::new("p.json", text);
        let e = load(&src, &known(), &[]).unwrap_err();
        assert_eq!(e.code(), Code::ProgressDuplicateField);
        let span = e.span().unwrap();
        assert_eq!(&text[span.start..span.end], "\"actual\"");
        assert_eq!(src.line_col(span.start).0, 2);
    }

    #[test]
    fn strict_dates_everywhere() {
        for date in ["+201-01-01", "201-01-01", "12010-01-01", "2010-1-1x"] {
            let src = Source::new("p.csv", format!("target_id,actual,as_of\n2.5#1,1,{date}\n"));
            let e = load(&src, &known(), &[]).unwrap_err();
            assert_eq!(codes(&e), [Code::ProgressBadDate], "{date}");
            let src = Source::new(
                "p.json",
                format!(r#"[{{"target_id": "2.5#1", "actual": 1, "as_of": "{date}"}}]"#),
            );
            let e = load(&src, &known(), &[]).unwrap_err();
            assert_eq!(codes(&e), [Code::ProgressBadDate], "{date}");
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
        let span = e.span().unwrap();
        assert_eq!(&src.text[span.start..span.end], "\"lots\"");
        let bad = Source::new("p.json", "[{\"target_id\": }]");
        let e = load(&bad, &known(), &[]).unwrap_err();
        assert_eq!(e.code(), Code::ProgressBadJson);
        assert!(e.span().is_some());
    }
}
