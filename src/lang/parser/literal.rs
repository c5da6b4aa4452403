//! Literals and names: `Literal ::= INTEGER | FLOAT | STRING | DATE | 'true' | 'false' |
//! 'null'` and `Name ::= WORD | QUOTED_NAME`. The lexer has already cut the tokens (leniently:
//! `12abc` is one number token, an unclosed string runs to the end); here they are checked and
//! decoded, and every malformed one becomes a precise diagnostic.

use super::error::{bad_token, name_error, ParseError};
use super::input::{backtrack, fail, PResult, Tok, Tokens};
use crate::error::Code;
use crate::lang::ast::{Ident, Literal, Span};
use crate::lang::lexer::TokenKind;

/// `Literal ::= INTEGER | FLOAT | STRING | DATE | 'true' | 'false' | 'null'`
pub fn literal(i: Tokens<'_>) -> PResult<'_, Literal> {
    let t = i.peek();
    let value = match t.kind {
        TokenKind::Number => number_literal(t),
        TokenKind::String => decode_string(t, 0).map(Literal::Str),
        TokenKind::Date => date_literal(t),
        _ if t.is_kw("true") || t.is_kw("false") => Ok(Literal::Bool(t.text == "true")),
        _ if t.is_kw("null") => Ok(Literal::Null),
        _ => return backtrack(i),
    };
    match value {
        Ok(lit) => Ok((i.next().0, lit)),
        Err(e) => fail(e),
    }
}

/// `Name ::= WORD | QUOTED_NAME` (a reserved word is no name; ``` `` ``` is empty).
pub fn name<'a>(i: Tokens<'a>, expected: &str) -> PResult<'a, Ident> {
    let t = i.peek();
    if !t.is_name() {
        return fail(name_error(i, expected));
    }
    if let Some(e) = bad_token(i, t) {
        return fail(e);
    }
    let name = if t.text.starts_with('`') {
        let inner = &t.text[1..t.text.len() - 1];
        if inner.is_empty() {
            return fail(
                ParseError::new(Code::ParseEmptyName, "empty name", t.span, "empty name")
                    .help("write a name between the backticks"),
            );
        }
        inner.replace("``", "`")
    } else {
        t.text.to_string()
    };
    Ok((i.next().0, Ident { name, span: t.span }))
}

/// Whether a string or date token (as lexed) has its closing quote.
pub fn quoted_is_closed(text: &str) -> bool {
    let body = text
        .strip_prefix('d')
        .filter(|b| b.starts_with(['"', '\'']))
        .unwrap_or(text);
    let Some(quote) = body.chars().next() else {
        return false;
    };
    let mut escaped = false;
    for (at, c) in body.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return at + 1 == body.len();
        }
    }
    false
}

/// Whether a backtick name token (as lexed) has its closing backtick.
pub fn backtick_is_closed(text: &str) -> bool {
    // The lexer stops at the first lone closing backtick, so a closed name ends with one and
    // is longer than the opener; `` `a`` `` (escaped backtick at the end) runs on unclosed.
    let inner = &text[1..];
    if !inner.ends_with('`') {
        return false;
    }
    // Count the trailing backticks: an odd run means the last one closes.
    let run = inner.bytes().rev().take_while(|&b| b == b'`').count();
    run % 2 == 1
}

/// Decodes a quoted string token; `skip` bytes of prefix (1 for `d` in dates).
fn decode_string(t: Tok<'_>, skip: usize) -> Result<String, ParseError> {
    let body = &t.text[skip..];
    let quote_len = 1;
    let opener = Span::new(t.span.start, t.span.start + skip + quote_len);
    let Some(quote) = body.chars().next() else {
        return Err(ParseError::new(
            Code::ParseUnclosedString,
            "unclosed string",
            opener,
            "this string is never closed",
        )
        .incomplete());
    };
    let mut out = String::new();
    let mut chars = body.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        if c == quote {
            return Ok(out);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((esc_at, e)) = chars.next() else {
            break;
        };
        out.push(match e {
            '"' | '\'' | '\\' => e,
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            _ => {
                let start = t.span.start + skip + at;
                let end = t.span.start + skip + esc_at + e.len_utf8();
                return Err(ParseError::new(
                    Code::ParseBadEscape,
                    format!("unknown escape `\\{e}`"),
                    Span::new(start, end),
                    "unknown escape",
                )
                .help("the escapes are \\\" \\' \\\\ \\n \\t \\r; write `\\\\` for a backslash"));
            }
        });
    }
    Err(ParseError::new(
        Code::ParseUnclosedString,
        "unclosed string",
        opener,
        "this string is never closed",
    )
    .help(format!("add a closing {quote}"))
    .incomplete())
}

/// `INTEGER | FLOAT`, checked: `_` only between digits, nothing glued on, in range.
pub fn number_literal(t: Tok<'_>) -> Result<Literal, ParseError> {
    // `_` separates digits (`1_000`); anywhere else it makes the number invalid.
    let raw = t.text.as_bytes();
    let digitish = |b: &u8| b.is_ascii_digit() || *b == b'_';
    let separators_ok = raw.iter().enumerate().all(|(i, b)| {
        *b != b'_' || (i > 0 && digitish(&raw[i - 1]) && raw.get(i + 1).is_some_and(digitish))
    });
    let text: String = t.text.chars().filter(|&c| c != '_').collect();
    let bad = |message: String, label: &str| {
        ParseError::new(Code::ParseBadNumber, message, t.span, label)
    };
    // digits ('.' digits)? ([eE] [+-]? digits)?
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i > s)
    };
    let (mut i, _) = digits(0);
    let mut float = false;
    let mut ok = true;
    if i < b.len() && b[i] == b'.' {
        float = true;
        let (j, any) = digits(i + 1);
        ok &= any;
        i = j;
    }
    if ok && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        float = true;
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let (k, any) = digits(j);
        ok &= any;
        i = k;
    }
    if !ok || !separators_ok || i != b.len() {
        let e = bad(
            format!("`{}` is not a valid number", t.text),
            "not a number",
        );
        return Err(if t.text.chars().any(|c| c.is_alphabetic()) {
            e.help(format!(
                "names cannot start with a digit; write `` `{}` `` for a column of that name",
                t.text
            ))
        } else {
            e
        });
    }
    if float {
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Literal::Float(f)),
            _ => Err(bad(format!("`{}` is too large", t.text), "out of range")),
        }
    } else {
        text.parse::<i64>().map(Literal::Int).map_err(|_| {
            bad(format!("`{}` is too large for an integer", t.text), "out of range")
                .help("integers go up to 9223372036854775807; write a float such as 1e19 for larger values")
        })
    }
}

/// `DATE`: `d"YYYY-MM-DD"`, a real calendar day.
fn date_literal(t: Tok<'_>) -> Result<Literal, ParseError> {
    let text = decode_string(t, 1)?;
    let bad = |label: &str| {
        ParseError::new(
            Code::ParseBadDate,
            format!("`{text}` is not a valid date"),
            t.span,
            label,
        )
    };
    let b = text.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(bad("expected YYYY-MM-DD").help("write dates as d\"2010-12-31\""));
    }
    let year: i32 = text[0..4].parse().unwrap_or(0);
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let day: u32 = text[8..10].parse().unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(bad("no such month").help("months run from 01 to 12"));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        return Err(bad("no such day").help(format!(
            "{} {year} has {days} days",
            MONTHS[month as usize - 1]
        )));
    }
    Ok(Literal::Date { year, month, day })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(kind: TokenKind, text: &str) -> Tok<'_> {
        Tok {
            kind,
            span: Span::new(0, text.len()),
            text,
            nl_before: false,
            eof: false,
        }
    }

    #[test]
    fn numbers() {
        let n = |s| number_literal(tok(TokenKind::Number, s));
        assert_eq!(n("0"), Ok(Literal::Int(0)));
        assert_eq!(n("9223372036854775807"), Ok(Literal::Int(i64::MAX)));
        assert_eq!(n("1_000_000"), Ok(Literal::Int(1_000_000)));
        assert_eq!(n("2.50"), Ok(Literal::Float(2.5)));
        assert_eq!(n("1E+2"), Ok(Literal::Float(100.0)));
        assert_eq!(n("1__0"), Ok(Literal::Int(10)));
        for bad in [
            "9223372036854775808",
            "1e",
            "1.2.3",
            "0x10",
            "3个",
            "1e999",
            "1_",
            "1_.5",
            "1e_5",
        ] {
            assert_eq!(n(bad).unwrap_err().code, Code::ParseBadNumber, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let d = |s| date_literal(tok(TokenKind::Date, s));
        assert_eq!(
            d("d\"2024-02-29\""),
            Ok(Literal::Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "d'2023-02-29'",
            "d'2010-04-31'",
            "d'2010-00-10'",
            "d'2010-1-1'",
            "d''",
            "d'２０１０-01-01'",
        ] {
            assert_eq!(d(bad).unwrap_err().code, Code::ParseBadDate, "{bad}");
        }
    }

    #[test]
    fn strings() {
        let s = |src| decode_string(tok(TokenKind::String, src), 0);
        assert_eq!(s(r#""a\tb""#), Ok("a\tb".into()));
        assert_eq!(s("'多\\'行\n'"), Ok("多'行\n".into()));
        let e = s(r#""x\é""#).unwrap_err();
        assert_eq!((e.code, e.span), (Code::ParseBadEscape, Span::new(2, 5)));
        assert_eq!(s("\"abc").unwrap_err().code, Code::ParseUnclosedString);
        assert_eq!(s("\"abc\\\"").unwrap_err().code, Code::ParseUnclosedString);
    }

    #[test]
    fn closedness() {
        assert!(quoted_is_closed("\"a\""));
        assert!(quoted_is_closed("d'a'"));
        assert!(!quoted_is_closed("\"a\\\""));
        assert!(!quoted_is_closed("d\""));
        assert!(backtick_is_closed("`a`"));
        assert!(backtick_is_closed("``"));
        assert!(backtick_is_closed("`a```"));
        assert!(!backtick_is_closed("`a``"));
        assert!(!backtick_is_closed("`"));
    }
}
