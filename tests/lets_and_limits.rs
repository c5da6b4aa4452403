//! Issue 10, engine half: a `let` never answers from tables that have been replaced, and an
//! embedding program can bound a query's result rows and run time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use planq::{Dataset, Engine, Limits};

fn count(engine: &Engine, q: &str) -> i64 {
    let df = engine
        .query(q)
        .unwrap_or_else(|e| panic!("{q}\n{}", planq::cli::report(&e, false)));
    df.column("count")
        .expect("count")
        .get(0)
        .expect("row")
        .extract::<i64>()
        .expect("int")
}

#[test]
fn a_let_sees_progress_loaded_after_it() {
    let mut e = Engine::seed().expect("seed");
    e.run_script("let reports = progress").expect("let");
    assert_eq!(count(&e, "reports | count"), 0);
    e.add_progress_file("examples/progress-2010.csv")
        .expect("progress");
    let loaded = count(&e, "progress | count");
    assert!(loaded > 0);
    assert_eq!(count(&e, "reports | count"), loaded);
}

#[test]
fn a_let_sees_a_plan_set_after_it() {
    let mut e = Engine::seed().expect("seed");
    e.run_script("let all_tasks = tasks\nlet n = all_tasks | count")
        .expect("let");
    let seed_tasks = count(&e, "n");
    let other = Dataset::from_file("tests/fixtures/three-level.txt").expect("plan");
    e.set_dataset(other);
    let now = count(&e, "tasks | count");
    assert_ne!(now, seed_tasks, "the fixture must differ from the seed");
    assert_eq!(count(&e, "n"), now);
    assert_eq!(count(&e, "all_tasks | count"), now);
}

#[test]
fn rebinding_a_name_keeps_bindings_made_from_the_old_one() {
    let mut e = Engine::seed().expect("seed");
    e.run_script("let x = categories\nlet y = x | count\nlet x = tasks")
        .expect("lets");
    assert_eq!(count(&e, "y"), 5);
    assert_eq!(count(&e, "x | count"), count(&e, "tasks | count"));
    // `.tables` lists a name once.
    let xs = e.tables().iter().filter(|t| t.name == "x").count();
    assert_eq!(xs, 1);
    // A let may read the table it shadows.
    e.run_script("let tasks = tasks | take 2").expect("let");
    assert_eq!(count(&e, "tasks | count"), 2);
}

#[test]
fn a_let_whose_columns_changed_is_refused_not_answered() {
    use polars::prelude::{Column, DataFrame};
    let mut e = Engine::seed().expect("seed");
    let t = DataFrame::new(1, vec![Column::new("a".into(), [1i64])]).expect("frame");
    e.register_table("t", t).expect("register");
    e.run_script("let u = t").expect("let");
    let t2 = DataFrame::new(1, vec![Column::new("b".into(), ["x"])]).expect("frame");
    e.register_table("t", t2).expect("register");
    let err = e.query("u").unwrap_err();
    assert_eq!(err.code(), "planq::engine::stale_let", "{err:?}");
}

#[test]
fn lets_after_load_in_a_script_see_the_new_plan() {
    let out = assert_cmd::Command::cargo_bin("planq")
        .expect("binary")
        .args([
            "--format",
            "csv",
            "-c",
            "let n = tasks | count\n.load plan tests/fixtures/three-level.txt\nn\ntasks | count",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<&str> = stdout.lines().filter(|l| *l != "count").collect();
    assert_eq!(counts.len(), 2, "{stdout}");
    assert_eq!(counts[0], counts[1], "{stdout}");
}

#[test]
fn max_rows_refuses_a_larger_result() {
    let mut e = Engine::seed().expect("seed");
    e.set_limits(Limits {
        max_rows: Some(5),
        timeout: None,
    });
    assert_eq!(e.query("categories").expect("5 rows").height(), 5);
    let err = e.query("tasks").unwrap_err();
    assert_eq!(err.code(), "planq::limit::rows");
    assert!(
        err.message().contains("more than 5 rows"),
        "{}",
        err.message()
    );
    assert_eq!(e.query("tasks | take 5").expect("take").height(), 5);
}

/// A runaway query: a 5-way self-join on a constant key (55⁵ ≈ 5·10⁸ rows, gigabytes:
/// it does not finish in any reasonable time on a small machine).
const RUNAWAY: &str = "owners | select k = 1 | join (owners | select k = 1) on k \
    | join (owners | select k = 1) on k | join (owners | select k = 1) on k \
    | join (owners | select k = 1) on k | count";

#[test]
fn a_time_limit_stops_a_runaway_query() {
    let mut e = Engine::seed().expect("seed");
    e.set_limits(Limits {
        max_rows: None,
        timeout: Some(Duration::from_millis(1)),
    });
    let started = Instant::now();
    let err = e.query(RUNAWAY).unwrap_err();
    assert_eq!(err.code(), "planq::limit::time");
    // The call returns when the query has stopped (it runs on this thread): the work is
    // really stopped, not abandoned.
    assert!(started.elapsed() < Duration::from_secs(10));
    // An ordinary query within the limit runs.
    e.set_limits(Limits {
        max_rows: None,
        timeout: Some(Duration::from_secs(30)),
    });
    assert_eq!(e.query("categories").expect("rows").height(), 5);
}

#[test]
fn a_stop_flag_stops_a_running_query() {
    let e = Engine::seed().expect("seed");
    let stop = AtomicBool::new(true);
    let started = Instant::now();
    let err = e.query_result_cancellable(RUNAWAY, &stop).unwrap_err();
    assert_eq!(err.code(), "planq::cancelled");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Set from another thread while running.
    let stop = Arc::new(AtomicBool::new(false));
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let err = e.query_result_cancellable(RUNAWAY, &stop).unwrap_err();
    setter.join().expect("setter");
    assert_eq!(err.code(), "planq::cancelled");
    // Without a stop, an ordinary query runs through the cancellable path too.
    let never = AtomicBool::new(false);
    let r = e
        .query_result_cancellable("categories | count", &never)
        .expect("runs");
    assert_eq!(r.frame.height(), 1);
}

#[test]
fn no_match_hints_stay_bounded() {
    let e = Engine::seed().expect("seed");
    let list: Vec<String> = (0..10_000).map(|i| format!("\"nobody{i}\"")).collect();
    let query = format!("owners | where owner in [{}]", list.join(", "));
    let r = e.query_result(&query).expect("runs");
    assert_eq!(r.frame.height(), 0);
    assert!(r.notes.len() <= 3, "{} notes", r.notes.len());
    // (The quoted source line is the renderer's business; the advice itself is small.)
    let text: String = r
        .notes
        .iter()
        .map(|n| format!("{}\n{}\n", n.message(), n.help().unwrap_or_default()))
        .collect();
    assert!(text.len() < 20_000, "{} bytes of hints", text.len());
    assert!(text.contains("9997 more values"), "{text}");
    // A huge literal is clipped in the message.
    let long = "x".repeat(100_000);
    let r = e
        .query_result(&format!("owners | where owner == \"{long}\""))
        .expect("runs");
    let message = &r.notes[0].message();
    assert!(message.len() < 300, "{} bytes", message.len());
}
