//! The aligned table for people at a terminal.
//!
//! * Widths are **display widths** (`unicode-width`): a CJK character takes two columns, so
//!   `省数字办` lines up with `abcdefgh`. Cells longer than their column are cut by display
//!   width and end in `…`; a wide character is never split (the cell is padded instead).
//! * Numbers are right-aligned, everything else left-aligned; null is `∅` (dimmed in colour)
//!   and an empty string is empty, so the two stay distinguishable.
//! * Line breaks, tabs and other control characters inside a cell are shown as `↵` / a space,
//!   so one row is always one line.
//! * The footer always tells the true row count (`26 rows`, `showing 40 of 1,000 rows`),
//!   and names any columns that did not fit: nothing is left out silently.
//! * With a width limit (the terminal's width), the widest **text** columns are narrowed
//!   first, down to a minimum — never below their header, which is always shown whole;
//!   numbers are never cut. If even that does not fit, columns in the **middle** are left
//!   out (the first and the last ones stay, as in DuckDB): a `…` column marks the gap and
//!   the footer names every hidden column.

use polars::prelude::*;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::values::cell_text;

/// How to draw a table.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// Show at most this many rows (`None`: all). The footer tells how many there are.
    pub max_rows: Option<usize>,
    /// Fit the table in this many terminal columns (`None`: no limit).
    pub width: Option<usize>,
    /// ANSI colour (bold header, dimmed nulls and footer).
    pub color: bool,
}

/// What a null cell shows.
pub const NULL: &str = "∅";
/// The narrowest a text column is squeezed to when fitting the width (eight CJK characters):
/// narrower, a cell says too little, and hiding columns serves better.
const MIN_TEXT_WIDTH: usize = 16;

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The display width of `s` in a terminal.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` made safe for one table line: line breaks become `↵`, tabs and other control
/// characters a space.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push('↵'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `width` display columns, ending in `…` when anything was cut. A
/// wide character that does not fit whole is left out, never split.
pub fn truncate(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` (already at most `width` wide) padded to exactly `width` display columns.
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// `n` with thousands separators: `1,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 row", "26 rows", "showing 40 of 1,000 rows".
pub fn row_count(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "row" } else { "rows" };
    if shown < total {
        format!(
            "showing {} of {} {noun}",
            thousands(shown),
            thousands(total)
        )
    } else {
        format!("{} {noun}", thousands(total))
    }
}

struct Col {
    name: String,
    numeric: bool,
    cells: Vec<Option<String>>,
    /// The width it is drawn at.
    width: usize,
    /// The width of its widest cell or header.
    full: usize,
    /// The narrowest it may become: its header, whole (and numbers never narrow).
    min: usize,
}

/// What the gap column of hidden columns shows.
const GAP: &str = "…";

/// Draws `df` as an aligned table, footer included; every line ends in `\n`.
pub fn render_table(df: &DataFrame, opts: &TableOptions) -> String {
    let total = df.height();
    let shown = opts.max_rows.map_or(total, |m| m.min(total));
    let mut cols: Vec<Col> = df
        .columns()
        .iter()
        .map(|c| {
            let cells: Vec<Option<String>> = (0..shown)
                .map(|i| {
                    c.get(i)
                        .ok()
                        .and_then(|v| cell_text(&v))
                        .map(|s| one_line(&s))
                })
                .collect();
            let name = one_line(c.name().as_str());
            let width = cells
                .iter()
                .map(|s| s.as_deref().map_or(display_width(NULL), display_width))
                .chain(std::iter::once(display_width(&name)))
                .max()
                .unwrap_or(0);
            let numeric = c.dtype().is_primitive_numeric();
            let min = if numeric {
                width
            } else {
                display_width(&name).max(width.min(MIN_TEXT_WIDTH))
            };
            Col {
                name,
                numeric,
                cells,
                width,
                full: width,
                min,
            }
        })
        .collect();

    let mut hidden: Vec<String> = Vec::new();
    if let Some(limit) = opts.width {
        if let Some(gap) = fit(&mut cols, &mut hidden, limit) {
            cols.insert(
                gap,
                Col {
                    name: GAP.into(),
                    numeric: false,
                    cells: vec![Some(GAP.into()); shown],
                    width: 1,
                    full: 1,
                    min: 1,
                },
            );
        }
    }

    let mut out = String::new();
    let (bold, dim, reset) = if opts.color {
        (BOLD, DIM, RESET)
    } else {
        ("", "", "")
    };
    if !cols.is_empty() {
        let last = cols.len() - 1;
        // The last cell of a line is not padded: no trailing spaces.
        let cell = |text: &str, j: usize, c: &Col| -> String {
            let padded = pad(&truncate(text, c.width), c.width, c.numeric);
            if j == last {
                padded.trim_end().to_string()
            } else {
                padded
            }
        };
        let header: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(j, c)| format!("{bold}{}{reset}", cell(&c.name, j, c)))
            .collect();
        out.push_str(format!(" {}", header.join(" │ ")).trim_end());
        out.push('\n');
        let rule: Vec<String> = cols.iter().map(|c| "─".repeat(c.width + 2)).collect();
        out.push_str(&rule.join("┼"));
        out.push('\n');
        for i in 0..shown {
            let row: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(j, c)| match &c.cells[i] {
                    Some(s) => cell(s, j, c),
                    None => cell(NULL, j, c).replace(NULL, &format!("{dim}{NULL}{reset}")),
                })
                .collect();
            out.push_str(format!(" {}", row.join(" │ ")).trim_end());
            out.push('\n');
        }
    }
    let mut footer = row_count(shown, total);
    if cols.is_empty() && hidden.is_empty() {
        footer.push_str(", no columns");
    }
    if !hidden.is_empty() {
        footer.push_str(&format!(
            "; {} more column{} did not fit: {}",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" },
            hidden.join(", ")
        ));
    }
    out.push_str(&format!("{dim}{footer}{reset}\n"));
    out
}

/// The width the table takes.
fn total_width(cols: &[Col]) -> usize {
    if cols.is_empty() {
        return 0;
    }
    // The rule under the header is the widest line: each cell padded by a space on both
    // sides, `┼` between.
    cols.iter().map(|c| c.width + 2).sum::<usize>() + cols.len() - 1
}

/// Narrows the widest text columns (down to their minimum) until the table fits `limit`
/// with `extra` more columns taken by a gap column; returns how much is still too wide.
fn narrow(cols: &mut [Col], limit: usize, extra: usize) -> usize {
    let mut excess = (total_width(cols) + extra).saturating_sub(limit);
    while excess > 0 {
        // The widest text column that can still give up a column.
        let Some(widest) = cols
            .iter_mut()
            .filter(|c| !c.numeric && c.width > c.min)
            .max_by_key(|c| c.width)
        else {
            break;
        };
        widest.width -= 1;
        excess -= 1;
    }
    excess
}

/// Fits the table in `limit` columns: narrows text columns; if that is not enough, keeps
/// the first and last columns that fit (alternating from the left and the right) and moves
/// the ones between into `hidden`. Returns where the gap column goes, if any were hidden.
fn fit(cols: &mut Vec<Col>, hidden: &mut Vec<String>, limit: usize) -> Option<usize> {
    if narrow(cols, limit, 0) == 0 || cols.len() <= 1 {
        return None;
    }
    // Each kept column costs its narrowest width, its padding and a separator; the gap
    // column costs `…` and its padding.
    let n = cols.len();
    let mut used = display_width(GAP) + 2;
    let (mut left, mut right) = (0, 0);
    while left + right < n {
        let take_left = left <= right;
        let at = if take_left { left } else { n - 1 - right };
        let cost = cols[at].min + 3;
        if used + cost > limit {
            break;
        }
        used += cost;
        if take_left {
            left += 1;
        } else {
            right += 1;
        }
    }
    // The first column always shows, even when it alone is too wide.
    left = left.max(1);
    if left + right >= n {
        right = n - left;
    }
    let tail = cols.split_off(n - right);
    let middle = cols.split_off(left);
    hidden.extend(middle.into_iter().map(|c| c.name));
    cols.extend(tail);
    // Give the room back: the kept columns start whole and narrow again with the gap.
    for c in cols.iter_mut() {
        c.width = c.full;
    }
    narrow(cols, limit, display_width(GAP) + 3);
    Some(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df() -> DataFrame {
        DataFrame::new(
            3,
            vec![
                Column::new("owner".into(), ["省数字办", "abc", "省通信管理局"]),
                Column::new("count".into(), [12i64, 5, 100]),
                Column::new("note".into(), [Some("x"), None, Some("")]),
            ],
        )
        .unwrap()
    }

    fn plain(df: &DataFrame, max_rows: Option<usize>, width: Option<usize>) -> String {
        render_table(
            df,
            &TableOptions {
                max_rows,
                width,
                color: false,
            },
        )
    }

    #[test]
    fn cjk_columns_align_by_display_width() {
        let t = plain(&df(), None, None);
        let expected = "\
\x20owner        │ count │ note
──────────────┼───────┼──────
 省数字办     │    12 │ x
 abc          │     5 │ ∅
 省通信管理局 │   100 │
3 rows
";
        assert_eq!(t, expected);
        // Every separator sits at the same display column on every line.
        let cols: Vec<usize> = t
            .lines()
            .filter(|l| l.contains('│'))
            .map(|l| display_width(&l[..l.find('│').unwrap()]))
            .collect();
        assert!(cols.iter().all(|&c| c == cols[0]), "{cols:?}");
    }

    #[test]
    fn footer_tells_the_true_count() {
        let t = plain(&df(), Some(2), None);
        assert!(t.ends_with("showing 2 of 3 rows\n"), "{t}");
        assert_eq!(t.lines().count(), 2 + 2 + 1);
        let one = df().head(Some(1));
        assert!(plain(&one, None, None).ends_with("\n1 row\n"));
        let none = df().head(Some(0));
        assert!(plain(&none, None, None).ends_with("\n0 rows\n"));
        assert_eq!(row_count(40, 1000), "showing 40 of 1,000 rows");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn truncation_never_splits_a_wide_character() {
        assert_eq!(truncate("省数字办", 8), "省数字办");
        assert_eq!(truncate("省数字办", 7), "省数字…");
        // 6 columns: two ideographs (4) + `…` (1) = 5; the third would need 2 more.
        assert_eq!(truncate("省数字办", 6), "省数…");
        assert_eq!(display_width(&truncate("省数字办", 6)), 5);
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn fits_the_width_by_narrowing_text_columns() {
        let long = DataFrame::new(
            1,
            vec![
                Column::new("id".into(), ["1.1"]),
                Column::new("title".into(), ["开展电子政务顶层设计开展电子政务顶层设计"]),
                Column::new("n".into(), [123456789i64]),
            ],
        )
        .unwrap();
        let t = plain(&long, None, Some(40));
        for line in t.lines().filter(|l| l.contains(['│', '─'])) {
            assert!(display_width(line) <= 40, "{line:?} is too wide");
        }
        assert!(t.ends_with("\n1 row\n"), "nothing hidden: {t}");
        assert!(t.contains('…'));
        assert!(t.contains("123456789"), "numbers are never cut: {t}");
        // Padding after a cut keeps alignment even when a wide char did not fit.
        let seps: Vec<usize> = t
            .lines()
            .filter(|l| l.contains('│'))
            .map(|l| display_width(&l[..l.rfind('│').unwrap()]))
            .collect();
        assert!(seps.iter().all(|&c| c == seps[0]), "{t}");
    }

    #[test]
    fn columns_that_cannot_fit_are_named_in_the_footer() {
        let wide = DataFrame::new(
            1,
            vec![
                Column::new("a".into(), [1i64]),
                Column::new("b".into(), [2i64]),
                Column::new("c".into(), [3i64]),
                Column::new("d".into(), [4i64]),
            ],
        )
        .unwrap();
        // `a` (4 with padding and separator) and the gap (3) fill 7 columns.
        let t = plain(&wide, None, Some(7));
        assert!(
            t.ends_with("1 row; 3 more columns did not fit: b, c, d\n"),
            "{t}"
        );
        assert!(t.starts_with(" a │ …\n"), "{t}");
        // With room for one more, the last column comes back; the middle ones stay hidden.
        let t = plain(&wide, None, Some(11));
        assert!(t.starts_with(" a │ … │ d\n"), "{t}");
        assert!(t.contains("\n 1 │ … │ 4\n"), "{t}");
        assert!(
            t.ends_with("1 row; 2 more columns did not fit: b, c\n"),
            "{t}"
        );
        // Even with no room at all, the first column shows.
        let t = plain(&wide, None, Some(3));
        assert!(t.starts_with(" a │ …\n"), "{t}");
    }

    #[test]
    fn headers_are_never_abbreviated() {
        let d = DataFrame::new(
            1,
            vec![
                Column::new("id".into(), ["1"]),
                Column::new("a_rather_long_header".into(), ["x"]),
                Column::new(
                    "targets".into(),
                    ["开展电子政务顶层设计开展电子政务顶层设计"],
                ),
            ],
        )
        .unwrap();
        let t = plain(&d, None, Some(50));
        let header = t.lines().next().unwrap();
        assert!(header.contains("a_rather_long_header"), "{t}");
        assert!(header.contains("targets"), "{t}");
        for line in t.lines().filter(|l| l.contains('│')) {
            assert!(display_width(line) <= 50, "{t}");
        }
    }

    #[test]
    fn newlines_in_cells_stay_on_one_line() {
        let d = DataFrame::new(1, vec![Column::new("t".into(), ["a\nb\tc"])]).unwrap();
        let t = plain(&d, None, None);
        assert!(t.contains(" a↵b c\n"), "{t}");
    }

    #[test]
    fn colour_only_adds_escapes() {
        let c = render_table(
            &df(),
            &TableOptions {
                max_rows: None,
                width: None,
                color: true,
            },
        );
        assert!(c.contains("\x1b[2m∅\x1b[0m"));
        let stripped = c.replace(BOLD, "").replace(DIM, "").replace(RESET, "");
        assert_eq!(stripped, plain(&df(), None, None));
    }
}
