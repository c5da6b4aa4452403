//! Rendering results: cell values, machine-readable formats (csv, tsv, json, ndjson,
//! markdown) and the aligned terminal table.

pub mod formats;
pub mod values;

pub use formats::{write, Format};
pub use values::Rows;
