//! Plan documents in the formats analysts have, read into one document model.
//!
//! Every reader turns its format into a [`Document`]: a sequence of [`Block`]s — paragraphs
//! and tables — each carrying its [`Origin`] (the line of the text shown in diagnostics, and
//! the place a person would look for it: a source line, a Word paragraph, a spreadsheet
//! cell). The extractor only ever sees this model, so it knows no file formats.
//!
//! The format is decided by content, not by the file name: `%PDF-`, a zip holding
//! `word/document.xml` or `xl/workbook.xml`, an OLE2 container (`.xls`, or a
//! password-protected Office file), markup that starts like HTML; otherwise text in one of
//! the encodings of [`text::decode`]. The extension only separates CSV/TSV from plain text.

pub mod delimited;
#[cfg(feature = "docx")]
mod docx;
#[cfg(feature = "html")]
mod html;
#[cfg(feature = "spreadsheet")]
mod sheet;
pub mod text;
#[cfg(any(feature = "docx", feature = "spreadsheet"))]
mod zipped;

use crate::error::Code;
use crate::error::SourceText;
use std::fmt;
use std::sync::Arc;

/// Where a block came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// 1-based line of the document's display text ([`Document::text`]) — the line every
    /// `line` column and diagnostic of the plan refers to.
    pub line: u32,
    /// The place as a person finds it in the original file.
    pub place: Place,
}

/// A place in the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A line of a text or HTML file (1-based).
    Line(u32),
    /// A paragraph of a Word document (1-based, body paragraphs and table rows in order).
    Paragraph(u32),
    /// A spreadsheet cell: sheet name, 1-based row and column.
    Cell {
        /// Sheet name.
        sheet: String,
        /// 1-based row.
        row: u32,
        /// 1-based column.
        col: u32,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Paragraph(n) => write!(f, "paragraph {n}"),
            Place::Cell { sheet, row, col } => write!(f, "{sheet}!{}{row}", column_name(*col)),
        }
    }
}

/// `1` → `A`, `27` → `AA`.
pub fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let r = (col - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        col = (col - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A paragraph of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Its text on one line (line breaks inside a paragraph become spaces).
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
}

/// A table row: its cells' text and where the row starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Cell texts, left to right; merged cells repeated into every cell they cover.
    pub cells: Vec<String>,
    /// Where the row (its first cell) came from.
    pub origin: Origin,
}

impl Row {
    /// The place of cell `col` (0-based) of this row.
    pub fn cell_place(&self, col: usize) -> Place {
        match &self.origin.place {
            Place::Cell { sheet, row, col: c } => Place::Cell {
                sheet: sheet.clone(),
                row: *row,
                col: c + col as u32,
            },
            p => p.clone(),
        }
    }
}

/// A table: rows of cells, the header somewhere near the top.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// A name for the table: the sheet name, or the short paragraph just before it.
    pub name: Option<String>,
    /// Its rows in order.
    pub rows: Vec<Row>,
}

/// A block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph (a line of a text file, a `<p>`, a Word paragraph).
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
}

/// The format a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text (possibly with text tables).
    Text,
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// An HTML page.
    Html,
    /// A Word document (.docx).
    Docx,
    /// An Excel workbook (.xlsx).
    Xlsx,
    /// An Excel 97–2003 workbook (.xls).
    Xls,
    /// An OpenDocument spreadsheet (.ods).
    Ods,
}

impl Format {
    /// A short name: `text`, `csv`, `html`, `docx`, `xlsx`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }
}

/// A document read from a file: its blocks, and the text diagnostics point into.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// What it was read as.
    pub format: Format,
    /// The text encoding, for text formats (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: Option<&'static str>,
    /// The display text: the decoded file for text and HTML; for binary formats one line
    /// per paragraph or table row (cells separated by tabs). Every [`Origin::line`] is a
    /// line of this text. Shared: diagnostics hold the same text (a large plan's text
    /// is made once, not copied for them).
    pub text: SourceText,
    /// Paragraphs and tables in document order (empty for a text file without tables,
    /// whose lines are read directly from `text`).
    pub blocks: Vec<Block>,
}

/// Why a file could not be read as a plan document.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// Stable code, e.g. `planq::plan::encoding`.
    pub code: Code,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The decoded text, a byte range of it the error points at, and its label (boxed:
    /// errors travel in `Result`s, which stay small when the rare span is behind a box).
    pub at: Option<Box<(String, std::ops::Range<usize>, String)>>,
}

impl ReadError {
    fn new(code: Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        ReadError {
            code,
            message: message.into(),
            help: help.into(),
            at: None,
        }
    }
}

/// Options for [`read`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Decode text with this encoding instead of detecting one (`--encoding`).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// The container a file's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Pdf,
    Zip,
    Ole,
    Other,
}

fn magic(bytes: &[u8]) -> Magic {
    if bytes.starts_with(b"%PDF-") {
        Magic::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Magic::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Magic::Ole
    } else {
        Magic::Other
    }
}

/// Whether a file named `name` whose first bytes are `head` (eight are enough) may read as
/// [`Format::Text`]: no PDF, zip or OLE signature, and not named `.csv`, `.tsv`, `.html` or
/// `.htm`. A cheap look before reading a whole file for a text-only path (`planq export
/// --out` writes plain text batch by batch); `true` does not promise text.
pub fn may_be_text(name: &str, head: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(magic(head), Magic::Other)
        && ![".csv", ".tsv", ".html", ".htm"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// Reads a plan document from its bytes; `name` (the path) only separates `.csv`/`.tsv`
/// from other text and names the file in errors.
pub fn read(name: &str, bytes: &[u8], options: ReadOptions) -> Result<Document, ReadError> {
    match magic(bytes) {
        Magic::Pdf => Err(ReadError::new(
            Code::PlanPdf,
            format!("`{name}` is a PDF; planq does not read PDF"),
            "convert it to text or Word first, e.g. `pdftotext -layout FILE.pdf FILE.txt` (poppler-utils) \
             or `libreoffice --headless --infilter=writer_pdf_import --convert-to docx FILE.pdf`, \
             then load the result with --plan",
        )),
        Magic::Zip => read_zip(name, bytes),
        Magic::Ole => read_ole(name, bytes),
        Magic::Other => {
            let (text, encoding) = text::decode(bytes, options.encoding)?;
            read_decoded(name, text.into(), encoding)
        }
    }
}

/// [`read`] of a file's bytes as [`read_file`] gives them: a UTF-8 text file without a
/// byte-order mark (most plans) becomes its text without a copy — for a large plan one
/// copy of the whole file, and its memory, fewer. Anything else is [`read`].
pub fn read_shared(
    name: &str,
    bytes: FileBytes,
    options: ReadOptions,
) -> Result<Document, ReadError> {
    if options.encoding.is_none() && matches!(magic(&bytes), Magic::Other) {
        return match text::shared_utf8(bytes) {
            Ok(text) => read_decoded(name, text, "UTF-8"),
            Err(bytes) => read(name, &bytes, options),
        };
    }
    read(name, &bytes, options)
}

/// The bytes of a file, as [`read_file`] gives them: read into one shared buffer, or a
/// read-only map of the file. Reads as a byte slice (`Deref`).
pub struct FileBytes(Bytes);

enum Bytes {
    Read(Arc<[u8]>),
    Mapped(memmap2::Mmap),
}

impl FileBytes {
    /// Whether the bytes are a map of the file rather than a copy of it.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Bytes::Mapped(_))
    }

    /// The bytes as a [`SourceText`], without a copy, when they are UTF-8; else the
    /// bytes back. (A byte-order mark is left to the caller: see [`text::shared_utf8`].)
    fn into_utf8(self) -> Result<SourceText, FileBytes> {
        match self.0 {
            Bytes::Read(bytes) => text::utf8_in_place(bytes)
                .map(SourceText::from)
                .map_err(|b| FileBytes(Bytes::Read(b))),
            Bytes::Mapped(map) => {
                SourceText::from_map(map).map_err(|m| FileBytes(Bytes::Mapped(m)))
            }
        }
    }
}

/// Its length and whether it is mapped, not its bytes (a plan may be megabytes).
impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileBytes")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Bytes::Read(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> Self {
        FileBytes(Bytes::Read(Arc::from(bytes)))
    }
}

/// Files at least this large are mapped rather than read (see [`read_file`]). Below it a
/// read costs little, and a plan as published (tens to hundreds of kilobytes) is read.
const MAP_AT_LEAST: u64 = 1 << 20;

/// The bytes of the file at `path`. A regular file of a megabyte or more is mapped
/// read-only (no copy, and no fresh memory for the kernel to clear: issue 8 measured
/// 164–340 ms to read a 176 MB plan, 1–13 ms to map it); a smaller one, or one that cannot
/// be mapped, is read into one shared buffer of its size (no second buffer to grow into,
/// or to copy the text out of: see [`read_shared`]).
///
/// A mapped file must not be changed while planq runs: truncating it then makes the
/// process fail (`SIGBUS`), as with any program that maps its input (`ripgrep --mmap`).
/// Editors that save by writing a new file and renaming it over the old one leave the
/// mapped file as it was.
pub fn read_file(path: &std::path::Path) -> std::io::Result<FileBytes> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata().ok();
    if let Some(m) = &metadata {
        if m.is_file() && m.len() >= MAP_AT_LEAST {
            // SAFETY: the map is read-only, and planq changes no plan file; what another
            // process may do to it meanwhile is stated above. `populate` maps the pages
            // already in the page cache at once rather than a fault at a time.
            if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
                return Ok(FileBytes(Bytes::Mapped(map)));
            }
            // A file system that cannot map (some network or FUSE mounts): read it.
        }
    }
    let size = metadata
        .and_then(|m| usize::try_from(m.len()).ok())
        .unwrap_or(0);
    let mut buf = zeroed(size);
    let mut n = 0;
    if let Some(slice) = Arc::get_mut(&mut buf) {
        while n < slice.len() {
            match file.read(&mut slice[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    // A file that is not the size it said (shrunk or grown meanwhile, a pipe, a file
    // system that does not know sizes): what it holds, read to its end.
    let mut rest = Vec::new();
    file.read_to_end(&mut rest)?;
    if n == size && rest.is_empty() {
        return Ok(FileBytes(Bytes::Read(buf)));
    }
    let mut all = Vec::with_capacity(n + rest.len());
    all.extend_from_slice(&buf[..n]);
    all.extend_from_slice(&rest);
    Ok(FileBytes::from(all))
}

/// `size` zero bytes, shared. A large buffer comes from the allocator as fresh pages: no
/// zeroing pass before the file is read into it.
fn zeroed(size: usize) -> Arc<[u8]> {
    let buf: Arc<[std::mem::MaybeUninit<u8>]> = Arc::new_zeroed_slice(size);
    // SAFETY: every byte is zero, a valid `u8`.
    unsafe { buf.assume_init() }
}

/// A decoded text read as its kind is read: a web page, a CSV or TSV table (by its
/// name), or plain text.
fn read_decoded(
    name: &str,
    text: SourceText,
    encoding: &'static str,
) -> Result<Document, ReadError> {
    let lower = name.to_ascii_lowercase();
    #[cfg(feature = "html")]
    if html::looks_like_html(&text) || lower.ends_with(".html") || lower.ends_with(".htm") {
        return Ok(html::read(text, encoding));
    }
    if lower.ends_with(".csv") {
        return delimited::read(text, encoding, b',', Format::Csv);
    }
    if lower.ends_with(".tsv") {
        return delimited::read(text, encoding, b'\t', Format::Tsv);
    }
    Ok(text::read(text, encoding))
}

#[cfg(any(feature = "docx", feature = "spreadsheet"))]
fn read_zip(name: &str, bytes: &[u8]) -> Result<Document, ReadError> {
    match zipped::kind(bytes) {
        #[cfg(feature = "docx")]
        Ok(zipped::Kind::Docx) => guarded(name, || docx::read(name, bytes)),
        #[cfg(feature = "spreadsheet")]
        Ok(zipped::Kind::Xlsx) => guarded(name, || sheet::read(name, bytes, Format::Xlsx)),
        #[cfg(feature = "spreadsheet")]
        Ok(zipped::Kind::Ods) => guarded(name, || sheet::read(name, bytes, Format::Ods)),
        Ok(zipped::Kind::Odt) => Err(ReadError::new(
            Code::PlanOdt,
            format!("`{name}` is an OpenDocument text (.odt), which planq does not read"),
            "save it as .docx, or convert it: `libreoffice --headless --convert-to docx FILE.odt`",
        )),
        #[allow(unreachable_patterns)] // reachable only when a reader is not built in
        Ok(kind) => Err(not_built(name, kind.as_str())),
        Err(e) => Err(e.named(name)),
    }
}

#[cfg(not(any(feature = "docx", feature = "spreadsheet")))]
fn read_zip(name: &str, _bytes: &[u8]) -> Result<Document, ReadError> {
    Err(not_built(name, "docx/xlsx"))
}

#[allow(dead_code)] // unused when every reader is built in
fn not_built(name: &str, what: &str) -> ReadError {
    ReadError::new(
        Code::PlanFormatNotBuilt,
        format!("`{name}` is a {what} file, and this planq was built without that reader"),
        "rebuild with the default features (`cargo build --release`), or save the file as text",
    )
}

/// OLE2 containers: `.xls`, legacy `.doc`, and password-protected Office files (which
/// Office stores encrypted inside an OLE2 container with an `EncryptionInfo` stream).
fn read_ole(name: &str, bytes: &[u8]) -> Result<Document, ReadError> {
    if contains_utf16(bytes, "EncryptionInfo") || contains_utf16(bytes, "EncryptedPackage") {
        return Err(ReadError::new(
            Code::PlanEncrypted,
            format!("`{name}` is password-protected"),
            "open it in Word or Excel, remove the password (File → Info → Protect), save, and load the copy",
        ));
    }
    if contains_utf16(bytes, "WordDocument") {
        return Err(ReadError::new(
            Code::PlanLegacyDoc,
            format!("`{name}` is a Word 97–2003 .doc file, which planq does not read"),
            "save it as .docx (or convert it: `libreoffice --headless --convert-to docx FILE.doc`)",
        ));
    }
    read_xls(name, bytes)
}

#[cfg(feature = "spreadsheet")]
fn read_xls(name: &str, bytes: &[u8]) -> Result<Document, ReadError> {
    guarded(name, || sheet::read(name, bytes, Format::Xls))
}

/// Runs a reader built on a third-party parser so that a bug of that parser on a damaged
/// file is a diagnostic, not a crash of planq.
#[cfg(any(feature = "docx", feature = "spreadsheet"))]
fn guarded(
    name: &str,
    read: impl FnOnce() -> Result<Document, ReadError>,
) -> Result<Document, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(ReadError::new(
            Code::PlanDamaged,
            format!("`{name}` is damaged: its reader could not make sense of it"),
            "open it in Word, Excel or LibreOffice and save it again",
        ))
    })
}

#[cfg(not(feature = "spreadsheet"))]
fn read_xls(name: &str, _bytes: &[u8]) -> Result<Document, ReadError> {
    Err(not_built(name, "xls"))
}

/// Whether `needle` occurs in `bytes` as UTF-16LE (OLE2 directory entry names).
fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pat: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(pat.len()).any(|w| w == pat.as_slice())
}

/// Builds display text for a binary format's blocks: one line per paragraph and per table
/// row (cells joined by tabs); sets every origin's `line` to its line of that text.
/// (Only the Word and spreadsheet readers have blocks without text of their own.)
#[cfg(any(feature = "docx", feature = "spreadsheet"))]
pub(crate) fn render(blocks: &mut [Block]) -> String {
    let mut text = String::new();
    let mut line = 0u32;
    let mut push = |s: &str, origin: &mut Origin| {
        line += 1;
        origin.line = line;
        text.push_str(&s.replace(['\n', '\r'], " "));
        text.push('\n');
    };
    for block in blocks.iter_mut() {
        match block {
            Block::Paragraph(p) => push(&p.text, &mut p.origin),
            Block::Table(t) => {
                for row in &mut t.rows {
                    let joined = row.cells.join("\t");
                    push(&joined, &mut row.origin);
                }
            }
        }
    }
    text
}

/// Collapses runs of whitespace (full-width spaces included) to one space and trims.
pub(crate) fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole_and_its_utf8_shared_not_copied() {
        let dir = std::env::temp_dir().join(format!("planq-read-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        // (name, bytes, UTF-8 shared as text, mapped rather than read)
        let cases: [(&str, Vec<u8>, bool, bool); 7] = [
            ("plain.txt", "一、数字福建\n".into(), true, false),
            ("empty.txt", Vec::new(), true, false),
            (
                "big.txt",
                "（一）数字。\n".repeat(20_000).into(),
                true,
                false,
            ),
            // From a megabyte on, the file is mapped (`MAP_AT_LEAST`).
            (
                "large.txt",
                "（一）数字。\n".repeat(70_000).into(),
                true,
                true,
            ),
            (
                "large-gbk.txt",
                b"\xCA\xFD\xD7\xD6\n".repeat(300_000),
                false,
                true,
            ),
            // A byte-order mark, and bytes that are not UTF-8: read as `read` reads them.
            (
                "bom.txt",
                b"\xEF\xBB\xBF\xE4\xB8\x80".to_vec(),
                false,
                false,
            ),
            ("gbk.txt", b"\xCA\xFD\xD7\xD6".to_vec(), false, false),
        ];
        for (name, bytes, shared, mapped) in cases {
            let path = dir.join(name);
            std::fs::write(&path, &bytes).expect("write");
            let read_back = read_file(&path).expect("read");
            assert_eq!(&read_back[..], &bytes[..], "{name}");
            assert_eq!(read_back.is_mapped(), mapped, "{name}");
            let at = read_back.as_ptr();
            match text::shared_utf8(read_back) {
                Ok(t) => {
                    assert!(shared, "{name}");
                    assert_eq!(t.as_bytes(), &bytes[..], "{name}");
                    assert_eq!(t.is_mapped(), mapped, "{name}");
                    // The same memory, not a copy.
                    assert_eq!(t.as_ptr(), at, "{name}");
                }
                Err(back) => {
                    assert!(!shared, "{name}");
                    assert_eq!(&back[..], &bytes[..], "{name}");
                }
            }
            // Either way the document is what `read` makes of the bytes.
            let options = ReadOptions::default();
            let read_back = read_file(&path).expect("read");
            assert_eq!(
                read_shared(name, read_back, options).ok(),
                read(name, &bytes, options).ok(),
                "{name}"
            );
        }
        assert!(read_file(&dir.join("missing.txt")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(26), "Z");
        assert_eq!(column_name(27), "AA");
        assert_eq!(column_name(0), "");
    }

    #[test]
    fn may_be_text_looks_at_signatures_and_names() {
        assert!(may_be_text("plan.txt", "2010年".as_bytes()));
        assert!(may_be_text("PLAN", b""));
        assert!(!may_be_text("plan.txt", b"PK\x03\x04rest"));
        assert!(!may_be_text(
            "plan.doc",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        ));
        assert!(!may_be_text("a.txt", b"%PDF-1.7"));
        assert!(!may_be_text("tasks.CSV", b"id,task"));
        assert!(!may_be_text("page.htm", b"<html>"));
        // Every file `may_be_text` refuses reads as another format.
        let xlsx = read("plan.txt", b"PK\x03\x04", ReadOptions::default());
        assert!(!matches!(
            xlsx,
            Ok(Document {
                format: Format::Text,
                ..
            })
        ));
    }

    #[test]
    fn pdf_is_refused_with_a_way_out() {
        let e = read("a.pdf", b"%PDF-1.7\n...", ReadOptions::default()).unwrap_err();
        assert_eq!(e.code, Code::PlanPdf);
        assert!(e.help.contains("pdftotext"));
    }

    #[test]
    fn encrypted_office_files_are_named() {
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.extend(
            "EncryptionInfo"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        let e = read("x.docx", &bytes, ReadOptions::default()).unwrap_err();
        assert_eq!(e.code, Code::PlanEncrypted);
    }

    #[test]
    fn squash_whitespace() {
        assert_eq!(squash("  a \n\u{3000} b  "), "a b");
    }
}
