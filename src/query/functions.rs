//! The function table: every scalar function and aggregate is ONE entry here — name, the
//! names other languages use for it, arity, typing rule, one-line doc and an example — and
//! everything else reads it: the checker (arity, types, did-you-mean), the REPL (Tab
//! completion, `.help functions`), the grammar docs' function list (`tests/grammar.rs`
//! compares them, and runs every example).
//!
//! The one thing an entry cannot hold is its polars code: this module is part of the
//! polars-free front end (see ARCHITECTURE.md). The compiler generates code by matching on
//! [`FnId`] (`query::compile::codegen`), an exhaustive `match`, so rustc refuses a function
//! without codegen and warns of one with two.
//!
//! Adding a function: one entry in the `table!` below (its typing rule beside it), one arm
//! in `compile::codegen`, a row in grammar/README.md's function tables, and its example is
//! tested already.

use crate::error::Error;

use super::check::Call;
use super::types::Type;

/// Whether a function works row by row or over a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Row by row (`lower`, `round`, …).
    Scalar,
    /// One value per group (`sum`, `count`, …), only inside `summarize`.
    Aggregate,
}

/// A query that shows a function at work, and the one value it gives on the seed plan.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// A whole planq query with one row and one column as its result.
    pub query: &'static str,
    /// That value as CSV writes it.
    pub result: &'static str,
}

/// A function's typing rule: the argument types (arity already checked) → the result type,
/// or a diagnostic at the offending argument.
pub type Typing = fn(&Call) -> Result<Type, Error>;

/// One function of the language.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    /// Its identity, for the compiler's codegen.
    pub id: FnId,
    /// Its name.
    pub name: &'static str,
    /// Names other languages give it (lower case): not accepted, but suggested for
    /// (`mean(x)` → "did you mean `avg`?").
    pub aliases: &'static [&'static str],
    /// Scalar or aggregate.
    pub kind: Kind,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX`: variadic).
    pub max_args: usize,
    /// How it is written, for help texts.
    pub usage: &'static str,
    /// What it gives, in one line.
    pub doc: &'static str,
    /// It at work (run by `tests/grammar.rs`).
    pub example: Example,
    /// Its typing rule.
    pub typing: Typing,
}

/// Declares [`FnId`] and [`FUNCTIONS`] from one list, so that each id has exactly one
/// entry and `FUNCTIONS[id as usize]` is that entry.
macro_rules! table {
    ($($id:ident => { $($field:ident: $value:expr),* $(,)? })*) => {
        /// Which function: one variant per entry of [`FUNCTIONS`], in its order.
        #[allow(missing_docs)] // each variant is documented by its entry's `doc`
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum FnId {
            $($id,)*
        }

        /// Every function planq knows, in [`FnId`] order.
        pub const FUNCTIONS: &[Function] = &[
            $(Function { id: FnId::$id, $($field: $value),* },)*
        ];
    };
}

use Kind::{Aggregate as A, Scalar as S};

/// An example: `query` gives `result`.
const fn ex(query: &'static str, result: &'static str) -> Example {
    Example { query, result }
}

table! {
    Lower => {
        name: "lower", aliases: &["lowercase", "to_lower", "lcase"], kind: S,
        min_args: 1, max_args: 1, usage: "lower(text)",
        doc: "the text in lower case",
        example: ex(r#"plans | select lower("IPv6 and 3G")"#, "ipv6 and 3g"),
        typing: text_to_text,
    }
    Upper => {
        name: "upper", aliases: &["uppercase", "to_upper", "ucase"], kind: S,
        min_args: 1, max_args: 1, usage: "upper(text)",
        doc: "the text in upper case",
        example: ex(r#"plans | select upper("e-gov")"#, "E-GOV"),
        typing: text_to_text,
    }
    Len => {
        name: "len", aliases: &["length", "char_length", "strlen"], kind: S,
        min_args: 1, max_args: 1, usage: "len(text)",
        doc: "the length of the text in characters (not bytes)",
        example: ex(r#"plans | select len("数字福建")"#, "4"),
        typing: length,
    }
    Trim => {
        name: "trim", aliases: &[], kind: S,
        min_args: 1, max_args: 1, usage: "trim(text)",
        doc: "the text without whitespace at either end",
        example: ex(r#"plans | select trim("  省数字办 ")"#, "省数字办"),
        typing: text_to_text,
    }
    Contains => {
        name: "contains", aliases: &[], kind: S,
        min_args: 2, max_args: 2, usage: "contains(text, part)",
        doc: "whether the text contains the part (case-sensitive; `~` ignores case)",
        example: ex(r#"plans | select contains("省数字办", "数字")"#, "true"),
        typing: text_test,
    }
    StartsWith => {
        name: "starts_with", aliases: &["startswith"], kind: S,
        min_args: 2, max_args: 2, usage: "starts_with(text, prefix)",
        doc: "whether the text starts with the prefix",
        example: ex(r#"plans | select starts_with("省数字办", "省")"#, "true"),
        typing: text_test,
    }
    EndsWith => {
        name: "ends_with", aliases: &["endswith"], kind: S,
        min_args: 2, max_args: 2, usage: "ends_with(text, suffix)",
        doc: "whether the text ends with the suffix",
        example: ex(r#"plans | select ends_with("省数字办", "委")"#, "false"),
        typing: text_test,
    }
    Matches => {
        name: "matches", aliases: &["regexp", "rlike", "regex", "like"], kind: S,
        min_args: 2, max_args: 2, usage: "matches(text, \"regex\")",
        doc: "whether the regular expression matches somewhere in the text",
        example: ex(r#"plans | select matches("省数字办", "^省.+办$")"#, "true"),
        typing: regex_test,
    }
    Replace => {
        name: "replace", aliases: &[], kind: S,
        min_args: 3, max_args: 3, usage: "replace(text, from, to)",
        doc: "the text with every occurrence of `from` replaced by `to`",
        example: ex(r#"plans | select replace("2010年", "年", "")"#, "2010"),
        typing: replace,
    }
    Round => {
        name: "round", aliases: &[], kind: S,
        min_args: 1, max_args: 2, usage: "round(x) or round(x, digits)",
        doc: "the number rounded half away from zero (to `digits` decimals, 0 to 18)",
        example: ex("plans | select round(2.5)", "3"),
        typing: round,
    }
    Abs => {
        name: "abs", aliases: &[], kind: S,
        min_args: 1, max_args: 1, usage: "abs(x)",
        doc: "the number without its sign",
        example: ex("plans | select abs(-3)", "3"),
        typing: same_number,
    }
    Floor => {
        name: "floor", aliases: &[], kind: S,
        min_args: 1, max_args: 1, usage: "floor(x)",
        doc: "the largest whole number not above x",
        example: ex("plans | select floor(-2.5)", "-3"),
        typing: same_number,
    }
    Ceil => {
        name: "ceil", aliases: &[], kind: S,
        min_args: 1, max_args: 1, usage: "ceil(x)",
        doc: "the smallest whole number not below x",
        example: ex("plans | select ceil(2.1)", "3"),
        typing: same_number,
    }
    Pow => {
        name: "pow", aliases: &["power", "pwr"], kind: S,
        min_args: 2, max_args: 2, usage: "pow(x, y)",
        doc: "x to the power y, a float; null where undefined (pow(-8, 1 / 3))",
        example: ex("plans | select pow(2, 10)", "1024"),
        typing: pow,
    }
    Coalesce => {
        name: "coalesce", aliases: &["ifnull", "nvl", "fill_null"], kind: S,
        min_args: 1, max_args: usize::MAX, usage: "coalesce(a, b, …)",
        doc: "the first argument that is not null",
        example: ex(r#"tasks | where id == "1.1" | select coalesce(deadline_text, "none")"#, "none"),
        typing: coalesce,
    }
    If => {
        name: "if", aliases: &["iif", "when", "case"], kind: S,
        min_args: 3, max_args: 3, usage: "if(condition, then, else)",
        doc: "`then` where the condition is true, else `else` (also where the condition is null)",
        example: ex(r#"plans | select if(tasks > 20, "long", "short")"#, "long"),
        typing: if_then_else,
    }
    ToInt => {
        name: "to_int", aliases: &["cast_int", "int", "integer"], kind: S,
        min_args: 1, max_args: 1, usage: "to_int(x)",
        doc: "x as an integer (text that is no number gives an error)",
        example: ex(r#"plans | select to_int("42")"#, "42"),
        typing: to_int,
    }
    ToFloat => {
        name: "to_float", aliases: &["float", "double"], kind: S,
        min_args: 1, max_args: 1, usage: "to_float(x)",
        doc: "x as a float",
        example: ex(r#"plans | select to_float("2.5")"#, "2.5"),
        typing: to_float,
    }
    ToStr => {
        name: "to_str", aliases: &["str", "string", "text"], kind: S,
        min_args: 1, max_args: 1, usage: "to_str(x)",
        doc: "x as text",
        example: ex("plans | select to_str(year) + \"年\"", "2010年"),
        typing: to_str,
    }
    Year => {
        name: "year", aliases: &[], kind: S,
        min_args: 1, max_args: 1, usage: "year(date)",
        doc: "the year of a date",
        example: ex(r#"plans | select year(d"2010-12-31")"#, "2010"),
        typing: year,
    }
    Count => {
        name: "count", aliases: &["n", "size"], kind: A,
        min_args: 0, max_args: 1, usage: "count() or count(x)",
        doc: "the number of rows; count(x): of rows where x is not null",
        example: ex("tasks | summarize count(deadline)", "1"),
        typing: int,
    }
    CountDistinct => {
        name: "count_distinct", aliases: &["n_unique", "nunique", "distinct_count"], kind: A,
        min_args: 1, max_args: 1, usage: "count_distinct(x)",
        doc: "the number of distinct values of x that are not null",
        example: ex("owners | summarize count_distinct(role)", "3"),
        typing: int,
    }
    Sum => {
        name: "sum", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "sum(x)",
        doc: "the sum of the values that are not null; null when there are none",
        example: ex(r#"targets | where unit == "所" | summarize sum(value)"#, "10"),
        typing: sum,
    }
    Avg => {
        name: "avg", aliases: &["mean", "average"], kind: A,
        min_args: 1, max_args: 1, usage: "avg(x)",
        doc: "the mean of the values that are not null",
        example: ex("categories | summarize avg(tasks)", "5.2"),
        typing: float_of_numbers,
    }
    Min => {
        name: "min", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "min(x)",
        doc: "the smallest value that is not null",
        example: ex("categories | summarize min(tasks)", "2"),
        typing: same_value,
    }
    Max => {
        name: "max", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "max(x)",
        doc: "the largest value that is not null",
        example: ex("categories | summarize max(tasks)", "8"),
        typing: same_value,
    }
    Median => {
        name: "median", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "median(x)",
        doc: "the middle of the values that are not null (the mean of the two middle ones)",
        example: ex("categories | summarize median(tasks)", "5"),
        typing: float_of_numbers,
    }
    Stddev => {
        name: "stddev", aliases: &["std", "stdev", "stddev_samp", "sd"], kind: A,
        min_args: 1, max_args: 1, usage: "stddev(x)",
        doc: "the sample standard deviation (n − 1) of the values that are not null; null with fewer than two",
        example: ex("categories | summarize stddev(targets)", "2.8809720581775866"),
        typing: float_of_numbers,
    }
    Corr => {
        name: "corr", aliases: &["correlation", "pearson", "pearson_corr"], kind: A,
        min_args: 2, max_args: 2, usage: "corr(x, y)",
        doc: "Pearson's correlation of the rows where both are not null; null when undefined",
        example: ex("targets | summarize corr(value, value * 2 + 1)", "1"),
        typing: corr,
    }
    First => {
        name: "first", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "first(x)",
        doc: "the value of the group's first row",
        example: ex("tasks | summarize first(id)", "1.1"),
        typing: same_value,
    }
    Last => {
        name: "last", aliases: &[], kind: A,
        min_args: 1, max_args: 1, usage: "last(x)",
        doc: "the value of the group's last row",
        example: ex("tasks | summarize last(id)", "5.5"),
        typing: same_value,
    }
    Concat => {
        name: "concat", aliases: &["string_agg", "group_concat", "join", "implode"], kind: A,
        min_args: 1, max_args: 2, usage: "concat(x) or concat(x, separator)",
        doc: "the values that are not null as one text, joined by `,` or the separator",
        example: ex(r#"owners | where task_id == "1.1" | summarize concat(owner, "、")"#, "省数字办、有关部门"),
        typing: concat,
    }
}

impl FnId {
    /// This function's entry.
    pub fn function(self) -> &'static Function {
        &FUNCTIONS[self as usize]
    }
}

/// Looks a function up by name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The function another language's name stands for (`mean` → `avg`), case-insensitive.
pub fn alias_of(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    FUNCTIONS
        .iter()
        .find(|f| f.aliases.contains(&name.as_str()))
        .map(|f| f.name)
}

// ---- typing rules ------------------------------------------------------------------

fn text(t: Type) -> bool {
    matches!(t, Type::Str | Type::Null)
}

fn number(t: Type) -> bool {
    t.is_numeric()
}

/// Anything but a date or an `other` column: what converts to a number.
fn convertible(t: Type) -> bool {
    !matches!(t, Type::Date | Type::Other)
}

/// `lower`, `upper`, `trim`.
fn text_to_text(c: &Call) -> Result<Type, Error> {
    c.need(0, text, "text")?;
    Ok(Type::Str)
}

fn length(c: &Call) -> Result<Type, Error> {
    c.need(0, text, "text")?;
    Ok(Type::Int)
}

/// `contains`, `starts_with`, `ends_with`.
fn text_test(c: &Call) -> Result<Type, Error> {
    c.need(0, text, "text")?;
    c.need(1, text, "text")?;
    Ok(Type::Bool)
}

fn regex_test(c: &Call) -> Result<Type, Error> {
    c.need(0, text, "text")?;
    c.need(1, text, "a regular expression (text)")?;
    // A literal pattern is compiled now, so that a bad one is reported at its span.
    if let Some(pattern) = c.str_literal(1) {
        if let Err(e) = regex::Regex::new(pattern) {
            return Err(c.bad_regex(1, &e.to_string()));
        }
    }
    Ok(Type::Bool)
}

fn replace(c: &Call) -> Result<Type, Error> {
    for i in 0..3 {
        c.need(i, text, "text")?;
    }
    // polars replaces a pattern that is the same on every row only.
    if !c.constant(1) {
        return Err(c.wrong_type(
            1,
            "`replace`'s pattern must be a text literal or a parameter",
        ));
    }
    Ok(Type::Str)
}

/// A number's own type (null: an int).
fn number_type(t: Type) -> Type {
    if t == Type::Null {
        Type::Int
    } else {
        t
    }
}

fn round(c: &Call) -> Result<Type, Error> {
    c.need(0, number, "a number")?;
    if c.arity() == 2 && !c.int_literal(1).is_some_and(|d| (0..=18).contains(&d)) {
        return Err(c.wrong_type(
            1,
            "`round`'s digits must be a whole number from 0 to 18, written out",
        ));
    }
    Ok(number_type(c.ty(0)))
}

/// `abs`, `floor`, `ceil`.
fn same_number(c: &Call) -> Result<Type, Error> {
    c.need(0, number, "a number")?;
    Ok(number_type(c.ty(0)))
}

fn pow(c: &Call) -> Result<Type, Error> {
    c.need(0, number, "numbers")?;
    c.need(1, number, "numbers")?;
    Ok(Type::Float)
}

fn coalesce(c: &Call) -> Result<Type, Error> {
    let mut acc = Type::Null;
    for i in 0..c.arity() {
        acc = match acc.unify(c.ty(i)) {
            Some(u) => u,
            None => return Err(c.mismatch(i, acc, "coalesce")),
        };
    }
    Ok(acc)
}

fn if_then_else(c: &Call) -> Result<Type, Error> {
    c.need(0, Type::is_bool, "a condition first")?;
    match c.ty(1).unify(c.ty(2)) {
        Some(u) => Ok(u),
        None => Err(c.mismatch(2, c.ty(1), "if")),
    }
}

fn to_int(c: &Call) -> Result<Type, Error> {
    c.need(0, convertible, "a number, text or bool")?;
    Ok(Type::Int)
}

fn to_float(c: &Call) -> Result<Type, Error> {
    c.need(0, convertible, "a number, text or bool")?;
    Ok(Type::Float)
}

fn to_str(_: &Call) -> Result<Type, Error> {
    Ok(Type::Str)
}

fn year(c: &Call) -> Result<Type, Error> {
    c.need(
        0,
        |t| matches!(t, Type::Date | Type::Null),
        "a date (write literal dates as d\"2010-12-31\")",
    )?;
    Ok(Type::Int)
}

/// `count`, `count_distinct`: any values.
fn int(_: &Call) -> Result<Type, Error> {
    Ok(Type::Int)
}

fn sum(c: &Call) -> Result<Type, Error> {
    c.need(0, |t| t.is_numeric() || t == Type::Bool, "numbers")?;
    Ok(if c.ty(0) == Type::Float {
        Type::Float
    } else {
        Type::Int
    })
}

/// `avg`, `median`, `stddev`.
fn float_of_numbers(c: &Call) -> Result<Type, Error> {
    c.need(0, number, "numbers")?;
    Ok(Type::Float)
}

fn corr(c: &Call) -> Result<Type, Error> {
    c.need(0, number, "numbers")?;
    c.need(1, number, "numbers")?;
    Ok(Type::Float)
}

/// `min`, `max`, `first`, `last`: any values, of the argument's type.
fn same_value(c: &Call) -> Result<Type, Error> {
    Ok(c.ty(0))
}

fn concat(c: &Call) -> Result<Type, Error> {
    if c.arity() == 2 && c.str_literal(1).is_none() {
        return Err(c.wrong_type(
            1,
            "`concat`'s separator must be a text literal, e.g. \"、\"",
        ));
    }
    Ok(Type::Str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_is_its_entrys_index_and_names_are_unique() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert_eq!(f.id as usize, i, "{}", f.name);
            assert!(std::ptr::eq(f.id.function(), f));
            assert_eq!(lookup(f.name).map(|g| g.id), Some(f.id), "{}", f.name);
        }
    }

    #[test]
    fn an_alias_is_no_name_and_stands_for_one_function() {
        for f in FUNCTIONS {
            for a in f.aliases {
                assert_eq!(*a, a.to_ascii_lowercase(), "aliases are lower case");
                assert!(lookup(a).is_none(), "`{a}` is a function's own name");
                assert_eq!(alias_of(a), Some(f.name), "`{a}`");
            }
        }
        assert_eq!(alias_of("MEAN"), Some("avg"));
        assert_eq!(alias_of("avg"), None);
    }

    #[test]
    fn every_entry_is_complete() {
        for f in FUNCTIONS {
            assert!(f.min_args <= f.max_args, "{}", f.name);
            assert!(f.usage.starts_with(&format!("{}(", f.name)), "{}", f.name);
            assert!(!f.doc.is_empty() && !f.doc.contains('\n'), "{}", f.name);
            assert!(
                f.example.query.contains(&format!("{}(", f.name)),
                "{}",
                f.name
            );
        }
    }
}
