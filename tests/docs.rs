//! The docs never rot: every ```planq block in README.md and grammar/ runs against the seed
//! plan (with the sample progress file) and must succeed; every ```planq-error block must
//! fail with a diagnostic. ```planq-params name=value … sets parameters first.

use planq::{Engine, Value};

struct Block {
    file: &'static str,
    line: usize,
    tag: String,
    code: String,
}

fn blocks(file: &'static str) -> Vec<Block> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(fence) = trimmed.strip_prefix("```") {
            match current.take() {
                Some(b) => out.push(b),
                None => {
                    current = Some(Block {
                        file,
                        line: i + 1,
                        tag: fence.trim().to_string(),
                        code: String::new(),
                    })
                }
            }
        } else if let Some(b) = current.as_mut() {
            b.code.push_str(line);
            b.code.push('\n');
        }
    }
    out
}

fn engine(params: &str) -> Engine {
    let mut e = Engine::seed().expect("seed");
    e.add_progress_file("examples/progress-2010.csv")
        .expect("progress");
    for pair in params.split_whitespace() {
        let (k, v) = pair.split_once('=').expect("name=value");
        e.set_param(k, Value::parse_cli(v));
    }
    e
}

fn check_file(file: &'static str) -> usize {
    let mut ran = 0;
    for b in blocks(file) {
        let (kind, params) = b.tag.split_once(' ').unwrap_or((b.tag.as_str(), ""));
        match kind {
            "planq" | "planq-params" => {
                let mut e = engine(params);
                match e.run_script_named(file, &b.code) {
                    Ok(results) => assert!(
                        !results.is_empty()
                            || b.code.lines().all(|l| l.trim().is_empty()
                                || l.trim_start().starts_with('#')
                                || l.trim_start().starts_with("--")
                                || l.trim_start().starts_with("let ")),
                        "{}:{}: block ran no query",
                        b.file,
                        b.line
                    ),
                    Err(err) => panic!(
                        "{}:{}: example failed:\n{}\n{}",
                        b.file,
                        b.line,
                        b.code,
                        planq::cli::report(&err, false)
                    ),
                }
                ran += 1;
            }
            "planq-error" => {
                let mut e = engine(params);
                let result = e.run_script_named(file, &b.code);
                assert!(
                    result.is_err(),
                    "{}:{}: expected an error:\n{}",
                    b.file,
                    b.line,
                    b.code
                );
                ran += 1;
            }
            _ => {}
        }
    }
    ran
}

#[test]
fn grammar_readme_examples_run() {
    assert!(check_file("grammar/README.md") >= 30);
}

#[test]
fn readme_examples_run() {
    assert!(check_file("README.md") >= 5);
}
