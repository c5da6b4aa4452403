//! Plan document → [`Plan`]: headings, tasks, owners, deadlines and targets.
//!
//! The document is read line by line. Each line is a heading or item (by its numbering:
//! `一、`, `(一)`/`（一）`, `1.`/`1、`/`1．`, `(1)`, or an unnumbered short section line as in
//! the seed), an owner/deadline block line (`牵头单位：…`, `完成时限：…`), or text that
//! continues whatever came before it. Numbering styles rank from `一、` down to `(1)`, so
//! depth may vary by section; the leaves of the outline are the tasks, and a top-level
//! section without items is itself a task. Every line ends up in the preamble, a heading or
//! a task; anything placed by guesswork is reported as a [`Warning`].

use crate::error::Code;
use rayon::prelude::*;

use super::date::{find_deadlines, latest, parse_deadline, plan_year, Deadline};
use super::nfkc;
use super::numbers::{chinese_digit, parse_chinese, parse_chinese_chars};
use super::owners::{
    self, apply_convention, deadline_label, normalise_head, owner_label, parse_clause,
    parse_clause_raw, unknown_label, Named,
};
use super::targets::{find_targets, with_source, Source};
use super::{Basis, Category, Owner, Plan, Role, Task, Warning};

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
    /// Page debris copied from a web page (`打印本页`, `640.webp.jpg`): skipped, warned.
    Debris,
    /// A section numeral on a line of its own (`二`, `二、`), its heading on the next line.
    BareNumeral(u32),
    Text,
}

/// A node of the outline: a heading or a task. Its continuation lines and children are
/// ranges of the [`Outline`]'s shared lists, not vectors of its own: a plan of a million
/// tasks held a million small vectors (and ~100 bytes a node) before.
#[derive(Debug)]
struct Node<'a> {
    rank: Rank,
    number: Option<u32>,
    line: u32,
    body: &'a str,
    /// Where its continuation lines start in [`Outline::more`] (they end where the next
    /// node's start: a line always continues the node read last).
    more: u32,
    /// Where its children start in [`Outline::children`], and how many there are.
    children: u32,
    child_count: u32,
    /// Its parent's index, or [`NO_PARENT`] for a top-level section.
    parent: u32,
}

/// [`Node::parent`] of a top-level section.
const NO_PARENT: u32 = u32::MAX;

/// The outline of a document: its nodes in document order, with their continuation lines
/// and children in two lists shared by all.
#[derive(Debug, Default)]
struct Outline<'a> {
    nodes: Vec<Node<'a>>,
    /// Continuation lines of every node (1-based line, cleaned text), node after node.
    more: Vec<(u32, &'a str)>,
    /// Children of every node, node after node, each node's in document order.
    children: Vec<usize>,
}

impl<'a> Outline<'a> {
    /// The continuation lines of node `i`.
    fn more(&self, i: usize) -> &[(u32, &'a str)] {
        let Some(start) = self.nodes.get(i).map(|n| n.more as usize) else {
            return &[];
        };
        let end = self
            .nodes
            .get(i + 1)
            .map_or(self.more.len(), |n| n.more as usize);
        self.more.get(start..end).unwrap_or_default()
    }

    /// The children of node `i`, in document order.
    fn children(&self, i: usize) -> &[usize] {
        let Some(n) = self.nodes.get(i) else {
            return &[];
        };
        let start = n.children as usize;
        self.children
            .get(start..start + n.child_count as usize)
            .unwrap_or_default()
    }

    /// The parent of node `i`, if it has one.
    fn parent(&self, i: usize) -> Option<usize> {
        self.nodes
            .get(i)
            .and_then(|n| (n.parent != NO_PARENT).then_some(n.parent as usize))
    }

    /// Fills [`Outline::children`] from the nodes' parents and child counts, once every
    /// node is read.
    fn link_children(&mut self) {
        // Each node's `children` first points past its range, then is moved back one
        // place per child, last child first: it ends at the range's start.
        let mut end = 0u32;
        for n in &mut self.nodes {
            end += n.child_count;
            n.children = end;
        }
        self.children = vec![0; end as usize];
        for i in (0..self.nodes.len()).rev() {
            let p = self.nodes[i].parent;
            if let Some(parent) = self.nodes.get_mut(p as usize) {
                parent.children -= 1;
                if let Some(slot) = self.children.get_mut(parent.children as usize) {
                    *slot = i;
                }
            }
        }
    }
}

/// Extracts a plan from a document's text. Never panics; never fails — an empty result
/// (no tasks) is for the caller to report, as it knows the file name.
pub fn extract(text: &str, options: ExtractOptions) -> Plan {
    every_task(|sink| extract_in_batches(text, options, usize::MAX, sink))
}

/// The plan a batched extraction `run` makes, holding every task it hands over.
pub(crate) fn every_task(run: impl FnOnce(&mut dyn FnMut(Vec<Task>)) -> Plan) -> Plan {
    let mut tasks: Vec<Task> = Vec::new();
    let mut plan = run(&mut |batch| {
        if tasks.is_empty() {
            tasks = batch;
        } else {
            tasks.extend(batch);
        }
    });
    plan.tasks = tasks;
    plan
}

/// [`extract`], handing the tasks to `sink` in document order, at most `batch` at a time,
/// each batch complete (its carried owners added); the plan returned has everything else
/// (title, preamble, categories, every warning) and no tasks. A caller that writes each
/// batch out and drops it holds the outline and one batch, never every task (`planq
/// export --out` of a plan of a million tasks).
pub fn extract_in_batches(
    text: &str,
    options: ExtractOptions,
    batch: usize,
    sink: &mut dyn FnMut(Vec<Task>),
) -> Plan {
    extract_finished(text, options, batch, &|task, _| task, sink)
}

/// [`extract_in_batches`], handing `sink` what `finish` makes of each task instead of the
/// task. `finish` gets the complete task (its carried owners added) and its category's
/// index in [`Plan::categories`]. It runs on rayon's pool: for most tasks on the thread
/// that has just built it, where its strings still are in the cache (a task without owners
/// of its own, or any task of a plan with a `以下…` statement, is finished after the
/// batch's carried owners are added). `planq export --out` formats each task's CSV rows
/// there, and the task is freed by the thread that made it.
pub fn extract_finished<R: Send>(
    text: &str,
    _options: ExtractOptions,
    batch: usize,
    finish: &(dyn Fn(Task, usize) -> R + Sync),
    sink: &mut dyn FnMut(Vec<R>),
) -> Plan {
    // Parsing reads the normalised text (fullwidth digits, compatibility forms: see
    // `nfkc`); a task's `text` and `title` are taken from the same char range of the
    // original lines, so they stay as written. `originals` is `None` when nothing changed.
    let normalised = nfkc::normalise_text(text);
    let lines: Vec<&str> = split_lines(&normalised);
    let originals: Option<Vec<&str>> =
        matches!(normalised, std::borrow::Cow::Owned(_)).then(|| text.split('\n').collect());
    let text: &str = &normalised;
    // Lines are classified independently, on rayon's pool (with the search for a notice
    // that states the lead convention): the rest of the outline is serial.
    let (kinds, notice) = rayon::join(
        || {
            lines
                .par_iter()
                .with_min_len(4096)
                .map(|l| classify(clean(l)))
                .collect::<Vec<LineKind>>()
        },
        || owners::states_first_leads(text),
    );
    let mut kinds = kinds;
    let mut plan = Plan::default();
    // Page debris is skipped before anything else reads the lines.
    for (i, kind) in kinds.iter_mut().enumerate() {
        if *kind == LineKind::Debris {
            plan.warnings.push(Warning {
                code: Code::PlanDebris,
                line: (i + 1) as u32,
                message: format!("page debris skipped: `{}`", shorten(clean(lines[i]), 30)),
            });
            *kind = LineKind::Blank;
        }
    }
    // A section numeral on a line of its own: joined to the heading on the next line when
    // that line reads as one, warned about either way.
    for i in 0..kinds.len() {
        let LineKind::BareNumeral(number) = kinds[i] else {
            continue;
        };
        kinds[i] = LineKind::Blank;
        let next = (i + 1..kinds.len()).find(|&j| kinds[j] != LineKind::Blank);
        let heading =
            next.filter(|&j| kinds[j] == LineKind::Text && is_heading_like(clean(lines[j])));
        let message = match heading {
            Some(j) => {
                kinds[j] = LineKind::Numbered {
                    rank: Rank::ChineseComma,
                    number: Some(number),
                    body: clean(lines[j]),
                };
                format!(
                    "section numeral `{}` stands on a line of its own: read as the number of the heading on line {}",
                    clean(lines[i]),
                    j + 1
                )
            }
            None => format!(
                "section numeral `{}` stands on a line of its own and no heading follows it: ignored",
                clean(lines[i])
            ),
        };
        plan.warnings.push(Warning {
            code: Code::PlanBareNumeral,
            line: (i + 1) as u32,
            message,
        });
    }

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

    if has_chinese_sections {
        recover_lost_numerals(&lines, &mut kinds, title_line, &mut plan.warnings);
    }
    keep_items_before_first_heading(&lines, &mut kinds, &mut plan.warnings);

    // Build the outline.
    // Sized at once (a node per numbered line): a plan of a million tasks would otherwise
    // hold up to twice its outline while the vector doubles.
    let numbered = kinds
        .iter()
        .filter(|k| matches!(k, LineKind::Numbered { .. }))
        .count();
    let mut outline = Outline {
        nodes: Vec::with_capacity(numbered),
        ..Outline::default()
    };
    let nodes = &mut outline.nodes;
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
                    more: outline.more.len() as u32,
                    children: 0,
                    child_count: 0,
                    parent: parent.map_or(NO_PARENT, |p| p as u32),
                });
                match parent {
                    Some(p) => nodes[p].child_count += 1,
                    None => roots.push(id),
                }
                stack.push(id);
            }
            LineKind::OwnerBlock | LineKind::DeadlineBlock | LineKind::Text => match stack.last() {
                // The top of the stack is the node read last: the line is its.
                Some(_) => outline.more.push((line_no, l)),
                None if Some(i) == title_line => {}
                None => {
                    if *kind == LineKind::OwnerBlock || has_owner_clause(l) {
                        plan.warnings.push(Warning {
                            code: Code::PlanUnplacedOwners,
                            line: line_no,
                            message: format!(
                                "an owner clause stands before the first heading and belongs to no task: `{}`",
                                shorten(l, 30)
                            ),
                        });
                    }
                    preamble.push(l)
                }
            },
            LineKind::Debris | LineKind::BareNumeral(_) => {}
        }
    }
    outline.link_children();
    plan.preamble = preamble.join("\n");
    let year = plan_year(plan.title.as_deref());

    // Numbering that skips or repeats is worth a warning: items may be missing. Checked
    // on the pool beside the walk of the outline, which reads it too (the two took 30 ms
    // of a 100k-task plan, one after the other).
    let ((), (categories, subcategories, leaves, id_parts)) = rayon::join(
        || check_numbering(&outline, &roots, &mut plan.warnings),
        || walk_outline(&outline, &roots),
    );
    plan.categories = categories;
    // Tasks are independent once the outline is known: build them in parallel (large
    // documents), keeping document order for tasks and warnings alike.
    let ctx = Context {
        notice,
        year,
        lines: &lines,
        originals: originals.as_deref(),
        outline: &outline,
    };
    // Most plans have no such statement: one search of the whole text, not one per line
    // (memchr's vectorised search: this runs on one thread before the first batch).
    let statements = if memchr::memmem::find(text.as_bytes(), "以下".as_bytes()).is_some() {
        carried_statements(&lines, &kinds)
    } else {
        Vec::new()
    };
    // Nothing reads the line kinds from here on: a batch may use their memory.
    drop(kinds);
    // `…，下同` reaches the following items of the same section until another clause:
    // carried from batch to batch.
    let mut carry: Option<(usize, Vec<Owner>)> = None;
    let batch = batch.max(1);
    // The pool's results, batch after batch in the same vector: a new one each batch was
    // fresh memory for the kernel to clear (≈ 75 KB a batch of 512 tasks).
    let mut built: Vec<(Built<R>, Vec<Warning>)> = Vec::new();
    let mut start = 0;
    while start < leaves.len() {
        let end = leaves.len().min(start.saturating_add(batch));
        let categories = &plan.categories;
        let subcategories = &subcategories;
        // Only a task without owners may be given the previous task's (`下同`), and a
        // `以下…` statement adds owners to every later task: those stay open until the
        // batch's carried owners are added; every other task is finished at once.
        let open_after_build = |task: &Task| task.owners.is_empty() || !statements.is_empty();
        leaves[start..end]
            .par_iter()
            .map_init(Scratch::default, |scratch, leaf| {
                let mut warnings = Vec::new();
                let (task, carries) = build_task(
                    leaf.node,
                    leaf_id(&outline, &id_parts, leaf.node),
                    categories[leaf.root].name.clone(),
                    leaf.subcategory.map(|k| subcategories[k].clone()),
                    &mut warnings,
                    scratch,
                    &ctx,
                );
                let root = leaf.root;
                let built = if open_after_build(&task) {
                    Built::Open {
                        task,
                        carries,
                        root,
                    }
                } else {
                    Built::Done {
                        carried: carries.then(|| (root, task.owners.clone())),
                        out: finish(task, root),
                    }
                };
                (built, warnings)
            })
            .collect_into_vec(&mut built);
        start = end;
        // Reserved at once: growing a vector of a million tasks by doubling copies it ~20
        // times.
        // Finished tasks in order; an open one's place is kept empty until it is finished.
        let mut outs: Vec<Option<R>> = Vec::with_capacity(built.len());
        let mut open: Vec<(usize, Task, usize)> = Vec::new();
        for (built, warnings) in built.drain(..) {
            plan.warnings.extend(warnings);
            let (mut task, carries, root) = match built {
                Built::Done { out, carried } => {
                    // A finished task has owners of its own: it ends any carry before it,
                    // and starts one when it says `下同`.
                    carry = carried;
                    outs.push(Some(out));
                    continue;
                }
                Built::Open {
                    task,
                    carries,
                    root,
                } => (task, carries, root),
            };
            if !task.owners.is_empty() {
                carry = carries.then(|| (root, task.owners.clone()));
            } else if let Some((carry_root, owners)) = &carry {
                if *carry_root == root {
                    add_carried(&mut task, owners.iter().map(|o| (o.name.clone(), o.role)));
                }
            }
            // `以下任务均需X落实`: every later item.
            for (line, named) in &statements {
                if task.line > *line {
                    add_carried(&mut task, named.iter().map(|n| (n.name.clone(), n.role)));
                }
            }
            open.push((outs.len(), task, root));
            outs.push(None);
        }
        if !open.is_empty() {
            let finished: Vec<(usize, R)> = open
                .into_par_iter()
                .map(|(k, task, root)| (k, finish(task, root)))
                .collect();
            for (k, out) in finished {
                if let Some(slot) = outs.get_mut(k) {
                    *slot = Some(out);
                }
            }
        }
        // Every place is filled; for tasks (`R = Task`, whose `Option` is no larger) this
        // reuses the vector.
        let outs: Vec<R> = outs.into_iter().flatten().collect();
        sink(outs);
    }
    drop(leaves);
    // Warnings in reading order (stable: several on one line keep the order found).
    plan.warnings.sort_by_key(|w| w.line);
    plan
}

/// A task as the pool hands it back: finished, or open until the batch's carried owners
/// are added (see [`extract_finished`]).
enum Built<R> {
    /// Finished; `carried` holds its owners (and category) when it says `下同`.
    Done {
        out: R,
        carried: Option<(usize, Vec<Owner>)>,
    },
    /// Still to be given carried owners, then finished.
    Open {
        task: Task,
        carries: bool,
        root: usize,
    },
}

/// `text.split('\n')`, collected; a large text a quarter megabyte at a time on rayon's pool (the
/// split took 8 ms of a 17 MB plan's export on one thread).
pub(super) fn split_lines(text: &str) -> Vec<&str> {
    let pieces = line_pieces(text);
    if let [one] = pieces[..] {
        return lines_of(one).collect();
    }
    let parts: Vec<Vec<&str>> = pieces
        .into_par_iter()
        .map(|piece| lines_of(piece).collect())
        .collect();
    let mut lines = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for p in parts {
        lines.extend(p);
    }
    lines
}

/// The lines of `text`, as `text.split('\n')` gives them (see [`split_at_byte`]):
/// `split('\n')` looked for each break a machine word at a time, and the text is split
/// twice before extraction starts (the hard-wrap check, then the lines) — 8.2M of a
/// 10k-task export's 359M instructions, both.
pub(super) fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    split_at_byte(text, b'\n')
}

/// `text.split(sep as char)` for an ASCII `sep`, each one found by memchr's vectorised
/// search (an ASCII byte is never inside another char of UTF-8, so every piece is a
/// `str`).
pub(super) fn split_at_byte(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut breaks = memchr::memchr_iter(sep, text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        match breaks.next() {
            Some(end) => {
                start = Some(end + 1);
                Some(text.get(from..end).unwrap_or_default())
            }
            None => {
                start = None;
                Some(text.get(from..).unwrap_or_default())
            }
        }
    })
}

/// `text` cut into pieces of whole lines, about a quarter megabyte each (one piece for a
/// text of up to half a megabyte): `piece.split('\n')` of each, one after the other, gives
/// the lines of `text.split('\n')`. For passes over every line that run on rayon's pool.
/// A quarter megabyte, not a megabyte: a 1.7 MB plan was then one piece, read on one thread
/// before extraction could start.
pub(super) fn line_pieces(text: &str) -> Vec<&str> {
    const PIECE: usize = 1 << 18;
    if text.len() <= 2 * PIECE {
        return vec![text];
    }
    // Each piece but the last ends just after a line break.
    let bytes = text.as_bytes();
    let mut cuts = vec![0];
    let mut at = PIECE;
    while at < text.len() {
        let Some(k) = memchr::memchr(b'\n', &bytes[at..]) else {
            break;
        };
        cuts.push(at + k + 1);
        at += k + 1 + PIECE;
    }
    cuts.push(text.len());
    let last = cuts.len() - 2;
    cuts.windows(2)
        .enumerate()
        .map(|(k, w)| {
            let piece = text.get(w[0]..w[1]).unwrap_or_default();
            // A piece's line break ends its last line; no empty line follows it.
            if k < last {
                piece.strip_suffix('\n').unwrap_or(piece)
            } else {
                piece
            }
        })
        .collect()
}

/// What every task needs to know about the whole document.
struct Context<'a> {
    /// The notice states that the first unit listed leads.
    notice: bool,
    /// The plan's year, from its title (`2023年…工作要点`), for deadlines written without
    /// one (`6月底前完成`).
    year: Option<i32>,
    /// The normalised lines, which the outline's slices point into.
    lines: &'a [&'a str],
    /// The lines as written, when normalising changed the text.
    originals: Option<&'a [&'a str]>,
    /// The outline, whose leaves are the tasks.
    outline: &'a Outline<'a>,
}

impl Context<'_> {
    /// `part` (a slice of the normalised line `line`) as written in the document: the same
    /// char range of the original line.
    fn as_written<'p>(&'p self, line: u32, part: &'p str) -> &'p str {
        let (Some(originals), Some(norm)) = (self.originals, self.lines.get(line as usize - 1))
        else {
            return part;
        };
        let offset = (part.as_ptr() as usize).wrapping_sub(norm.as_ptr() as usize);
        match (originals.get(line as usize - 1), norm.get(..offset)) {
            (Some(orig), Some(before)) if offset + part.len() <= norm.len() => {
                nfkc::char_slice(orig, before.chars().count(), part.chars().count())
            }
            _ => part,
        }
    }
}

/// A short heading-like line between numbered items, in a document with `一、` sections,
/// is a heading that lost its numeral when the structure says so: the section numbers
/// skip exactly one (`一、` … `三、`), or it is after the last section and the items after
/// it start again at 1. It is then read as that section, with a warning; a line that only
/// looks like a heading stays text of the item before it, with a warning.
fn recover_lost_numerals<'a>(
    lines: &[&'a str],
    kinds: &mut [LineKind<'a>],
    title_line: Option<usize>,
    warnings: &mut Vec<Warning>,
) {
    let sections: Vec<(usize, Option<u32>)> = kinds
        .iter()
        .enumerate()
        .filter_map(|(i, k)| match k {
            LineKind::Numbered {
                rank: Rank::ChineseComma,
                number,
                ..
            } => Some((i, *number)),
            _ => None,
        })
        .collect();
    for i in 0..kinds.len() {
        if kinds[i] != LineKind::Text || Some(i) == title_line {
            continue;
        }
        let l = clean(lines[i]);
        // A heading names a theme: no sentence stop, no `附：`-style label.
        if !is_heading_like(l) || l.chars().count() > 30 || l.contains(['。', '：', ':']) {
            continue;
        }
        let Some(j) = (i + 1..kinds.len()).find(|&j| kinds[j] != LineKind::Blank) else {
            continue;
        };
        let LineKind::Numbered {
            rank: item_rank,
            number: item_number,
            ..
        } = kinds[j]
        else {
            continue;
        };
        if item_rank <= Rank::ChineseComma {
            continue;
        }
        let k = sections.partition_point(|&(s, _)| s < i);
        let before = k.checked_sub(1).map(|k| sections[k]);
        let after = sections.get(k).copied();
        if before.is_none() && after.is_none_or(|(_, n)| n != Some(2)) {
            continue; // the preamble: no section yet, none missing
        }
        // The last item of the same rank since the section before: numbering restarts?
        let from = before.map_or(0, |(s, _)| s);
        let restart = item_number == Some(1)
            && kinds[from..i]
                .iter()
                .rev()
                .find_map(|k| match k {
                    LineKind::Numbered { rank, number, .. } if *rank == item_rank => Some(*number),
                    _ => None,
                })
                .is_some_and(|n| n.is_some_and(|n| n > 1));
        let recovered = match (before, after) {
            (None, Some(_)) => Some(1),
            (Some((_, Some(a))), Some((_, Some(b)))) if b == a + 2 => Some(a + 1),
            (Some((_, Some(a))), None) if restart => Some(a + 1),
            _ => None,
        };
        let message = match recovered {
            Some(number) => {
                kinds[i] = LineKind::Numbered {
                    rank: Rank::ChineseComma,
                    number: Some(number),
                    body: l,
                };
                format!(
                    "`{}` reads as the heading of section {number}, whose numeral is missing: read as section {number}",
                    shorten(l, 30)
                )
            }
            None => format!(
                "`{}` looks like a heading without its numeral, but the numbering does not say which: kept as text of the item before it",
                shorten(l, 30)
            ),
        };
        warnings.push(Warning {
            code: Code::PlanLostNumeral,
            line: (i + 1) as u32,
            message,
        });
    }
}

/// Items numbered below the document's top level that stand before its first heading
/// (`1.请各单位…` in the notice, then `一、总体要求`) are the notice's own points, not
/// tasks of the plan: they stay in the preamble, with a warning, instead of becoming
/// sections that would take the first heading's number.
fn keep_items_before_first_heading(
    lines: &[&str],
    kinds: &mut [LineKind],
    warnings: &mut Vec<Warning>,
) {
    let rank_of = |k: &LineKind| match k {
        LineKind::Numbered { rank, .. } => Some(*rank),
        _ => None,
    };
    let Some(top) = kinds.iter().filter_map(rank_of).min() else {
        return;
    };
    let Some(first) = kinds.iter().position(|k| rank_of(k) == Some(top)) else {
        return;
    };
    // Only when that heading starts the plan: a first heading numbered 2 or more means
    // an earlier one lost its numeral, and these items belong to it.
    if !matches!(
        kinds[first],
        LineKind::Numbered {
            number: None | Some(1),
            ..
        }
    ) {
        return;
    }
    let heading = clean(lines[first]);
    for i in 0..first {
        if rank_of(&kinds[i]).is_some() {
            kinds[i] = LineKind::Text;
            warnings.push(Warning {
                code: Code::PlanItemBeforeHeading,
                line: (i + 1) as u32,
                message: format!(
                    "numbered item `{}` stands before the first heading `{}`: kept in the preamble, not read as a task",
                    shorten(clean(lines[i]), 20),
                    shorten(heading, 20)
                ),
            });
        }
    }
}

/// Adds carried owners to a task, after its own, skipping (name, role) pairs it has.
fn add_carried(task: &mut Task, owners: impl Iterator<Item = (String, Role)>) {
    for (name, role) in owners {
        if task.owners.iter().any(|o| o.name == name && o.role == role) {
            continue;
        }
        task.owners.push(Owner {
            position: task.owners.len() as u32 + 1,
            name,
            role,
            basis: Basis::Carried,
            label: None,
        });
    }
}

/// Statements that give owners to every later item: `以下任务均需各区市政府落实，不再一一
/// 列出`, `以下各项任务均由X负责`. Returns (1-based line, owners).
fn carried_statements(lines: &[&str], kinds: &[LineKind]) -> Vec<(u32, Vec<Named>)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if kinds[i] == LineKind::Blank || !l.contains("以下") {
            continue;
        }
        let norm = owners::normalise(l);
        for (at, _) in norm.match_indices("以下") {
            let rest = &norm[at..];
            let Some(k) = ["均需", "均由", "均要", "都需", "均请"]
                .iter()
                .filter_map(|w| rest.find(w).map(|p| p + w.len()))
                .min()
            else {
                continue;
            };
            // Up to the end of the clause: `，` `。` `；`.
            let tail = &rest[k..];
            let end = tail.find(['，', '。', '；', ',']).unwrap_or(tail.len());
            let phrase = &tail[..end];
            if phrase.chars().count() > 40 {
                continue;
            }
            // Names in the original text: the same byte range (normalising keeps lengths
            // in chars, not always in bytes, so map through char counts).
            let from = norm[..at + k].chars().count();
            let len = phrase.chars().count();
            let mut original: String = l.chars().skip(from).take(len).collect();
            // `…落实` ends the statement where a clause would say `负责`.
            for verb in ["贯彻落实", "组织落实", "落实", "落實"] {
                if let Some(head) = original.strip_suffix(verb) {
                    original = format!("{head}负责");
                    break;
                }
            }
            let parsed = parse_clause(&original);
            if !parsed.owners.is_empty() {
                out.push(((i + 1) as u32, parsed.owners));
            }
        }
    }
    out
}

/// Buffers reused from task to task (one set per worker thread): large plans would
/// otherwise spend much of their time allocating and faulting in fresh memory.
#[derive(Default)]
struct Scratch {
    /// The task's normalised text as chars, what its scanners read.
    chars: Vec<char>,
    /// The same text as a string, and where each char starts in it (made from the chars'
    /// lengths, not by decoding the text again): a run of chars taken as a string is a
    /// slice of it (see [`super::targets::Source`]).
    text: String,
    starts: Vec<usize>,
    masked: Vec<bool>,
}

/// Appends `piece` to a task's scanned text: its bytes to `text`, its chars to `chars`
/// and where each of them starts in `text` to `starts`, in one pass. (Collected into
/// `chars`, then walked again for `starts`, it was 25M of a 10k-task export's 363M
/// instructions; so, 21M.)
fn push_piece(chars: &mut Vec<char>, starts: &mut Vec<usize>, text: &mut String, piece: &str) {
    let base = text.len();
    text.push_str(piece);
    // At most a char per byte: both are grown to that at once and written in place, then
    // cut to the chars there are (a `push` per char, each checking for room, cost about
    // 38 instructions a char).
    let (old_chars, old_starts) = (chars.len(), starts.len());
    chars.resize(old_chars + piece.len(), '\0');
    starts.resize(old_starts + piece.len(), 0);
    let slots = chars[old_chars..].iter_mut().zip(&mut starts[old_starts..]);
    let mut n = 0;
    for ((char_slot, start_slot), (at, c)) in slots.zip(piece.char_indices()) {
        *char_slot = c;
        *start_slot = base + at;
        n += 1;
    }
    chars.truncate(old_chars + n);
    starts.truncate(old_starts + n);
}

/// A task-to-be: an outline leaf, its top-level section (the category) and its
/// subcategory. Indexes, not copies: a plan of a million tasks holds a million leaves (its
/// id is written when its task is built, from the id parts of the node and its parents).
struct Leaf {
    node: usize,
    /// Index of the subcategory's text.
    subcategory: Option<usize>,
    /// Index of its top-level section (its category).
    root: usize,
}

/// The id component of each of `siblings`: its printed number (`(六)` → `6`), or its
/// ordinal where the level is unnumbered; a number printed twice gets `~2`, `~3`… so that
/// ids stay unique and stable.
fn id_components(nodes: &[Node], siblings: &[usize]) -> Vec<IdPart> {
    // A map, not a scan: a plan may have tens of thousands of sections.
    let mut seen: std::collections::HashMap<u32, u32> =
        std::collections::HashMap::with_capacity(siblings.len());
    siblings
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let number = nodes[s].number.unwrap_or((k + 1) as u32);
            let times = seen.entry(number).or_insert(0);
            *times += 1;
            IdPart {
                number,
                repeat: *times,
            }
        })
        .collect()
}

/// One component of a task id: a number, and which time it is printed at its level.
#[derive(Debug, Clone, Copy, Default)]
struct IdPart {
    number: u32,
    repeat: u32,
}

/// `2.6`, `2.6~2`: the id written from its parts (digits written directly: the
/// formatter, once per number of every task's id, was a tenth of the outline's walk).
fn id_string(path: &[IdPart]) -> String {
    let mut id = String::with_capacity(path.len() * 4);
    for (i, p) in path.iter().enumerate() {
        if i > 0 {
            id.push('.');
        }
        super::push_decimal(&mut id, u64::from(p.number));
        if p.repeat > 1 {
            id.push('~');
            super::push_decimal(&mut id, u64::from(p.repeat));
        }
    }
    id
}

/// The categories (the roots of the outline), the subcategories' texts, and the leaves
/// (the tasks-to-be) with their ids and headings, in document order.
fn walk_outline(
    outline: &Outline,
    roots: &[usize],
) -> (Vec<Category>, Vec<String>, Vec<Leaf>, Vec<IdPart>) {
    let nodes = &outline.nodes;
    let mut categories = Vec::with_capacity(roots.len());
    let mut id_parts = vec![IdPart::default(); nodes.len()];
    let mut leaves: Vec<Leaf> =
        Vec::with_capacity(nodes.iter().filter(|n| n.child_count == 0).count());
    // Subcategories, each joined once per heading (leaves hold its index, not a copy).
    let mut subcategories: Vec<String> = Vec::new();
    let root_ids = id_components(nodes, roots);
    for ((ri, &root), comp) in roots.iter().enumerate().zip(root_ids) {
        let no = nodes[root].number.unwrap_or((ri + 1) as u32);
        let name = heading_name(nodes[root].body);
        categories.push(Category {
            no,
            name,
            line: nodes[root].line,
        });
        if let Some(p) = id_parts.get_mut(root) {
            *p = comp;
        }
        let mut walk = Walk {
            outline,
            id_parts: &mut id_parts,
            headings: Vec::new(),
            subcategories: &mut subcategories,
            leaves: &mut leaves,
        };
        walk.collect(root, None, ri);
    }
    (categories, subcategories, leaves, id_parts)
}

/// The id of the task at outline node `node` (`2.6`, `2.6~2`): the id parts of the node
/// and of its parents up to its top-level section.
fn leaf_id(outline: &Outline, id_parts: &[IdPart], node: usize) -> String {
    let mut path: Vec<IdPart> = Vec::with_capacity(8);
    let mut at = Some(node);
    while let Some(n) = at {
        path.push(id_parts.get(n).copied().unwrap_or_default());
        at = outline.parent(n);
    }
    path.reverse();
    id_string(&path)
}

/// A walk of one top-level section's outline, collecting its leaves (the tasks) in order.
struct Walk<'w, 'a> {
    outline: &'w Outline<'a>,
    /// Each node's id part, set as the walk reaches it.
    id_parts: &'w mut Vec<IdPart>,
    /// Headings between the root and the node visited.
    headings: Vec<String>,
    subcategories: &'w mut Vec<String>,
    leaves: &'w mut Vec<Leaf>,
}

impl Walk<'_, '_> {
    /// Collects the leaves under `node`; `subcategory` is the index of its headings
    /// joined by ` / ` (none under the root).
    fn collect(&mut self, node: usize, subcategory: Option<usize>, root: usize) {
        let n = &self.outline.nodes[node];
        if n.child_count == 0 {
            self.leaves.push(Leaf {
                node,
                subcategory,
                root,
            });
            return;
        }
        let is_root = n.parent == NO_PARENT;
        let mut below = subcategory;
        if !is_root {
            self.headings.push(heading_name(n.body));
            self.subcategories.push(self.headings.join(" / "));
            below = Some(self.subcategories.len() - 1);
        }
        let children = self.outline.children(node);
        let comps = id_components(&self.outline.nodes, children);
        for (&child, comp) in children.iter().zip(comps) {
            if let Some(p) = self.id_parts.get_mut(child) {
                *p = comp;
            }
            self.collect(child, below, root);
        }
        if !is_root {
            self.headings.pop();
        }
    }
}

/// Builds one task from its outline node (`node`, an index into `ctx.outline`).
/// Returns the task and whether its owner clause reaches the following items (`下同`).
// Not inlined into the parallel loop, so that profiles show what a task costs.
#[inline(never)]
fn build_task(
    node: usize,
    id: String,
    category: String,
    subcategory: Option<String>,
    warnings: &mut Vec<Warning>,
    scratch: &mut Scratch,
    ctx: &Context,
) -> (Task, bool) {
    // `node` is a leaf of the outline (from `walk_outline`).
    let n = &ctx.outline.nodes[node];
    let more_lines = ctx.outline.more(node);
    // The task's text as chars, with the char index where each of its lines starts, so
    // that targets and clauses can point at their own line.
    // `text` is the item as written; everything else reads the normalised lines.
    let body_as_written = ctx.as_written(n.line, n.body);
    // Sized at once (a task with block lines would grow it line by line).
    let mut text = String::with_capacity(
        body_as_written.len() + more_lines.iter().map(|(_, m)| m.len() + 1).sum::<usize>(),
    );
    text.push_str(body_as_written);
    let Scratch {
        chars,
        text: normalised,
        starts,
        masked,
    } = scratch;
    chars.clear();
    normalised.clear();
    starts.clear();
    chars.reserve(n.body.len() + more_lines.iter().map(|(_, m)| m.len() + 1).sum::<usize>());
    push_piece(chars, starts, normalised, n.body);
    let mut line_starts: Vec<(usize, u32)> = vec![(0, n.line)];
    let body_len = chars.len();
    let src = Source::new(normalised, starts);
    let mut body_clauses = owner_clauses(chars, &src);
    // `推进……。责任单位：A、B` — a labelled list after the text, without brackets.
    if let Some(inline) = inline_labelled(chars, &src, 0) {
        body_clauses.retain(|(start, _, _)| *start < inline.0);
        body_clauses.push(inline);
    }
    // Owner clauses never span lines: each line's clauses, offset into the whole text.
    let mut clauses: Vec<(usize, usize, String)> = Vec::new();
    let mut named: Vec<Named> = Vec::new();
    // A `完成时限：` line states the deadline; without one, the text's phrases give it.
    let mut stated: Option<(Deadline, u32)> = None;
    let mut carries = false;
    let mut owner_clause_seen = !body_clauses.is_empty();
    // Chars that are not scanned for targets: block lines and (below) owner clauses.
    masked.clear();
    masked.resize(body_len, false);

    for (line, more) in more_lines {
        text.push('\n');
        push_piece(chars, starts, normalised, "\n");
        masked.push(true);
        let offset = chars.len();
        line_starts.push((offset, *line));
        push_piece(chars, starts, normalised, more);
        let src = Source::new(normalised, starts);
        let norm = if may_have_label(more) {
            label_head(more)
        } else {
            String::new()
        };
        let is_block = if owner_label(&norm).is_some() || unknown_label(&norm).is_some() {
            let parsed = parse_clause_raw(more);
            note_warnings(&parsed.notes, *line, &id, warnings);
            carries |= parsed.carries;
            named.extend(parsed.owners);
            owner_clause_seen = true;
            true
        } else if let Some(len) = deadline_label(&norm) {
            let rest = src.str(offset + len, chars.len());
            match parse_deadline(rest, ctx.year) {
                // The label's whole value is the phrase (`2023年9月底，视进度调整`).
                Some(d) => {
                    let text = rest.trim().to_string();
                    stated = Some((Deadline { text, ..d }, *line));
                }
                None => warnings.push(Warning {
                    code: Code::PlanDeadline,
                    line: *line,
                    message: format!("task {id}: could not read the deadline `{}`", rest.trim()),
                }),
            }
            true
        } else {
            if owner_clause_seen {
                warnings.push(Warning {
                    code: Code::PlanUnplacedText,
                    line: *line,
                    message: format!(
                        "text after the owner clause of task {id} was attached to it: `{}`",
                        shorten(more, 30)
                    ),
                });
            }
            let mut found = owner_clauses(&chars[offset..], &src.from(offset));
            if let Some(inline) = inline_labelled(&chars[offset..], &src.from(offset), 1) {
                found.retain(|(start, _, _)| *start < inline.0);
                found.push(inline);
            }
            owner_clause_seen |= !found.is_empty();
            clauses.extend(
                found
                    .into_iter()
                    .map(|(a, b, c)| (a + offset, b + offset, c)),
            );
            false
        };
        text.push_str(ctx.as_written(*line, more));
        masked.resize(chars.len(), is_block);
    }
    let line_of = |at: usize| -> u32 {
        let k = line_starts.partition_point(|(start, _)| *start <= at);
        line_starts
            .get(k.saturating_sub(1))
            .map_or(n.line, |(_, l)| *l)
    };

    // The title as written: the same chars of the original body (same count, see `nfkc`).
    let title = if std::ptr::eq(body_as_written, n.body) {
        task_title(&chars[..body_len], &chars[..body_len], &body_clauses)
    } else {
        let written: Vec<char> = body_as_written.chars().collect();
        task_title(&chars[..body_len], &written, &body_clauses)
    };
    let mut all_clauses = body_clauses;
    all_clauses.extend(clauses);
    let clauses = all_clauses;
    let mut inline: Vec<Named> = Vec::new();
    for (start, end, content) in &clauses {
        for m in masked.iter_mut().take(*end).skip(*start) {
            *m = true;
        }
        let parsed = parse_clause_raw(content);
        if parsed.owners.is_empty() {
            warnings.push(Warning {
                code: Code::PlanOwnerClause,
                line: line_of(*start),
                message: format!("task {id}: owner clause `({content})` names no department"),
            });
        }
        note_warnings(&parsed.notes, line_of(*start), &id, warnings);
        carries |= parsed.carries;
        inline.extend(parsed.owners);
    }
    // Inline clauses come first in reading order, then block lines below the item.
    inline.extend(named);
    // The convention is read over all of a task's clauses at once: a `牵头单位：` line
    // beside a `责任单位：` line means nobody leads by convention.
    apply_convention(&mut inline, ctx.notice);
    let owners = number_owners(inline);

    let found = match stated {
        Some(d) => Some(d),
        None => latest(find_deadlines(chars, ctx.year)).map(|d| {
            let line = line_of(d.at);
            (d, line)
        }),
    };
    if let Some((d, line)) = &found {
        if d.date.is_none() {
            warnings.push(Warning {
                code: Code::PlanDeadlineYear,
                line: *line,
                message: format!(
                    "task {id}: the deadline `{}` needs the plan's year, and the title names none; `deadline` left empty",
                    d.text
                ),
            });
        }
    }
    let (deadline, deadline_text) = match found {
        Some((d, _)) => (d.date, Some(d.text)),
        None => (None, None),
    };

    let targets = find_targets(chars, &Source::new(normalised, starts), masked)
        .into_iter()
        .enumerate()
        .map(|(k, t)| {
            let line = line_of(t.at);
            t.into_target(&id, k + 1, line)
        })
        .collect();

    let task = Task {
        title,
        id,
        category,
        subcategory,
        text,
        owners,
        deadline,
        deadline_text,
        line: n.line,
        targets,
    };
    (task, carries)
}

/// Turns a clause's notes into warnings at its line.
fn note_warnings(notes: &[(Code, String)], line: u32, id: &str, warnings: &mut Vec<Warning>) {
    for (code, message) in notes {
        warnings.push(Warning {
            code: *code,
            line,
            message: format!("task {id}: {message}"),
        });
    }
}

/// Positions owners 1.., dropping exact (name, role) repeats within the task.
pub(crate) fn number_owners(named: Vec<Named>) -> Vec<Owner> {
    let mut out: Vec<Owner> = Vec::with_capacity(named.len());
    for n in named {
        if out.iter().any(|o| o.name == n.name && o.role == n.role) {
            continue;
        }
        out.push(Owner {
            position: out.len() as u32 + 1,
            name: n.name,
            role: n.role,
            basis: n.basis,
            label: n.label,
        });
    }
    out
}

/// Bracketed owner clauses in `chars`: (start, end) char range including brackets, content.
fn owner_clauses(chars: &[char], src: &Source) -> Vec<(usize, usize, String)> {
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
                    .then(|| src.str(i + 1, j).to_string())
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

/// A labelled owner list after an item's text on the same line, without brackets:
/// `推进……。责任单位：A、B`, `…；牵头单位：X；责任单位：Y`. The label must follow the end of
/// a sentence or clause (`。` `；` `，` or a space) outside brackets, at char `min_start` or
/// later (a label at the start of a line is a block line). Returns the char range from
/// the label to the end of `chars`, and its content.
fn inline_labelled(
    chars: &[char],
    src: &Source,
    min_start: usize,
) -> Option<(usize, usize, String)> {
    // Every label ends with a colon: without one after `min_start`, there is no label.
    if !chars.get(min_start..)?.iter().any(|&c| is_colon(c)) {
        return None;
    }
    let mut depth = 0i32;
    for (i, &c) in chars.iter().enumerate() {
        if is_open(c) {
            depth += 1;
            continue;
        }
        if is_close(c) {
            depth = (depth - 1).max(0);
            continue;
        }
        if depth > 0 || i == 0 || i < min_start.max(1) {
            continue;
        }
        // Every label starts with one of these (simplified or traditional).
        if !matches!(
            owners::simplify(c),
            '牵' | '责' | '相' | '配' | '协' | '主' | '负' | '实' | '参' | '支'
        ) || !matches!(
            chars[i - 1],
            '。' | '；' | ';' | '，' | ',' | ' ' | '\u{3000}'
        ) {
            continue;
        }
        let head: String = chars[i..chars.len().min(i + 9)]
            .iter()
            .map(|&c| owners::simplify(c))
            .collect();
        if owner_label(&head).is_some() {
            let content = src.str(i, chars.len()).to_string();
            return Some((i, chars.len(), content));
        }
    }
    None
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '（' | '〔' | '【')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | '）' | '〕' | '】')
}

fn has_owner_clause(s: &str) -> bool {
    // Every clause opens with a bracket: a line without one (most headings, asked this
    // before the outline is built) is not read into chars.
    s.contains(is_open) && with_source(s, |chars, src| !owner_clauses(chars, src).is_empty())
}

/// The lead phrase of an item: up to its first `。`, owner clauses removed. Read on the
/// normalised chars `norm`, taken from `written` (the same chars as written, or `norm`).
fn task_title(norm: &[char], written: &[char], clauses: &[(usize, usize, String)]) -> String {
    // The chars of the lead phrase, in order: (normalised, as written).
    let phrase = || {
        let mut i = 0;
        std::iter::from_fn(move || loop {
            let c = *norm.get(i)?;
            if let Some((_, end, _)) = clauses.iter().find(|(s, _, _)| *s == i) {
                i = *end;
                continue;
            }
            if c == '。' {
                return None;
            }
            let as_written = written.get(i).copied().unwrap_or(c);
            i += 1;
            return Some((c, as_written));
        })
    };
    // Its bytes up to the last char that is not trailing punctuation or space: the title's
    // exact size, so that it is allocated once (grown from nothing it was reallocated
    // about three times a task) and holds no spare room for as long as the plan is kept.
    let mut len = 0;
    let mut keep = 0;
    for (c, w) in phrase() {
        len += w.len_utf8();
        if !matches!(
            c,
            '，' | ',' | '；' | ';' | '：' | ':' | '。' | '.' | '、' | ' ' | '\u{3000}'
        ) {
            keep = len;
        }
    }
    let mut title = String::with_capacity(keep);
    for (_, w) in phrase() {
        if title.len() >= keep {
            break;
        }
        title.push(w);
    }
    title
}

/// A heading's name: its text up to the first `。` or `：`.
fn heading_name(body: &str) -> String {
    let end = body.find(['。', '：']).unwrap_or(body.len());
    body[..end].trim().to_string()
}

/// The keyword-normalised start of a line: enough for every block label (`牵头责任单位：`),
/// without normalising (and allocating) the whole line.
fn label_head(line: &str) -> String {
    normalise_head(line, 8)
}

/// Whether `line` may start with a block label (`牵头单位：`, `数据提供单位：`, `完成时限：`):
/// every label ends with a colon within [`label_head`]'s eight chars, so a line without
/// one there needs no normalised head (most lines: items and their text).
fn may_have_label(line: &str) -> bool {
    line.chars().take(8).any(is_colon)
}

/// The colons [`owners::simplify`] reads as `：`.
fn is_colon(c: char) -> bool {
    matches!(c, '：' | ':' | '﹕' | '︰')
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
    if is_debris(l) {
        return LineKind::Debris;
    }
    if may_have_label(l) {
        let norm = label_head(l);
        if owner_label(&norm).is_some() || unknown_label(&norm).is_some() {
            return LineKind::OwnerBlock;
        }
        if deadline_label(&norm).is_some() {
            return LineKind::DeadlineBlock;
        }
    }
    if let Some(n) = bare_numeral(l) {
        return LineKind::BareNumeral(n);
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

/// `二` or `二、` alone on a line: a section numeral whose heading is on the next line.
fn bare_numeral(l: &str) -> Option<u32> {
    let digits = l.strip_suffix('、').unwrap_or(l);
    // Three chars are at most twelve bytes: a longer line (almost every line) is not
    // counted char by char.
    if digits.len() > 12 {
        return None;
    }
    let n = digits.chars().count();
    if !(1..=3).contains(&n)
        || !digits
            .chars()
            .all(|c| chinese_digit(c).is_some() || c == '十')
    {
        return None;
    }
    parse_chinese(digits).map(|v| v as u32).filter(|&v| v > 0)
}

/// Lines a web page leaves in a copied plan: print and close buttons, font-size
/// switches, source and date lines, image file names.
fn is_debris(l: &str) -> bool {
    const EXACT: &[&str] = &[
        "打印本页",
        "打印",
        "关闭",
        "关闭窗口",
        "【打印】",
        "【关闭】",
        "返回顶部",
        "扫一扫",
        "分享到",
        "分享到：",
        "打印本頁",
        "關閉窗口",
    ];
    const PREFIXES: &[&str] = &[
        "来源：",
        "来源:",
        "信息来源：",
        "文章来源：",
        "发布时间：",
        "发布日期：",
        "浏览次数",
        "【字体",
        "字体：",
        "字号：",
        "【字號",
        "來源：",
        "發布時間：",
        "点击量",
        "阅读次数",
    ];
    if EXACT.contains(&l) || PREFIXES.iter().any(|p| l.starts_with(p)) {
        return true;
    }
    // `640.webp.jpg`, `image003.png`: a file name, no Chinese text.
    let bytes = l.as_bytes();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"]
        .iter()
        .any(|e| {
            bytes.len() >= e.len()
                && bytes[bytes.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
        })
        && !l.chars().any(is_cjk)
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The value of an ASCII or full-width digit.
fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Whether the text after a marker is an item: it has Chinese text, and (after an Arabic
/// marker) does not go on with letters or digits, as `640.webp.jpg` or `1.5万` do.
fn introduces_text(body: &str, arabic: bool) -> bool {
    let t = body.trim_start();
    let Some(first) = t.chars().next() else {
        return false;
    };
    t.chars().any(is_cjk) && !(arabic && (first.is_ascii_alphanumeric() || first == '.'))
}

/// Recognises a numbering marker at the start of a line. Punctuation variants are read
/// as their plain forms: `1﹒` `1．` `１.` `1)` `（1）` `⑴` `⒈`.
fn numbering(l: &str) -> Option<(Rank, Option<u32>, &str)> {
    // The first twelve chars, on the stack: this runs for every line.
    let mut head = [(0usize, '\0'); 12];
    let mut len = 0;
    for (slot, ic) in head.iter_mut().zip(l.char_indices()) {
        *slot = ic;
        len += 1;
    }
    let chars = &head[..len];
    let first = chars.first()?.1;
    let after_first = &l[first.len_utf8()..];
    // `⑴`…`⒇`, `⒈`…`⒛`, `①`…`⑳`: one char holds the number.
    for (from, to, rank) in [
        ('⑴', '⒇', Rank::ParenArabic),
        ('⒈', '⒛', Rank::Arabic),
        ('①', '⑳', Rank::Circled),
        ('㈠', '㈩', Rank::ParenChinese),
    ] {
        if (from..=to).contains(&first) {
            let n = first as u32 - from as u32 + 1;
            return introduces_text(after_first, false).then_some((rank, Some(n), after_first));
        }
    }
    // `(一)` / `（一）` / `(1)` / `（1）`
    if matches!(first, '(' | '（' | '﹙') {
        let inner_end = chars
            .iter()
            .position(|&(_, c)| matches!(c, ')' | '）' | '﹚'))?;
        if !(2..=7).contains(&inner_end) {
            return None;
        }
        // The chars between the brackets, read in place (no string made of them: this
        // runs for every item).
        let inner = || chars[1..inner_end].iter().map(|&(_, c)| c);
        let (b, close) = chars[inner_end];
        let body = &l[b + close.len_utf8()..];
        if body.trim().is_empty() {
            return None;
        }
        if inner().all(|c| digit_value(c).is_some()) {
            if !introduces_text(body, false) {
                return None;
            }
            return Some((Rank::ParenArabic, arabic_value(inner()), body));
        }
        if inner().all(|c| chinese_digit(c).is_some() || matches!(c, '十' | '百')) {
            return Some((
                Rank::ParenChinese,
                parse_chinese_chars(inner()).map(|v| v as u32),
                body,
            ));
        }
        return None;
    }
    // `1.` / `1、` / `1．` / `1﹒` / `1)` — up to six digits (items 10 000 and above).
    let digits = chars
        .iter()
        .take_while(|&&(_, c)| digit_value(c).is_some())
        .count();
    if digits > 0 {
        if digits > 6 {
            return None;
        }
        let (b, sep) = *chars.get(digits)?;
        let next = chars.get(digits + 1).map(|&(_, c)| c);
        let rank = match sep {
            '.' | '、' | '．' | '﹒' | '，' => Rank::Arabic,
            ')' | '）' => Rank::ParenArabic,
            _ => return None,
        };
        // `1，` only numbers an item in the loosest documents: require Chinese right after.
        if sep == '，' && !next.is_some_and(is_cjk) {
            return None;
        }
        if next.is_some_and(|c| digit_value(c).is_some()) {
            return None;
        }
        let body = &l[b + sep.len_utf8()..];
        let value = chars[..digits].iter().map(|&(_, c)| c);
        return introduces_text(body, true).then(|| (rank, arabic_value(value), body));
    }
    let cn = chars
        .iter()
        .take_while(|&&(_, c)| chinese_digit(c).is_some() || matches!(c, '十' | '百'))
        .count();
    if cn > 0 && cn <= 4 {
        let (b, sep) = *chars.get(cn)?;
        if matches!(sep, '、' | '．' | '﹒') {
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

/// The value of ASCII or full-width digits.
fn arabic_value(digits: impl IntoIterator<Item = char>) -> Option<u32> {
    digits.into_iter().try_fold(0u32, |acc, c| {
        acc.checked_mul(10)?.checked_add(digit_value(c)?)
    })
}

/// Warns about printed numbers that skip or repeat. A level numbered straight through its
/// parents (`(一)…(十五)` across `一、二、三、`) is an ordinary convention, not a gap.
fn check_numbering(outline: &Outline, roots: &[usize], warnings: &mut Vec<Warning>) {
    let nodes = &outline.nodes;
    // The last number printed at each rank, across parents, in document order.
    let mut last_at_rank: [Option<u32>; 6] = [None; 6];
    // The numbers seen among one parent's children: one set, emptied for each parent,
    // with the fast hash (a SipHash set for each parent cost ≈ 5M more of a 10k-task
    // plan's 430M instructions, on the one thread that builds the outline).
    let mut seen: super::fast_hash::FastSet<u32> = Default::default();
    let mut check = |siblings: &[usize], last_at_rank: &mut [Option<u32>; 6]| {
        let Some(&first) = siblings.first() else {
            return;
        };
        let rank = nodes[first].rank as usize;
        let continued = last_at_rank[rank].map(|n| n + 1);
        let mut expected = match (nodes[first].number, continued) {
            (Some(num), Some(c)) if num == c => c,
            _ => 1,
        };
        seen.clear();
        for &s in siblings {
            let n = &nodes[s];
            if let Some(num) = n.number {
                if seen.contains(&num) {
                    warnings.push(Warning {
                        code: Code::PlanNumbering,
                        line: n.line,
                        message: format!(
                            "number {num} is printed twice at this level: this item's id gets a `~2` suffix"
                        ),
                    });
                } else if num != expected {
                    warnings.push(Warning {
                        code: Code::PlanNumbering,
                        line: n.line,
                        message: format!(
                            "item numbered {num} where {expected} was expected: an item may be missing or misplaced"
                        ),
                    });
                }
                seen.insert(num);
                expected = num + 1;
                if (n.rank as usize) < last_at_rank.len() {
                    last_at_rank[n.rank as usize] = Some(num);
                }
            } else {
                expected += 1;
            }
        }
    };
    check(roots, &mut last_at_rank);
    for i in 0..nodes.len() {
        check(outline.children(i), &mut last_at_rank);
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
    fn the_outline_keeps_each_nodes_children_and_lines_in_order() {
        // 0 一、 { 1 (一) { 2 1. 3 2. } 4 (二) }  5 二、 { 6 (一) }; lines after 2, 4 and 5.
        let node = |rank, parent: u32, more: u32| Node {
            rank,
            number: None,
            line: 0,
            body: "",
            more,
            children: 0,
            child_count: 0,
            parent,
        };
        let mut outline = Outline::default();
        let shape = [
            (Rank::ChineseComma, NO_PARENT, 0),
            (Rank::ParenChinese, 0, 0),
            (Rank::Arabic, 1, 0),
            (Rank::Arabic, 1, 2),
            (Rank::ParenChinese, 0, 2),
            (Rank::ChineseComma, NO_PARENT, 3),
            (Rank::ParenChinese, 5, 4),
        ];
        for (rank, parent, more) in shape {
            if let Some(p) = outline.nodes.get_mut(parent as usize) {
                p.child_count += 1;
            }
            outline.nodes.push(node(rank, parent, more));
        }
        outline.more = vec![(4, "a"), (5, "b"), (7, "c"), (9, "d")];
        outline.link_children();
        let children: Vec<&[usize]> = (0..7).map(|i| outline.children(i)).collect();
        assert_eq!(children, [&[1, 4][..], &[2, 3], &[], &[], &[], &[6], &[]]);
        let more: Vec<Vec<u32>> = (0..7)
            .map(|i| outline.more(i).iter().map(|(l, _)| *l).collect())
            .collect();
        assert_eq!(
            more,
            [vec![], vec![], vec![4, 5], vec![], vec![7], vec![9], vec![]]
        );
        assert_eq!(outline.parent(0), None);
        assert_eq!(outline.parent(3), Some(1));
        assert_eq!(outline.children(99), &[] as &[usize]);
        assert!(outline.more(99).is_empty());
    }

    #[test]
    fn a_large_text_is_split_in_pieces_as_it_is_whole() {
        let line = "（一）推进数字福建建设。(省数字办牵头)";
        for (n, end) in [(200_000, ""), (200_000, "\n"), (150_001, "\n\n"), (3, "")] {
            let mut text = vec![line; n].join("\n");
            text.push_str(end);
            // A run of empty lines across a piece boundary too.
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid += 1;
            }
            text.insert_str(mid, "\n\n\n");
            let whole: Vec<&str> = text.split('\n').collect();
            assert_eq!(split_lines(&text), whole, "{n} lines ending {end:?}");
        }
        assert_eq!(split_lines(""), vec![""]);
    }

    #[test]
    fn ids_are_written_as_the_formatter_writes_them() {
        for (number, repeat) in [
            (0, 1),
            (1, 1),
            (9, 2),
            (10, 1),
            (123, 7),
            (u32::MAX, u32::MAX),
        ] {
            let path = [
                IdPart {
                    number: 2,
                    repeat: 1,
                },
                IdPart { number, repeat },
            ];
            let by_format = if repeat > 1 {
                format!("2.{number}~{repeat}")
            } else {
                format!("2.{number}")
            };
            assert_eq!(id_string(&path), by_format);
        }
        assert_eq!(id_string(&[]), "");
    }

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
        assert_eq!(
            numbering("㈢推进").map(|x| (x.0, x.1)),
            Some((Rank::ParenChinese, Some(3)))
        );
    }

    fn task_rows(text: &str) -> Vec<(String, String)> {
        extract(text, ExtractOptions::default())
            .tasks
            .into_iter()
            .map(|t| (t.id, t.category))
            .collect()
    }

    /// Pieces pushed line by line, as `build_task` does, give the chars of the whole
    /// text and where each starts.
    #[test]
    fn pushed_pieces_give_the_chars_and_starts_of_the_text() {
        let mut chars = Vec::new();
        let mut starts = Vec::new();
        let mut text = String::new();
        for piece in ["", "推进é", "\n", "𝄞x2000个", "\n", "（省数字办牵头）"] {
            push_piece(&mut chars, &mut starts, &mut text, piece);
            let (expected_starts, expected_chars): (Vec<usize>, Vec<char>) =
                text.char_indices().unzip();
            assert_eq!(starts, expected_starts, "after {piece:?}");
            assert_eq!(chars, expected_chars, "after {piece:?}");
        }
    }

    #[test]
    fn lines_are_those_of_split() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "\na",
            "推进\r\n（一）\n\n建成2000个\n",
            "x\ny\nz",
        ] {
            let ours: Vec<&str> = lines_of(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn inline_labels_after_the_text() {
        let labelled = |s: &str| with_source(s, |chars, src| inline_labelled(chars, src, 0));
        let text = "推进数据共享。责任单位：省数据局、省发改委";
        let (start, end, content) = labelled(text).expect("label");
        assert_eq!((start, end), (7, text.chars().count()));
        assert_eq!(content, "责任单位：省数据局、省发改委");
        // Inside brackets, or at the start of the line, it is no inline list.
        assert_eq!(labelled("推进（责任单位：省数据局）"), None);
        assert_eq!(labelled("责任单位：省数据局"), None);
        // A label word inside the sentence is not a label.
        assert_eq!(labelled("明确牵头单位职责。"), None);
    }

    #[test]
    fn lost_numerals_and_items_before_headings() {
        // `二、` lost: the sections skip from 1 to 3.
        let doc = "2024年工作要点\n一、甲\n（一）任务一。\n乙方面工作\n（一）任务二。\n三、丙\n（一）任务三。\n";
        assert_eq!(
            task_rows(doc),
            vec![
                ("1.1".into(), "甲".into()),
                ("2.1".into(), "乙方面工作".into()),
                ("3.1".into(), "丙".into())
            ]
        );
        // No gap: kept as text, warned.
        let doc = "2024年工作要点\n一、甲\n（一）任务一。\n看似标题的一行\n（二）任务二。\n二、丙\n（一）任务三。\n";
        let plan = extract(doc, ExtractOptions::default());
        assert_eq!(plan.tasks.len(), 3);
        assert!(plan.tasks[0].text.ends_with("看似标题的一行"));
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.code == Code::PlanLostNumeral && w.line == 4));
        // An item before the first heading stays in the preamble.
        let doc = "通知\n1.请各单位认真落实。\n一、甲\n（一）任务一。\n";
        let plan = extract(doc, ExtractOptions::default());
        assert_eq!(task_rows(doc), vec![("1.1".into(), "甲".into())]);
        assert!(plan.preamble.contains("1.请各单位认真落实。"));
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.code == Code::PlanItemBeforeHeading && w.line == 2));
    }

    #[test]
    fn text_as_written_parsed_normalised() {
        let doc = "２０２４年工作要点\n一、甲\n（一）建成１０００个基站。（省通信管理局牵头）\n";
        let plan = extract(doc, ExtractOptions::default());
        let t = &plan.tasks[0];
        assert_eq!(t.text, "建成１０００个基站。（省通信管理局牵头）");
        assert_eq!(t.title, "建成１０００个基站");
        assert_eq!(t.targets[0].value, 1000.0);
        assert_eq!(plan.year(), Some(2024));
    }
}
