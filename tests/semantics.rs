//! Issue 10, engine half: every pipeline the checker accepts gives the answer SQL gives —
//! constants are evaluated per row, `null` fits anywhere, joins name their columns by one
//! rule — and nothing a user types makes the engine panic or silently wrap an integer.
//! Each test is a repro from the issue with the SQL answer (checked against DuckDB by
//! scripts/differential.py).

use planq::render::{self, Format};
use planq::Engine;

fn engine() -> Engine {
    Engine::seed().expect("seed")
}

fn csv(df: &polars::prelude::DataFrame) -> String {
    let mut out = Vec::new();
    render::write(df, Format::Csv, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// Runs `q` and returns its result as CSV.
fn q(q: &str) -> String {
    match engine().query(q) {
        Ok(df) => csv(&df),
        Err(e) => panic!("query failed: {q}\n{}", planq::cli::report(&e, false)),
    }
}

/// Runs `q`, which must fail with a diagnostic of code `code`.
fn fails(q: &str, code: &str) -> planq::Error {
    match engine().query(q) {
        Ok(df) => panic!("expected {code} from {q}, got:\n{}", csv(&df)),
        Err(e) => {
            assert_eq!(e.code(), code, "{q}\n{}", planq::cli::report(&e, false));
            e
        }
    }
}

fn rows(q: &str) -> usize {
    match engine().query(q) {
        Ok(df) => df.height(),
        Err(e) => panic!("query failed: {q}\n{}", planq::cli::report(&e, false)),
    }
}

fn tasks() -> usize {
    rows("tasks")
}

// ---- crashes ---------------------------------------------------------------------------

#[test]
fn renaming_a_column_twice_is_a_checker_error() {
    let e = fails(
        "owners | rename a = owner, b = owner",
        "planq::check::duplicate_column",
    );
    assert!(e.message().contains("renamed twice"), "{}", e.message());
    assert!(engine()
        .explain("owners | rename a = owner, b = owner")
        .is_err());
}

#[test]
fn coalesce_of_ints_of_any_size_runs() {
    assert_eq!(
        q("categories | select x = coalesce(1, 3000000000)"),
        "x\n1\n1\n1\n1\n1\n"
    );
    assert_eq!(
        q("categories | select x = coalesce(null, 3000000000) | take 1"),
        "x\n3000000000\n"
    );
    assert!(engine()
        .explain("categories | select x = coalesce(1, 3000000000)")
        .is_ok());
}

#[test]
fn integer_overflow_is_an_error_not_a_wrap() {
    for query in [
        "categories | where no < 9223372036854775807 + 1",
        "categories | select x = 9223372036854775807 + no",
        "categories | select x = no - 9223372036854775807 - 9",
        "categories | select x = no * 4611686018427387904",
        "categories | select x = abs(-9223372036854775807 - 1)",
        "categories | select x = -(-9223372036854775807 - no)",
        "categories | derive big = 9223372036854775807 | summarize s = sum(big)",
    ] {
        let e = fails(query, "planq::execute::overflow");
        assert!(e.message().contains("integer overflow"), "{}", e.message());
        let text = planq::cli::report(&e, false);
        assert!(!text.contains("panicked"), "{text}");
    }
    // Under `.explain` the plan is shown (overflow happens only when it runs).
    assert!(engine()
        .explain("categories | where no < 9223372036854775807 + 1")
        .is_ok());
    // Up to the edge, integers are exact.
    assert_eq!(
        q("categories | select x = 9223372036854775806 + 1 | take 1"),
        "x\n9223372036854775807\n"
    );
    assert_eq!(
        q("categories | select x = abs(-9223372036854775807) | take 1"),
        "x\n9223372036854775807\n"
    );
    assert_eq!(q("categories | summarize s = sum(no)"), "s\n15\n");
}

#[test]
fn percent_takes_the_divisors_sign_and_by_zero_is_null() {
    // Documented choice (grammar/README.md): unlike SQL's truncating remainder.
    assert_eq!(
        q("categories | select a = -7 % 3, b = 7 % -3, c = 7 % 0, d = (-9223372036854775807 - 1) % -1 | take 1"),
        "a,b,c,d\n2,-2,,0\n"
    );
}

#[test]
fn to_int_truncates_toward_zero() {
    // Documented choice: SQL's CAST rounds; planq truncates.
    assert_eq!(
        q("categories | select a = to_int(2.7), b = to_int(-2.7) | take 1"),
        "a,b\n2,-2\n"
    );
}

#[test]
fn round_rounds_the_written_decimal_half_away_from_zero() {
    // Documented choice (found by scripts/differential.py): DuckDB gives 1.52 and 2.67.
    assert_eq!(
        q("categories | select a = round(1.525, 2), b = round(2.675, 2), c = round(-0.125, 2) | take 1"),
        "a,b,c\n1.53,2.68,-0.13\n"
    );
}

#[test]
fn concat_of_nothing_is_empty_text() {
    // Documented choice: SQL's string_agg of no rows is null; planq's concat is "".
    assert_eq!(
        q("categories | where no > 100 | summarize j = concat(name) | select empty = j == \"\", missing = j is null"),
        "empty,missing\ntrue,false\n"
    );
}

// ---- constants -------------------------------------------------------------------------

#[test]
fn sorting_by_a_constant_keeps_every_row() {
    assert_eq!(q("tasks | sort 1 | take 1"), q("tasks | take 1"));
    assert_eq!(q("tasks | top 2 by 5"), q("tasks | take 2"));
}

#[test]
fn aggregates_of_constants_count_every_row() {
    let n = tasks();
    let expected = format!("s,c,j\n{n},{n},{}\n", "a".repeat(n));
    assert_eq!(
        q(r#"tasks | summarize s = sum(1), c = count(1), j = concat("a", "")"#),
        expected
    );
    assert_eq!(
        q("tasks | summarize n = count(null), s = sum(null), a = avg(2)"),
        "n,s,a\n0,,2\n"
    );
}

#[test]
fn a_constant_column_has_a_value_per_row() {
    assert_eq!(q("categories | select x = 1"), "x\n1\n1\n1\n1\n1\n");
    assert_eq!(
        q("categories | derive f = 100, g = 0.5 <= f | select g"),
        "g\ntrue\ntrue\ntrue\ntrue\ntrue\n"
    );
}

#[test]
fn counting_a_summary_counts_its_one_row() {
    assert_eq!(q("owners | summarize n = count() | count"), "count\n1\n");
}

#[test]
fn grouping_no_rows_by_a_constant_gives_no_groups() {
    assert_eq!(
        q("categories | where no > 100 | count by k = 1"),
        "k,count\n"
    );
    assert_eq!(rows("categories | count by k = 1"), 1);
}

// ---- null ------------------------------------------------------------------------------

#[test]
fn functions_of_null_are_null() {
    for f in [
        "lower(null)",
        "upper(null)",
        "trim(null)",
        "len(null)",
        "contains(null, \"a\")",
        "contains(name, null)",
        "starts_with(null, \"a\")",
        "ends_with(null, \"a\")",
        "matches(null, \"a\")",
        "replace(null, \"a\", \"b\")",
        "replace(name, null, \"b\")",
        "replace(name, \"a\", null)",
        "abs(null)",
        "round(null)",
        "floor(null)",
        "year(null)",
        "-null",
        "null + 1",
        "null + null",
        "null + \"a\"",
        "to_int(null)",
        "coalesce(null, null)",
    ] {
        let query = format!("categories | select a = {f}");
        assert_eq!(q(&query), "a\n\n\n\n\n\n", "{query}");
    }
}

#[test]
fn a_null_condition_takes_the_else_branch() {
    // SQL: CASE WHEN NULL THEN 1 ELSE 2 END is 2.
    assert_eq!(
        q("categories | select a = if(null, 1, 2) | take 2"),
        "a\n2\n2\n"
    );
}

#[test]
fn replace_needs_a_constant_pattern() {
    // polars cannot replace a per-row pattern: the checker says so instead of a run-time
    // failure.
    fails(
        "categories | select a = replace(name, name, \"b\")",
        "planq::check::type_mismatch",
    );
    assert_eq!(
        q("categories | select a = replace(name, \"规\", to_str(no)) | take 1"),
        "a\n精心谋划“十二五”发展1划\n"
    );
}

#[test]
fn arithmetic_on_two_nulls_fits_anywhere() {
    // Found by scripts/differential.py: `null + null` was typed int, so
    // `lower(null + null)` was refused while SQL gives null.
    assert_eq!(
        q("categories | select a = lower(null + null), b = (null * null) + 1 | take 2"),
        "a,b\n,\n,\n"
    );
}

#[test]
fn three_valued_logic_with_null() {
    // not (x or null): x true → false; x false → null.
    assert_eq!(
        q("categories | select v = not (no > 3 or null)"),
        "v\n\n\n\nfalse\nfalse\n"
    );
    assert_eq!(rows("categories | where null"), 0);
    assert_eq!(rows("categories | where no > 2 and null"), 0);
    assert_eq!(rows("categories | where no > 2 or null"), 3);
    assert_eq!(rows("categories | where null == null"), 0);
    assert_eq!(rows("categories | where null in [1, 2]"), 0);
}

#[test]
fn nothing_is_in_an_empty_list() {
    for x in ["to_str(null)", "to_float(null)", "no", "name", "null"] {
        assert_eq!(
            rows(&format!("categories | where {x} not in []")),
            5,
            "{x} not in []"
        );
        assert_eq!(
            rows(&format!("categories | where {x} in []")),
            0,
            "{x} in []"
        );
    }
}

#[test]
fn joining_on_a_null_key_matches_nothing() {
    assert_eq!(
        rows("categories | derive k = null | join (categories | derive k = null) on k"),
        0
    );
    assert_eq!(
        rows("categories | derive k = null | join left categories on k == no"),
        5
    );
}

// ---- joins -----------------------------------------------------------------------------

#[test]
fn a_join_on_keys_of_different_types_drops_the_right_key() {
    let engine = engine();
    let query = "owners | derive p = to_float(position) | join categories on p == no";
    let df = engine.query(query).expect("join");
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(!names.contains(&"no".to_string()), "{names:?}");
    // The checker's schema is the result's.
    let schema = engine.pipeline_schema(query).expect("schema");
    let checked: Vec<String> = schema.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(checked, names);
    let types: Vec<String> = schema.iter().map(|(_, t)| t.clone()).collect();
    let actual: Vec<String> = df
        .dtypes()
        .iter()
        .map(|d| planq::engine::type_name(d).to_string())
        .collect();
    assert_eq!(types, actual);
    // int with float keys: an int key joins the equal float.
    assert_eq!(
        q("categories | derive f = to_float(no) | join (categories | select no, n2 = name) on f == no | select no, n2 | take 2"),
        q("categories | select no, n2 = name | take 2")
    );
}

#[test]
fn a_right_column_named_like_a_left_one_gets_the_suffix() {
    assert_eq!(
        q("categories | join (categories | derive no_right = no, no = no * 10) on no == no_right | select no, no_right"),
        "no,no_right\n1,10\n2,20\n3,30\n4,40\n5,50\n"
    );
}

#[test]
fn any_number_of_joins_gives_distinct_names() {
    let df = engine()
        .query("owners | join owners on task_id | join owners on task_id | join owners on task_id | take 1")
        .expect("joins");
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for name in ["owner", "owner_right", "owner_right2", "owner_right3"] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    // Three-way self-join of tasks runs (it failed in polars).
    assert!(rows("tasks | join tasks on id | join tasks on id") > 0);
}

// ---- no panic text ever ----------------------------------------------------------------

#[test]
fn the_binary_never_prints_a_panic() {
    for query in [
        "owners | rename a = owner, b = owner",
        "categories | select x = coalesce(1, 3000000000)",
        "categories | where no < 9223372036854775807 + 1",
        "categories | select x = abs(-9223372036854775807 - 1)",
    ] {
        for args in [vec!["-c", query], vec!["-c", &format!(".explain {query}")]] {
            let out = assert_cmd::Command::cargo_bin("planq")
                .expect("binary")
                .args(&args)
                .env("NO_COLOR", "1")
                .output()
                .expect("run");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert!(!err.contains("RUST_BACKTRACE"), "{args:?}: {err}");
        }
    }
}
