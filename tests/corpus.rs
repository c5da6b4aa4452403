//! A corpus through the binary: 200 plans generated here, in every format planq reads
//! (UTF-8 text, GBK text, HTML, .docx, .xlsx, CSV task tables), loaded from one directory;
//! the `plans` table and cross-plan queries checked against what the generator wrote; a
//! bad file (reported, the rest load; `--strict` refuses); globs; Parquet export read back
//! with polars; `.load` and `.plans` in a REPL on a pseudo-terminal.
//!
//! How each file is made: text is written as UTF-8, or encoded to GBK with encoding_rs;
//! HTML is a page with a `<title>`, an `<h1>` and one `<p>` per line; .docx is a minimal
//! Word package written with the zip crate (`[Content_Types].xml` and `word/document.xml`,
//! one `<w:p>` per line); .xlsx is written with rust_xlsxwriter and CSV by hand, both as
//! a task-division table (a title row, then `序号,类别,重点任务,牵头单位,配合单位,责任单位`).
//! The generator is deterministic (a fixed-seed LCG), so every run writes the same corpus.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use rexpect::session::spawn_command;

mod common;

use common::pty::{command, expect, quit, PROMPT, TIMEOUT_MS};
use common::scratch::Scratch;

/// A small deterministic generator (Knuth's LCG constants).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// (how the title names the place, the region planq should read from it, province or city)
const PLACES: &[(&str, &str, bool)] = &[
    ("数字福建", "福建", true),
    ("福州市数字政府", "福州", false),
    ("数字厦门", "厦门", false),
    ("广东省数字政府", "广东", true),
    ("数字浙江", "浙江", true),
    ("杭州市数字经济", "杭州", false),
    ("数字江苏", "江苏", true),
    ("南京市智慧城市", "南京", false),
];

const SECTIONS: &[&str] = &[
    "夯实数字基础设施",
    "提升数字政府效能",
    "壮大数字经济",
    "培育数据要素市场",
    "加强网络安全保障",
    "推进数字社会建设",
];

const TASKS: &[&str] = &[
    "推进政务云平台扩容",
    "建设城市运行管理平台",
    "深化一网通办改革",
    "推广电子证照应用",
    "开展公共数据授权运营",
    "建设工业互联网标识节点",
    "完善政务外网",
    "推进中小企业数字化转型",
    "开展数据安全检查",
    "建设智慧教育平台",
];

const METRICS: &[&str] = &["5G基站", "智慧社区", "数字化车间", "数据开放目录"];

/// Owner names of a province's or a city's plans. From 2022 the data bureau has a new
/// name, so some owners of 2021 are gone in 2022 (what `join anti` finds).
fn owner_pool(province: bool, year: i32) -> Vec<&'static str> {
    let mut pool = if province {
        vec![
            "省数字办",
            "省发改委",
            "省工信厅",
            "省财政厅",
            "省教育厅",
            "省公安厅",
            "省商务厅",
        ]
    } else {
        vec![
            "市大数据局",
            "市发改委",
            "市工信局",
            "市财政局",
            "市教育局",
            "市公安局",
            "市商务局",
        ]
    };
    if year >= 2022 {
        pool[0] = if province {
            "省大数据局"
        } else {
            "市数据管理局"
        };
    }
    pool
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fmt {
    Utf8,
    Gbk,
    Html,
    Docx,
    Xlsx,
    Csv,
}

impl Fmt {
    const ALL: [Fmt; 6] = [
        Fmt::Utf8,
        Fmt::Gbk,
        Fmt::Html,
        Fmt::Docx,
        Fmt::Xlsx,
        Fmt::Csv,
    ];
    fn ext(self) -> &'static str {
        match self {
            Fmt::Utf8 | Fmt::Gbk => "txt",
            Fmt::Html => "html",
            Fmt::Docx => "docx",
            Fmt::Xlsx => "xlsx",
            Fmt::Csv => "csv",
        }
    }
    /// What planq says it read (`plans.format`).
    fn read_as(self) -> &'static str {
        match self {
            Fmt::Utf8 | Fmt::Gbk => "text",
            Fmt::Html => "html",
            Fmt::Docx => "docx",
            Fmt::Xlsx => "xlsx",
            Fmt::Csv => "csv",
        }
    }
}

struct Item {
    task: String,
    target: Option<(u32, &'static str)>,
    lead: &'static str,
    support: Option<&'static str>,
    /// `（X负责）` instead of `（X牵头）` when there is no support.
    responsible: bool,
}

struct Gen {
    id: String,
    fmt: Fmt,
    year: i32,
    region: &'static str,
    title: String,
    sections: Vec<(&'static str, Vec<Item>)>,
}

impl Gen {
    fn items(&self) -> impl Iterator<Item = (&'static str, &Item)> {
        self.sections
            .iter()
            .flat_map(|(s, items)| items.iter().map(move |i| (*s, i)))
    }
    fn tasks(&self) -> usize {
        self.items().count()
    }
    fn owners(&self) -> usize {
        self.items()
            .map(|(_, i)| 1 + usize::from(i.support.is_some()))
            .sum()
    }
    fn targets(&self) -> usize {
        self.items().filter(|(_, i)| i.target.is_some()).count()
    }
    /// (owner, role) rows.
    fn owner_rows(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for (_, i) in self.items() {
            match i.support {
                Some(s) => {
                    out.push((i.lead, "lead"));
                    out.push((s, "support"));
                }
                None if i.responsible => out.push((i.lead, "responsible")),
                None => out.push((i.lead, "lead")),
            }
        }
        out
    }
    fn task_text(i: &Item) -> String {
        match i.target {
            Some((n, m)) => format!("{}。年内建成{n}个{m}", i.task),
            None => i.task.clone(),
        }
    }
    /// The plan as lines of prose.
    fn prose(&self) -> Vec<String> {
        const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        let mut lines = vec![
            self.title.clone(),
            format!("为加快推进数字化建设，现提出{}年工作要点如下。", self.year),
        ];
        for (k, (section, items)) in self.sections.iter().enumerate() {
            lines.push(format!("{}、{section}", CN[k]));
            for (j, i) in items.iter().enumerate() {
                let clause = match (i.support, i.responsible) {
                    (Some(s), _) => format!("（{}牵头，{s}配合）", i.lead),
                    (None, true) => format!("（{}负责）", i.lead),
                    (None, false) => format!("（{}牵头）", i.lead),
                };
                lines.push(format!("（{}）{}。{clause}", CN[j], Self::task_text(i)));
            }
        }
        lines
    }
    /// The plan as a task-division table: title row, header, one row per task.
    fn table(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            vec![self.title.clone()],
            [
                "序号",
                "类别",
                "重点任务",
                "牵头单位",
                "配合单位",
                "责任单位",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ];
        for (n, (section, i)) in self.items().enumerate() {
            let (lead, resp) = if i.support.is_none() && i.responsible {
                ("", i.lead)
            } else {
                (i.lead, "")
            };
            rows.push(vec![
                (n + 1).to_string(),
                section.to_string(),
                format!("{}。", Self::task_text(i)),
                lead.to_string(),
                i.support.unwrap_or("").to_string(),
                resp.to_string(),
            ]);
        }
        rows
    }

    fn write(&self, dir: &Path) {
        let path = dir.join(format!("{}.{}", self.id, self.fmt.ext()));
        let text = self.prose().join("\n") + "\n";
        let bytes: Vec<u8> = match self.fmt {
            Fmt::Utf8 => text.into_bytes(),
            Fmt::Gbk => {
                let (b, _, bad) = encoding_rs::GBK.encode(&text);
                assert!(!bad, "GBK cannot encode the plan");
                b.into_owned()
            }
            Fmt::Html => {
                let body: String = self
                    .prose()
                    .iter()
                    .skip(1)
                    .map(|l| format!("<p>{l}</p>\n"))
                    .collect();
                format!(
                    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\n<body>\n<h1>{t}</h1>\n{body}</body></html>\n",
                    t = self.title
                )
                .into_bytes()
            }
            Fmt::Docx => docx(&self.prose()),
            Fmt::Xlsx => {
                let mut wb = rust_xlsxwriter::Workbook::new();
                let ws = wb.add_worksheet();
                for (r, row) in self.table().iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        if !cell.is_empty() {
                            ws.write_string(r as u32, c as u16, cell).expect("cell");
                        }
                    }
                }
                wb.save_to_buffer().expect("xlsx")
            }
            Fmt::Csv => {
                let quote = |s: &str| {
                    if s.contains([',', '"', '\n']) {
                        format!("\"{}\"", s.replace('"', "\"\""))
                    } else {
                        s.to_string()
                    }
                };
                let mut out = String::new();
                for row in self.table() {
                    let mut cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
                    cells.resize(6, String::new());
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
                out.into_bytes()
            }
        };
        std::fs::write(path, bytes).expect("write plan");
    }
}

/// A minimal Word package: one paragraph per line.
fn docx(lines: &[String]) -> Vec<u8> {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body: String = lines
        .iter()
        .map(|l| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", esc(l)))
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opts).expect("zip");
        z.write_all(types.as_bytes()).expect("zip");
        z.start_file("word/document.xml", opts).expect("zip");
        z.write_all(document.as_bytes()).expect("zip");
        z.finish().expect("zip");
    }
    buf.into_inner()
}

/// `n` plans: years 2019–2024, the places above, 2–4 sections of 1–4 tasks, every format
/// in turn.
fn generate(n: usize) -> Vec<Gen> {
    let mut rng = Rng(20_101_231);
    (0..n)
        .map(|k| {
            let year = 2019 + rng.below(6) as i32;
            let (place, region, province) = PLACES[rng.below(PLACES.len())];
            let pool = owner_pool(province, year);
            let fmt = Fmt::ALL[k % Fmt::ALL.len()];
            let mut sections = Vec::new();
            for s in SECTIONS {
                if sections.len() < 4 && (rng.below(3) > 0 || sections.is_empty()) {
                    let items = (0..1 + rng.below(4))
                        .map(|_| {
                            let lead = pool[rng.below(pool.len())];
                            let support = match rng.below(3) {
                                0 => None,
                                _ => Some(pool[rng.below(pool.len())]).filter(|s| *s != lead),
                            };
                            Item {
                                task: TASKS[rng.below(TASKS.len())].to_string(),
                                target: (rng.below(3) == 0).then(|| {
                                    (10 * (1 + rng.below(90)) as u32, METRICS[rng.below(4)])
                                }),
                                lead,
                                support,
                                responsible: rng.below(2) == 0,
                            }
                        })
                        .collect();
                    sections.push((*s, items));
                }
            }
            if sections.len() < 2 {
                sections.push((
                    SECTIONS[5],
                    vec![Item {
                        task: TASKS[0].to_string(),
                        target: None,
                        lead: pool[1],
                        support: None,
                        responsible: false,
                    }],
                ));
            }
            Gen {
                id: format!("p{k:03}-{year}"),
                fmt,
                year,
                region,
                title: format!("{year}年{place}建设工作要点"),
                sections,
            }
        })
        .collect()
}

fn tempdir(name: &str) -> Scratch {
    common::pty::tempdir("corpus", name)
}

/// Writes the corpus into a fresh directory.
fn corpus(name: &str, n: usize) -> (Scratch, Vec<Gen>) {
    let dir = tempdir(name);
    let plans = dir.join("plans");
    std::fs::create_dir_all(&plans).expect("dir");
    let gens = generate(n);
    for g in &gens {
        g.write(&plans);
    }
    (dir, gens)
}

fn planq(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planq"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run planq")
}

/// stdout of a successful run.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = planq(dir, args);
    assert!(
        out.status.success(),
        "planq {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn query(dir: &Path, q: &str) -> String {
    ok(dir, &["--plan", "plans", "--format", "csv", "-c", q])
}

#[test]
fn two_hundred_plans_in_every_format_from_a_directory() {
    let (dir, gens) = corpus("all", 200);
    for f in Fmt::ALL {
        assert!(gens.iter().filter(|g| g.fmt == f).count() >= 30, "{f:?}");
    }

    // The plans table, exactly.
    let mut expected =
        String::from("plan,file,format,title,year,region,issuer,tasks,owners,targets,warnings\n");
    for g in &gens {
        // The generated titles name no issuer, and no line under them does.
        expected.push_str(&format!(
            "{id},plans/{id}.{ext},{fmt},{title},{year},{region},,{t},{o},{g},0\n",
            id = g.id,
            ext = g.fmt.ext(),
            fmt = g.fmt.read_as(),
            title = g.title,
            year = g.year,
            region = g.region,
            t = g.tasks(),
            o = g.owners(),
            g = g.targets(),
        ));
    }
    let out = planq(&dir, &["--plan", "plans", "--format", "csv", "-c", "plans"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "a clean corpus loads silently: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    // Every table has the plan column, last; every plan's rows are there.
    let counts = query(&dir, "owners | count by plan");
    let mut want = String::from("plan,count\n");
    for g in &gens {
        want.push_str(&format!("{},{}\n", g.id, g.owners()));
    }
    assert_eq!(counts, want);
    for table in [
        "tasks",
        "owners",
        "targets",
        "categories",
        "progress",
        "shortfall",
        "warnings",
    ] {
        let header = query(&dir, &format!("{table} | take 0"));
        assert!(header.trim_end().ends_with(",plan"), "{table}: {header}");
    }

    // Leads per owner per year.
    let mut leads: BTreeMap<(i32, &str), usize> = BTreeMap::new();
    for g in &gens {
        for (o, role) in g.owner_rows() {
            if role == "lead" {
                *leads.entry((g.year, o)).or_default() += 1;
            }
        }
    }
    let mut want = String::from("year,owner,count\n");
    for ((y, o), n) in &leads {
        want.push_str(&format!("{y},{o},{n}\n"));
    }
    assert_eq!(
        query(
            &dir,
            r#"owners | where role == "lead" | join (plans | select plan, year) on plan | count by year, owner | sort year, owner"#
        ),
        want
    );

    // Owners of 2021 that no 2022 plan names.
    let names = |y: i32| -> BTreeSet<&str> {
        gens.iter()
            .filter(|g| g.year == y)
            .flat_map(|g| g.owner_rows().into_iter().map(|(o, _)| o))
            .collect()
    };
    let gone: Vec<&str> = names(2021).difference(&names(2022)).copied().collect();
    assert!(!gone.is_empty(), "the generator renames an owner in 2022");
    let want = format!("owner\n{}\n", gone.join("\n"));
    assert_eq!(
        query(
            &dir,
            "let y = plans | select plan, year\n\
             let in2022 = owners | join y on plan | where year == 2022 | select owner\n\
             owners | join y on plan | where year == 2021 | distinct owner | join anti in2022 on owner | sort owner"
        ),
        want
    );

    // Categories with more tasks in 2022 than in 2021.
    let per = |y: i32| -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for g in gens.iter().filter(|g| g.year == y) {
            for (s, _) in g.items() {
                *m.entry(s).or_default() += 1;
            }
        }
        m
    };
    let (a, b) = (per(2021), per(2022));
    let mut want = String::from("name,tasks_2021,tasks_2022\n");
    for (name, n22) in &b {
        if let Some(n21) = a.get(name) {
            if n22 > n21 {
                want.push_str(&format!("{name},{n21},{n22}\n"));
            }
        }
    }
    assert!(want.lines().count() > 1, "some category grew: {a:?} {b:?}");
    assert_eq!(
        query(
            &dir,
            "let y = plans | select plan, year\n\
             let per = categories | join y on plan | summarize tasks = sum(tasks) by year, name\n\
             per | where year == 2021 | join (per | where year == 2022) on name\n\
               | where tasks_right > tasks\n\
               | select name, tasks_2021 = tasks, tasks_2022 = tasks_right | sort name"
        ),
        want
    );

    // The load counter (on a terminal after a moment; forced here) ends cleared.
    let out = Command::new(env!("CARGO_BIN_EXE_planq"))
        .args(["--plan", "plans", "-c", "plans | count"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env("PLANQ_TEST_COUNTER_MS", "0")
        .output()
        .expect("run planq");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("/{}", gens.len())), "{stderr}");
    assert!(stderr.starts_with("\rloading plans "), "{stderr:?}");
    assert!(stderr.ends_with("\r\x1b[K"), "{stderr:?}");

    // A glob loads only what it matches (quoted: planq expands it).
    let html = gens.iter().filter(|g| g.fmt == Fmt::Html).count();
    assert_eq!(
        ok(
            &dir,
            &[
                "--plan",
                "plans/*.html",
                "--format",
                "csv",
                "-c",
                "plans | count"
            ]
        ),
        format!("count\n{html}\n")
    );
}

#[test]
fn a_bad_file_is_reported_and_the_rest_load_unless_strict() {
    let (dir, gens) = corpus("bad", 12);
    std::fs::write(
        dir.join("plans/zz-notes.txt"),
        "会议纪要\n请各单位认真落实。\n",
    )
    .expect("bad");
    std::fs::write(dir.join("plans/.hidden.txt"), "not a plan").expect("hidden");
    let out = planq(
        &dir,
        &["--plan", "plans", "--format", "csv", "-c", "plans | count"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("count\n{}\n", gens.len())
    );
    assert!(stderr.contains("planq::plan::no_tasks"), "{stderr}");
    assert!(stderr.contains("zz-notes.txt"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "1 of {} plan files could not be loaded; the other {} are loaded",
            gens.len() + 1,
            gens.len()
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(".hidden"),
        "hidden files are skipped: {stderr}"
    );

    let out = planq(
        &dir,
        &[
            "--plan",
            "plans",
            "--strict",
            "--format",
            "csv",
            "-c",
            "plans | count",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing runs under --strict");
    assert!(stderr.contains("--strict makes that an error"), "{stderr}");
    assert!(stderr.contains("zz-notes.txt"), "{stderr}");

    // A glob that matches nothing is a bad argument too.
    let out = planq(&dir, &["--plan", "nowhere/*.txt", "-c", "plans"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("planq::corpus::no_match"));
}

#[test]
fn progress_names_the_plan_when_a_target_id_is_in_several() {
    let (dir, gens) = corpus("progress", 12);
    // A target id that several plans have, and one plan that has it.
    let ids = query(&dir, "targets | select plan, id");
    let rows: Vec<(&str, &str)> = ids
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .collect();
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (p, id) in &rows {
        by_id.entry(id).or_default().push(p);
    }
    let (shared, plans) = by_id
        .iter()
        .find(|(_, ps)| ps.len() > 1)
        .expect("a target id in two plans");
    assert!(gens.len() > 1);
    std::fs::write(
        dir.join("ambiguous.csv"),
        format!("target_id,actual,as_of\n{shared},5,2022-06-30\n"),
    )
    .expect("progress");
    let out = planq(
        &dir,
        &[
            "--plan",
            "plans",
            "--progress",
            "ambiguous.csv",
            "-c",
            "progress",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("planq::progress::ambiguous_target"),
        "{stderr}"
    );
    assert!(stderr.contains("add a `plan` column"), "{stderr}");

    std::fs::write(
        dir.join("named.csv"),
        format!(
            "plan,target_id,actual,as_of\n{p},{shared},5,2022-06-30\n",
            p = plans[1]
        ),
    )
    .expect("progress");
    let out = ok(
        &dir,
        &[
            "--plan",
            "plans",
            "--progress",
            "named.csv",
            "--format",
            "csv",
            "-c",
            r#"shortfall | where actual is not null | select plan, target_id, actual"#,
        ],
    );
    assert_eq!(
        out,
        format!("plan,target_id,actual\n{},{shared},5\n", plans[1])
    );

    std::fs::write(
        dir.join("typo.csv"),
        format!("plan,target_id,actual,as_of\nnope,{shared},5,2022-06-30\n"),
    )
    .expect("progress");
    let out = planq(
        &dir,
        &[
            "--plan",
            "plans",
            "--progress",
            "typo.csv",
            "-c",
            "progress",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("planq::progress::unknown_plan"));
}

#[test]
fn parquet_export_reads_back_as_the_json_export() {
    use polars::prelude::*;
    let (dir, _) = corpus("parquet", 12);
    ok(
        &dir,
        &[
            "--plan", "plans", "export", "--format", "parquet", "--out", "pq",
        ],
    );
    ok(
        &dir,
        &[
            "--plan", "plans", "export", "--format", "json", "--output", "all.json",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("all.json")).expect("json"))
            .expect("json");
    let tables = json.as_object().expect("an object of tables");
    assert!(tables.contains_key("plans"));
    for (name, rows) in tables {
        let file = std::fs::File::open(dir.join("pq").join(format!("{name}.parquet")))
            .unwrap_or_else(|e| panic!("{name}.parquet: {e}"));
        let df = ParquetReader::new(file).finish().expect("parquet");
        let plan_at = if name == "plans" { 0 } else { df.width() - 1 };
        assert_eq!(df.get_column_names()[plan_at].as_str(), "plan", "{name}");
        let back = serde_json::to_value(planq::render::Rows(&df)).expect("rows");
        assert_eq!(&back, rows, "{name}");
    }
    // One table into a pipe; all tables into one stream is refused.
    let out = planq(
        &dir,
        &[
            "--plan", "plans", "export", "--format", "parquet", "--table", "tasks",
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PAR1"));
    let out = planq(&dir, &["export", "--format", "parquet"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn repl_load_adds_plans_and_dot_plans_lists_them() {
    let (dir, gens) = corpus("repl", 6);
    let mut p = spawn_command(command(&dir), Some(TIMEOUT_MS)).expect("spawn planq in a pty");
    expect(&mut p, PROMPT).expect("prompt");
    p.send_line(".format csv").expect("send");
    expect(&mut p, PROMPT).expect("prompt");
    // The first .load replaces the embedded seed plan.
    let first = format!("plans/{}.{}", gens[0].id, gens[0].fmt.ext());
    p.send_line(&format!(".load {first}")).expect("send");
    expect(&mut p, &format!("loaded plan {first} as `{}`", gens[0].id)).expect("loaded");
    expect(&mut p, PROMPT).expect("prompt");
    // A directory adds the rest; the file already loaded is refused with a hint.
    p.send_line(".load plans").expect("send");
    expect(&mut p, "planq::corpus::already_loaded").expect("refused");
    expect(
        &mut p,
        &format!("loaded {} plans from plans", gens.len() - 1),
    )
    .expect("added");
    expect(&mut p, PROMPT).expect("prompt");
    p.send_line(".plans").expect("send");
    for g in &gens {
        expect(&mut p, &format!("{},plans/{}", g.id, g.id)).expect("listed");
    }
    expect(&mut p, PROMPT).expect("prompt");
    p.send_line("tasks | count").expect("send");
    let total: usize = gens.iter().map(Gen::tasks).sum();
    expect(&mut p, &format!("count\r\n{total}")).expect("all tasks");
    expect(&mut p, PROMPT).expect("prompt");
    quit(p);
}

#[test]
fn a_join_that_ignores_plan_gets_advice() {
    let (dir, _) = corpus("joins", 6);
    let run = |q: &str| {
        let out = planq(&dir, &["--plan", "plans", "--format", "csv", "-c", q]);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run("owners | join tasks on task_id == id | count");
    assert!(err.contains("planq::hint::join_without_plan"), "{err}");
    assert!(err.contains("add `plan,` to the keys"), "{err}");
    assert!(run("owners | join tasks on plan, task_id == id | count").is_empty());
    // Across plans on purpose: one side without `plan`.
    assert!(run("owners | join (tasks | select id, title) on task_id == id | count").is_empty());
    // One plan: no advice (the seed).
    let out = planq(
        &dir,
        &["-c", "owners | join tasks on task_id == id | count"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn aliases_apply_to_each_plan_for_its_own_year() {
    let dir = tempdir("aliases");
    // Only up to 2021: 福州's data bureau was renamed in 2022 (examples/corpus).
    std::fs::write(
        dir.join("aliases.csv"),
        "alias,canonical,from,to\n市大数据委,市数据管理局,,2021\n市信息中心,市大数据局,2023,\n",
    )
    .expect("aliases");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/corpus");
    let corpus = corpus.to_str().expect("path");
    let out = ok(
        &dir,
        &[
            "--plan",
            corpus,
            "--aliases",
            "aliases.csv",
            "--format",
            "csv",
            "-c",
            "owners | where owner != owner_raw | count by plan, owner_raw, owner",
            "-c",
            r#"owners | where owner == "市数据管理局" | count by plan"#,
        ],
    );
    // 市信息中心 (厦门 2021) is outside its alias's years and keeps its name.
    assert_eq!(
        out,
        "plan,owner_raw,owner,count\nfuzhou-2021,市大数据委,市数据管理局,3\n\
         plan,count\nfuzhou-2021,3\nfuzhou-2022,5\n"
    );
}

/// `issuer`: the body a notice's title starts with, or a line right under the title
/// names (alone, or after `发文机关：`); null when neither does, even if a body is named
/// further down. Fixtures in `tests/plans/issuers/`, written by hand in the form of
/// published notices (a title `X关于印发…的通知`, a document number, an addressee line).
#[test]
fn issuers_from_notice_titles_and_the_lines_under_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = ok(
        dir,
        &[
            "--plan",
            "tests/plans/issuers",
            "--format",
            "csv",
            "-c",
            "plans | select plan, issuer, tasks, year",
        ],
    );
    // The notice's year is the published plan's (`…关于印发2011年…的通知`); the joint
    // notice's title is too long to be taken as the title, so it has no year.
    assert_eq!(
        out,
        "plan,issuer,tasks,year\n\
         1-province-notice,福建省人民政府办公厅,3,2011\n\
         2-city-office-line,榕城市数字办,2,2021\n\
         3-joint-issuers,中共榕城市委办公室、榕城市人民政府办公室,1,\n\
         4-labelled-line,榕城市数字榕城建设领导小组办公室,1,2023\n\
         5-none-named,,1,2024\n"
    );
}
