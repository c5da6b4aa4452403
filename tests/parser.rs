//! Integration tests of the query-language front end through the library API.

use planq::error::Code;
use planq::lang::ast::*;
use planq::lang::{
    parse_expr, parse_query, parse_script, pretty_pipeline, pretty_script, strip_spans, ParseError,
};

const EXAMPLES: &[&str] = &[
    r#"owners | where role == "lead" | count by owner | sort count desc | take 5"#,
    r#"tasks | where category ~ "电子政务" and deadline is null | select id, title, owners"#,
    "targets | derive big = value >= 1000 | summarize n = count(), total = sum(value) by unit",
    r#"shortfall | where status == "behind" | top 3 by shortfall desc"#,
    r#"let leads = owners | where role == "lead""#,
    "leads | join tasks on task_id == id | count by category",
    r#"owners | where owner in ["省数字办", "省通管局"] and task_id ~ $section"#,
];

fn err(src: &str) -> ParseError {
    match parse_script(src) {
        Ok(s) => panic!("expected an error for {src:?}, got {s:#?}"),
        Err(e) => e,
    }
}

/// The text an error points at.
fn at<'a>(src: &'a str, e: &ParseError) -> &'a str {
    &src[e.span.start..e.span.end]
}

#[test]
fn examples_parse_and_pretty_print() {
    let pretty: Vec<String> = EXAMPLES
        .iter()
        .map(|src| pretty_script(&parse_script(src).unwrap()))
        .collect();
    insta::assert_snapshot!(pretty.join("\n"));
}

#[test]
fn examples_ast() {
    let script = parse_script(&EXAMPLES.join("\n")).unwrap();
    assert_eq!(script.statements.len(), 7);
    insta::assert_debug_snapshot!(script.statements[0]);
}

#[test]
fn examples_as_one_script_keep_spans_accurate() {
    let src = EXAMPLES.join("\n");
    let script = parse_script(&src).unwrap();
    for (statement, text) in script.statements.iter().zip(EXAMPLES) {
        assert_eq!(&src[statement.span().start..statement.span().end], *text);
    }
    // A few node spans inside the first query.
    let Statement::Query(p) = &script.statements[0] else {
        panic!()
    };
    let texts: Vec<&str> = p
        .stages
        .iter()
        .map(|s| &src[s.span.start..s.span.end])
        .collect();
    assert_eq!(
        texts,
        [
            "where role == \"lead\"",
            "count by owner",
            "sort count desc",
            "take 5"
        ]
    );
    let StageKind::Where(e) = &p.stages[0].kind else {
        panic!()
    };
    let ExprKind::Binary { left, right, .. } = &e.kind else {
        panic!()
    };
    assert_eq!(&src[left.span.start..left.span.end], "role");
    assert_eq!(&src[right.span.start..right.span.end], "\"lead\"");
    let StageKind::Take { n: 5, n_span } = p.stages[3].kind else {
        panic!()
    };
    assert_eq!(&src[n_span.start..n_span.end], "5");
}

#[test]
fn cjk_spans_are_byte_offsets() {
    let src = "owners | where owner == \"省数字办\" | select 负责单位 as 单位";
    let p = parse_query(src).unwrap();
    let StageKind::Select(items) = &p.stages[1].kind else {
        panic!()
    };
    assert_eq!(
        &src[items[0].span.start..items[0].span.end],
        "负责单位 as 单位"
    );
    assert_eq!(items[0].alias.as_ref().unwrap().name, "单位");
    assert_eq!(p.span, Span::new(0, src.len()));
}

#[test]
fn sort_by_a_column_named_count() {
    let p = parse_query("owners | count by owner | sort count desc").unwrap();
    let StageKind::Sort(keys) = &p.stages[1].kind else {
        panic!()
    };
    assert_eq!(keys[0].expr.kind, ExprKind::Column("count".into()));
    assert_eq!((keys[0].order, keys[0].explicit), (Order::Desc, true));
    // `sort by` is optional sugar.
    let q = parse_query("owners | sort by count").unwrap();
    assert_eq!(pretty_pipeline(&q), "owners | sort count");
}

#[test]
fn multi_line_statements_and_comments() {
    let src = "# leads per owner\n\
               let leads = owners   -- only leads\n\
               \x20 | where role == \"lead\"\n\
               \n\
               # comment between lines\n\
               \x20 | count by owner;;\n\
               leads\n\
               | sort count desc\n\
               tasks | select id,\n\
               \x20   title\n\
               tasks | where (id ==\n\
               \x20   3)";
    let script = parse_script(src).unwrap();
    assert_eq!(
        pretty_script(&script),
        "let leads = owners | where role == \"lead\" | count by owner\n\
         leads | sort count desc\n\
         tasks | select id, title\n\
         tasks | where (id == 3)"
    );
}

#[test]
fn a_line_break_ends_a_complete_statement() {
    let script = parse_script("tasks | distinct\nowners | count\n(tasks) | take 1").unwrap();
    assert_eq!(script.statements.len(), 3);
    let script = parse_script("tasks | select a\n-1").unwrap_err();
    assert_eq!(script.code, Code::ParseExpected);
}

#[test]
fn error_line_starting_with_an_operator() {
    check(
        "tasks | where a == 1\n  and b == 2",
        Code::ParseExpected,
        "and",
        "this line starts a new statement",
        Some(
            "a line break ended the previous statement (only a line starting with `|` continues \
             one); move `and` to the end of the previous line, or wrap the expression in parentheses",
        ),
        false,
    );
    assert!(parse_script("tasks | where a == 1 and\n b == 2").is_ok());
}

#[test]
fn empty_statements() {
    for src in ["", ";", ";;", "\n\n", "# just a comment", "-- x\n;\n# y\n"] {
        assert!(parse_script(src).unwrap().statements.is_empty(), "{src:?}");
    }
}

#[test]
fn precedence() {
    let cases = [
        ("a or b and c", "a or (b and c)"),
        ("not a == b and c", "(not (a == b)) and c"),
        ("a + b * c - d", "(a + (b * c)) - d"),
        ("-a * b", "(-a) * b"),
        ("a - -1", "a - (-1)"),
        ("a + 1 in [1, 2]", "(a + 1) in [1, 2]"),
        (
            "a % 2 == 0 or x is not null",
            "((a % 2) == 0) or (x is not null)",
        ),
        ("not not x", "not (not x)"),
        ("x not in [] and y !~ 'z'", "(x not in []) and (y !~ \"z\")"),
    ];
    for (src, expected) in cases {
        assert_eq!(explicit(&parse_expr(src).unwrap()), expected, "{src}");
    }
}

/// Fully parenthesised rendering, to check tree shape.
fn explicit(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Binary { op, left, right } => {
            format!("{} {} {}", wrap(left), op.symbol(), wrap(right))
        }
        ExprKind::Unary {
            op: UnOp::Not,
            operand,
        } => format!("not {}", wrap(operand)),
        ExprKind::Unary {
            op: UnOp::Neg,
            operand,
        } => format!("-{}", wrap(operand)),
        ExprKind::InList {
            expr,
            list,
            negated,
        } => format!(
            "{} {}in [{}]",
            wrap(expr),
            if *negated { "not " } else { "" },
            list.iter().map(explicit).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::IsNull { expr, negated } => {
            format!(
                "{} is {}null",
                wrap(expr),
                if *negated { "not " } else { "" }
            )
        }
        _ => planq::lang::pretty_expr(e),
    }
}

fn wrap(e: &Expr) -> String {
    match e.kind {
        ExprKind::Binary { .. }
        | ExprKind::Unary { .. }
        | ExprKind::InList { .. }
        | ExprKind::IsNull { .. } => {
            format!("({})", explicit(e))
        }
        _ => explicit(e),
    }
}

#[test]
fn literals() {
    let lit = |src: &str| match parse_expr(src).unwrap().kind {
        ExprKind::Lit(l) => l,
        other => panic!("{other:?}"),
    };
    assert_eq!(lit("42"), Literal::Int(42));
    assert_eq!(lit("1_000"), Literal::Int(1000));
    assert_eq!(lit("4.5"), Literal::Float(4.5));
    assert_eq!(lit("1e3"), Literal::Float(1000.0));
    assert_eq!(
        lit(r#""a\"b\\c\nd\te""#),
        Literal::Str("a\"b\\c\nd\te".into())
    );
    assert_eq!(lit(r#"'it\'s "x"'"#), Literal::Str("it's \"x\"".into()));
    assert_eq!(lit("'电子政务'"), Literal::Str("电子政务".into()));
    assert_eq!(lit("true"), Literal::Bool(true));
    assert_eq!(lit("false"), Literal::Bool(false));
    assert_eq!(lit("null"), Literal::Null);
    assert_eq!(
        lit("d\"2010-12-31\""),
        Literal::Date {
            year: 2010,
            month: 12,
            day: 31
        }
    );
    assert_eq!(
        lit("d'2012-02-29'"),
        Literal::Date {
            year: 2012,
            month: 2,
            day: 29
        }
    );
}

#[test]
fn names_params_calls() {
    assert_eq!(
        parse_expr("负责单位").unwrap().kind,
        ExprKind::Column("负责单位".into())
    );
    assert_eq!(
        parse_expr("`by`").unwrap().kind,
        ExprKind::Column("by".into())
    );
    assert_eq!(
        parse_expr("`a``b`").unwrap().kind,
        ExprKind::Column("a`b".into())
    );
    assert_eq!(
        parse_expr("$section").unwrap().kind,
        ExprKind::Param("section".into())
    );
    let e = parse_expr("if(x > 1, 'big', upper(y))").unwrap();
    let ExprKind::Call { func, args } = &e.kind else {
        panic!()
    };
    assert_eq!((func.name.as_str(), args.len()), ("if", 3));
    assert_eq!(e.span, Span::new(0, 26));
    let e = parse_expr("count()").unwrap();
    assert!(matches!(&e.kind, ExprKind::Call { args, .. } if args.is_empty()));
}

#[test]
fn stages() {
    let round = |src: &str| pretty_pipeline(&parse_query(src).unwrap());
    let same = [
        "tasks | select id, len(title), title as t, n = id + 1",
        "tasks | derive y = year(deadline), late = deadline < d\"2011-01-01\"",
        "targets | summarize n = count(), sum(value) as total, avg(value) by unit, metric",
        "targets | summarize n = count()",
        "owners | count",
        "owners | count by owner, role",
        "tasks | sort category, id desc, title asc",
        "shortfall | top 3 by shortfall",
        "shortfall | top 3 by pct_done asc",
        "owners | distinct",
        "owners | distinct owner, role",
        "owners | join left tasks on task_id == id",
        "owners | join semi (tasks | where id < 5) on task_id == id, x",
        "owners | join anti tasks on task_id == id",
        "owners | join left on task_id",
        "owners | rename 单位 = owner, r = role",
        "(owners | take 3) | count",
        "`my table` | take 1",
    ];
    for src in same {
        assert_eq!(round(src), src);
    }
    assert_eq!(round("tasks | limit 5"), "tasks | take 5");
    assert_eq!(
        round("owners | join inner tasks on task_id==id"),
        "owners | join tasks on task_id == id"
    );
    assert_eq!(round("tasks|where(id>1)"), "tasks | where (id > 1)");
    // `top` ranks descending unless told otherwise.
    let p = parse_query("shortfall | top 3 by shortfall").unwrap();
    let StageKind::Top { key, .. } = &p.stages[0].kind else {
        panic!()
    };
    assert_eq!((key.order, key.explicit), (Order::Desc, false));
    // `per` groups `top`; it is a word only after the key, so a column may be named `per`.
    for src in [
        "x | top 2 by v3 desc per id6",
        "x | top 1 by v3 per id1, id2",
        "x | top 2 by per per per",
        "x | top 2 by v1 + v2 asc per `a b`",
    ] {
        assert_eq!(round(src), src);
    }
    let p = parse_query("x | top 2 by per per id6, id5").unwrap();
    let StageKind::Top { key, per, .. } = &p.stages[0].kind else {
        panic!()
    };
    assert_eq!(key.expr.kind, ExprKind::Column("per".into()));
    let per: Vec<&str> = per.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(per, ["id6", "id5"]);
    assert_eq!(
        round("x | top 2 by v3 desc\n | take 1"),
        "x | top 2 by v3 desc | take 1"
    );
    // `join left on k`: `left` is the table when `on` follows.
    let p = parse_query("owners | join left on task_id").unwrap();
    let StageKind::Join {
        kind,
        right: Source::Name(n),
        ..
    } = &p.stages[0].kind
    else {
        panic!()
    };
    assert_eq!((*kind, n.name.as_str()), (JoinKind::Inner, "left"));
}

#[test]
fn parse_query_wants_one_pipeline() {
    assert_eq!(parse_query("tasks").unwrap().stages.len(), 0);
    assert_eq!(parse_query("tasks;").unwrap().stages.len(), 0);
    let e = parse_query("").unwrap_err();
    assert_eq!((e.code, e.incomplete), (Code::ParseEmpty, false));
    let src = "let x = tasks";
    let e = parse_query(src).unwrap_err();
    assert_eq!((e.code, at(src, &e)), (Code::ParseNotAQuery, src));
    let src = "tasks; owners";
    let e = parse_query(src).unwrap_err();
    assert_eq!((e.code, at(src, &e)), (Code::ParseTrailingInput, "owners"));
}

#[test]
fn parse_expr_trailing() {
    let e = parse_expr("a b").unwrap_err();
    assert_eq!(
        (e.code, e.span),
        (Code::ParseTrailingInput, Span::new(2, 3))
    );
    // Line breaks are free in a lone expression.
    assert!(parse_expr("a\n+ b").is_ok());
}

// ----- one test per error kind: code, span (as text), label, help ---------------------------

#[track_caller]
fn check(src: &str, code: Code, text: &str, label: &str, help: Option<&str>, incomplete: bool) {
    let e = err(src);
    assert_eq!(e.code, code, "{e:#?}");
    assert_eq!(at(src, &e), text, "{e:#?}");
    assert_eq!(e.label, label, "{e:#?}");
    assert_eq!(e.help.as_deref(), help, "{e:#?}");
    assert_eq!(e.incomplete, incomplete, "{e:#?}");
}

#[test]
fn error_unknown_verb_suggests() {
    check(
        "tasks | wher id > 3",
        Code::ParseUnknownVerb,
        "wher",
        "not a stage verb",
        Some("did you mean `where`?"),
        false,
    );
    check(
        "tasks | selct id",
        Code::ParseUnknownVerb,
        "selct",
        "not a stage verb",
        Some("did you mean `select`?"),
        false,
    );
    check(
        "t | sumarize n = count()",
        Code::ParseUnknownVerb,
        "sumarize",
        "not a stage verb",
        Some("did you mean `summarize`?"),
        false,
    );
    check(
        "t | order id",
        Code::ParseUnknownVerb,
        "order",
        "not a stage verb",
        Some("did you mean `sort`?"),
        false,
    );
    check(
        "t | filter x",
        Code::ParseUnknownVerb,
        "filter",
        "not a stage verb",
        Some("did you mean `where`?"),
        false,
    );
    check(
        "t | head 3",
        Code::ParseUnknownVerb,
        "head",
        "not a stage verb",
        Some("did you mean `take`?"),
        false,
    );
    check(
        "t | groupby x",
        Code::ParseUnknownVerb,
        "groupby",
        "not a stage verb",
        Some("did you mean `summarize … by …` or `count by …`?"),
        false,
    );
    let e = err("t | frobnicate");
    assert!(e.message.starts_with("expected one of `where`, `select`, `derive`, `summarize`, `count`, `sort`, `take`, `limit`, `top`, `distinct`, `join`, `rename` after `|`"), "{}", e.message);
    assert_eq!(
        e.help.as_deref(),
        Some("a stage starts with a verb, e.g. `| where …` or `| select …`")
    );
}

#[test]
fn error_trailing_pipe_is_incomplete() {
    check("tasks |", Code::ParseExpected, "", "expected one of `where`, `select`, `derive`, `summarize`, `count`, `sort`, `take`, `limit`, `top`, `distinct`, `join`, `rename` after `|`", Some("the statement ends too early: finish it with one of `where`, `select`, `derive`, `summarize`, `count`, `sort`, `take`, `limit`, `top`, `distinct`, `join`, `rename` after `|`"), true);
    check(
        "tasks | 5",
        Code::ParseExpected,
        "5",
        "expected a stage verb",
        Some("write one of `where`, `select`, `derive`, `summarize`, `count`, `sort`, `take`, `limit`, `top`, `distinct`, `join`, `rename` after `|` here (the syntax is in grammar/README.md)"),
        false,
    );
    // …and the REPL's next line completes it.
    assert!(parse_script("tasks |\nwhere id > 1").is_ok());
}

#[test]
fn error_missing_stage_argument() {
    check(
        "tasks | where",
        Code::ParseExpected,
        "",
        "expected an expression after `where`",
        Some("the statement ends too early: finish it with an expression after `where`"),
        true,
    );
    check(
        "tasks | where | take 1",
        Code::ParseExpected,
        "|",
        "expected an expression after `where`",
        Some("write an expression after `where` here (the syntax is in grammar/README.md)"),
        false,
    );
    check(
        "tasks | take",
        Code::ParseExpected,
        "",
        "expected a number of rows after `take`",
        Some("the statement ends too early: finish it with a number of rows after `take`"),
        true,
    );
    check(
        "tasks | take x",
        Code::ParseExpected,
        "x",
        "expected a number of rows after `take`",
        Some("write a number of rows after `take` here (the syntax is in grammar/README.md)"),
        false,
    );
    check(
        "t | top 3 x",
        Code::ParseExpected,
        "x",
        "expected `by` after the number of rows",
        Some("write `top N by column [asc|desc]`"),
        false,
    );
    check(
        "t | join tasks id",
        Code::ParseExpected,
        "id",
        "expected `on` after the joined table",
        Some("write `join table on left_key == right_key`"),
        false,
    );
    check(
        "t | rename a",
        Code::ParseExpected,
        "",
        "expected `=` after the new name",
        Some("write `rename new = old`"),
        true,
    );
    check(
        "let x =",
        Code::ParseExpected,
        "",
        "expected a pipeline after `=`",
        Some("the statement ends too early: finish it with a pipeline after `=`"),
        true,
    );
    check(
        "let x",
        Code::ParseExpected,
        "",
        "expected `=` after the name",
        Some("the statement ends too early: finish it with `=` after the name"),
        true,
    );
    check(
        "let x == t",
        Code::ParseExpected,
        "==",
        "expected `=` after the name",
        Some("bind with a single `=`: `let x = …`"),
        false,
    );
    check(
        "t | select a,",
        Code::ParseExpected,
        "",
        "expected another item after `,`",
        Some("the statement ends too early: finish it with another item after `,`"),
        true,
    );
    check(
        "t | where a and",
        Code::ParseExpected,
        "",
        "expected an expression after `and`",
        Some("the statement ends too early: finish it with an expression after `and`"),
        true,
    );
}

#[test]
fn error_unclosed_string_points_at_opener() {
    check(
        r#"t | where a == "abc"#,
        Code::ParseUnclosedString,
        "\"",
        "this string is never closed",
        Some("add a closing \""),
        true,
    );
    check(
        "t | where a == 'ab\\'",
        Code::ParseUnclosedString,
        "'",
        "this string is never closed",
        Some("add a closing '"),
        true,
    );
    check(
        "t | where d > d\"2010",
        Code::ParseUnclosedString,
        "d\"",
        "this string is never closed",
        Some("add a closing \""),
        true,
    );
    check(
        "t \"x",
        Code::ParseUnclosedString,
        "\"",
        "this string is never closed",
        Some("add a closing \""),
        true,
    );
    check(
        "t | select `a b",
        Code::ParseUnclosedName,
        "`",
        "this name is never closed",
        Some("add a closing backtick"),
        true,
    );
}

#[test]
fn error_unclosed_bracket_points_at_opener() {
    check(
        "t | where (a == 1",
        Code::ParseUnclosedBracket,
        "(",
        "this `(` is never closed",
        Some("add a `)`"),
        true,
    );
    check(
        "t | where a in [1, 2",
        Code::ParseUnclosedBracket,
        "[",
        "this `[` is never closed",
        Some("add a `]`"),
        true,
    );
    check(
        "t | where len(title",
        Code::ParseUnclosedBracket,
        "(",
        "this `(` is never closed",
        Some("add a `)`"),
        true,
    );
    check(
        "(owners | take 1",
        Code::ParseUnclosedBracket,
        "(",
        "this `(` is never closed",
        Some("add a `)`"),
        true,
    );
    // Inner-most opener.
    let src = "t | where (a + (b";
    assert_eq!(err(src).span, Span::new(15, 16));
    // Line breaks inside brackets don't end the statement, so the REPL keeps reading.
    assert!(err("t | where (a ==\n").incomplete);
}

#[test]
fn error_unmatched_bracket() {
    check(
        "t | where a)",
        Code::ParseUnmatchedBracket,
        ")",
        "this `)` has no matching opener",
        None,
        false,
    );
    // A token that cannot continue inside the bracket also blames the opener.
    for (src, opener, help) in [
        ("t | where (a ==1]", "(", "add a `)` before `]`"),
        ("t | where (a == 1 | take 5", "(", "add a `)` before `|`"),
        ("t | where a in [1, 2 | take 1", "[", "add a `]` before `|`"),
        ("t | where f(a; t", "(", "add a `)` before `;`"),
        ("(owners | take 1; x", "(", "add a `)` before `;`"),
    ] {
        let label = format!("this `{opener}` is never closed");
        check(
            src,
            Code::ParseUnclosedBracket,
            opener,
            &label,
            Some(help),
            false,
        );
    }
}

#[test]
fn error_bad_number() {
    check(
        "t | where a > 12abc",
        Code::ParseBadNumber,
        "12abc",
        "not a number",
        Some("names cannot start with a digit; write `` `12abc` `` for a column of that name"),
        false,
    );
    check(
        "t | where a > 1.2.3",
        Code::ParseBadNumber,
        "1.2.3",
        "not a number",
        None,
        false,
    );
    check(
        "t | where a > 99999999999999999999",
        Code::ParseBadNumber,
        "99999999999999999999",
        "out of range",
        Some("integers go up to 9223372036854775807; write a float such as 1e19 for larger values"),
        false,
    );
    check(
        "t | take 2.5",
        Code::ParseBadNumber,
        "2.5",
        "not a whole number",
        None,
        false,
    );
    check(
        "t | take -1",
        Code::ParseBadNumber,
        "-1",
        "negative",
        None,
        false,
    );
    check(
        "t | where x > 1e999",
        Code::ParseBadNumber,
        "1e999",
        "out of range",
        None,
        false,
    );
}

#[test]
fn error_bad_date() {
    check(
        "t | where deadline < d\"2010-02-30\"",
        Code::ParseBadDate,
        "d\"2010-02-30\"",
        "no such day",
        Some("February 2010 has 28 days"),
        false,
    );
    check(
        "t | where deadline < d'2010-13-01'",
        Code::ParseBadDate,
        "d'2010-13-01'",
        "no such month",
        Some("months run from 01 to 12"),
        false,
    );
    check(
        "t | where deadline < d\"2010/1/1\"",
        Code::ParseBadDate,
        "d\"2010/1/1\"",
        "expected YYYY-MM-DD",
        Some("write dates as d\"2010-12-31\""),
        false,
    );
    assert!(parse_expr("d'2000-02-29'").is_ok());
    assert_eq!(
        parse_expr("d'1900-02-29'").unwrap_err().code,
        Code::ParseBadDate
    );
}

#[test]
fn error_bad_escape() {
    check(
        r#"t | where a == "x\qy""#,
        Code::ParseBadEscape,
        "\\q",
        "unknown escape",
        Some("the escapes are \\\" \\' \\\\ \\n \\t \\r; write `\\\\` for a backslash"),
        false,
    );
}

#[test]
fn error_single_equals() {
    check(
        "t | where f(a = 1)",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("use `==` to compare"),
        false,
    );
    check(
        "t | where a in [b = 1]",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("use `==` to compare"),
        false,
    );
    check(
        "t = owners",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("to name a pipeline, write `let t = …`"),
        false,
    );
    // Not in expression position: just "expected".
    check(
        "let = t",
        Code::ParseExpected,
        "=",
        "expected a name after `let`",
        Some("write a name after `let` here (the syntax is in grammar/README.md)"),
        false,
    );
    check(
        "t | where a = 1",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("use `==` to compare"),
        false,
    );
    check(
        "t | where (a = 1)",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("use `==` to compare"),
        false,
    );
    check(
        "t | derive x = a = 1",
        Code::ParseSingleEquals,
        "=",
        "`=` here",
        Some("use `==` to compare"),
        false,
    );
}

#[test]
fn error_wrong_operator() {
    check(
        "t | where a && b",
        Code::ParseWrongOperator,
        "&&",
        "use `and` for and",
        Some("use `and`"),
        false,
    );
    check(
        "t | where a == 1 || b",
        Code::ParseWrongOperator,
        "||",
        "use `or` for or",
        Some("use `or`"),
        false,
    );
    check(
        "t | where !a",
        Code::ParseWrongOperator,
        "!",
        "use `not` for negation",
        Some("use `not`"),
        false,
    );
    check(
        "t | where a <> 1",
        Code::ParseWrongOperator,
        "<>",
        "use `!=` for not-equal",
        Some("use `!=`"),
        false,
    );
    check(
        "t || take 1",
        Code::ParseWrongOperator,
        "||",
        "between stages",
        Some("stages are separated by a single `|`"),
        false,
    );
}

#[test]
fn error_chained_comparison() {
    check(
        "t | where 1 < a < 3",
        Code::ParseChainedComparison,
        "<",
        "a second comparison",
        Some("combine comparisons with `and`, e.g. `a < b and b < c`, or add parentheses"),
        false,
    );
    assert_eq!(err("t | where a == b is null").span, Span::new(17, 19));
}

#[test]
fn error_reserved_word() {
    check(
        "t | select by",
        Code::ParseReservedWord,
        "by",
        "reserved word",
        Some("write `` `by` `` to use it as a name"),
        false,
    );
    check(
        "null | take 1",
        Code::ParseReservedWord,
        "null",
        "reserved word",
        Some("write `` `null` `` to use it as a name"),
        false,
    );
    check(
        "t | rename desc = x",
        Code::ParseReservedWord,
        "desc",
        "reserved word",
        Some("write `` `desc` `` to use it as a name"),
        false,
    );
    assert!(parse_query("t | rename `desc` = x").is_ok());
}

#[test]
fn error_trailing_input() {
    check(
        "tasks take 5",
        Code::ParseTrailingInput,
        "take",
        "unexpected here",
        Some("did you forget a `|` before `take`?"),
        false,
    );
    check(
        "where id > 1",
        Code::ParseTrailingInput,
        "id",
        "unexpected here",
        Some("a query starts with a table, e.g. `tasks | where …`"),
        false,
    );
    check(
        "t | where a b",
        Code::ParseTrailingInput,
        "b",
        "unexpected here",
        Some("the statement is complete before this: start a new stage with `|`, or a new statement with `;` or a new line"),
        false,
    );
    check(
        "t | count desc",
        Code::ParseTrailingInput,
        "desc",
        "unexpected here",
        Some("the statement is complete before this: start a new stage with `|`, or a new statement with `;` or a new line"),
        false,
    );
    check(
        "(t | take 1 x)",
        Code::ParseTrailingInput,
        "x",
        "unexpected here",
        Some("the statement is complete before this: start a new stage with `|`, or a new statement with `;` or a new line"),
        false,
    );
}

#[test]
fn error_unexpected_char() {
    check(
        "t | where a > 1，b",
        Code::ParseUnexpectedChar,
        "，",
        "not valid here",
        Some("`，` is a full-width character; use `,`"),
        false,
    );
    check(
        "t | where a.b",
        Code::ParseUnexpectedChar,
        ".",
        "not valid here",
        Some("planq has no `.` operator; write a name containing `.` in backticks"),
        false,
    );
    check(
        "t | where $ == 1",
        Code::ParseUnexpectedChar,
        "$",
        "not valid here",
        Some("a parameter is `$` followed by a name, e.g. `$section`"),
        false,
    );
    check(
        "t @",
        Code::ParseUnexpectedChar,
        "@",
        "not valid here",
        None,
        false,
    );
}

#[test]
fn error_stage_items() {
    check(
        "t | derive a + 1",
        Code::ParseMissingAlias,
        "a + 1",
        "this column has no name",
        Some("write `name = a + 1`"),
        false,
    );
    check(
        "t | summarize value",
        Code::ParseExpectedAggregate,
        "value",
        "not an aggregate call",
        Some("e.g. `summarize n = count(), total = sum(value) by unit`; use `derive` for per-row columns"),
        false,
    );
    check(
        "t | summarize count(*)",
        Code::ParseExpected,
        "*",
        "expected an argument or `)`",
        Some("`count()` counts rows"),
        false,
    );
    check(
        "t | select ``",
        Code::ParseEmptyName,
        "``",
        "empty name",
        Some("write a name between the backticks"),
        false,
    );
    check(
        "t | where a is 1",
        Code::ParseExpected,
        "1",
        "expected `null` or `not null` after `is`",
        Some("`is` only tests for null (`x is null`, `x is not null`); compare values with `==`"),
        false,
    );
    check(
        "t | where a in 1",
        Code::ParseExpected,
        "1",
        "expected `[` after `in`",
        Some("write a list of values, e.g. `owner in [\"省数字办\", \"省通管局\"]`"),
        false,
    );
}

#[test]
fn errors_display_and_serialize() {
    let e = err("tasks | wher x");
    assert_eq!(e.to_string(), e.message);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["code"], "planq::parse::unknown_verb");
    assert_eq!(json["span"]["start"], 8);
    let _: &dyn std::error::Error = &e;
}

#[test]
fn strip_spans_ignores_layout() {
    let a = parse_script("owners|where role=='lead'").unwrap();
    let b = parse_script("owners\n  | where   role == \"lead\"  # c").unwrap();
    assert_ne!(a, b);
    assert_eq!(strip_spans(a), strip_spans(b));
}

// ----- property tests --------------------------------------------------------------------

mod props {
    use super::*;
    use planq::lang::lexer::tokens;
    use planq::lang::pretty_expr;
    use proptest::prelude::*;

    fn sp() -> Span {
        Span::default()
    }

    fn ident(name: String) -> Ident {
        Ident { name, span: sp() }
    }

    fn expr(kind: ExprKind) -> Expr {
        Expr { kind, span: sp() }
    }

    /// Names of every kind: bare, CJK, verbs, reserved words, and arbitrary text.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "id", "title", "owner", "负责单位", "任务", "_x", "a1", "count", "sort", "where",
                "left", "on", "by", "null", "let", "d", "in", "inner",
            ])
            .prop_map(String::from),
            1 => "[a-z_][a-z0-9_]{0,6}",
            1 => any::<String>().prop_filter("names are non-empty", |s| !s.is_empty()),
            1 => "[`a -]{1,4}",
        ]
    }

    fn func_name() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "len", "lower", "count", "sum", "if", "coalesce", "年份",
        ])
        .prop_map(String::from)
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            (0..=i64::MAX).prop_map(Literal::Int),
            any::<f64>()
                .prop_filter("finite, non-negative", |f| f.is_finite()
                    && f.is_sign_positive())
                .prop_map(Literal::Float),
            any::<String>().prop_map(Literal::Str),
            "[\"'\\\\\n\t\r 电子政务a-z]{0,6}".prop_map(Literal::Str),
            any::<bool>().prop_map(Literal::Bool),
            Just(Literal::Null),
            (0..=9999i32, 1..=12u32, 1..=28u32).prop_map(|(year, month, day)| Literal::Date {
                year,
                month,
                day
            }),
        ]
    }

    const BINOPS: &[BinOp] = &[
        BinOp::Or,
        BinOp::And,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Like,
        BinOp::NotLike,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Rem,
    ];

    /// Expression trees as code might build them: no regard for precedence.
    fn raw_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            literal().prop_map(|l| expr(ExprKind::Lit(l))),
            name().prop_map(|n| expr(ExprKind::Column(n))),
            "[a-z年][a-z0-9_]{0,4}".prop_map(|p| expr(ExprKind::Param(p))),
        ];
        leaf.prop_recursive(5, 40, 4, |inner| {
            prop_oneof![
                (prop::sample::select(BINOPS), inner.clone(), inner.clone()).prop_map(
                    |(op, l, r)| {
                        expr(ExprKind::Binary {
                            op,
                            left: Box::new(l),
                            right: Box::new(r),
                        })
                    }
                ),
                (any::<bool>(), inner.clone()).prop_map(|(not, e)| expr(ExprKind::Unary {
                    op: if not { UnOp::Not } else { UnOp::Neg },
                    operand: Box::new(e),
                })),
                (func_name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(f, args)| {
                    expr(ExprKind::Call {
                        func: ident(f),
                        args,
                    })
                }),
                (
                    inner.clone(),
                    prop::collection::vec(inner.clone(), 0..3),
                    any::<bool>()
                )
                    .prop_map(|(e, list, negated)| expr(ExprKind::InList {
                        expr: Box::new(e),
                        list,
                        negated
                    })),
                (inner.clone(), any::<bool>()).prop_map(|(e, negated)| expr(ExprKind::IsNull {
                    expr: Box::new(e),
                    negated
                })),
                inner.prop_map(|e| expr(ExprKind::Paren(Box::new(e)))),
            ]
        })
    }

    /// Binding strength per the grammar (independent of the pretty-printer's own table).
    fn strength(e: &Expr) -> u8 {
        match &e.kind {
            ExprKind::Binary { op: BinOp::Or, .. } => 1,
            ExprKind::Binary { op: BinOp::And, .. } => 2,
            ExprKind::Unary { op: UnOp::Not, .. } => 3,
            ExprKind::Binary {
                op: BinOp::Add | BinOp::Sub,
                ..
            } => 5,
            ExprKind::Binary {
                op: BinOp::Mul | BinOp::Div | BinOp::Rem,
                ..
            } => 6,
            ExprKind::Binary { .. } | ExprKind::InList { .. } | ExprKind::IsNull { .. } => 4,
            ExprKind::Unary { op: UnOp::Neg, .. } => 7,
            _ => 8,
        }
    }

    fn paren(e: Expr, needed: bool) -> Box<Expr> {
        Box::new(if needed {
            expr(ExprKind::Paren(Box::new(e)))
        } else {
            e
        })
    }

    /// Insert exactly the parentheses the grammar needs for the tree to survive printing.
    fn parenthesize(e: Expr) -> Expr {
        let kind = match e.kind {
            ExprKind::Binary { op, left, right } => {
                let (left, right) = (parenthesize(*left), parenthesize(*right));
                let p = strength(&expr(ExprKind::Binary {
                    op,
                    left: Box::new(left.clone()),
                    right: Box::new(right.clone()),
                }));
                let (lp, rp) = (strength(&left), strength(&right));
                ExprKind::Binary {
                    op,
                    left: paren(left, lp < p || (p == 4 && lp == 4)),
                    right: paren(right, rp <= p),
                }
            }
            ExprKind::Unary { op, operand } => {
                let operand = parenthesize(*operand);
                let min = if op == UnOp::Not { 3 } else { 7 };
                let s = strength(&operand);
                ExprKind::Unary {
                    op,
                    operand: paren(operand, s < min),
                }
            }
            ExprKind::InList {
                expr: inner,
                list,
                negated,
            } => {
                let inner = parenthesize(*inner);
                let s = strength(&inner);
                ExprKind::InList {
                    expr: paren(inner, s <= 4),
                    list: list.into_iter().map(parenthesize).collect(),
                    negated,
                }
            }
            ExprKind::IsNull {
                expr: inner,
                negated,
            } => {
                let inner = parenthesize(*inner);
                let s = strength(&inner);
                ExprKind::IsNull {
                    expr: paren(inner, s <= 4),
                    negated,
                }
            }
            ExprKind::Call { func, args } => ExprKind::Call {
                func,
                args: args.into_iter().map(parenthesize).collect(),
            },
            ExprKind::Paren(inner) => ExprKind::Paren(Box::new(parenthesize(*inner))),
            other => other,
        };
        expr(kind)
    }

    fn good_expr() -> impl Strategy<Value = Expr> {
        raw_expr().prop_map(parenthesize)
    }

    fn item(alias_required: bool) -> impl Strategy<Value = Item> {
        (good_expr(), name(), 0..3u8).prop_map(move |(expr, alias, style)| {
            let style = if alias_required { 1 + style % 2 } else { style };
            let (alias, alias_style) = match style {
                0 => (None, AliasStyle::None),
                1 => (Some(ident(alias)), AliasStyle::As),
                _ => (Some(ident(alias)), AliasStyle::Assign),
            };
            Item {
                expr,
                alias,
                alias_style,
                span: sp(),
            }
        })
    }

    fn agg() -> impl Strategy<Value = Item> {
        (
            func_name(),
            prop::collection::vec(good_expr(), 0..2),
            item(false),
        )
            .prop_map(|(f, args, mut it)| {
                it.expr = expr(ExprKind::Call {
                    func: ident(f),
                    args,
                });
                it
            })
    }

    fn sort_key(default: Order) -> impl Strategy<Value = SortKey> {
        (good_expr(), prop::option::of(any::<bool>())).prop_map(move |(expr, order)| SortKey {
            expr,
            order: order.map_or(default, |asc| if asc { Order::Asc } else { Order::Desc }),
            explicit: order.is_some(),
        })
    }

    fn items(s: impl Strategy<Value = Item>, min: usize) -> impl Strategy<Value = Vec<Item>> {
        prop::collection::vec(s, min..3)
    }

    fn stage(source: BoxedStrategy<Source>) -> impl Strategy<Value = Stage> {
        let n = 0..=i64::MAX as u64;
        let kind = prop_oneof![
            good_expr().prop_map(StageKind::Where),
            items(item(false), 1).prop_map(StageKind::Select),
            items(item(true), 1).prop_map(StageKind::Derive),
            (items(agg(), 1), items(item(false), 0))
                .prop_map(|(aggs, by)| StageKind::Summarize { aggs, by }),
            items(item(false), 0).prop_map(|by| StageKind::Count { by }),
            prop::collection::vec(sort_key(Order::Asc), 1..3).prop_map(StageKind::Sort),
            n.clone().prop_map(|n| StageKind::Take { n, n_span: sp() }),
            (
                n,
                sort_key(Order::Desc),
                prop::collection::vec(name().prop_map(ident), 0..3)
            )
                .prop_map(|(n, key, per)| StageKind::Top {
                    n,
                    n_span: sp(),
                    key,
                    per
                }),
            prop::collection::vec(name().prop_map(ident), 0..3).prop_map(StageKind::Distinct),
            (
                prop::sample::select(vec![
                    JoinKind::Inner,
                    JoinKind::Left,
                    JoinKind::Semi,
                    JoinKind::Anti
                ]),
                source,
                prop::collection::vec((name(), prop::option::of(name())), 1..3),
            )
                .prop_map(|(kind, right, on)| StageKind::Join {
                    kind,
                    right,
                    on: on
                        .into_iter()
                        .map(|(l, r)| JoinKey {
                            left: ident(l),
                            right: r.map(ident)
                        })
                        .collect(),
                }),
            prop::collection::vec((name(), name()), 1..3).prop_map(|pairs| {
                StageKind::Rename(
                    pairs
                        .into_iter()
                        .map(|(a, b)| (ident(a), ident(b)))
                        .collect(),
                )
            }),
        ];
        kind.prop_map(|kind| Stage {
            kind,
            span: sp(),
            verb_span: sp(),
        })
    }

    fn pipeline() -> impl Strategy<Value = Pipeline> {
        let name_source = name().prop_map(|n| Source::Name(ident(n))).boxed();
        let flat = (
            name_source.clone(),
            prop::collection::vec(stage(name_source.clone()), 0..4),
        )
            .prop_map(|(source, stages)| Pipeline {
                source,
                stages,
                span: sp(),
            });
        flat.prop_recursive(2, 8, 2, move |inner| {
            let sub = prop_oneof![
                name_source.clone(),
                inner.prop_map(|p| Source::Sub(Box::new(p))),
            ]
            .boxed();
            (sub.clone(), prop::collection::vec(stage(sub), 0..3)).prop_map(|(source, stages)| {
                Pipeline {
                    source,
                    stages,
                    span: sp(),
                }
            })
        })
    }

    fn script() -> impl Strategy<Value = Script> {
        let statement = prop_oneof![
            pipeline().prop_map(Statement::Query),
            (name(), pipeline()).prop_map(|(n, pipeline)| Statement::Let {
                name: ident(n),
                pipeline,
                span: sp()
            }),
        ];
        prop::collection::vec(statement, 0..4).prop_map(|statements| Script { statements })
    }

    /// Token soup: every construct, well-formed or not.
    fn soup() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "tasks",
            "owners",
            " ",
            "\n",
            "|",
            "where",
            "select",
            "count",
            "by",
            "sort",
            "desc",
            "top",
            "3",
            "1.5",
            "1e9",
            "99999999999999999999",
            "join",
            "left",
            "on",
            "let",
            "x",
            "=",
            "==",
            "!=",
            "~",
            "!~",
            "<",
            ">=",
            "+",
            "-",
            "*",
            "/",
            "%",
            "and",
            "or",
            "not",
            "in",
            "is",
            "null",
            "(",
            ")",
            "[",
            "]",
            ",",
            ";",
            "\"",
            "'",
            "`",
            "d\"",
            "d'",
            "\"str\"",
            "'s\\'",
            "d\"2010-02-30\"",
            "$",
            "$p",
            "--",
            "#",
            "负责单位",
            "，",
            "（",
            "&&",
            "||",
            "!",
            "\\",
            "as",
            "derive",
            "summarize",
            "take",
            "distinct",
            "rename",
            "\u{3000}",
            "é",
            "😀",
            "\r",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    fn check_no_panic(src: &str) {
        // The lexer covers every byte.
        let mut at = 0;
        for t in tokens(src) {
            assert_eq!(t.span.start, at);
            at = t.span.end;
        }
        assert_eq!(at, src.len());
        match parse_script(src) {
            Ok(script) => {
                // Whatever parses re-parses from its pretty form to the same tree.
                let pretty = pretty_script(&script);
                let again = parse_script(&pretty)
                    .unwrap_or_else(|e| panic!("{src:?} printed as {pretty:?}: {e:?}"));
                assert_eq!(
                    strip_spans(again),
                    strip_spans(script),
                    "{src:?} printed as {pretty:?}"
                );
            }
            Err(e) => {
                assert!(
                    e.span.start <= e.span.end && e.span.end <= src.len(),
                    "{e:?}"
                );
                assert!(
                    src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end),
                    "{e:?}"
                );
                assert!(e.code.as_str().starts_with("planq::parse::"));
            }
        }
        let _ = parse_query(src);
        let _ = parse_expr(src);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics_on_arbitrary_text(src in any::<String>()) {
            check_no_panic(&src);
        }

        #[test]
        fn never_panics_on_token_soup(src in soup()) {
            check_no_panic(&src);
        }

        #[test]
        fn never_panics_on_punctuation_and_cjk(src in "[ -~\u{4e00}-\u{4e2f}，（）“”\n]{0,40}") {
            check_no_panic(&src);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn pretty_then_parse_reproduces_expressions(e in good_expr()) {
            let text = pretty_expr(&e);
            let parsed = parse_expr(&text).map_err(|err| TestCaseError::fail(format!("{text:?}: {err:?}")))?;
            prop_assert_eq!(strip_spans(parsed), e, "{}", text);
        }

        #[test]
        fn pretty_adds_exactly_the_needed_parentheses(e in raw_expr()) {
            let text = pretty_expr(&e);
            let parsed = parse_expr(&text).map_err(|err| TestCaseError::fail(format!("{text:?}: {err:?}")))?;
            prop_assert_eq!(strip_spans(parsed), parenthesize(e), "{}", text);
        }

        #[test]
        fn pretty_then_parse_reproduces_scripts(s in script()) {
            let text = pretty_script(&s);
            let parsed = parse_script(&text).map_err(|err| TestCaseError::fail(format!("{text:?}: {err:?}")))?;
            prop_assert_eq!(pretty_script(&parsed), text.clone());
            prop_assert_eq!(strip_spans(parsed), s, "{}", text);
        }
    }
}

/// Every example in grammar/README.md parses (or, in `planq-error` blocks, fails to parse).
#[test]
fn readme_examples() {
    let readme = include_str!("../grammar/README.md");
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(tag) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        blocks.push((
            tag.split_whitespace().next().unwrap_or("").to_string(),
            body.join("\n"),
        ));
    }
    let mut counted = (0, 0);
    for (tag, body) in &blocks {
        match tag.as_str() {
            "planq" | "planq-params" => {
                let script = parse_script(body).unwrap_or_else(|e| panic!("{body}\n{e:#?}"));
                assert!(!script.statements.is_empty(), "{body}");
                // The canonical form parses back to the same tree.
                let again = parse_script(&pretty_script(&script)).unwrap();
                assert_eq!(strip_spans(again), strip_spans(script));
                counted.0 += 1;
            }
            "planq-error" => {
                assert!(parse_script(body).is_err(), "{body}");
                counted.1 += 1;
            }
            _ => {}
        }
    }
    assert!(counted.0 >= 30 && counted.1 >= 9, "{counted:?}");
}
