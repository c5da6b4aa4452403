//! Embedding planq: load the seed plan with a progress file, register a table of your
//! own, run queries with parameters and serialise the results.
//!
//! Run with `cargo run --release --example embed`.

use planq::render::Rows;
use planq::{Engine, Value};
use polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::seed()?;
    engine.add_progress_file("examples/progress-2010.csv")?;

    // Which departments lead the most tasks?
    let leads = engine
        .query(r#"owners | where role == "lead" | count by owner | sort count desc | take 5"#)?;
    println!("{}", serde_json::to_string_pretty(&Rows(&leads))?);

    // The embedding program's own table, joined with the plan's.
    let budgets = DataFrame::new(
        2,
        vec![
            Column::new("dept".into(), ["省数字办", "省通管局"]),
            Column::new("budget".into(), [1200i64, 800]),
        ],
    )?;
    engine.register_table("budgets", budgets)?;
    let joined = engine.query(
        "owners | where role == \"lead\" | count by owner | join budgets on owner == dept",
    )?;
    println!("{}", serde_json::to_string(&Rows(&joined))?);

    // Parameters, and a multi-statement script whose `let` persists.
    engine.set_param("min_pct", Value::Int(90));
    for result in engine.run_script(
        "let behind = shortfall | where status == \"behind\"\n\
         behind | where pct_done < $min_pct | select target_id, metric, pct_done",
    )? {
        println!(
            "{}\n{}",
            result.text,
            serde_json::to_string(&Rows(&result.frame))?
        );
    }

    // Errors are diagnostics: code, span, help — and they serialise too.
    if let Err(e) = engine.query("tasks | where ownr == \"省数字办\"") {
        println!("{}", serde_json::to_string_pretty(&e)?);
    }
    Ok(())
}
