//! Hard-wrapped text, as PDF converters write it (`pdftotext`, with or without `-layout`):
//! every paragraph is cut into lines of the page's width, and a single space is put between
//! Chinese and Latin text (`2010 年`). The extractor reads a plan line by line, so a wrapped
//! owner clause (`(省空` / `间中心负责)`) would be lost and the title's year unread.
//!
//! [`join_wrapped`] finds such text by its shape — many lines of the same, full width, each
//! followed by a line that starts no item — and joins each paragraph back onto its first
//! line. The lines it empties stay as blank lines, so every line number of the result is a
//! line number of the file, and diagnostics still quote the file as written. Text that is
//! not wrapped (one paragraph a line, as plans saved from Word are) is left alone.

use rayon::prelude::*;
use unicode_width::UnicodeWidthStr;

/// How many display columns short of the page width a line may be and still be full:
/// justification and punctuation at the line's end make full lines a little uneven.
const SLACK: usize = 6;

/// The fewest joins that make a text count as wrapped (one or two long paragraphs are a
/// coincidence, not a page layout).
const MIN_JOINS: usize = 3;

/// What a paragraph or clause that was not cut by the page ends with.
const ENDINGS: &[char] = &['。', '；', '！', '？', '）', ')', '：', ':', ';'];

/// Text whose wrapped paragraphs were joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Unwrapped {
    /// The text, with as many lines as before (joined lines are left blank).
    pub text: String,
    /// How many lines were joined onto the paragraph above them.
    pub joins: usize,
    /// The 1-based line of the first paragraph that was joined.
    pub first: u32,
}

/// Text with its wrapped paragraphs joined; `None` when the text does not look wrapped.
pub fn join_wrapped(text: &str) -> Option<Unwrapped> {
    // Every join is of a line that a continuation follows: a text with fewer such lines
    // than a wrapped text has joins (plans written one paragraph a line) is not wrapped.
    // Counted first, on rayon's pool and without collecting the lines: every plain-text
    // plan passes through here before extraction starts, and splitting and reading a
    // 176 MB plan's lines on one thread took ~190 ms of its export.
    if !continuations_at_least(text, MIN_JOINS) {
        return None;
    }
    let lines: Vec<&str> = super::extract::split_lines(text);
    // What the dry run asks of each line, read once per line and on rayon's pool (one
    // thread read them one after the other before extraction could start: ≈ 1 ms of a
    // 10k-task plan's export).
    let facts: Vec<LineFacts> = lines
        .par_iter()
        .with_min_len(4096)
        .map(|l| LineFacts::of(l))
        .collect();
    let cont = |i: usize| facts[i].continuation;
    let continues = |i: usize| i + 1 < lines.len() && cont(i + 1);
    let page = page_width(&facts)?;
    // A line the page cut: full width, or most of it and stopping mid-phrase (Latin digits
    // and letters are narrower on the page than in display columns, so a line with many of
    // them looks short).
    let is_full = |i: usize| {
        let LineFacts {
            prose,
            width,
            open_end,
            ..
        } = facts[i];
        prose && (width + SLACK >= page || (open_end && width * 5 >= page * 3))
    };
    // Read once per line: the dry run and the joining both ask.
    let full_lines: Vec<bool> = (0..lines.len()).map(is_full).collect();
    let full = |i: usize| full_lines[i];
    // A dry run first: is this text wrapped at all?
    let full_count = full_lines.iter().filter(|&&f| f).count();
    let joinable: Vec<usize> = (0..lines.len())
        .filter(|&i| full(i) && continues(i))
        .collect();
    // A wrapped line is cut wherever the page ends, mostly mid-phrase; a line of its own
    // ends a sentence or a clause.
    let cut = joinable.iter().filter(|&&i| facts[i].open_end).count();
    if joinable.len() < MIN_JOINS || joinable.len() * 2 < full_count || cut * 2 < joinable.len() {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut joins = 0;
    let mut first = None;
    // The line that holds the paragraph being built, when its last physical line was full.
    let mut open: Option<usize> = None;
    for i in 0..lines.len() {
        if is_page_furniture(lines[i]) {
            continue; // a page number between two halves of a paragraph
        }
        match open {
            Some(head) if cont(i) => {
                let piece = lines[i].trim();
                let head_text = &mut out[head];
                let trimmed_len = head_text.trim_end().len();
                head_text.truncate(trimmed_len);
                if needs_space(head_text, piece) {
                    head_text.push(' ');
                }
                head_text.push_str(piece);
                out[i].clear();
                joins += 1;
                first.get_or_insert(head as u32 + 1);
                open = full(i).then_some(head);
            }
            _ => open = full(i).then_some(i),
        }
    }
    let joined: Vec<String> = out.iter().map(|l| tighten(l)).collect();
    Some(Unwrapped {
        text: joined.join("\n"),
        joins,
        first: first.unwrap_or(1),
    })
}

/// What [`join_wrapped`] reads of one line.
#[derive(Clone, Copy)]
struct LineFacts {
    /// It goes on with the paragraph above ([`continuation`]).
    continuation: bool,
    /// It is running text ([`prose`]).
    prose: bool,
    /// Its display width ([`width`]).
    width: usize,
    /// It stops mid-phrase: it does not end with one of [`ENDINGS`].
    open_end: bool,
}

impl LineFacts {
    fn of(line: &str) -> LineFacts {
        LineFacts {
            continuation: continuation(line),
            prose: prose(line),
            width: width(line),
            open_end: !line.trim_end().ends_with(ENDINGS),
        }
    }
}

/// The page's text width: the width most full lines share. The third-widest prose line is
/// used, so that one or two overlong lines (a title run together) do not set it.
fn page_width(facts: &[LineFacts]) -> Option<usize> {
    // The three widest, kept as the lines go by (not a sort of every width).
    let mut top = [None::<usize>; 3];
    for f in facts.iter().filter(|f| f.prose) {
        let mut w = Some(f.width);
        for slot in &mut top {
            if w > *slot {
                std::mem::swap(slot, &mut w);
            }
        }
    }
    let third = top[2]?;
    // Very short pages are not a layout (a list of short lines).
    (third >= 24).then_some(third)
}

fn width(line: &str) -> usize {
    let line = line.trim_end();
    // Plan text is almost all ASCII, CJK ideographs and full-width punctuation, whose
    // widths need no table (and take part in no multi-char rule of `unicode-width`); a
    // line with any other char is measured by the library.
    let mut w = 0;
    for c in line.chars() {
        match fast_width(c) {
            Some(n) => w += n,
            None => return UnicodeWidthStr::width(line),
        }
    }
    w
}

/// The display width of the chars plan text is mostly made of, as `unicode-width` gives
/// it (checked against the library in the tests); `None` for any other char.
fn fast_width(c: char) -> Option<usize> {
    match c {
        ' '..='~' => Some(1),
        '\u{4e00}'..='\u{9fff}'
        | '\u{ff01}'..='\u{ff60}'
        | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}' => Some(2),
        _ => None,
    }
}

/// A line of running text: not blank, not a text-table row.
fn prose(line: &str) -> bool {
    !line.trim().is_empty() && !line.contains('\t') && !line.contains('|')
}

/// Whether at least `n` lines of `text` after its first are [`continuation`]s.
fn continuations_at_least(text: &str, n: usize) -> bool {
    let Some(first_line_end) = text.find('\n') else {
        return false;
    };
    let rest = text.get(first_line_end + 1..).unwrap_or_default();
    let count: usize = super::extract::line_pieces(rest)
        .into_par_iter()
        .map(|piece| {
            super::extract::lines_of(piece)
                .filter(|l| continuation(l))
                .take(n)
                .count()
        })
        .sum();
    count >= n
}

/// A line that goes on with the paragraph above: prose that does not start an item,
/// a heading, an attachment or a table.
fn continuation(line: &str) -> bool {
    // The tests that read a line's first chars come first: most lines of a plan start an
    // item, and `prose` reads the whole line (three times).
    !starts_block(line.trim_start()) && !is_page_furniture(line) && prose(line)
}

/// Whether a line starts a new block: a numbered heading or item (`一、`, `（一）`, `(1)`,
/// `1.`, `①`, `第三条`), a label line (`牵头单位：…`, `完成时限：…`, `附件：…`), or a
/// bracketed title (`【…】`).
fn starts_block(t: &str) -> bool {
    if is_label_line(t) {
        return true;
    }
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = chars.as_str();
    let counted = |s: &str, numeral: &dyn Fn(char) -> bool, closers: &[char]| {
        let n = s.chars().take_while(|c| numeral(*c)).count();
        n > 0 && s.chars().nth(n).is_some_and(|c| closers.contains(&c))
    };
    // A `match`, not a search of a string of numerals: this runs for every line of a
    // plan, on one thread, before extraction starts.
    let cn = |c: char| {
        matches!(
            c,
            '一' | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '零'
                | '〇'
        )
    };
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    match first {
        '(' | '（' => counted(rest, &cn, &[')', '）']) || counted(rest, &digit, &[')', '）']),
        '①'..='⑳' | '⑴'..='⒇' | '⒈'..='⒛' | '【' | '■' | '●' | '◆' => true,
        '第' => counted(
            rest,
            &|c| cn(c) || digit(c),
            &['章', '节', '条', '部', '项'],
        ),
        '附' => rest.starts_with('件'),
        c if cn(c) => counted(t, &cn, &['、', '．', '.']),
        c if digit(c) => counted(t, &digit, &['.', '．', '、', ')', '）']),
        _ => false,
    }
}

/// `牵头单位：…`, `完成时限:…`: a short Chinese label, then a colon.
fn is_label_line(t: &str) -> bool {
    // The label has at most eight chars: its colon is among the first nine (a search of
    // the whole line for it decoded every char of every line).
    let Some((at, _)) = t
        .char_indices()
        .take(9)
        .find(|&(_, c)| matches!(c, '：' | ':'))
    else {
        return false;
    };
    let label = &t[..at];
    let n = label.chars().count();
    (2..=8).contains(&n)
        && label
            .chars()
            .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A page number or running footer that a converter leaves between pages (`- 3 -`,
/// `— 12 —`, `第 3 页`, a form feed).
fn is_page_furniture(line: &str) -> bool {
    let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
    if t.is_empty() {
        return line.contains('\u{c}');
    }
    let core = t.trim_matches(|c: char| matches!(c, '-' | '—' | '－' | '–' | ' ' | '第' | '页'));
    !core.is_empty() && core.len() <= 4 && core.chars().all(|c| c.is_ascii_digit()) && core != t
}

/// Whether two pieces of one paragraph need a space between them: only between two
/// Latin words (Chinese is written without spaces).
fn needs_space(before: &str, after: &str) -> bool {
    let last = before.chars().next_back();
    let first = after.chars().next();
    matches!((last, first), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
}

/// Removes the single spaces a converter puts between Chinese and anything else
/// (`提出 2010 年` → `提出2010年`); runs of two or more spaces (columns) stay.
fn tighten(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let wide = |c: char| UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str) == 2;
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() {
            let (a, b) = (chars[i - 1], chars[i + 1]);
            let single = a != ' ' && b != ' ';
            if single && (wide(a) || wide(b)) && !a.is_whitespace() && !b.is_whitespace() {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped() -> String {
        // A page 30 columns wide: three items, each wrapped; a page number in the middle of
        // the second.
        [
            "2025 年数据工作要点",
            "一、 夯实基础",
            "（一） 建设算力网络，新建数据中心",
            "机架 5000 个。(省数据管理局牵头，",
            "省通信管理局配合)",
            "（二） 推进公共数据开放，开放数据",
            "- 2 -",
            "集 200 个以上，形成开放目录清单",
            "和标准规范。(省数据管理局负责)",
            "（三） 建设数据交易场所，交易额达",
            "到 10 亿元，培育数商 100 家以上。",
            "(省发改委牵头)",
        ]
        .join("\n")
    }

    #[test]
    fn wrapped_paragraphs_join_onto_their_first_line() {
        let Unwrapped { text, joins, first } = join_wrapped(&wrapped()).expect("wrapped");
        assert_eq!(first, 3);
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 12, "every line keeps its number");
        assert_eq!(lines[0], "2025年数据工作要点");
        assert_eq!(
            lines[2],
            "（一）建设算力网络，新建数据中心机架5000个。(省数据管理局牵头，省通信管理局配合)"
        );
        assert_eq!(lines[3], "");
        assert_eq!(lines[6], "- 2 -", "page numbers stay for the debris rule");
        assert_eq!(
            lines[5],
            "（二）推进公共数据开放，开放数据集200个以上，形成开放目录清单和标准规范。(省数据管理局负责)"
        );
        assert_eq!(
            lines[9],
            "（三）建设数据交易场所，交易额达到10亿元，培育数商100家以上。(省发改委牵头)"
        );
        assert_eq!(joins, 6);
    }

    #[test]
    fn fast_widths_are_the_library_s() {
        let ranges = [
            (' ', '~'),
            ('\u{4e00}', '\u{9fff}'),
            ('\u{ff01}', '\u{ff60}'),
            ('\u{3000}', '\u{3020}'),
            ('\u{2000}', '\u{2030}'),
        ];
        for (from, to) in ranges {
            for c in from..=to {
                let s = c.to_string();
                if let Some(n) = fast_width(c) {
                    assert_eq!(n, UnicodeWidthStr::width(s.as_str()), "{c:?}");
                }
                let line = format!("推进a{c}建设，1。");
                assert_eq!(width(&line), UnicodeWidthStr::width(line.as_str()), "{c:?}");
            }
        }
    }

    #[test]
    fn one_paragraph_a_line_is_left_alone() {
        let seed = crate::plan::SEED;
        assert_eq!(join_wrapped(seed), None);
    }

    #[test]
    fn items_headings_and_tables_are_never_continuations() {
        for line in [
            "一、总体要求",
            "（三）推进",
            "(3)推进",
            "3.推进",
            "12、推进",
            "①推进",
            "第三条 推进",
            "附件：任务分解表",
            "| 1 | 建设 |",
            "1\t建设",
            "牵头单位：县工信局",
            "完成时限:2023年底",
        ] {
            assert!(!continuation(line), "{line}");
        }
        assert!(continuation("省通信管理局配合)"));
        assert!(continuation("3000项，确保年底前完成。"));
    }

    #[test]
    fn single_spaces_beside_chinese_go_and_columns_stay() {
        assert_eq!(tighten("提出 2010 年“数字福建”"), "提出2010年“数字福建”");
        assert_eq!(tighten("IPv6 and 5G 网络"), "IPv6 and 5G网络");
        assert_eq!(tighten("序号  工作任务"), "序号  工作任务");
    }
}
