//! Tab completion that knows the language — a pure function of the buffer, the cursor and
//! a [`Catalog`] (the engine, or a fake in tests):
//!
//! * at the start of a statement (or after `join`): table and `let` names;
//! * right after `|`: the stage verbs;
//! * inside a stage: the columns of the pipeline so far (the text up to the last top-level
//!   `|`), function names, and keywords once a word is started;
//! * inside a string literal after `col ==`, `!=`, `~`, `!~` or `in [`: the column's actual
//!   values, most frequent first (matching by prefix, then anywhere in the value, so `数字`
//!   finds `省数字办`); right after such an operator, the values as quoted strings;
//! * dot commands, their arguments, and file paths after `.load`, `.read` and `.save`.

use crate::engine::Engine;
use crate::lang::ast::VERBS;
use crate::lang::lexer::{is_bare_name, tokens, Token, TokenKind, JOIN_KINDS};
use crate::query::functions::{Kind, FUNCTIONS};
use crate::render::Format;

use super::dot;

/// Keywords offered inside a stage once a word is started.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "null", "true", "false", "as", "by", "asc", "desc", "on", "per",
];

/// How many distinct values to ask for.
const VALUE_LIMIT: usize = 200;

/// What completion needs to know about the data.
pub trait Catalog {
    /// Table and `let` names.
    fn table_names(&self) -> Vec<String>;
    /// The output columns of a (partial) pipeline such as `owners | where role == "lead"`,
    /// written after the script `before` (whose `let`s it may read; empty for none).
    fn columns(&self, before: &str, pipeline: &str) -> Vec<String>;
    /// Distinct values of `column` in the output of `pipeline` (after `before`), most
    /// frequent first.
    fn values(&self, before: &str, pipeline: &str, column: &str) -> Vec<String>;
    /// Columns of the last result (for `.chart`).
    fn last_columns(&self) -> Vec<String> {
        Vec::new()
    }
    /// Names of the parameters set so far.
    fn param_names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The engine as a catalog.
pub struct EngineCatalog<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// Columns of the last result.
    pub last_columns: Vec<String>,
}

impl Catalog for EngineCatalog<'_> {
    fn table_names(&self) -> Vec<String> {
        self.engine.tables().into_iter().map(|t| t.name).collect()
    }

    fn columns(&self, before: &str, pipeline: &str) -> Vec<String> {
        // The typed plan of the pipeline as far as it goes: an unfinished or wrong stage
        // still leaves the columns of the stages before it.
        self.engine
            .columns_so_far(before, pipeline)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    fn values(&self, before: &str, pipeline: &str, column: &str) -> Vec<String> {
        self.engine
            .distinct_values(before, pipeline, column, VALUE_LIMIT)
    }

    fn last_columns(&self) -> Vec<String> {
        self.last_columns.clone()
    }

    fn param_names(&self) -> Vec<String> {
        self.engine.params().keys().cloned().collect()
    }
}

/// A completion candidate: what the list shows and what replaces the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Shown in the list.
    pub display: String,
    /// Inserted in place of the word being completed.
    pub replacement: String,
}

impl Candidate {
    fn same(s: impl Into<String>) -> Candidate {
        let s = s.into();
        Candidate {
            display: s.clone(),
            replacement: s,
        }
    }
}

/// Completes `line` at byte `pos`: where the replaced word starts, and the candidates.
pub fn complete(line: &str, pos: usize, catalog: &dyn Catalog) -> (usize, Vec<Candidate>) {
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &line[..pos];
    let trimmed = before.trim_start();
    if trimmed.starts_with('.') {
        let base = before.len() - trimmed.len();
        return complete_dot(trimmed, base, catalog);
    }
    complete_query(before, 0, catalog)
}

/// A name as it must be written in a query.
fn quote_name(name: &str) -> String {
    if is_bare_name(name) {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// Keeps the candidates whose display starts with `word` (case-insensitively), then (for
/// values) those containing it; drops duplicates.
fn filter(word: &str, cands: Vec<Candidate>, anywhere: bool) -> Vec<Candidate> {
    let w = word.to_lowercase();
    let mut out: Vec<Candidate> = Vec::new();
    let push = |c: &Candidate, out: &mut Vec<Candidate>| {
        if !out.iter().any(|o| o.replacement == c.replacement) {
            out.push(c.clone());
        }
    };
    for c in &cands {
        let d = c.display.to_lowercase();
        let r = c.replacement.to_lowercase();
        if d.starts_with(&w) || r.starts_with(&w) {
            push(c, &mut out);
        }
    }
    if anywhere && !w.is_empty() {
        for c in &cands {
            if c.display.to_lowercase().contains(&w) {
                push(c, &mut out);
            }
        }
    }
    out
}

/// Significant (non-trivia) tokens with their index.
fn significant(toks: &[Token]) -> Vec<Token> {
    toks.iter().copied().filter(|t| !t.is_trivia()).collect()
}

/// Where the current statement starts in `text` (after the last top-level `;` or
/// statement-ending line break), and where the current pipeline starts: after the innermost
/// open `(` that starts a sub-pipeline, else at the statement's start.
fn pipeline_start(text: &str, toks: &[Token]) -> (usize, usize) {
    // (byte after the opener, opener char, whether it opens a pipeline)
    let mut stack: Vec<(usize, char, bool)> = Vec::new();
    let mut start = 0;
    let mut prev: Option<Token> = None;
    for (i, t) in toks.iter().enumerate() {
        let s = t.text(text);
        match t.kind {
            TokenKind::Punct if s == "(" || s == "[" => {
                let pipeline = s == "("
                    && match prev {
                        None => true,
                        Some(p) => {
                            let ps = p.text(text);
                            (p.kind == TokenKind::Verb && ps == "join")
                                || (p.kind == TokenKind::Keyword && JOIN_KINDS.contains(&ps))
                                || (p.kind == TokenKind::Punct && (ps == "(" || ps == ";"))
                                || (p.kind == TokenKind::Operator && ps == "=")
                        }
                    };
                stack.push((t.span.end, s.chars().next().unwrap_or('('), pipeline));
            }
            TokenKind::Punct if s == ")" || s == "]" => {
                stack.pop();
            }
            TokenKind::Punct if s == ";" && stack.is_empty() => start = t.span.end,
            TokenKind::Whitespace if stack.is_empty() && s.contains('\n') => {
                // A line break ends the statement unless the next line starts with `|` or
                // this line stops in the middle of something.
                let next = toks[i + 1..].iter().find(|t| !t.is_trivia());
                let dangling = prev.is_some_and(|p| {
                    matches!(p.kind, TokenKind::Operator | TokenKind::Pipe)
                        || (p.kind == TokenKind::Punct && p.text(text) == ",")
                        || (p.kind == TokenKind::Keyword && p.text(text) == "by")
                });
                if next.is_some_and(|n| n.kind != TokenKind::Pipe) && !dangling {
                    start = t.span.end;
                }
            }
            _ => {}
        }
        if !t.is_trivia() {
            prev = Some(*t);
        }
    }
    let pipeline = stack
        .iter()
        .rev()
        .find(|(_, _, p)| *p)
        .map_or(start, |(at, _, _)| (*at).max(start));
    (start, pipeline)
}

/// The top-level `|` tokens of the pipeline starting at `start`.
fn top_level_pipes(text: &str, toks: &[Token], start: usize) -> Vec<Token> {
    let mut depth = 0usize;
    let mut pipes = Vec::new();
    for t in toks.iter().filter(|t| t.span.start >= start) {
        let s = t.text(text);
        match t.kind {
            TokenKind::Punct if s == "(" || s == "[" => depth += 1,
            TokenKind::Punct if s == ")" || s == "]" => depth = depth.saturating_sub(1),
            TokenKind::Pipe if depth == 0 => pipes.push(*t),
            _ => {}
        }
    }
    pipes
}

fn complete_query(text: &str, base: usize, cat: &dyn Catalog) -> (usize, Vec<Candidate>) {
    let toks = tokens(text);
    let (statement, start) = pipeline_start(text, &toks);
    // The script before the current statement: its `let`s name sources the statement may
    // read before they are run (a multi-line buffer), so the catalog reads a pipeline
    // after them.
    let prelude = &text[..statement];
    let pipes = top_level_pipes(text, &toks, start);
    let last_pipe = pipes.last().copied();
    // The pipeline feeding the current stage (for its columns and values).
    let input = last_pipe.map_or("", |p| text[start..p.span.start].trim());

    // The token at the cursor, if the cursor is at its end (a word or string being typed).
    let current = toks.last().copied().filter(|t| {
        t.span.end == text.len()
            && matches!(
                t.kind,
                TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb | TokenKind::String
            )
    });
    let (word_start, word) = match current {
        Some(t) if t.kind != TokenKind::String => (t.span.start, t.text(text)),
        _ => (text.len(), ""),
    };
    let before: Vec<Token> = significant(&toks)
        .into_iter()
        .filter(|t| t.span.start >= start && t.span.end <= word_start)
        .filter(|t| Some(*t) != current)
        .collect();

    // Inside a string literal: the column's values.
    if let Some(t) = current.filter(|t| t.kind == TokenKind::String) {
        let lit = t.text(text);
        let quote = lit.chars().next().unwrap_or('"');
        let closed = lit.len() > 1 && lit.ends_with(quote) && !lit.ends_with(&format!("\\{quote}"));
        if closed {
            return (base + text.len(), Vec::new());
        }
        let typed = unescape(&lit[quote.len_utf8()..]);
        let Some(column) = compared_column(text, &before) else {
            return (base + text.len(), Vec::new());
        };
        let values = cat.values(prelude, source_or(input, text, start), &column);
        let cands = values
            .into_iter()
            .map(|v| Candidate {
                replacement: format!("{}{quote}", escape(&v, quote)),
                display: v,
            })
            .collect();
        return (
            base + t.span.start + quote.len_utf8(),
            filter(&typed, cands, true),
        );
    }

    let prev = before.last().copied();
    let prev_text = prev.map_or("", |p| p.text(text));
    let at = base + word_start;
    let names = |cat: &dyn Catalog| -> Vec<Candidate> {
        let mut names = let_names(prelude);
        for n in cat.table_names() {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        name_candidates(names)
    };

    // The source of the statement (or sub-pipeline).
    if before.is_empty() {
        let mut cands = names(cat);
        if start == 0 || text[..start].trim_end().ends_with(';') || !text[..start].contains('(') {
            cands.push(Candidate::same("let"));
        }
        return (at, filter(word, cands, false));
    }
    // `let NAME = ` → a source.
    if prev_text == "="
        && before.len() == 3
        && before[0].kind == TokenKind::Keyword
        && before[0].text(text) == "let"
    {
        return (at, filter(word, names(cat), false));
    }
    if prev.is_some_and(|p| p.kind == TokenKind::Keyword && p.text(text) == "let") {
        return (at, Vec::new()); // a new name
    }
    match prev.map(|p| p.kind) {
        Some(TokenKind::Pipe) => {
            let verbs = VERBS.iter().map(|v| Candidate::same(*v)).collect();
            return (at, filter(word, verbs, false));
        }
        Some(TokenKind::Verb) if prev_text == "join" => {
            let mut cands = names(cat);
            cands.extend(JOIN_KINDS.iter().map(|k| Candidate::same(*k)));
            return (at, filter(word, cands, false));
        }
        Some(TokenKind::Keyword) if JOIN_KINDS.contains(&prev_text) => {
            return (at, filter(word, names(cat), false));
        }
        _ => {}
    }
    // No `|` yet: still on the source (e.g. `owners whe`): nothing sensible to offer.
    let Some(pipe) = last_pipe else {
        return (at, Vec::new());
    };
    let stage: Vec<Token> = before
        .iter()
        .copied()
        .filter(|t| t.span.start > pipe.span.start)
        .collect();
    let verb = stage.first().map_or("", |t| t.text(text));
    let input = source_or(input, text, start);
    if verb == "join" {
        let right = |source: &str| cat.columns(prelude, source);
        let cands = complete_join(text, &stage, &|| cat.columns(prelude, input), &right);
        return (at, filter(word, cands, false));
    }

    // Right after `col ==` (or in `col in [`), offer the values as string literals.
    if word.is_empty() {
        if let Some(column) = compared_column(text, &before) {
            let values: Vec<Candidate> = cat
                .values(prelude, input, &column)
                .into_iter()
                .map(|v| Candidate {
                    replacement: format!("\"{}\"", escape(&v, '"')),
                    display: v,
                })
                .collect();
            if !values.is_empty() {
                return (at, values);
            }
        }
    }

    let mut cands = name_candidates(cat.columns(prelude, input));
    // Function names come from the one function table the checker uses.
    let kind = if verb == "summarize" {
        Kind::Aggregate
    } else {
        Kind::Scalar
    };
    let mut fns: Vec<&str> = FUNCTIONS
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.name)
        .collect();
    fns.sort_unstable();
    cands.extend(fns.iter().map(|f| Candidate {
        display: format!("{f}()"),
        replacement: format!("{f}("),
    }));
    if !word.is_empty() {
        cands.extend(KEYWORDS.iter().map(|k| Candidate::same(*k)));
    }
    (at, filter(word, cands, false))
}

/// Table or column names as candidates, backticked where a query needs it.
fn name_candidates(names: Vec<String>) -> Vec<Candidate> {
    names
        .into_iter()
        .map(|c| Candidate {
            replacement: quote_name(&c),
            display: c,
        })
        .collect()
}

/// Completion inside `join [KIND] SOURCE on KEY [== KEY], …` (`stage` holds its tokens
/// before the word being typed, `join` first): after the source, `on`; in a key, the left
/// side's columns (`left`), and after `==` the right side's (`right` of the source's text:
/// a table, a `let`, or a parenthesised pipeline, typed like any pipeline). A join key is
/// a name, so no functions or keywords are offered.
fn complete_join(
    text: &str,
    stage: &[Token],
    left: &dyn Fn() -> Vec<String>,
    right: &dyn Fn(&str) -> Vec<String>,
) -> Vec<Candidate> {
    let is = |t: Option<&Token>, kind: TokenKind, s: &str| {
        t.is_some_and(|t| t.kind == kind && t.text(text) == s)
    };
    // A kind keyword is a kind only when `on` does not follow at once (`join left on k`
    // joins a table named `left`).
    let mut at = 1;
    if stage
        .get(at)
        .is_some_and(|t| t.kind == TokenKind::Keyword && JOIN_KINDS.contains(&t.text(text)))
        && !is(stage.get(at + 1), TokenKind::Keyword, "on")
    {
        at += 1;
    }
    let Some(first) = stage.get(at) else {
        return Vec::new();
    };
    // The source's text and the index of the token after it.
    let (source, after) = if is(Some(first), TokenKind::Punct, "(") {
        let mut depth = 0usize;
        let close = stage[at..].iter().position(|t| {
            match (t.kind, t.text(text)) {
                (TokenKind::Punct, "(" | "[") => depth += 1,
                (TokenKind::Punct, ")" | "]") => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        });
        match close {
            Some(i) => {
                let close = stage[at + i];
                (&text[first.span.end..close.span.start], at + i + 1)
            }
            None => return Vec::new(),
        }
    } else {
        (first.text(text), at + 1)
    };
    let rest = &stage[after.min(stage.len())..];
    let Some(on) = rest.first() else {
        return vec![Candidate::same("on")];
    };
    if !is(Some(on), TokenKind::Keyword, "on") {
        return Vec::new();
    }
    let after_eq = rest
        .iter()
        .rev()
        .find(|t| matches!(t.text(text), "==" | ",") || t.kind == TokenKind::Keyword)
        .is_some_and(|t| t.text(text) == "==");
    name_candidates(if after_eq { right(source) } else { left() })
}

/// The names the `let`s of a script bind, latest first.
fn let_names(script: &str) -> Vec<String> {
    if script.trim().is_empty() {
        return Vec::new();
    }
    let mut names = Vec::new();
    for st in crate::lang::parse(script).0.statements.iter().rev() {
        if let crate::lang::ast::Statement::Let { name, .. } = st {
            if !names.contains(&name.name) {
                names.push(name.name.clone());
            }
        }
    }
    names
}

/// The pipeline to ask for columns: the text before the last `|`, or (with no `|`) the
/// source name itself.
fn source_or<'a>(input: &'a str, text: &'a str, start: usize) -> &'a str {
    if input.is_empty() {
        text[start..].trim()
    } else {
        input
    }
}

/// The column compared in `col == "…"`, `col != `, `col ~ `, `col !~ ` or `col in [ …, `
/// (the significant tokens before the cursor end with the operator or list).
fn compared_column(text: &str, before: &[Token]) -> Option<String> {
    let n = before.len();
    let last = before.last()?;
    let name_at = |i: usize| -> Option<String> {
        let t = before.get(i)?;
        (t.kind == TokenKind::Ident).then(|| t.text(text).trim_matches('`').replace("``", "`"))
    };
    if last.kind == TokenKind::Operator && ["==", "!=", "~", "!~"].contains(&last.text(text)) {
        return name_at(n.checked_sub(2)?);
    }
    // Inside `[`: walk back over `"v",` items to the `[`, then expect `in` (or `not in`).
    let mut i = n;
    while i > 0 {
        let t = before[i - 1];
        let s = t.text(text);
        match t.kind {
            TokenKind::Punct if s == "[" => {
                let kw = before.get(i.checked_sub(2)?)?;
                if kw.kind == TokenKind::Keyword && kw.text(text) == "in" {
                    return name_at(i.checked_sub(3)?).or_else(|| {
                        // `col not in [`
                        let not = before.get(i.checked_sub(3)?)?;
                        (not.text(text) == "not").then(|| name_at(i.checked_sub(4)?))?
                    });
                }
                return None;
            }
            TokenKind::Punct if s == "," => {}
            TokenKind::String | TokenKind::Number => {}
            _ => return None,
        }
        i -= 1;
    }
    None
}

fn escape(value: &str, quote: char) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c == quote => {
                s.push('\\');
                s.push(c);
            }
            c => s.push(c),
        }
    }
    s
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn complete_dot(text: &str, base: usize, cat: &dyn Catalog) -> (usize, Vec<Candidate>) {
    let Some(space) = text.find(char::is_whitespace) else {
        let cands = dot::names().into_iter().map(Candidate::same).collect();
        return (base, filter(text, cands, false));
    };
    let command = &text[..space];
    let args_start = text[space..]
        .find(|c: char| !c.is_whitespace())
        .map_or(text.len(), |i| space + i);
    let args = &text[args_start..];
    // The word being typed and the words before it.
    let word_start = args
        .rfind(char::is_whitespace)
        .map_or(args_start, |i| args_start + i + 1);
    let word = &text[word_start..];
    let words_before = text[args_start..word_start].split_whitespace().count();
    let at = base + word_start;
    let same = |v: &[&str]| v.iter().map(|s| Candidate::same(*s)).collect::<Vec<_>>();
    let cands = match (command, words_before) {
        (".load", 0) => same(&["plan", "progress"]),
        (".load", _) | (".read", _) | (".save", _) | (".once", _) | (".import", 0) => {
            return (at, paths(word))
        }
        (".aliases", 0) => same(&["suggest", "load"]),
        (".help", 0) => std::iter::once("functions")
            .chain(FUNCTIONS.iter().map(|f| f.name))
            .map(Candidate::same)
            .collect(),
        (".aliases", _) => return (at, paths(word)),
        (".format", 0) | (".mode", 0) => same(Format::NAMES),
        (".timer", 0) | (".pager", 0) => same(&["on", "off"]),
        (".schema", 0) => cat.table_names().into_iter().map(Candidate::same).collect(),
        (".chart", 0 | 1) => cat
            .last_columns()
            .into_iter()
            .map(Candidate::same)
            .collect(),
        (".set" | ".unset", 0) => cat.param_names().into_iter().map(Candidate::same).collect(),
        (".explain", _) => return complete_query(args, base + args_start, cat),
        _ => Vec::new(),
    };
    (at, filter(word, cands, false))
}

/// File names completing `word` (a path typed so far); directories end in `/`.
fn paths(word: &str) -> Vec<Candidate> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let listing = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(listing) else {
        return Vec::new();
    };
    let mut out: Vec<Candidate> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let shown = if is_dir { format!("{name}/") } else { name };
            Some(Candidate {
                replacement: format!("{dir}{shown}"),
                display: shown,
            })
        })
        .collect();
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog with the seed's `owners` and `tasks` shapes and a few values.
    struct Fake;

    impl Catalog for Fake {
        fn table_names(&self) -> Vec<String> {
            ["tasks", "owners", "targets", "单位表"]
                .map(String::from)
                .to_vec()
        }
        fn columns(&self, _before: &str, pipeline: &str) -> Vec<String> {
            let cols: &[&str] = if pipeline.contains("count by owner") {
                &["owner", "count"]
            } else if pipeline.starts_with("owners") || pipeline.starts_with("(owners") {
                &["task_id", "owner", "role", "position"]
            } else if pipeline.starts_with("tasks") {
                &["id", "category", "title", "deadline", "due date"]
            } else {
                &[]
            };
            cols.iter().map(|s| s.to_string()).collect()
        }
        fn values(&self, _before: &str, pipeline: &str, column: &str) -> Vec<String> {
            match (pipeline.starts_with("owners"), column) {
                (true, "owner") => ["省数字办", "省通管局", "有关部门", "各设区市政府"]
                    .map(String::from)
                    .to_vec(),
                (true, "role") => ["lead", "support", "responsible"]
                    .map(String::from)
                    .to_vec(),
                _ => Vec::new(),
            }
        }
        fn last_columns(&self) -> Vec<String> {
            vec!["owner".into(), "count".into()]
        }
        fn param_names(&self) -> Vec<String> {
            vec!["section".into()]
        }
    }

    fn shown(line: &str) -> (usize, Vec<String>) {
        let (at, c) = complete(line, line.len(), &Fake);
        (at, c.into_iter().map(|c| c.replacement).collect())
    }

    #[test]
    fn help_completes_function_names_from_the_table() {
        let (_, c) = shown(".help con");
        assert_eq!(c, ["contains", "concat"]);
        let (at, c) = shown(".help fu");
        assert_eq!((at, c), (6, vec!["functions".to_string()]));
    }

    #[test]
    fn tables_at_the_start() {
        let (at, c) = shown("ow");
        assert_eq!((at, c), (0, vec!["owners".to_string()]));
        let (_, c) = shown("");
        assert!(c.contains(&"tasks".to_string()) && c.contains(&"let".to_string()));
        // A later statement after `;` or a line break starts over.
        assert_eq!(shown("tasks; ta").1, ["tasks", "targets"]);
        assert_eq!(shown("tasks\nta").1, ["tasks", "targets"]);
        assert_eq!(shown("let x = ow").1, ["owners"]);
    }

    #[test]
    fn verbs_after_a_pipe() {
        let (at, c) = shown("owners | wh");
        assert_eq!(at, 9);
        assert_eq!(c, ["where"]);
        assert_eq!(shown("owners\n  | so").1, ["sort"]);
        assert_eq!(shown("owners | ").1.len(), VERBS.len());
    }

    #[test]
    fn columns_of_the_pipeline_so_far() {
        let (at, c) = shown("owners | where ro");
        assert_eq!(
            (at, c),
            (15, vec!["role".to_string(), "round(".to_string()])
        );
        // The columns after `count by owner` are owner and count.
        let (_, c) = shown("owners | count by owner | sort co");
        assert_eq!(c, ["count", "coalesce(", "contains("]);
        // Names that need backticks get them.
        assert_eq!(shown("tasks | select du").1, ["`due date`"]);
        // Functions and aggregates.
        assert!(shown("tasks | summarize n = co")
            .1
            .contains(&"count_distinct(".to_string()));
        assert!(shown("tasks | where starts")
            .1
            .contains(&"starts_with(".to_string()));
        // Keywords once a word is started.
        assert!(shown("tasks | sort id de").1.contains(&"desc".to_string()));
    }

    #[test]
    fn values_inside_a_string_after_a_comparison() {
        let (at, c) = shown("owners | where owner == \"省数");
        assert_eq!(at, "owners | where owner == \"".len());
        assert_eq!(c, ["省数字办\""]);
        // Matching anywhere in the value: `数字` finds `省数字办`.
        assert_eq!(shown("owners | where owner ~ '数字").1, ["省数字办'"]);
        // In a list.
        let c = shown("owners | where owner in [\"省数字办\", \"省").1;
        assert_eq!(c, ["省数字办\"", "省通管局\""]);
        // Right after the operator: the values as literals.
        let c = shown("owners | where role == ").1;
        assert_eq!(c, ["\"lead\"", "\"support\"", "\"responsible\""]);
        // Not after a non-comparison.
        assert!(shown("owners | where contains(owner, \"省").1.is_empty());
    }

    #[test]
    fn sub_pipelines_have_their_own_columns() {
        let c = shown("tasks | join semi (owners | where ro").1;
        assert_eq!(c, ["role", "round("]);
        let c = shown("tasks | join ow").1;
        assert_eq!(c, ["owners"]);
    }

    #[test]
    fn dot_commands_and_arguments() {
        assert_eq!(shown(".ta").1, [".tables"]);
        assert_eq!(shown(".format c").1, ["csv"]);
        assert_eq!(shown(".load p").1, ["plan", "progress"]);
        assert_eq!(shown(".schema own").1, ["owners"]);
        assert_eq!(shown(".chart owner c").1, ["count"]);
        assert_eq!(shown(".set s").1, ["section"]);
        assert_eq!(shown(".explain owners | wh").1, ["where"]);
        let (at, _) = shown(".explain owners | wh");
        assert_eq!(at, ".explain owners | ".len());
    }

    #[test]
    fn file_paths() {
        let dir = std::env::temp_dir().join(format!("planq-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("q1.pq"), "").unwrap();
        let typed = format!(".read {}/q", dir.display());
        let c = shown(&typed).1;
        assert_eq!(c, [format!("{}/q1.pq", dir.display())]);
        let c = shown(&format!(".read {}/s", dir.display())).1;
        assert_eq!(c, [format!("{}/sub/", dir.display())]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn import_and_aliases_arguments() {
        assert_eq!(shown(".aliases s").1, ["suggest"]);
        let dir =
            std::env::temp_dir().join(format!("planq-complete-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("depts.csv"), "").unwrap();
        let c = shown(&format!(".import {}/de", dir.display())).1;
        assert_eq!(c, [format!("{}/depts.csv", dir.display())]);
        let c = shown(&format!(".aliases load {}/de", dir.display())).1;
        assert_eq!(c, [format!("{}/depts.csv", dir.display())]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    proptest::proptest! {
        #[test]
        fn completion_never_panics(
            src in "[a-z .|\"'`()\\[\\];,=~!$\n省数字办#-]{0,40}",
            pos in 0usize..50,
        ) {
            let (start, _) = complete(&src, pos, &Fake);
            proptest::prop_assert!(start <= src.len());
        }
    }

    #[test]
    fn never_panics_on_odd_cursors() {
        let line = "owners | where owner == \"省数字办\" | count";
        for pos in 0..=line.len() + 3 {
            let _ = complete(line, pos, &Fake);
        }
        for s in [
            "(", "[", "\"", "`", "| |", ". ", ".load  ", "let", "let x", "$",
        ] {
            let _ = complete(s, s.len(), &Fake);
        }
    }

    #[test]
    fn the_engine_catalog_knows_tables_and_columns() {
        let engine = Engine::seed().unwrap();
        let cat = EngineCatalog {
            engine: &engine,
            last_columns: Vec::new(),
        };
        let (_, c) = complete("own", 3, &cat);
        assert_eq!(c[0].replacement, "owners");
        let (_, c) = complete("owners | where ro", 17, &cat);
        assert_eq!(c[0].replacement, "role");

        // The engine reads the pipeline so far with the recovering parser and checks it as
        // far as it goes: a stage that does not parse or check yet leaves the columns of
        // the stages before it, not the source table's.
        let columns = |line: &str| -> Vec<String> {
            complete(line, line.len(), &cat)
                .1
                .into_iter()
                .map(|c| c.display)
                .filter(|d| !d.ends_with(')'))
                .collect()
        };
        // A syntax error (`=` for `==`) in the third stage.
        assert_eq!(
            columns("owners | select owner, role | where owner = 1 | sort "),
            ["owner", "role"]
        );
        // A mistake the checker finds (no such column) in the third stage.
        assert_eq!(
            columns("owners | count by owner | where nope > 1 | sort "),
            ["owner", "count"]
        );
        // An unknown source: nothing to offer.
        assert!(columns("nope | where x > 1 | sort ").is_empty());
        // Values come from the pipeline so far too.
        let line = "owners | select role | where role == \"le";
        let (_, v) = complete(line, line.len(), &cat);
        assert_eq!(v[0].display, "lead");
    }

    #[test]
    fn join_keys_offer_the_side_they_name() {
        // `on KEY`: the left side's columns; after `==`: the right side's; no functions.
        assert_eq!(shown("tasks | join owners o").1, ["on"]);
        assert_eq!(shown("tasks | join left owners ").1, ["on"]);
        assert_eq!(shown("tasks | join owners on i").1, ["id"]);
        assert_eq!(
            shown("tasks | join owners on id == ").1,
            ["task_id", "owner", "role", "position"]
        );
        assert_eq!(
            shown("tasks | join semi (owners) on id == ta").1,
            ["task_id"]
        );
        // After `,` a new key starts on the left.
        assert_eq!(
            shown("tasks | join owners on id == task_id, ca").1,
            ["category"]
        );
    }

    #[test]
    fn the_engine_types_the_right_side_and_earlier_lets() {
        let engine = Engine::seed().unwrap();
        let cat = EngineCatalog {
            engine: &engine,
            last_columns: Vec::new(),
        };
        let shown = |line: &str| -> Vec<String> {
            complete(line, line.len(), &cat)
                .1
                .into_iter()
                .map(|c| c.display)
                .collect()
        };
        // The right side is typed like any pipeline: a parenthesised pipeline's own
        // columns, not those of the first table it names.
        assert_eq!(
            shown("tasks | join (owners | derive who = owner) on id == w"),
            ["who"]
        );
        // A `let` written earlier in the same (multi-line) buffer is a source with its
        // own columns, and a name offered at the start of a statement.
        let buffer = "let leads = owners | where role == \"lead\" | derive who = owner\n";
        assert_eq!(shown(&format!("{buffer}lea")), ["leads"]);
        assert_eq!(shown(&format!("{buffer}leads | where wh")), ["who"]);
        assert_eq!(
            shown(&format!("{buffer}tasks | join leads on id == wh")),
            ["who"]
        );
        // A broken statement between them, and a broken stage in the statement being
        // typed: still the columns of the stages before the break.
        let broken = format!("{buffer}owners | where nope = 1\nleads | where who = 1 | select wh");
        assert_eq!(shown(&broken), ["who"]);
        // Its values too.
        let line = format!("{buffer}leads | where role == \"le");
        assert_eq!(shown(&line), ["lead"]);
        // A `let` with a mistake is not bound: no columns are offered from it (only the
        // function names every stage gets).
        let offered = shown("let bad = owners | where nope > 1\nbad | where ");
        assert!(!offered.is_empty() && offered.iter().all(|c| c.ends_with("()")));
    }
}
