//! The docs never rot: every ```planq block in README.md and grammar/ runs against the seed
//! plan (with the sample progress file) and must give the result written in the ```text
//! block right after it; every ```planq-error block must fail with the diagnostic code
//! written in the ```text block after it. ```planq-params name=value … sets parameters first;
//! ```planq-cli --table SPEC --aliases FILE --param name=value … loads tables and aliases
//! first, as the same options of the command line do; `--plan DIR` loads those plans
//! instead of the seed (a corpus, without progress). ```planq-line shows its result in line
//! mode and ```planq-table WIDTH as the aligned table at a terminal WIDTH columns wide, every
//! row (how results look at the prompt).
//!
//! Results are written as CSV, at most [`SHOWN`] rows each, then `… N more rows`; results of
//! several queries in one block are separated by a blank line. After changing an example,
//! `PLANQ_BLESS_DOCS=1 cargo test --release --test docs` writes the new expected blocks —
//! then read the diff: the expected block is the documentation's promise.

use planq::render::{self, Format};
use planq::{Engine, Value};

#[path = "common/scratch.rs"]
mod scratch;
use scratch::Scratch;

/// Rows of each result written in the docs.
const SHOWN: usize = 8;

struct Block {
    file: &'static str,
    /// Line of the opening fence (1-based).
    line: usize,
    /// Line of the closing fence (1-based).
    end: usize,
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
                Some(mut b) => {
                    b.end = i + 1;
                    out.push(b)
                }
                None => {
                    current = Some(Block {
                        file,
                        line: i + 1,
                        end: 0,
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

/// The engine of a ```planq-cli block: the seed with the sample progress file — or, with
/// `--plan DIR|FILE|GLOB` (repeatable), those plans without progress — then the block's
/// `--table`, `--aliases` and `--param` options in order.
fn engine_cli(args: &str) -> Engine {
    let words: Vec<&str> = args.split_whitespace().collect();
    let plans: Vec<String> = words
        .chunks(2)
        .filter_map(|p| match p {
            ["--plan", spec] => Some(spec.to_string()),
            _ => None,
        })
        .collect();
    let mut e = if plans.is_empty() {
        engine("")
    } else {
        let g = planq::corpus::gather(
            &plans,
            Default::default(),
            &Default::default(),
            &Default::default(),
        );
        assert!(g.bad.is_empty(), "--plan {plans:?}: {:?}", g.bad);
        Engine::new(planq::Dataset::from_docs(g.docs).expect("plans"))
    };
    for pair in words.chunks(2) {
        match pair {
            ["--plan", _] => {}
            ["--table", spec] => {
                e.import_table(spec).unwrap_or_else(|err| {
                    panic!("--table {spec}: {}", planq::cli::report(&err, false))
                });
            }
            ["--aliases", file] => {
                e.set_aliases_file(file).unwrap_or_else(|err| {
                    panic!("--aliases {file}: {}", planq::cli::report(&err, false))
                });
            }
            ["--param", kv] => {
                let (k, v) = kv.split_once('=').expect("name=value");
                e.set_param(k, Value::parse_cli(v));
            }
            other => panic!("planq-cli block: unknown option {other:?}"),
        }
    }
    e
}

/// A result as the docs write it.
fn shown(df: &polars::prelude::DataFrame) -> String {
    let rows = df.height();
    let mut out = Vec::new();
    render::write(&df.head(Some(SHOWN)), Format::Csv, &mut out).expect("csv");
    let mut text = String::from_utf8(out).expect("utf-8");
    if rows > SHOWN {
        text.push_str(&format!("… {} more rows\n", rows - SHOWN));
    }
    text
}

/// What the block after `b` must say: its results, or its error code.
fn actual(b: &Block) -> Option<String> {
    let (kind, params) = b.tag.split_once(' ').unwrap_or((b.tag.as_str(), ""));
    let file = b.file;
    match kind {
        "planq" | "planq-params" | "planq-cli" => {
            let mut e = if kind == "planq-cli" {
                engine_cli(params)
            } else {
                engine(params)
            };
            match e.run_script_named(file, &b.code) {
                Ok(results) => {
                    assert!(
                        !results.is_empty()
                            || b.code.lines().all(|l| l.trim().is_empty()
                                || l.trim_start().starts_with('#')
                                || l.trim_start().starts_with("--")
                                || l.trim_start().starts_with("let ")),
                        "{}:{}: block ran no query",
                        b.file,
                        b.line
                    );
                    if results.is_empty() {
                        return None;
                    }
                    let parts: Vec<String> = results.iter().map(|r| shown(&r.frame)).collect();
                    Some(parts.join("\n"))
                }
                Err(err) => panic!(
                    "{}:{}: example failed:\n{}\n{}",
                    b.file,
                    b.line,
                    b.code,
                    planq::cli::report(&err, false)
                ),
            }
        }
        // ```planq-line: the result in line mode (`.mode line`), every row;
        // ```planq-table N: the aligned table at a terminal N columns wide, every row.
        "planq-line" | "planq-table" => {
            let e = engine("");
            let df = e.query(&b.code).unwrap_or_else(|err| {
                panic!(
                    "{}:{}: example failed:\n{}\n{}",
                    b.file,
                    b.line,
                    b.code,
                    planq::cli::report(&err, false)
                )
            });
            Some(if kind == "planq-line" {
                render::line::render_lines(&df, None)
            } else {
                let width = params.trim().parse().expect("```planq-table WIDTH");
                render::render_table(
                    &df,
                    &render::TableOptions {
                        max_rows: None,
                        width: Some(width),
                        color: false,
                    },
                )
            })
        }
        "planq-error" => {
            let mut e = engine(params);
            match e.run_script_named(file, &b.code) {
                Ok(_) => panic!("{}:{}: expected an error:\n{}", b.file, b.line, b.code),
                Err(err) => Some(format!("error: {}\n", err.code())),
            }
        }
        _ => None,
    }
}

/// Checks (or with `PLANQ_BLESS_DOCS=1`, rewrites) every example of `file`; returns how
/// many examples ran.
fn check_file(file: &'static str) -> usize {
    let bless = std::env::var("PLANQ_BLESS_DOCS").is_ok_and(|v| v == "1");
    let all = blocks(file);
    let mut ran = 0;
    let mut failures = Vec::new();
    // (line after which to insert, or range to replace, new expected text)
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (i, b) in all.iter().enumerate() {
        let Some(want) = actual(b) else {
            if b.tag.starts_with("planq") {
                ran += 1;
            }
            continue;
        };
        ran += 1;
        let next = all
            .get(i + 1)
            .filter(|n| n.tag == "text" && n.line == b.end + 1);
        match next {
            Some(n) if n.code == want => {}
            Some(n) => {
                failures.push(format!(
                    "{}:{}: the example's result changed:\n{}--- documented:\n{}--- actual:\n{}",
                    file, b.line, b.code, n.code, want
                ));
                edits.push((n.line, n.end, want));
            }
            None => {
                failures.push(format!(
                    "{}:{}: no ```text block with the expected result after:\n{}",
                    file, b.line, b.code
                ));
                edits.push((b.end, b.end, want));
            }
        }
    }
    if bless && !edits.is_empty() {
        let text = std::fs::read_to_string(file).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::new();
        let mut at = 0; // lines written so far
        for (from, to, want) in edits {
            if from == to {
                // Insert after line `from`.
                for l in &lines[at..from] {
                    out.push_str(l);
                    out.push('\n');
                }
                out.push_str("```text\n");
                out.push_str(&want);
                out.push_str("```\n");
                at = from;
            } else {
                // Replace the text block at lines from..=to (keep its fences).
                for l in &lines[at..from] {
                    out.push_str(l);
                    out.push('\n');
                }
                out.push_str(&want);
                out.push_str("```\n");
                at = to;
            }
        }
        for l in &lines[at..] {
            out.push_str(l);
            out.push('\n');
        }
        std::fs::write(file, out).expect("write");
        return ran;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    ran
}

#[test]
fn grammar_readme_examples_give_their_documented_results() {
    assert!(check_file("grammar/README.md") >= 30);
}

#[test]
fn readme_examples_give_their_documented_results() {
    assert!(check_file("README.md") >= 5);
}

/// Splits a shell command line on spaces, honouring single and double quotes and
/// dropping a trailing `# comment`.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == '#' && !in_word => break,
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[test]
fn readme_commands_run() {
    let root = std::env::current_dir().expect("cwd");
    // Commands run in a scratch directory that sees the repository's examples and test fixtures, so that
    // `export --out tables/` writes nowhere it shouldn't.
    let scratch = Scratch::new("readme", "commands");
    // `examples/` for the scripts and progress sample, `tests/` for the format fixtures.
    for dir in ["examples", "tests"] {
        let link = scratch.join(dir);
        if !link.exists() {
            std::os::unix::fs::symlink(root.join(dir), &link).expect("symlink");
        }
    }
    let mut ran = 0;
    for b in blocks("README.md").into_iter().filter(|b| b.tag == "sh") {
        for line in b.code.lines() {
            let words = shell_words(line);
            if words.first().map(String::as_str) != Some("planq") {
                continue;
            }
            // `> FILE` at the end: stdout goes to FILE (in the scratch directory), and the
            // file must not be empty.
            let (words, redirect) = match words.iter().position(|w| w == ">") {
                Some(i) => (&words[..i], words.get(i + 1)),
                None => (&words[..], None),
            };
            let out = assert_cmd::Command::cargo_bin("planq")
                .expect("binary")
                .args(&words[1..])
                .current_dir(&scratch)
                .env("NO_COLOR", "1")
                .write_stdin("")
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "README.md:{}: `{line}` failed:\n{}",
                b.line,
                String::from_utf8_lossy(&out.stderr)
            );
            if let Some(file) = redirect {
                assert!(
                    !out.stdout.is_empty(),
                    "README.md:{}: `{line}` wrote nothing to {file}",
                    b.line
                );
                std::fs::write(scratch.join(file), &out.stdout).expect("redirect");
            }
            ran += 1;
        }
    }
    assert!(ran >= 6, "only {ran} README commands ran");
}
