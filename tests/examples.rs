//! Every saved script in `examples/` runs with the real binary, the way its first comment
//! says, and its output is snapshotted.

use assert_cmd::Command;

/// Runs an example from the crate root (where its `examples/…` paths resolve).
fn example(args: &[&str]) -> String {
    let out = Command::cargo_bin("planq")
        .expect("binary")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run planq");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    assert_eq!(stderr, "", "{args:?} wrote to stderr");
    stdout
}

/// The first line of every example says how to run it.
#[test]
fn every_example_says_how_to_run_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut scripts = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "pq") {
            scripts += 1;
            let text = std::fs::read_to_string(&path).expect("read");
            let first = text.lines().next().unwrap_or("");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                first.starts_with('#') && first.contains("planq") && first.contains(name),
                "{}: the first line should say how to run it",
                path.display()
            );
        }
    }
    assert!(scripts >= 5, "{scripts} example scripts");
}

#[test]
fn tasks_by_owner() {
    insta::assert_snapshot!(example(&["examples/tasks-by-owner.pq"]));
}

#[test]
fn tasks_by_category() {
    insta::assert_snapshot!(example(&["examples/tasks-by-category.pq"]));
}

#[test]
fn targets_by_category() {
    insta::assert_snapshot!(example(&["examples/targets-by-category.pq"]));
}

#[test]
fn shortfall() {
    insta::assert_snapshot!(example(&[
        "--progress",
        "examples/progress-2010.csv",
        "examples/shortfall.pq"
    ]));
}

#[test]
fn section_with_a_parameter() {
    let third = example(&["--param", "section=3", "examples/section.pq"]);
    insta::assert_snapshot!(third);
    assert!(third.contains("3.1"), "{third}");
    assert!(!third.contains("4.1"), "{third}");
    let fourth = example(&["--param", "section=4", "examples/section.pq"]);
    assert_ne!(third, fourth);
}
