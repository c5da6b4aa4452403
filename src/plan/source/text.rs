//! Text files: decoding (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and text
//! tables (rows of cells separated by tabs, `|`, or aligned with two or more spaces).

use std::sync::Arc;

use crate::error::Code;
use encoding_rs::{Encoding, GB18030, UTF_8};

use super::{Block, Document, FileBytes, Format, Origin, Paragraph, Place, ReadError, Row, Table};
use crate::error::SourceText;
use crate::plan::table::is_task_header;

/// Decodes `bytes`: with `forced` when given, else by BOM, else UTF-8 when the bytes are
/// valid UTF-8, else GB18030 (a superset of GBK and GB2312, the encodings of text saved on
/// Chinese Windows). Bytes that the chosen encoding cannot decode are an error pointing at
/// the first of them — never silently replaced.
pub fn decode(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<(Arc<str>, &'static str), ReadError> {
    let (encoding, body) = match forced {
        Some(enc) => {
            // A BOM of the forced encoding is still not text.
            let body = match Encoding::for_bom(bytes) {
                Some((bom_enc, len)) if bom_enc == enc => &bytes[len..],
                _ => bytes,
            };
            (enc, body)
        }
        None => match Encoding::for_bom(bytes) {
            Some((enc, len)) => (enc, &bytes[len..]),
            // Valid UTF-8 (most plans) is its own text: one check and one copy, not a
            // trial decoding and a decoding. The check is simdutf8's: std's checks Chinese
            // text a char at a time (27 ms of a 17.5 MB plan's 100k-task export).
            None => match simdutf8::basic::from_utf8(bytes) {
                Ok(text) => return Ok((Arc::from(text), UTF_8.name())),
                Err(_) => undetected(bytes),
            },
        },
    };
    let offset = bytes.len() - body.len();
    match first_error(encoding, body) {
        None => {
            let (text, _) = encoding.decode_without_bom_handling(body);
            Ok((Arc::from(&*text), encoding.name()))
        }
        Some(bad) => {
            let at = offset + bad;
            let (lossy, _) = encoding.decode_without_bom_handling(&body[..bad]);
            // The text up to the bad byte, which is shown as U+FFFD so the label has
            // something to point at.
            let mut shown = lossy.into_owned();
            let end = shown.len();
            shown.push('\u{FFFD}');
            let mut e = ReadError::new(
                Code::PlanEncoding,
                format!(
                    "byte {at} (0x{:02X}) cannot be decoded as {}",
                    bytes.get(at).copied().unwrap_or(0),
                    encoding.name()
                ),
                if forced.is_some() {
                    "the file is not in the encoding given with --encoding; try another \
                     (utf-8, gb18030, utf-16le, big5, …) or omit --encoding to detect it"
                } else {
                    "planq detects UTF-8, UTF-16 (with BOM) and GB18030/GBK; name the file's \
                     encoding with --encoding (e.g. --encoding big5)"
                },
            );
            let label = format!("undecodable byte at offset {at}");
            e.at = Some(Box::new((shown, end..end + '\u{FFFD}'.len_utf8(), label)));
            Err(e)
        }
    }
}

/// The encoding of text that has no BOM and is not valid UTF-8: GB18030, unless the text
/// is mostly UTF-8 with a bad byte late in the file (then it is reported as UTF-8).
fn undetected(bytes: &[u8]) -> (&'static Encoding, &[u8]) {
    let utf8_ok = std::str::from_utf8(bytes)
        .err()
        .map_or(bytes.len(), |e| e.valid_up_to());
    match first_error(GB18030, bytes) {
        None => (GB18030, bytes),
        Some(gb_bad) if utf8_ok >= gb_bad => (UTF_8, bytes),
        Some(_) => (GB18030, bytes),
    }
}

/// `bytes` as text, without a copy, when they are UTF-8 without a byte-order mark (what
/// [`decode`] reads them as then, with no encoding given); else the bytes back.
pub fn shared_utf8(bytes: FileBytes) -> Result<SourceText, FileBytes> {
    if Encoding::for_bom(&bytes).is_some() {
        return Err(bytes);
    }
    bytes.into_utf8()
}

/// A buffer of UTF-8 bytes as a `str`, in place; else the bytes back.
pub(super) fn utf8_in_place(bytes: Arc<[u8]>) -> Result<Arc<str>, Arc<[u8]>> {
    if !crate::error::source_text::is_utf8(&bytes) {
        return Err(bytes);
    }
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the layout of
    // `[u8]` (this is how std turns an `Arc<[u8]>` it made into an `Arc<str>`).
    Ok(unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) })
}

/// Whether `text` holds a delimiter a text table needs: a tab, `|`, `｜`, two spaces or an
/// ideographic space. `str::contains` for each in turn took 16 ms of a 17.5 MB plan's
/// export, and a search for `｜` or U+3000 as three bytes is slow in Chinese text, where
/// their first bytes start most chars: their last two bytes (`BD 9C`, `80 80`), rare
/// together, are searched instead, and the lead byte checked before each find.
fn may_have_table(text: &str) -> bool {
    use crate::error::source_text::{any_piece, char_pieces};
    // A large text is searched in pieces on rayon's pool (these searches of a 176 MB plan
    // took ~90 ms on one thread), a quarter megabyte each (4 MB pieces left a 1.7 MB plan
    // to one thread). Pieces are cut between chars, so only two spaces can straddle a cut.
    let b = text.as_bytes();
    let pieces = char_pieces(b, 1 << 18);
    pieces
        .iter()
        .skip(1)
        .any(|r| b[r.start - 1] == b' ' && b[r.start] == b' ')
        || any_piece(b, pieces, piece_may_have_table)
}

/// [`may_have_table`] of a piece of text cut between chars.
fn piece_may_have_table(b: &[u8]) -> bool {
    use memchr::memmem;
    // In UTF-8 a lead byte followed by two continuation bytes is one char: `EF BD 9C` is
    // `｜`, `E3 80 80` is U+3000.
    let has_char =
        |tail: &[u8], lead: u8| memmem::find_iter(b, tail).any(|i| i > 0 && b[i - 1] == lead);
    memchr::memchr2(b'\t', b'|', b).is_some()
        || memmem::find(b, b"  ").is_some()
        || has_char(&[0xBD, 0x9C], 0xEF)
        || has_char(&[0x80, 0x80], 0xE3)
}

/// Parses an encoding label (`--encoding`): any WHATWG label (`utf-8`, `gb18030`, `gbk`,
/// `utf-16le`, `big5`, `shift_jis`, …).
pub fn parse_encoding(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}` (try utf-8, gb18030, gbk, utf-16le, utf-16be or big5)")
    })
}

/// The byte offset of the first byte `encoding` cannot decode, if any.
fn first_error(encoding: &'static Encoding, bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut buf = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3 + 16),
    );
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut buf, true);
        read += n;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return None,
            encoding_rs::DecoderResult::OutputFull => {
                buf.clear();
                buf.reserve(bytes.len() - read + 16);
            }
            encoding_rs::DecoderResult::Malformed(bad, extra) => {
                return Some(read.saturating_sub(bad as usize + extra as usize));
            }
        }
    }
}

/// Reads decoded text: every line a paragraph, except runs of lines that form a text table
/// under a task header (see [`split_row`]). Text without any table has no blocks: the
/// extractor reads its lines directly.
pub fn read(text: SourceText, encoding: &'static str) -> Document {
    // A table header needs a delimiter: text with none of them (most plans) is prose,
    // found by a few searches of the whole text rather than several of each line.
    let may_have_table = may_have_table(&text);
    let mut blocks = Vec::new();
    // Split only when a line may be a table's header: splitting a large plan's text took
    // longer than the search for delimiters.
    let lines: Vec<&str> = if may_have_table {
        text.split('\n').collect()
    } else {
        Vec::new()
    };
    if !may_have_table || !lines.iter().any(|l| header_at(l).is_some()) {
        // Plain prose: the text itself is read, line by line, by the extractor; a block per
        // line would only double the memory of a large plan.
        drop(lines);
        return Document {
            format: Format::Text,
            encoding: Some(encoding),
            text,
            blocks,
        };
    }
    let mut i = 0;
    while i < lines.len() {
        if let Some((delim, width)) = header_at(lines[i]) {
            let (table, next) = take_table(&lines, i, delim, width);
            blocks.push(Block::Table(table));
            i = next;
            continue;
        }
        let n = (i + 1) as u32;
        blocks.push(Block::Paragraph(Paragraph {
            text: lines[i].trim_end_matches('\r').to_string(),
            origin: Origin {
                line: n,
                place: Place::Line(n),
            },
        }));
        i += 1;
    }
    Document {
        format: Format::Text,
        encoding: Some(encoding),
        text,
        blocks,
    }
}

/// How cells of a text table are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delim {
    /// A tab.
    Tab,
    /// `|` (or the full-width `｜`); outer bars optional.
    Bar,
    /// Two or more spaces (full-width spaces count).
    Spaces,
}

/// Splits a line into cells by `delim`.
pub fn split_row(line: &str, delim: Delim) -> Vec<String> {
    let line = line.trim_end_matches('\r');
    match delim {
        Delim::Tab => line.split('\t').map(|c| c.trim().to_string()).collect(),
        Delim::Bar => {
            let t = line.trim();
            let t = t.strip_prefix(['|', '｜']).unwrap_or(t);
            let t = t.strip_suffix(['|', '｜']).unwrap_or(t);
            t.split(['|', '｜']).map(|c| c.trim().to_string()).collect()
        }
        Delim::Spaces => {
            let mut cells = Vec::new();
            let mut cur = String::new();
            let mut spaces = 0;
            for c in line.trim().chars() {
                if c == ' ' || c == '\u{3000}' {
                    spaces += if c == '\u{3000}' { 2 } else { 1 };
                    continue;
                }
                if spaces >= 2 && !cur.is_empty() {
                    cells.push(std::mem::take(&mut cur));
                } else if spaces == 1 && !cur.is_empty() {
                    cur.push(' ');
                }
                spaces = 0;
                cur.push(c);
            }
            if !cur.is_empty() {
                cells.push(cur);
            }
            cells
        }
    }
}

/// Whether a line is a Markdown-style rule (`|---|:--:|`).
fn is_rule(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && t.contains('-')
        && t.chars()
            .all(|c| matches!(c, '|' | '｜' | '-' | ':' | '+' | ' ' | '\t'))
}

/// If `line` is the header of a text table (a task column and an owner column), its
/// delimiter and cell count.
fn header_at(line: &str) -> Option<(Delim, usize)> {
    for delim in [Delim::Tab, Delim::Bar, Delim::Spaces] {
        let has = match delim {
            Delim::Tab => line.contains('\t'),
            // Two searches for one char each (memchr), not one that decodes every char.
            Delim::Bar => line.contains('|') || line.contains('｜'),
            Delim::Spaces => line.contains("  ") || line.contains('\u{3000}'),
        };
        if !has {
            continue;
        }
        let cells = split_row(line, delim);
        if cells.len() >= 2 && is_task_header(&cells) {
            return Some((delim, cells.len()));
        }
    }
    None
}

/// The table whose header is line `start`: rows while lines split into two or more cells;
/// a one-cell line is a section row when a row follows it. Returns the table and the
/// index of the first line after it.
fn take_table(lines: &[&str], start: usize, delim: Delim, width: usize) -> (Table, usize) {
    let mut rows = Vec::new();
    let mut i = start;
    let row = |i: usize, cells: Vec<String>| {
        let n = (i + 1) as u32;
        Row {
            cells,
            origin: Origin {
                line: n,
                place: Place::Line(n),
            },
        }
    };
    while i < lines.len() {
        let line = lines[i];
        if is_rule(line) {
            i += 1;
            continue;
        }
        let cells = split_row(line, delim);
        let filled = cells.iter().filter(|c| !c.is_empty()).count();
        if filled >= 2 || (i == start && filled >= 1) {
            let mut cells = cells;
            // Aligned columns may leave trailing cells empty: keep the header's width.
            if cells.len() < width && delim == Delim::Spaces {
                cells.resize(width, String::new());
            }
            rows.push(row(i, cells));
            i += 1;
            continue;
        }
        // A one-cell line (`一、数字基础设施`) inside the table is a section row when the
        // next non-blank line is a row again.
        if filled == 1 {
            let next = lines[i + 1..]
                .iter()
                .find(|l| !l.trim().is_empty() && !is_rule(l));
            if next
                .is_some_and(|l| split_row(l, delim).iter().filter(|c| !c.is_empty()).count() >= 2)
            {
                rows.push(row(i, vec![line.trim().to_string()]));
                i += 1;
                continue;
            }
        }
        break;
    }
    (Table { name: None, rows }, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("数字".as_bytes(), None).unwrap().1, "UTF-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend("数字".as_bytes());
        assert_eq!(decode(&b, None).unwrap(), ("数字".into(), "UTF-8"));
    }

    #[test]
    fn table_delimiters_are_found_as_contains_finds_them() {
        for (text, expected) in [
            ("一、数字福建。", false),
            ("甲\t乙", true),
            ("甲|乙", true),
            ("甲｜乙", true),
            ("甲  乙", true),
            ("甲 乙", false),
            ("甲\u{3000}乙", true),
            ("\u{3000}", true),
            ("｜", true),
            // The tails of `｜` and U+3000 after another lead byte: other chars.
            ("\u{FF1C}\u{4000}\u{5000}", false),
            ("", false),
        ] {
            let by_contains = ['\t', '|', '｜', '\u{3000}']
                .iter()
                .any(|c| text.contains(*c))
                || text.contains("  ");
            assert_eq!(by_contains, expected, "{text:?}");
            assert_eq!(may_have_table(text), expected, "{text:?}");
        }
        // A large text is searched in pieces of 4 MiB: a delimiter anywhere is found, two
        // spaces across a cut included.
        let cut = 1 << 22;
        let mut big = "数".repeat(3 * cut / 3);
        big.truncate(cut - 1);
        big.push_str(&"a".repeat(cut - 1 - big.len()));
        big.push_str("  ");
        big.push_str(&"字".repeat(cut));
        assert!(may_have_table(&big));
        let without = big.replace("  ", "a ");
        assert!(!may_have_table(&without));
        for delimiter in ["\t", "|", "｜", "\u{3000}"] {
            let mut with = without.clone();
            with.push_str(delimiter);
            assert!(may_have_table(&with), "{delimiter:?}");
        }
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        b.extend("一、数字".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&b, None).unwrap(), ("一、数字".into(), "UTF-16LE"));
        let mut b = vec![0xFE, 0xFF];
        b.extend("数字".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&b, None).unwrap(), ("数字".into(), "UTF-16BE"));
    }

    #[test]
    fn gb18030_detected() {
        let (bytes, _, _) = GB18030.encode("省数字办牵头，有关部门配合");
        assert_eq!(
            decode(&bytes, None).unwrap(),
            ("省数字办牵头，有关部门配合".into(), "gb18030")
        );
    }

    #[test]
    fn undecodable_byte_has_its_offset() {
        // Valid UTF-8, then 0xFF, which neither UTF-8 nor GB18030 decodes.
        let mut b = "数字福建\n".as_bytes().to_vec();
        b.push(0xFF);
        let e = decode(&b, None).unwrap_err();
        assert_eq!(e.code, Code::PlanEncoding);
        assert!(e.message.contains("byte 13"), "{}", e.message);
        assert_eq!(e.at.as_ref().map(|a| a.1.clone()), Some(13..16));
        let forced = decode("数字".as_bytes(), Encoding::for_label(b"utf-16le"));
        assert!(forced.is_ok()); // any even-length input is UTF-16 …
        let e = decode(&[0xFF], Encoding::for_label(b"utf-8")).unwrap_err();
        assert!(e.message.contains("byte 0"), "{}", e.message);
    }

    #[test]
    fn forced_encoding_wins() {
        let (bytes, _, _) = GB18030.encode("数字福建");
        let gbk = Encoding::for_label(b"gbk");
        assert_eq!(&*decode(&bytes, gbk).unwrap().0, "数字福建");
    }

    #[test]
    fn split_rows() {
        assert_eq!(split_row("a\t b\t", Delim::Tab), ["a", "b", ""]);
        assert_eq!(split_row("| a | b |", Delim::Bar), ["a", "b"]);
        assert_eq!(
            split_row("1  建设 平台   省数字办", Delim::Spaces),
            ["1", "建设 平台", "省数字办"]
        );
        assert!(is_rule("|---|:--:|"));
        assert!(!is_rule("| a |"));
    }

    #[test]
    fn text_table_among_prose() {
        let text = "前言\n序号\t工作任务\t牵头单位\n一、基础设施\n1\t建设平台\t省数字办\n\n后记";
        let doc = read(text.into(), "UTF-8");
        let kinds: Vec<&str> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(_) => "p",
                Block::Table(_) => "t",
            })
            .collect();
        assert_eq!(kinds, ["p", "t", "p", "p"]);
        let Block::Table(t) = &doc.blocks[1] else {
            unreachable!()
        };
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1].cells, ["一、基础设施"]);
        assert_eq!(t.rows[2].origin.line, 4);
    }
}
