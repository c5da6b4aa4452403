//! The layers of planq, checked against the code (issue 9, "layers you can see"):
//!
//! - the front end (`src/lang`) and plan extraction (`src/plan`) never use polars, clap or
//!   rustyline, and reach into no other module of planq but `error`;
//! - the checker's half of the query pipeline (`query::check`, `query::functions`,
//!   `query::types`, and `query::typed`, the typed plan it hands on) never uses polars, nor
//!   the modules that do;
//! - the compiler reads the typed plan only: it never uses the checker, and the one error
//!   it can make is the internal one (a bug), never a user's mistake;
//! - the REPL never uses the command line (`cli` uses `repl`, not the reverse);
//! - ARCHITECTURE.md's lines saying which modules use polars and nom are the truth.
//!
//! The check reads the source, outside comments: a `use` or a path naming the crate.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("readable src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments (line comments, doc comments, and the
/// `//`-comments after code; a `//` inside a string literal ends the line early, which
/// only hides code from the check, never invents a use).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("readable file");
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` uses the crate `name`: `use name…`, `name::…` as a path, or a
/// `pub use name;`.
fn uses(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(i) = code[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':');
        let rest = &code[at + name.len()..];
        let path = rest.starts_with("::");
        let used = code[..at].trim_end().ends_with("use") && (rest.starts_with(';') || path);
        if before_ok && (path || used) {
            return true;
        }
    }
    false
}

/// The modules of `crate::` that `code` names (`crate::engine::…` → `engine`), and the
/// siblings it names through `super::` (`super::compile` → `compile`).
fn crate_paths(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i + prefix.len();
        from = at;
        let name: String = code[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
        // `use crate::{a, b}` / `use super::{a, b}`: every name in the braces.
        if code[at..].starts_with('{') {
            let inner = &code[at + 1..];
            let end = inner.find('}').unwrap_or(inner.len());
            for part in inner[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    out.insert(name);
                }
            }
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module a file belongs to, as ARCHITECTURE.md names it: the top-level module, except
/// in `query`, whose files are named one by one (`query::compile`) because the checker's
/// half of it is polars-free and the compiler's is not.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    match parts.as_slice() {
        [one] if one == "lib" || one == "main" => None,
        [one] => Some(one.clone()),
        [dir, file, ..] if dir == "query" => Some(format!("query::{file}")),
        [dir, ..] => Some(dir.clone()),
        [] => None,
    }
}

/// Files of a module directory that break a rule, with what they use.
fn offenders(dir: &str, crates: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    for path in rust_files(&src().join(dir)) {
        let code = code(&path);
        for c in crates {
            if uses(&code, c) {
                bad.push(format!("{} uses {c}", path.display()));
            }
        }
    }
    bad
}

#[test]
fn the_front_end_and_plan_extraction_know_no_polars_and_no_terminal() {
    let mut bad = offenders("lang", &["polars", "rustyline", "clap"]);
    bad.extend(offenders("plan", &["polars", "rustyline", "clap"]));
    // Nor do they reach the modules that use polars: only each other and `error`.
    for dir in ["lang", "plan"] {
        for path in rust_files(&src().join(dir)) {
            for m in crate_paths(&code(&path), "crate::") {
                if !["lang", "plan", "error"].contains(&m.as_str()) {
                    bad.push(format!("{} uses crate::{m}", path.display()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_checker_half_of_the_query_pipeline_knows_no_polars() {
    let free = ["check", "functions", "types", "typed"];
    let mut bad = Vec::new();
    for file in free {
        let path = src().join("query").join(format!("{file}.rs"));
        let code = code(&path);
        if uses(&code, "polars") {
            bad.push(format!("{} uses polars", path.display()));
        }
        for m in crate_paths(&code, "crate::") {
            if !["lang", "plan", "error", "query"].contains(&m.as_str()) {
                bad.push(format!("{} uses crate::{m}", path.display()));
            }
        }
        for m in crate_paths(&code, "super::") {
            if !free.contains(&m.as_str()) {
                bad.push(format!("{} uses super::{m}", path.display()));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_compiler_reads_only_the_typed_plan_and_reports_no_user_error() {
    let path = src().join("query").join("compile.rs");
    let code = code(&path);
    // Its unit tests check plans to compile them: only the compiler itself is held to it.
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let mut bad = Vec::new();
    if crate_paths(code, "super::").contains("check")
        || crate_paths(code, "query::").contains("check")
        || code.contains("Checker")
    {
        bad.push(format!("{} uses the checker", path.display()));
    }
    // Its only diagnostic is the one made from `Internal` (code `planq::compile::internal`);
    // a user's mistake has a `planq::check::…` (or parse) code and is the checker's.
    let made = code.matches("Error::new(").count();
    if made != 1 || !code.contains("Error::new(ErrorKind::Query, Code::CompileInternal,") {
        bad.push(format!(
            "{} makes {made} errors; only `impl From<Internal> for Error` may",
            path.display()
        ));
    }
    if code.contains("Code::Check") || code.contains("Code::Engine") || code.contains("\"planq::") {
        bad.push(format!("{} names a user-facing error code", path.display()));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_repl_does_not_use_the_command_line() {
    let mut bad = Vec::new();
    for path in rust_files(&src().join("repl")) {
        if crate_paths(&code(&path), "crate::").contains("cli") {
            bad.push(format!("{} uses crate::cli", path.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The modules whose code uses `name`.
fn modules_using(name: &str) -> BTreeSet<String> {
    rust_files(&src())
        .into_iter()
        .filter(|p| uses(&code(p), name))
        .filter_map(|p| module_of(&p))
        .collect()
}

/// The backticked names of ARCHITECTURE.md's line `- NAME: `a`, `b` …`.
fn documented(name: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md");
    let prefix = format!("- uses {name}: ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no line starting {prefix:?}"));
    line[prefix.len()..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn architecture_md_says_which_modules_use_polars_and_nom() {
    for name in ["polars", "nom"] {
        assert_eq!(
            documented(name),
            modules_using(name),
            "ARCHITECTURE.md's `- uses {name}:` line (left) against the code (right)"
        );
    }
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert!(uses("use polars::prelude::*;", "polars"));
    assert!(uses("pub use polars;", "polars"));
    assert!(uses("let x = polars::prelude::lit(1);", "polars"));
    assert!(!uses("let polars_free = 1;", "polars"));
    assert!(!uses("use crate::query::polars_names;", "polars"));
    assert!(uses("use nom::IResult;", "nom"));
    assert!(!uses("let nominal = 1;", "nom"));
    assert_eq!(
        crate_paths("use crate::{error::Error, lang::ast};", "crate::"),
        ["error", "lang"].map(String::from).into()
    );
    assert!(code(&src().join("query/compile.rs")).contains("polars::"));
    assert!(modules_using("polars").contains("query::compile"));
    assert!(modules_using("nom").contains("lang"));
}
