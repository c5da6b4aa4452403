//! Syntax highlighting of the REPL buffer (from the lenient lexer) and the completeness
//! test of a statement (from the parser's `incomplete` flag).

use crate::lang::{parse, parse_script, tokens, TokenKind};

const RESET: &str = "\x1b[0m";
/// Red underline for the span of a syntax error.
const ERROR: &str = "\x1b[4;31m";

fn style(kind: TokenKind) -> Option<&'static str> {
    Some(match kind {
        TokenKind::Keyword => "\x1b[35m",                  // magenta
        TokenKind::Verb => "\x1b[1;34m",                   // bold blue
        TokenKind::Param => "\x1b[36m",                    // cyan
        TokenKind::String => "\x1b[32m",                   // green
        TokenKind::Number | TokenKind::Date => "\x1b[33m", // yellow
        TokenKind::Operator => "\x1b[1m",                  // bold
        TokenKind::Pipe => "\x1b[1;36m",                   // bold cyan
        TokenKind::Comment => "\x1b[2m",                   // dim
        TokenKind::Error => "\x1b[31m",                    // red
        TokenKind::Ident | TokenKind::Punct | TokenKind::Whitespace => return None,
    })
}

/// The buffer with ANSI colours; same display width as the input. Each syntax error that is
/// not merely an unfinished statement is underlined in red.
pub fn highlight(line: &str) -> String {
    let trimmed = line.trim_start();
    if trimmed.starts_with('.') {
        // A dot command: the command name in bold cyan, the arguments plain.
        let lead = line.len() - trimmed.len();
        let end = trimmed
            .find(char::is_whitespace)
            .map_or(line.len(), |i| lead + i);
        return format!(
            "{}\x1b[1;36m{}{RESET}{}",
            &line[..lead],
            &line[lead..end],
            &line[end..]
        );
    }
    // A line starting with `|` continues the last statement (see `repl::next_input`): its
    // syntax is checked after a stand-in source, so that the pipe itself is no error.
    let t = line.trim_start();
    let continues = t.starts_with('|') && !t.starts_with("||");
    let (checked, shift) = if continues {
        (format!("t\n{line}"), 2)
    } else {
        (line.to_string(), 0)
    };
    // Every mistake is underlined, not only the first (the parser recovers after each).
    let errors: Vec<(usize, usize)> = parse(&checked)
        .1
        .into_iter()
        .filter(|e| !e.incomplete && e.span.start >= shift)
        .map(|e| (e.span.start - shift, e.span.end.max(e.span.start) - shift))
        .collect();
    let mut out = String::with_capacity(line.len() * 2);
    for t in tokens(line) {
        // Split the token at the error span's ends so that only the span is underlined.
        let mut cuts = vec![t.span.start, t.span.end];
        for &(s, e) in &errors {
            for c in [s, e] {
                if c > t.span.start && c < t.span.end && line.is_char_boundary(c) {
                    cuts.push(c);
                }
            }
        }
        cuts.sort_unstable();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let Some(piece) = line.get(a..b) else {
                continue;
            };
            let in_error = errors.iter().any(|&(s, e)| a >= s && b <= e && s < e);
            match (in_error, style(t.kind)) {
                (true, _) => out.push_str(&format!("{ERROR}{piece}{RESET}")),
                (false, Some(st)) => out.push_str(&format!("{st}{piece}{RESET}")),
                (false, None) => out.push_str(piece),
            }
        }
    }
    out
}

/// What Enter does with the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Run it (complete, or wrong in a way more lines cannot fix).
    Run,
    /// Read another line (a trailing `|`, an open bracket or string, `let x =` …).
    More,
}

/// Decides whether the buffer is a whole statement.
pub fn completeness(buffer: &str) -> Completeness {
    let t = buffer.trim_start();
    if t.is_empty() || t.starts_with('.') {
        return Completeness::Run;
    }
    match parse_script(buffer) {
        Err(e) if e.incomplete => Completeness::More,
        _ => Completeness::Run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut in_esc = false;
        for c in s.chars() {
            match (in_esc, c) {
                (false, '\x1b') => in_esc = true,
                (true, 'm') => in_esc = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn highlighting_keeps_the_text() {
        for s in [
            r#"owners | where role == "lead" | count by owner -- x"#,
            "tasks | wher id > 3",
            "省数字办 \"未闭合",
            ".format csv",
            "",
        ] {
            assert_eq!(strip(&highlight(s)), s);
        }
    }

    #[test]
    fn kinds_get_colours() {
        let h = highlight(r#"owners | where role == "lead""#);
        assert!(h.contains("\x1b[1;34mwhere"), "{h:?}");
        assert!(h.contains("\x1b[32m\"lead\""), "{h:?}");
        assert!(h.contains("\x1b[1;36m|"), "{h:?}");
    }

    #[test]
    fn errors_are_red_but_unfinished_input_is_not() {
        assert!(highlight("tasks | wher id > 3").contains(ERROR));
        assert!(!highlight("tasks | where id > ").contains(ERROR));
        assert!(!highlight("tasks |").contains(ERROR));
        // A line continuing the last statement is no error; a bad stage in it is.
        assert!(!highlight("| where role == \"lead\"").contains(ERROR));
        assert!(highlight("| wher x").contains(ERROR));
    }

    #[test]
    fn every_mistake_is_underlined() {
        let h = highlight("tasks | wher x | take -1; owners | where a = 1");
        assert!(h.contains(&format!("{ERROR}wher{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{ERROR}-{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{ERROR}={RESET}")), "{h:?}");
    }

    #[test]
    fn multi_line_input_continues_only_when_unfinished() {
        assert_eq!(completeness("owners |"), Completeness::More);
        assert_eq!(
            completeness("owners | where owner in [\"a\","),
            Completeness::More
        );
        assert_eq!(
            completeness("owners | where owner == \"省"),
            Completeness::More
        );
        assert_eq!(completeness("let x ="), Completeness::More);
        assert_eq!(
            completeness("owners |\n  count by owner"),
            Completeness::Run
        );
        assert_eq!(completeness("owners"), Completeness::Run);
        assert_eq!(completeness("tasks | wher x"), Completeness::Run);
        assert_eq!(completeness(".tables"), Completeness::Run);
    }
}
