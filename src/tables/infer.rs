//! Column types of analysts' files, inferred the way a reader of the file would: from the
//! first [`WINDOW`] rows, and then checked on every later row, so that a cell that does not
//! fit its column is an error naming its row and column instead of a silent null.
//!
//! Shared by the CSV/TSV and JSON readers; independent of polars (the readers turn a
//! [`Kind`] into a polars dtype).

use crate::plan::Date;
use crate::query::Type;

/// Rows whose cells decide a column's type (as polars' readers infer from 100 rows).
pub const WINDOW: usize = 100;

/// What a cell (or a whole column) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Empty / null: fits any column.
    Null,
    /// `true` / `false`.
    Bool,
    /// A whole number that fits 64 bits, written without a leading zero.
    Int,
    /// A decimal number.
    Float,
    /// A calendar date written `YYYY-MM-DD` (separator `-`) or `YYYY/MM/DD` (`/`).
    Date(u8),
    /// Text.
    Str,
    /// A JSON array or object.
    Nested,
}

impl Kind {
    /// The type planq's language gives such a column.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Null | Kind::Str => "str",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Date(_) => "date",
            Kind::Nested => "str (JSON text)",
        }
    }

    /// The kind a forced column type (`:schema=col:TYPE`) asks for.
    pub fn forced(ty: Type) -> Kind {
        match ty {
            Type::Int => Kind::Int,
            Type::Float => Kind::Float,
            Type::Bool => Kind::Bool,
            Type::Date => Kind::Date(b'-'),
            _ => Kind::Str,
        }
    }

    /// "an int", "a date", … for messages.
    pub fn article(self) -> String {
        let n = self.type_name();
        if n.starts_with(['a', 'e', 'i', 'o', 'u']) {
            format!("an {n}")
        } else {
            format!("a {n}")
        }
    }
}

/// The kind of a CSV cell's text. Numbers with a leading zero (`007`, codes and phone
/// numbers) are text: reading them as numbers would lose the zero.
pub fn classify(text: &str) -> Kind {
    if text.is_empty() {
        return Kind::Null;
    }
    if is_int(text) {
        return Kind::Int;
    }
    if is_float(text) {
        return Kind::Float;
    }
    if matches!(text, "true" | "false" | "True" | "False" | "TRUE" | "FALSE") {
        return Kind::Bool;
    }
    if let Some(sep) = date_sep(text) {
        return Kind::Date(sep);
    }
    Kind::Str
}

/// The separator of a `YYYY-MM-DD` / `YYYY/MM/DD` date that exists in the calendar.
pub fn date_sep(text: &str) -> Option<u8> {
    // Zero-padded only: the form every reader (and polars' `%Y-%m-%d`) agrees on.
    let b = text.as_bytes();
    if b.len() != 10 || b[7] != b[4] {
        return None;
    }
    Date::parse_iso(text).map(|_| b[4])
}

/// `-?digits` that fits an i64, without a leading zero (`0` itself is a number).
fn is_int(t: &str) -> bool {
    let d = t.strip_prefix('-').unwrap_or(t);
    !d.is_empty()
        && d.bytes().all(|b| b.is_ascii_digit())
        && !(d.len() > 1 && d.starts_with('0'))
        && t.parse::<i64>().is_ok()
}

/// `-?digits.digits` with an optional exponent, or `-?digits` with an exponent.
fn is_float(t: &str) -> bool {
    let d = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match d.find(['e', 'E']) {
        Some(i) => (&d[..i], Some(&d[i + 1..])),
        None => (d, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => exponent.is_some() && digits(mantissa),
    };
    let whole = mantissa.split('.').next().unwrap_or("");
    let leading_zero = whole.len() > 1 && whole.starts_with('0');
    mantissa_ok && exponent_ok && !leading_zero && t.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The type of a column while its first rows are read: the narrowest kind all its cells
/// so far fit (`Int` and `Float` make `Float`; anything else mixed makes `Str`).
pub fn widen(column: Kind, cell: Kind) -> Kind {
    match (column, cell) {
        (c, Kind::Null) => c,
        (Kind::Null, c) => c,
        (a, b) if a == b => a,
        (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Kind::Float,
        (Kind::Nested, _) | (_, Kind::Nested) => Kind::Nested,
        _ => Kind::Str,
    }
}

/// Whether a cell read after the first rows fits its column, and the column's kind
/// afterwards: an int in a float column fits, a float widens an int column (no value
/// changes), a column still without values takes the cell's kind; anything else does not
/// fit (`None`). A text column takes scalars (JSON numbers are then written as text).
pub fn fit(column: Kind, cell: Kind) -> Option<Kind> {
    match (column, cell) {
        (c, Kind::Null) => Some(c),
        (Kind::Null, c) => Some(c),
        (a, b) if a == b => Some(a),
        (Kind::Float, Kind::Int) | (Kind::Int, Kind::Float) => Some(Kind::Float),
        (Kind::Str, Kind::Nested) => None,
        (Kind::Str, _) => Some(Kind::Str),
        (Kind::Nested, _) => Some(Kind::Nested),
        _ => None,
    }
}

/// One column while a file is read: its kind so far, and the type the user forced.
#[derive(Debug, Clone)]
pub struct ColumnState {
    /// The column's name.
    pub name: String,
    /// Its kind so far (for a forced date column, `Date(0)` until a date is seen).
    pub kind: Kind,
    /// The type forced with `:schema=col:TYPE`.
    pub forced: Option<Kind>,
}

impl ColumnState {
    /// A column, free to be inferred or forced to a type.
    pub fn new(name: &str, forced: Option<Type>) -> Self {
        let forced = forced.map(Kind::forced);
        ColumnState {
            name: name.to_string(),
            kind: match forced {
                Some(Kind::Date(_)) => Kind::Date(0),
                Some(k) => k,
                None => Kind::Null,
            },
            forced,
        }
    }

    /// Takes the cell of data row `row` (0-based); false when it does not fit the column.
    pub fn see(&mut self, cell: Kind, row: usize) -> bool {
        if cell == Kind::Null {
            return true;
        }
        match self.forced {
            Some(Kind::Str) => cell != Kind::Nested || self.kind == Kind::Nested,
            Some(Kind::Int) => cell == Kind::Int,
            Some(Kind::Float) => matches!(cell, Kind::Int | Kind::Float),
            Some(Kind::Bool) => cell == Kind::Bool,
            Some(Kind::Date(_)) => match (self.kind, cell) {
                (Kind::Date(0), Kind::Date(s)) => {
                    self.kind = Kind::Date(s);
                    true
                }
                (Kind::Date(a), Kind::Date(b)) => a == b,
                _ => false,
            },
            Some(_) => true,
            None if row < WINDOW => {
                self.kind = widen(self.kind, cell);
                true
            }
            None => match fit(self.kind, cell) {
                Some(k) => {
                    self.kind = k;
                    true
                }
                None => false,
            },
        }
    }

    /// What the column expects, for a message about a cell that does not fit.
    pub fn expected(&self) -> String {
        match self.kind {
            Kind::Date(0) => "a date".into(),
            Kind::Date(b'/') => "a date written YYYY/MM/DD".into(),
            Kind::Date(_) => "a date written YYYY-MM-DD".into(),
            k => k.article(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_classified_conservatively() {
        assert_eq!(classify("42"), Kind::Int);
        assert_eq!(classify("-7"), Kind::Int);
        assert_eq!(classify("0"), Kind::Int);
        assert_eq!(classify("007"), Kind::Str);
        assert_eq!(classify("99999999999999999999"), Kind::Str);
        assert_eq!(classify("2.5"), Kind::Float);
        assert_eq!(classify("1e6"), Kind::Float);
        assert_eq!(classify("0.5"), Kind::Float);
        assert_eq!(classify(".5"), Kind::Str);
        assert_eq!(classify("inf"), Kind::Str);
        assert_eq!(classify("1,000"), Kind::Str);
        assert_eq!(classify(" 5"), Kind::Str);
        assert_eq!(classify("true"), Kind::Bool);
        assert_eq!(classify("2010-12-31"), Kind::Date(b'-'));
        assert_eq!(classify("2010/12/31"), Kind::Date(b'/'));
        assert_eq!(classify("2010-02-30"), Kind::Str);
        assert_eq!(classify("2010-1-5"), Kind::Str);
        assert_eq!(classify(""), Kind::Null);
        assert_eq!(classify("省数字办"), Kind::Str);
    }

    #[test]
    fn columns_widen_and_fit() {
        assert_eq!(widen(Kind::Int, Kind::Float), Kind::Float);
        assert_eq!(widen(Kind::Int, Kind::Str), Kind::Str);
        assert_eq!(widen(Kind::Null, Kind::Date(b'-')), Kind::Date(b'-'));
        assert_eq!(widen(Kind::Date(b'-'), Kind::Date(b'/')), Kind::Str);
        assert_eq!(fit(Kind::Int, Kind::Float), Some(Kind::Float));
        assert_eq!(fit(Kind::Int, Kind::Str), None);
        assert_eq!(fit(Kind::Str, Kind::Int), Some(Kind::Str));
        assert_eq!(fit(Kind::Date(b'-'), Kind::Str), None);
        assert_eq!(fit(Kind::Null, Kind::Bool), Some(Kind::Bool));
    }

    #[test]
    fn the_first_rows_decide_and_later_rows_must_fit() {
        let mut c = ColumnState::new("n", None);
        assert!(c.see(Kind::Int, 0));
        assert!(c.see(Kind::Str, 1)); // inside the window: the column becomes text
        assert_eq!(c.kind, Kind::Str);
        let mut c = ColumnState::new("n", None);
        assert!(c.see(Kind::Int, 0));
        assert!(c.see(Kind::Float, WINDOW + 5));
        assert!(!c.see(Kind::Str, WINDOW + 6));
        let mut forced = ColumnState::new("d", Some(Type::Date));
        assert!(forced.see(Kind::Date(b'/'), 0));
        assert!(!forced.see(Kind::Date(b'-'), 1));
        assert!(!forced.see(Kind::Str, 2));
        let mut forced = ColumnState::new("code", Some(Type::Str));
        assert!(forced.see(Kind::Int, 0));
        assert_eq!(forced.kind, Kind::Str);
    }
}
