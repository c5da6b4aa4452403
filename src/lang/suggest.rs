//! Did-you-mean: the nearest names by edit distance, offered only when they are close.

/// Levenshtein distance counted in characters (so CJK names compare fairly).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The largest distance still considered a likely typo of `name`.
fn threshold(name: &str) -> usize {
    (name.chars().count() / 3).max(1)
}

/// The closest candidate to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_many(name, candidates, 1).into_iter().next()
}

/// Up to `n` candidates closest to `name` (best first), each close enough to be a likely
/// typo. A candidate that contains `name` (or is contained in it) also counts as close:
/// `数字办` suggests `省数字办`.
pub fn closest_many<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let limit = threshold(name);
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter_map(|c| {
            let d = edit_distance(&lower, &c.to_lowercase());
            let contains = !name.is_empty() && (c.contains(name) || name.contains(c));
            (d <= limit || contains).then_some((d, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("数字办", "省数字办"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggests_only_close_names() {
        let names = ["owner", "role", "task_id", "position"];
        assert_eq!(closest("ownr", names), Some("owner"));
        assert_eq!(closest("Owner", names), Some("owner"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(
            closest("数字办", ["省数字办", "省通管局"]),
            Some("省数字办")
        );
        assert_eq!(
            closest_many("2.5#3", ["2.5#1", "4.1#1", "2.5#2"], 2),
            vec!["2.5#1", "2.5#2"]
        );
    }
}
