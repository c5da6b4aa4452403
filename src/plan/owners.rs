//! Owner clauses: `(省数字办牵头，省经济信息中心配合)`, `(责任单位：A、B)`, block lines such
//! as `牵头单位：X`, and the names inside them.
//!
//! A clause is cut into segments at `，`, `；`, `。` and spaces outside brackets. A segment
//! that starts with a label (`牵头单位：`, or an unknown `数据提供单位：`) opens a group whose
//! names take the label's role; elsewhere a role phrase at the end of a segment
//! (`X、Y按职责分工负责`) gives its role to the names before it. Names are then split on `、`
//! (never inside brackets) and on `和`/`及`/`与` between whole unit names, and a dropped
//! prefix (`省效能办、审改办` → `省审改办`) is restored only for true abbreviations.

use super::gazetteer;
use super::{Basis, Role};
use crate::error::Code;

/// Maps traditional characters used in owner keywords to simplified ones, so that
/// `牽頭`, `責任單位`, `按職責分工負責` are recognised. Names themselves are never rewritten.
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
        '職' => '职',
        '別' => '别',
        '實' => '实',
        '際' => '际',
        '結' => '结',
        '組' => '组',
        '織' => '织',
        '據' => '据',
        '為' | '爲' => '为',
        '務' => '务',
        '區' => '区',
        '縣' => '县',
        '會' => '会',
        '齊' => '齐',
        '經' => '经',
        '濟' => '济',
        '｜' => '|',
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '﹕' => '：',
        '︰' => '：',
        _ => c,
    }
}

/// The keyword-normalised form of `s` (same length in chars as `s`).
pub fn normalise(s: &str) -> String {
    s.chars().map(simplify).collect()
}

/// [`normalise`] without allocating when `s` has nothing to rewrite (most names and
/// clauses are already simplified).
fn normalise_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| simplify(c) != c) {
        std::borrow::Cow::Owned(normalise(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The keyword-normalised first `n` chars of `s`.
pub fn normalise_head(s: &str, n: usize) -> String {
    s.chars().take(n).map(simplify).collect()
}

/// Labels that introduce a list of owners (`责任单位：A、B`), longest first.
const LABELS: &[(&str, Role)] = &[
    ("牵头责任单位", Role::Lead),
    ("相关责任单位", Role::Support),
    ("配合责任单位", Role::Support),
    ("协同责任单位", Role::Support),
    ("主要责任单位", Role::Lead),
    ("责任牵头单位", Role::Lead),
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("主办单位", Role::Lead),
    ("主责单位", Role::Lead),
    ("责任单位", Role::Responsible),
    ("负责单位", Role::Responsible),
    ("责任部门", Role::Responsible),
    ("实施单位", Role::Responsible),
    ("配合单位", Role::Support),
    ("配合部门", Role::Support),
    ("协办单位", Role::Support),
    ("协同单位", Role::Support),
    ("参与单位", Role::Support),
    ("支持单位", Role::Support),
];

/// Labels whose list carries no role word of its own: a plain list under one of these
/// is read by the genre's convention (first unit leads).
const PLAIN_LABELS: &[&str] = &["责任单位", "负责单位", "责任部门", "实施单位"];

/// Role phrases that end a segment of owners (`X牵头`, `X、Y按职责分工负责`), longest
/// first. Every phrase is matched on the keyword-normalised text.
const SUFFIXES: &[(&str, Role)] = &[
    ("根据职责分工负责", Role::Responsible),
    ("按职责分工负责", Role::Responsible),
    ("按职责分工落实", Role::Responsible),
    ("按照职责分工负责", Role::Responsible),
    ("按职能分工负责", Role::Responsible),
    ("结合实际落实", Role::Responsible),
    ("按职责负责", Role::Responsible),
    ("牵头负责", Role::Lead),
    ("牵头落实", Role::Lead),
    ("共同牵头", Role::Lead),
    ("分别牵头", Role::Lead),
    ("共同负责", Role::Responsible),
    ("具体负责", Role::Responsible),
    ("分别负责", Role::Responsible),
    ("负责落实", Role::Responsible),
    ("抓好落实", Role::Responsible),
    ("组织实施", Role::Responsible),
    ("配合落实", Role::Support),
    ("协同配合", Role::Support),
    ("参与配合", Role::Support),
    ("牵头", Role::Lead),
    ("负责", Role::Responsible),
    ("配合", Role::Support),
    ("参与", Role::Support),
    ("协办", Role::Support),
    ("协助", Role::Support),
    ("协同", Role::Support),
    ("支持", Role::Support),
];

/// Role words strong enough to mark bracket content as an owner clause wherever they stand
/// (`(省旅游局负责)`); the weaker phrases of [`SUFFIXES`] (`支持`, `协同`, `落实`) must end
/// a segment to count.
const STRONG_WORDS: &[&str] = &["牵头", "负责", "配合", "参与", "协办", "协助"];

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

/// If `norm` starts with a label the extractor does not know but that names units
/// (`数据提供单位：`, `督办单位：`), the char length of the label including the colon.
pub fn unknown_label(norm: &str) -> Option<usize> {
    let colon = norm.chars().position(|c| c == '：')?;
    let label: String = norm.chars().take(colon).collect();
    let n = label.chars().count();
    // `各有关单位：`, `市直各单位：` address a notice; they are not labels.
    let addressee = is_collective(&label)
        || ["省直", "市直", "县直", "区直", "州直"]
            .iter()
            .any(|p| label.starts_with(p));
    ((3..=8).contains(&n)
        && (label.ends_with("单位") || label.ends_with("部门"))
        && label.chars().all(is_cjk)
        && !addressee)
        .then_some(colon + 1)
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
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
            '头' | '頭'
                | '责'
                | '責'
                | '负'
                | '負'
                | '配'
                | '参'
                | '參'
                | '协'
                | '協'
                | '主'
                | '支'
                | '落'
                | '單'
                | '单'
        )
    })
}

/// Whether bracket content reads as an owner clause: a label anywhere, a strong role word
/// anywhere, or a role phrase ending one of its segments.
///
/// The answers for recent contents are kept per thread, as [`parse_clause_raw`] keeps its
/// readings: a plan brackets the same clause on item after item, and reading one
/// (normalising it, searching every label and role word) cost ≈ 1,100 instructions, ≈ 3% of
/// a 10k-task export.
pub fn is_owner_clause(content: &str) -> bool {
    thread_local! {
        static MEMO: Memo<bool> = Memo::default();
    }
    memoised(&MEMO, content, is_owner_clause_uncached)
}

/// A thread's answers for recent clause contents (see [`memoised`]).
type Memo<V> = std::cell::RefCell<std::collections::HashMap<Box<str>, V>>;

/// `read(content)`, or the answer `memo` (this thread's) keeps for `content`. Contents
/// longer than 512 bytes are rare and read each time; the memo starts again after 2,048
/// entries, which bounds its memory. The content alone decides the answer.
fn memoised<V: Clone>(
    memo: &'static std::thread::LocalKey<Memo<V>>,
    content: &str,
    read: impl FnOnce(&str) -> V,
) -> V {
    const MAX_KEY: usize = 512;
    const MAX_ENTRIES: usize = 2048;
    if content.len() > MAX_KEY {
        return read(content);
    }
    if let Some(known) = memo.with(|m| m.borrow().get(content).cloned()) {
        return known;
    }
    let answer = read(content);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(content.into(), answer.clone());
    });
    answer
}

/// [`is_owner_clause`] itself, without the memo.
fn is_owner_clause_uncached(content: &str) -> bool {
    if content.chars().count() > 160 {
        return false;
    }
    let norm = normalise_cow(content);
    let labelled = || {
        LABELS.iter().any(|(l, _)| {
            norm.match_indices(l)
                .any(|(at, _)| norm[at + l.len()..].starts_with('：'))
        })
    };
    if STRONG_WORDS.iter().any(|w| norm.contains(w)) || labelled() {
        return true;
    }
    split_segments_at(&norm).iter().any(|s| {
        let seg = norm[s.bytes.0..s.bytes.1].trim_matches(is_space);
        role_suffix(seg).is_some() || unknown_label(seg).is_some()
    })
}

/// One owner name with its role, before positions are assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// The role.
    pub role: Role,
    /// Why it has that role.
    pub basis: Basis,
    /// The label it was listed under, if any (`责任单位`, `数据提供单位`).
    pub label: Option<String>,
}

/// What an owner clause says: the owners, and any parts that named nobody.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Clause {
    /// Owners in order.
    pub owners: Vec<Named>,
    /// Parts of the clause that carried no owner (e.g. a deadline `2010年底前完成`).
    pub leftovers: Vec<String>,
    /// Things worth a warning, as (code, message): unknown labels
    /// (`planq::plan::owner_label`), names that still look wrong (`planq::plan::owner_name`).
    pub notes: Vec<(Code, String)>,
    /// Whether the clause ends with `下同`: its owners also own the following items.
    pub carries: bool,
}

/// Parses the content of an owner clause (brackets removed). A plain list
/// (`责任单位：A、B，C`) is read by the genre's convention: see [`apply_convention`].
pub fn parse_clause(content: &str) -> Clause {
    let mut clause = parse_clause_raw(content);
    apply_convention(&mut clause.owners, false);
    clause
}

/// Parses a clause without applying the plain-list convention, so that a task whose
/// owners stand on several block lines can apply it once over all of them.
///
/// A plan names the same few units over and over (`(省数字办牵头，省经济信息中心配合)` on
/// item after item), and reading a clause — segments, labels, role phrases, names,
/// prefixes, the gazetteer — costs far more than looking it up: the answers for recent
/// clauses are kept per thread (the clause alone decides its reading).
pub fn parse_clause_raw(content: &str) -> Clause {
    thread_local! {
        static MEMO: Memo<Clause> = Memo::default();
    }
    memoised(&MEMO, content, parse_clause_uncached)
}

/// [`parse_clause_raw`] itself, without the memo.
fn parse_clause_uncached(content: &str) -> Clause {
    let mut clause = Clause::default();
    let mut content = content.trim();
    // `…，下同`: these owners also own the following items.
    for tail in ["，下同", ",下同", "；下同", "。下同", "下同"] {
        if let Some(head) = content.strip_suffix(tail) {
            clause.carries = true;
            content = head.trim_end();
            break;
        }
    }
    let norm = normalise_cow(content);
    // The current labelled group: (role, label as written).
    let mut group: Option<(Role, String)> = None;
    let mut pending: Vec<String> = Vec::new();
    // Normalising keeps char positions; when it changed nothing (the common case) the
    // byte ranges of the normalised text are those of the original too.
    let orig: Option<Vec<char>> =
        matches!(norm, std::borrow::Cow::Owned(_)).then(|| content.chars().collect());
    for s in split_segments_at(&norm) {
        let owned: String;
        let seg: &str = match &orig {
            None => &content[s.bytes.0..s.bytes.1],
            Some(chars) => {
                owned = chars[s.chars.0..s.chars.1].iter().collect();
                &owned
            }
        };
        let seg = seg.trim_matches(is_space);
        let seg_norm = norm[s.bytes.0..s.bytes.1].trim_matches(is_space);
        // Remarks that name nobody here: `以下任务均需X落实` (read by the extractor as a
        // statement reaching later items), `不再一一列出`, `其中…`.
        if ["以下", "不再", "其中", "注："]
            .iter()
            .any(|w| seg_norm.starts_with(w))
        {
            clause.leftovers.push(seg.to_string());
            continue;
        }
        // A deadline inside the clause: `完成时限：2023年12月`.
        if let Some(len) = deadline_label(seg_norm) {
            clause.leftovers.push(skip_chars(seg, len).to_string());
            group = None;
            continue;
        }
        let (names_text, names_norm) = if let Some((role, len)) = owner_label(seg_norm) {
            let label = take_chars(seg, len - 1).to_string();
            group = Some((role, label));
            (skip_chars(seg, len), skip_chars(seg_norm, len))
        } else if let Some(len) = unknown_label(seg_norm) {
            let label = take_chars(seg, len - 1).to_string();
            clause.notes.push((
                Code::PlanOwnerLabel,
                format!("unknown owner label `{label}`: its units are listed with role support"),
            ));
            group = Some((Role::Support, label));
            (skip_chars(seg, len), skip_chars(seg_norm, len))
        } else {
            (seg, seg_norm)
        };
        if names_text.trim().is_empty() {
            continue;
        }
        let suffix = role_suffix(names_norm);
        let names_text: &str = match suffix {
            Some((len, _)) => take_chars(names_text, names_text.chars().count() - len),
            None => names_text,
        };
        match (&group, suffix) {
            (Some((label_role, label)), found) => {
                // A role word after a label either repeats it (`牵头单位：X牵头`, stripped) or
                // states the role itself (`责任单位：X牵头，Y配合`); a plain list without one
                // is read by the convention.
                let plain = PLAIN_LABELS.contains(&normalise_cow(label).as_ref());
                let (role, basis) = match found {
                    Some((_, r)) => (r, Basis::Stated),
                    None if plain => (*label_role, Basis::Convention),
                    None => (*label_role, Basis::Stated),
                };
                if !looks_like_names(names_text) && found.is_none() {
                    clause.leftovers.push(names_text.trim().to_string());
                    continue;
                }
                let names = split_names(names_text);
                push_group(&mut clause, &names, role, basis, Some(label.clone()));
            }
            (None, Some((_, role))) => {
                let mut names: Vec<String> = std::mem::take(&mut pending);
                names.extend(split_names(names_text).into_iter().map(String::from));
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                push_group(&mut clause, &refs, role, Basis::Stated, None);
            }
            (None, None) if looks_like_names(names_text) => {
                pending.extend(split_names(names_text).into_iter().map(String::from))
            }
            (None, None) => clause.leftovers.push(names_text.trim().to_string()),
        }
    }
    clause.leftovers.extend(pending);
    clause.leftovers.retain(|s| !s.is_empty());
    for n in &clause.owners {
        if let Some(why) = suspicious(&n.name) {
            clause.notes.push((
                Code::PlanOwnerName,
                format!("owner name `{}` looks wrong: {why}", n.name),
            ));
        }
    }
    clause
}

/// Applies the genre's convention to a task's owners: when no unit is stated to lead and
/// the owners include a plain list (`责任单位：A、B，C`), its first unit leads and the rest
/// are responsible. `stated_by_notice` is set when the document itself states the rule
/// (`排在第一位的为牵头单位`): the first unit's basis is then `stated`.
pub fn apply_convention(owners: &mut [Named], stated_by_notice: bool) {
    if owners
        .iter()
        .any(|n| n.role == Role::Lead && n.basis != Basis::Convention)
    {
        // Someone is stated to lead: a plain list beside it is simply responsible.
        for n in owners.iter_mut().filter(|n| n.basis == Basis::Convention) {
            n.basis = Basis::Stated;
        }
        return;
    }
    let mut first = true;
    for n in owners.iter_mut().filter(|n| n.basis == Basis::Convention) {
        if first {
            n.role = Role::Lead;
            if stated_by_notice {
                n.basis = Basis::Stated;
            }
            first = false;
        } else {
            n.role = Role::Responsible;
        }
    }
}

/// Whether a document states the convention that the first listed unit leads
/// (`排在第一位的为牵头单位`, `排名第一的为牵头单位`, `排在首位的为牵头部门`).
pub fn states_first_leads(text: &str) -> bool {
    // `第一`/`首位` are rarer than the role words: find them first, then read the sentence.
    // memchr's substring search, not `match_indices`: this reads the whole text beside the
    // classification of lines, which waited for it (with std's search, 160 ms for both on
    // a 176 MB plan; 135 ms now).
    ["第一", "首位"].iter().any(|w| {
        memchr::memmem::find_iter(text.as_bytes(), w.as_bytes()).any(|at| {
            // The sentence around it, at most 40 chars either side.
            let is_end = |c: char| matches!(c, '。' | '；' | '\n' | '（' | '(' | '）' | ')');
            let from = text[..at]
                .char_indices()
                .rev()
                .take(40)
                .take_while(|&(_, c)| !is_end(c))
                .last()
                .map_or(at, |(i, _)| i);
            let to = text[at..]
                .char_indices()
                .take(40)
                .take_while(|&(_, c)| !is_end(c))
                .last()
                .map_or(at, |(i, c)| at + i + c.len_utf8());
            let n = normalise(&text[from..to]);
            n.contains("牵头") && (n.contains('排') || n.contains('列'))
        })
    })
}

/// The role phrase ending `norm` (keyword-normalised), as (char length, role).
fn role_suffix(norm: &str) -> Option<(usize, Role)> {
    // Bytes, then chars only for the match: a longer byte string ending with the phrase
    // has more chars than it (this runs for every segment of every clause).
    SUFFIXES.iter().find_map(|(s, role)| {
        (norm.len() > s.len() && norm.ends_with(s)).then(|| (s.chars().count(), *role))
    })
}

/// Whether a segment without a role word is plausibly a list of departments rather than
/// a remark such as a deadline.
fn looks_like_names(seg: &str) -> bool {
    !seg.chars()
        .any(|c| c.is_ascii_digit() || c == '年' || c == '月')
}

/// Splits normalised clause text into segments at `，`, `；`, `。` outside brackets, and at
/// a space that a label follows (`牵头单位：A 配合单位：B`): (segment, (start, end) in chars).
fn split_segments_at(norm: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    // (byte, char) where the current segment starts.
    let mut start = (0usize, 0usize);
    for (ci, (bi, c)) in norm.char_indices().enumerate() {
        match c {
            '(' | '（' | '〔' | '[' | '【' => depth += 1,
            ')' | '）' | '〕' | ']' | '】' => depth = (depth - 1).max(0),
            '，' | '；' | '。' | ' ' | '\u{3000}' if depth == 0 => {
                let rest = &norm[bi + c.len_utf8()..];
                if is_space(c) && !label_follows_str(rest) {
                    continue;
                }
                out.push(Segment {
                    bytes: (start.0, bi),
                    chars: (start.1, ci),
                });
                start = (bi + c.len_utf8(), ci + 1);
            }
            _ => {}
        }
    }
    out.push(Segment {
        bytes: (start.0, norm.len()),
        chars: (start.1, start.1 + norm[start.0..].chars().count()),
    });
    out.retain(|s| !norm[s.bytes.0..s.bytes.1].trim_matches(is_space).is_empty());
    out
}

/// A segment of a clause: its byte range in the normalised text and its char range
/// (which is also its range in the original text).
struct Segment {
    bytes: (usize, usize),
    chars: (usize, usize),
}

/// `s` without its first `n` chars.
fn skip_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or("", |(i, _)| &s[i..])
}

/// The first `n` chars of `s`.
fn take_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn label_follows_str(rest: &str) -> bool {
    let head = take_chars(rest, 9);
    owner_label(head).is_some() || unknown_label(head).is_some()
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// Splits on `seps` outside brackets, trimming pieces and dropping empty ones.
fn split_outside_brackets<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '（' | '〔' | '[' => depth += 1,
            ')' | '）' | '〕' | ']' => depth = (depth - 1).max(0),
            _ if depth == 0 && seps.contains(&c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter()
        .map(|p| p.trim_matches(is_space))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Characters that end a department name; `和`/`及`/`与` only split names after one of
/// these, so that `省人力资源和社会保障厅` and `工业和信息化厅` stay whole while
/// `市财政局和市税务局` and `各相关部门和运营商` split.
const ORG_ENDINGS: &[char] = &[
    '办', '厅', '局', '委', '部', '门', '司', '团', '心', '院', '会', '室', '处', '所', '站', '府',
    '行', '社', '位', '队', '馆', '台', '署', '市', '县', '区', '省', '商', '信', '动', '通', '關',
    '辦', '廳', '門', '會', '處', '校', '学', '盟', '旗', '州', '镇', '乡', '街',
];

/// Splits a list of names on `、`, `，` and `/` (never inside brackets) and, between whole
/// names, on `和`/`及`/`与`.
pub fn split_names(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in split_outside_brackets(s, &['、', '，', ',', '/', '／']) {
        let mut rest = piece;
        loop {
            let split_at = rest.char_indices().find(|&(i, c)| {
                matches!(c, '和' | '及' | '与' | '與')
                    && i > 0
                    && rest[..i]
                        .chars()
                        .last()
                        .is_some_and(|p| ORG_ENDINGS.contains(&p))
                    && rest[..i].chars().count() >= 2
                    && rest[i + c.len_utf8()..].chars().count() >= 2
                    && !rest[i + c.len_utf8()..].starts_with("其他")
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
const PREFIXES: &[&str] = &["福建省", "福建", "省", "市", "县", "区", "州", "国家"];

/// Names that are collective (`各设区市`, `有关部门`, `省直有关单位`) and never inherit a
/// prefix.
pub fn is_collective(name: &str) -> bool {
    ["各", "有关", "相关", "其他", "其它"]
        .iter()
        .any(|p| name.starts_with(p))
        || collective_stem(name).is_some()
}

/// `省直有关单位` → `省直有关`: the part of a qualified collective before its final
/// `单位`/`部门`, so that a bare `单位` after it (`市直有关部门、单位`) continues it.
fn collective_stem(name: &str) -> Option<&str> {
    let stem = name
        .strip_suffix("单位")
        .or_else(|| name.strip_suffix("部门"))
        .or_else(|| name.strip_suffix("單位"))
        .or_else(|| name.strip_suffix("部門"))?;
    (stem.ends_with("有关")
        || stem.ends_with("相关")
        || stem.ends_with("有關")
        || stem.ends_with("相關"))
    .then_some(stem)
}

/// Name endings of organisations that are bodies of their own, not departments of the
/// government whose prefix a list may drop.
const ORG_TAILS: &[&str] = &[
    "大学",
    "学院",
    "集团",
    "公司",
    "银行",
    "分行",
    "支行",
    "医院",
    "研究院",
    "研究所",
    "协会",
    "学会",
    "中心",
    "大學",
    "學院",
    "集團",
    "銀行",
    "醫院",
    "協會",
    "海关",
    "海關",
    "运营商",
];

/// Whether `name` already says whose it is: a place or government level anywhere in it,
/// a body of a place, or an organisation of its own. Such a name never inherits the
/// group's prefix.
fn is_qualified(name: &str) -> bool {
    // Names repeat from clause to clause: remember the answer (per thread, bounded).
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, bool>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = MEMO.with(|m| m.borrow().get(name).copied()) {
        return known;
    }
    let answer = qualified_uncached(name);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(name.to_string(), answer);
    });
    answer
}

/// [`is_qualified`] without the memo.
fn qualified_uncached(name: &str) -> bool {
    // `国家安全厅`, `国家保密局` of a province: a 厅 is never national, so `国家…厅` is
    // the province's and takes its prefix.
    if name.starts_with("国家") && name.ends_with('厅') {
        return false;
    }
    const LEVELS: &[&str] = &[
        "省",
        "县",
        "州",
        "国家",
        "中国",
        "中共",
        "国务院",
        "中央",
        "全国",
        "自治区",
        "新区",
        "实验区",
        "开发区",
        "高新区",
        "示范区",
        "管委会",
        "人民政府",
        "縣",
        "國家",
    ];
    PREFIXES
        .iter()
        .any(|p| name.starts_with(p) && !name.starts_with("市场") && !name.starts_with("区块"))
        || LEVELS.iter().any(|l| name.contains(l))
        || name
            .match_indices('市')
            .any(|(i, _)| !name[i..].starts_with("市场"))
        || ORG_TAILS.iter().any(|t| name.ends_with(t))
        || gazetteer::is_place(name)
        || gazetteer::contains_place(name)
}

/// Bare place names followed by `<place><suffix>` share the suffix:
/// `广州、深圳、珠海海关` → `广州海关`, `深圳海关`, `珠海海关`.
fn share_suffixes(names: &mut [String]) {
    let mut i = 0;
    while i < names.len() {
        if !gazetteer::is_place(&names[i]) {
            i += 1;
            continue;
        }
        // A run of bare places, then the name that carries the suffix.
        let mut j = i;
        while j < names.len() && gazetteer::is_place(&names[j]) {
            j += 1;
        }
        if j < names.len() {
            let last = names[j].clone();
            if let Some(len) = gazetteer::place_prefix_len(&last) {
                let suffix: String = last.chars().skip(len).collect();
                if suffix.chars().count() >= 2 && !is_collective(&suffix) {
                    for n in &mut names[i..j] {
                        n.push_str(&suffix);
                    }
                }
            }
        }
        i = j + 1;
    }
}

/// Adds one group of names sharing a role: cleans them, splits collective tails, shares
/// suffixes, continues collectives and restores dropped prefixes of true abbreviations.
fn push_group(clause: &mut Clause, raw: &[&str], role: Role, basis: Basis, label: Option<String>) {
    let mut names: Vec<String> = Vec::new();
    for r in raw {
        let (name, collective) = clean_name(r);
        if !name.is_empty() {
            names.push(name);
        }
        if let Some(c) = collective {
            names.push(c);
        }
    }
    share_suffixes(&mut names);
    let mut group_prefix: Option<&str> = None;
    let mut last_collective: Option<String> = None;
    for (i, mut name) in names.into_iter().enumerate() {
        if matches!(name.as_str(), "单位" | "部门" | "單位" | "部門") {
            // `市直有关部门、单位`: the bare word continues the collective before it.
            match &last_collective {
                Some(stem) => name = format!("{stem}{name}"),
                None => {
                    clause.notes.push((
                        Code::PlanOwnerName,
                        format!("owner `{name}` names no unit of its own"),
                    ));
                }
            }
        }
        if i == 0 {
            group_prefix = PREFIXES
                .iter()
                .copied()
                .find(|p| name.starts_with(p) && name.chars().count() > p.chars().count() + 1)
                .filter(|_| !name.starts_with("市场") && !name.starts_with("区块"));
        } else if let Some(prefix) = group_prefix {
            if !is_qualified(&name) && !is_collective(&name) {
                name = format!("{prefix}{name}");
            }
        }
        last_collective = collective_stem(&name).map(str::to_string);
        clause.owners.push(Named {
            name,
            role,
            basis,
            label: label.clone(),
        });
    }
}

/// Trims punctuation and a trailing `等` from a name, and splits off a collective tail:
/// `X等省直有关单位` → (`X`, `省直有关单位`), `X等有关部门` → (`X`, `有关部门`) — the
/// text names both X and the other units concerned, so both are owners (issue 13). A
/// tail that names no collective (`X等部门`, `X等单位`) is dropped: X stands for the group.
fn clean_name(raw: &str) -> (String, Option<String>) {
    let mut name = raw
        .trim_matches(|c: char| is_space(c) || "。.；;：:“”\"'、，".contains(c))
        .to_string();
    let mut collective = None;
    for tail in ["等部门", "等单位"] {
        if let Some(head) = name.strip_suffix(tail) {
            if !head.is_empty() {
                name = head.to_string();
            }
            break;
        }
    }
    // `X等省直有关单位`, `X等市直相关部门`: both are owners.
    if let Some(at) = name.rfind('等') {
        let tail = &name[at + '等'.len_utf8()..];
        if tail.chars().count() >= 4 && is_collective(tail) && at > 0 {
            collective = Some(tail.to_string());
            name.truncate(at);
        }
    }
    while let Some(head) = name.strip_suffix('等') {
        name = head.trim_end().to_string();
    }
    (name, collective)
}

/// Why an owner name still looks wrong, if it does: too long, punctuation, a label or a
/// role word inside.
fn suspicious(name: &str) -> Option<&'static str> {
    if name.chars().count() > 20 {
        return Some("longer than 20 characters");
    }
    if name.chars().any(|c| {
        matches!(
            c,
            '，' | '。'
                | '；'
                | '：'
                | ':'
                | ';'
                | ','
                | '.'
                | '!'
                | '?'
                | '！'
                | '？'
                | '“'
                | '”'
                | '"'
                | '《'
                | '》'
        )
    }) {
        return Some("it contains punctuation");
    }
    // Every label has 单 or 门, every role word 头, 责 or 配: most names have none of them.
    if !name
        .chars()
        .any(|c| matches!(simplify(c), '单' | '门' | '头' | '责' | '配'))
    {
        return None;
    }
    let norm = normalise_cow(name);
    if LABELS.iter().any(|(l, _)| norm.contains(l)) {
        return Some("it contains an owner label");
    }
    if ["牵头", "负责", "配合"].iter().any(|w| norm.contains(w)) {
        return Some("it contains a role word");
    }
    None
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
                o("有关部门", "support"),
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
                o("省发改委", "lead"),
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

    fn full(content: &str) -> Vec<(String, &'static str, &'static str, Option<String>)> {
        parse_clause(content)
            .owners
            .into_iter()
            .map(|n| (n.name, n.role.as_str(), n.basis.as_str(), n.label))
            .collect()
    }

    fn names(content: &str) -> Vec<String> {
        parse_clause(content)
            .owners
            .into_iter()
            .map(|n| n.name)
            .collect()
    }

    #[test]
    fn no_prefix_for_places_organisations_qualified_and_collectives() {
        assert_eq!(
            names("省发改委、平潭综合实验区管委会、福州大学、广州海关负责"),
            vec!["省发改委", "平潭综合实验区管委会", "福州大学", "广州海关"]
        );
        assert_eq!(
            names("省工信厅、中国人民银行福建省分行、兴业银行、省电子信息集团负责"),
            vec![
                "省工信厅",
                "中国人民银行福建省分行",
                "兴业银行",
                "省电子信息集团"
            ]
        );
        assert_eq!(
            names("省财政厅、各设区市人民政府、有关高校、相关企业负责"),
            vec!["省财政厅", "各设区市人民政府", "有关高校", "相关企业"]
        );
        // Abbreviations still inherit; `市场监管局` is not qualified by its `市`.
        assert_eq!(
            names("省发改委、工信厅、市场监管局牵头"),
            vec!["省发改委", "省工信厅", "省市场监管局"]
        );
        assert_eq!(
            names("省公安厅、国家安全厅、国家保密局配合"),
            vec!["省公安厅", "省国家安全厅", "国家保密局"]
        );
        assert_eq!(
            names("市委网信办、市直有关部门、单位负责"),
            vec!["市委网信办", "市直有关部门", "市直有关单位"]
        );
    }

    #[test]
    fn collective_tails_split_off() {
        assert_eq!(
            names("省数字办等省直有关单位负责"),
            vec!["省数字办", "省直有关单位"]
        );
        assert_eq!(
            names("市工信局等市直有关部门配合"),
            vec!["市工信局", "市直有关部门"]
        );
        // A bare collective tail is an owner too: X and the units concerned.
        assert_eq!(
            names("省经济信息中心等有关部门配合"),
            vec!["省经济信息中心", "有关部门"]
        );
        assert_eq!(
            names("市数据局等相关单位负责"),
            vec!["市数据局", "相关单位"]
        );
        // A tail that names no collective is dropped.
        assert_eq!(names("市数据局等部门负责"), vec!["市数据局"]);
        assert_eq!(names("各运营商等配合"), vec!["各运营商"]);
    }

    #[test]
    fn shared_suffixes() {
        assert_eq!(
            names("广州、深圳、珠海海关负责"),
            vec!["广州海关", "深圳海关", "珠海海关"]
        );
        // Places that are owners themselves are left alone.
        assert_eq!(names("福州、厦门负责"), vec!["福州", "厦门"]);
    }

    #[test]
    fn role_phrases_at_the_end_of_segments() {
        assert_eq!(
            full("省发改委、省财政厅按职责分工负责"),
            vec![
                ("省发改委".into(), "responsible", "stated", None),
                ("省财政厅".into(), "responsible", "stated", None),
            ]
        );
        assert_eq!(
            names("各设区市人民政府结合实际落实"),
            vec!["各设区市人民政府"]
        );
        assert_eq!(
            owners("省科技厅参与，省财政厅支持，省统计局协同"),
            vec![
                o("省科技厅", "support"),
                o("省财政厅", "support"),
                o("省统计局", "support")
            ]
        );
        assert_eq!(
            owners("省發改委、省財政廳按職責分工負責"),
            vec![o("省發改委", "responsible"), o("省財政廳", "responsible")]
        );
        assert_eq!(
            owners("市數據局分別負責"),
            vec![o("市數據局", "responsible")]
        );
        assert!(is_owner_clause("各县区结合实际落实"));
        assert!(!is_owner_clause("支持企业上云"));
    }

    #[test]
    fn labels_wherever_they_stand() {
        assert_eq!(
            full("牵头单位：省工信厅、省通信管理局，责任单位：省政府有关部门"),
            vec![
                ("省工信厅".into(), "lead", "stated", Some("牵头单位".into())),
                (
                    "省通信管理局".into(),
                    "lead",
                    "stated",
                    Some("牵头单位".into())
                ),
                (
                    "省政府有关部门".into(),
                    "responsible",
                    "stated",
                    Some("责任单位".into())
                ),
            ]
        );
        assert_eq!(
            owners("牵头单位：市数据局 配合单位：市财政局"),
            vec![o("市数据局", "lead"), o("市财政局", "support")]
        );
        // A role word repeated after its label is stripped.
        assert_eq!(
            owners("牵头单位：省通信管理局牵头"),
            vec![o("省通信管理局", "lead")]
        );
    }

    #[test]
    fn plain_list_convention() {
        assert_eq!(
            full("责任单位：省发改委、省财政厅，省数字办"),
            vec![
                (
                    "省发改委".into(),
                    "lead",
                    "convention",
                    Some("责任单位".into())
                ),
                (
                    "省财政厅".into(),
                    "responsible",
                    "convention",
                    Some("责任单位".into())
                ),
                (
                    "省数字办".into(),
                    "responsible",
                    "convention",
                    Some("责任单位".into())
                ),
            ]
        );
        let mut raw = parse_clause_raw("责任单位：市数据局、市财政局").owners;
        apply_convention(&mut raw, true);
        assert_eq!(
            raw.iter()
                .map(|n| (n.role.as_str(), n.basis.as_str()))
                .collect::<Vec<_>>(),
            vec![("lead", "stated"), ("responsible", "convention")]
        );
        assert!(states_first_leads(
            "各责任单位中排在第一位的为牵头单位，其他为配合单位。"
        ));
        assert!(states_first_leads("（排名第一的為牽頭單位）"));
        assert!(!states_first_leads("省数字办牵头。第一批试点"));
    }

    #[test]
    fn brackets_and_conjunctions() {
        assert_eq!(names("各区（县、市）政府负责"), vec!["各区（县、市）政府"]);
        assert_eq!(
            names("市财政局和市税务局负责"),
            vec!["市财政局", "市税务局"]
        );
        assert_eq!(
            names("州委编办及州直相关单位负责"),
            vec!["州委编办", "州直相关单位"]
        );
        assert_eq!(
            names("省工业和信息化厅与省人力资源和社会保障厅负责"),
            vec!["省工业和信息化厅", "省人力资源和社会保障厅"]
        );
    }

    #[test]
    fn deadlines_and_unknown_labels() {
        let c = parse_clause("责任单位：市数据局；完成时限：2023年12月");
        assert_eq!(c.leftovers, vec!["2023年12月".to_string()]);
        let c = parse_clause("市数据局负责，6月底前完成");
        assert_eq!(c.owners.len(), 1);
        assert_eq!(c.leftovers, vec!["6月底前完成".to_string()]);
        let c = parse_clause("牵头单位：市数据局；数据提供单位：市公安局、市民政局");
        assert_eq!(
            c.owners
                .iter()
                .map(|n| (n.name.as_str(), n.role.as_str(), n.label.as_deref()))
                .collect::<Vec<_>>(),
            vec![
                ("市数据局", "lead", Some("牵头单位")),
                ("市公安局", "support", Some("数据提供单位")),
                ("市民政局", "support", Some("数据提供单位")),
            ]
        );
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(is_owner_clause("督办单位：市政府办公室"));
    }

    #[test]
    fn carried_and_suspicious() {
        let c = parse_clause("市数据局牵头，各区政府负责，下同");
        assert!(c.carries);
        assert_eq!(c.owners.len(), 2);
        let c = parse_clause("福建省数字福建建设领导小组办公室数据资源管理处负责");
        assert_eq!(c.owners.len(), 1);
        assert!(
            c.notes.iter().any(|(_, n)| n.contains("longer than 20")),
            "{:?}",
            c.notes
        );
    }
}
