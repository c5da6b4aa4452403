//! Zip containers: which Office/OpenDocument format a zip holds, by its parts.

use crate::error::Code;
use std::io::{Cursor, Read};

use super::ReadError;

/// What a zip archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Word document (`word/document.xml`).
    Docx,
    /// An Excel workbook (`xl/workbook.xml`).
    Xlsx,
    /// An OpenDocument spreadsheet (`mimetype` says so).
    Ods,
    /// An OpenDocument text (not read).
    Odt,
}

impl Kind {
    /// The usual extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Ods => "ods",
            Kind::Odt => "odt",
        }
    }
}

/// An error about a zip, before the file's name is known.
#[derive(Debug)]
pub struct ZipProblem {
    code: Code,
    message: String,
    help: &'static str,
}

impl ZipProblem {
    /// The problem as a [`ReadError`] naming the file.
    pub fn named(self, name: &str) -> ReadError {
        ReadError::new(self.code, format!("`{name}` {}", self.message), self.help)
    }
}

/// Opens `bytes` as a zip archive.
pub fn open(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, ZipProblem> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ZipProblem {
        code: Code::PlanBadZip,
        message: format!("is a damaged zip archive ({e})"),
        help: "a .docx, .xlsx or .ods file is a zip archive; this one cannot be opened — save it again from Word/Excel/LibreOffice",
    })
}

/// Reads one part of the archive as text, if it exists (and is at most `limit` bytes).
pub fn part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Option<String>, ZipProblem> {
    let Ok(file) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut text = String::new();
    file.take(limit)
        .read_to_string(&mut text)
        .map_err(|e| ZipProblem {
            code: Code::PlanBadZip,
            message: format!("has a part `{name}` that cannot be read ({e})"),
            help: "the file is damaged or not UTF-8 XML; save it again from Word/Excel/LibreOffice",
        })?;
    Ok(Some(text))
}

/// What the zip is, or an error saying what was expected.
pub fn kind(bytes: &[u8]) -> Result<Kind, ZipProblem> {
    let mut zip = open(bytes)?;
    let names: Vec<String> = zip.file_names().flatten().map(|n| n.to_string()).collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("word/document.xml") {
        return Ok(Kind::Docx);
    }
    if has("xl/workbook.xml") {
        return Ok(Kind::Xlsx);
    }
    if let Some(mime) = part(&mut zip, "mimetype", 200)? {
        if mime.contains("opendocument.spreadsheet") {
            return Ok(Kind::Ods);
        }
        if mime.contains("opendocument.text") {
            return Ok(Kind::Odt);
        }
    }
    if names.iter().any(|n| n.starts_with("word/")) {
        return Err(ZipProblem {
            code: Code::PlanDocxNoDocument,
            message: "looks like a Word document but has no document part (word/document.xml)".into(),
            help: "the file is damaged or incomplete; open it in Word or LibreOffice and save it again",
        });
    }
    Err(ZipProblem {
        code: Code::PlanUnknownZip,
        message: format!(
            "is a zip archive but not a .docx, .xlsx or .ods document (it holds {} file(s){})",
            names.len(),
            names
                .first()
                .map(|n| format!(", e.g. `{n}`"))
                .unwrap_or_default()
        ),
        help: "unpack it and load the plan document inside with --plan",
    })
}
