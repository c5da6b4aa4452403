//! A lenient tokenizer for planq, built from nom 8 `complete` parsers.
//!
//! [`tokens`] never fails: every byte of the input belongs to exactly one [`Token`], in order,
//! and anything unrecognised becomes a [`TokenKind::Error`] token. Unterminated strings, dates
//! and backtick names run to the end of the input. This makes it suitable both for a REPL's
//! syntax highlighting and completion, and as the first stage of the parser, which turns the
//! leniency back into precise errors.
//!
//! Lexical rules (see also `grammar/planq.ebnf`):
//! * names: a letter (any Unicode alphabetic character, so CJK ideographs count) or `_`,
//!   then letters, digits or `_`; or anything between backticks, with ``` `` ``` for a backtick;
//! * `$name` parameters; `d"YYYY-MM-DD"` / `d'…'` dates (only a lone `d` directly before the
//!   quote makes a date);
//! * strings in `"…"` or `'…'` with escapes `\" \' \\ \n \t \r`; they may span lines;
//! * numbers start with an ASCII digit; the token greedily takes following letters, digits,
//!   `_`, `.digit` and exponent signs so that `12abc` or `1.2.3` is one (bad) number;
//! * comments: `#` or `--` to the end of the line — `--` ALWAYS starts a comment, so write
//!   `a - -1` with a space;
//! * whitespace is any Unicode whitespace (including the ideographic space U+3000).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{char, satisfy};
use nom::combinator::recognize;
use nom::error::{Error, ErrorKind};
use nom::sequence::pair;
use nom::{IResult, Parser};
use serde::Serialize;

use super::ast::{Span, VERBS};

/// What a token is, coarsely, for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TokenKind {
    /// A reserved word (`and`, `by`, `null`, …), `let` at the start of a statement, or a join
    /// kind (`inner`, `left`, `semi`, `anti`) right after `join`.
    Keyword,
    /// A stage verb right after `|`.
    Verb,
    /// Any other name, bare or backtick-quoted (possibly unterminated).
    Ident,
    /// `$name`
    Param,
    /// `"…"` or `'…'`, possibly unterminated.
    String,
    /// A number, possibly malformed (`12abc`).
    Number,
    /// `d"…"`, possibly unterminated.
    Date,
    /// `== != < <= > >= = ~ !~ + - * / %`, and the unsupported `&& || ! & <>`.
    Operator,
    /// `|`
    Pipe,
    /// `( ) [ ] , ;`
    Punct,
    /// `# …` or `-- …` up to (not including) the end of the line.
    Comment,
    /// A run of whitespace, newlines included.
    Whitespace,
    /// One character that starts no token.
    Error,
}

/// One token: its kind and the bytes it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// The bytes it covers.
    pub span: Span,
}

impl Token {
    /// The token's text in `src` (the string it was lexed from).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.start..self.span.end).unwrap_or("")
    }
    /// Whether the token is whitespace or a comment.
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::Comment)
    }
}

/// Words reserved in expressions and names; write them in backticks to use them as names.
/// Stage verbs are deliberately not reserved (`sort count desc` sorts by a column `count`).
pub const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "is", "null", "true", "false", "as", "by", "asc", "desc", "on",
];

/// Join kinds, which are keywords only directly after `join`.
pub const JOIN_KINDS: &[&str] = &["inner", "left", "semi", "anti"];

/// Whether `word` is reserved (see [`RESERVED`]).
pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// Whether `c` can start a bare name.
pub fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Whether `c` can continue a bare name.
pub fn is_name_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `name` can be written without backticks in every name position: it is a valid
/// bare name, not reserved, and not `let` (which would start a statement).
pub fn is_bare_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start)
        && chars.all(is_name_continue)
        && !is_reserved(name)
        && name != "let"
}

type Res<'a> = IResult<&'a str, &'a str>;

fn fail(i: &str) -> nom::Err<Error<&str>> {
    nom::Err::Error(Error::new(i, ErrorKind::Char))
}

fn whitespace(i: &str) -> Res<'_> {
    take_while1(char::is_whitespace).parse(i)
}

fn comment(i: &str) -> Res<'_> {
    recognize(pair(
        alt((tag("#"), tag("--"))),
        take_till(|c| c == '\n' || c == '\r'),
    ))
    .parse(i)
}

fn word(i: &str) -> Res<'_> {
    recognize(pair(satisfy(is_name_start), take_while(is_name_continue))).parse(i)
}

fn param(i: &str) -> Res<'_> {
    recognize(pair(char('$'), word)).parse(i)
}

/// A quoted string, escapes skipped; unterminated runs to the end of input.
fn quoted(i: &str) -> Res<'_> {
    let mut chars = i.char_indices();
    let quote = match chars.next() {
        Some((_, q @ ('"' | '\''))) => q,
        _ => return Err(fail(i)),
    };
    let mut escaped = false;
    for (at, c) in chars {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            let end = at + c.len_utf8();
            return Ok((&i[end..], &i[..end]));
        }
    }
    Ok((&i[i.len()..], i))
}

fn date(i: &str) -> Res<'_> {
    recognize(pair(char('d'), quoted)).parse(i)
}

/// A backtick-quoted name, ``` `` ``` standing for one backtick; unterminated runs to the end.
fn backticked(i: &str) -> Res<'_> {
    if !i.starts_with('`') {
        return Err(fail(i));
    }
    let bytes = i.as_bytes();
    let mut at = 1;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            if bytes.get(at + 1) == Some(&b'`') {
                at += 2;
                continue;
            }
            return Ok((&i[at + 1..], &i[..at + 1]));
        }
        at += 1;
    }
    Ok((&i[i.len()..], i))
}

/// A number-like token: an ASCII digit, then greedily letters, digits, `_`, `.digit`, and a
/// sign right after an exponent marker. Validation is the parser's job.
fn number(i: &str) -> Res<'_> {
    let (_, _) = satisfy(|c: char| c.is_ascii_digit()).parse(i)?;
    let bytes = i.as_bytes();
    let mut at = 1;
    while at < bytes.len() {
        let b = bytes[at];
        let next_is_digit = bytes.get(at + 1).is_some_and(u8::is_ascii_digit);
        let ok = b.is_ascii_alphanumeric()
            || b == b'_'
            || (b == b'.' && next_is_digit)
            || ((b == b'+' || b == b'-') && matches!(bytes[at - 1], b'e' | b'E') && next_is_digit);
        if !ok {
            break;
        }
        at += 1;
    }
    // Non-ASCII letters glued to a number (`3个`) are part of the bad number too.
    let mut end = at;
    for c in i[at..].chars() {
        if is_name_continue(c) {
            end += c.len_utf8();
        } else {
            break;
        }
    }
    Ok((&i[end..], &i[..end]))
}

fn operator(i: &str) -> Res<'_> {
    alt((
        alt((
            tag("=="),
            tag("!="),
            tag("<="),
            tag(">="),
            tag("<>"),
            tag("!~"),
        )),
        alt((tag("&&"), tag("||"))),
        alt((
            tag("<"),
            tag(">"),
            tag("="),
            tag("~"),
            tag("+"),
            tag("-"),
            tag("*"),
            tag("/"),
            tag("%"),
            tag("!"),
            tag("&"),
        )),
    ))
    .parse(i)
}

fn pipe(i: &str) -> Res<'_> {
    tag("|").parse(i)
}

fn punct(i: &str) -> Res<'_> {
    recognize(satisfy(|c| matches!(c, '(' | ')' | '[' | ']' | ',' | ';'))).parse(i)
}

/// Lex one token at the start of `i` (non-empty): its raw kind and length in bytes.
/// Words come back as [`TokenKind::Ident`]; [`tokens`] classifies them in context.
fn lex_one(i: &str) -> (TokenKind, usize) {
    type TokenParser = for<'i> fn(&'i str) -> Res<'i>;
    let parsers: [(TokenKind, TokenParser); 11] = [
        (TokenKind::Whitespace, whitespace),
        (TokenKind::Comment, comment),
        (TokenKind::Date, date),
        (TokenKind::Ident, word),
        (TokenKind::Ident, backticked),
        (TokenKind::Param, param),
        (TokenKind::String, quoted),
        (TokenKind::Number, number),
        (TokenKind::Operator, operator),
        (TokenKind::Pipe, pipe),
        (TokenKind::Punct, punct),
    ];
    for (kind, parser) in parsers {
        if let Ok((_, text)) = parser(i) {
            if !text.is_empty() {
                return (kind, text.len());
            }
        }
    }
    let len = i.chars().next().map_or(1, char::len_utf8);
    (TokenKind::Error, len)
}

/// Tokenize `src` leniently: the tokens cover every byte, in order, and this never fails.
pub fn tokens(src: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut at = 0;
    while at < src.len() {
        let (kind, len) = lex_one(&src[at..]);
        out.push(Token {
            kind,
            span: Span::new(at, at + len),
        });
        at += len;
    }
    classify_words(src, &mut out);
    out
}

/// Turn bare words into keywords and verbs where the context makes them so.
fn classify_words(src: &str, toks: &mut [Token]) {
    let significant: Vec<usize> = (0..toks.len()).filter(|&k| !toks[k].is_trivia()).collect();
    for (n, &k) in significant.iter().enumerate() {
        let tok = toks[k];
        let text = tok.text(src);
        if tok.kind != TokenKind::Ident || text.starts_with('`') {
            continue;
        }
        let prev = n.checked_sub(1).map(|p| toks[significant[p]]);
        let next = significant.get(n + 1).map(|&q| toks[q]);
        let line_start = prev
            .is_none_or(|p| src[p.span.end..tok.span.start].contains('\n') || p.text(src) == ";");
        let join_kind = JOIN_KINDS.contains(&text)
            && prev.is_some_and(|p| p.kind == TokenKind::Verb && p.text(src) == "join")
            && next.is_some_and(|q| q.text(src) != "on");
        toks[k].kind = if prev.is_some_and(|p| p.kind == TokenKind::Pipe) && VERBS.contains(&text) {
            TokenKind::Verb
        } else if is_reserved(text) || (text == "let" && line_start) || join_kind {
            TokenKind::Keyword
        } else {
            TokenKind::Ident
        };
    }
}

#[cfg(test)]
mod tests {
    use super::TokenKind::*;
    use super::*;

    fn lex(src: &str) -> Vec<(TokenKind, &str)> {
        tokens(src)
            .into_iter()
            .filter(|t| t.kind != Whitespace)
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn pipeline() {
        assert_eq!(
            lex(r#"owners | where role == "lead" | count by owner"#),
            vec![
                (Ident, "owners"),
                (Pipe, "|"),
                (Verb, "where"),
                (Ident, "role"),
                (Operator, "=="),
                (String, "\"lead\""),
                (Pipe, "|"),
                (Verb, "count"),
                (Keyword, "by"),
                (Ident, "owner"),
            ]
        );
    }

    #[test]
    fn verbs_only_after_pipe() {
        assert_eq!(
            lex("x | sort count desc"),
            vec![
                (Ident, "x"),
                (Pipe, "|"),
                (Verb, "sort"),
                (Ident, "count"),
                (Keyword, "desc")
            ]
        );
    }

    #[test]
    fn cjk_names_params_dates() {
        assert_eq!(
            lex("负责单位 ~ $section and d'2010-12-31' `a b`"),
            vec![
                (Ident, "负责单位"),
                (Operator, "~"),
                (Param, "$section"),
                (Keyword, "and"),
                (Date, "d'2010-12-31'"),
                (Ident, "`a b`"),
            ]
        );
    }

    #[test]
    fn comments_and_minus() {
        assert_eq!(
            lex("a - -1 -- gone\n# too\nb--c"),
            vec![
                (Ident, "a"),
                (Operator, "-"),
                (Operator, "-"),
                (Number, "1"),
                (Comment, "-- gone"),
                (Comment, "# too"),
                (Ident, "b"),
                (Comment, "--c"),
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            lex("1 2.5 1e-3 12abc 1.2.3 3个 5."),
            vec![
                (Number, "1"),
                (Number, "2.5"),
                (Number, "1e-3"),
                (Number, "12abc"),
                (Number, "1.2.3"),
                (Number, "3个"),
                (Number, "5"),
                (Error, "."),
            ]
        );
    }

    #[test]
    fn unterminated_things_run_to_the_end() {
        assert_eq!(
            lex(r#"a "b\" c"#),
            vec![(Ident, "a"), (String, r#""b\" c"#)]
        );
        assert_eq!(lex("`a``b` `c"), vec![(Ident, "`a``b`"), (Ident, "`c")]);
        assert_eq!(lex("d\"2010"), vec![(Date, "d\"2010")]);
    }

    #[test]
    fn operators_and_errors() {
        assert_eq!(
            lex("a && b || !c <> d，@"),
            vec![
                (Ident, "a"),
                (Operator, "&&"),
                (Ident, "b"),
                (Operator, "||"),
                (Operator, "!"),
                (Ident, "c"),
                (Operator, "<>"),
                (Ident, "d"),
                (Error, "，"),
                (Error, "@"),
            ]
        );
    }

    #[test]
    fn contextual_keywords() {
        assert_eq!(
            lex("let x = a | join left b on k; let"),
            vec![
                (Keyword, "let"),
                (Ident, "x"),
                (Operator, "="),
                (Ident, "a"),
                (Pipe, "|"),
                (Verb, "join"),
                (Keyword, "left"),
                (Ident, "b"),
                (Keyword, "on"),
                (Ident, "k"),
                (Punct, ";"),
                (Keyword, "let"),
            ]
        );
        // `left` is the table when `on` follows directly.
        assert_eq!(lex("a | join left on k")[3], (Ident, "left"));
        assert_eq!(lex("select let")[1], (Ident, "let"));
    }

    #[test]
    fn covers_every_byte() {
        for src in [
            "",
            " ",
            "负责单位 == '省数字办'",
            "\"",
            "`",
            "$",
            "d",
            "a\r\nb",
            "1e+",
            "--",
        ] {
            let toks = tokens(src);
            let mut at = 0;
            for t in &toks {
                assert_eq!(t.span.start, at, "{src:?}");
                assert!(t.span.end > t.span.start);
                at = t.span.end;
            }
            assert_eq!(at, src.len());
        }
    }
}
