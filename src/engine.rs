//! The embeddable query engine: tables from a plan (and the embedding program), `let`
//! bindings and parameters, and the query language over them.
//!
//! ```
//! let mut engine = planq::Engine::seed()?;
//! let df = engine.query(r#"owners | where role == "lead" | count by owner | sort count desc | take 3"#)?;
//! assert_eq!(df.height(), 3);
//! # Ok::<(), planq::Error>(())
//! ```

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::ast::{Pipeline, Statement};
use crate::lang::{parse_query, parse_script, ParseError};
use crate::plan::Date;
use crate::query::compile::{self, Env};
use crate::query::{hints, Catalog, Checker, Columns, Type};

/// A parameter value (`$name` in a query).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A date.
    Date(Date),
    /// A string.
    Str(String),
}

impl Value {
    /// Reads a value as given on a command line (`--param n=3`, `.set section 3.`):
    /// integers, floats, `true`/`false`, `null` and `YYYY-MM-DD` dates are typed;
    /// anything else is a string. Quotes force a string: `"3"`.
    pub fn parse_cli(text: &str) -> Value {
        let t = text.trim();
        if let Some(inner) = t
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        {
            return Value::Str(inner.to_string());
        }
        if is_int_literal(t) {
            if let Ok(i) = t.parse::<i64>() {
                return Value::Int(i);
            }
        }
        if is_float_literal(t) {
            if let Ok(f) = t.parse::<f64>() {
                return Value::Float(f);
            }
        }
        match t {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            "null" => return Value::Null,
            _ => {}
        }
        if let Some(d) = Date::parse_iso(t) {
            return Value::Date(d);
        }
        Value::Str(text.to_string())
    }
}

/// `-?digits`: an integer as planq writes it.
fn is_int_literal(t: &str) -> bool {
    let d = t.strip_prefix('-').unwrap_or(t);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

/// `-?digits.digits` with an optional exponent, or `-?digits` with an exponent: a float as
/// planq writes it. `3.` and `.5` are not numbers (so `--param section=3.` stays text).
fn is_float_literal(t: &str) -> bool {
    let d = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match d.find(['e', 'E']) {
        Some(i) => (&d[..i], Some(&d[i + 1..])),
        None => (d, None),
    };
    let exponent_ok = exponent.is_none_or(|e| is_int_literal(e.strip_prefix('+').unwrap_or(e)));
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            is_int_literal(a) && !a.starts_with('-') && is_int_literal(b) && !b.starts_with('-')
        }
        None => exponent.is_some() && is_int_literal(mantissa),
    };
    mantissa_ok && exponent_ok
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Date(d) => write!(f, "d\"{d}\""),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// The result of one statement of a script.
#[derive(Debug, Clone)]
pub struct StatementResult {
    /// The statement's span in the script.
    pub span: Span,
    /// The statement's source text.
    pub text: String,
    /// The rows it produced.
    pub frame: DataFrame,
    /// Advice about the result, e.g. why a filter matched nothing (severity advice).
    pub notes: Vec<Error>,
}

/// Where a table comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    /// Built from the plan and progress files.
    Plan,
    /// Registered by the embedding program.
    Registered,
    /// A `let` binding.
    Let,
}

/// A name a query can start from.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    /// The name.
    pub name: String,
    /// Where it comes from.
    pub kind: TableKind,
    /// Columns and their type names (`str`, `int`, `float`, `bool`, `date`).
    pub columns: Vec<(String, String)>,
    /// Row count, for tables held in memory (`None` for `let` bindings, which are
    /// computed when used).
    pub rows: Option<usize>,
}

/// The planq engine. Cheap to query repeatedly; `let` bindings and parameters persist
/// across calls of [`Engine::run_script`]. Cloning is cheap (tables share their buffers).
#[derive(Clone)]
pub struct Engine {
    pub(crate) data: Dataset,
    pub(crate) registered: Vec<(String, DataFrame)>,
    pub(crate) lets: Vec<(String, LazyFrame, Columns)>,
    pub(crate) params: BTreeMap<String, Value>,
}

impl Engine {
    /// An engine over the embedded seed plan.
    pub fn seed() -> Result<Engine, Error> {
        Ok(Engine::new(Dataset::seed()?))
    }

    /// An engine over a loaded dataset.
    pub fn new(data: Dataset) -> Engine {
        Engine {
            data,
            registered: Vec::new(),
            lets: Vec::new(),
            params: BTreeMap::new(),
        }
    }

    /// An engine over a plan document read from `path`.
    pub fn from_plan_file(path: &str) -> Result<Engine, Error> {
        Ok(Engine::new(Dataset::from_file(path)?))
    }

    /// An engine over a plan document's text (`name` is used in diagnostics).
    pub fn from_plan_text(name: &str, text: &str) -> Result<Engine, Error> {
        Ok(Engine::new(Dataset::from_text(name, text)?))
    }

    /// Loads a progress file (CSV or JSON); on error nothing of it is kept.
    pub fn add_progress_file(&mut self, path: &str) -> Result<(), Error> {
        self.data.add_progress_file(path)
    }

    /// Loads progress from text; `name` ending in `.json` (or text starting with `[`)
    /// selects JSON.
    pub fn add_progress_text(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.data.add_progress(&Source::new(name, text))
    }

    /// Replaces the plan (keeps registered tables, parameters and `let` bindings).
    pub fn set_dataset(&mut self, data: Dataset) {
        self.data = data;
    }

    /// The loaded plan, progress and built tables.
    pub fn dataset(&self) -> &Dataset {
        &self.data
    }

    /// Makes `df` queryable as `name`. A name already taken by a plan table is refused;
    /// registering the same name again replaces the earlier table.
    ///
    /// ```
    /// use polars::prelude::*;
    /// let mut engine = planq::Engine::seed()?;
    /// let budgets = DataFrame::new(1, vec![
    ///     Column::new("dept".into(), ["省数字办"]),
    ///     Column::new("budget".into(), [1200i64]),
    /// ])?;
    /// engine.register_table("budgets", budgets)?;
    /// let df = engine.query("owners | join budgets on owner == dept | summarize s = sum(budget)")?;
    /// assert_eq!(df.column("s")?.get(0)?.extract::<i64>(), Some(1200 * 6));
    /// assert!(engine.register_table("tasks", DataFrame::empty()).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_table(&mut self, name: &str, df: DataFrame) -> Result<(), Error> {
        if self.data.table(name).is_some() {
            return Err(Error::new(
                ErrorKind::Usage,
                "planq::engine::table_exists",
                format!("`{name}` is a plan table and cannot be replaced"),
            )
            .with_help("register the table under another name"));
        }
        self.registered.retain(|(n, _)| n != name);
        self.registered.push((name.to_string(), df));
        Ok(())
    }

    /// Sets a parameter for `$name`.
    pub fn set_param(&mut self, name: &str, value: Value) {
        self.params.insert(name.to_string(), value);
    }

    /// Removes a parameter.
    pub fn unset_param(&mut self, name: &str) -> Option<Value> {
        self.params.remove(name)
    }

    /// The parameters set so far.
    pub fn params(&self) -> &BTreeMap<String, Value> {
        &self.params
    }

    /// Forgets every `let` binding.
    pub fn clear_lets(&mut self) {
        self.lets.clear();
    }
}

/// Type names shown to users for a polars dtype.
pub fn type_name(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::String => "str",
        DataType::Boolean => "bool",
        DataType::Date => "date",
        DataType::Float32 | DataType::Float64 => "float",
        d if d.is_integer() => "int",
        DataType::Null => "null",
        _ => "other",
    }
}

fn columns_of(schema: &Schema) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|(n, d)| (n.to_string(), type_name(d).to_string()))
        .collect()
}

impl Engine {
    /// Every name a query can start from: plan tables, registered tables, `let` bindings.
    pub fn tables(&self) -> Vec<TableInfo> {
        let mut out: Vec<TableInfo> = self
            .data
            .tables()
            .iter()
            .map(|(n, df)| TableInfo {
                name: n.clone(),
                kind: TableKind::Plan,
                columns: columns_of(df.schema()),
                rows: Some(df.height()),
            })
            .collect();
        out.extend(self.registered.iter().map(|(n, df)| TableInfo {
            name: n.clone(),
            kind: TableKind::Registered,
            columns: columns_of(df.schema()),
            rows: Some(df.height()),
        }));
        out.extend(self.lets.iter().map(|(n, _, cols)| {
            TableInfo {
                name: n.clone(),
                kind: TableKind::Let,
                columns: cols
                    .0
                    .iter()
                    .map(|(c, t)| (c.clone(), t.name().to_string()))
                    .collect(),
                rows: None,
            }
        }));
        out
    }

    /// The columns (name, type name) of a table or `let` binding.
    pub fn schema(&self, name: &str) -> Option<Vec<(String, String)>> {
        self.tables()
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.columns)
    }

    /// A table's rows as a lazy frame: `let` bindings shadow registered tables, which
    /// come after plan tables.
    pub(crate) fn lazy_table(&self, name: &str) -> Option<LazyFrame> {
        Some(match self.lookup(name)? {
            Named::Let(lf, _) => lf.clone(),
            Named::Frame(df) => df.clone().lazy(),
        })
    }

    /// Finds what a name stands for, in shadowing order: `let`s, plan tables, registered.
    fn lookup(&self, name: &str) -> Option<Named<'_>> {
        if let Some((_, lf, cols)) = self.lets.iter().rev().find(|(n, _, _)| n == name) {
            return Some(Named::Let(lf, cols));
        }
        self.data
            .table(name)
            .or_else(|| {
                self.registered
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, df)| df)
            })
            .map(Named::Frame)
    }
}

/// What a table name stands for.
enum Named<'a> {
    /// A `let` binding: its plan and schema.
    Let(&'a LazyFrame, &'a Columns),
    /// A plan or registered table.
    Frame(&'a DataFrame),
}

/// Converts a parse error into a diagnostic on `source`.
fn parse_error(source: &Source, e: ParseError) -> Error {
    Error::new(ErrorKind::Query, e.code, e.message)
        .at(source, e.span, e.label)
        .with_help_opt(e.help)
}

/// The engine's tables and parameters as the checker sees them.
struct EngineCatalog<'a>(&'a Engine);

impl Catalog for EngineCatalog<'_> {
    fn table(&self, name: &str) -> Option<Columns> {
        Some(match self.0.lookup(name)? {
            Named::Let(_, cols) => cols.clone(),
            Named::Frame(df) => columns_from(df.schema()),
        })
    }

    fn table_names(&self) -> Vec<String> {
        let e = self.0;
        let mut names: Vec<String> = e.data.tables().iter().map(|(n, _)| n.clone()).collect();
        names.extend(e.registered.iter().map(|(n, _)| n.clone()));
        names.extend(e.lets.iter().map(|(n, _, _)| n.clone()));
        names
    }

    fn param(&self, name: &str) -> Option<Type> {
        self.0.params.get(name).map(|v| match v {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Date(_) => Type::Date,
            Value::Str(_) => Type::Str,
        })
    }

    fn param_names(&self) -> Vec<String> {
        self.0.params.keys().cloned().collect()
    }
}

fn columns_from(schema: &Schema) -> Columns {
    Columns(
        schema
            .iter()
            .map(|(n, d)| (n.to_string(), Type::from_name(type_name(d))))
            .collect(),
    )
}

/// A `let` the script bound, to be kept by the engine when the script persists its lets.
type Bound = (String, LazyFrame, Columns);

impl Engine {
    /// Runs one query and returns its rows. `src` may be a script: its `let`s are local to
    /// this call, and the result is that of its last statement, which must be a query.
    ///
    /// ```
    /// let engine = planq::Engine::seed()?;
    /// let df = engine.query("let leads = owners | where role == 'lead'\nleads | count")?;
    /// assert_eq!(df.column("count")?.get(0)?.extract::<i64>(), Some(20));
    /// // Mistakes are diagnostics with a code, a span and a help line.
    /// let err = engine.query("tasks | where ownr == 'x'").unwrap_err();
    /// assert_eq!(err.code, "planq::check::unknown_column");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self, src: &str) -> Result<DataFrame, Error> {
        Ok(self.query_result(src)?.frame)
    }

    /// [`Engine::query`], with the statement's span and text and the engine's advice about
    /// its result (e.g. why a filter matched nothing).
    pub fn query_result(&self, src: &str) -> Result<StatementResult, Error> {
        let source = Source::new("<query>", src);
        let (mut results, _) = self.execute(&source)?;
        results.pop().ok_or_else(|| {
            Error::new(
                ErrorKind::Query,
                "planq::engine::no_query",
                "there is no query to run",
            )
            .at(
                &source,
                Span::new(0, src.len()),
                "nothing but `let`s and comments here",
            )
            .with_help("end with a pipeline, e.g. `tasks | take 5`")
        })
    }

    /// Runs every statement of a script in order and returns each query's rows with its
    /// span. `let` bindings persist in the engine for later calls (as in a REPL).
    /// `name` is used in diagnostics (a file path, `<stdin>`, …).
    ///
    /// ```
    /// let mut engine = planq::Engine::seed()?;
    /// engine.set_param("who", planq::Value::parse_cli("省数字办"));
    /// let results = engine.run_script_named("report.pq", "let mine = owners | where owner == $who\nmine | count")?;
    /// assert_eq!(results.len(), 1);
    /// assert_eq!(results[0].text, "mine | count");
    /// // The `let` persists for later calls.
    /// assert!(engine.query("mine | take 1").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_script_named(
        &mut self,
        name: &str,
        src: &str,
    ) -> Result<Vec<StatementResult>, Error> {
        let source = Source::new(name, src);
        let (results, bound) = self.execute(&source)?;
        for (n, lf, cols) in bound {
            self.lets.retain(|(m, _, _)| *m != n);
            self.lets.push((n, lf, cols));
        }
        Ok(results)
    }

    /// [`Engine::run_script_named`] with the name `<script>`.
    pub fn run_script(&mut self, src: &str) -> Result<Vec<StatementResult>, Error> {
        self.run_script_named("<script>", src)
    }

    /// The optimised polars plan of a query (the last statement of `src`).
    ///
    /// ```
    /// let engine = planq::Engine::seed()?;
    /// let plan = engine.explain("owners | where role == 'lead' | count by owner")?;
    /// assert!(plan.contains("AGGREGATE"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, src: &str) -> Result<String, Error> {
        let source = Source::new("<query>", src);
        let (lf, span) = self.compile_last(&source)?;
        lf.explain(true)
            .map_err(|e| runtime_error(&source, span, &e))
    }

    /// Parses, checks and compiles a query (the last statement of `src`; earlier `let`s
    /// are local) into a polars lazy frame without running it — for programs that want to
    /// compose it further.
    pub fn compile(&self, src: &str) -> Result<LazyFrame, Error> {
        Ok(self.compile_last(&Source::new("<query>", src))?.0)
    }

    fn compile_last(&self, source: &Source) -> Result<(LazyFrame, Span), Error> {
        let mut last = None;
        self.walk(source, |_, _, _, span, lf| {
            last = Some((lf, span));
            Ok(())
        })?;
        last.ok_or_else(|| {
            Error::new(
                ErrorKind::Query,
                "planq::engine::no_query",
                "there is no query to compile",
            )
            .at(
                source,
                Span::new(0, source.text.len()),
                "nothing but `let`s and comments here",
            )
            .with_help("end with a pipeline, e.g. `tasks | take 5`")
        })
    }

    /// Parses `source`, then checks and compiles its statements in order: `let`s are bound
    /// (and returned), each query's lazy frame is handed to `on_query`.
    fn walk(
        &self,
        source: &Source,
        mut on_query: impl FnMut(&Checker, &Env, &Pipeline, Span, LazyFrame) -> Result<(), Error>,
    ) -> Result<Vec<Bound>, Error> {
        let script = parse_script(&source.text).map_err(|e| parse_error(source, e))?;
        let catalog = EngineCatalog(self);
        let mut checker = Checker::new(&catalog, source);
        let tables = |n: &str| self.lazy_table(n);
        let mut env = Env {
            tables: &tables,
            params: &self.params,
            lets: Vec::new(),
        };
        let mut bound = Vec::new();
        for st in &script.statements {
            match st {
                Statement::Let { name, pipeline, .. } => {
                    let cols = checker.pipeline(pipeline)?.pop().unwrap_or_default();
                    let lf = compile::pipeline(&checker, &env, pipeline)?;
                    checker.bind(&name.name, cols.clone());
                    env.lets.push((name.name.clone(), lf.clone()));
                    bound.push((name.name.clone(), lf, cols));
                }
                Statement::Query(p) => {
                    let lf = compile::pipeline(&checker, &env, p)?;
                    on_query(&checker, &env, p, st.span(), lf)?;
                }
            }
        }
        Ok(bound)
    }

    /// The output columns (name, type name) of a pipeline — e.g. the text before the
    /// cursor up to the last `|` — for completion. A trailing `|` is ignored.
    pub fn pipeline_schema(&self, src: &str) -> Result<Vec<(String, String)>, Error> {
        let trimmed = src.trim_end().trim_end_matches('|');
        let source = Source::new("<query>", trimmed);
        let p = parse_query(trimmed).map_err(|e| parse_error(&source, e))?;
        let catalog = EngineCatalog(self);
        let checker = Checker::new(&catalog, &source);
        let cols = checker.pipeline(&p)?.pop().unwrap_or_default();
        Ok(cols
            .0
            .into_iter()
            .map(|(n, t)| (n, t.name().to_string()))
            .collect())
    }

    /// Up to `limit` distinct non-null values of a column of a pipeline's output, most
    /// frequent first (ties alphabetical) — for completing values inside string literals.
    /// Empty when the pipeline does not check or the column does not exist.
    pub fn distinct_values(&self, pipeline: &str, column: &str, limit: usize) -> Vec<String> {
        let trimmed = pipeline.trim_end().trim_end_matches('|');
        let source = Source::new("<query>", trimmed);
        let Ok(p) = parse_query(trimmed) else {
            return Vec::new();
        };
        let catalog = EngineCatalog(self);
        let checker = Checker::new(&catalog, &source);
        let tables = |n: &str| self.lazy_table(n);
        let env = Env {
            tables: &tables,
            params: &self.params,
            lets: Vec::new(),
        };
        let mut values = hints::distinct(&checker, &env, &p, column).unwrap_or_default();
        values.truncate(limit);
        values
    }

    /// Parses, checks, compiles and runs every statement of `source`.
    fn execute(&self, source: &Source) -> Result<(Vec<StatementResult>, Vec<Bound>), Error> {
        let mut results = Vec::new();
        let bound = self.walk(source, |checker, env, p, span, lf| {
            let frame = lf.collect().map_err(|e| runtime_error(source, span, &e))?;
            let notes = if frame.height() == 0 {
                hints::no_match_hints(checker, env, p)
            } else {
                Vec::new()
            };
            results.push(StatementResult {
                span,
                text: source
                    .text
                    .get(span.start..span.end)
                    .unwrap_or("")
                    .to_string(),
                frame,
                notes,
            });
            Ok(())
        })?;
        Ok((results, bound))
    }
}

/// A polars failure while running a statement, as a diagnostic on the statement.
fn runtime_error(source: &Source, span: Span, e: &PolarsError) -> Error {
    let msg = e.to_string();
    let first = msg.lines().next().unwrap_or("query failed").to_string();
    Error::new(ErrorKind::Query, "planq::execute", format!("the query failed while running: {first}"))
        .at(source, span, "while running this statement")
        .with_help("the checker accepted this statement, so this may be a data problem (e.g. a value that cannot be converted); if not, please report it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_values_are_typed_like_planq_literals() {
        assert_eq!(Value::parse_cli("3"), Value::Int(3));
        assert_eq!(Value::parse_cli("-3"), Value::Int(-3));
        assert_eq!(Value::parse_cli("2.5"), Value::Float(2.5));
        assert_eq!(Value::parse_cli("1e6"), Value::Float(1e6));
        assert_eq!(Value::parse_cli("3."), Value::Str("3.".into()));
        assert_eq!(Value::parse_cli(".5"), Value::Str(".5".into()));
        assert_eq!(Value::parse_cli("inf"), Value::Str("inf".into()));
        assert_eq!(Value::parse_cli("NaN"), Value::Str("NaN".into()));
        assert_eq!(Value::parse_cli("\"3\""), Value::Str("3".into()));
        assert_eq!(Value::parse_cli("true"), Value::Bool(true));
        assert_eq!(
            Value::parse_cli("2010-12-31"),
            Value::Date(Date::new(2010, 12, 31).unwrap())
        );
        assert_eq!(Value::parse_cli("省数字办"), Value::Str("省数字办".into()));
    }
}
