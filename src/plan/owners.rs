//! Owner clauses: `(省数字办牵头，省经济信息中心配合)`, `(责任单位：A、B)`, block lines such
//! as `牵头单位：X`, and the names inside them.

use super::Role;

/// Maps traditional characters used in owner keywords to simplified ones, so that
/// `牽頭`, `責任單位`, `負責` are recognised. Names themselves are never rewritten.
pub fn simplify(c: char) -> char {
    match c {
        '牽' => '牵',
        '頭' => '头',
        '責' => '责',
        '單' => '单',
        '負' => '负',
        '參' => '参',
        '與' => '与',
        '協' => '协',
        '辦' => '办',
        '時' => '时',
        '關' => '关',
        '門' => '门',
        '間' => '间',
        '權' => '权',
        '級' => '级',
        '構' => '构',
        '處' => '处',
        '｜' => '|',
        '，' => '，',
        ',' => '，',
        ';' => '；',
        ':' => '：',
        _ => c,
    }
}

/// The keyword-normalised form of `s` (same length in chars as `s`).
pub fn normalise(s: &str) -> String {
    s.chars().map(simplify).collect()
}

/// The keyword-normalised first `n` chars of `s`.
pub fn normalise_head(s: &str, n: usize) -> String {
    s.chars().take(n).map(simplify).collect()
}

/// The keyword-normalised last `n` chars of `s`.
fn normalise_tail(s: &str, n: usize) -> String {
    let skip = s.chars().count().saturating_sub(n);
    s.chars().skip(skip).map(simplify).collect()
}

/// Labels that introduce a list of owners (`责任单位：A、B`), longest first.
const LABELS: &[(&str, Role)] = &[
    ("牵头责任单位", Role::Lead),
    ("相关责任单位", Role::Support),
    ("配合责任单位", Role::Support),
    ("主要责任单位", Role::Lead),
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("主办单位", Role::Lead),
    ("责任单位", Role::Responsible),
    ("负责单位", Role::Responsible),
    ("责任部门", Role::Responsible),
    ("配合单位", Role::Support),
    ("配合部门", Role::Support),
    ("协办单位", Role::Support),
    ("参与单位", Role::Support),
];

/// Role words that follow a list of owners (`X牵头`), longest first.
const SUFFIXES: &[(&str, Role)] = &[
    ("牵头负责", Role::Lead),
    ("共同负责", Role::Responsible),
    ("具体负责", Role::Responsible),
    ("分别负责", Role::Responsible),
    ("牵头", Role::Lead),
    ("负责", Role::Responsible),
    ("配合", Role::Support),
    ("参与", Role::Support),
    ("协办", Role::Support),
    ("协助", Role::Support),
];

/// Labels of block lines that are not owners but belong to the task.
pub const DEADLINE_LABELS: &[&str] = &["完成时限", "完成时间", "时间节点", "时限"];

/// If `line` (normalised) starts with an owner label such as `牵头单位：`, its role and the
/// char length of the label including the colon.
pub fn owner_label(norm: &str) -> Option<(Role, usize)> {
    LABELS.iter().find_map(|(label, role)| {
        let rest = norm.strip_prefix(label)?;
        rest.starts_with('：')
            .then(|| (*role, label.chars().count() + 1))
    })
}

/// If `line` (normalised) starts with a deadline label (`完成时限：`), the char length of
/// the label including the colon.
pub fn deadline_label(norm: &str) -> Option<usize> {
    DEADLINE_LABELS.iter().find_map(|label| {
        let rest = norm.strip_prefix(label)?;
        rest.starts_with('：').then(|| label.chars().count() + 1)
    })
}

/// A cheap first test for [`is_owner_clause`]: every role word and label contains one
/// of these characters, so content without any of them is never an owner clause.
pub fn may_be_owner_clause(content: &[char]) -> bool {
    content.iter().any(|c| {
        matches!(
            c,
            '头' | '頭' | '责' | '責' | '负' | '負' | '配' | '参' | '參' | '协' | '協' | '主'
        )
    })
}

/// Whether bracket content reads as an owner clause (has a role word or owner label).
pub fn is_owner_clause(content: &str) -> bool {
    let norm = normalise(content);
    content.chars().count() <= 120
        && (SUFFIXES.iter().any(|(s, _)| norm.contains(s))
            || LABELS.iter().any(|(l, _)| norm.contains(l)))
}

/// One owner name with its role, before positions are assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// The role.
    pub role: Role,
}

/// What an owner clause says: the owners, and any parts that named nobody.
#[derive(Debug, Default, PartialEq)]
pub struct Clause {
    /// Owners in order.
    pub owners: Vec<Named>,
    /// Parts of the clause that carried no owner (e.g. a deadline `2010年底前完成`).
    pub leftovers: Vec<String>,
}

/// Parses the content of an owner clause (brackets removed).
pub fn parse_clause(content: &str) -> Clause {
    let mut clause = Clause::default();
    // Parts separated by `；` each have their own role (`牵头责任单位：X；相关责任单位：Y`).
    for part in split_keep(content, &['；', ';']) {
        // Labels sit at the start: normalising a few chars is enough.
        let norm = normalise_head(part, 8);
        if let Some((role, len)) = owner_label(&norm) {
            let rest: String = part.chars().skip(len).collect();
            // Within a labelled list both `、` and `，` separate names.
            let names: Vec<&str> = split_keep(&rest, &['、', '，', ',']);
            push_group(&mut clause.owners, &names, role);
            continue;
        }
        // Unlabelled: `X、Y牵头，Z配合`; names without a role word take the next role.
        let mut pending: Vec<String> = Vec::new();
        for seg in split_keep(part, &['，', ',']) {
            // Role words sit at the end (the longest is 4 chars).
            let norm = normalise_tail(seg, 4);
            let found = SUFFIXES.iter().find(|(s, _)| norm.ends_with(s));
            match found {
                Some((suffix, role)) => {
                    let keep = seg.chars().count() - suffix.chars().count();
                    let names_text: String = seg.chars().take(keep).collect();
                    let mut names: Vec<String> = std::mem::take(&mut pending);
                    names.extend(split_names(&names_text).into_iter().map(String::from));
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    push_group(&mut clause.owners, &refs, *role);
                }
                None if looks_like_names(seg) => {
                    pending.extend(split_names(seg).into_iter().map(String::from))
                }
                None => clause.leftovers.push(seg.trim().to_string()),
            }
        }
        clause.leftovers.extend(pending);
    }
    clause.leftovers.retain(|s| !s.is_empty());
    clause
}

/// Whether a segment without a role word is plausibly a list of departments rather than
/// a remark such as a deadline.
fn looks_like_names(seg: &str) -> bool {
    !seg.chars()
        .any(|c| c.is_ascii_digit() || c == '年' || c == '月')
}

/// Splits on any of `seps`, trimming pieces and dropping empty ones.
fn split_keep<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    s.split(|c| seps.contains(&c))
        .map(|p| p.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Characters that end a department name; `和` only splits names after one of these,
/// so that `省人力资源和社会保障厅` stays whole while `各相关部门和运营商` splits.
const ORG_ENDINGS: &[char] = &[
    '办', '厅', '局', '委', '部', '门', '司', '团', '心', '院', '会', '室', '处', '所', '站', '府',
    '行', '社', '位', '队', '馆', '台', '署', '市', '县', '区', '省', '商', '信', '动', '通',
];

/// Splits a list of names on `、`, `，` and (between whole names) `和`/`及`.
pub fn split_names(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in split_keep(s, &['、', '，', ',', '/']) {
        let mut rest = piece;
        loop {
            let split_at = rest.char_indices().find(|&(i, c)| {
                (c == '和' || c == '及')
                    && i > 0
                    && rest[..i]
                        .chars()
                        .last()
                        .is_some_and(|p| ORG_ENDINGS.contains(&p))
                    && rest[i + c.len_utf8()..].chars().count() >= 2
            });
            match split_at {
                Some((i, c)) => {
                    out.push(&rest[..i]);
                    rest = &rest[i + c.len_utf8()..];
                }
                None => {
                    out.push(rest);
                    break;
                }
            }
        }
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Administrative prefixes a name may drop when it follows another in the same group.
const PREFIXES: &[&str] = &["福建省", "福建", "省", "市", "县", "区", "国家"];

/// Names that are collective (`各设区市`, `有关部门`) and never inherit a prefix.
fn is_collective(name: &str) -> bool {
    ["各", "有关", "相关", "其他", "其它"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Adds one group of names sharing a role, restoring dropped prefixes and trimming
/// `等有关部门` tails.
fn push_group(out: &mut Vec<Named>, names: &[&str], role: Role) {
    let mut group_prefix: Option<&str> = None;
    for (i, raw) in names.iter().enumerate() {
        let mut name = clean_name(raw);
        if name.is_empty() {
            continue;
        }
        if i == 0 {
            group_prefix = PREFIXES
                .iter()
                .copied()
                .find(|p| name.starts_with(p) && name.chars().count() > p.chars().count() + 1);
        } else if let Some(prefix) = group_prefix {
            let has_own_place = PREFIXES.iter().any(|p| name.starts_with(p))
                || name
                    .chars()
                    .take(4)
                    .any(|c| matches!(c, '省' | '市' | '县' | '区'));
            if !has_own_place && !is_collective(&name) {
                name = format!("{prefix}{name}");
            }
        }
        out.push(Named { name, role });
    }
}

/// Trims punctuation and the `等有关部门` tail of a name (`X等有关部门` → `X`).
fn clean_name(raw: &str) -> String {
    let mut name = raw
        .trim_matches(|c: char| c.is_whitespace() || "\u{3000}。.；;：:“”\"'".contains(c))
        .to_string();
    for tail in [
        "等有关部门",
        "等相关部门",
        "等有关单位",
        "等相关单位",
        "等部门",
        "等单位",
    ] {
        if let Some(head) = name.strip_suffix(tail) {
            if !head.is_empty() {
                name = head.to_string();
            }
            break;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(content: &str) -> Vec<(String, &'static str)> {
        parse_clause(content)
            .owners
            .into_iter()
            .map(|n| (n.name, n.role.as_str()))
            .collect()
    }

    fn o(name: &str, role: &'static str) -> (String, &'static str) {
        (name.to_string(), role)
    }

    #[test]
    fn lead_and_support() {
        assert_eq!(
            owners("省数字办牵头，省经济信息中心配合"),
            vec![o("省数字办", "lead"), o("省经济信息中心", "support")]
        );
    }

    #[test]
    fn lead_responsible_is_lead() {
        assert_eq!(
            owners("省人力资源和社会保障厅牵头负责"),
            vec![o("省人力资源和社会保障厅", "lead")]
        );
    }

    #[test]
    fn prefix_inherited_but_not_onto_collective_names() {
        assert_eq!(
            owners("省效能办、审改办、数字办牵头，省经济信息中心等有关部门配合"),
            vec![
                o("省效能办", "lead"),
                o("省审改办", "lead"),
                o("省数字办", "lead"),
                o("省经济信息中心", "support"),
            ]
        );
        assert_eq!(
            owners("省广电集团、各设区市负责"),
            vec![o("省广电集团", "responsible"), o("各设区市", "responsible")]
        );
        assert_eq!(
            owners("宁德市、省移动公司负责"),
            vec![o("宁德市", "responsible"), o("省移动公司", "responsible")]
        );
    }

    #[test]
    fn and_splits_only_between_whole_names() {
        assert_eq!(
            owners("各相关部门和运营商负责"),
            vec![o("各相关部门", "responsible"), o("运营商", "responsible")]
        );
    }

    #[test]
    fn labelled_lists() {
        assert_eq!(
            owners("责任单位：省发改委、省财政厅，省数字办"),
            vec![
                o("省发改委", "responsible"),
                o("省财政厅", "responsible"),
                o("省数字办", "responsible"),
            ]
        );
        assert_eq!(
            owners("牵头责任单位：省工信厅；相关责任单位：省通信管理局"),
            vec![o("省工信厅", "lead"), o("省通信管理局", "support")]
        );
    }

    #[test]
    fn traditional_keywords() {
        assert_eq!(
            owners("省數字辦牽頭，省經濟信息中心配合"),
            vec![o("省數字辦", "lead"), o("省經濟信息中心", "support")]
        );
        assert!(is_owner_clause("責任單位：省財政廳"));
    }

    #[test]
    fn not_owner_clauses() {
        assert!(!is_owner_clause("市、区"));
        assert!(!is_owner_clause("二期"));
        assert!(is_owner_clause("省旅游局负责"));
    }

    #[test]
    fn deadline_leftover() {
        let c = parse_clause("省数字办负责，2010年底前完成");
        assert_eq!(c.owners.len(), 1);
        assert_eq!(c.leftovers, vec!["2010年底前完成".to_string()]);
    }
}
