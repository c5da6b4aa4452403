//! The grammar and the parser match one to one: every syntactic rule of
//! `grammar/planq.ebnf` is one function of `src/lang/parser/`, named after the rule, whose
//! doc comment quotes the rule exactly — and no function quotes a rule the grammar lacks.
//! So a change to either that is not made to the other fails here.

use std::collections::BTreeMap;
use std::fs;

/// `OrExpr` → `or_expr`.
fn snake(rule: &str) -> String {
    let mut out = String::new();
    for (n, c) in rule.chars().enumerate() {
        if c.is_ascii_uppercase() && n > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn normalize(body: &str) -> String {
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The syntactic rules of the EBNF (everything before the lexical rules): name → body.
fn ebnf_rules() -> BTreeMap<String, String> {
    let text = fs::read_to_string("grammar/planq.ebnf").expect("grammar/planq.ebnf");
    // Up to the comment that opens the lexical section.
    let lexical = text.find("Lexical rules").expect("a lexical section");
    let syntactic = &text[..lexical];
    let syntactic = &syntactic[..syntactic.rfind("/*").expect("the section's comment")];
    let syntactic = &syntactic[..syntactic.rfind("/*").expect("the section's banner")];
    // Drop comments, then split at each `Name ::=` that starts a line.
    let mut plain = String::new();
    let mut rest = syntactic;
    while let Some(start) = rest.find("/*") {
        plain.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment") + start + 2;
        rest = &rest[end..];
    }
    plain.push_str(rest);
    let mut rules = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in plain.lines() {
        let head = line.split("::=").next().unwrap_or("").trim();
        let starts_rule = line.contains("::=")
            && !line.starts_with(char::is_whitespace)
            && head.chars().all(|c| c.is_ascii_alphanumeric());
        if starts_rule {
            if let Some((name, body)) = current.take() {
                rules.insert(name, normalize(&body));
            }
            let body = line.split_once("::=").map_or("", |(_, b)| b);
            current = Some((head.to_string(), body.to_string()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push(' ');
            body.push_str(line);
        }
    }
    if let Some((name, body)) = current {
        rules.insert(name, normalize(&body));
    }
    rules
}

/// Every function of the parser whose doc comment quotes a rule: rule → (body, function
/// name, file).
fn quoted_rules() -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir("src/lang/parser").expect("src/lang/parser") {
        let path = entry.expect("entry").path();
        let text = fs::read_to_string(&path).expect("source");
        let mut doc = String::new();
        for line in text.lines() {
            let line = line.trim();
            if let Some(d) = line.strip_prefix("///") {
                doc.push(' ');
                doc.push_str(d);
                continue;
            }
            if !doc.is_empty() {
                let quoted = doc
                    .split_once('`')
                    .and_then(|(_, after)| after.split_once('`'))
                    .map(|(q, _)| q)
                    .filter(|q| q.contains("::="));
                if let Some((rule, body)) = quoted.and_then(|q| q.split_once("::=")) {
                    let func = line
                        .split("fn ")
                        .nth(1)
                        .and_then(|f| f.split(['(', '<']).next())
                        .unwrap_or("<not a function>")
                        .to_string();
                    out.push((
                        rule.trim().to_string(),
                        normalize(body),
                        func,
                        path.display().to_string(),
                    ));
                }
            }
            doc.clear();
        }
    }
    out
}

#[test]
fn every_rule_is_one_function_quoting_it() {
    let rules = ebnf_rules();
    assert!(rules.len() > 30, "{rules:?}");
    let quoted = quoted_rules();
    for (rule, body) in &rules {
        let found: Vec<_> = quoted.iter().filter(|(r, ..)| r == rule).collect();
        assert_eq!(found.len(), 1, "rule {rule}: functions {found:?}");
        let (_, quoted_body, func, file) = found[0];
        assert_eq!(
            quoted_body, body,
            "rule {rule} in {file} quotes another body"
        );
        let name = snake(rule);
        assert!(
            *func == name || *func == format!("{name}_"),
            "rule {rule} is quoted by `{func}` in {file}, expected `fn {name}`"
        );
    }
    for (rule, _, func, file) in &quoted {
        assert!(
            rules.contains_key(rule),
            "`{func}` in {file} quotes `{rule}`, which grammar/planq.ebnf does not define"
        );
    }
}

/// planq with no colour, as a user's terminal would run it in a pipe.
fn planq() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("planq").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// The codes of the diagnostics in `stderr`, in order.
fn codes_in(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("planq::"))
        .map(str::trim)
        .collect()
}

const THREE_MISTAKES: &str = "categories | take 1\n\
owners | wher role == \"lead\" | take -1\n\
tasks | count\n\
targets | where value = 10\n";

#[test]
fn a_script_with_three_mistakes_reports_three() {
    let dir = std::env::temp_dir().join(format!("planq-grammar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("three.pq");
    std::fs::write(&file, THREE_MISTAKES).expect("script");
    let out = planq().arg(&file).output().expect("planq runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The exit code is the one of any failed script.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The statement before the first mistake ran; nothing after it did.
    assert!(stdout.contains("精心谋划"), "{stdout}");
    assert!(!stdout.contains("count"), "{stdout}");
    // Two mistakes in one statement, one in a later one: three diagnostics, in order.
    assert_eq!(
        codes_in(&stderr),
        [
            "planq::parse::unknown_verb",
            "planq::parse::bad_number",
            "planq::parse::single_equals"
        ],
        "{stderr}"
    );
    assert!(stderr.contains(":2:10]"), "{stderr}");
    assert!(stderr.contains(":2:37]"), "{stderr}");
    assert!(stderr.contains(":4:23]"), "{stderr}");
    let stderr = stderr.replace(&*file.display().to_string(), "three.pq");
    insta::assert_snapshot!("three_mistakes", stderr);

    // With --continue every statement that parses runs, and each mistake is reported once.
    let out = planq()
        .arg("--continue")
        .arg(&file)
        .output()
        .expect("planq runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("count"), "{stdout}");
    assert_eq!(codes_in(&stderr).len(), 3, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_library_reports_every_syntax_error_of_a_script() {
    let mut engine = planq::Engine::seed().expect("seed");
    let e = engine
        .run_script("tasks | sellect a\nowners | take x\ntasks | count")
        .expect_err("two syntax errors");
    assert_eq!(e.code(), "planq::parse::unknown_verb");
    let related: Vec<_> = e.related().iter().map(|r| r.code().as_str()).collect();
    assert_eq!(related, ["planq::parse::expected"]);
}

/// The function names written as calls (`` `name(`` ) in the table rows of `section`.
fn documented_calls(section: &str) -> Vec<String> {
    let mut names = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = row.split('|').nth(1).unwrap_or("");
        for piece in first_cell.split('`').skip(1).step_by(2) {
            if let Some((name, _)) = piece.split_once('(') {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

#[test]
fn the_grammar_docs_list_every_function_of_the_table() {
    use planq::query::functions::{Kind, FUNCTIONS};
    let text = fs::read_to_string("grammar/README.md").expect("grammar/README.md");
    let start = text.find("### Functions").expect("a Functions section");
    let functions = &text[start..];
    let split = functions
        .find("Aggregates, used in `summarize`")
        .expect("an aggregate table");
    let end = functions[split..]
        .find("\n## ")
        .map_or(functions.len(), |e| split + e);
    for (kind, section) in [
        (Kind::Scalar, &functions[..split]),
        (Kind::Aggregate, &functions[split..end]),
    ] {
        let mut documented = documented_calls(section);
        let mut table: Vec<String> = FUNCTIONS
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.name.to_string())
            .collect();
        documented.sort();
        table.sort();
        assert_eq!(documented, table, "{kind:?} functions in grammar/README.md");
    }
}

mod recovery_props {
    use planq::lang::{parse, parse_script};
    use proptest::prelude::*;

    /// Statements with mistakes: pieces of valid queries and of typical errors, joined by
    /// spaces, line breaks and `;`.
    fn scripts() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "tasks",
            "owners",
            "|",
            "|",
            "where",
            "wher",
            "select",
            "derive",
            "summarize",
            "count",
            "by",
            "sort",
            "desc",
            "top",
            "take",
            "3",
            "-1",
            "1.5",
            "join",
            "left",
            "on",
            "let",
            "x",
            "=",
            "==",
            "!=",
            "and",
            "or",
            "not",
            "in",
            "is",
            "null",
            "(",
            ")",
            "[",
            "]",
            ",",
            "\"s\"",
            "\"open",
            "d'2010-02-30'",
            "`q`",
            "$p",
            "&&",
            "<>",
            "n = count()",
            "f(",
            "sum(x)",
            "as",
            "role",
            "#c\n",
        ]);
        let sep = prop::sample::select(vec![" ", " ", " ", "\n", "\n  ", "; "]);
        prop::collection::vec((piece, sep), 0..40)
            .prop_map(|v| v.into_iter().flat_map(|(p, s)| [p, s]).collect::<String>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Recovery keeps only whole statements, reports errors in source order, and only
        /// the last may say "the input ended too early".
        #[test]
        fn recovery_keeps_whole_statements_and_ordered_errors(src in scripts()) {
            let (script, errors) = parse(&src);
            for w in errors.windows(2) {
                prop_assert!(w[0].span.start <= w[1].span.start, "{:?}", errors);
                prop_assert!(!w[0].incomplete, "{:?}", errors);
            }
            for st in &script.statements {
                let text = &src[st.span().start..st.span().end];
                prop_assert!(parse_script(text).is_ok(), "kept {:?} of {:?}", text, src);
            }
            // No error and no statement: only separators and comments.
            if errors.is_empty() {
                prop_assert!(parse_script(&src).is_ok());
            }
        }
    }
}

/// Every entry of the function table shows itself at work: its example runs on the seed
/// plan and gives the one value the entry states (shown by `.help NAME`).
#[test]
fn every_function_example_gives_its_stated_result() {
    use planq::query::functions::FUNCTIONS;
    let engine = planq::Engine::seed().expect("seed");
    let mut wrong = Vec::new();
    for f in FUNCTIONS {
        let ex = f.example;
        let df = match engine.query(ex.query) {
            Ok(df) => df,
            Err(e) => {
                wrong.push(format!(
                    "{}: {} fails: {}",
                    f.name,
                    ex.query,
                    planq::cli::report(&e, false)
                ));
                continue;
            }
        };
        assert_eq!(
            df.shape(),
            (1, 1),
            "{}: {} gives one value",
            f.name,
            ex.query
        );
        let mut out = Vec::new();
        planq::render::write(&df, planq::render::Format::Csv, &mut out).expect("csv");
        let text = String::from_utf8(out).expect("utf-8");
        let value = text.lines().nth(1).unwrap_or("");
        if value != ex.result {
            wrong.push(format!(
                "{}: {} gives {value:?}, the entry says {:?}",
                f.name, ex.query, ex.result
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `.help functions` and `.help NAME` come from the function table, through the binary.
#[test]
fn help_lists_the_function_table_and_shows_one_function() {
    use planq::query::functions::{lookup, FUNCTIONS};
    let out = planq().args(["-c", ".help functions"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for f in FUNCTIONS {
        assert!(
            text.contains(f.usage) && text.contains(f.doc),
            "{}: {text}",
            f.name
        );
    }
    // By its name, or by another language's name for it.
    let avg = lookup("avg").expect("avg");
    for asked in ["avg", "mean"] {
        let out = planq()
            .args(["-c", &format!(".help {asked}")])
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(text.starts_with("avg(x)"), "{text}");
        assert!(text.contains(avg.example.query) && text.contains(avg.example.result));
        assert!(text.contains("mean, average"), "{text}");
    }
    let out = planq().args(["-c", ".help sume"]).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(codes_in(&err), ["planq::dot::unknown_function"], "{err}");
    assert!(err.contains("did you mean `.help sum`?"), "{err}");
}
