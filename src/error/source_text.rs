//! [`SourceText`]: the text of a plan, query or progress file, shared by the reader, the
//! extractor and every diagnostic that points into it.
//!
//! A large UTF-8 plan is not copied into the heap at all: its file is mapped read-only
//! and the mapping is the text. Reading a 176 MB plan into fresh memory cost 250–340 ms
//! on the build machine (the kernel clears every new page before the copy fills it);
//! mapping the same file, already in the page cache, cost 1–13 ms (issue 8, measured
//! with `strace -T` on `read` and a small C program doing both).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Text shared by clones: held in memory, or a read-only map of a UTF-8 file (see
/// [`crate::plan::source::read_file`]). Reads as a `str` (`Deref`); cloning is cheap.
#[derive(Clone)]
pub struct SourceText(Repr);

#[derive(Clone)]
enum Repr {
    Held(Arc<str>),
    /// A mapping whose bytes were checked to be UTF-8 when it became text.
    Mapped(Arc<memmap2::Mmap>),
}

impl SourceText {
    /// The text of a file mapping, when its bytes are UTF-8; else the mapping back.
    ///
    /// The bytes are checked here, once, so that the mapping may be read as a `str` from
    /// then on. That holds as long as the file is not changed while it is mapped, which
    /// [`crate::plan::source::read_file`] states when it maps a file.
    pub fn from_map(map: memmap2::Mmap) -> Result<SourceText, memmap2::Mmap> {
        if simdutf8::basic::from_utf8(&map).is_err() {
            return Err(map);
        }
        Ok(SourceText(Repr::Mapped(Arc::new(map))))
    }

    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Held(text) => text,
            // SAFETY: `from_map` checked these bytes to be UTF-8 before making this value,
            // and a read-only mapping of a file that is not changed keeps its bytes.
            Repr::Mapped(map) => unsafe { std::str::from_utf8_unchecked(map) },
        }
    }

    /// Whether the text is a file mapping rather than held in memory.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped(_))
    }
}

impl Deref for SourceText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SourceText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Like a `str`'s: the text, quoted (a mapping is not told apart).
impl fmt::Debug for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Equal when the texts are, however each is held.
impl PartialEq for SourceText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SourceText {}

impl From<Arc<str>> for SourceText {
    fn from(text: Arc<str>) -> Self {
        SourceText(Repr::Held(text))
    }
}

impl From<String> for SourceText {
    fn from(text: String) -> Self {
        SourceText(Repr::Held(Arc::from(text)))
    }
}

impl From<&str> for SourceText {
    fn from(text: &str) -> Self {
        SourceText(Repr::Held(Arc::from(text)))
    }
}

impl From<&String> for SourceText {
    fn from(text: &String) -> Self {
        SourceText::from(text.as_str())
    }
}

impl From<Box<str>> for SourceText {
    fn from(text: Box<str>) -> Self {
        SourceText(Repr::Held(Arc::from(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn held_and_mapped_texts_read_alike() {
        let dir = std::env::temp_dir().join(format!("planq-source-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.txt");
        let text = "一、总体要求\n1. 建成2000个社区（省数字办牵头）\n";
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: the test's own file, not changed while mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
        let mapped = SourceText::from_map(map).unwrap();
        let held = SourceText::from(text);
        assert!(mapped.is_mapped() && !held.is_mapped());
        assert_eq!(mapped, held);
        assert_eq!(&*mapped, text);
        assert_eq!(format!("{mapped:?}"), format!("{text:?}"));
        let clone = mapped.clone();
        drop(mapped);
        assert_eq!(clone.lines().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_map_that_is_not_utf8_is_given_back() {
        let dir = std::env::temp_dir().join(format!("planq-source-gbk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.txt");
        // `一、` in GBK: not UTF-8.
        std::fs::write(&path, [0xD2, 0xBB, 0xA1, 0xA2]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: the test's own file, not changed while mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
        let back = SourceText::from_map(map).unwrap_err();
        assert_eq!(&back[..], &[0xD2, 0xBB, 0xA1, 0xA2]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
