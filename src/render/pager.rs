//! Results taller than the terminal go through a pager: `$PAGER`, else `less -SRFX` (`-S`
//! long lines scroll sideways instead of wrapping, `-R` keeps colour, `-F` quits at once
//! when the text fits after all, `-X` leaves the text on screen afterwards).
//!
//! The caller decides *when* (a terminal, `.pager on`, taller than the screen); this module
//! only runs the pager. A pager that cannot be started (not installed, a typo in `$PAGER`)
//! is no error: [`page`] says so and the caller prints the text itself, so the result is
//! never lost and no error is printed.

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// The pager used when `$PAGER` is not set.
pub const DEFAULT_PAGER: &str = "less -SRFX";

/// The pager command line: `$PAGER` when set and not blank, else [`DEFAULT_PAGER`].
pub fn pager_command() -> String {
    match std::env::var("PAGER") {
        Ok(p) if !p.trim().is_empty() => p,
        _ => DEFAULT_PAGER.to_string(),
    }
}

/// Splits a command line into words: blanks separate, `'…'` and `"…"` quote (no escapes
/// inside single quotes; `\` escapes the next character elsewhere), as a shell would for
/// the simple commands people put in `$PAGER`.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        q => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// Shows `text` through the pager `command`; waits until the user leaves it. Returns
/// `false` when the pager could not be started (the caller then prints `text` itself).
pub fn page(text: &str, command: &str) -> bool {
    let words = words(command);
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The user may leave the pager before reading everything: a closed pipe is fine.
        let r = stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush());
        if let Err(e) = r {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = child.wait();
                return true;
            }
        }
    }
    let _ = child.wait();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(words("less -SRFX"), ["less", "-SRFX"]);
        assert_eq!(words("  most  "), ["most"]);
        assert_eq!(
            words(r#"'/opt/my pager' -x "a b" c\ d"#),
            ["/opt/my pager", "-x", "a b", "c d"]
        );
        assert!(words("").is_empty());
    }

    #[test]
    fn a_missing_pager_is_reported_not_raised() {
        assert!(!page("text\n", "/nonexistent/planq-pager-xyz"));
        assert!(!page("text\n", "   "));
    }

    #[cfg(unix)]
    #[test]
    fn the_pager_gets_the_text() {
        let dir = std::env::temp_dir().join(format!("planq-pager-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("paged.txt");
        // Quoted words, as in a `$PAGER` of `sh -c "…"`.
        let cmd = format!("sh -c \"cat > '{}'\"", out.display());
        assert!(page("第一行\n第二行\n", &cmd));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "第一行\n第二行\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
