//! Parse speed of the query language on large generated scripts, to check that parsing
//! stays linear: it times `planq::lang::parse_script` on scripts of 2 500, 5 000 and
//! 10 000 lines (a mix of `let`s and queries with every kind of stage), and on one
//! expression of n `or`-ed comparisons.
//!
//! Run: `cargo run --release --example parse_speed`.

use std::time::Instant;

use planq::lang::{parse_expr, parse_script};

/// A script of `n` lines, cycling through statements that use every stage verb.
fn script(n: usize) -> String {
    let lines = [
        "let mine{i} = owners | where role == \"lead\" and owner ~ \"省\" | select task_id, owner",
        "tasks | where line > {i} and (deadline is null or deadline < d\"2010-12-31\") | count by category",
        "targets | join left tasks on task_id == id | derive pct = value * 100 / (value + {i}) | sort pct desc, id",
        "owners | summarize n = count(), first = min(position) by owner | top 3 by n per owner",
        "tasks | where id in [\"1.1\", \"2.{i}\", \"3.3\"] | rename t = title | distinct t | take 10",
    ];
    (0..n)
        .map(|i| lines[i % lines.len()].replace("{i}", &i.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Best of five runs of `f`, in milliseconds.
fn best_ms(mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    println!("| input | size | parse ms (best of 5) |");
    println!("|---|---|---|");
    for n in [2_500, 5_000, 10_000] {
        let src = script(n);
        let ms = best_ms(|| {
            let s = parse_script(&src).expect("the generated script parses");
            assert_eq!(s.statements.len(), n);
        });
        println!("| script lines | {n} ({} KB) | {ms:.2} |", src.len() / 1024);
    }
    for n in [100, 200, 400] {
        let src = format!(
            "a == 0{}",
            (1..n).map(|i| format!(" or a == {i}")).collect::<String>()
        );
        let ms = best_ms(|| {
            parse_expr(&src).expect("the generated expression parses");
        });
        println!("| `or` chain | {n} | {ms:.3} |");
    }
}
