//! Rendering results: cell values, machine-readable formats (csv, tsv, json, ndjson,
//! markdown), the aligned terminal table and terminal bar charts.

pub mod chart;
pub mod formats;
pub mod table;
pub mod values;

pub use chart::{render_chart, ChartSpec};
pub use formats::{write, Format};
pub use table::{render_table, TableOptions};
pub use values::Rows;
