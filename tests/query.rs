//! The query language end to end through the library: every stage, operator, function,
//! aggregate, join kind and null rule, checked against exact expected tables.

use planq::render::{self, Format};
use planq::{Engine, Value};
use polars::prelude::*;

/// The seed plan with the sample progress, plus a small table `t` full of nulls.
fn engine() -> Engine {
    let mut e = Engine::seed().expect("seed");
    e.add_progress_file("examples/progress-2010.csv")
        .expect("progress");
    let days = |s: &str| planq::plan::Date::parse_iso(s).map(|d| d.days_since_epoch());
    let t = DataFrame::new(
        5,
        vec![
            Column::new(
                "k".into(),
                [Some("a"), Some("B"), None, Some("a"), Some("省数字办")],
            ),
            Column::new("n".into(), [Some(1i64), Some(5), None, Some(3), None]),
            Column::new(
                "x".into(),
                [Some(2.5f64), Some(-2.5), Some(0.125), None, Some(10.0)],
            ),
            Column::new(
                "d".into(),
                [
                    days("2010-06-30"),
                    None,
                    days("2011-01-01"),
                    days("2010-12-31"),
                    None,
                ],
            )
            .cast(&DataType::Date)
            .expect("date"),
        ],
    )
    .expect("frame");
    e.register_table("t", t).expect("register");
    let right = DataFrame::new(
        3,
        vec![
            Column::new("k".into(), ["a", "B", "z"]),
            Column::new("n".into(), [10i64, 20, 30]),
            Column::new("label".into(), ["alpha", "beta", "zed"]),
        ],
    )
    .expect("frame");
    e.register_table("r", right).expect("register");
    e
}

fn csv_of(df: &DataFrame) -> String {
    let mut out = Vec::new();
    render::write(df, Format::Csv, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// Runs `q` and returns its result as CSV.
fn q(engine: &Engine, q: &str) -> String {
    match engine.query(q) {
        Ok(df) => csv_of(&df),
        Err(e) => panic!("query failed: {q}\n{}", planq::cli::report(&e, false)),
    }
}

fn types(engine: &Engine, q: &str) -> Vec<String> {
    let df = engine.query(q).expect("query");
    df.dtypes()
        .iter()
        .map(|d| planq::engine::type_name(d).to_string())
        .collect()
}

// ---- stages ---------------------------------------------------------------------------

#[test]
fn where_keeps_only_true() {
    let e = engine();
    assert_eq!(q(&e, "t | where n > 1 | select n"), "n\n5\n3\n");
    // null > 1 is null, and so is not (null > 1): neither row is kept.
    assert_eq!(q(&e, "t | where not (n > 1) | select n"), "n\n1\n");
}

#[test]
fn select_names_and_computed_columns() {
    let e = engine();
    assert_eq!(
        q(&e, "t | select k, n + 1, x as y, z = n * 2 | take 2"),
        "k,n + 1,y,z\na,2,2.5,2\nB,6,-2.5,10\n"
    );
    assert_eq!(
        q(&e, "tasks | select len(title) | take 1"),
        "len(title)\n10\n"
    );
}

#[test]
fn derive_sees_earlier_items_and_replaces_columns() {
    let e = engine();
    assert_eq!(
        q(
            &e,
            "t | derive m = n * 10, m2 = m + 1, n = 0 | select n, m, m2 | take 2"
        ),
        "n,m,m2\n0,10,11\n0,50,51\n"
    );
}

#[test]
fn summarize_and_count() {
    let e = engine();
    assert_eq!(
        q(&e, "t | summarize rows = count(), ns = count(n), total = sum(n), kinds = count_distinct(k) by k"),
        "k,rows,ns,total,kinds\na,2,2,4,1\nB,1,1,5,1\n,1,0,,0\n省数字办,1,0,,1\n"
    );
    assert_eq!(q(&e, "t | count"), "count\n5\n");
    assert_eq!(
        q(&e, "t | count by k | sort count desc | take 1"),
        "k,count\na,2\n"
    );
    assert_eq!(
        q(&e, "t | summarize lo = min(x), hi = max(x), mid = median(x), mean = avg(n), f = first(k), l = last(k)"),
        "lo,hi,mid,mean,f,l\n-2.5,10,1.3125,3,a,省数字办\n"
    );
    assert_eq!(
        q(&e, "t | where k == \"a\" | summarize ks = concat(k, \"+\")"),
        "ks\na+a\n"
    );
    assert_eq!(
        q(&e, "t | count by year(d)"),
        "year(d),count\n2010,2\n,2\n2011,1\n"
    );
}

#[test]
fn sort_puts_nulls_last_both_ways() {
    let e = engine();
    assert_eq!(q(&e, "t | sort n | select n"), "n\n1\n3\n5\n\n\n");
    assert_eq!(q(&e, "t | sort by n desc | select n"), "n\n5\n3\n1\n\n\n");
    assert_eq!(
        q(&e, "t | sort k, x desc | select k, x"),
        "k,x\nB,-2.5\na,2.5\na,\n省数字办,10\n,0.125\n"
    );
}

#[test]
fn take_limit_top() {
    let e = engine();
    assert_eq!(q(&e, "t | take 2 | select n"), "n\n1\n5\n");
    assert_eq!(q(&e, "t | limit 1 | select n"), "n\n1\n");
    assert_eq!(q(&e, "t | top 2 by n | select n"), "n\n5\n3\n");
    assert_eq!(q(&e, "t | top 2 by x asc | select x"), "x\n-2.5\n0.125\n");
    assert_eq!(q(&e, "t | take 0 | select n"), "n\n");
}

#[test]
fn distinct_and_rename() {
    let e = engine();
    assert_eq!(q(&e, "t | distinct k"), "k\na\nB\n\n省数字办\n");
    assert_eq!(
        q(&e, "owners | distinct role | sort role"),
        "role\nlead\nresponsible\nsupport\n"
    );
    assert_eq!(q(&e, "t | rename 名 = k | select 名 | take 1"), "名\na\n");
}

#[test]
fn joins_of_every_kind() {
    let e = engine();
    assert_eq!(
        q(&e, "t | select k, n | join r on k"),
        "k,n,n_right,label\na,1,10,alpha\nB,5,20,beta\na,3,10,alpha\n"
    );
    assert_eq!(
        q(
            &e,
            "t | select k, x | join left r on k == k | select k, label"
        ),
        "k,label\na,alpha\nB,beta\n,\na,alpha\n省数字办,\n"
    );
    assert_eq!(
        q(&e, "t | join semi r on k | select k, n"),
        "k,n\na,1\nB,5\na,3\n"
    );
    assert_eq!(q(&e, "t | join anti r on k | select k"), "k\n\n省数字办\n");
    // The right key is dropped; a sub-pipeline may stand on the right.
    assert_eq!(
        q(&e, "owners | where role == \"lead\" | join (tasks | select id, title) on task_id == id | take 1"),
        "task_id,owner,role,position,basis,label,plan,title\n1.1,省数字办,lead,1,stated,,seed,开展电子政务顶层设计\n"
    );
}

#[test]
fn let_bindings_and_params() {
    let mut e = engine();
    assert_eq!(
        q(
            &e,
            "let leads = owners | where role == \"lead\"\nleads | count"
        ),
        "count\n20\n"
    );
    // A `let` in query() is local; in run_script it persists.
    assert!(e.query("leads | count").is_err());
    e.run_script("let leads = owners | where role == 'lead'")
        .expect("let");
    assert_eq!(
        q(&e, "leads | count by owner | sort count desc | take 1"),
        "owner,count\n省数字办,6\n"
    );
    e.set_param("section", Value::Int(3));
    assert_eq!(
        q(&e, "owners | where owner in [\"省数字办\", \"省通管局\"] and task_id ~ $section | select task_id, owner"),
        "task_id,owner\n3.1,省数字办\n3.2,省数字办\n3.5,省数字办\n3.7,省通管局\n5.3,省数字办\n"
    );
    e.set_param("who", Value::Str("省卫生厅".into()));
    assert_eq!(
        q(&e, "owners | where owner == $who | select task_id"),
        "task_id\n2.2\n3.3\n"
    );
}

// ---- operators and null logic ---------------------------------------------------------

#[test]
fn three_valued_logic() {
    let e = engine();
    assert_eq!(
        q(&e, "t | take 1 | select a = false and null, b = true or null, c = true and null, d = null == null, e = not null"),
        "a,b,c,d,e\nfalse,true,,,\n"
    );
}

#[test]
fn arithmetic_types_and_division() {
    let e = engine();
    assert_eq!(
        types(&e, "t | select n + 1, n * 2, n % 2, n - 1, -n"),
        ["int"; 5]
    );
    assert_eq!(types(&e, "t | select n / 1, n + 0.5"), ["float", "float"]);
    assert_eq!(
        q(&e, "t | take 1 | select 7 / 2, 7 % 2, 1 / 0, null + 1"),
        "7 / 2,7 % 2,1 / 0,null + 1\n3.5,1,,\n"
    );
    assert_eq!(
        q(&e, "t | take 1 | select k + \"!\""),
        "\"k + \"\"!\"\"\"\na!\n"
    );
}

#[test]
fn comparisons_strings_dates_and_lists() {
    let e = engine();
    assert_eq!(q(&e, "t | where k ~ \"b\" | select k"), "k\nB\n");
    assert_eq!(q(&e, "t | where k !~ \"A\" | select k"), "k\nB\n省数字办\n");
    assert_eq!(
        q(&e, "t | where d >= d\"2010-12-31\" | select n"),
        "n\n\n3\n"
    );
    assert_eq!(q(&e, "t | where d < \"2010-12-31\" | select n"), "n\n1\n");
    assert_eq!(q(&e, "t | where n in [1, 3] | select n"), "n\n1\n3\n");
    assert_eq!(q(&e, "t | where n not in [1, 3] | select n"), "n\n5\n");
    assert_eq!(q(&e, "t | where k is null | select x"), "x\n0.125\n");
    assert_eq!(
        q(&e, "t | where k is not null and n is null | select k"),
        "k\n省数字办\n"
    );
}

// ---- functions ------------------------------------------------------------------------

#[test]
fn text_functions() {
    let e = engine();
    assert_eq!(
        q(&e, "t | where k == \"B\" | select lower(k), upper(\"x\"), len(\"省数字办\"), trim(\"  a \"), replace(\"a-b-c\", \"-\", \"+\")"),
        "lower(k),\"upper(\"\"x\"\")\",\"len(\"\"省数字办\"\")\",\"trim(\"\"  a \"\")\",\"replace(\"\"a-b-c\"\", \"\"-\"\", \"\"+\"\")\"\nb,X,4,a,a+b+c\n"
    );
    assert_eq!(
        q(&e, "owners | where contains(owner, \"数字\") and starts_with(owner, \"省\") and ends_with(owner, \"办\") | distinct owner"),
        "owner\n省数字办\n"
    );
    assert_eq!(
        q(
            &e,
            "owners | where matches(owner, \"^省.{2}办$\") | distinct owner | sort owner | take 2"
        ),
        "owner\n省口岸办\n省审改办\n"
    );
}

#[test]
fn number_functions() {
    let e = engine();
    assert_eq!(
        q(&e, "t | select round(x), round(x, 2), abs(x), floor(x), ceil(x) | take 3"),
        "round(x),\"round(x, 2)\",abs(x),floor(x),ceil(x)\n3,2.5,2.5,2,3\n-3,-2.5,2.5,-3,-2\n0,0.13,0.125,0,1\n"
    );
    assert_eq!(
        types(&e, "t | select round(n), abs(n), floor(n)"),
        ["int"; 3]
    );
}

#[test]
fn conditional_and_conversion_functions() {
    let e = engine();
    assert_eq!(
        q(&e, "t | select coalesce(n, 0), if(n > 2, \"big\", \"small\"), to_str(n), to_int(\"42\"), to_float(n), year(d) | take 3"),
        "\"coalesce(n, 0)\",\"if(n > 2, \"\"big\"\", \"\"small\"\")\",to_str(n),\"to_int(\"\"42\"\")\",to_float(n),year(d)\n1,small,1,42,1,2010\n5,big,5,42,5,\n0,small,,42,,2011\n"
    );
    assert_eq!(
        types(&e, "t | select coalesce(n, 0.5), if(true, 1, 2.5)"),
        ["float", "float"]
    );
}

#[test]
fn sum_of_nothing_is_null() {
    let e = engine();
    assert_eq!(
        q(
            &e,
            "t | where n is null | summarize s = sum(n), c = count(n), m = max(n)"
        ),
        "s,c,m\n,0,\n"
    );
    assert_eq!(
        q(&e, "t | where false | summarize s = sum(n), c = count()"),
        "s,c\n,0\n"
    );
}

// ---- the analysts' questions on the seed ----------------------------------------------

#[test]
fn who_leads_how_many_tasks() {
    let e = engine();
    assert_eq!(
        q(
            &e,
            "owners | where role == \"lead\" | count by owner | sort count desc | take 3"
        ),
        "owner,count\n省数字办,6\n省通管局,4\n省效能办,2\n"
    );
}

#[test]
fn targets_by_category_and_shortfall() {
    let e = engine();
    assert_eq!(
        q(&e, "targets | join tasks on task_id == id | count by category"),
        "category,count\n继续推进便民服务项目建设,3\n继续深化电子政务应用,2\n推进农村和企业信息化建设,7\n"
    );
    assert_eq!(
        q(&e, "shortfall | where status == \"behind\" | top 3 by shortfall desc | select target_id, shortfall"),
        "target_id,shortfall\n4.1#6,400000\n3.7#1,3600\n2.5#1,150\n"
    );
}

#[test]
fn explain_shows_the_optimised_plan() {
    let e = engine();
    let plan = e
        .explain("owners | where role == \"lead\" | count by owner")
        .expect("explain");
    assert!(
        plan.to_uppercase().contains("FILTER") || plan.contains("SELECTION"),
        "{plan}"
    );
}

#[test]
fn empty_results_explain_why() {
    let mut e = engine();
    let r = e
        .run_script("owners | where owner == \"数字办\" | count by task_id")
        .expect("runs");
    assert_eq!(r[0].frame.height(), 0);
    let note = &r[0].notes[0];
    assert_eq!(note.code(), "planq::hint::no_match");
    assert_eq!(
        note.help(),
        Some("did you mean `省数字办` or `各设区市数字办`?")
    );
    // A literal that does exist gives no hint even if the result is empty.
    let r = e
        .run_script("owners | where owner == \"省数字办\" and role == \"support\"")
        .expect("runs");
    assert!(r[0].notes.is_empty());
}

#[test]
fn completion_helpers() {
    let e = engine();
    let cols = e
        .pipeline_schema("owners | where role == \"lead\" | count by owner |")
        .expect("schema");
    assert_eq!(
        cols,
        [
            ("owner".to_string(), "str".to_string()),
            ("count".to_string(), "int".to_string())
        ]
    );
    let values = e.distinct_values("", "owners", "role", 2);
    assert_eq!(values, ["responsible", "lead"]);
}

#[test]
fn runtime_failures_are_diagnostics_on_the_statement() {
    let mut e = engine();
    // A regular expression from a parameter is only known at run time.
    e.set_param("re", Value::Str("省(".into()));
    let err = e
        .run_script_named("r.pq", "tasks | take 1\nowners | where matches(owner, $re)")
        .unwrap_err();
    assert_eq!(err.code(), "planq::execute");
    assert_eq!(err.line_col(), Some((2, 1)));
    assert!(err.help().is_some());
}

#[test]
fn tables_schemas_and_serialised_rows() {
    let mut e = engine();
    e.run_script("let leads = owners | where role == \"lead\" | select owner, position")
        .expect("let");
    let names: Vec<String> = e.tables().into_iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "tasks",
            "owners",
            "targets",
            "categories",
            "progress",
            "shortfall",
            "warnings",
            "plans",
            "t",
            "r",
            "leads"
        ]
    );
    assert_eq!(
        e.schema("leads"),
        Some(vec![
            ("owner".to_string(), "str".to_string()),
            ("position".to_string(), "int".to_string())
        ])
    );
    assert_eq!(e.schema("nope"), None);
    let df = e.query("t | select k, n, d | take 2").expect("query");
    let json = serde_json::to_string(&planq::render::Rows(&df)).expect("json");
    assert_eq!(
        json,
        r#"[{"k":"a","n":1,"d":"2010-06-30"},{"k":"B","n":5,"d":null}]"#
    );
}

#[test]
fn stddev_and_corr() {
    let e = engine();
    // n is 1, 5, null, 3, null: mean 3, squared deviations 4 + 4 + 0 over n − 1 = 2 → 2.
    // corr(n, x) uses only the rows where both are set: (1, 2.5) and (5, -2.5) → -1.
    assert_eq!(
        q(&e, "t | summarize sd = stddev(n), r = corr(n, x)"),
        "sd,r\n2,-1\n"
    );
    // An exact line through three pairs; a constant side or a single pair is undefined.
    assert_eq!(
        q(&e, "t | derive y = n * -3 + 7, c = 4 | summarize up = corr(n, -y), down = corr(y, n), flat = corr(n, c)"),
        "up,down,flat\n1,-1,\n"
    );
    // Per group: "a" has n = 1, 3 (sd √2) but a single (n, x) pair; "B" one value; the
    // null-key group and 省数字办 have no n at all.
    assert_eq!(
        q(&e, "t | summarize sd = stddev(n), r = corr(n, x) by k"),
        "k,sd,r\na,1.4142135623730951,\nB,,\n,,\n省数字办,,\n"
    );
    assert_eq!(
        types(&e, "t | summarize sd = stddev(n), r = corr(n, x)"),
        ["float", "float"]
    );
    // Type and arity errors name the argument.
    for (bad, code) in [
        (
            "t | summarize r = corr(k, n)",
            "planq::check::type_mismatch",
        ),
        (
            "t | summarize r = corr(n, k)",
            "planq::check::type_mismatch",
        ),
        ("t | summarize s = stddev(k)", "planq::check::type_mismatch"),
        ("t | summarize r = corr(n)", "planq::check::arity"),
        (
            "t | select s = stddev(n)",
            "planq::check::aggregate_outside",
        ),
    ] {
        let err = e.query(bad).expect_err(bad);
        assert_eq!(err.code(), code, "{bad}");
    }
}

#[test]
fn stddev_and_corr_match_a_reference_on_larger_data() {
    // 10,000 pseudo-random pairs with large offsets (the case where a one-pass sum of
    // squares loses digits), against the textbook two-pass formulas computed here.
    let mut s = 12345u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let xs: Vec<f64> = (0..10_000).map(|_| 1e6 + next() * 10.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 0.5 * x + next() * 3.0).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, my) = (mean(&xs), mean(&ys));
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let want_sd = (sxx / (xs.len() - 1) as f64).sqrt();
    let want_r = sxy / (sxx * syy).sqrt();

    let mut e = Engine::seed().expect("seed");
    let df = DataFrame::new(
        xs.len(),
        vec![Column::new("x".into(), xs), Column::new("y".into(), ys)],
    )
    .expect("frame");
    e.register_table("p", df).expect("register");
    let out = e
        .query("p | summarize sd = stddev(x), r = corr(x, y)")
        .expect("runs");
    let get = |c: &str| out.column(c).expect(c).f64().expect("f64").get(0);
    let (sd, r) = (get("sd").expect("sd"), get("r").expect("r"));
    assert!(
        (sd - want_sd).abs() < 1e-9 * want_sd,
        "sd {sd} vs {want_sd}"
    );
    assert!((r - want_r).abs() < 1e-9, "r {r} vs {want_r}");
    assert!(r > 0.5 && r < 1.0, "r {r}");
}
