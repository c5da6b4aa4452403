//! Target ids, numbered in order of first appearance and found again by text: all in one
//! string, with an open-addressing table of their numbers. A plan of 50,000 targets is
//! indexed for every progress file loaded, so this costs no allocation per id (a map of
//! `String`s cost more than checking 10,000 rows).

use std::hash::Hasher;

use crate::plan::fast_hash::FastHasher;

/// Distinct strings, each with a number (`0..len`).
#[derive(Debug, Default)]
pub(super) struct Ids {
    /// Every string, one after the other.
    text: String,
    /// Where each string ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    /// The table: `0` for an empty slot, else a string's number + 1. Its length is a power
    /// of two, at least twice the number of strings.
    slots: Vec<u32>,
}

fn hash(s: &str) -> u64 {
    let mut h = FastHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Ids {
    /// The number of strings.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// String number `n`.
    pub(super) fn get(&self, n: u32) -> &str {
        let n = n as usize;
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        &self.text[start..self.ends[n]]
    }

    /// Every string, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|n| self.get(n))
    }

    /// The slot where `s` is, or the empty slot where it would go.
    fn slot(&self, s: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash(s) as usize & mask;
        loop {
            match self.slots[i] {
                0 => return i,
                n if self.get(n - 1) == s => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The number of `s`, if it is one of the strings.
    pub(super) fn find(&self, s: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.slots[self.slot(s)].checked_sub(1)
    }

    /// The number of `s`, added if new.
    pub(super) fn insert(&mut self, s: &str) -> u32 {
        if self.slots.len() < 2 * (self.len() + 1) {
            self.grow();
        }
        let i = self.slot(s);
        if let Some(n) = self.slots[i].checked_sub(1) {
            return n;
        }
        let n = self.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len());
        self.slots[i] = n + 1;
        n
    }

    /// Doubles the table and places every string again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        self.slots = vec![0; size];
        let mask = size - 1;
        for n in 0..self.len() as u32 {
            let mut i = hash(self.get(n)) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = n + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_and_finds_them_again() {
        let mut ids = Ids::default();
        assert_eq!(ids.find("1.1#1"), None);
        for i in 0..5000 {
            assert_eq!(ids.insert(&format!("{}.{}#{}", i / 50, i % 50, 1)), i);
        }
        assert_eq!(ids.insert("0.0#1"), 0);
        assert_eq!(ids.insert(""), 5000);
        assert_eq!(ids.len(), 5001);
        assert_eq!(ids.find("3.7#1"), Some(157));
        assert_eq!(ids.find(""), Some(5000));
        assert_eq!(ids.find("3.7#"), None);
        assert_eq!(ids.get(157), "3.7#1");
        assert_eq!(ids.iter().nth(2), Some("0.2#1"));
    }
}
