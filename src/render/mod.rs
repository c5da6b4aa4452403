//! Rendering results: cell values, machine-readable formats (csv, tsv, json, ndjson,
//! markdown, xlsx), the aligned terminal table, line mode, terminal bar charts, the pager
//! for tall results, and writing output files safely (no overwriting unless forced, no
//! following symlinks, atomic).

pub mod chart;
pub mod file;
pub mod formats;
pub mod line;
pub mod pager;
pub mod table;
pub mod values;
pub mod xlsx;

pub use chart::{render_chart, ChartSpec};
pub use formats::{write, write_with_bom, Format};
pub use table::{render_table, TableOptions};
pub use values::Rows;
