//! One cell of a result as text or JSON, and whole results as serde-serialisable rows.

use polars::prelude::*;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::plan::Date;

/// A cell as text; `None` for null. Floats print without a needless `.0` (`2000`, `96.5`).
pub fn cell_text(v: &AnyValue) -> Option<String> {
    Some(match v {
        AnyValue::Null => return None,
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Date(d) => Date::from_days_since_epoch(*d).to_string(),
        AnyValue::Float64(f) => float_text(*f),
        AnyValue::Float32(f) => float_text(f64::from(*f)),
        other => {
            let s = other.to_string();
            s.trim_matches('"').to_string()
        }
    })
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else {
        format!("{f}")
    }
}

/// A cell as JSON: numbers stay numbers, dates become `"YYYY-MM-DD"`, null is null.
pub fn cell_json(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        AnyValue::Null => J::Null,
        AnyValue::Boolean(b) => J::Bool(*b),
        AnyValue::Int8(i) => J::from(*i),
        AnyValue::Int16(i) => J::from(*i),
        AnyValue::Int32(i) => J::from(*i),
        AnyValue::Int64(i) => J::from(*i),
        AnyValue::UInt8(i) => J::from(*i),
        AnyValue::UInt16(i) => J::from(*i),
        AnyValue::UInt32(i) => J::from(*i),
        AnyValue::UInt64(i) => J::from(*i),
        AnyValue::Float32(f) => {
            serde_json::Number::from_f64(f64::from(*f)).map_or(J::Null, J::Number)
        }
        AnyValue::Float64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        other => cell_text(other).map_or(J::Null, J::String),
    }
}

/// A DataFrame serialised as an array of row objects (`{"column": value, …}`), columns in
/// frame order. This is how results cross the library boundary with serde.
pub struct Rows<'a>(pub &'a DataFrame);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let df = self.0;
        let cols = df.columns();
        let mut seq = s.serialize_seq(Some(df.height()))?;
        for i in 0..df.height() {
            seq.serialize_element(&Row { cols, i })?;
        }
        seq.end()
    }
}

/// One row serialised as an object, keys in column order (also one line of ndjson).
pub(crate) struct Row<'a> {
    /// The frame's columns.
    pub cols: &'a [Column],
    /// The row index.
    pub i: usize,
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.cols.len()))?;
        for c in self.cols {
            let v = c.get(self.i).map_err(serde::ser::Error::custom)?;
            map.serialize_entry(c.name().as_str(), &cell_json(&v))?;
        }
        map.end()
    }
}
