//! [`SourceText`]: the text of a plan, query or progress file, shared by the reader, the
//! extractor and every diagnostic that points into it.
//!
//! A large UTF-8 plan is not copied into the heap at all: its file is mapped read-only
//! and the mapping is the text. Reading a 176 MB plan into fresh memory cost 164–340 ms
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
        if !is_utf8(&map) {
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

/// Whether `bytes` are UTF-8; a large buffer is checked in pieces on rayon's pool (the
/// check of a 176 MB plan took 55–85 ms on one thread, before anything else could start).
/// Pieces of a quarter megabyte: with 4 MB pieces a 1.7 MB plan was checked on one
/// thread.
pub fn is_utf8(bytes: &[u8]) -> bool {
    !any_piece(bytes, char_pieces(bytes, 1 << 18), |p| {
        simdutf8::basic::from_utf8(p).is_err()
    })
}

/// Whether `test` holds for any of `pieces` of `bytes` (from [`char_pieces`]), tested on
/// rayon's pool. One piece (a text under 8 MiB: nearly every plan) is tested on the
/// calling thread: a job on the pool for it only adds the hand-over, and the caller waits
/// for it either way.
pub fn any_piece(
    bytes: &[u8],
    pieces: Vec<std::ops::Range<usize>>,
    test: impl Fn(&[u8]) -> bool + Sync,
) -> bool {
    use rayon::prelude::*;
    if let [only] = pieces.as_slice() {
        return test(&bytes[only.clone()]);
    }
    pieces.into_par_iter().any(|r| test(&bytes[r]))
}

/// `bytes` cut into ranges of about `size` bytes, each cut just before a byte that is not
/// a UTF-8 continuation byte (`10xxxxxx`), so that no char of valid UTF-8 is cut: checking
/// or searching the pieces one by one is checking or searching the whole. A buffer of up
/// to twice `size` is one piece.
pub fn char_pieces(bytes: &[u8], size: usize) -> Vec<std::ops::Range<usize>> {
    let size = size.max(1);
    let mut pieces = Vec::with_capacity(bytes.len() / size + 1);
    let mut start = 0;
    while bytes.len() - start > 2 * size {
        let mut cut = start + size;
        // At most three continuation bytes follow a lead byte; more is not UTF-8 anyway
        // (the piece that starts with them fails the check).
        for _ in 0..3 {
            if bytes[cut] & 0xC0 != 0x80 {
                break;
            }
            cut += 1;
        }
        pieces.push(start..cut);
        start = cut;
    }
    pieces.push(start..bytes.len());
    pieces
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

    /// One piece (tested on the calling thread) or many (on the pool): the same answer
    /// as testing the whole.
    #[test]
    fn any_piece_answers_as_the_whole_does() {
        let text = "推进建设。".repeat(400) + "x" + &"完成。".repeat(400);
        let bytes = text.as_bytes();
        for size in [16, 1 << 22] {
            let pieces = char_pieces(bytes, size);
            assert_eq!(pieces.len() == 1, size == 1 << 22);
            assert!(any_piece(bytes, pieces.clone(), |p| p.contains(&b'x')));
            assert!(!any_piece(bytes, pieces, |p| p.contains(&b'y')));
        }
    }

    #[test]
    fn utf8_is_checked_in_pieces_as_it_is_whole() {
        let text = "一、总体要求 (省数字办牵头) ①②\n".repeat(500);
        let bytes = text.as_bytes();
        for size in [1, 2, 3, 7, 64, 1000, bytes.len()] {
            let pieces = char_pieces(bytes, size);
            // Contiguous, covering, and cut only between chars.
            assert_eq!(pieces.first().map(|r| r.start), Some(0));
            assert_eq!(pieces.last().map(|r| r.end), Some(bytes.len()));
            for w in pieces.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert!(text.is_char_boundary(w[0].end), "size {size}");
            }
        }
        assert!(char_pieces(bytes, 64).len() > 100);
        assert!(is_utf8(bytes));
        // A bad byte anywhere, or a char cut at the end, is found however the text is cut.
        for at in [0, 1, 5000, bytes.len() - 1] {
            let mut bad = bytes.to_vec();
            bad[at] = 0xFF;
            assert!(!is_utf8(&bad), "at {at}");
        }
        assert!(!is_utf8(&bytes[..bytes.len() - 2]));
        // 9 MB in pieces of 4 MiB: the first cut moves from byte 4,194,304 (inside a
        // char) to 4,194,306, where the next char starts.
        let big = "数".repeat(3_000_000).into_bytes();
        assert!(is_utf8(&big));
        assert_eq!(char_pieces(&big, 1 << 22)[0], 0..4_194_306);
        for (at, byte) in [(4_194_306, 0x80), (4_194_305, 0xE6), (8_999_999, 0xE6)] {
            let mut bad = big.clone();
            bad[at] = byte;
            assert!(!is_utf8(&bad), "at {at}");
        }
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
