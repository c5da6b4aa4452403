//! No query, however odd, may panic: generated pipelines over the seed tables go through
//! parse → check → compile → execute and must come back as rows or as a diagnostic.

use std::cell::Cell;

use planq::error::Code;
use planq::query::functions::{Kind, FUNCTIONS};
use planq::Engine;
use proptest::prelude::*;

/// The functions of one kind, from the function table: a new function is tried at once.
/// Aggregates are called with one argument, so those that take one.
fn functions(kind: Kind) -> Vec<&'static str> {
    FUNCTIONS
        .iter()
        .filter(|f| f.kind == kind && (kind == Kind::Scalar || f.min_args <= 1 && f.max_args >= 1))
        .map(|f| f.name)
        .collect()
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id".to_string()),
        Just("title".to_string()),
        Just("line".to_string()),
        Just("deadline".to_string()),
        Just("value".to_string()),
        Just("role".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("2.5".to_string()),
        Just("\"省数字办\"".to_string()),
        Just("\"\"".to_string()),
        Just("d\"2010-12-31\"".to_string()),
        Just("$p".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "~", "!~", "and", "or"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (
                prop::sample::select(functions(Kind::Scalar)),
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (inner.clone(), prop::collection::vec(atom(), 0..3))
                .prop_map(|(a, l)| format!("{a} in [{}]", l.join(", "))),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("{a} is null")),
        ]
    })
}

fn stage() -> impl Strategy<Value = String> {
    prop_oneof![
        expr().prop_map(|e| format!("where {e}")),
        expr().prop_map(|e| format!("select {e}")),
        expr().prop_map(|e| format!("derive x = {e}")),
        expr().prop_map(|e| format!("sort {e} desc")),
        expr().prop_map(|e| format!("count by {e}")),
        (prop::sample::select(functions(Kind::Aggregate)), expr())
            .prop_map(|(f, e)| format!("summarize a = {f}({e}) by role")),
        (0u64..5).prop_map(|n| format!("take {n}")),
        expr().prop_map(|e| format!("top 2 by {e}")),
        expr().prop_map(|e| format!("top 1 by {e} asc per role")),
        expr().prop_map(|e| format!(
            "summarize a = max({e}) - min({e}), b = pow(count(), 2) by role"
        )),
        Just("distinct".to_string()),
        Just("join left tasks on task_id == id".to_string()),
        Just("rename r2 = role".to_string()),
    ]
}

fn query() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(vec!["tasks", "owners", "targets", "shortfall"]),
        prop::collection::vec(stage(), 0..4),
        atom(),
    )
        .prop_map(|(source, stages, p)| {
            let mut q = source.to_string();
            for s in &stages {
                q.push_str(" | ");
                q.push_str(s);
            }
            (q, p)
        })
}

#[test]
fn generated_queries_never_panic() {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::with_cases(600));
    let (ran, refused) = (Cell::new(0usize), Cell::new(0usize));
    let result = runner.run(&query(), |(q, p)| {
        let mut engine = Engine::seed().expect("seed");
        engine.set_param("p", planq::Value::parse_cli(p.trim_matches('"')));
        // Either rows or a diagnostic with a code; a panic fails the test.
        match engine.query(&q) {
            Ok(_) => ran.set(ran.get() + 1),
            Err(e) => {
                // Refused with a user-facing code: an internal error is a bug.
                prop_assert!(
                    !matches!(e.code(), Code::Internal | Code::CompileInternal),
                    "{q}: {}",
                    e.message()
                );
                refused.set(refused.get() + 1);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator must reach execution often enough for this test to mean something.
    let (ran, refused) = (ran.get(), refused.get());
    assert!(
        ran * 5 >= ran + refused,
        "only {ran} of {} queries ran",
        ran + refused
    );
}
