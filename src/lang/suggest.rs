//! "Did you mean …?" suggestions: a character-based edit distance (swaps count as one) and a helper that
//! picks the closest candidate only when it is plausibly a typo.
//!
//! Shared by the parser (unknown stage verbs) and the rest of the crate (unknown tables,
//! columns and functions).

/// The edit distance between `a` and `b` (optimal string alignment: insertions,
/// deletions, substitutions and swaps of two neighbours, each costing 1), counted in
/// `char`s (not bytes), so that a one-character typo in a CJK name costs 1 and the most
/// common slip at a keyboard, two letters swapped (`srot` → `sort`), costs 1 too.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back (for swaps), last, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut row);
    }
    last[b.len()]
}

/// The largest distance still considered a likely typo of `name`.
fn threshold(name: &str) -> usize {
    (name.chars().count() / 3).max(1)
}

/// Letters dropped while typing: `name` is `candidate` with at most two characters left
/// out (`ownr` → `owners`).
fn dropped_letters(name: &str, candidate: &str) -> bool {
    let (n, c) = (name.chars().count(), candidate.chars().count());
    if n < 2 || c <= n || c - n > 2 {
        return false;
    }
    let mut rest = candidate.chars();
    name.chars().all(|x| rest.any(|y| y == x))
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
            (d <= limit || contains || dropped_letters(&lower, &c.to_lowercase())).then_some((d, c))
        })
        .collect();
    // Stable: ties keep the candidates' order.
    scored.sort_by_key(|s| s.0);
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("wher", "where"), 1);
        assert_eq!(edit_distance("selct", "select"), 1);
        assert_eq!(edit_distance("sumarize", "summarize"), 1);
        // Characters, not bytes: one CJK substitution is one edit.
        assert_eq!(edit_distance("负责单位", "负责部门"), 2);
        assert_eq!(edit_distance("省数字办", "省数据办"), 1);
        // Two neighbours swapped is one slip.
        assert_eq!(edit_distance("srot", "sort"), 1);
        assert_eq!(edit_distance("selcet", "select"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn symmetric() {
        for (a, b) in [("flaw", "lawn"), ("数字", "数"), ("take", "top")] {
            assert_eq!(edit_distance(a, b), edit_distance(b, a));
        }
    }

    #[test]
    fn closest_only_when_close() {
        let verbs = ["where", "select", "summarize", "sort", "take", "top"];
        assert_eq!(closest("wher", verbs), Some("where"));
        assert_eq!(closest("selct", verbs), Some("select"));
        assert_eq!(closest("sumarize", verbs), Some("summarize"));
        assert_eq!(closest("WHERE", verbs), Some("where"));
        assert_eq!(closest("tak", verbs), Some("take"));
        assert_eq!(closest("srot", verbs), Some("sort"));
        assert_eq!(closest("wehre", verbs), Some("where"));
        assert_eq!(closest("xyzzy", verbs), None);
        assert_eq!(closest("", verbs), None);
        // Ties go to the first candidate: `tap` is one edit from both.
        assert_eq!(closest("tap", ["top", "tip"]), Some("top"));
        assert_eq!(closest("x", std::iter::empty()), None);
    }

    #[test]
    fn suggests_by_containment_and_several() {
        let names = ["owner", "role", "task_id", "position"];
        assert_eq!(closest("ownr", names), Some("owner"));
        assert_eq!(closest("ownr", ["owners", "title"]), Some("owners"));
        assert_eq!(closest("budgets", ["targets", "tasks"]), None);
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
