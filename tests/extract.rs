//! Plan extraction: golden tables for the seed (through the real binary), one test per
//! genre variant the extractor must understand, and a no-panic property.

use assert_cmd::Command;
use planq::plan::{extract, ExtractOptions, Plan, Role};
use proptest::prelude::*;

#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn planq() -> Command {
    let mut cmd = Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn plan(text: &str) -> Plan {
    extract(text, ExtractOptions::default())
}

/// Owners of one task as (name, role) pairs.
fn owners(p: &Plan, id: &str) -> Vec<(String, &'static str)> {
    let t = p
        .tasks
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no task {id}"));
    t.owners
        .iter()
        .map(|o| (o.name.clone(), o.role.as_str()))
        .collect()
}

fn o(name: &str, role: &'static str) -> (String, &'static str) {
    (name.to_string(), role)
}

// ---- golden tables of the seed -------------------------------------------------------

fn golden(table: &str) {
    let expected =
        std::fs::read_to_string(format!("tests/golden/seed/{table}.csv")).expect("golden file");
    let out = planq()
        .args(["export", "--table", table])
        .output()
        .expect("run planq");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        actual, expected,
        "table `{table}` differs from tests/golden/seed/{table}.csv"
    );
}

#[test]
fn seed_tasks_golden() {
    golden("tasks");
}

#[test]
fn seed_owners_golden() {
    golden("owners");
}

#[test]
fn seed_targets_golden() {
    golden("targets");
}

#[test]
fn seed_shape() {
    let p = plan(planq::plan::SEED);
    assert_eq!(p.title.as_deref(), Some("2010年数字福建工作要点"));
    assert!(p.preamble.starts_with("2010年是实施"));
    let cats: Vec<(&str, usize)> = p
        .categories
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                p.tasks.iter().filter(|t| t.category == c.name).count(),
            )
        })
        .collect();
    assert_eq!(
        cats,
        [
            ("精心谋划“十二五”发展规划", 2),
            ("继续推进便民服务项目建设", 6),
            ("继续深化电子政务应用", 8),
            ("推进农村和企业信息化建设", 5),
            ("完善信息化管理工作", 5),
        ]
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Every non-blank line of the seed is the title, the preamble, a heading or a task.
    let lines = planq::plan::SEED
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(lines, 1 + 1 + p.categories.len() + p.tasks.len());
}

// ---- genre variants ------------------------------------------------------------------

const THREE_LEVEL: &str = include_str!("fixtures/three-level.txt");

#[test]
fn three_level_ids_and_subcategories() {
    let p = plan(THREE_LEVEL);
    let ids: Vec<(&str, Option<&str>)> = p
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.subcategory.as_deref()))
        .collect();
    assert_eq!(
        ids,
        [
            ("1.1.1", Some("推进网络建设")),
            ("1.1.2", Some("推进网络建设")),
            ("1.1.3", Some("推进网络建设")),
            ("1.2.1", Some("强化数据支撑")),
            ("2.1", None),
            ("2.2", None),
            ("3", None),
        ]
    );
    // A section with no items is itself a task, titled by its heading.
    let last = p.tasks.last().expect("task");
    assert_eq!(
        (last.title.as_str(), last.category.as_str()),
        ("加强组织保障", "加强组织保障")
    );
}

#[test]
fn full_width_brackets_and_block_lines() {
    let p = plan(THREE_LEVEL);
    assert_eq!(
        owners(&p, "1.1.1"),
        [o("省通信管理局", "lead"), o("省工信厅", "support")]
    );
    assert_eq!(
        p.tasks[0].deadline.map(|d| d.to_string()).as_deref(),
        Some("2025-12-31")
    );
    assert_eq!(
        owners(&p, "1.1.2"),
        [
            o("省委网信办", "lead"),
            o("省通信管理局", "support"),
            o("省工信厅", "support")
        ]
    );
}

#[test]
fn labelled_clauses() {
    let p = plan(THREE_LEVEL);
    // A plain `责任单位：` list: the first unit leads by the genre's convention.
    assert_eq!(
        owners(&p, "1.1.3"),
        [
            o("省发改委", "lead"),
            o("省数据管理局", "responsible"),
            o("各设区市政府", "responsible")
        ]
    );
    assert_eq!(
        owners(&p, "1.2.1"),
        [o("省数据管理局", "lead"), o("省直各部门", "support")]
    );
}

#[test]
fn traditional_keywords_and_several_clauses() {
    let p = plan(THREE_LEVEL);
    assert_eq!(
        owners(&p, "2.1"),
        [o("省政务服务中心", "lead"), o("省直有關部門", "support")]
    );
    assert_eq!(
        owners(&p, "2.2"),
        [
            o("省政务服务中心", "responsible"),
            o("省数据管理局", "responsible")
        ]
    );
}

#[test]
fn targets_of_the_genre() {
    let p = plan(THREE_LEVEL);
    let got: Vec<(String, f64, String, String)> = p
        .targets()
        .map(|(_, t)| {
            (
                t.metric.clone(),
                t.value,
                t.unit.clone(),
                t.qualifier.clone(),
            )
        })
        .collect();
    let want = [
        ("5G基站", 15000.0, "个", ""),
        ("县", 84.0, "个", ""),
        ("政府网站IPv6支持率", 98.0, "%", "达到"),
        ("接入部门", 60.0, "个", "不少于"),
        ("日均调用", 1_000_000.0, "次", "以上"),
        ("一件事集成服务", 20.0, "项", ""),
        ("热线接通率", 95.0, "%", "以上"),
        ("平台融合", 2.0, "个", ""),
    ];
    let want: Vec<(String, f64, String, String)> = want
        .iter()
        .map(|(m, v, u, q)| (m.to_string(), *v, u.to_string(), q.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn chinese_comma_sections_with_arabic_items() {
    let p = plan("一、总体要求\n1、开展试点。(省数字办负责)\n2．推广应用。(省数字办牵头负责)\n二、保障措施\n1.加强领导。\n");
    let ids: Vec<&str> = p.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1.1", "1.2", "2.1"]);
    assert_eq!(owners(&p, "1.2"), [o("省数字办", "lead")]);
    assert!(p.tasks[2].owners.is_empty());
}

#[test]
fn depth_varies_by_section() {
    let p = plan("一、甲\n（一）子项\n1.任务一。(省A办负责)\n二、乙\n（一）任务二。(省B办负责)\n");
    let ids: Vec<(&str, Option<&str>)> = p
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.subcategory.as_deref()))
        .collect();
    assert_eq!(ids, [("1.1.1", Some("子项")), ("2.1", None)]);
}

#[test]
fn parentheses_that_are_not_owner_clauses() {
    let p = plan("一、网络\n（一）覆盖84个县（市、区）。(省通管局负责)\n");
    assert_eq!(owners(&p, "1.1"), [o("省通管局", "responsible")]);
    assert_eq!(p.tasks[0].title, "覆盖84个县（市、区）");
}

#[test]
fn lead_then_responsible_forms() {
    let p = plan("一、甲\n（一）任务。(省效能办、审改办、数字办牵头，各设区市等有关部门配合)\n");
    assert_eq!(
        owners(&p, "1.1"),
        [
            o("省效能办", "lead"),
            o("省审改办", "lead"),
            o("省数字办", "lead"),
            o("各设区市", "support"),
            // `X等有关部门`: X and the units concerned are both owners (issue 13).
            o("有关部门", "support")
        ]
    );
}

#[test]
fn roles_cover_every_keyword() {
    let p = plan(
        "一、甲\n（一）任务一。(省A厅牵头，省B厅参与，省C厅协办)\n（二）任务二。(牵头单位：省D局；责任单位：省E局)\n",
    );
    let roles: Vec<Role> = p
        .tasks
        .iter()
        .flat_map(|t| t.owners.iter().map(|o| o.role))
        .collect();
    assert_eq!(
        roles,
        [
            Role::Lead,
            Role::Support,
            Role::Support,
            Role::Lead,
            Role::Responsible
        ]
    );
}

#[test]
fn numbering_gaps_and_stray_text_are_warned() {
    let p =
        plan("一、甲\n（一）任务一。(省A厅负责)\n附：本条说明文字\n（三）任务三。(省B厅负责)\n");
    let codes: Vec<(&str, u32)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line))
        .collect();
    assert_eq!(
        codes,
        [
            ("planq::plan::unplaced_text", 3),
            ("planq::plan::numbering", 4)
        ]
    );
    // Nothing is lost: the stray line stays in the task it follows.
    assert!(p.tasks[0].text.contains("附：本条说明文字"));
}

#[test]
fn crlf_and_blank_lines() {
    let p = plan("计划\r\n\r\n一、甲\r\n\r\n（一）任务。(省A厅负责)\r\n");
    assert_eq!(p.tasks.len(), 1);
    assert_eq!(p.tasks[0].line, 5);
    assert_eq!(owners(&p, "1.1"), [o("省A厅", "responsible")]);
}

// ---- plans as they are really written (issue 13) --------------------------------------

/// Owners of one task as (name, role, basis).
fn owners_basis(p: &Plan, id: &str) -> Vec<(String, &'static str, &'static str)> {
    let t = p
        .tasks
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no task {id}"));
    t.owners
        .iter()
        .map(|o| (o.name.clone(), o.role.as_str(), o.basis.as_str()))
        .collect()
}

fn ob(name: &str, role: &'static str, basis: &'static str) -> (String, &'static str, &'static str) {
    (name.to_string(), role, basis)
}

#[test]
fn plain_lists_lead_by_convention_or_by_the_notice() {
    let text = "一、甲\n（一）任务一。（责任单位：省A厅、省B厅，省C局）\n（二）任务二。（牵头单位：省D局；责任单位：省E局、省F局）\n";
    let p = plan(text);
    assert_eq!(
        owners_basis(&p, "1.1"),
        [
            ob("省A厅", "lead", "convention"),
            ob("省B厅", "responsible", "convention"),
            ob("省C局", "responsible", "convention"),
        ]
    );
    // A stated lead beside a plain list: nobody leads by convention.
    assert_eq!(
        owners_basis(&p, "1.2"),
        [
            ob("省D局", "lead", "stated"),
            ob("省E局", "responsible", "stated"),
            ob("省F局", "responsible", "stated"),
        ]
    );
    let p = plan(&format!("计划\n排在第一位的为牵头单位。\n{text}"));
    assert_eq!(
        owners_basis(&p, "1.1")[..2],
        [
            ob("省A厅", "lead", "stated"),
            ob("省B厅", "responsible", "convention"),
        ]
    );
    // Block lines: a `牵头单位：` line and a `责任单位：` line are read together.
    let p = plan("一、甲\n（一）任务。\n牵头单位：县工信局\n责任单位：县财政局、各乡镇人民政府\n");
    assert_eq!(
        owners_basis(&p, "1.1"),
        [
            ob("县工信局", "lead", "stated"),
            ob("县财政局", "responsible", "stated"),
            ob("各乡镇人民政府", "responsible", "stated"),
        ]
    );
}

#[test]
fn carried_owners_xiatong_and_following_items() {
    let p = plan("一、甲\n（一）任务一。（市A局牵头，市B局配合，下同）\n（二）任务二。\n（三）任务三。（市C局负责）\n（四）任务四。\n二、乙\n（五）任务五。\n");
    assert_eq!(
        owners_basis(&p, "1.2"),
        [
            ob("市A局", "lead", "carried"),
            ob("市B局", "support", "carried")
        ]
    );
    assert_eq!(
        owners_basis(&p, "1.3"),
        [ob("市C局", "responsible", "stated")]
    );
    // Another clause ends the reach; a new section too.
    assert!(owners_basis(&p, "1.4").is_empty());
    assert!(owners_basis(&p, "2.5").is_empty());

    let p = plan("一、甲\n1.任务一。(牵头单位:市A局。以下任务均需各区市政府、开发区管委落实,不再一一列出)\n2.任务二。(市B局负责)\n");
    assert_eq!(owners_basis(&p, "1.1"), [ob("市A局", "lead", "stated")]);
    assert_eq!(
        owners_basis(&p, "1.2"),
        [
            ob("市B局", "responsible", "stated"),
            ob("各区市政府", "responsible", "carried"),
            ob("开发区管委", "responsible", "carried"),
        ]
    );
}

#[test]
fn ids_are_printed_numbers_and_straight_through_numbering_is_not_warned() {
    let p = plan("一、甲\n（一）任务一。\n（二）任务二。\n二、乙\n（三）任务三。\n（四）任务四。\n（五）任务五。\n（六）任务六。\n");
    let ids: Vec<&str> = p.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1.1", "1.2", "2.3", "2.4", "2.5", "2.6"]);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // A repeated number: warned, and a stable distinct id.
    let p = plan("一、甲\n1.任务一。\n2.任务二。\n2.任务二又一。\n3.任务三。\n");
    let ids: Vec<&str> = p.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1.1", "1.2", "1.2~2", "1.3"]);
    let codes: Vec<(&str, u32)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line))
        .collect();
    assert_eq!(codes, [("planq::plan::numbering", 4)]);
    // Items numbered 10 000 and above are items.
    let p = plan("一、甲\n9999.任务甲。\n10000.任务乙。\n10001.任务丙。\n");
    let ids: Vec<&str> = p.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1.9999", "1.10000", "1.10001"]);
}

#[test]
fn numbering_punctuation_variants_and_page_debris() {
    let p = plan("计划\n来源：市数据局\n【字体：大 中 小】\n一、甲\n1﹒任务一。\n2．任务二。\n二、乙\n（1）任务三。\n⑵任务四。\n3)任务五。\n打印本页\n640.webp.jpg\n");
    let ids: Vec<(&str, &str)> = p
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.title.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("1.1", "任务一"),
            ("1.2", "任务二"),
            ("2.1", "任务三"),
            ("2.2", "任务四"),
            ("2.3", "任务五"),
        ]
    );
    let debris: Vec<u32> = p
        .warnings
        .iter()
        .filter(|w| w.code == "planq::plan::debris")
        .map(|w| w.line)
        .collect();
    assert_eq!(debris, [2, 3, 11, 12]);
    assert!(!p.tasks.iter().any(|t| t.text.contains("webp")));
}

#[test]
fn a_numeral_on_a_line_of_its_own_is_recovered_and_warned() {
    let p = plan("计划\n一、数字经济\n（一）任务一。\n二\n数字政务\n（一）任务二。\n");
    let ids: Vec<(&str, &str)> = p
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.category.as_str()))
        .collect();
    assert_eq!(ids, [("1.1", "数字经济"), ("2.1", "数字政务")]);
    let codes: Vec<(&str, u32)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line))
        .collect();
    assert_eq!(codes, [("planq::plan::bare_numeral", 4)]);
}

#[test]
fn owner_clause_in_the_preamble_is_warned() {
    let p = plan("计划\n开展试点。（省A厅负责）\n一、甲\n（一）任务。（省B厅负责）\n");
    let codes: Vec<(&str, u32)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line))
        .collect();
    assert_eq!(codes, [("planq::plan::unplaced_owners", 2)]);
}

#[test]
fn unknown_labels_are_support_with_their_label_and_a_warning() {
    let p = plan("一、甲\n（一）任务。（牵头单位：市A局；数据提供单位：市B局、市C局）\n");
    let t = &p.tasks[0];
    let got: Vec<(&str, &str, Option<&str>)> = t
        .owners
        .iter()
        .map(|o| (o.name.as_str(), o.role.as_str(), o.label.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("市A局", "lead", Some("牵头单位")),
            ("市B局", "support", Some("数据提供单位")),
            ("市C局", "support", Some("数据提供单位")),
        ]
    );
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].code, "planq::plan::owner_label");
}

#[test]
fn deadlines_inside_owner_clauses() {
    let p = plan("2023年工作要点\n一、甲\n（一）任务一。（市A局负责，6月底前完成）\n（二）任务二。（责任单位：市B局；完成时限：2023年12月）\n");
    let d: Vec<Option<String>> = p
        .tasks
        .iter()
        .map(|t| t.deadline.map(|d| d.to_string()))
        .collect();
    assert_eq!(
        d,
        [
            Some("2023-06-30".to_string()),
            Some("2023-12-31".to_string())
        ]
    );
    assert_eq!(owners(&p, "1.1"), [o("市A局", "responsible")]);
    assert_eq!(owners(&p, "1.2"), [o("市B局", "lead")]);
}

#[test]
fn warnings_are_a_table() {
    let (_dir, path) = write_temp(
        "warned.txt",
        "一、甲\n（一）任务一。(省A厅负责)\n打印本页\n（三）任务三。(省B厅负责)\n",
    );
    let path = path.to_str().expect("path");
    planq()
        .args(["export", "--table", "warnings", "--plan", path])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "code,message,line,severity,plan\nplanq::plan::debris,page debris skipped: `打印本页`,3,info,warned\nplanq::plan::numbering,",
        ));
    planq()
        .args(["--plan", path, "-c", "warnings | count by code | sort code"])
        .assert()
        .success()
        .stdout(predicates::str::contains("planq::plan::numbering"));
}

/// The corpus of genre documents under `tests/plans/genre/`: each `NAME.txt` (hand-written
/// in the style of published provincial, city and county plans; simplified and traditional)
/// has its expected tables `expected/NAME.<table>.csv`, compared exactly through the binary.
#[test]
fn genre_corpus_tables_are_exact() {
    let dir = std::path::Path::new("tests/plans/genre");
    let mut docs: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 10, "the corpus has {} documents", docs.len());
    let bless = std::env::var_os("PLANQ_BLESS").is_some();
    let mut failures = Vec::new();
    for doc in &docs {
        let stem = doc.file_stem().and_then(|s| s.to_str()).expect("name");
        for table in ["tasks", "owners", "targets", "warnings"] {
            let out = planq()
                .args(["export", "--table", table, "--plan"])
                .arg(doc)
                .output()
                .expect("run planq");
            assert!(
                out.status.success(),
                "{stem}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let actual = String::from_utf8(out.stdout).expect("utf-8");
            let path = dir.join("expected").join(format!("{stem}.{table}.csv"));
            if bless {
                std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
                std::fs::write(&path, &actual).expect("write");
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if actual != expected {
                failures.push(format!(
                    "{}\n--- expected\n{expected}--- actual\n{actual}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- command line --------------------------------------------------------------------

#[test]
fn strict_turns_warnings_into_errors() {
    let (_dir, path) = write_temp(
        "gappy.txt",
        "一、甲\n（一）任务一。(省A厅负责)\n（三）任务三。(省B厅负责)\n",
    );
    let path = path.to_str().expect("path");
    planq()
        .args(["export", "--table", "tasks", "--plan", path])
        .assert()
        .success()
        .stderr(predicates::str::contains("planq::plan::numbering"));
    planq()
        .args(["export", "--table", "tasks", "--strict", "--plan", path])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("--strict"));
}

#[test]
fn a_document_without_tasks_is_an_error_with_a_hint() {
    let (_dir, path) = write_temp("prose.txt", "这是一段说明文字，没有编号。\n第二段。\n");
    planq()
        .args(["export", "--plan", path.to_str().expect("path")])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no tasks found"))
        .stderr(predicates::str::contains("一、"));
}

#[test]
fn missing_plan_file() {
    planq()
        .args(["export", "--plan", "/nonexistent/plan.txt"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "cannot read `/nonexistent/plan.txt`",
        ));
}

#[test]
fn export_out_dir_writes_every_table() {
    let dir = tempdir();
    for format in ["csv", "json"] {
        planq()
            .args([
                "export",
                "--format",
                format,
                "--progress",
                "examples/progress-2010.csv",
                "--out",
            ])
            .arg(&dir)
            .assert()
            .success();
        for t in planq::frames::TABLES {
            let f = dir.join(format!("{t}.{format}"));
            assert!(f.exists(), "{} missing", f.display());
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("shortfall.json")).expect("read"))
            .expect("json");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), 12);
    let unreported = rows
        .iter()
        .find(|r| r["status"] == "unreported")
        .expect("one");
    assert!(unreported["actual"].is_null() && unreported["as_of"].is_null());
}

#[test]
fn unknown_table_is_a_usage_error() {
    planq()
        .args(["export", "--table", "task"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `tasks`?"));
}

#[test]
fn bad_progress_file_loads_nothing_and_names_rows() {
    let (_dir, path) = write_temp(
        "bad.csv",
        "target_id,actual,as_of\n2.5#1,12x,2010-06-30\n2.5#9,5,2010-06-31\n",
    );
    let out = planq()
        .args([
            "export",
            "--table",
            "progress",
            "--progress",
            path.to_str().expect("path"),
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "3 errors",
        "`12x` is not a number",
        "no target `2.5#9`",
        "did you mean `2.5#1`",
        "`2010-06-31` is not a date",
        "bad.csv:2:",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

/// Writes `text` to a fresh temporary file named `name`; returns its directory (keep it
/// alive while the file is used: dropping it removes the file) and the file's path.
fn write_temp(name: &str, text: &str) -> (Scratch, std::path::PathBuf) {
    let dir = tempdir();
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// A fresh directory, numbered within this process, removed when the test passes.
fn tempdir() -> Scratch {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    Scratch::new("test", &N.fetch_add(1, Ordering::SeqCst).to_string())
}

// ---- robustness ----------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn extract_never_panics(text in "(\\PC|[（）()〔〕、，。；：\\n一二三四五六七八九十两百千万亿0-9.%牵头负责配合单位时限年月底])*") {
        let p = plan(&text);
        for t in &p.tasks {
            prop_assert!(!t.id.is_empty());
        }
    }

    #[test]
    fn extract_never_panics_on_plan_like_lines(lines in proptest::collection::vec(
        prop_oneof![
            Just("一、".to_string()), Just("（一）".to_string()), Just("(二)".to_string()),
            Just("1.".to_string()), Just("2、".to_string()), Just("(1)".to_string()),
            Just("牵头单位：".to_string()), Just("完成时限：".to_string()),
            "[省市县A-Z0-9两万%个所、，。（）()牵头负责配合]{0,12}",
        ],
        0..40,
    )) {
        let text = lines.join("\n");
        let _ = plan(&text);
    }
}

#[test]
fn a_report_repeated_in_a_second_progress_file_points_at_its_row() {
    let (_dir, again) = write_temp(
        "again.csv",
        "target_id,actual,as_of\n4.1#1,900,2010-12-31\n",
    );
    let out = planq()
        .args([
            "export",
            "--table",
            "progress",
            "--progress",
            "examples/progress-2010.csv",
            "--progress",
        ])
        .arg(&again)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already loaded from an earlier progress file"),
        "{err}"
    );
    assert!(err.contains("again.csv:2:"), "{err}");
}

/// The UTF-8 text plans among the fixtures, and the seed.
fn text_plans() -> Vec<(String, String)> {
    let mut out = vec![("seed".to_string(), planq::plan::SEED.to_string())];
    for f in fixtures::text_plan_files() {
        // UTF-16 and GB18030 fixtures are for the readers, not the extractor.
        if let Ok(text) = std::fs::read_to_string(&f) {
            out.push((f.display().to_string(), text));
        }
    }
    assert!(out.len() > 20, "fixtures not found");
    out
}

/// `extract_in_batches` (what `export --out` writes batch by batch) hands out exactly the
/// tasks `extract` gives, in order, in batches no larger than asked, and the rest of the
/// plan (warnings of every batch among them) is the same: carried owners (`下同`) cross
/// batch boundaries, duplicate ids keep their `~2`.
#[test]
fn batches_give_the_tasks_extract_gives() {
    for (name, text) in text_plans() {
        let whole = plan(&text);
        for size in [1, 2, 3, 7, 1000] {
            let mut tasks = Vec::new();
            let mut batches = 0;
            let mut rest = planq::plan::extract_in_batches(
                &text,
                ExtractOptions::default(),
                size,
                &mut |batch| {
                    assert!(
                        !batch.is_empty() && batch.len() <= size,
                        "{name}: batch of {}",
                        batch.len()
                    );
                    batches += 1;
                    tasks.extend(batch);
                },
            );
            assert_eq!(
                batches,
                whole.tasks.len().div_ceil(size),
                "{name}, batches of {size}"
            );
            assert!(rest.tasks.is_empty());
            rest.tasks = tasks;
            assert_eq!(rest, whole, "{name}, batches of {size}");
        }
    }
}
