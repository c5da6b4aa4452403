//! Every way text gets into planq, each as a function that must not panic, must keep its
//! spans inside the text, and must render its diagnostics in bounded size.
//!
//! Used by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and, by `#[path]`
//! inclusion, by the proptest run in `tests/surfaces.rs`.

use planq::error::Source;
use planq::repl::script::{split, Segment};
use planq::{Dataset, Engine, Error};

thread_local! {
    /// The seed plan, loaded once per thread.
    static SEED: Dataset = Dataset::seed().expect("the seed plan loads");
    /// An engine over it.
    static ENGINE: Engine = Engine::new(seed());
}

fn seed() -> Dataset {
    SEED.with(Dataset::clone)
}

/// Renders `e` (and checks what a user would see): spans inside their source, no
/// internal error (unless `internal_ok`), and at most some kilobytes per diagnostic
/// however long the input lines are.
fn check_error(e: &Error, internal_ok: bool) {
    let mut count = 0;
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        count += 1;
        if let (Some(src), Some(span)) = (&e.source(), e.span()) {
            assert!(
                span.start <= span.end && span.end <= src.text.len(),
                "span {span:?} outside a text of {} bytes ({})",
                src.text.len(),
                e.code()
            );
        }
        assert!(
            internal_ok || !e.code().as_str().contains("internal"),
            "internal error: {}",
            e.message()
        );
        stack.extend(e.related().iter());
    }
    let shown = planq::cli::report(e, false);
    assert!(
        shown.len() <= 20_000 * count,
        "{} bytes for {count} diagnostics",
        shown.len()
    );
}

fn progress(name: &str, text: &str) {
    let mut data = seed();
    if let Err(e) = data.add_progress(&Source::new(name, text)) {
        check_error(&e, false);
    }
}

/// A progress file in CSV.
pub fn progress_csv(text: &str) {
    progress("progress.csv", text);
}

/// A progress file in JSON.
pub fn progress_json(text: &str) {
    progress("progress.json", text);
}

/// A plan document: extraction, tables and warnings.
pub fn plan_text(text: &str) {
    match Dataset::from_text("plan.txt", text) {
        Ok(data) => {
            for w in data.warnings() {
                check_error(&w, false);
            }
        }
        Err(e) => check_error(&e, false),
    }
}

/// A script: split into statements, dot commands and broken text, in order and inside
/// the text.
pub fn script(text: &str) {
    let mut last = 0;
    for segment in split(text) {
        let span = match segment {
            Segment::Dot(span) | Segment::Statement { span, .. } => span,
            Segment::Broken { span, error } => {
                assert!(
                    error.span.start <= text.len(),
                    "error span outside the text"
                );
                span
            }
        };
        assert!(span.start >= last && span.start <= span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        last = span.end;
    }
}

/// Query text: parsed, checked and compiled to a polars plan (not run: running arbitrary
/// pipelines is bounded by the engine's own limits, not by this surface).
pub fn query(text: &str) {
    ENGINE.with(|engine| {
        if let Err(e) = engine.compile(text) {
            // Checker gaps (internal errors) belong to the engine's own tests; here the
            // point is no panic and bounded diagnostics.
            check_error(&e, true);
        }
    });
}

/// The diagnostic renderer on any span of any text (the first bytes choose the span).
pub fn diagnostics(text: &str) {
    let bytes = text.as_bytes();
    let (a, b) = match bytes {
        [a, b, ..] => (*a as usize, *b as usize),
        _ => (0, 0),
    };
    let len = text.len().max(1);
    let (start, end) = (
        (a * len / 255).min(text.len()),
        (b * len / 255).min(text.len()),
    );
    let (start, end) = (start.min(end), start.max(end));
    let src = Source::new("<fuzz>", text);
    let e = Error::new(
        planq::ErrorKind::Query,
        planq::error::Code::ParseExpected,
        format!("`{text}`"),
    )
    .at(
        &src,
        planq::lang::ast::Span::new(start, end),
        format!("`{text}`"),
    )
    .with_help(text.to_string());
    let shown = planq::cli::report(&e, false);
    assert!(shown.len() <= 40_000, "{} bytes", shown.len());
}
