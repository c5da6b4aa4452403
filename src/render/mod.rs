//! Rendering results: cell values, machine-readable formats (csv, tsv, json, ndjson,
//! markdown), the aligned terminal table, terminal bar charts, and writing output files
//! safely (no overwriting unless forced, no following symlinks, atomic).

pub mod chart;
pub mod file;
pub mod formats;
pub mod table;
pub mod values;

pub use chart::{render_chart, ChartSpec};
pub use formats::{write, Format};
pub use table::{render_table, TableOptions};
pub use values::Rows;
