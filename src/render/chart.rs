//! Horizontal bar charts in the terminal, from a label column and a numeric column of a
//! result (`.chart owner count`, `--chart owner,count`).
//!
//! Three kinds, chosen from the columns:
//! * **bars**: one bar per row, scaled to the largest absolute value; negative values are
//!   drawn in `▒` so that they stay distinguishable without colour;
//! * **percent**: when the value column is a percentage (`pct_done`, or a name containing
//!   `pct`/`percent`), the scale runs to at least 100 and a `│` marks 100%;
//! * **progress**: when no value column is named and the result has numeric `actual` and
//!   `target` columns (the `shortfall` table), each row is a progress bar — done (`█`)
//!   against the rest of the target (`░`) — with `actual / target unit (pct%)`.
//!
//! Bars use eighth blocks (`▏▎▍▌▋▊▉█`) in plain text; colour only adds colour. Labels are
//! measured and cut by display width, so Chinese labels line up.

use polars::prelude::*;

use super::table::{display_width, one_line, row_count, truncate};
use super::values::cell_text;
use crate::error::{Code, Error, ErrorKind};
use crate::lang::suggest::closest;

/// Which columns to chart; `None` picks the default (first text column for the label, first
/// numeric column for the value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartSpec {
    /// The label column.
    pub label: Option<String>,
    /// The value column.
    pub value: Option<String>,
}

impl ChartSpec {
    /// Reads `LABEL VALUE`, `LABEL,VALUE`, `LABEL`, or nothing or `auto` for the defaults.
    pub fn parse(args: &str) -> ChartSpec {
        if args.trim() == "auto" {
            return ChartSpec::default();
        }
        let mut parts = args
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_matches('`').to_string());
        ChartSpec {
            label: parts.next(),
            value: parts.next(),
        }
    }
}

/// How to draw a chart.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    /// Total width in terminal columns.
    pub width: usize,
    /// Draw at most this many bars (`None`: all); the footer says when some are left out.
    pub max_rows: Option<usize>,
    /// ANSI colour.
    pub color: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 80,
            max_rows: None,
            color: false,
        }
    }
}

const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn chart_error(code: Code, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Query, code, message)
}

fn column<'a>(df: &'a DataFrame, name: &str, role: &str) -> Result<&'a Column, Error> {
    df.column(name).map_err(|_| {
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        let help = match closest(name, names.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the result's columns: {}", names.join(", ")),
        };
        chart_error(
            Code::ChartUnknownColumn,
            format!("no column `{name}` to use as the {role}"),
        )
        .with_help(help)
    })
}

fn is_numeric(c: &Column) -> bool {
    c.dtype().is_primitive_numeric()
}

fn number(c: &Column, i: usize) -> Option<f64> {
    let v = c.get(i).ok()?;
    v.extract::<f64>().filter(|f| f.is_finite())
}

fn text(c: &Column, i: usize) -> Option<String> {
    c.get(i).ok().and_then(|v| cell_text(&v))
}

/// A bar of `fraction` (0..=1) of `width` cells in eighth blocks, padded to `width`.
fn bar(fraction: f64, width: usize) -> String {
    let eighths = (fraction.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    s
}

fn pad_right(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// Draws a chart of `df`; every line ends in `\n`.
pub fn render_chart(
    df: &DataFrame,
    spec: &ChartSpec,
    opts: &ChartOptions,
) -> Result<String, Error> {
    if df.width() == 0 {
        return Err(chart_error(
            Code::ChartEmpty,
            "the result has no columns to chart",
        ));
    }
    let columns = df.columns();
    let label = match &spec.label {
        Some(name) => column(df, name, "label")?,
        None => columns
            .iter()
            .find(|c| c.dtype() == &DataType::String)
            .or_else(|| {
                // No text column (e.g. `count by year(deadline)`): the first column that is
                // not the value column.
                columns
                    .iter()
                    .find(|c| Some(c.name().as_str()) != spec.value.as_deref())
            })
            .unwrap_or(&columns[0]),
    };
    let progress = spec.value.is_none()
        && df.column("actual").is_ok_and(is_numeric)
        && df.column("target").is_ok_and(is_numeric);
    if progress {
        return Ok(progress_chart(df, label, opts));
    }
    let value = match &spec.value {
        Some(name) => {
            let c = column(df, name, "value")?;
            if !is_numeric(c) {
                return Err(chart_error(
                    Code::ChartNotNumeric,
                    format!("column `{name}` is not numeric, so it cannot be charted"),
                )
                .with_help("chart a numeric column, e.g. the `count` of `… | count by owner`"));
            }
            c
        }
        None => columns
            .iter()
            .find(|c| is_numeric(c) && c.name() != label.name())
            .ok_or_else(|| {
                chart_error(
                    Code::ChartNoNumericColumn,
                    "the result has no numeric column to chart",
                )
                .with_help(
                    "count or sum something first, e.g. `owners | count by owner`, \
                         or name the columns: .chart LABEL VALUE",
                )
            })?,
    };
    let lower = value.name().to_lowercase();
    let percent = lower.contains("pct") || lower.contains("percent");
    Ok(bar_chart(df, label, value, percent, opts))
}

struct Layout {
    rows: usize,
    label_width: usize,
}

fn layout(df: &DataFrame, label: &Column, opts: &ChartOptions) -> Layout {
    let rows = opts.max_rows.map_or(df.height(), |m| m.min(df.height()));
    let natural = (0..rows)
        .map(|i| display_width(&one_line(&text(label, i).unwrap_or_default())))
        .max()
        .unwrap_or(0)
        .max(1);
    Layout {
        rows,
        label_width: natural.min((opts.width / 3).max(8)),
    }
}

fn label_cell(label: &Column, i: usize, width: usize) -> String {
    let t = text(label, i).map_or_else(|| "∅".to_string(), |s| one_line(&s));
    pad_right(&truncate(&t, width), width)
}

fn footer(out: &mut String, shown: usize, total: usize, color: bool) {
    if shown < total {
        let (dim, reset) = if color { (DIM, RESET) } else { ("", "") };
        let counted = row_count(shown, total)
            .replace("rows", "bars")
            .replace("row", "bar");
        out.push_str(&format!("{dim}{counted}{reset}\n"));
    }
}

fn bar_chart(
    df: &DataFrame,
    label: &Column,
    value: &Column,
    percent: bool,
    opts: &ChartOptions,
) -> String {
    let Layout { rows, label_width } = layout(df, label, opts);
    let suffix = if percent { "%" } else { "" };
    let values: Vec<Option<f64>> = (0..rows).map(|i| number(value, i)).collect();
    let texts: Vec<String> = (0..rows)
        .map(|i| match text(value, i) {
            Some(t) => format!("{t}{suffix}"),
            None => "∅".to_string(),
        })
        .collect();
    let (value_width, bar_width) = widths(&texts, label_width, opts);
    let largest = values.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    let scale = if percent { largest.max(100.0) } else { largest };
    // The cell where 100% falls, for percentages.
    let mark = percent.then(|| ((100.0 / scale) * bar_width as f64).round() as usize);
    let mark = mark.map(|m| m.min(bar_width.saturating_sub(1)));
    let (cyan, red, yellow, green, reset) = if opts.color {
        (CYAN, RED, YELLOW, GREEN, RESET)
    } else {
        ("", "", "", "", "")
    };

    let mut out = String::new();
    if let Some(m) = mark {
        out.push_str(&format!(
            "{}{yellow}100%{reset}\n",
            " ".repeat(label_width + 1 + m)
        ));
    }
    for i in 0..rows {
        let fraction = match values[i] {
            Some(v) if scale > 0.0 => v.abs() / scale,
            _ => 0.0,
        };
        let negative = values[i].is_some_and(|v| v < 0.0);
        let drawn = if negative {
            "▒".repeat((fraction * bar_width as f64).round() as usize)
        } else {
            bar(fraction, bar_width)
        };
        let drawn_width = drawn.chars().count();
        let colour = if negative {
            red
        } else if percent && values[i].is_some_and(|v| v >= 100.0) {
            green
        } else {
            cyan
        };
        let mut cells = format!("{colour}{drawn}{reset}");
        let mut used = drawn_width;
        if let Some(m) = mark {
            if drawn_width <= m {
                cells.push_str(&" ".repeat(m - drawn_width));
                cells.push_str(&format!("{yellow}│{reset}"));
                used = m + 1;
            }
        }
        cells.push_str(&" ".repeat(bar_width.saturating_sub(used)));
        let line = format!(
            "{} {} {}",
            label_cell(label, i, label_width),
            cells,
            pad_left(&texts[i], value_width)
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    footer(&mut out, rows, df.height(), opts.color);
    out
}

fn progress_chart(df: &DataFrame, label: &Column, opts: &ChartOptions) -> String {
    let Layout { rows, label_width } = layout(df, label, opts);
    // Both exist and are numeric: checked by the caller.
    let (Ok(actual), Ok(target)) = (df.column("actual"), df.column("target")) else {
        return String::new();
    };
    let unit = df.column("unit").ok();
    let texts: Vec<String> = (0..rows)
        .map(|i| {
            let a = text(actual, i).unwrap_or_else(|| "∅".into());
            let t = text(target, i).unwrap_or_else(|| "∅".into());
            let u = unit
                .and_then(|u| text(u, i))
                .filter(|u| !u.is_empty())
                .map(|u| format!(" {}", one_line(&u)))
                .unwrap_or_default();
            let pct = match (number(actual, i), number(target, i)) {
                (Some(a), Some(t)) if t != 0.0 => format!(" ({:.0}%)", a / t * 100.0),
                _ => String::new(),
            };
            format!("{a} / {t}{u}{pct}")
        })
        .collect();
    let (_, bar_width) = widths(&texts, label_width, opts);
    let (cyan, green, dim, reset) = if opts.color {
        (CYAN, GREEN, DIM, RESET)
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    for (i, value_text) in texts.iter().enumerate() {
        let fraction = match (number(actual, i), number(target, i)) {
            (Some(a), Some(t)) if t > 0.0 => a / t,
            (Some(a), Some(_)) if a >= 0.0 => 1.0,
            _ => 0.0,
        };
        let done = bar(fraction, bar_width);
        let rest = "░".repeat(bar_width.saturating_sub(done.chars().count()));
        let colour = if fraction >= 1.0 { green } else { cyan };
        out.push_str(&format!(
            "{} {colour}{done}{reset}{dim}{rest}{reset} {}\n",
            label_cell(label, i, label_width),
            value_text
        ));
    }
    footer(&mut out, rows, df.height(), opts.color);
    out
}

/// The width of the value column and what is left for the bars (at least 10 cells).
fn widths(texts: &[String], label_width: usize, opts: &ChartOptions) -> (usize, usize) {
    let value_width = texts.iter().map(|t| display_width(t)).max().unwrap_or(1);
    let bar_width = opts
        .width
        .saturating_sub(label_width + value_width + 2)
        .max(10);
    (value_width, bar_width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(width: usize) -> ChartOptions {
        ChartOptions {
            width,
            max_rows: None,
            color: false,
        }
    }

    fn owners() -> DataFrame {
        DataFrame::new(
            3,
            vec![
                Column::new("owner".into(), ["省数字办", "省通管局", "abc"]),
                Column::new("count".into(), [16i64, 8, 1]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_labels_align() {
        let c = render_chart(&owners(), &ChartSpec::default(), &opts(40)).unwrap();
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 3, "{c}");
        // label width 8 (`省数字办`), value width 2, bar width 40 - 8 - 2 - 2 = 28.
        assert_eq!(lines[0], format!("省数字办 {} 16", "█".repeat(28)));
        assert_eq!(
            lines[1],
            format!("省通管局 {}{}  8", "█".repeat(14), " ".repeat(14))
        );
        // 1/16 of 28 cells is 14 eighths: one full block and a 6/8 block.
        assert!(lines[2].starts_with("abc      █▊ "), "{c}");
        for l in &lines {
            assert_eq!(display_width(l), 40, "{l:?}");
        }
    }

    #[test]
    fn explicit_columns_and_errors() {
        let spec = ChartSpec::parse("owner count");
        assert_eq!(spec, ChartSpec::parse("owner,count"));
        assert!(render_chart(&owners(), &spec, &opts(40)).is_ok());
        let e = render_chart(&owners(), &ChartSpec::parse("owner cout"), &opts(40)).unwrap_err();
        assert_eq!(e.code(), Code::ChartUnknownColumn);
        assert_eq!(e.help(), Some("did you mean `count`?"));
        let e = render_chart(&owners(), &ChartSpec::parse("count owner"), &opts(40)).unwrap_err();
        assert_eq!(e.code(), Code::ChartNotNumeric);
        let text_only = owners().select(["owner"]).unwrap();
        let e = render_chart(&text_only, &ChartSpec::default(), &opts(40)).unwrap_err();
        assert_eq!(e.code(), Code::ChartNoNumericColumn);
    }

    #[test]
    fn percentages_get_a_100_percent_mark() {
        let df = DataFrame::new(
            2,
            vec![
                Column::new("target_id".into(), ["2.2#1", "2.5#1"]),
                Column::new("pct_done".into(), [Some(50.0f64), None]),
            ],
        )
        .unwrap();
        let c = render_chart(&df, &ChartSpec::default(), &opts(30)).unwrap();
        let lines: Vec<&str> = c.lines().collect();
        // label 5, value `50%` 3 wide, bar 30 - 5 - 3 - 2 = 20; 100% at the last cell.
        assert_eq!(lines[0], format!("{}100%", " ".repeat(6 + 19)));
        assert_eq!(
            lines[1],
            format!("2.2#1 {}{}│ 50%", "█".repeat(10), " ".repeat(9))
        );
        assert_eq!(lines[2], format!("2.5#1 {}│   ∅", " ".repeat(19)));
    }

    #[test]
    fn shortfall_draws_progress_bars() {
        let df = DataFrame::new(
            2,
            vec![
                Column::new("metric".into(), ["民生信息化社区", "医疗机构"]),
                Column::new("unit".into(), ["个", "所"]),
                Column::new("target".into(), [2000.0f64, 10.0]),
                Column::new("actual".into(), [Some(1000.0f64), None]),
            ],
        )
        .unwrap();
        let c = render_chart(&df, &ChartSpec::default(), &opts(50)).unwrap();
        let lines: Vec<&str> = c.lines().collect();
        assert!(lines[0].starts_with("民生信息化社区 "), "{c}");
        assert!(lines[0].ends_with(" 1000 / 2000 个 (50%)"), "{c}");
        let done = lines[0].matches('█').count();
        let rest = lines[0].matches('░').count();
        assert!(done.abs_diff(rest) <= 1, "half done: {c}");
        assert!(lines[1].starts_with("医疗机构       ░"), "{c}");
        assert!(lines[1].ends_with("░ ∅ / 10 所"), "{c}");
    }

    #[test]
    fn truncated_charts_say_so() {
        let c = render_chart(
            &owners(),
            &ChartSpec::default(),
            &ChartOptions {
                width: 40,
                max_rows: Some(2),
                color: false,
            },
        )
        .unwrap();
        assert!(c.ends_with("showing 2 of 3 bars\n"), "{c}");
    }

    #[test]
    fn colour_only_adds_colour() {
        let plain = render_chart(&owners(), &ChartSpec::default(), &opts(40)).unwrap();
        let mut o = opts(40);
        o.color = true;
        let coloured = render_chart(&owners(), &ChartSpec::default(), &o).unwrap();
        assert_ne!(plain, coloured);
        assert_eq!(coloured.replace(CYAN, "").replace(RESET, ""), plain);
    }
}
