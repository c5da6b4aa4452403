//! Task tables → tasks: `序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限`.
//!
//! A table is a plan when a header row names a task column and at least one owner column.
//! Owner cells are read by the same owner-clause rules as prose ([`super::owners`]), task
//! cells get the same target extraction ([`super::targets`]), and deadline cells the same
//! date reading. Section rows spanning the table (`一、数字基础设施`) or a category column
//! give the categories; `序号` gives the ids.

use crate::error::Code;
use std::collections::HashSet;

use super::date::{find_deadlines, latest, parse_deadline, plan_year};
use super::extract::number_owners;
use super::nfkc;
use super::numbers::parse_chinese;
use super::owners::{
    apply_convention, is_owner_clause, normalise, owner_label, parse_clause, Named,
};
use super::source::Table;
use super::targets::targets_in;
use super::{Basis, Category, Role, Task, Warning};

/// Header words of the task column, best first.
const TASK_WORDS: &[&str] = &[
    "工作任务",
    "重点任务",
    "主要任务",
    "任务内容",
    "具体措施",
    "工作内容",
    "任务名称",
    "工作事项",
    "任务",
    "措施",
];

/// Header words of further text columns appended to the task text (targets live there too).
const MORE_TEXT_WORDS: &[&str] = &["目标", "措施", "内容", "要求"];

/// Header words of columns naming people, not departments: never owners.
const PEOPLE_WORDS: &[&str] = &["领导", "联系人", "负责人", "联络员", "电话", "责任人"];

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Task,
    MoreText,
    Owner(Role),
    Deadline,
    Number,
    Category,
    Ignored,
}

/// A header cell reduced to its words: whitespace and bracketed remarks removed,
/// traditional keywords simplified (`牵头单位（部门）` → `牵头单位`).
fn header_key(cell: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in normalise(cell).chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            c if c.is_whitespace() || c == '\u{3000}' || c == '*' => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Classifies one header cell.
fn classify(cell: &str) -> Col {
    let key = header_key(cell);
    if key.is_empty() || PEOPLE_WORDS.iter().any(|w| key.contains(w)) {
        return Col::Ignored;
    }
    if key.contains("序号") || key.contains("编号") || key == "号" || key == "No." {
        return Col::Number;
    }
    if key.contains("类别") || key.contains("领域") || key == "分类" || key == "板块" {
        return Col::Category;
    }
    if ["完成时限", "时间节点", "完成时间", "时限", "进度安排"]
        .iter()
        .any(|w| key.contains(w))
    {
        return Col::Deadline;
    }
    if let Some((role, _)) = owner_label(&format!("{key}：")) {
        return Col::Owner(role);
    }
    if key.contains("牵头") {
        return Col::Owner(Role::Lead);
    }
    if ["配合", "参与", "协办", "协同"]
        .iter()
        .any(|w| key.contains(w))
    {
        return Col::Owner(Role::Support);
    }
    if ["责任单位", "责任部门", "负责单位", "实施单位", "承办单位"]
        .iter()
        .any(|w| key.contains(w))
    {
        return Col::Owner(Role::Responsible);
    }
    if TASK_WORDS.iter().any(|w| key.contains(w)) {
        return Col::Task;
    }
    if MORE_TEXT_WORDS.iter().any(|w| key.contains(w)) {
        return Col::MoreText;
    }
    Col::Ignored
}

/// The columns of a task-table header, or `None` when the row is not one.
fn columns(cells: &[String]) -> Option<Vec<Col>> {
    let mut cols: Vec<Col> = cells.iter().map(|c| classify(c)).collect();
    // The task column is the first best-ranked task word; other task-like columns add text.
    let rank = |c: &String| TASK_WORDS.iter().position(|w| header_key(c).contains(w));
    let best = cells
        .iter()
        .enumerate()
        .filter(|(i, _)| cols[*i] == Col::Task)
        .min_by_key(|(i, c)| (rank(c), *i))
        .map(|(i, _)| i)?;
    for (i, col) in cols.iter_mut().enumerate() {
        if *col == Col::Task && i != best {
            *col = Col::MoreText;
        }
    }
    cols.iter()
        .any(|c| matches!(c, Col::Owner(_)))
        .then_some(cols)
}

/// Whether a row is the header of a task table (a task column and an owner column).
pub fn is_task_header(cells: &[String]) -> bool {
    columns(cells).is_some()
}

/// Where the header is: the first of a table's first rows that is a task header.
pub fn header_row(table: &Table) -> Option<usize> {
    table
        .rows
        .iter()
        .take(12)
        .position(|r| is_task_header(&r.cells))
}

/// Tasks read from one table, to be appended to a plan.
#[derive(Debug, Default)]
pub struct TableTasks {
    /// Categories of the table, numbered after those already in the plan.
    pub categories: Vec<Category>,
    /// Its tasks in row order.
    pub tasks: Vec<Task>,
    /// What could not be read with certainty.
    pub warnings: Vec<Warning>,
    /// The first non-empty row above the header (the table's title), if any.
    pub title: Option<String>,
}

/// One task row before ids are assigned.
struct Pending {
    category: usize,
    number: Option<String>,
    task: Task,
}

/// Reads the tasks of `table`, or `None` when it has no task header. Categories are
/// numbered from `first_category`; `fallback_category` names the category of a table
/// without section rows or a category column; ids already in `taken` are not reused.
/// `year` is the plan's year (from its title), for relative deadlines (`6月底前`); without
/// one, the table's own title (the rows above its header) may give it.
pub fn read_table(
    table: &Table,
    first_category: u32,
    fallback_category: &str,
    taken: &HashSet<String>,
    year: Option<i32>,
) -> Option<TableTasks> {
    let h = header_row(table)?;
    let header = &table.rows[h];
    let cols = columns(&header.cells)?;
    let col_of = |want: Col| cols.iter().position(|c| *c == want);
    let task_col = col_of(Col::Task)?;
    let number_col = col_of(Col::Number);
    let category_col = col_of(Col::Category);
    let deadline_col = col_of(Col::Deadline);
    let has_lead_column = col_of(Col::Owner(Role::Lead)).is_some();
    // Cells are parsed as prose is, after the one-to-one NFKC mappings (`２０２３年６月底`,
    // `（１）`, `省数字办`), so a spreadsheet's full-width forms read as prose's do; the
    // task's text columns (`written`) keep the text as written, as prose's `text` does.
    let written = |cells: &[String], i: usize| cells.get(i).map_or("", |s| s.trim()).to_string();
    let cell = |cells: &[String], i: usize| nfkc::normalise_text(&written(cells, i)).into_owned();

    let mut out = TableTasks {
        title: table.rows[..h]
            .iter()
            .flat_map(|r| r.cells.iter())
            .find(|c| !c.trim().is_empty())
            .map(|c| super::source::squash(c)),
        ..TableTasks::default()
    };
    let year = year.or_else(|| plan_year(out.title.as_deref()));
    let mut categories: Vec<(String, u32)> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut last_category: Option<usize> = None;
    let category_or = |name: String, line: u32, cats: &mut Vec<(String, u32)>| match cats
        .iter()
        .position(|(n, _)| *n == name)
    {
        Some(i) => i,
        None => {
            cats.push((name, line));
            cats.len() - 1
        }
    };

    for row in &table.rows[h + 1..] {
        let cells = &row.cells;
        let filled: Vec<&str> = cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if filled.is_empty() || is_task_header(cells) {
            continue; // blank rows; headers repeated on each printed page
        }
        let line = row.origin.line;
        // A section row spans the table: one value (merged cells repeat it everywhere).
        let distinct: HashSet<&str> = filled.iter().copied().collect();
        if distinct.len() == 1 && is_section_text(filled[0]) {
            let name = section_name(filled[0]);
            last_category = Some(category_or(name, line, &mut categories));
            continue;
        }
        let text = written(cells, task_col);
        if text.is_empty() {
            out.warnings.push(Warning {
                code: Code::PlanTableRow,
                line,
                message: format!(
                    "row at {} has no text in the task column `{}`; skipped",
                    row.origin.place,
                    header.cells[task_col].trim()
                ),
            });
            continue;
        }
        let category = match category_col.map(|c| cell(cells, c)) {
            Some(name) if !name.is_empty() => {
                let i = category_or(section_name(&name), line, &mut categories);
                last_category = Some(i);
                i
            }
            _ => match last_category {
                Some(i) => i,
                None => {
                    let i = category_or(
                        section_name(fallback_category),
                        header.origin.line,
                        &mut categories,
                    );
                    last_category = Some(i);
                    i
                }
            },
        };
        // The task text: the task cell, then further text columns (targets, measures).
        let mut full = text.clone();
        for (i, col) in cols.iter().enumerate() {
            if *col == Col::MoreText {
                let more = written(cells, i);
                if !more.is_empty() && more != text {
                    full.push('\n');
                    full.push_str(&more);
                }
            }
        }
        let mut named: Vec<Named> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            let Col::Owner(role) = col else { continue };
            let content = cell(cells, i).replace(['\n', '\r'], "、");
            if content.is_empty() {
                continue;
            }
            // A cell with its own role words (`省数字办牵头，省经信委配合`) is a clause as
            // written; a bare list of names takes the column's role, written as prose
            // would write it (`A、B和C负责`), so both read names the same way.
            let stated = is_owner_clause(&content);
            let mut parsed = if stated {
                parse_clause(&content)
            } else {
                parse_clause(&format!("{content}{}", role_word(*role)))
            };
            if !stated && *role == Role::Responsible && !has_lead_column {
                // A plain list under `责任单位` in a table with no lead column is the genre's
                // convention (first unit leads), exactly as the same list in prose. Beside a
                // `牵头单位` column it is simply responsible, even where that cell is empty.
                for n in &mut parsed.owners {
                    n.basis = Basis::Convention;
                }
            }
            if parsed.owners.is_empty() {
                out.warnings.push(Warning {
                    code: Code::PlanOwnerClause,
                    line,
                    message: format!(
                        "owner cell `{content}` at {} names no department",
                        row.cell_place(i)
                    ),
                });
            }
            named.extend(parsed.owners);
        }
        let mut deadline = None;
        let mut deadline_text = None;
        if let Some(c) = deadline_col {
            let d = cell(cells, c);
            if !d.is_empty() {
                match parse_deadline(&d, year) {
                    Some(found) => {
                        if found.date.is_none() {
                            out.warnings.push(Warning {
                                code: Code::PlanDeadlineYear,
                                line,
                                message: format!(
                                    "the deadline `{d}` at {} needs the plan's year, and the title names none; `deadline` left empty",
                                    row.cell_place(c)
                                ),
                            });
                        }
                        deadline = found.date;
                    }
                    None => out.warnings.push(Warning {
                        code: Code::PlanDeadline,
                        line,
                        message: format!(
                            "could not read the deadline `{d}` at {}",
                            row.cell_place(c)
                        ),
                    }),
                }
                deadline_text = Some(d);
            }
        }
        if deadline_text.is_none() {
            // No deadline cell: the task's own text may give one, read as prose's is.
            let chars: Vec<char> = nfkc::normalise_text(&full).chars().collect();
            if let Some(found) = latest(find_deadlines(&chars, year)) {
                if found.date.is_none() {
                    out.warnings.push(Warning {
                        code: Code::PlanDeadlineYear,
                        line,
                        message: format!(
                            "the deadline `{}` at {} needs the plan's year, and the title names none; `deadline` left empty",
                            found.text,
                            row.cell_place(task_col)
                        ),
                    });
                }
                deadline = found.date;
                deadline_text = Some(found.text);
            }
        }
        let number = number_col
            .map(|c| cell(cells, c))
            .and_then(|n| normalise_number(&n));
        pending.push(Pending {
            category,
            number,
            task: Task {
                id: String::new(),
                category: categories[category].0.clone(),
                subcategory: None,
                title: title_of(&text),
                text: full,
                owners: {
                    apply_convention(&mut named, false);
                    number_owners(named)
                },
                deadline,
                deadline_text,
                line,
                targets: Vec::new(),
            },
        });
    }
    if pending.is_empty() && categories.is_empty() {
        return Some(out);
    }

    let ids = assign_ids(&pending, first_category, taken, &mut out.warnings);
    for (mut p, id) in pending.into_iter().zip(ids) {
        p.task.targets = targets_in(&nfkc::normalise_text(&p.task.text))
            .into_iter()
            .enumerate()
            .map(|(k, t)| t.into_target(&id, k + 1, p.task.line))
            .collect();
        p.task.id = id;
        out.tasks.push(p.task);
    }
    out.categories = categories
        .into_iter()
        .enumerate()
        .map(|(i, (name, line))| Category {
            no: first_category + i as u32,
            name,
            line,
        })
        .collect();
    Some(out)
}

/// Ids: `序号` when it numbers the rows (per category it becomes `<category>.<序号>`),
/// otherwise ordinal paths; a numbering that skips, repeats or is missing is warned.
fn assign_ids(
    pending: &[Pending],
    first_category: u32,
    taken: &HashSet<String>,
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    let categories: HashSet<usize> = pending.iter().map(|p| p.category).collect();
    let several = categories.len() > 1 || first_category > 1;
    let all_numbered = pending.iter().all(|p| p.number.is_some());
    // Does the numbering restart at 1 in every category?
    let mut seen = HashSet::new();
    let restarts = pending.iter().all(|p| {
        let first = seen.insert(p.category);
        !first || p.number.as_deref() == Some("1")
    });
    let ordinal = |with_category: bool| -> Vec<String> {
        let mut counts: Vec<(usize, u32)> = Vec::new();
        pending
            .iter()
            .map(|p| {
                let n = match counts.iter_mut().find(|(c, _)| *c == p.category) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counts.push((p.category, 1));
                        1
                    }
                };
                if with_category {
                    format!("{}.{n}", first_category + p.category as u32)
                } else {
                    n.to_string()
                }
            })
            .collect()
    };
    let from_numbers: Option<Vec<String>> = all_numbered.then(|| {
        pending
            .iter()
            .map(|p| {
                let n = p.number.clone().unwrap_or_default();
                if several && restarts && !n.contains('.') {
                    format!("{}.{n}", first_category + p.category as u32)
                } else {
                    n
                }
            })
            .collect()
    });
    let usable = from_numbers.filter(|ids| {
        let mut set = HashSet::new();
        ids.iter()
            .all(|id| set.insert(id.as_str()) && !taken.contains(id))
    });
    match usable {
        Some(ids) => ids,
        None => {
            if pending.iter().any(|p| p.number.is_some()) {
                warnings.push(Warning {
                    code: Code::PlanNumbering,
                    line: pending.first().map_or(1, |p| p.task.line),
                    message: "the table's numbers (序号) are missing, repeated or already used; \
                              tasks are numbered by their position instead"
                        .into(),
                });
            }
            let ids = ordinal(several || taken.iter().any(|t| !t.contains('.')));
            if ids.iter().any(|id| taken.contains(id)) {
                // Ordinal ids that clash with prose tasks: prefix the category number.
                return ordinal(true);
            }
            ids
        }
    }
}

/// `1`, `1.`, `1、`, `（一）`, `一`, `1.2` → `1`, `1`, `1`, `1`, `1`, `1.2`.
fn normalise_number(s: &str) -> Option<String> {
    let t: String = s
        .trim()
        .trim_matches(|c: char| "()（）.、．,，:： ".contains(c))
        .replace(['-', '－', '．'], ".");
    if t.is_empty() {
        return None;
    }
    if t.split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let parts: Vec<String> = t
            .split('.')
            .map(|p| p.trim_start_matches('0').to_string())
            .map(|p| if p.is_empty() { "0".into() } else { p })
            .collect();
        return Some(parts.join("."));
    }
    parse_chinese(&t)
        .filter(|v| *v >= 1.0 && v.fract() == 0.0)
        .map(|v| (v as u64).to_string())
}

/// Whether a row's only value reads as a section heading rather than a task.
fn is_section_text(s: &str) -> bool {
    let n = s.chars().count();
    (1..=40).contains(&n) && !s.trim_end().ends_with(['。', '；', ';'])
}

/// A section row's name without its numbering (`一、数字基础设施` → `数字基础设施`,
/// `（二）数字政府` → `数字政府`); `十二五规划` keeps its numerals.
fn section_name(s: &str) -> String {
    let s = super::source::squash(s);
    let chars: Vec<char> = s.chars().collect();
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十百零〇".contains(c);
    let skip = if matches!(chars.first(), Some('(' | '（')) {
        chars
            .iter()
            .take(6)
            .position(|c| matches!(c, ')' | '）'))
            .filter(|&close| close > 1 && chars[1..close].iter().all(|&c| numeral(c)))
            .map_or(0, |close| close + 1)
    } else {
        let n = chars.iter().take_while(|&&c| numeral(c)).count();
        if n > 0 && matches!(chars.get(n), Some('、' | '.' | '．' | ' ')) {
            n + 1
        } else {
            0
        }
    };
    let rest: String = chars[skip..].iter().collect();
    let rest = rest.trim().to_string();
    if rest.is_empty() {
        s
    } else {
        rest
    }
}

/// The lead phrase of a task: up to its first `。`, trailing punctuation trimmed.
fn title_of(text: &str) -> String {
    let first = text.split('\n').next().unwrap_or("");
    let end = first.find('。').unwrap_or(first.len());
    first[..end]
        .trim_end_matches(|c: char| "，,；;：:。.、 \u{3000}".contains(c))
        .to_string()
}

/// The role word prose puts after a list of owners.
fn role_word(role: Role) -> &'static str {
    match role {
        Role::Lead => "牵头",
        Role::Support => "配合",
        Role::Responsible => "负责",
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::{Origin, Place, Row};
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            name: None,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    cells: r.iter().map(|s| s.to_string()).collect(),
                    origin: Origin {
                        line: i as u32 + 1,
                        place: Place::Line(i as u32 + 1),
                    },
                })
                .collect(),
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn header_synonyms() {
        assert!(is_task_header(&s(&[
            "序号",
            "重点任务",
            "牵头单位",
            "责任单位",
            "完成时限"
        ])));
        assert!(is_task_header(&s(&["具体措施", "牵头部门"])));
        assert!(is_task_header(&s(&["工作内容", "参与单位"])));
        assert!(is_task_header(&s(&["任务内容", "协办单位"])));
        // People are not owners: a task column with only people columns is no plan.
        assert!(!is_task_header(&s(&["工作任务", "责任领导", "联系人"])));
        assert!(!is_task_header(&s(&["姓名", "单位", "电话"])));
        assert_eq!(classify("牵头\n单位（部门）"), Col::Owner(Role::Lead));
        assert_eq!(classify("配合单位"), Col::Owner(Role::Support));
        assert_eq!(classify("责任单位"), Col::Owner(Role::Responsible));
        assert_eq!(classify("责任领导"), Col::Ignored);
        assert_eq!(classify("时间节点"), Col::Deadline);
        assert_eq!(classify("重点领域"), Col::Category);
    }

    #[test]
    fn sections_ids_owners_targets() {
        let t = table(&[
            &["2025年工作要点任务分解表", "", "", "", ""],
            &["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
            &["一、数字基础设施", "一、数字基础设施", "", "", ""],
            &[
                "1",
                "建设5G基站。新建5G基站2000个。",
                "省通信管理局",
                "省工信厅、发改委",
                "2025年底",
            ],
            &["2", "推进IPv6。", "省委网信办", "", "长期坚持"],
            &["二、数字政府", "", "", "", ""],
            &[
                "1",
                "建设一网通办平台。",
                "省数据局牵头，各设区市配合",
                "",
                "",
            ],
        ]);
        let r = read_table(&t, 1, "x", &HashSet::new(), None).expect("task table");
        assert_eq!(r.title.as_deref(), Some("2025年工作要点任务分解表"));
        let ids: Vec<(&str, &str)> = r
            .tasks
            .iter()
            .map(|t| (t.id.as_str(), t.category.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("1.1", "数字基础设施"),
                ("1.2", "数字基础设施"),
                ("2.1", "数字政府")
            ]
        );
        let o: Vec<(&str, &str)> = r.tasks[0]
            .owners
            .iter()
            .map(|o| (o.name.as_str(), o.role.as_str()))
            .collect();
        assert_eq!(
            o,
            [
                ("省通信管理局", "lead"),
                ("省工信厅", "support"),
                ("省发改委", "support")
            ]
        );
        let o: Vec<(&str, &str)> = r.tasks[2]
            .owners
            .iter()
            .map(|o| (o.name.as_str(), o.role.as_str()))
            .collect();
        assert_eq!(o, [("省数据局", "lead"), ("各设区市", "support")]);
        assert_eq!(
            r.tasks[0].deadline.map(|d| d.to_string()).as_deref(),
            Some("2025-12-31")
        );
        assert_eq!(r.tasks[0].targets.len(), 1);
        assert_eq!(r.tasks[0].targets[0].value, 2000.0);
        assert_eq!(r.tasks[0].title, "建设5G基站");
        // `长期坚持` is no date: warned, not guessed.
        assert!(r
            .warnings
            .iter()
            .any(|w| w.code == Code::PlanDeadline && w.line == 5));
        assert_eq!(
            r.categories.iter().map(|c| c.line).collect::<Vec<_>>(),
            [3, 6]
        );
    }

    #[test]
    fn full_width_cells_read_as_prose_does() {
        // The same row typed with full-width digits and brackets (as Excel on Chinese
        // Windows often has them) and with ASCII ones.
        let rows = |n: &str, task: &str, owner: &str, due: &str| {
            let t = table(&[
                &["序号", "工作任务", "牵头单位", "完成时限"],
                &[n, task, owner, due],
            ]);
            let r = read_table(&t, 1, "任务", &HashSet::new(), Some(2023)).expect("task table");
            let t = &r.tasks[0];
            let targets: Vec<(String, f64, String)> = t
                .targets
                .iter()
                .map(|g| (g.metric.clone(), g.value, g.unit.clone()))
                .collect();
            (
                t.id.clone(),
                t.deadline,
                targets,
                t.owners.len(),
                t.text.clone(),
            )
        };
        let wide = rows(
            "（３）",
            "新建５Ｇ基站１２００个。",
            "省通信管理局",
            "２０２３年６月底前",
        );
        let narrow = rows("(3)", "新建5G基站1200个。", "省通信管理局", "2023年6月底前");
        assert_eq!(wide.0, "3");
        assert_eq!(
            (&wide.0, wide.1, &wide.2, wide.3),
            (&narrow.0, narrow.1, &narrow.2, narrow.3)
        );
        assert_eq!(wide.2, [("5G基站".to_string(), 1200.0, "个".to_string())]);
        assert_eq!(wide.1.map(|d| d.to_string()).as_deref(), Some("2023-06-30"));
        // The text stays as written.
        assert_eq!(wide.4, "新建５Ｇ基站１２００个。");
    }

    #[test]
    fn deadlines_from_the_column_else_from_the_task_text() {
        let t = table(&[
            &["2024年数据工作任务分解表"],
            &["序号", "工作任务", "牵头单位", "完成时限"],
            &[
                "1",
                "建成数据中台，6月底前上线。",
                "市数据局",
                "2024年9月底",
            ],
            &["2", "年内完成数据目录编制。", "市数据局", ""],
            &["3", "6月底前完成平台迁移，年底前全面运行。", "市数据局", ""],
            &["4", "长期推进数据治理。", "市数据局", "长期坚持"],
        ]);
        let r = read_table(&t, 1, "x", &HashSet::new(), None).expect("task table");
        let got: Vec<(Option<String>, Option<String>)> = r
            .tasks
            .iter()
            .map(|t| (t.deadline.map(|d| d.to_string()), t.deadline_text.clone()))
            .collect();
        let some = |d: &str, t: &str| (Some(d.to_string()), Some(t.to_string()));
        assert_eq!(
            got,
            [
                // The column states it: the text's `6月底前` does not count.
                some("2024-09-30", "2024年9月底"),
                // The year comes from the table's title.
                some("2024-12-31", "年内完成"),
                some("2024-12-31", "年底前"),
                (None, Some("长期坚持".to_string())),
            ]
        );
        // Without any year: the phrase is kept, undated, and warned about.
        let t = table(&[
            &["序号", "工作任务", "牵头单位"],
            &["1", "6月底前完成平台迁移。", "市数据局"],
        ]);
        let r = read_table(&t, 1, "x", &HashSet::new(), None).expect("task table");
        assert_eq!(r.tasks[0].deadline, None);
        assert_eq!(r.tasks[0].deadline_text.as_deref(), Some("6月底前完成"));
        assert!(r.warnings.iter().any(|w| w.code == Code::PlanDeadlineYear));
        // A plan year given by the caller dates it.
        let r = read_table(&t, 1, "x", &HashSet::new(), Some(2025)).expect("task table");
        assert_eq!(
            r.tasks[0].deadline.map(|d| d.to_string()).as_deref(),
            Some("2025-06-30")
        );
    }

    #[test]
    fn a_plain_responsible_column_leads_by_convention_only_without_a_lead_column() {
        let roles = |rows: &[&[&str]]| -> Vec<(String, &'static str, &'static str)> {
            let r = read_table(&table(rows), 1, "x", &HashSet::new(), None).expect("task table");
            r.tasks[0]
                .owners
                .iter()
                .map(|o| (o.name.clone(), o.role.as_str(), o.basis.as_str()))
                .collect()
        };
        // Only a 责任单位 column: the first unit leads by the genre's convention.
        assert_eq!(
            roles(&[
                &["序号", "重点任务", "责任单位"],
                &["1", "建设政务云平台。", "省数据局、省财政厅"],
            ]),
            [
                ("省数据局".to_string(), "lead", "convention"),
                ("省财政厅".to_string(), "responsible", "convention"),
            ]
        );
        // Beside a 牵头单位 column, even an empty one, the list is simply responsible.
        assert_eq!(
            roles(&[
                &["序号", "重点任务", "牵头单位", "责任单位"],
                &["1", "建设政务云平台。", "", "省数据局、省财政厅"],
            ]),
            [
                ("省数据局".to_string(), "responsible", "stated"),
                ("省财政厅".to_string(), "responsible", "stated"),
            ]
        );
    }

    #[test]
    fn flat_table_uses_its_numbers() {
        let t = table(&[
            &["编号", "主要任务", "责任单位", "联系人"],
            &["3", "开展试点", "省数字办", "张三"],
            &["4", "推广应用", "省经信委、财政厅", "李四"],
        ]);
        let r = read_table(&t, 1, "要点", &HashSet::new(), None).unwrap();
        let ids: Vec<&str> = r.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["3", "4"]);
        assert_eq!(r.tasks[1].owners.len(), 2);
        assert_eq!(r.tasks[1].owners[1].name, "省财政厅");
        assert!(r
            .tasks
            .iter()
            .all(|t| t.owners.iter().all(|o| o.name != "张三")));
        assert_eq!(r.tasks[0].category, "要点");
    }

    #[test]
    fn repeated_numbers_fall_back_to_positions_with_a_warning() {
        let t = table(&[
            &["序号", "工作任务", "牵头单位"],
            &["1", "甲", "省数字办"],
            &["1", "乙", "省数字办"],
        ]);
        let r = read_table(&t, 1, "要点", &HashSet::new(), None).unwrap();
        let ids: Vec<&str> = r.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        assert!(r.warnings.iter().any(|w| w.code == Code::PlanNumbering));
    }

    #[test]
    fn numbers() {
        assert_eq!(normalise_number("（一）").as_deref(), Some("1"));
        assert_eq!(normalise_number("12.").as_deref(), Some("12"));
        assert_eq!(normalise_number("1-2").as_deref(), Some("1.2"));
        assert_eq!(normalise_number("").as_deref(), None);
        assert_eq!(section_name("一、数字基础设施"), "数字基础设施");
        assert_eq!(section_name("（二）数字政府"), "数字政府");
        assert_eq!(section_name("十二五规划"), "十二五规划");
        assert_eq!(section_name("3. 保障"), "保障");
    }
}
