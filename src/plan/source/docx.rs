//! Word .docx documents: body paragraphs, tables (merged cells repeated into every cell
//! they cover) and automatic numbering. Word keeps list numbers out of the text; they are
//! rebuilt here from `numbering.xml` (and numbering inherited from paragraph styles), so
//! `一、`, `（一）`, `1.` lists read as if typed. Positions are paragraph numbers: body
//! paragraphs and table rows counted in order (a table row counts as one).

use crate::error::Code;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::zipped::{self, part};
use super::{render, Block, Document, Format, Origin, Paragraph, Place, ReadError, Row, Table};

/// Parts larger than this are refused rather than held (a plan's document.xml is a few MB).
const PART_LIMIT: u64 = 512 * 1024 * 1024;

/// Reads a .docx file.
pub fn read(name: &str, bytes: &[u8]) -> Result<Document, ReadError> {
    let mut zip = zipped::open(bytes).map_err(|e| e.named(name))?;
    let Some(document) =
        part(&mut zip, "word/document.xml", PART_LIMIT).map_err(|e| e.named(name))?
    else {
        return Err(ReadError::new(
            Code::PlanDocxNoDocument,
            format!("`{name}` has no document part (word/document.xml)"),
            "the file is damaged or not a Word document; open it in Word or LibreOffice and save it again",
        ));
    };
    let numbering = part(&mut zip, "word/numbering.xml", PART_LIMIT)
        .map_err(|e| e.named(name))?
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    let styles = part(&mut zip, "word/styles.xml", PART_LIMIT)
        .map_err(|e| e.named(name))?
        .map(|x| style_numbering(&x))
        .unwrap_or_default();
    let mut blocks = body(&document, &numbering, &styles).map_err(|e| {
        ReadError::new(
            Code::PlanBadDocx,
            format!("`{name}` has a malformed document part: {e}"),
            "open it in Word or LibreOffice and save it again",
        )
    })?;
    let text = render(&mut blocks);
    for b in &mut blocks {
        match b {
            Block::Paragraph(p) => p.origin.place = Place::Paragraph(p.origin.line),
            Block::Table(t) => {
                for r in &mut t.rows {
                    r.origin.place = Place::Paragraph(r.origin.line);
                }
            }
        }
    }
    Ok(Document {
        format: Format::Docx,
        encoding: None,
        text: text.into(),
        blocks,
    })
}

/// The value of an attribute by local name (`w:val` → `val`).
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key: &str = a.key.as_ref();
        let l = key.rsplit(':').next().unwrap_or(key);
        (l == local).then(|| a.value.to_string())
    })
}

fn local(e: &BytesStart) -> String {
    let name = e.local_name();
    let name: &str = name.as_ref();
    name.to_string()
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

/// `numbering.xml`: list instances (`w:num`) → their abstract definitions' levels.
#[derive(Debug, Default)]
struct Numbering {
    /// numId → (levels by ilvl, start overrides by ilvl).
    nums: HashMap<String, (Vec<Level>, HashMap<usize, u32>)>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut abstracts: HashMap<String, Vec<Level>> = HashMap::new();
        let mut nums: HashMap<String, (String, HashMap<usize, u32>)> = HashMap::new();
        let mut reader = Reader::from_str(xml);
        let mut cur_abstract: Option<String> = None;
        let mut cur_level: Option<usize> = None;
        let mut cur_num: Option<String> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let ev = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            match &ev {
                Event::Start(e) | Event::Empty(e) => match local(e).as_str() {
                    "abstractNum" => cur_abstract = attr(e, "abstractNumId"),
                    "lvl" if cur_abstract.is_some() => {
                        let ilvl: usize = attr(e, "ilvl")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0)
                            .min(8);
                        if let Some(a) = &cur_abstract {
                            let levels = abstracts.entry(a.clone()).or_default();
                            if levels.len() <= ilvl {
                                levels.resize(
                                    ilvl + 1,
                                    Level {
                                        start: 1,
                                        ..Level::default()
                                    },
                                );
                            }
                        }
                        cur_level = Some(ilvl);
                    }
                    "start" | "numFmt" | "lvlText" => {
                        if let (Some(a), Some(l)) = (&cur_abstract, cur_level) {
                            let v = attr(e, "val").unwrap_or_default();
                            if let Some(level) = abstracts.get_mut(a).and_then(|ls| ls.get_mut(l)) {
                                match local(e).as_str() {
                                    "start" => level.start = v.parse().unwrap_or(1),
                                    "numFmt" => level.format = v,
                                    _ => level.text = v,
                                }
                            }
                        }
                    }
                    "num" => {
                        cur_num = attr(e, "numId");
                        if let Some(n) = &cur_num {
                            nums.entry(n.clone()).or_default();
                        }
                    }
                    "abstractNumId" => {
                        if let (Some(n), Some(v)) = (&cur_num, attr(e, "val")) {
                            nums.entry(n.clone()).or_default().0 = v;
                        }
                    }
                    "lvlOverride" => override_level = attr(e, "ilvl").and_then(|v| v.parse().ok()),
                    "startOverride" => {
                        if let (Some(n), Some(l), Some(v)) =
                            (&cur_num, override_level, attr(e, "val"))
                        {
                            nums.entry(n.clone())
                                .or_default()
                                .1
                                .insert(l, v.parse().unwrap_or(1));
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "abstractNum" => cur_abstract = None,
                    "lvl" => cur_level = None,
                    "num" => cur_num = None,
                    _ => {}
                },
                _ => {}
            }
        }
        Numbering {
            nums: nums
                .into_iter()
                .map(|(id, (abs, overrides))| {
                    (
                        id,
                        (abstracts.get(&abs).cloned().unwrap_or_default(), overrides),
                    )
                })
                .collect(),
        }
    }
}

/// Paragraph styles that carry numbering: styleId → (numId, ilvl).
fn style_numbering(xml: &str) -> HashMap<String, (String, usize)> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut style: Option<String> = None;
    let mut num: Option<String> = None;
    let mut ilvl = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match local(&e).as_str() {
                "style" => {
                    style = attr(&e, "styleId");
                    num = None;
                    ilvl = 0;
                }
                "numId" => num = attr(&e, "val"),
                "ilvl" => ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "style" => {
                if let (Some(s), Some(n)) = (style.take(), num.take()) {
                    out.insert(s, (n, ilvl.min(8)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Counters of the list instances met so far, and the labels they produce.
struct Counters<'a> {
    numbering: &'a Numbering,
    counts: HashMap<String, [u32; 9]>,
}

impl Counters<'_> {
    /// The label of the next paragraph of list `num` at level `ilvl` (`一、`, `（二）`).
    fn next(&mut self, num: &str, ilvl: usize) -> Option<String> {
        let (levels, overrides) = self.numbering.nums.get(num)?;
        let ilvl = ilvl.min(8);
        let level = levels.get(ilvl)?;
        if level.format == "bullet" || level.format == "none" {
            return None;
        }
        let start = |l: usize| -> u32 {
            overrides
                .get(&l)
                .copied()
                .or_else(|| levels.get(l).map(|x| x.start))
                .unwrap_or(1)
        };
        let counts = self.counts.entry(num.to_string()).or_insert([0; 9]);
        counts[ilvl] = if counts[ilvl] == 0 {
            start(ilvl)
        } else {
            counts[ilvl] + 1
        };
        for c in counts.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        let mut label = level.text.clone();
        for (l, &count) in counts.iter().enumerate().take(ilvl + 1) {
            let placeholder = format!("%{}", l + 1);
            if label.contains(&placeholder) {
                let value = if count == 0 { start(l) } else { count };
                let fmt = levels.get(l).map_or("decimal", |x| x.format.as_str());
                label = label.replace(&placeholder, &format_number(value, fmt));
            }
        }
        Some(label)
    }
}

/// A list number in a Word number format.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "ideographDigital"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => chinese(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32('①' as u32 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "lowerLetter" if (1..=26).contains(&n) => char::from(b'a' + (n - 1) as u8).to_string(),
        "upperLetter" if (1..=26).contains(&n) => char::from(b'A' + (n - 1) as u8).to_string(),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        _ => n.to_string(),
    }
}

/// `1` → `一`, `10` → `十`, `12` → `十二`, `20` → `二十`, `105` → `一百零五`.
fn chinese(n: u32) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 || n > 999 {
        return n.to_string();
    }
    let (h, t, u) = (n / 100, (n / 10) % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push(D[h as usize]);
        s.push('百');
    }
    if t > 0 {
        if !(h == 0 && t == 1) {
            s.push(D[t as usize]);
        }
        s.push('十');
    } else if h > 0 && u > 0 {
        s.push('零');
    }
    if u > 0 {
        s.push(D[u as usize]);
    }
    s
}

/// A table being read: rows of cells, and for vertical merges the text of the cell above
/// at each grid column.
#[derive(Default)]
struct TableState {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
    span: usize,
    vmerge_continue: bool,
}

/// Reads the body into blocks.
fn body(
    xml: &str,
    numbering: &Numbering,
    styles: &HashMap<String, (String, usize)>,
) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut counters = Counters {
        numbering,
        counts: HashMap::new(),
    };
    let mut blocks = Vec::new();
    let mut table_depth = 0usize;
    let mut table = TableState::default();
    // The paragraph being read: its text and numbering.
    let mut para = String::new();
    let mut in_para = false;
    let mut num: Option<String> = None;
    let mut ilvl: usize = 0;
    let mut style: Option<String> = None;
    let mut in_text = false;
    let mut skip_depth = 0usize; // inside deleted text or field instructions
    let origin = || Origin {
        line: 0,
        place: Place::Paragraph(0),
    };
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                "p" => {
                    in_para = true;
                    para.clear();
                    num = None;
                    ilvl = 0;
                    style = None;
                }
                "t" => in_text = skip_depth == 0,
                "del" | "instrText" | "delText" => skip_depth += 1,
                "tbl" => {
                    table_depth += 1;
                    if table_depth == 1 {
                        table = TableState::default();
                    }
                }
                "tr" if table_depth == 1 => table.row.clear(),
                "tc" if table_depth == 1 => {
                    table.cell.clear();
                    table.span = 1;
                    table.vmerge_continue = false;
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "numId" if in_para => num = attr(&e, "val"),
                "ilvl" if in_para => {
                    ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0)
                }
                "pStyle" if in_para => style = attr(&e, "val"),
                "tab" if in_para && skip_depth == 0 => para.push('\t'),
                "br" | "cr" if in_para && skip_depth == 0 => para.push(' '),
                "gridSpan" if table_depth == 1 => {
                    table.span = attr(&e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, 64);
                }
                "vMerge" if table_depth == 1 => {
                    table.vmerge_continue = attr(&e, "val").is_none_or(|v| v == "continue");
                }
                _ => {}
            },
            Event::Text(t) if in_text => para.push_str(&t),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    para.push_str(s);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "del" | "instrText" | "delText" => skip_depth = skip_depth.saturating_sub(1),
                "p" => {
                    in_para = false;
                    // Numbering set on the paragraph wins over its style's; numId 0 means
                    // "no numbering" even when the style has some.
                    let numbered = num
                        .clone()
                        .map(|n| (n, ilvl))
                        .or_else(|| style.as_ref().and_then(|s| styles.get(s)).cloned());
                    let label = numbered
                        .filter(|(n, _)| n != "0")
                        .and_then(|(n, l)| counters.next(&n, l));
                    let mut text = label.unwrap_or_default();
                    text.push_str(para.trim_end());
                    if table_depth >= 1 {
                        if !table.cell.is_empty() {
                            table.cell.push('\n');
                        }
                        table.cell.push_str(&text);
                    } else {
                        blocks.push(Block::Paragraph(Paragraph {
                            text,
                            origin: origin(),
                        }));
                    }
                }
                "tc" if table_depth == 1 => {
                    let col = table.row.len();
                    let text = if table.vmerge_continue {
                        table
                            .rows
                            .last()
                            .and_then(|r| r.get(col))
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        std::mem::take(&mut table.cell)
                    };
                    for _ in 0..table.span {
                        table.row.push(text.clone());
                    }
                }
                "tr" if table_depth == 1 => {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
                "tbl" => {
                    if table_depth == 1 {
                        let rows = std::mem::take(&mut table.rows)
                            .into_iter()
                            .map(|cells| Row {
                                cells,
                                origin: origin(),
                            })
                            .collect();
                        blocks.push(Block::Table(Table { name: None, rows }));
                    }
                    table_depth = table_depth.saturating_sub(1);
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 10, 11, 20, 21, 100, 105]
            .iter()
            .map(|&n| chinese(n))
            .collect();
        assert_eq!(
            got,
            ["一", "十", "十一", "二十", "二十一", "一百", "一百零五"]
        );
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
        assert_eq!(format_number(2, "lowerLetter"), "b");
    }

    const NUMBERING: &str = r#"<w:numbering xmlns:w="w">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>
    </w:numbering>"#;

    fn p(ilvl: u8, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    }

    #[test]
    fn automatic_numbering_rebuilt() {
        let n = Numbering::parse(NUMBERING);
        let xml = format!(
            "<w:document><w:body>{}{}{}{}{}{}</w:body></w:document>",
            p(0, "总体要求"),
            p(1, "建设平台"),
            p(2, "新建基站"),
            p(2, "扩容"),
            p(1, "推广 &amp; 应用"),
            p(0, "保障措施"),
        );
        let blocks = body(&xml, &n, &HashMap::new()).unwrap();
        let texts: Vec<&str> = blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) => p.text.as_str(),
                Block::Table(_) => "",
            })
            .collect();
        assert_eq!(
            texts,
            [
                "一、总体要求",
                "（一）建设平台",
                "1.新建基站",
                "2.扩容",
                "（二）推广 & 应用",
                "二、保障措施"
            ]
        );
    }

    #[test]
    fn merged_cells_repeated() {
        let xml = r#"<w:document><w:body><w:tbl>
          <w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>工作任务</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>牵头单位</w:t></w:r></w:p></w:tc></w:tr>
          <w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t>一、基础</w:t></w:r></w:p></w:tc></w:tr>
          <w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>省数字办</w:t></w:r></w:p></w:tc></w:tr>
          <w:tr><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>
        </w:tbl></w:body></w:document>"#;
        let blocks = body(xml, &Numbering::default(), &HashMap::new()).unwrap();
        let Block::Table(t) = &blocks[0] else {
            panic!("a table")
        };
        assert_eq!(t.rows[1].cells, ["一、基础", "一、基础", "一、基础"]);
        assert_eq!(t.rows[3].cells, ["2", "乙", "省数字办"]);
    }
}
