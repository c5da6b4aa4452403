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
    // Commands run in a scratch directory that sees the repository's examples, so that
    // `export --out tables/` writes nowhere it shouldn't.
    let scratch = std::env::temp_dir().join(format!("planq-readme-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch");
    let link = scratch.join("examples");
    if !link.exists() {
        std::os::unix::fs::symlink(root.join("examples"), &link).expect("symlink");
    }
    let mut ran = 0;
    for b in blocks("README.md").into_iter().filter(|b| b.tag == "sh") {
        for line in b.code.lines() {
            let words = shell_words(line);
            if words.first().map(String::as_str) != Some("planq") {
                continue;
            }
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
            ran += 1;
        }
    }
    assert!(ran >= 6, "only {ran} README commands ran");
}
