//! Line mode (`.mode line`, `--format line`): one column per line, one record after another,
//! as sqlite3's and DuckDB's `.mode line` — the way to read long task text.
//!
//! ```text
//!       id = 1.1
//! category = 精心谋划“十二五”发展规划
//!    title = 开展电子政务顶层设计
//! ```
//!
//! * Names are right-aligned by **display width**, so `类别` lines up with `abcd`.
//! * A value is never cut: a line break inside it continues on the next line, indented
//!   under the value.
//! * Records are separated by a blank line; null is `∅`.
//! * The footer is printed only when it has something to say: rows left out by `.maxrows`
//!   (`showing 40 of 120 rows`), or no rows at all (`0 rows`).

use polars::prelude::*;

use super::table::{display_width, row_count, NULL};
use super::values::cell_text;

/// Draws `df` in line mode, at most `max_rows` records (`None`: all).
pub fn render_lines(df: &DataFrame, max_rows: Option<usize>) -> String {
    let total = df.height();
    let shown = max_rows.map_or(total, |m| m.min(total));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.as_str().replace(['\n', '\r', '\t'], " "))
        .collect();
    let width = names.iter().map(|n| display_width(n)).max().unwrap_or(0);
    let mut out = String::new();
    for i in 0..shown {
        if i > 0 {
            out.push('\n');
        }
        for (col, name) in df.columns().iter().zip(&names) {
            let value = col
                .get(i)
                .ok()
                .and_then(|v| cell_text(&v))
                .unwrap_or_else(|| NULL.to_string());
            let fill = " ".repeat(width - display_width(name));
            out.push_str(&format!("{fill}{name} ="));
            let indent = " ".repeat(width + 3);
            let value = value.replace("\r\n", "\n").replace('\r', "\n");
            for (k, part) in value.split('\n').enumerate() {
                if k > 0 {
                    out.push('\n');
                    out.push_str(&indent);
                } else {
                    out.push(' ');
                }
                out.push_str(part);
            }
            // No trailing blank after `=` for an empty value.
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
        }
    }
    if shown < total || total == 0 {
        if total > 0 {
            out.push('\n');
        }
        out.push_str(&row_count(shown, total));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df() -> DataFrame {
        DataFrame::new(
            2,
            vec![
                Column::new("id".into(), ["1.1", "3.10"]),
                Column::new("类别".into(), [Some("电子政务"), None]),
                Column::new("text".into(), ["第一行\n第二行", ""]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn names_align_by_display_width_and_values_are_whole() {
        assert_eq!(
            render_lines(&df(), None),
            concat!(
                "  id = 1.1\n",
                "类别 = 电子政务\n",
                "text = 第一行\n",
                "       第二行\n",
                "\n",
                "  id = 3.10\n",
                "类别 = ∅\n",
                "text =\n",
            )
        );
    }

    #[test]
    fn the_footer_speaks_only_when_rows_are_left_out() {
        let t = render_lines(&df(), Some(1));
        assert!(t.ends_with("第二行\n\nshowing 1 of 2 rows\n"), "{t}");
        assert_eq!(render_lines(&df().head(Some(0)), None), "0 rows\n");
    }
}
