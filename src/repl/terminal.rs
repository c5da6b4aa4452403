//! The terminal's size, for fitting tables and paging: used by the REPL and by the command
//! line (which uses the REPL, never the reverse).

/// The terminal's width, when stdout is one: `COLUMNS` when set (as `ls` does), else the
/// terminal's own size.
pub(crate) fn terminal_width() -> Option<usize> {
    env_size("COLUMNS").or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
}

/// The terminal's height, when stdout is one: `LINES` when set, else the terminal's own.
pub(crate) fn terminal_height() -> Option<usize> {
    env_size("LINES")
        .or_else(|| terminal_size::terminal_size().map(|(_, h)| usize::from(h.0)))
        .filter(|h| *h > 0)
}

fn env_size(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}
