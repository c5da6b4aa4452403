//! Nesting depth stays bounded through every stage (issue 9): for each way an expression or
//! a pipeline can grow deep, the deepest one the parser accepts is found, then sent through
//! the whole engine — parse, check, compile, polars' optimiser and execution — on a thread
//! with the stack of the REPL's worker (`std::thread::spawn`'s default, 2 MiB). It must give
//! an answer or a diagnostic, never overflow the stack (which would abort this test
//! binary). One level deeper must be the parser's `too deep` error, not a crash further on.

use std::sync::atomic::AtomicBool;

use planq::error::Code;
use planq::lang::parse;
use planq::Engine;

/// Runs `query` through the engine on a thread spawned with the default stack size, as the
/// REPL does: the number of rows, or the error's code and message (`None`: a panic).
fn on_a_worker(query: String) -> Option<Result<usize, (String, String)>> {
    std::thread::spawn(move || {
        let engine = Engine::seed().expect("seed");
        let never = AtomicBool::new(false);
        engine
            .query_result_cancellable(&query, &never)
            .map(|r| r.frame.height())
            .map_err(|e| (e.code().to_string(), e.message().to_string()))
    })
    .join()
    .ok()
}

/// One way to grow deep: the query for `n` levels.
struct Shape {
    name: &'static str,
    query: fn(usize) -> String,
}

fn chain(n: usize, unit: &str, op: &str) -> String {
    vec![unit; n].join(op)
}

fn wrap(n: usize, open: &str, inner: &str, close: &str) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "a chain of + (left-deep tree, no brackets)",
        query: |n| format!("categories | derive x = {} | count", chain(n, "no", " + ")),
    },
    Shape {
        name: "a chain of `and` in a filter",
        query: |n| format!("categories | where {} | count", chain(n, "no > 0", " and ")),
    },
    Shape {
        name: "a chain of `or` of comparisons with strings",
        query: |n| {
            format!(
                "categories | where {} | count",
                chain(n, "name == \"x\"", " or ")
            )
        },
    },
    Shape {
        name: "brackets",
        query: |n| {
            format!(
                "categories | derive x = {} | count",
                wrap(n, "(", "no", ")")
            )
        },
    },
    Shape {
        name: "prefix minus",
        query: |n| format!("categories | derive x = {}no | count", "- ".repeat(n)),
    },
    Shape {
        name: "prefix not",
        query: |n| format!("categories | where {}(no > 1) | count", "not ".repeat(n)),
    },
    Shape {
        name: "nested function calls",
        query: |n| {
            format!(
                "categories | derive x = {} | count",
                wrap(n, "abs(", "no", ")")
            )
        },
    },
    Shape {
        name: "nested if",
        query: |n| {
            format!(
                "categories | derive x = {} | count",
                wrap(n, "if(no > 1, ", "no", ", 0)")
            )
        },
    },
    Shape {
        name: "nested sub-pipelines in joins",
        query: |n| {
            format!(
                "categories | select no{} | count",
                " | join semi (categories | select no".repeat(n) + &") on no".repeat(n)
            )
        },
    },
];

/// Whether the parser accepts the shape at `n` levels (and, if not, that it says `too deep`).
fn accepted(shape: &Shape, n: usize) -> bool {
    let (_, errors) = parse(&(shape.query)(n));
    match errors.first() {
        None => true,
        Some(e) => {
            assert_eq!(
                e.code,
                Code::ParseTooDeep,
                "{} at {n}: {} ({})",
                shape.name,
                e.message,
                e.code
            );
            false
        }
    }
}

/// The largest `n` the parser accepts (it accepts every smaller one).
fn deepest(shape: &Shape) -> usize {
    let (mut lo, mut hi) = (1, 1);
    while accepted(shape, hi) {
        lo = hi;
        hi *= 2;
        assert!(hi <= 1 << 16, "{}: no depth bound below 65536", shape.name);
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if accepted(shape, mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn the_deepest_accepted_queries_run_on_the_repl_workers_stack() {
    let mut report = Vec::new();
    for shape in SHAPES {
        let n = deepest(shape);
        let query = (shape.query)(n);
        // The REPL runs a query on a thread spawned with the default stack size.
        let outcome = on_a_worker(query)
            .unwrap_or_else(|| panic!("{} at depth {n}: the engine panicked", shape.name));
        match &outcome {
            Ok(rows) => assert_eq!(*rows, 1, "{}: `count` gives one row", shape.name),
            // A diagnostic is fine (a checker's type error, say), an internal error is not.
            Err((code, message)) => assert!(
                !code.contains("internal"),
                "{} at depth {n}: {code}: {message}",
                shape.name
            ),
        }
        report.push(format!("{}: {n} levels → {outcome:?}", shape.name));
    }
    eprintln!("{}", report.join("\n"));
}

/// A kind of stage, and the `i`-th stage of that kind.
type StageKind = (&'static str, fn(usize) -> String);

/// Pipelines are not bounded in length (a script may build one stage per line), and each
/// stage is a level of polars' plan: long pipelines of every kind of stage run on the
/// worker's stack too.
#[test]
fn long_pipelines_run_on_the_repl_workers_stack() {
    let stages: &[StageKind] = &[
        ("derive", |i| format!("derive a{i} = no + {i}")),
        ("where", |i| format!("where no < {}", 1000 + i)),
        ("sort", |i| {
            if i % 2 == 0 {
                "sort no".into()
            } else {
                "sort no desc".into()
            }
        }),
        ("select", |_| "select no, name".into()),
        ("join semi", |_| "join semi categories on no".into()),
        ("take", |i| format!("take {}", 1000 + i)),
    ];
    for (name, stage) in stages {
        let n = 2000;
        let query = std::iter::once("categories".to_string())
            .chain((0..n).map(stage))
            .chain(std::iter::once("count".to_string()))
            .collect::<Vec<_>>()
            .join(" | ");
        let outcome = on_a_worker(query)
            .unwrap_or_else(|| panic!("{n} `{name}` stages: the engine panicked"));
        assert_eq!(outcome, Ok(1), "{n} `{name}` stages");
    }
}

/// `let`s bound one statement at a time (as the REPL and the script runner bind them), each
/// reading the one before: a query compiles the whole chain, one recursion per link. 400
/// links aborted a 2 MiB thread before the engine grew its stack on demand.
#[test]
fn a_long_chain_of_lets_bound_one_by_one() {
    let n = 400;
    let outcome = std::thread::spawn(move || {
        let mut engine = Engine::seed().expect("seed");
        engine.run_script("let x0 = tasks").expect("let x0");
        for i in 1..n {
            let statement = format!("let x{i} = x{} | derive c{i} = {i}", i - 1);
            engine.run_script(&statement).expect("let");
        }
        let df = engine.query(&format!("x{} | count", n - 1)).expect("query");
        df.column("count").ok()?.get(0).ok()?.extract::<i64>()
    })
    .join()
    .ok()
    .flatten();
    let tasks = Engine::seed()
        .expect("seed")
        .query("tasks | count")
        .expect("count");
    let expected = tasks
        .column("count")
        .ok()
        .and_then(|c| c.get(0).ok()?.extract::<i64>());
    assert!(expected.is_some());
    assert_eq!(outcome, expected, "{n} chained lets");
}

/// A plan built through `let`s is bounded like one pipeline: 2,000 stages in one binding,
/// 47 in the next and `count` (2,048) are accepted, one more is refused with a diagnostic at
/// the pipeline that reads the chain, in one script as across calls.
#[test]
fn a_chain_of_lets_is_bounded_like_a_pipeline() {
    let stages = |n: usize| " | take 5".repeat(n);
    let mut engine = Engine::seed().expect("seed");
    engine
        .run_script(&format!("let a = tasks{}", stages(2000)))
        .expect("2,000 stages");
    let fits = format!("let b = a{}\nb | count", stages(47));
    assert!(engine.query(&fits).is_ok());
    let over = format!("let b = a{}\nb | count", stages(48));
    let e = engine.query(&over).expect_err("2,049 stages");
    assert_eq!(e.code(), Code::EngineTooManyStages);
    // At the query that reads the 2,048-stage `b`.
    assert_eq!(e.span().map(|s| s.start), over.rfind("b | count"));
    let e = engine
        .run_script(&format!("let c = a{}", stages(49)))
        .expect_err("2,049 stages, bound on its own");
    assert_eq!(e.code(), Code::EngineTooManyStages);
}

/// `let x = x | join semi x on …`, link after link: each plan reads the one before twice,
/// and polars visits a shared plan once per path, so the time doubled with every link
/// (22 links took 7.7 s; 40 never finished). The engine runs such a chain in segments of
/// bounded plan size. 60 links, bound one by one (as the REPL and the script runner bind
/// them) and in one script, give the table's own rows, in seconds, and `take` still
/// takes from a segment.
#[test]
fn a_chain_of_lets_each_joined_with_itself_runs_in_linear_time() {
    let links = 60;
    let link = "let x = x | join semi x on plan, task_id, owner";
    let started = std::time::Instant::now();
    let mut engine = Engine::seed().expect("seed");
    engine.run_script("let x = owners").expect("let x");
    for _ in 0..links {
        engine.run_script(link).expect("link");
    }
    let count =
        |df: polars::prelude::DataFrame| df.column("count").ok()?.get(0).ok()?.extract::<i64>();
    let owners = count(engine.query("owners | count").expect("owners"));
    assert!(owners.is_some_and(|n| n > 0));
    assert_eq!(count(engine.query("x | count").expect("x")), owners);
    assert_eq!(engine.query("x | take 3").expect("take").height(), 3);
    // polars pushes the columns a reader needs into the segment's scan: they are honoured
    // (they once were not, and `select` gave every column).
    let picked = engine
        .query("x | where role == \"lead\" | select owner, role | take 2")
        .expect("select");
    assert_eq!(picked.get_column_names(), ["owner", "role"]);
    assert_eq!(picked.height(), 2);
    let leads = engine
        .query("owners | where role == \"lead\" | count")
        .expect("leads");
    let leads_x = engine
        .query("x | where role == \"lead\" | count")
        .expect("leads of x");
    assert_eq!(count(leads_x), count(leads));
    let script = std::iter::once("let y = owners".to_string())
        .chain((0..links).map(|_| link.replace('x', "y")))
        .chain(std::iter::once("y | count".to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(count(engine.query(&script).expect("one script")), owners);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(30),
        "{links} self-joined links took {took:?}"
    );
}
