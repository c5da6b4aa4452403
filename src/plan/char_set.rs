//! Sets of chars tested by a table lookup: what a scanner that passes over most chars of a
//! task asks of every one (`may this char start a target?`). A `matches!` over twenty
//! scattered CJK chars compiles to a chain of comparisons; the table is one load, a shift
//! and a mask.

/// A set of chars of the Basic Multilingual Plane (every char the scanners look for): a
/// bit per code point, 8 KiB, built at compile time.
pub(super) struct CharSet([u64; 1024]);

impl CharSet {
    /// The set of `chars`, with the ASCII digits when `digits`. Every char must be in the
    /// Basic Multilingual Plane (a char above it is a compile error).
    pub(super) const fn new(digits: bool, chars: &[char]) -> CharSet {
        let mut bits = [0u64; 1024];
        if digits {
            let mut d = b'0';
            while d <= b'9' {
                bits[(d >> 6) as usize] |= 1 << (d & 63);
                d += 1;
            }
        }
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k] as u32;
            assert!(c < 0x1_0000, "a CharSet holds chars of the BMP only");
            bits[(c >> 6) as usize] |= 1 << (c & 63);
            k += 1;
        }
        CharSet(bits)
    }

    /// Whether `c` is in the set.
    #[inline]
    pub(super) fn contains(&self, c: char) -> bool {
        let c = c as u32;
        match self.0.get((c >> 6) as usize) {
            Some(word) => word >> (c & 63) & 1 != 0,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_its_chars() {
        const SET: CharSet = CharSet::new(true, &['十', '〇', 'Ａ']);
        for c in ['0', '5', '9', '十', '〇', 'Ａ'] {
            assert!(SET.contains(c), "{c}");
        }
        for c in ['/', ':', 'a', '千', '\u{10000}', char::MAX, '\0'] {
            assert!(!SET.contains(c), "{c}");
        }
    }
}
