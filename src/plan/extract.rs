//! Plan document → [`Plan`]: headings, tasks, owners, deadlines and targets.
//!
//! The document is read line by line. Each line is a heading or item (by its numbering:
//! `一、`, `(一)`/`（一）`, `1.`/`1、`/`1．`, `(1)`, or an unnumbered short section line as in
//! the seed), an owner/deadline block line (`牵头单位：…`, `完成时限：…`), or text that
//! continues whatever came before it. Numbering styles rank from `一、` down to `(1)`, so
//! depth may vary by section; the leaves of the outline are the tasks, and a top-level
//! section without items is itself a task. Every line ends up in the preamble, a heading or
//! a task; anything placed by guesswork is reported as a [`Warning`].

use rayon::prelude::*;

use super::numbers::{chinese_digit, parse_chinese};
use super::owners::{self, deadline_label, normalise_head, owner_label, parse_clause, Named};
use super::targets::find_targets;
use super::{Category, Date, Owner, Plan, Role, Target, Task, Warning};

/// Options for [`extract`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractOptions {}

/// Numbering styles, from the top of the outline down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// An unnumbered short line directly followed by numbered items (the seed's sections).
    Unnumbered = 0,
    /// `一、`
    ChineseComma = 1,
    /// `(一)` / `（一）`
    ParenChinese = 2,
    /// `1.` / `1、` / `1．`
    Arabic = 3,
    /// `(1)` / `（1）`
    ParenArabic = 4,
    /// `①`
    Circled = 5,
}

/// How a line reads.
#[derive(Debug, Clone, PartialEq)]
enum LineKind<'a> {
    Blank,
    /// A numbered (or section) line: its rank, written number, and the text after the marker.
    Numbered {
        rank: Rank,
        number: Option<u32>,
        body: &'a str,
    },
    /// `牵头单位：…` and friends.
    OwnerBlock,
    /// `完成时限：…`
    DeadlineBlock,
    Text,
}

/// A node of the outline: a heading or a task.
#[derive(Debug)]
struct Node<'a> {
    rank: Rank,
    number: Option<u32>,
    line: u32,
    body: &'a str,
    /// Continuation lines (1-based line, text).
    more: Vec<(u32, String)>,
    children: Vec<usize>,
    parent: Option<usize>,
}

/// Extracts a plan from a document's text. Never panics; never fails — an empty result
/// (no tasks) is for the caller to report, as it knows the file name.
pub fn extract(text: &str, _options: ExtractOptions) -> Plan {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut kinds: Vec<LineKind> = lines.iter().map(|l| classify(clean(l))).collect();
    let mut plan = Plan::default();

    // The first non-blank line is the title when it reads like one.
    let first = kinds.iter().position(|k| *k != LineKind::Blank);
    let mut title_line = None;
    if let Some(i) = first {
        let l = clean(lines[i]);
        if kinds[i] == LineKind::Text && is_heading_like(l) {
            plan.title = Some(l.to_string());
            title_line = Some(i);
        }
    }

    // Unnumbered section lines, only when the document has no `一、` headings of its own.
    let has_chinese_sections = kinds
        .iter()
        .any(|k| matches!(k, LineKind::Numbered { rank, .. } if *rank == Rank::ChineseComma));
    if !has_chinese_sections {
        for i in 0..kinds.len() {
            if kinds[i] != LineKind::Text || Some(i) == title_line {
                continue;
            }
            let next = kinds[i + 1..].iter().find(|k| **k != LineKind::Blank);
            let l = clean(lines[i]);
            if is_heading_like(l) && matches!(next, Some(LineKind::Numbered { .. })) {
                kinds[i] = LineKind::Numbered {
                    rank: Rank::Unnumbered,
                    number: None,
                    body: l,
                };
            }
        }
    }

    // Build the outline.
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut preamble: Vec<&str> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let line_no = (i + 1) as u32;
        let l = clean(lines[i]);
        match kind {
            LineKind::Blank => {}
            LineKind::Numbered { rank, number, body } => {
                while stack.last().is_some_and(|&top| nodes[top].rank >= *rank) {
                    stack.pop();
                }
                let id = nodes.len();
                let parent = stack.last().copied();
                nodes.push(Node {
                    rank: *rank,
                    number: *number,
                    line: line_no,
                    body,
                    more: Vec::new(),
                    children: Vec::new(),
                    parent,
                });
                match parent {
                    Some(p) => nodes[p].children.push(id),
                    None => roots.push(id),
                }
                stack.push(id);
            }
            LineKind::OwnerBlock | LineKind::DeadlineBlock | LineKind::Text => match stack.last() {
                Some(&top) => nodes[top].more.push((line_no, l.to_string())),
                None if Some(i) == title_line => {}
                None => preamble.push(l),
            },
        }
    }
    plan.preamble = preamble.join("\n");

    // Numbering that skips or repeats is worth a warning: items may be missing.
    check_numbering(&nodes, &roots, &mut plan.warnings);

    // Categories, and the leaves of the outline with their ids and headings, in order.
    let mut leaves: Vec<Leaf> = Vec::new();
    for (ri, &root) in roots.iter().enumerate() {
        let no = (ri + 1) as u32;
        let name = heading_name(nodes[root].body);
        plan.categories.push(Category {
            no,
            name: name.clone(),
            line: nodes[root].line,
        });
        collect_leaves(
            &nodes,
            root,
            &mut vec![no],
            &name,
            &mut Vec::new(),
            &mut leaves,
        );
    }
    // Tasks are independent once the outline is known: build them in parallel (large
    // documents), keeping document order for tasks and warnings alike.
    let built: Vec<(Task, Vec<Warning>)> = leaves
        .into_par_iter()
        .map_init(Scratch::default, |scratch, leaf| {
            let mut warnings = Vec::new();
            let task = build_task(
                &nodes[leaf.node],
                leaf.id,
                leaf.category,
                leaf.subcategory,
                &mut warnings,
                scratch,
            );
            (task, warnings)
        })
        .collect();
    for (task, warnings) in built {
        plan.tasks.push(task);
        plan.warnings.extend(warnings);
    }
    plan
}

/// Buffers reused from task to task (one set per worker thread): large plans would
/// otherwise spend much of their time allocating and faulting in fresh memory.
#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    masked: Vec<bool>,
}

/// A task-to-be: an outline leaf with its id, category and subcategory.
struct Leaf {
    node: usize,
    id: String,
    category: String,
    subcategory: Option<String>,
}

/// Walks the outline under `node`, collecting its leaves (the tasks) in order.
fn collect_leaves(
    nodes: &[Node],
    node: usize,
    path: &mut Vec<u32>,
    category: &str,
    headings: &mut Vec<String>,
    leaves: &mut Vec<Leaf>,
) {
    let n = &nodes[node];
    if n.children.is_empty() {
        let id = path
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".");
        leaves.push(Leaf {
            node,
            id,
            category: category.to_string(),
            subcategory: (!headings.is_empty()).then(|| headings.join(" / ")),
        });
        return;
    }
    let is_root = n.parent.is_none();
    if !is_root {
        headings.push(heading_name(n.body));
    }
    for (ci, &child) in n.children.iter().enumerate() {
        path.push((ci + 1) as u32);
        collect_leaves(nodes, child, path, category, headings, leaves);
        path.pop();
    }
    if !is_root {
        headings.pop();
    }
}

/// Builds one task from its outline node.
fn build_task(
    n: &Node,
    id: String,
    category: String,
    subcategory: Option<String>,
    warnings: &mut Vec<Warning>,
    scratch: &mut Scratch,
) -> Task {
    // The task's text as chars, with the char index where each of its lines starts, so
    // that targets and clauses can point at their own line.
    let mut text = n.body.to_string();
    let Scratch { chars, masked } = scratch;
    chars.clear();
    chars.extend(n.body.chars());
    let mut line_starts: Vec<(usize, u32)> = vec![(0, n.line)];
    let body_len = chars.len();
    let body_clauses = owner_clauses(chars);
    // Owner clauses never span lines: each line's clauses, offset into the whole text.
    let mut clauses: Vec<(usize, usize, String)> = Vec::new();
    let mut named: Vec<Named> = Vec::new();
    let mut deadline = None;
    let mut owner_clause_seen = !body_clauses.is_empty();
    // Chars that are not scanned for targets: block lines and (below) owner clauses.
    masked.clear();
    masked.resize(body_len, false);

    for (line, more) in &n.more {
        text.push('\n');
        chars.push('\n');
        masked.push(true);
        let offset = chars.len();
        line_starts.push((offset, *line));
        chars.extend(more.chars());
        let norm = label_head(more);
        let is_block = if let Some((role, len)) = owner_label(&norm) {
            let rest: String = chars[offset + len..].iter().collect();
            let parsed = parse_clause(&format!("{}：{rest}", label_for(role)));
            named.extend(parsed.owners);
            owner_clause_seen = true;
            true
        } else if let Some(len) = deadline_label(&norm) {
            let rest: String = chars[offset + len..].iter().collect();
            match parse_deadline(&rest) {
                Some(d) => deadline = Some(d),
                None => warnings.push(Warning {
                    code: "planq::plan::deadline".into(),
                    line: *line,
                    message: format!("task {id}: could not read the deadline `{}`", rest.trim()),
                }),
            }
            true
        } else {
            if owner_clause_seen {
                warnings.push(Warning {
                    code: "planq::plan::unplaced_text".into(),
                    line: *line,
                    message: format!(
                        "text after the owner clause of task {id} was attached to it: `{}`",
                        shorten(more, 30)
                    ),
                });
            }
            let found = owner_clauses(&chars[offset..]);
            owner_clause_seen |= !found.is_empty();
            clauses.extend(
                found
                    .into_iter()
                    .map(|(a, b, c)| (a + offset, b + offset, c)),
            );
            false
        };
        text.push_str(more);
        masked.resize(chars.len(), is_block);
    }
    let line_of = |at: usize| -> u32 {
        let k = line_starts.partition_point(|(start, _)| *start <= at);
        line_starts
            .get(k.saturating_sub(1))
            .map_or(n.line, |(_, l)| *l)
    };

    let title = task_title(&chars[..body_len], &body_clauses);
    let mut all_clauses = body_clauses;
    all_clauses.extend(clauses);
    let clauses = all_clauses;
    let mut inline: Vec<Named> = Vec::new();
    for (start, end, content) in &clauses {
        for m in masked.iter_mut().take(*end).skip(*start) {
            *m = true;
        }
        let parsed = parse_clause(content);
        if parsed.owners.is_empty() {
            warnings.push(Warning {
                code: "planq::plan::owner_clause".into(),
                line: line_of(*start),
                message: format!("task {id}: owner clause `({content})` names no department"),
            });
        }
        for left in &parsed.leftovers {
            if deadline.is_none() {
                deadline = parse_deadline(left);
            }
        }
        inline.extend(parsed.owners);
    }
    // Inline clauses come first in reading order, then block lines below the item.
    inline.extend(named);
    let owners = number_owners(inline);

    let targets = find_targets(chars, masked)
        .into_iter()
        .enumerate()
        .map(|(k, t)| Target {
            id: format!("{id}#{}", k + 1),
            metric: t.metric,
            value: t.value,
            unit: t.unit,
            qualifier: t.qualifier,
            text: t.text,
            line: line_of(t.at),
        })
        .collect();

    Task {
        title,
        id,
        category,
        subcategory,
        text,
        owners,
        deadline,
        line: n.line,
        targets,
    }
}

fn label_for(role: Role) -> &'static str {
    match role {
        Role::Lead => "牵头单位",
        Role::Support => "配合单位",
        Role::Responsible => "责任单位",
    }
}

/// Positions owners 1.., dropping exact (name, role) repeats within the task.
fn number_owners(named: Vec<Named>) -> Vec<Owner> {
    let mut out: Vec<Owner> = Vec::new();
    for n in named {
        if out.iter().any(|o| o.name == n.name && o.role == n.role) {
            continue;
        }
        out.push(Owner {
            position: out.len() as u32 + 1,
            name: n.name,
            role: n.role,
        });
    }
    out
}

/// Bracketed owner clauses in `chars`: (start, end) char range including brackets, content.
fn owner_clauses(chars: &[char]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_open(chars[i]) {
            i += 1;
            continue;
        }
        // Any bracket pair counts: documents mix `(`, `（`, `〔` and close them loosely.
        let mut depth = 0;
        let mut end = None;
        for (j, &c) in chars.iter().enumerate().skip(i) {
            if is_open(c) {
                depth += 1;
            } else if is_close(c) {
                depth -= 1;
                if depth == 0 {
                    end = Some(j);
                    break;
                }
            } else if c == '\n' {
                break;
            }
        }
        match end {
            Some(j) => {
                let inner = &chars[i + 1..j];
                let content: Option<String> = owners::may_be_owner_clause(inner)
                    .then(|| inner.iter().collect::<String>())
                    .filter(|c| owners::is_owner_clause(c));
                if let Some(content) = content {
                    out.push((i, j + 1, content));
                    i = j + 1;
                } else {
                    i += 1;
                }
            }
            None => i += 1,
        }
    }
    out
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '（' | '〔' | '【')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | '）' | '〕' | '】')
}

fn has_owner_clause(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    !owner_clauses(&chars).is_empty()
}

/// The lead phrase of an item: up to its first `。`, owner clauses removed.
fn task_title(chars: &[char], clauses: &[(usize, usize, String)]) -> String {
    let mut kept = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((_, end, _)) = clauses.iter().find(|(s, _, _)| *s == i) {
            i = *end;
            continue;
        }
        if chars[i] == '。' {
            break;
        }
        kept.push(chars[i]);
        i += 1;
    }
    kept.trim_end_matches(|c: char| "，,；;：:。.、 \u{3000}".contains(c))
        .to_string()
}

/// A heading's name: its text up to the first `。` or `：`.
fn heading_name(body: &str) -> String {
    let end = body.find(['。', '：']).unwrap_or(body.len());
    body[..end].trim().to_string()
}

/// `2025年12月底`, `2025年6月30日`, `2025年底`, `2025年6月`, `2025年上半年`, `2025-06-30`.
pub fn parse_deadline(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Some(d) = Date::parse_iso(s.get(..10.min(s.len())).unwrap_or(s)) {
        return Some(d);
    }
    let chars: Vec<char> = s.chars().collect();
    let (year, rest) = leading_number(&chars)?;
    if chars.get(rest) != Some(&'年') || !(1900..=2200).contains(&year) {
        return None;
    }
    let year = year as i32;
    let tail: String = chars[rest + 1..].iter().collect();
    if tail.starts_with("上半年") {
        return Date::new(year, 6, 30);
    }
    if tail.is_empty()
        || tail.starts_with('底')
        || tail.starts_with("年底")
        || tail.starts_with("前")
        || tail.starts_with("内")
    {
        return Date::new(year, 12, 31);
    }
    let tchars: Vec<char> = tail.chars().collect();
    let (month, mrest) = leading_number(&tchars)?;
    if tchars.get(mrest) != Some(&'月') {
        return None;
    }
    let after: Vec<char> = tchars[mrest + 1..].to_vec();
    if let Some((day, drest)) = leading_number(&after) {
        if matches!(after.get(drest), Some('日' | '号')) {
            return Date::new(year, month, day);
        }
    }
    Date::end_of_month(year, month)
}

/// An Arabic or Chinese number at the start of `chars`, and where it ends.
fn leading_number(chars: &[char]) -> Option<(u32, usize)> {
    let mut j = 0;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    if j > 0 {
        let s: String = chars[..j].iter().collect();
        return s.parse().ok().map(|v| (v, j));
    }
    while j < chars.len() && (chinese_digit(chars[j]).is_some() || chars[j] == '十') {
        j += 1;
    }
    let s: String = chars[..j].iter().collect();
    let v = parse_chinese(&s)?;
    (v <= f64::from(u32::MAX)).then_some((v as u32, j))
}

/// The keyword-normalised start of a line: enough for every block label (`牵头责任单位：`),
/// without normalising (and allocating) the whole line.
fn label_head(line: &str) -> String {
    normalise_head(line, 8)
}

/// Trims whitespace (full-width included) and a trailing `\r`.
fn clean(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
}

/// Short, without sentence punctuation at the end, and not an owner clause.
fn is_heading_like(l: &str) -> bool {
    let n = l.chars().count();
    (2..=40).contains(&n)
        && !l.ends_with(['。', '；', '：', ':', ';', '，', ',', '！', '？', '、'])
        && !has_owner_clause(l)
}

/// Classifies one cleaned line.
fn classify(l: &str) -> LineKind<'_> {
    if l.is_empty() {
        return LineKind::Blank;
    }
    let norm = label_head(l);
    if owner_label(&norm).is_some() {
        return LineKind::OwnerBlock;
    }
    if deadline_label(&norm).is_some() {
        return LineKind::DeadlineBlock;
    }
    match numbering(l) {
        Some((rank, number, body)) => LineKind::Numbered {
            rank,
            number,
            body: body.trim_start(),
        },
        None => LineKind::Text,
    }
}

/// Recognises a numbering marker at the start of a line.
fn numbering(l: &str) -> Option<(Rank, Option<u32>, &str)> {
    let chars: Vec<(usize, char)> = l.char_indices().collect();
    let first = chars.first()?.1;
    // `(一)` / `（一）` / `(1)` / `（1）`
    if first == '(' || first == '（' {
        let inner_end = chars.iter().position(|&(_, c)| c == ')' || c == '）')?;
        if !(2..=5).contains(&inner_end) {
            return None;
        }
        let inner: String = chars[1..inner_end].iter().map(|&(_, c)| c).collect();
        let rest_at = chars.get(inner_end + 1).map_or(l.len(), |&(b, _)| b);
        let body = &l[rest_at..];
        if body.trim().is_empty() {
            return None;
        }
        if inner.chars().all(|c| c.is_ascii_digit()) {
            return Some((Rank::ParenArabic, inner.parse().ok(), body));
        }
        if inner
            .chars()
            .all(|c| chinese_digit(c).is_some() || c == '十')
        {
            return Some((
                Rank::ParenChinese,
                parse_chinese(&inner).map(|v| v as u32),
                body,
            ));
        }
        return None;
    }
    // `①`…`⑳`
    if ('①'..='⑳').contains(&first) {
        let n = first as u32 - '①' as u32 + 1;
        return Some((Rank::Circled, Some(n), &l[first.len_utf8()..]));
    }
    // `一、` / `1.` / `1、` / `1．`
    let digits = chars
        .iter()
        .take_while(|&&(_, c)| c.is_ascii_digit())
        .count();
    if digits > 0 && digits <= 3 {
        let (b, sep) = *chars.get(digits)?;
        let next = chars.get(digits + 1).map(|&(_, c)| c);
        if matches!(sep, '.' | '、' | '．') && !next.is_some_and(|c| c.is_ascii_digit()) {
            let body = &l[b + sep.len_utf8()..];
            if !body.trim().is_empty() {
                return Some((Rank::Arabic, l[..b].parse().ok(), body));
            }
        }
        return None;
    }
    let cn = chars
        .iter()
        .take_while(|&&(_, c)| chinese_digit(c).is_some() || c == '十')
        .count();
    if cn > 0 && cn <= 3 {
        let (b, sep) = *chars.get(cn)?;
        if sep == '、' {
            let body = &l[b + sep.len_utf8()..];
            if !body.trim().is_empty() {
                return Some((
                    Rank::ChineseComma,
                    parse_chinese(&l[..b]).map(|v| v as u32),
                    body,
                ));
            }
        }
    }
    None
}

fn check_numbering(nodes: &[Node], roots: &[usize], warnings: &mut Vec<Warning>) {
    let mut check = |siblings: &[usize]| {
        let mut expected = 1;
        for &s in siblings {
            let n = &nodes[s];
            if let Some(num) = n.number {
                if num != expected {
                    warnings.push(Warning {
                        code: "planq::plan::numbering".into(),
                        line: n.line,
                        message: format!(
                            "item numbered {num} where {expected} was expected: an item may be missing or misplaced"
                        ),
                    });
                }
                expected = num + 1;
            } else {
                expected += 1;
            }
        }
    };
    check(roots);
    for n in nodes {
        if !n.children.is_empty() {
            check(&n.children);
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_markers() {
        assert_eq!(
            numbering("一、总体要求").map(|x| x.0),
            Some(Rank::ChineseComma)
        );
        assert_eq!(
            numbering("(一)开展").map(|x| (x.0, x.1)),
            Some((Rank::ParenChinese, Some(1)))
        );
        assert_eq!(numbering("（十二）开展").map(|x| x.1), Some(Some(12)));
        assert_eq!(numbering("3.开展").map(|x| x.0), Some(Rank::Arabic));
        assert_eq!(numbering("3、开展").map(|x| x.0), Some(Rank::Arabic));
        assert_eq!(numbering("3．开展").map(|x| x.0), Some(Rank::Arabic));
        assert_eq!(numbering("(2)开展").map(|x| x.0), Some(Rank::ParenArabic));
        assert_eq!(numbering("1.5万个基站"), None);
        assert_eq!(numbering("2010年是"), None);
        assert_eq!(numbering("(二期)工程"), None);
        assert_eq!(numbering("(一)"), None);
    }

    #[test]
    fn deadlines() {
        let d = |s| parse_deadline(s).map(|d: Date| d.to_string());
        assert_eq!(d("2025年12月底").as_deref(), Some("2025-12-31"));
        assert_eq!(d("2025年6月30日前").as_deref(), Some("2025-06-30"));
        assert_eq!(d("2010年底前完成").as_deref(), Some("2010-12-31"));
        assert_eq!(d("2025年2月").as_deref(), Some("2025-02-28"));
        assert_eq!(d("2025年上半年").as_deref(), Some("2025-06-30"));
        assert_eq!(d("2025-03-01").as_deref(), Some("2025-03-01"));
        assert_eq!(d("长期坚持"), None);
        assert_eq!(d("2025年13月"), None);
    }
}
