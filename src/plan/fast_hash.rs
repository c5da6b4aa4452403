//! A fast hash for maps whose keys planq made itself (target ids such as `2.5#1`, pair
//! numbers, the gazetteer's place names compiled in): the std SipHash guards against keys
//! chosen to collide, which these keys cannot be (a user's text is only looked up, never
//! inserted), and costs more than the rest of a progress row's check. The multiply–rotate
//! step is FxHash's (rustc's own hasher), the final mix murmur3's; written here rather
//! than added as a crate.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A `HashSet` with [`FastHasher`].
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// FxHash: eight bytes at a time, multiply and rotate.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
        // The length too: zero padding must not make `a` and `a\0` one word.
        self.add(bytes.len() as u64);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The state through murmur3's final mix: the multiply–rotate steps leave the low
    /// bits depending on the low bytes only, and hashbrown picks buckets by the low bits,
    /// so ids that differ only in their later bytes (`1.1#1`, `1.1#2`) would collide.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_differ_hash_apart_and_maps_work() {
        let mut m: FastMap<String, usize> = FastMap::default();
        for i in 0..10_000 {
            m.insert(format!("{}.{}#{}", i / 100, i % 100, i % 7), i);
        }
        assert_eq!(m.len(), 10_000);
        assert_eq!(m.get("3.4#3"), Some(&304));
        // A prefix is not the same key (str hashing appends a terminator byte).
        let h = |s: &str| {
            let mut h = FastHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish()
        };
        assert_ne!(h("2.5#1"), h("2.5#1\0"));
        assert_ne!(h("1.1#1"), h("1.1#2"));
        // Ids that differ only in a late byte spread over the low bits (the bucket).
        let buckets: std::collections::HashSet<u64> =
            (0..1000).map(|i| h(&format!("1.1#{i}")) & 1023).collect();
        assert!(buckets.len() > 500, "{}", buckets.len());
    }
}
