//! Every diagnostic a query can earn, rendered exactly as users see it (miette, no colour)
//! and snapshotted: code, span, label and help must all stay right.

use planq::{Engine, Value};

fn engine() -> Engine {
    let mut e = Engine::seed().expect("seed");
    e.set_param("section", Value::Str("3.".into()));
    e
}

fn rendered(query: &str) -> String {
    let mut e = engine();
    match e.run_script_named("<query>", query) {
        Ok(results) => {
            let notes: Vec<String> = results
                .iter()
                .flat_map(|r| r.notes.iter().map(|n| planq::cli::report(n, false)))
                .collect();
            assert!(!notes.is_empty(), "expected a diagnostic for: {query}");
            notes.join("\n")
        }
        Err(err) => {
            assert_eq!(err.exit_code(), 1);
            assert!(err.span().is_some(), "no span for: {query}");
            assert!(err.help().is_some(), "no help for: {query}");
            planq::cli::report(&err, false)
        }
    }
}

macro_rules! diagnostic {
    ($name:ident, $query:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), rendered($query), $query);
        }
    };
}

// Parse errors.
diagnostic!(parse_unknown_verb, "owners | wher role == \"lead\"");
diagnostic!(parse_missing_verb, "owners | ");
diagnostic!(parse_unclosed_string, "owners | where owner == \"省数字办");
diagnostic!(
    parse_unclosed_bracket,
    "owners | where owner in [\"a\", \"b\""
);
diagnostic!(parse_single_equals, "owners | where role = \"lead\"");
diagnostic!(parse_bad_date, "progress | where as_of > d\"2010-02-30\"");
diagnostic!(parse_trailing, "owners | take 5 5");

// Name errors, with did-you-mean.
diagnostic!(unknown_table_close, "owner | count");
diagnostic!(unknown_table_far, "budgets | count");
diagnostic!(unknown_column_close, "owners | where rol == \"lead\"");
diagnostic!(unknown_column_far, "owners | select zzz");
diagnostic!(unknown_column_is_a_table, "owners | select tasks");
diagnostic!(unknown_function, "tasks | select lenght(title)");
diagnostic!(
    unknown_function_alias,
    "targets | summarize m = mean(value)"
);
diagnostic!(unknown_param, "owners | where task_id ~ $sectoin");
diagnostic!(unknown_join_column, "owners | join tasks on task_id == ids");

// Type, arity and placement errors.
diagnostic!(type_sum_of_text, "tasks | summarize sum(title)");
diagnostic!(type_compare_text_number, "targets | where value > \"100\"");
diagnostic!(type_where_not_condition, "tasks | where title");
diagnostic!(type_date_vs_text, "tasks | where year(line) == 2010");
diagnostic!(arity, "tasks | select round(line, 1, 2)");
diagnostic!(aggregate_outside, "targets | where value > avg(value)");
diagnostic!(nested_aggregate, "targets | summarize sum(max(value))");
diagnostic!(expected_aggregate, "targets | summarize value by unit");
diagnostic!(bad_regex, "owners | where matches(owner, \"省(\")");
diagnostic!(duplicate_column, "owners | select owner, owner");
diagnostic!(join_type_mismatch, "tasks | join targets on line == id");

// Advice when a filter matches nothing.
diagnostic!(
    no_match_suggests_value,
    "owners | where owner == \"数字办\""
);
diagnostic!(no_match_contains, "tasks | where category ~ \"教育\"");
