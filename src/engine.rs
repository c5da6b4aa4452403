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
use crate::plan::Date;

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
        if let Ok(i) = t.parse::<i64>() {
            return Value::Int(i);
        }
        if let Ok(f) = t.parse::<f64>() {
            if f.is_finite() && t.chars().any(|c| c.is_ascii_digit()) {
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
}

/// The planq engine. Cheap to query repeatedly; `let` bindings and parameters persist
/// across calls of [`Engine::run_script`].
pub struct Engine {
    pub(crate) data: Dataset,
    pub(crate) registered: Vec<(String, DataFrame)>,
    pub(crate) lets: Vec<(String, LazyFrame)>,
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
            })
            .collect();
        out.extend(self.registered.iter().map(|(n, df)| TableInfo {
            name: n.clone(),
            kind: TableKind::Registered,
            columns: columns_of(df.schema()),
        }));
        for (n, lf) in &self.lets {
            let mut lf = lf.clone();
            if let Ok(schema) = lf.collect_schema() {
                out.push(TableInfo {
                    name: n.clone(),
                    kind: TableKind::Let,
                    columns: columns_of(&schema),
                });
            }
        }
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
        if let Some((_, lf)) = self.lets.iter().rev().find(|(n, _)| n == name) {
            return Some(lf.clone());
        }
        self.data
            .table(name)
            .or_else(|| {
                self.registered
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, df)| df)
            })
            .map(|df| df.clone().lazy())
    }
}

// SCAFFOLDING until the query compiler lands (issue 3): only bare table names run.
// The signatures are the contract the REPL and CLI build on.
impl Engine {
    /// Runs one query (a script whose last statement is a pipeline; `let`s in it are local)
    /// and returns its rows.
    pub fn query(&self, src: &str) -> Result<DataFrame, Error> {
        let name = src.trim();
        let source = Source::new("<query>", src);
        self.lazy_table(name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Query,
                    "planq::check::unknown_table",
                    format!("unknown table `{name}`"),
                )
                .at(&source, Span::new(0, src.len()), "not a table")
            })?
            .collect()
            .map_err(|e| Error::new(ErrorKind::Query, "planq::execute", e.to_string()))
    }

    /// Runs every statement of a script in order; `let` bindings persist in the engine.
    /// Returns each query statement's rows with its span. `name` is used in diagnostics.
    pub fn run_script_named(
        &mut self,
        name: &str,
        src: &str,
    ) -> Result<Vec<StatementResult>, Error> {
        let _ = name;
        let frame = self.query(src)?;
        Ok(vec![StatementResult {
            span: Span::new(0, src.len()),
            text: src.to_string(),
            frame,
        }])
    }

    /// [`Engine::run_script_named`] with the name `<script>`.
    pub fn run_script(&mut self, src: &str) -> Result<Vec<StatementResult>, Error> {
        self.run_script_named("<script>", src)
    }

    /// The optimised polars plan of a query.
    pub fn explain(&self, src: &str) -> Result<String, Error> {
        let _ = self.query(src)?;
        Ok(String::new())
    }

    /// The output columns (name, type name) of a pipeline, e.g. of the text before the
    /// cursor up to the last `|`; for completion.
    pub fn pipeline_schema(&self, src: &str) -> Result<Vec<(String, String)>, Error> {
        self.schema(src.trim())
            .ok_or_else(|| Error::new(ErrorKind::Query, "planq::check::unknown_table", "unknown"))
    }

    /// Up to `limit` distinct non-null values of a string column of a pipeline's output,
    /// most frequent first; for completing values inside string literals.
    pub fn distinct_values(&self, pipeline: &str, column: &str, limit: usize) -> Vec<String> {
        let _ = (pipeline, column, limit);
        Vec::new()
    }
}
