//! The function library: every scalar function and aggregate, its arity and its typing
//! rule. The compiler maps the same names to polars expressions.

/// Whether a function works row by row or over a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Row by row (`lower`, `round`, …).
    Scalar,
    /// One value per group (`sum`, `count`, …), only inside `summarize`.
    Aggregate,
}

/// A function's signature.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// Scalar or aggregate.
    pub kind: Kind,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX`: variadic).
    pub max_args: usize,
    /// How it is written, for help texts.
    pub usage: &'static str,
}

const fn f(
    name: &'static str,
    kind: Kind,
    min_args: usize,
    max_args: usize,
    usage: &'static str,
) -> Function {
    Function {
        name,
        kind,
        min_args,
        max_args,
        usage,
    }
}

use Kind::{Aggregate as A, Scalar as S};

/// Every function planq knows.
pub const FUNCTIONS: &[Function] = &[
    f("lower", S, 1, 1, "lower(text)"),
    f("upper", S, 1, 1, "upper(text)"),
    f("len", S, 1, 1, "len(text)"),
    f("trim", S, 1, 1, "trim(text)"),
    f("contains", S, 2, 2, "contains(text, part)"),
    f("starts_with", S, 2, 2, "starts_with(text, prefix)"),
    f("ends_with", S, 2, 2, "ends_with(text, suffix)"),
    f("matches", S, 2, 2, "matches(text, \"regex\")"),
    f("replace", S, 3, 3, "replace(text, from, to)"),
    f("round", S, 1, 2, "round(x) or round(x, digits)"),
    f("abs", S, 1, 1, "abs(x)"),
    f("floor", S, 1, 1, "floor(x)"),
    f("ceil", S, 1, 1, "ceil(x)"),
    f("pow", S, 2, 2, "pow(x, y)"),
    f("coalesce", S, 1, usize::MAX, "coalesce(a, b, …)"),
    f("if", S, 3, 3, "if(condition, then, else)"),
    f("to_int", S, 1, 1, "to_int(x)"),
    f("to_float", S, 1, 1, "to_float(x)"),
    f("to_str", S, 1, 1, "to_str(x)"),
    f("year", S, 1, 1, "year(date)"),
    f("count", A, 0, 1, "count() or count(x)"),
    f("count_distinct", A, 1, 1, "count_distinct(x)"),
    f("sum", A, 1, 1, "sum(x)"),
    f("avg", A, 1, 1, "avg(x)"),
    f("min", A, 1, 1, "min(x)"),
    f("max", A, 1, 1, "max(x)"),
    f("median", A, 1, 1, "median(x)"),
    f("stddev", A, 1, 1, "stddev(x)"),
    f("corr", A, 2, 2, "corr(x, y)"),
    f("first", A, 1, 1, "first(x)"),
    f("last", A, 1, 1, "last(x)"),
    f("concat", A, 1, 2, "concat(x) or concat(x, separator)"),
];

/// Looks a function up by name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Names from other languages, mapped to planq's.
pub fn alias_of(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "mean" | "average" => "avg",
        "std" | "stdev" | "stddev_samp" | "sd" => "stddev",
        "correlation" | "pearson" | "pearson_corr" => "corr",
        "length" | "char_length" | "strlen" => "len",
        "n" | "size" => "count",
        "n_unique" | "nunique" | "distinct_count" => "count_distinct",
        "lowercase" | "to_lower" | "lcase" => "lower",
        "uppercase" | "to_upper" | "ucase" => "upper",
        "string_agg" | "group_concat" | "join" | "implode" => "concat",
        "ifnull" | "nvl" | "fill_null" => "coalesce",
        "iif" | "when" | "case" => "if",
        "cast_int" | "int" | "integer" => "to_int",
        "float" | "double" => "to_float",
        "str" | "string" | "text" => "to_str",
        "regexp" | "rlike" | "regex" | "like" => "matches",
        "power" | "pwr" => "pow",
        "startswith" => "starts_with",
        "endswith" => "ends_with",
        _ => return None,
    })
}
