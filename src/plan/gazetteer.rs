//! Chinese administrative divisions (provinces, prefectures, counties) and their short
//! forms, from `src/plan/gazetteer.txt` (generated from a public dataset; the file names its
//! source and version). Owner names use it to tell a place or a body of a place
//! (`广州海关`, `福州大学`) from an abbreviated department (`审改办`).

use std::sync::OnceLock;

use super::fast_hash::{FastMap, FastSet};

/// The data file, compiled in.
const DATA: &str = include_str!("gazetteer.txt");

/// The longest place name we look for, in chars (`新疆维吾尔自治区` and county names).
const MAX_LEN: usize = 12;

/// Names of places, in two sets and a map: `strong` are names safe to find anywhere in an
/// owner name (provinces and prefectures, full and short; counties in full), `bare` adds
/// the short forms of counties, which are only trusted for a whole name (`平潭`). `shown`
/// is for titles (see [`shown_name`]).
struct Places {
    strong: FastSet<&'static str>,
    bare: FastSet<&'static str>,
    shown: FastMap<&'static str, &'static str>,
}

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    // Built at the first owner clause of a run (or by [`warm`]), then asked of each
    // prefix of every owner name: with std's SipHash, and grown by doubling, building it
    // was ≈ 6% of the CPU of a 2 KB plan's `export --out` (`perf record`). Building it on
    // rayon's pool at the start of extraction was tried: no faster at 10k tasks (it held
    // a pool thread the outline's walk then waited for), and a third of the 100k-task
    // exports peaked ≈ 6 MB higher. `export --out` now builds it on a thread of its own
    // while the file is read (`cli/export.rs`).
    PLACES.get_or_init(|| {
        // Lines and their columns found with memchr's search, the tables sized by the
        // count of line breaks: `str::lines`, a vector of them and `split('\t')` were
        // 2.0M of the build's 4.1M instructions (the first task of every run waits for
        // the build).
        let lines = super::extract::lines_of(DATA)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.starts_with('#'));
        // A full and a short name a line at most.
        let n = 2 * (memchr::memchr_iter(b'\n', DATA.as_bytes()).count() + 1);
        let mut strong = FastSet::with_capacity_and_hasher(n, Default::default());
        let mut bare = FastSet::with_capacity_and_hasher(n, Default::default());
        let mut shown = FastMap::with_capacity_and_hasher(n, Default::default());
        for line in lines {
            let mut cols = super::extract::split_at_byte(line, b'\t');
            let (Some(level), Some(full)) = (cols.next(), cols.next()) else {
                continue;
            };
            let short = cols.next().unwrap_or("");
            // A province or prefecture is shown by its short name, a county by its full
            // one; a full name never displaces a short one made before it.
            if level == "d" || short.is_empty() {
                shown.entry(full).or_insert(full);
            } else {
                shown.insert(full, short);
                shown.insert(short, short);
            }
            strong.insert(full);
            bare.insert(full);
            if !short.is_empty() {
                bare.insert(short);
                // County short forms (`公安` of 公安县) are too often ordinary words to be
                // trusted inside a department name.
                if level != "d" {
                    strong.insert(short);
                }
            }
        }
        Places {
            strong,
            bare,
            shown,
        }
    })
}

/// Builds the tables now (on the calling thread) if no one has: a run that will read
/// owner clauses can build them on a thread of its own before the first clause needs
/// them (the first task built them while the other pool thread waited).
pub(crate) fn warm() {
    places();
}

/// The name a title's place is shown by, for `name` exactly a province or prefecture (full
/// or short: `福建省` and `福建` → `福建`) or a county (full name only, shown as it is:
/// county short forms are too often ordinary words).
pub fn shown_name(name: &str) -> Option<&'static str> {
    places().shown.get(name).copied()
}

/// Whether `name` is exactly a place name, full or short (`广州`, `福州市`, `平潭`).
pub fn is_place(name: &str) -> bool {
    places().bare.contains(name)
}

/// The longest place (province or prefecture, full or short; county in full) that `name`
/// starts with, as a char count.
pub fn place_prefix_len(name: &str) -> Option<usize> {
    let p = places();
    let mut best = None;
    for (k, (i, c)) in name.char_indices().take(MAX_LEN).enumerate() {
        if k >= 1 && p.strong.contains(&name[..i + c.len_utf8()]) {
            best = Some(k + 1);
        }
    }
    best
}

/// Whether a strong place name occurs anywhere in `name` (`中国人民银行福建省分行`).
pub fn contains_place(name: &str) -> bool {
    let starts: Vec<usize> = name.char_indices().map(|(i, _)| i).collect();
    starts
        .iter()
        .any(|&s| place_prefix_len(&name[s..]).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_those_of_split() {
        for line in [
            "",
            "p",
            "p\t上海市\t上海",
            "d\t平潭县\t",
            "\t\t",
            "c\t福州市",
        ] {
            let ours: Vec<&str> = super::super::extract::split_at_byte(line, b'\t').collect();
            let std: Vec<&str> = line.split('\t').collect();
            assert_eq!(ours, std, "{line:?}");
        }
    }

    #[test]
    fn places_full_and_short() {
        assert!(is_place("广州"));
        assert!(is_place("福州市"));
        assert!(is_place("平潭"));
        assert!(!is_place("审改办"));
        assert_eq!(place_prefix_len("福州大学"), Some(2));
        assert_eq!(place_prefix_len("福建省分行"), Some(3));
        assert_eq!(place_prefix_len("公安厅"), None);
        assert!(contains_place("中国人民银行福建省分行"));
        assert!(!contains_place("市场监管局"));
        assert!(!contains_place("数字办"));
        assert_eq!(shown_name("福建省"), Some("福建"));
        assert_eq!(shown_name("福州"), Some("福州"));
        assert_eq!(shown_name("平潭县"), Some("平潭县"));
        assert_eq!(shown_name("平潭"), None);
    }
}
