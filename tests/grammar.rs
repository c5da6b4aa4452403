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
