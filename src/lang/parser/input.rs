//! The parser's input: the lexer's significant tokens as a nom [`Input`], with the little
//! context a rule needs to decide what a token means — the innermost open bracket (a line
//! break inside brackets never ends a statement, and an unclosed bracket is reported at its
//! opener), how deeply the parser has nested, and whether line breaks matter at all.
//!
//! The context travels *in* the input, the way `nom_locate` carries its `extra`: a rule that
//! opens a bracket parses the inside with [`Tokens::enter`] and carries on after the closer
//! with [`Tokens::leave`], so no rule has mutable state and every parser is a plain
//! `fn(Tokens) -> PResult<T>`.

use nom::error::ErrorKind;
use nom::{IResult, Input, Needed};

use super::error::ParseError;
use crate::lang::ast::Span;
use crate::lang::lexer::{self, is_reserved, TokenKind};

/// What every rule returns: the rest of the input and a value, or an error. A
/// [`nom::Err::Error`] means "not this rule here" (nothing consumed, try something else); a
/// [`nom::Err::Failure`] is a diagnostic for the user.
pub type PResult<'a, T> = IResult<Tokens<'a>, T, ParseError>;

/// A significant token (trivia dropped).
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    /// What the lexer made of it.
    pub kind: TokenKind,
    /// Its bytes in the source.
    pub span: Span,
    /// Its text.
    pub text: &'a str,
    /// A line break separates it from the previous significant token.
    pub nl_before: bool,
    /// The end of the input (a sentinel, never consumed).
    pub eof: bool,
}

impl Tok<'_> {
    /// A bare (not backticked) word.
    pub fn is_word(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
        ) && !self.text.starts_with('`')
    }
    /// The bare word `word`.
    pub fn is_kw(&self, word: &str) -> bool {
        self.is_word() && self.text == word
    }
    /// Something that can be a name: a non-reserved bare word or a backticked name.
    pub fn is_name(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Verb
        ) && !(self.is_word() && is_reserved(self.text))
    }
    /// The operator `op`.
    pub fn is_op(&self, op: &str) -> bool {
        self.kind == TokenKind::Operator && self.text == op
    }
    /// The punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }
    /// `|`.
    pub fn is_pipe(&self) -> bool {
        self.kind == TokenKind::Pipe
    }
    /// How a message names the token: `` `where` ``, "a string", "end of input".
    pub fn describe(&self) -> String {
        if self.eof {
            return "end of input".into();
        }
        match self.kind {
            TokenKind::String => "a string".into(),
            TokenKind::Date => "a date".into(),
            _ => {
                let mut text: String = self.text.chars().take(24).collect();
                if text.len() < self.text.len() {
                    text.push('…');
                }
                format!("`{text}`")
            }
        }
    }
}

/// Cuts `src` into significant tokens, remembering which start a line, and ends them with an
/// end-of-input sentinel.
pub fn lex(src: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut nl_before = false;
    for t in lexer::tokens(src) {
        let text = t.text(src);
        if t.is_trivia() {
            nl_before |= text.contains('\n');
            continue;
        }
        toks.push(Tok {
            kind: t.kind,
            span: t.span,
            text,
            nl_before,
            eof: false,
        });
        nl_before = false;
    }
    toks.push(Tok {
        kind: TokenKind::Whitespace,
        span: Span::new(src.len(), src.len()),
        text: "",
        nl_before,
        eof: true,
    });
    toks
}

/// The token stream from a position on, with the parser's context (see the module docs), over the source `src`.
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    src: &'a str,
    toks: &'a [Tok<'a>],
    pos: usize,
    /// The innermost bracket open around this position (its index in `toks`: the input is
    /// copied at every step, so it stays small).
    opener: Option<u32>,
    /// Brackets, prefix operators and sub-pipelines around this position.
    nesting: usize,
    /// Line breaks never end anything (a lone expression).
    newlines_free: bool,
}

impl<'a> Tokens<'a> {
    /// The start of `toks` (as made by [`lex`]).
    pub fn new(src: &'a str, toks: &'a [Tok<'a>], newlines_free: bool) -> Self {
        Tokens {
            src,
            toks,
            pos: 0,
            opener: None,
            nesting: 0,
            newlines_free,
        }
    }
    /// The next token (the end-of-input sentinel at the end).
    pub fn peek(&self) -> Tok<'a> {
        self.peek_at(0)
    }
    /// The token `n` places ahead (the sentinel past the end).
    pub fn peek_at(&self, n: usize) -> Tok<'a> {
        match self.toks.get(self.pos + n) {
            Some(t) => *t,
            None => {
                let end = self.toks.last().map_or(0, |t| t.span.end);
                Tok {
                    kind: TokenKind::Whitespace,
                    span: Span::new(end, end),
                    text: "",
                    nl_before: false,
                    eof: true,
                }
            }
        }
    }
    /// Whether the input is used up.
    pub fn at_eof(&self) -> bool {
        self.peek().eof
    }
    /// The next token and the input after it (the end of input stays put).
    pub fn next(self) -> (Self, Tok<'a>) {
        let t = self.peek();
        let pos = if t.eof { self.pos } else { self.pos + 1 };
        (Tokens { pos, ..self }, t)
    }
    /// The next token starts a new line where a statement may end.
    pub fn at_line_break(&self) -> bool {
        let t = self.peek();
        t.nl_before && !t.eof && self.opener.is_none() && !self.newlines_free
    }
    /// The next token, if it may continue the current construct (an optional continuation
    /// such as an operator, `,`, `as`, `by`, `asc`: a line break ends the statement first).
    pub fn cont(&self) -> Option<Tok<'a>> {
        (!self.at_line_break()).then(|| self.peek())
    }
    /// The end of the last consumed token.
    pub fn last_end(&self) -> usize {
        match self.pos.checked_sub(1).and_then(|p| self.toks.get(p)) {
            Some(t) => t.span.end,
            None => 0,
        }
    }
    /// From `start` to the end of the last consumed token.
    pub fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.last_end().max(start))
    }
    /// The source text of `span`.
    pub fn text(&self, span: Span) -> Option<&'a str> {
        self.src.get(span.start..span.end)
    }
    /// The innermost open bracket.
    pub fn opener(&self) -> Option<Tok<'a>> {
        self.opener
            .and_then(|at| self.toks.get(at as usize))
            .copied()
    }
    /// How deeply the parser has nested here.
    pub fn nesting(&self) -> usize {
        self.nesting
    }
    /// The position in the token stream (for recovery).
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// One level deeper; inside the bracket just consumed if `bracket`.
    pub fn enter(self, bracket: bool) -> Self {
        let opener = match self.pos.checked_sub(1) {
            Some(at) if bracket => u32::try_from(at).ok(),
            _ => self.opener,
        };
        Tokens {
            nesting: self.nesting + 1,
            opener,
            ..self
        }
    }
    /// Back in the context of `outer`, at this position.
    pub fn leave(self, outer: Tokens<'a>) -> Self {
        Tokens {
            nesting: outer.nesting,
            opener: outer.opener,
            ..self
        }
    }
    /// The same context at token `pos` (for recovery).
    pub fn at(self, pos: usize) -> Self {
        Tokens {
            pos: pos.min(self.toks.len()),
            ..self
        }
    }
    /// The tokens from here on (for recovery).
    pub fn rest(&self) -> &'a [Tok<'a>] {
        self.toks.get(self.pos..).unwrap_or(&[])
    }
}

impl<'a> Input for Tokens<'a> {
    type Item = &'a Tok<'a>;
    type Iter = std::slice::Iter<'a, Tok<'a>>;
    type IterIndices = std::iter::Enumerate<Self::Iter>;

    fn input_len(&self) -> usize {
        self.toks.len().saturating_sub(self.pos)
    }
    fn take(&self, index: usize) -> Self {
        Tokens {
            toks: &self.toks[..self.pos + index],
            ..*self
        }
    }
    fn take_from(&self, index: usize) -> Self {
        Tokens {
            pos: self.pos + index,
            ..*self
        }
    }
    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }
    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.rest().iter().position(predicate)
    }
    fn iter_elements(&self) -> Self::Iter {
        self.rest().iter()
    }
    fn iter_indices(&self) -> Self::IterIndices {
        self.rest().iter().enumerate()
    }
    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        let len = self.input_len();
        if count <= len {
            Ok(count)
        } else {
            Err(Needed::new(count - len))
        }
    }
}

/// "Not here": a cheap error for an alternative that does not apply (nothing consumed).
pub fn backtrack<T>(i: Tokens<'_>) -> PResult<'_, T> {
    Err(nom::Err::Error(<ParseError as nom::error::ParseError<
        Tokens<'_>,
    >>::from_error_kind(i, ErrorKind::Tag)))
}

/// A diagnostic: the rule is committed and the input is wrong.
pub fn fail<'a, T>(e: ParseError) -> PResult<'a, T> {
    Err(nom::Err::Failure(e))
}

/// The next token if it satisfies `test`.
pub fn token_if<'a>(i: Tokens<'a>, test: impl Fn(&Tok<'a>) -> bool) -> PResult<'a, Tok<'a>> {
    let t = i.peek();
    if !t.eof && test(&t) {
        Ok(i.next())
    } else {
        backtrack(i)
    }
}

/// The punctuation `p`, wherever it stands.
pub fn punct<'a>(p: &'static str) -> impl Fn(Tokens<'a>) -> PResult<'a, Tok<'a>> {
    move |i| token_if(i, |t| t.is_punct(p))
}

/// The operator `o`, wherever it stands.
pub fn op<'a>(o: &'static str) -> impl Fn(Tokens<'a>) -> PResult<'a, Tok<'a>> {
    move |i| token_if(i, |t| t.is_op(o))
}

/// The bare word `w`, wherever it stands.
pub fn kw<'a>(w: &'static str) -> impl Fn(Tokens<'a>) -> PResult<'a, Tok<'a>> {
    move |i| token_if(i, |t| t.is_kw(w))
}

/// `p`, only where it can continue the current construct (not after a line break that ends
/// the statement).
pub fn cont<'a, T>(
    p: impl Fn(Tokens<'a>) -> PResult<'a, T>,
) -> impl Fn(Tokens<'a>) -> PResult<'a, T> {
    move |i| {
        if i.at_line_break() {
            backtrack(i)
        } else {
            p(i)
        }
    }
}
