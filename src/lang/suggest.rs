//! "Did you mean …?" suggestions: a character-based Levenshtein distance and a helper that
//! picks the closest candidate only when it is plausibly a typo.
//!
//! Shared by the parser (unknown stage verbs) and the rest of the crate (unknown tables,
//! columns and functions).

/// The Levenshtein distance between `a` and `b`, counted in `char`s (not bytes), so that a
/// one-character typo in a CJK name costs 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the classic dynamic-programming table.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo: at most
/// `max(1, chars(name) / 3)` edits away. Comparison ignores ASCII case, so `WHERE` suggests
/// `where`. Ties go to the earliest candidate; an exact match is returned as is.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let wanted = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let d = edit_distance(&wanted, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
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
        assert_eq!(closest("xyzzy", verbs), None);
        assert_eq!(closest("", verbs), None);
        // Ties go to the first candidate: `tap` is one edit from both.
        assert_eq!(closest("tap", ["top", "tip"]), Some("top"));
        assert_eq!(closest("x", std::iter::empty()), None);
    }
}
