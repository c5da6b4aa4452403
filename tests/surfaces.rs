//! A bounded proptest run of every input surface (progress CSV and JSON, plan text,
//! scripts, query text, the diagnostic renderer): no panic, spans inside the text,
//! bounded diagnostics. The same functions are the cargo-fuzz targets in `fuzz/` (for
//! deep runs on nightly: `cargo +nightly fuzz run <surface>`).
//!
//! A longer run without nightly: `PLANQ_SURFACE_CASES=20000 cargo test --release --test
//! surfaces`.

#[path = "../fuzz/src/surfaces.rs"]
mod surfaces;

use proptest::prelude::*;

/// A text of characters that matter to the surface, with the occasional huge line.
fn text_of(chars: &'static str, max: usize) -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            proptest::sample::select(chars.chars().collect::<Vec<_>>()),
            0..max,
        ),
        0usize..8,
    )
        .prop_map(|(cs, long)| {
            let mut s: String = cs.into_iter().collect();
            if long == 0 {
                // A line longer than miette's 65 535-column limit.
                let at = s.len() / 2;
                let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                s.insert_str(at, &"x".repeat(70_000));
            }
            s
        })
}

const CSV: &str = "abcdefghijklmnopqrstuvwxyz_0123456789#%.,,,,\"\"\r\n\n\t -+省\u{feff}";
const JSON: &str = "[]{}{}\"\"\"::,,,0123456789.eE+-\\ntrufalse_idacs\u{feff} \n\r#";
const PLAN: &str = "一二三四五六七八九十、（）().．1234567890 \n\n\n\r省市县厅局委办牵头负责配合年月日底前完成亿万元个%：:；;，,。";
const QUERY: &str = "abcdefghijklmnopqrstuvwxyz_ |||.\"\"'()[]{},=<>!+-*/%0123456789 \n#$d\\";

/// A progress CSV with the right header and rows made of plausible and odd cells.
fn csv_file() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just("2.5#1".to_string()),
        Just("2010-06-30".to_string()),
        Just("+201-01-01".to_string()),
        Just("\"a, \"\"b\"\"\"".to_string()),
        "[0-9.%]{0,6}",
        "[a-z#\r\n\"]{0,5}",
    ];
    let row = proptest::collection::vec(cell, 0..6).prop_map(|c| c.join(","));
    (
        proptest::collection::vec(row, 0..8),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
    )
        .prop_map(|(rows, eol, bom)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str("target_id,actual,as_of,note");
            for r in rows {
                s.push_str(eol);
                s.push_str(&r);
            }
            s
        })
}

/// A JSON array of objects with known, unknown and repeated keys.
fn json_file() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("target_id"),
        Just("actual"),
        Just("as_of"),
        Just("note"),
        Just("acutal"),
    ];
    let value = prop_oneof![
        Just("\"2.5#1\"".to_string()),
        Just("\"2010-06-30\"".to_string()),
        Just("\"+201-01-01\"".to_string()),
        Just("null".to_string()),
        Just("[1, {\"a\": \"}\"}]".to_string()),
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?",
        "\"[a-z\u{4e00}]{0,6}\"",
        "\"[a-z]{0,3}\\\\[\"n]\"",
    ];
    let object = proptest::collection::vec((key, value), 0..6).prop_map(|kv| {
        let members: Vec<String> = kv
            .into_iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        format!("{{{}}}", members.join(", "))
    });
    proptest::collection::vec(object, 0..5).prop_map(|o| format!("[{}]", o.join(",\n")))
}

/// 64 cases per surface in `cargo test`; `PLANQ_SURFACE_CASES=100000` for a long run.
fn cases() -> u32 {
    std::env::var("PLANQ_SURFACE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn progress_csv_text(text in text_of(CSV, 300)) {
        surfaces::progress_csv(&text);
    }

    #[test]
    fn progress_csv_files(text in csv_file()) {
        surfaces::progress_csv(&text);
    }

    #[test]
    fn progress_json_text(text in text_of(JSON, 300)) {
        surfaces::progress_json(&text);
    }

    #[test]
    fn progress_json_files(text in json_file()) {
        surfaces::progress_json(&text);
    }

    #[test]
    fn plan_text(text in text_of(PLAN, 400)) {
        surfaces::plan_text(&text);
    }

    #[test]
    fn scripts(text in text_of(QUERY, 300)) {
        surfaces::script(&text);
    }

    #[test]
    fn queries(text in text_of(QUERY, 200)) {
        surfaces::query(&text);
    }

    #[test]
    fn diagnostics(text in "(\\PC|\n|\r){0,300}") {
        surfaces::diagnostics(&text);
    }
}

/// The inputs of the issue that crashed the renderer or echoed huge lines.
/// Found by `cargo +nightly fuzz run diagnostics -s none` (coverage-guided, 728 390 runs):
/// 571 bytes of text with a stray backtick and hundreds of line breaks rendered as 41 676
/// bytes, one line per break in the message, label and help.
#[test]
fn many_line_breaks_in_quoted_text_stay_bounded() {
    let text =
        std::fs::read_to_string("tests/fixtures/fuzz-diagnostics-many-lines.txt").expect("fixture");
    surfaces::diagnostics(&text);
}

#[test]
fn long_lines_from_the_issue() {
    let long = "a".repeat(70_000);
    surfaces::query(&format!("tasks | where title == \"{long}\" or nosuch == 1"));
    surfaces::progress_csv(&format!(
        "target_id,actual,as_of\n2.5#1,{long},2010-01-01\n"
    ));
    surfaces::progress_json(&format!(
        "[{{\"target_id\": \"2.5#1\", \"actual\": \"{long}\", \"as_of\": \"2010-01-01\"}}]"
    ));
    surfaces::plan_text(&format!("一、总体要求\n1. {long}（省{long}办）\n"));
}
