//! HTML pages (a saved government web page) through html5ever's spec-conformant tokenizer:
//! block structure from `p`, `br`, `div`, `li`, headings and table cells; entities decoded;
//! `script`, `style`, `nav`, page headers and footers skipped. A `table` whose first rows
//! hold a task header is a table; any other table (pages often lay out their text in
//! tables) contributes its cells' paragraphs. Every paragraph keeps the source line where
//! its text starts.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::{Block, Document, Format, Origin, Paragraph, Place, Row, Table};
use crate::plan::table::is_task_header;

/// Whether decoded text reads as an HTML page rather than a plain-text plan.
pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if !t.starts_with('<') {
        return false;
    }
    let head: String = t
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<p>",
        "<p ",
        "<div",
        "<table",
        "<meta",
    ]
    .iter()
    .any(|m| head.contains(m))
}

/// A paragraph as collected: source line and text.
type Para = (u32, String);

/// A table being read.
#[derive(Default)]
struct HtmlTable {
    /// Rows: each a list of (cell paragraphs, colspan, rowspan).
    rows: Vec<Vec<(Vec<Para>, usize, usize)>>,
    row: Option<Vec<(Vec<Para>, usize, usize)>>,
    cell: Option<(Vec<Para>, usize, usize)>,
    /// Paragraphs outside any cell (stray text, captions).
    loose: Vec<Para>,
}

#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    text: String,
    line: Option<u32>,
    skip: usize,
    article: usize,
    tables: Vec<HtmlTable>,
}

struct Sink {
    state: RefCell<State>,
}

/// Tags whose content is page chrome, not the document.
fn is_skipped(name: &str, in_article: bool) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "nav"
            | "footer"
            | "head"
            | "noscript"
            | "template"
            | "select"
            | "button"
    ) || (name == "header" && !in_article)
}

/// Tags that end a paragraph where they open or close.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "section"
            | "article"
            | "blockquote"
            | "pre"
            | "dd"
            | "dt"
            | "dl"
            | "center"
            | "hr"
            | "main"
            | "caption"
            | "tbody"
            | "thead"
            | "tfoot"
            | "form"
            | "title"
            | "aside"
            | "figure"
            | "figcaption"
            | "address"
    )
}

impl State {
    /// Ends the current paragraph, sending it to the innermost open cell or the body.
    fn flush(&mut self) {
        let text = clean(&self.text);
        self.text.clear();
        let line = self.line.take().unwrap_or(1);
        if text.is_empty() {
            return;
        }
        self.push_para((line, text));
    }

    fn push_para(&mut self, p: Para) {
        match self.tables.last_mut() {
            Some(t) => match t.cell.as_mut() {
                Some(cell) => cell.0.push(p),
                None => t.loose.push(p),
            },
            None => self.blocks.push(Block::Paragraph(Paragraph {
                text: p.1,
                origin: origin(p.0),
            })),
        }
    }

    fn end_cell(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            if let Some(cell) = t.cell.take() {
                t.row.get_or_insert_with(Vec::new).push(cell);
            }
        }
    }

    fn end_row(&mut self) {
        self.end_cell();
        if let Some(t) = self.tables.last_mut() {
            if let Some(row) = t.row.take() {
                t.rows.push(row);
            }
        }
    }

    fn end_table(&mut self) {
        self.end_row();
        let Some(t) = self.tables.pop() else { return };
        let grid = layout(&t.rows);
        let is_task = grid
            .iter()
            .take(12)
            .any(|r| is_task_header(&r.iter().map(|c| joined(c)).collect::<Vec<_>>()));
        for p in t.loose {
            self.push_para(p);
        }
        if is_task {
            let rows: Vec<Row> = grid
                .into_iter()
                .enumerate()
                .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
                .map(|(i, r)| {
                    // The row's line: where its own cells start (not cells spanned from above).
                    let own = t.rows.get(i).into_iter().flatten().flat_map(|c| c.0.iter());
                    let line = own
                        .map(|p| p.0)
                        .min()
                        .or_else(|| r.iter().flat_map(|c| c.iter()).map(|p| p.0).min())
                        .unwrap_or(1);
                    Row {
                        cells: r.iter().map(|c| joined(c)).collect(),
                        origin: origin(line),
                    }
                })
                .collect();
            // A task table inside a layout table is lifted out as a table of its own.
            self.blocks.push(Block::Table(Table { name: None, rows }));
        } else {
            // A layout table: its cells' paragraphs in reading order (merged copies once).
            for row in t.rows {
                for (paras, _, _) in row {
                    for p in paras {
                        self.push_para(p);
                    }
                }
            }
        }
    }
}

/// The text of a cell's paragraphs, one per line.
fn joined(c: &[Para]) -> String {
    c.iter()
        .map(|p| p.1.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Places cells on a grid: `colspan` repeats a cell to the right, `rowspan` down.
fn layout(rows: &[Vec<(Vec<Para>, usize, usize)>]) -> Vec<Vec<Vec<Para>>> {
    let mut grid: Vec<Vec<Option<Vec<Para>>>> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if grid.len() <= r {
            grid.resize_with(r + 1, Vec::new);
        }
        let mut col = 0;
        for (paras, colspan, rowspan) in row {
            while grid[r].get(col).is_some_and(Option::is_some) {
                col += 1;
            }
            for dr in 0..*rowspan {
                let rr = r + dr;
                if rr >= rows.len() {
                    break;
                }
                if grid.len() <= rr {
                    grid.resize_with(rr + 1, Vec::new);
                }
                for dc in 0..*colspan {
                    let cc = col + dc;
                    if grid[rr].len() <= cc {
                        grid[rr].resize(cc + 1, None);
                    }
                    grid[rr][cc] = Some(paras.clone());
                }
            }
            col += colspan;
        }
    }
    grid.into_iter()
        .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
        .collect()
}

fn origin(line: u32) -> Origin {
    Origin {
        line,
        place: Place::Line(line),
    }
}

/// Collapses whitespace as a browser does, but drops it between two CJK characters
/// (a line break inside Chinese text is not a space).
fn clean(s: &str) -> String {
    let squashed = super::squash(s);
    let chars: Vec<char> = squashed.chars().collect();
    let mut out = String::with_capacity(squashed.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() && is_cjk(chars[i - 1]) && is_cjk(chars[i + 1])
        {
            continue;
        }
        out.push(c);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

fn span_attr(tag: &Tag, name: &str) -> usize {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .and_then(|a| a.value.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 1000)
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let mut st = self.state.borrow_mut();
        let line = u32::try_from(line_number).unwrap_or(u32::MAX);
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                if is_skipped(name, st.article > 0) {
                    if start && !tag.self_closing {
                        st.skip += 1;
                    } else if !start {
                        st.skip = st.skip.saturating_sub(1);
                    }
                    // Raw text elements: their content is never markup.
                    return match (start, name) {
                        (true, "script") => TokenSinkResult::RawData(RawKind::ScriptData),
                        (true, "style" | "noscript") => TokenSinkResult::RawData(RawKind::Rawtext),
                        _ => TokenSinkResult::Continue,
                    };
                }
                if st.skip > 0 {
                    return match (start, name) {
                        (true, "title" | "textarea") => TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => TokenSinkResult::Continue,
                    };
                }
                if matches!(name, "article" | "main") {
                    if start {
                        st.article += 1;
                    } else {
                        st.article = st.article.saturating_sub(1);
                    }
                }
                if is_block(name) {
                    st.flush();
                }
                match (start, name) {
                    (true, "table") => st.tables.push(HtmlTable::default()),
                    (false, "table") => st.end_table(),
                    (true, "tr") => {
                        st.end_row();
                        if let Some(t) = st.tables.last_mut() {
                            t.row = Some(Vec::new());
                        }
                    }
                    (false, "tr") => st.end_row(),
                    (true, "td" | "th") => {
                        st.end_cell();
                        let spans = (span_attr(&tag, "colspan"), span_attr(&tag, "rowspan"));
                        if let Some(t) = st.tables.last_mut() {
                            t.row.get_or_insert_with(Vec::new);
                            t.cell = Some((Vec::new(), spans.0, spans.1));
                        }
                    }
                    (false, "td" | "th") => st.end_cell(),
                    (true, "title" | "textarea") => {
                        return TokenSinkResult::RawData(RawKind::Rcdata)
                    }
                    _ => {}
                }
                TokenSinkResult::Continue
            }
            Token::CharacterTokens(t) if st.skip == 0 => {
                if st.line.is_none() {
                    if let Some(first) = t.find(|c: char| !c.is_whitespace()) {
                        // The token ends on `line`; count back the newlines after its text starts.
                        let after = t[first..].matches('\n').count() as u32;
                        st.line = Some(line.saturating_sub(after).max(1));
                    }
                }
                st.text.push_str(&t);
                TokenSinkResult::Continue
            }
            Token::EOFToken => {
                st.flush();
                while !st.tables.is_empty() {
                    st.end_table();
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Reads an HTML page whose text is already decoded.
pub fn read(text: crate::error::SourceText, encoding: &'static str) -> Document {
    let sink = Sink {
        state: RefCell::new(State::default()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&text));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    Document {
        format: Format::Html,
        encoding: Some(encoding),
        text,
        blocks: state.blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(doc: &Document) -> Vec<(u32, &str)> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some((p.origin.line, p.text.as_str())),
                Block::Table(_) => None,
            })
            .collect()
    }

    #[test]
    fn blocks_lines_entities_and_chrome() {
        let html = "<!DOCTYPE html>\n<html><head><title>t</title><style>p{}</style></head>\n<body>\n<nav>首页 | 新闻</nav>\n<script>var a = '<p>x</p>';</script>\n<h1>2025年工作要点</h1>\n<p>一、总体&nbsp;要求</p><p>(一)建设\n平台&amp;网络。<br>(二)推广</p>\n<div><ul><li>甲</li><li>乙</li></ul></div>\n</body></html>";
        let doc = read(html.into(), "UTF-8");
        assert_eq!(
            paras(&doc),
            [
                (6, "2025年工作要点"),
                // `&nbsp;` between Chinese characters is layout, not a word space.
                (7, "一、总体要求"),
                (7, "(一)建设平台&网络。"),
                (8, "(二)推广"),
                (9, "甲"),
                (9, "乙"),
            ]
        );
    }

    #[test]
    fn task_tables_and_layout_tables() {
        let html = "<table><tr><td><p>前言</p>\n<table border=1>\n<tr><th>序号</th><th>工作任务</th><th>牵头单位</th></tr>\n<tr><td colspan=3>一、基础</td></tr>\n<tr><td>1</td><td>甲</td><td rowspan=2>省数字办</td></tr>\n<tr><td>2</td><td>乙</td></tr>\n</table></td></tr></table>";
        let doc = read(html.into(), "UTF-8");
        let t = doc
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                Block::Paragraph(_) => None,
            })
            .expect("the task table");
        assert_eq!(t.rows[1].cells, ["一、基础", "一、基础", "一、基础"]);
        assert_eq!(t.rows[3].cells, ["2", "乙", "省数字办"]);
        assert_eq!(t.rows[3].origin.line, 6);
        assert_eq!(paras(&doc), [(1, "前言")]);
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_html("\u{feff}  <!DOCTYPE html><p>x"));
        assert!(!looks_like_html("一、总体要求\n<p>"));
    }
}
