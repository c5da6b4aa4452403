//! The fixture plans, listed once for the tests that run over all of them
//! (`#[path]`-included by `tests/extract.rs` and `tests/export_batched.rs`).

use std::path::PathBuf;

/// Every `.txt` plan among the fixtures, directory by directory, sorted: UTF-8, UTF-16,
/// GB18030, wrapped PDF text and a text file with a task table.
pub fn text_plan_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "tests/plans/genre",
        "tests/plans/formats",
        "tests/plans/issuers",
        "tests/fixtures",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("fixture directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        out.extend(files);
    }
    assert!(out.len() > 20, "fixtures not found");
    out
}
