//! Issue 8: the paths that grew faster than their input give the same answers after being
//! made linear. (Their times, at three sizes each, are measured by `scripts/growth.py`;
//! timing is not asserted here, where a loaded machine would make it flaky.)

use planq::render::{self, Format};
use planq::Engine;

fn csv(df: &polars::prelude::DataFrame) -> String {
    let mut out = Vec::new();
    render::write(df, Format::Csv, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

fn q(engine: &mut Engine, script: &str) -> String {
    let results = match engine.run_script(script) {
        Ok(r) => r,
        Err(e) => panic!("script failed:\n{}", planq::cli::report(&e, false)),
    };
    let last = results.last().expect("a result");
    csv(&last.frame)
}

/// A run of `where` stages is compiled as one filter on their conjunction; rows where a
/// predicate is null are dropped either way, exactly as by the stages one after another.
#[test]
fn a_run_of_wheres_filters_like_each_stage() {
    let mut e = Engine::seed().expect("seed");
    let chained = q(
        &mut e,
        "tasks | where line > 20 | where subcategory != \"x\" or line > 0 | where line % 2 == 0 | select id, line",
    );
    let one = q(
        &mut e,
        "tasks | where line > 20 and (subcategory != \"x\" or line > 0) and line % 2 == 0 | select id, line",
    );
    assert_eq!(chained, one);
    // `subcategory` is null for most tasks: the null comparison drops them in both forms.
    let nulls = q(
        &mut e,
        "tasks | where subcategory != \"x\" | where line > 0 | count",
    );
    let nulls_one = q(
        &mut e,
        "tasks | where subcategory != \"x\" and line > 0 | count",
    );
    assert_eq!(nulls, nulls_one);
    // Thousands of stages (a balanced conjunction, not a chain as deep as it is long), as
    // many as a pipeline may have (2,048, with `count`).
    let many = format!("tasks{} | count", " | where line > 0".repeat(2047));
    let all = q(&mut e, "tasks | where line > 0 | count");
    assert_eq!(q(&mut e, &many), all);
    // A where after another stage is still its own filter, on that stage's output.
    assert_eq!(
        q(&mut e, "tasks | where line > 0 | derive two = line * 2 | where two > 100 | where line < 80 | count"),
        q(&mut e, "tasks | where line > 50 and line < 80 | count"),
    );
}

/// `let x = x | join semi x on id`, repeated: each binding is read twice by the next. The
/// bindings become shared polars caches, so the answer comes at once, in a script and
/// across calls (where the engine keeps the lets and compiles them again at each use).
#[test]
fn bindings_read_twice_are_shared_not_copied() {
    let mut e = Engine::seed().expect("seed");
    let all = q(&mut e, "tasks | count");
    let chain = format!(
        "let x = tasks\n{}x | count",
        "let x = x | join semi x on id\n".repeat(16)
    );
    assert_eq!(q(&mut e, &chain), all);
    let mut kept = Engine::seed().expect("seed");
    q(&mut kept, "let x = tasks\nx | count");
    for _ in 0..16 {
        q(&mut kept, "let x = x | join semi x on id\nx | count");
    }
    assert_eq!(q(&mut kept, "x | count"), all);
    // A binding read once and one read twice give the same rows as their pipelines.
    assert_eq!(
        q(
            &mut e,
            "let lead = owners | where role == \"lead\"\nlead | join semi lead on task_id | count"
        ),
        q(&mut e, "owners | where role == \"lead\" | count"),
    );
}

/// Thousands of `let`s in one script, and kept across calls: names resolve to the latest
/// binding (shadowing), whatever the number of bindings.
#[test]
fn many_lets_resolve_to_the_latest_binding() {
    let mut e = Engine::seed().expect("seed");
    let script: String = (0..5000)
        .map(|i| format!("let x{} = tasks | where line > {i}\n", i % 100))
        .collect::<String>()
        + "x7 | count";
    // x7 was last bound with line > 4907 (i = 4907): no task has such a line.
    assert_eq!(
        q(&mut e, &script),
        q(&mut e, "tasks | where line > 4907 | count")
    );
    for i in 0..300 {
        q(
            &mut e,
            &format!("let y = tasks | where line > {i}\ny | count"),
        );
    }
    assert_eq!(
        q(&mut e, "y | count"),
        q(&mut e, "tasks | where line > 299 | count")
    );
    let names: Vec<String> = e.tables().into_iter().map(|t| t.name).collect();
    assert_eq!(
        names.iter().filter(|n| *n == "y").count(),
        1,
        "shadowed lets are not listed"
    );
}
