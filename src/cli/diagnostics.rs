//! Rendering diagnostics for the terminal with miette.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// A diagnostic rendered as miette's graphical report (plain characters when `color` is
/// off, so that scripts and tests get stable text).
pub fn report(diag: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        out = format!("Error: {diag}\n");
    }
    out
}
