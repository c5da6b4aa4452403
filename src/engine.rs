//! The embeddable query engine: tables from a plan (and the embedding program), `let`
//! bindings and parameters, and the query language over them.
//!
//! ```
//! let mut engine = planq::Engine::seed()?;
//! let df = engine.query(r#"owners | where role == "lead" | count by owner | sort count desc | take 3"#)?;
//! assert_eq!(df.height(), 3);
//! # Ok::<(), planq::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::ast::{self, Pipeline, Statement};
use crate::lang::parser::MAX_STAGES;
use crate::lang::{parse, parse_query, ParseError};
use crate::plan::Date;
use crate::query::compile::{self, Env, Halt, Internal};
use crate::query::{hints, typed, Catalog, Checker, Columns, Type};
use crate::tables::{self, LazyTable, TableSpec};

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
    /// Read from a file (`--table`, `.import`, [`Engine::import_table`]).
    File,
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

/// Bounds on the work of one statement, for programs that run queries they did not write.
///
/// ```
/// use std::time::Duration;
/// let mut engine = planq::Engine::seed()?;
/// engine.set_limits(planq::Limits { max_rows: Some(10), timeout: Some(Duration::from_secs(5)) });
/// assert!(engine.query("categories").is_ok());
/// let err = engine.query("tasks").unwrap_err();
/// assert_eq!(err.code(), planq::Code::LimitRows);
/// assert_eq!(err.code().as_str(), "planq::limit::rows");
/// # Ok::<(), planq::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most rows a result may have. A larger result is an error (`planq::limit::rows`),
    /// never silently cut; the query stops reading once it has one row too many.
    pub max_rows: Option<usize>,
    /// Longest a statement may run; it is then cancelled (`planq::limit::time`).
    pub timeout: Option<Duration>,
}

/// A `let` kept by the engine: its pipeline, compiled again against the current tables
/// each time it is used, so that it never answers from tables that have been replaced
/// (`.load`, [`Engine::add_progress_file`], [`Engine::set_dataset`]).
#[derive(Clone)]
pub(crate) struct Binding {
    name: String,
    source: Source,
    pipeline: Pipeline,
    columns: Columns,
    /// The size of its plan, through the bindings it reads (see [`Engine::plan_extent`]).
    extent: Extent,
}

/// How large a `let`'s polars plan is, through the bindings it reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extent {
    /// The longest chain of stages (bounded by [`MAX_STAGES`]).
    stages: usize,
    /// Every stage counted once per path that reaches it — what polars visits when it
    /// plans the frame — or 1 when the binding is a [`segment`](compile::segment).
    size: u64,
    /// Whether the binding runs as a segment of its own: its plan would otherwise be
    /// larger than [`SEGMENT_ABOVE`].
    segment: bool,
}

/// The plan size (stages counted once per path) above which a `let` runs as a segment of
/// its own ([`compile::segment`]). Twice [`MAX_STAGES`], so a chain of `let`s that each
/// read one (bounded by `MAX_STAGES`) never reaches it; a chain that reads each link twice
/// does after 11 links, where polars plans a segment in milliseconds.
const SEGMENT_ABOVE: u64 = 2 * MAX_STAGES as u64;

/// The planq engine. Cheap to query repeatedly; `let` bindings and parameters persist
/// across calls of [`Engine::run_script`]. Cloning is cheap (tables share their buffers).
#[derive(Clone)]
pub struct Engine {
    pub(crate) data: Dataset,
    pub(crate) registered: Vec<(String, DataFrame)>,
    /// Lazy tables: files loaded with `--table` / `.import`, and lazy frames registered
    /// by the embedding program.
    pub(crate) files: Vec<LazyTable>,
    /// Every `let` kept, oldest first; a later one shadows an earlier one of the same name,
    /// which stays for the bindings made before that refer to it.
    pub(crate) lets: Vec<Binding>,
    /// Where each `let` name was bound, in `lets` order: name lookups stay O(log n) in a
    /// session or script with thousands of bindings (a scan of `lets` made them O(n²)).
    let_index: HashMap<String, Vec<usize>>,
    pub(crate) params: BTreeMap<String, Value>,
    pub(crate) limits: Limits,
    /// Plans of kept `let`s already checked against the tables as they are now.
    kept: KeptPlans,
}

/// The typed plans of kept `let`s, each with the [`Engine::catalog_fingerprint`] it was
/// checked under. A call that reads a chain of `let`s checks every link against the
/// current tables (one may have gone stale); with the tables unchanged since the last
/// check, the plan made then is still right, so a REPL or script that binds one `let` per
/// call does not check the whole chain again at each (n chained `let`s cost n³: 1,000
/// took 14 s, 2,000 five minutes).
#[derive(Default)]
struct KeptPlans(std::sync::Mutex<HashMap<usize, (u64, Arc<typed::Pipeline>)>>);

impl KeptPlans {
    fn get(&self, i: usize, fingerprint: u64) -> Option<Arc<typed::Pipeline>> {
        let kept = self.0.lock().ok()?;
        kept.get(&i)
            .filter(|(f, _)| *f == fingerprint)
            .map(|(_, plan)| Arc::clone(plan))
    }

    fn put(&self, i: usize, fingerprint: u64, plan: Arc<typed::Pipeline>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.insert(i, (fingerprint, plan));
        }
    }
}

/// A clone may bind other `let`s under the same indexes: it starts with no plans.
impl Clone for KeptPlans {
    fn clone(&self) -> Self {
        KeptPlans::default()
    }
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
            files: Vec::new(),
            lets: Vec::new(),
            let_index: HashMap::new(),
            params: BTreeMap::new(),
            limits: Limits::default(),
            kept: KeptPlans::default(),
        }
    }

    /// A hash of everything the checker reads of the engine besides the kept `let`s (which
    /// never change once bound): every table's name and column types, and the parameters.
    fn catalog_fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut schema = |name: &str, schema: &Schema| {
            name.hash(&mut h);
            schema.len().hash(&mut h);
            for (column, dtype) in schema.iter() {
                column.as_str().hash(&mut h);
                type_name(dtype).hash(&mut h);
            }
        };
        for (name, df) in self.data.tables().iter().chain(&self.registered) {
            schema(name, df.schema());
        }
        for t in &self.files {
            schema(&t.name, &t.schema);
        }
        self.params.len().hash(&mut h);
        for (name, value) in &self.params {
            name.hash(&mut h);
            format!("{value:?}").hash(&mut h);
        }
        h.finish()
    }

    /// Bounds every later statement's result rows and run time.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The bounds set with [`Engine::set_limits`].
    pub fn limits(&self) -> &Limits {
        &self.limits
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

    /// Replaces the plan (keeps registered tables, parameters and `let` bindings, which
    /// from now on read the new plan).
    pub fn set_dataset(&mut self, data: Dataset) {
        let mut data = data;
        // Aliases belong to the analyst's corpus, not to one plan: the new plan gets them
        // too (for its own year).
        if data.aliases().is_none() {
            if let Some(a) = self.data.aliases().cloned() {
                let _ = data.set_aliases(a);
            }
        }
        self.data = data;
    }

    /// Adds plans (ids unique among themselves and the loaded ones: see
    /// [`crate::corpus::gather`]); the embedded seed plan, when it is all that is loaded,
    /// is replaced instead. `let`s read the new tables from now on.
    pub fn add_plans(&mut self, docs: Vec<crate::dataset::PlanDoc>) -> Result<(), Error> {
        if self.data.is_seed() {
            self.set_dataset(Dataset::from_docs(docs)?);
            Ok(())
        } else {
            self.data.add_docs(docs)
        }
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
                Code::EngineTableExists,
                format!("`{name}` is a plan table and cannot be replaced"),
            )
            .with_help("register the table under another name"));
        }
        self.registered.retain(|(n, _)| n != name);
        self.files.retain(|t| t.name != name);
        self.registered.push((name.to_string(), df));
        // A replaced table's columns are not held on for facts about them.
        compile::forget_sum_fits();
        Ok(())
    }

    /// Makes a lazy frame queryable as `name`, without running it: a query reads only
    /// what it needs of it (e.g. a `LazyFrame::scan_parquet` of a large file). Names are
    /// handled as in [`Engine::register_table`].
    ///
    /// ```
    /// use polars::prelude::*;
    /// let mut engine = planq::Engine::seed()?;
    /// let df = DataFrame::new(2, vec![Column::new("k".into(), ["a", "b"])])?;
    /// engine.register_lazy("keys", df.lazy())?;
    /// assert_eq!(engine.query("keys | count")?.column("count")?.get(0)?.extract::<i64>(), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_lazy(&mut self, name: &str, lf: LazyFrame) -> Result<(), Error> {
        let table = LazyTable::new(name, lf)?;
        self.add_lazy(table)
    }

    fn add_lazy(&mut self, table: LazyTable) -> Result<(), Error> {
        let name = table.name.clone();
        if self.data.table(&name).is_some() {
            return Err(Error::new(
                ErrorKind::Usage,
                Code::EngineTableExists,
                format!("`{name}` is a plan table and cannot be replaced"),
            )
            .with_help(format!(
                "load the file under another name, e.g. --table my_{name}=FILE (.import FILE as my_{name})"
            )));
        }
        self.registered.retain(|(n, _)| *n != name);
        self.files.retain(|t| t.name != name);
        self.files.push(table);
        compile::forget_sum_fits();
        Ok(())
    }

    /// Loads a table file — `[NAME=]FILE[:schema=COL:TYPE,…]`, a CSV, TSV, Parquet, JSON
    /// (array of objects) or NDJSON file — as a lazy table named NAME (default: the file's
    /// stem). The file is checked first (every malformed row and every cell that does not
    /// fit its column is reported with its row); on any error nothing is loaded. Loading a
    /// name again replaces the earlier table; a plan table's name is refused. Returns the
    /// table (its warnings say what was converted).
    ///
    /// ```
    /// let mut engine = planq::Engine::seed()?;
    /// let t = engine.import_table("examples/departments.csv")?;
    /// assert_eq!(t.name, "departments");
    /// let df = engine.query("owners | join departments on owner == dept | count")?;
    /// assert!(df.column("count")?.get(0)?.extract::<i64>().unwrap_or(0) > 0);
    /// assert!(engine.import_table("tasks=examples/departments.csv").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_table(&mut self, spec: &str) -> Result<LazyTable, Error> {
        let spec = TableSpec::parse(spec)?;
        let name = spec.table_name()?;
        if self.data.table(&name).is_some() {
            return Err(Error::new(
                ErrorKind::Usage,
                Code::TablePlanTable,
                format!("`{name}` is a plan table; a file cannot replace it"),
            )
            .with_help(format!(
                "give the file another name: --table my_{name}={} (in the REPL: .import {} as my_{name})",
                spec.path, spec.path
            )));
        }
        let table = tables::load(&spec, &name)?;
        self.add_lazy(table.clone())?;
        Ok(table)
    }

    /// [`Engine::import_table`] for several specs at once (the command line's `--table`s):
    /// all are loaded or none. Two specs naming the same table are an error.
    pub fn import_tables(&mut self, specs: &[String]) -> Result<Vec<LazyTable>, Error> {
        let mut names: Vec<(String, &String)> = Vec::new();
        for text in specs {
            let name = TableSpec::parse(text)?.table_name()?;
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                return Err(Error::new(
                    ErrorKind::Usage,
                    Code::TableDuplicateName,
                    format!("two tables would be named `{name}`: `{first}` and `{text}`"),
                )
                .with_help(format!("name one of them: --table other_{name}=FILE")));
            }
            names.push((name, text));
        }
        let mut staged = self.clone();
        let mut loaded = Vec::new();
        for text in specs {
            loaded.push(staged.import_table(text)?);
        }
        *self = staged;
        Ok(loaded)
    }

    /// Loads an alias file (`alias,canonical[,from,to]`) and makes `owners.owner` canonical
    /// (the text as written stays in `owner_raw`). Returns notes and warnings about it.
    pub fn set_aliases_file(&mut self, path: &str) -> Result<Vec<Error>, Error> {
        let aliases = tables::aliases::Aliases::load_file(path)?;
        self.data.set_aliases(aliases)
    }

    /// Owner names that are probably one unit written two ways (see
    /// [`tables::aliases::suggest`]), for an analyst to confirm in an alias file.
    pub fn alias_suggestions(&self) -> Vec<tables::aliases::Suggestion> {
        let Some(owners) = self.data.table("owners") else {
            return Vec::new();
        };
        let Ok(names) = owners.column("owner").and_then(|c| c.str().cloned()) else {
            return Vec::new();
        };
        let mut counts: Vec<(String, usize)> = Vec::new();
        for n in names.iter().flatten() {
            match counts.iter_mut().find(|(c, _)| c == n) {
                Some(slot) => slot.1 += 1,
                None => counts.push((n.to_string(), 1)),
            }
        }
        tables::aliases::suggest(&counts)
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
        self.let_index.clear();
        // The indexes will name other bindings.
        self.kept = KeptPlans::default();
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
        out.extend(self.files.iter().map(|t| TableInfo {
            name: t.name.clone(),
            kind: if t.file.is_some() {
                TableKind::File
            } else {
                TableKind::Registered
            },
            columns: columns_of(&t.schema),
            rows: t.rows,
        }));
        for (i, b) in self.lets.iter().enumerate() {
            if self.let_index.get(&b.name).and_then(|at| at.last()) != Some(&i) {
                continue; // shadowed
            }
            out.push(TableInfo {
                name: b.name.clone(),
                kind: TableKind::Let,
                columns: b
                    .columns
                    .0
                    .iter()
                    .map(|(c, t)| (c.clone(), t.name().to_string()))
                    .collect(),
                rows: None,
            });
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

    /// How many non-null values each column of a table or `let` binding holds, in column
    /// order (`.schema`); `None` when there is no such table or it cannot be computed.
    pub fn non_null_counts(&self, name: &str) -> Option<Vec<u64>> {
        let lf = self
            .lazy_table(name, self.lets.len(), None, &Compiled::default())
            .ok()??;
        let columns: Vec<String> = self.schema(name)?.into_iter().map(|(c, _)| c).collect();
        let counts: Vec<Expr> = columns
            .iter()
            .map(|c| col(c.as_str()).count().cast(DataType::UInt64))
            .collect();
        let df = guarded(|| {
            lf.select(counts)
                .collect()
                .map_err(|e| Error::new(ErrorKind::Query, Code::Internal, e.to_string()))
        })
        .ok()?;
        columns
            .iter()
            .map(|c| df.column(c).ok()?.u64().ok()?.get(0))
            .collect()
    }

    /// A table's rows as a lazy frame: `let` bindings (the first `upto` of them) shadow
    /// registered tables, which come after plan tables. A kept `let` is compiled from the
    /// plan [`Engine::check_kept`] made of it in this call.
    ///
    /// A binding that reads a binding compiles it first, so a chain of `let`s recurses once
    /// per link: the stack grows on demand (`recursive`), as in the checker, or a script of
    /// 1,000 chained `let`s overflowed it and aborted.
    #[recursive::recursive]
    pub(crate) fn lazy_table(
        &self,
        name: &str,
        upto: usize,
        stop: Option<&Arc<AtomicBool>>,
        compiled: &Compiled,
    ) -> Result<Option<LazyFrame>, Internal> {
        Ok(match self.lookup(name, upto) {
            None => None,
            Some(Named::Let(i)) => {
                let done = compiled.frames.borrow().get(&i).cloned();
                if let Some(lf) = done {
                    return Ok(Some(lf));
                }
                let lf = self.compile_binding(i, stop, compiled)?;
                let lf = if self.lets[i].extent.segment {
                    compile::segment(lf)?
                } else if compiled.reads.get(&i).is_some_and(|&n| n >= 2) {
                    lf.cache()
                } else {
                    lf
                };
                compiled.frames.borrow_mut().insert(i, lf.clone());
                Some(lf)
            }
            Some(Named::Frame(df)) => Some(df.clone().lazy()),
            Some(Named::Lazy(t)) => Some(t.frame()),
        })
    }

    /// How often each kept `let` is read by statements that read the tables `names` (as
    /// many times as each is listed; they see the first `upto` bindings), directly or
    /// through the bindings they read, each binding's own reads counted once.
    fn binding_reads<'n>(
        &self,
        names: impl IntoIterator<Item = (&'n str, usize)>,
        upto: usize,
    ) -> HashMap<usize, usize> {
        let mut reads: HashMap<usize, usize> = HashMap::new();
        let mut pending: Vec<usize> = Vec::new();
        let mut read = |name: &str, times: usize, upto: usize, pending: &mut Vec<usize>| {
            if let Some(Named::Let(i)) = self.lookup(name, upto) {
                let n = reads.entry(i).or_default();
                if *n == 0 {
                    pending.push(i);
                }
                *n += times;
            }
        };
        for (name, times) in names {
            read(name, times, upto, &mut pending);
        }
        while let Some(i) = pending.pop() {
            self.lets[i]
                .pipeline
                .for_each_table_name(&mut |ident| read(&ident.name, 1, i, &mut pending));
        }
        reads
    }

    /// Checks, before anything is compiled, the kept `let`s that `p` (which sees the first
    /// `upto` of them) reads — directly or through other kept `let`s — against the current
    /// tables. A binding that no longer checks, or whose columns would change, is refused
    /// here rather than answered; so the compiler meets only checked plans. Each binding
    /// is checked once per call (`Compiled::plans`), in the order the compiler meets it.
    fn check_kept(
        &self,
        p: &typed::Pipeline,
        upto: usize,
        compiled: &Compiled,
    ) -> Result<(), Error> {
        let mut result = Ok(());
        p.for_each_source(&mut |s| {
            if let (Ok(()), typed::Source::Table { name, .. }) = (&result, s) {
                if let Some(Named::Let(i)) = self.lookup(name, upto) {
                    result = self.check_binding(i, compiled);
                }
            }
        });
        result
    }

    /// Checks the kept `let` number `i` against the current tables (and the bindings made
    /// before it), then the kept `let`s it reads; keeps its plan in `compiled`.
    #[recursive::recursive]
    fn check_binding(&self, i: usize, compiled: &Compiled) -> Result<(), Error> {
        if compiled.plans.borrow().contains_key(&i) {
            return Ok(());
        }
        if let Some(plan) = self.kept.get(i, compiled.fingerprint) {
            // Checked under these very tables: so were the `let`s it reads (each found
            // here again at once).
            compiled.plans.borrow_mut().insert(i, Arc::clone(&plan));
            return self.check_kept(&plan, i, compiled);
        }
        let b = &self.lets[i];
        let catalog = EngineCatalog {
            engine: self,
            upto: i,
        };
        let checker = Checker::new(&catalog, &b.source);
        let again = |e: Error| {
            e.with_help(format!(
                "`{}` was bound before the tables changed and no longer fits them; bind it again with `let {} = …`",
                b.name, b.name
            ))
        };
        let plan = checker.pipeline(&b.pipeline).map_err(again)?;
        if plan.columns() != &b.columns {
            return Err(Error::new(
                ErrorKind::Query,
                Code::EngineStaleLet,
                format!(
                    "the `let` binding `{}` no longer has the columns it was bound with",
                    b.name
                ),
            )
            .at(&b.source, b.pipeline.span, "bound here")
            .with_help(format!(
                "the tables it reads have changed; bind it again with `let {} = …`",
                b.name
            )));
        }
        let plan = Arc::new(plan);
        compiled.plans.borrow_mut().insert(i, Arc::clone(&plan));
        self.check_kept(&plan, i, compiled).map_err(again)?;
        self.kept.put(i, compiled.fingerprint, plan);
        Ok(())
    }

    /// Compiles the kept `let` number `i` from the plan [`Engine::check_binding`] made.
    fn compile_binding(
        &self,
        i: usize,
        stop: Option<&Arc<AtomicBool>>,
        compiled: &Compiled,
    ) -> Result<LazyFrame, Internal> {
        let plan = compiled.plans.borrow().get(&i).cloned();
        let Some(plan) = plan else {
            return Err(Internal::new(format!(
                "the `let` `{}` was not checked before it was compiled",
                self.lets[i].name
            )));
        };
        let tables = |n: &str| self.lazy_table(n, i, stop, compiled);
        let env = Env {
            tables: &tables,
            params: &self.params,
            lets: Vec::new(),
            stop: stop.cloned(),
        };
        compile::pipeline(&env, &plan)
    }

    /// Finds what a name stands for, in shadowing order: `let`s (the first `upto`), plan
    /// tables, registered.
    fn lookup(&self, name: &str, upto: usize) -> Option<Named<'_>> {
        if let Some(at) = self.let_index.get(name) {
            // The latest binding of `name` among the first `upto`.
            let before = at.partition_point(|&i| i < upto);
            if before > 0 {
                return Some(Named::Let(at[before - 1]));
            }
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
            .or_else(|| self.files.iter().find(|t| t.name == name).map(Named::Lazy))
    }
}

/// The kept `let`s one call (a script, a completion) has compiled. Each binding is compiled
/// once per call, and one that is read more than once becomes a polars cache node: a chain
/// of bindings that each read the one before twice would otherwise compile — and be
/// planned by polars — in time exponential in its length.
#[derive(Default)]
pub(crate) struct Compiled {
    /// Checked bindings, by index into `Engine::lets` (see `Engine::check_kept`).
    plans: RefCell<HashMap<usize, Arc<typed::Pipeline>>>,
    /// The tables' [`Engine::catalog_fingerprint`] for this call.
    fingerprint: u64,
    /// Compiled bindings, by index into `Engine::lets`.
    frames: RefCell<HashMap<usize, LazyFrame>>,
    /// How often each binding is read (see `Engine::binding_reads`).
    reads: HashMap<usize, usize>,
}

/// What a table name stands for.
enum Named<'a> {
    /// A kept `let` binding: its index.
    Let(usize),
    /// A plan or registered table.
    Frame(&'a DataFrame),
    /// A lazy table (a loaded file).
    Lazy(&'a LazyTable),
}

/// Converts a parse error into a diagnostic on `source`.
fn parse_error(source: &Source, e: ParseError) -> Error {
    Error::new(ErrorKind::Query, e.code, e.message)
        .at(source, e.span, e.label)
        .with_help_opt(e.help)
}

/// The engine's tables and parameters as the checker sees them (with the first `upto`
/// kept `let`s).
struct EngineCatalog<'a> {
    engine: &'a Engine,
    upto: usize,
}

impl<'a> EngineCatalog<'a> {
    /// Everything the engine has.
    fn all(engine: &'a Engine) -> Self {
        EngineCatalog {
            engine,
            upto: engine.lets.len(),
        }
    }
}

impl Catalog for EngineCatalog<'_> {
    fn table(&self, name: &str) -> Option<Columns> {
        Some(match self.engine.lookup(name, self.upto)? {
            Named::Let(i) => self.engine.lets[i].columns.clone(),
            Named::Frame(df) => columns_from(df.schema()),
            Named::Lazy(t) => columns_from(&t.schema),
        })
    }

    fn table_names(&self) -> Vec<String> {
        let e = self.engine;
        let mut names: Vec<String> = e.data.tables().iter().map(|(n, _)| n.clone()).collect();
        names.extend(e.registered.iter().map(|(n, _)| n.clone()));
        names.extend(e.files.iter().map(|t| t.name.clone()));
        let mut seen: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut lets = Vec::new();
        for b in &e.lets[..self.upto.min(e.lets.len())] {
            if seen.insert(&b.name) {
                lets.push(b.name.clone());
            }
        }
        names.extend(lets);
        names
    }

    fn param(&self, name: &str) -> Option<Type> {
        self.engine.params.get(name).map(|v| match v {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Date(_) => Type::Date,
            Value::Str(_) => Type::Str,
        })
    }

    fn param_names(&self) -> Vec<String> {
        self.engine.params.keys().cloned().collect()
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

/// The typed plan of `p` as far as it checks; when its source does not, that of its
/// sub-pipeline source (if it is one) as far as it goes.
/// A pipeline checked as far as it goes ([`Engine::plan_so_far`]), with the `let`s of the
/// script before it that it may read.
struct SoFar {
    /// The typed plans of the script's earlier `let`s that check, in binding order: a
    /// [`typed::Source::Binding`]'s index points into this list.
    lets: Vec<(String, typed::Pipeline)>,
    /// The pipeline's typed plan.
    plan: typed::Pipeline,
}

fn so_far(checker: &Checker, p: &Pipeline) -> Option<typed::Pipeline> {
    match checker.pipeline_so_far(p) {
        Ok((plan, _)) => Some(plan),
        Err(_) => match &p.source {
            ast::Source::Sub(inner) => so_far(checker, inner),
            ast::Source::Name(_) => None,
        },
    }
}

/// Columns as (name, type name) pairs.
fn named_types(columns: &Columns) -> Vec<(String, String)> {
    columns
        .0
        .iter()
        .map(|(n, t)| (n.clone(), t.name().to_string()))
        .collect()
}

/// A `let` the script bound, to be kept by the engine when the script persists its lets:
/// name, pipeline, columns, and its plan's stages through the bindings it reads.
type Bound = (String, Pipeline, Columns, Extent);

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
    /// assert_eq!(err.code(), planq::Code::CheckUnknownColumn);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self, src: &str) -> Result<DataFrame, Error> {
        Ok(self.query_result(src)?.frame)
    }

    /// [`Engine::query`], with the statement's span and text and the engine's advice about
    /// its result (e.g. why a filter matched nothing).
    pub fn query_result(&self, src: &str) -> Result<StatementResult, Error> {
        self.query_result_until(src, None)
    }

    /// [`Engine::query_result`] that stops when `stop` becomes true (e.g. set by a Ctrl-C
    /// handler on another thread): polars' execution is cancelled — it stops at its next
    /// operator — and the result is the error `planq::cancelled`.
    pub fn query_result_cancellable(
        &self,
        src: &str,
        stop: &AtomicBool,
    ) -> Result<StatementResult, Error> {
        self.query_result_until(src, Some(stop))
    }

    fn query_result_until(
        &self,
        src: &str,
        stop: Option<&AtomicBool>,
    ) -> Result<StatementResult, Error> {
        let source = Source::new("<query>", src);
        let (mut results, _) = self.execute(&source, stop)?;
        results.pop().ok_or_else(|| {
            Error::new(
                ErrorKind::Query,
                Code::EngineNoQuery,
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
        let (results, bound) = self.execute(&source, None)?;
        for (name, pipeline, columns, extent) in bound {
            self.let_index
                .entry(name.clone())
                .or_default()
                .push(self.lets.len());
            self.lets.push(Binding {
                name,
                source: source.clone(),
                pipeline,
                columns,
                extent,
            });
        }
        Ok(results)
    }

    /// [`Engine::run_script_named`] with the name `<script>`.
    pub fn run_script(&mut self, src: &str) -> Result<Vec<StatementResult>, Error> {
        self.run_script_named("<script>", src)
    }

    /// The plan of a query (the last statement of `src`): the typed plan the checker
    /// made of it — each stage with the columns it gives — then polars' optimised plan.
    ///
    /// ```
    /// let engine = planq::Engine::seed()?;
    /// let plan = engine.explain("owners | where role == 'lead' | count by owner")?;
    /// assert!(plan.contains("| count by owner → owner str, count int"));
    /// assert!(plan.contains("AGGREGATE"));
    /// # Ok::<(), planq::Error>(())
    /// ```
    pub fn explain(&self, src: &str) -> Result<String, Error> {
        let source = Source::new("<query>", src);
        guarded(|| {
            let (lf, span, plan) = self.compile_last(&source, true)?;
            let polars = lf
                .explain(true)
                .map_err(|e| runtime_error(&source, span, &e))?;
            let typed = plan.map(|p| p.describe(&source.text)).unwrap_or_default();
            Ok(format!("typed plan:\n{typed}\npolars plan:\n{polars}"))
        })
    }

    /// Parses, checks and compiles a query (the last statement of `src`; earlier `let`s
    /// are local) into a polars lazy frame without running it — for programs that want to
    /// compose it further.
    pub fn compile(&self, src: &str) -> Result<LazyFrame, Error> {
        Ok(self.compile_last(&Source::new("<query>", src), false)?.0)
    }

    /// The last query of `source` compiled, with its span, and its typed plan when
    /// `keep_plan` (for `explain`; a plain compile need not copy it).
    fn compile_last(
        &self,
        source: &Source,
        keep_plan: bool,
    ) -> Result<(LazyFrame, Span, Option<typed::Pipeline>), Error> {
        let mut last = None;
        self.walk(source, None, |_, p, span, lf| {
            last = Some((lf, span, keep_plan.then(|| p.clone())));
            Ok(())
        })?;
        last.ok_or_else(|| {
            Error::new(
                ErrorKind::Query,
                Code::EngineNoQuery,
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

    /// Parses `source`, then takes its statements in order: each is checked into a typed
    /// plan (every mistake in it reported there, kept `let`s it reads included), then
    /// compiled from that plan. `let`s are bound (and returned), each query's plan and lazy
    /// frame are handed to `on_query`.
    fn walk(
        &self,
        source: &Source,
        stop: Option<&Arc<AtomicBool>>,
        mut on_query: impl FnMut(&Env, &typed::Pipeline, Span, LazyFrame) -> Result<(), Error>,
    ) -> Result<Vec<Bound>, Error> {
        let (script, errors) = parse(&source.text);
        let mut errors = errors.into_iter().map(|e| parse_error(source, e));
        if let Some(first) = errors.next() {
            // Every syntax error of the script: the first, the others related to it.
            return Err(first.with_related(errors.collect()));
        }
        let catalog = EngineCatalog::all(self);
        let mut checker = Checker::new(&catalog, source);
        let pipelines = || {
            script.statements.iter().map(|st| match st {
                Statement::Let { pipeline, .. } => pipeline,
                Statement::Query(p) => p,
            })
        };
        // Names read more than once by this script: their `let`s become polars caches.
        let mut name_reads: HashMap<String, usize> = HashMap::new();
        for p in pipelines() {
            p.for_each_table_name(&mut |ident| {
                *name_reads.entry(ident.name.clone()).or_default() += 1
            });
        }
        let compiled = Compiled {
            reads: self.binding_reads(
                name_reads.iter().map(|(n, &k)| (n.as_str(), k)),
                self.lets.len(),
            ),
            fingerprint: self.catalog_fingerprint(),
            ..Compiled::default()
        };
        let tables = |n: &str| self.lazy_table(n, self.lets.len(), stop, &compiled);
        let mut env = Env {
            tables: &tables,
            params: &self.params,
            lets: Vec::new(),
            stop: stop.cloned(),
        };
        // The last statement that reads each name. A `let` no later statement of this
        // script reads is checked but not compiled: its frame is only for those statements
        // (the engine keeps the pipeline, and compiles it when a later call reads it). The
        // REPL and the script runner bind one `let` per call, and compiling one would
        // compile the whole chain of bindings it reads: a script of n chained `let`s cost
        // n³ (700 took 12 s).
        let mut last_read: HashMap<String, usize> = HashMap::new();
        for (at, p) in pipelines().enumerate() {
            p.for_each_table_name(&mut |ident| {
                last_read.insert(ident.name.clone(), at);
            });
        }
        let mut bound = Vec::new();
        // The plan extents of the `let`s this script binds (see `plan_extent`).
        let mut extent_of: HashMap<String, Extent> = HashMap::new();
        for (at, st) in script.statements.iter().enumerate() {
            let extent = match st {
                Statement::Let { pipeline, .. } | Statement::Query(pipeline) => {
                    self.plan_extent(source, pipeline, &extent_of)?
                }
            };
            match st {
                Statement::Let { name, pipeline, .. } => {
                    extent_of.insert(name.name.clone(), extent);
                    let plan = checker.pipeline(pipeline)?;
                    self.check_kept(&plan, self.lets.len(), &compiled)?;
                    let lf = if last_read.get(&name.name).is_some_and(|&last| last > at) {
                        let lf = compile::pipeline(&env, &plan)?;
                        Some(if extent.segment {
                            compile::segment(lf)?
                        } else if name_reads.get(name.name.as_str()).is_some_and(|&n| n >= 2) {
                            lf.cache()
                        } else {
                            lf
                        })
                    } else {
                        None
                    };
                    env.lets.push((name.name.clone(), lf));
                    let cols = plan.columns().clone();
                    checker.bind(&name.name, cols.clone());
                    bound.push((name.name.clone(), pipeline.clone(), cols, extent));
                }
                Statement::Query(p) => {
                    let plan = checker.pipeline(p)?;
                    self.check_kept(&plan, self.lets.len(), &compiled)?;
                    let lf = compile::pipeline(&env, &plan)?;
                    on_query(&env, &plan, st.span(), lf)?;
                }
            }
        }
        Ok(bound)
    }

    /// How large the plan of `p` is ([`Extent`]): its own stages, plus for the longest chain
    /// the most of any `let` it reads, and for the size every `let` it reads, once per
    /// reading (`local`: those bound earlier in the same script; then the engine's). A
    /// chain of `let`s builds one plan, and each stage of a plan carries its schema, so a
    /// plan's longest chain is bounded like a pipeline ([`MAX_STAGES`]): 4,000 chained
    /// `let`s, each adding a column, took 1.7 GB, and the cost grows with the square of the
    /// chain. A plan whose size passes [`SEGMENT_ABOVE`] becomes a segment of its own.
    fn plan_extent(
        &self,
        source: &Source,
        p: &Pipeline,
        local: &HashMap<String, Extent>,
    ) -> Result<Extent, Error> {
        let (mut read, mut size) = (0, p.stage_count() as u64);
        p.for_each_table_name(&mut |ident| {
            let extent = local.get(&ident.name).copied().or_else(|| {
                match self.lookup(&ident.name, self.lets.len()) {
                    Some(Named::Let(i)) => Some(self.lets[i].extent),
                    _ => None,
                }
            });
            let extent = extent.unwrap_or_default();
            read = read.max(extent.stages);
            size = size.saturating_add(extent.size);
        });
        let stages = read + p.stage_count();
        if stages > MAX_STAGES {
            return Err(Error::new(
                ErrorKind::Query,
                Code::EngineTooManyStages,
                format!(
                    "this pipeline builds a plan of {stages} stages through the `let`s it reads; \
                     at most {MAX_STAGES} are accepted"
                ),
            )
            .at(source, p.span, "reads a long chain of `let`s")
            .with_help(
                "combine stages (one `where` with `and`, one `derive a = …, b = …`), or \
                 start the chain again from a table",
            ));
        }
        let segment = size > SEGMENT_ABOVE;
        Ok(Extent {
            stages,
            size: if segment { 1 } else { size },
            segment,
        })
    }

    /// The output columns (name, type name) of a pipeline — e.g. the text before the
    /// cursor up to the last `|`. A trailing `|` is ignored.
    pub fn pipeline_schema(&self, src: &str) -> Result<Vec<(String, String)>, Error> {
        let trimmed = src.trim_end().trim_end_matches('|');
        let source = Source::new("<query>", trimmed);
        let p = parse_query(trimmed).map_err(|e| parse_error(&source, e))?;
        let catalog = EngineCatalog::all(self);
        let checker = Checker::new(&catalog, &source);
        let plan = checker.pipeline(&p)?;
        Ok(named_types(plan.columns()))
    }

    /// The typed plan of the pipeline `text` ends with, as far as it goes: the text (an
    /// unfinished pipeline being typed, say) is read by the recovering parser, and the
    /// plan holds the stages before its first syntax error or mistake. `None` when not
    /// even its source checks. What completion offers columns and values from.
    ///
    /// `before` is the script written before the pipeline (empty for none): its `let`s
    /// are bound first, as a multi-line REPL buffer names them before they are run; its
    /// mistakes are not the pipeline's.
    pub fn plan_so_far(&self, before: &str, text: &str) -> Option<typed::Pipeline> {
        self.so_far(before, text).map(|s| s.plan)
    }

    /// [`Engine::plan_so_far`] with the typed plans of the script's earlier `let`s.
    fn so_far(&self, before: &str, text: &str) -> Option<SoFar> {
        // `;` ends whatever `before` ends with: the pipeline is a statement of its own.
        let (full, floor) = if before.trim().is_empty() {
            (text.to_string(), 0)
        } else {
            (format!("{before};\n{text}"), before.len() + 2)
        };
        let mut text = full.as_str();
        // Each round cuts the text shorter; a few rounds reach any stage worth offering.
        for _ in 0..8 {
            let (script, errors) = parse(text);
            let (last_start, last_end) = script
                .statements
                .last()
                .map_or((0, 0), |st| (st.span().start, st.span().end));
            // An error after the start of the last statement the parser kept is in the
            // statement being typed (the parser drops a statement with an error, so the
            // one being typed may be past the last one kept); errors before it, or in
            // `before`, are in earlier statements, which are only read for their `let`s.
            let broken = errors
                .iter()
                .map(|e| e.span.start)
                .filter(|&at| at >= last_start.max(floor))
                .min();
            match broken {
                // Nothing after `before`: no pipeline to type.
                None if script.statements.is_empty() || last_start < floor => return None,
                None => return self.checked_so_far(text, &script.statements),
                Some(at) => {
                    // Read the text before the stage the error is in — but never cut
                    // into `before` or a statement the parser kept whole.
                    let kept = if at >= last_end { last_end } else { last_start };
                    let pipe = crate::lang::tokens(text).into_iter().rfind(|t| {
                        t.kind == crate::lang::TokenKind::Pipe
                            && t.span.end <= at
                            && t.span.start >= kept.max(floor)
                    })?;
                    text = &text[..pipe.span.start];
                }
            }
        }
        None
    }

    /// [`Engine::so_far`] of parsed statements of `text`: the earlier `let`s that check
    /// are bound in order, then the last statement is checked as far as it goes.
    fn checked_so_far(&self, text: &str, statements: &[Statement]) -> Option<SoFar> {
        let (last, earlier) = statements.split_last()?;
        let source = Source::new("<query>", text);
        let catalog = EngineCatalog::all(self);
        let mut checker = Checker::new(&catalog, &source);
        let mut lets = Vec::new();
        for st in earlier {
            if let Statement::Let { name, pipeline, .. } = st {
                // A `let` with a mistake is not bound: the statement being typed then
                // sees the name as unknown, as running the script would report.
                if let Ok(plan) = checker.pipeline(pipeline) {
                    checker.bind(&name.name, plan.columns().clone());
                    lets.push((name.name.clone(), plan));
                }
            }
        }
        let p = match last {
            Statement::Let { pipeline, .. } | Statement::Query(pipeline) => pipeline,
        };
        let plan = so_far(&checker, p)?;
        Some(SoFar { lets, plan })
    }

    /// The output columns (name, type name) of the pipeline `text` ends with, after the
    /// script `before` it, as far as it goes ([`Engine::plan_so_far`]): for completion.
    /// Empty when its source is unknown.
    pub fn columns_so_far(&self, before: &str, text: &str) -> Vec<(String, String)> {
        self.plan_so_far(before, text)
            .map(|p| named_types(p.columns()))
            .unwrap_or_default()
    }

    /// Up to `limit` distinct non-null values of a column at the end of a pipeline after
    /// the script `before` it, as far as it goes ([`Engine::plan_so_far`]), most frequent first (ties alphabetical) — for
    /// completing values inside string literals. When that gives none (the column is not
    /// there yet, or reading took too long), the values of the column in the pipeline's
    /// first table. Empty when neither has the column.
    pub fn distinct_values(
        &self,
        before: &str,
        pipeline: &str,
        column: &str,
        limit: usize,
    ) -> Vec<String> {
        let Some(SoFar { lets, plan }) = self.so_far(before, pipeline) else {
            return Vec::new();
        };
        let mut values = self.values_of(&lets, &plan, column, limit);
        if values.is_empty() {
            let mut root = &plan;
            while let typed::Source::Sub(inner) = &root.source {
                root = inner;
            }
            if !root.stages.is_empty() || !std::ptr::eq(root, &plan) {
                values = self.values_of(&lets, &root.prefix(0), column, limit);
            }
        }
        values
    }

    /// [`Engine::distinct_values`] of a checked plan that may read the script's `lets`.
    fn values_of(
        &self,
        lets: &[(String, typed::Pipeline)],
        plan: &typed::Pipeline,
        column: &str,
        limit: usize,
    ) -> Vec<String> {
        if plan.columns().get(column).is_none() {
            return Vec::new();
        }
        let mut names: Vec<&str> = Vec::new();
        for p in lets.iter().map(|(_, p)| p).chain([plan]) {
            p.for_each_source(&mut |s| {
                if let typed::Source::Table { name, .. } = s {
                    names.push(name);
                }
            });
        }
        let compiled = Compiled {
            reads: self.binding_reads(names.into_iter().map(|n| (n, 1)), self.lets.len()),
            fingerprint: self.catalog_fingerprint(),
            ..Compiled::default()
        };
        if self.check_kept(plan, self.lets.len(), &compiled).is_err() {
            return Vec::new();
        }
        let tables = |n: &str| self.lazy_table(n, self.lets.len(), None, &compiled);
        let mut env = Env {
            tables: &tables,
            params: &self.params,
            lets: Vec::new(),
            stop: None,
        };
        for (name, p) in lets {
            if self.check_kept(p, self.lets.len(), &compiled).is_err() {
                return Vec::new();
            }
            let lf = compile::pipeline(&env, p).ok();
            env.lets.push((name.clone(), lf));
        }
        // Completion must never freeze the prompt: a slow pipeline gives no values.
        let budget = Duration::from_millis(300);
        let mut values = guarded(|| Ok(hints::distinct_within(&env, plan, column, budget)))
            .ok()
            .flatten()
            .unwrap_or_default();
        values.truncate(limit);
        values
    }

    /// Parses, checks, compiles and runs every statement of `source`.
    fn execute(
        &self,
        source: &Source,
        stop: Option<&AtomicBool>,
    ) -> Result<(Vec<StatementResult>, Vec<Bound>), Error> {
        guarded(|| self.execute_unguarded(source, stop))
    }

    fn execute_unguarded(
        &self,
        source: &Source,
        stop: Option<&AtomicBool>,
    ) -> Result<(Vec<StatementResult>, Vec<Bound>), Error> {
        let mut results = Vec::new();
        // Set when the statement is cancelled or runs out of time: stops the polars query
        // at its next operator and at the next join checkpoint.
        let halt = Arc::new(AtomicBool::new(false));
        let watched = stop.is_some() || self.limits.timeout.is_some();
        let bound = self.walk(source, watched.then_some(&halt), |env, p, span, lf| {
            let frame = self.collect(lf, source, span, stop, &halt)?;
            // Cheap test first: only an empty result, or an aggregate's 0 or null,
            // is worth the queries that explain it.
            let mut notes = if hints::worth_a_look(p, &frame) {
                hints::no_match_hints(source, env, p, &frame)
            } else {
                Vec::new()
            };
            if self.data.docs().len() > 1 {
                notes.extend(hints::cross_plan_joins(source, p));
            }
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

impl Engine {
    /// Runs a compiled statement within the engine's [`Limits`], stopping when `stop` is set.
    fn collect(
        &self,
        lf: LazyFrame,
        source: &Source,
        span: Span,
        stop: Option<&AtomicBool>,
        halt: &Arc<AtomicBool>,
    ) -> Result<DataFrame, Error> {
        let limits = &self.limits;
        let lf = match limits.max_rows {
            // One row too many is enough to know the result is too big.
            Some(n) => lf.limit(IdxSize::try_from(n.saturating_add(1)).unwrap_or(IdxSize::MAX)),
            None => lf,
        };
        let frame = if stop.is_none() && limits.timeout.is_none() {
            lf.collect()
        } else {
            match compile::collect_watched(lf, halt, stop, limits.timeout) {
                Ok(result) => result,
                Err(Halt::Cancelled) => {
                    return Err(Error::new(ErrorKind::Query, Code::Cancelled, "query cancelled"))
                }
                Err(Halt::TimedOut) => {
                    let t = limits.timeout.unwrap_or_default();
                    return Err(Error::new(
                        ErrorKind::Query,
                        Code::LimitTime,
                        format!("the query ran longer than {} and was stopped", seconds(t)),
                    )
                    .at(source, span, "this statement")
                    .with_help("narrow it (a `where` before a `join`, a `take`), or raise the engine's time limit"));
                }
            }
        }
        .map_err(|e| runtime_error(source, span, &e))?;
        if let Some(n) = limits.max_rows {
            if frame.height() > n {
                return Err(Error::new(
                    ErrorKind::Query,
                    Code::LimitRows,
                    format!("the result has more than {n} rows"),
                )
                .at(source, span, "this statement")
                .with_help(format!(
                    "the engine allows at most {n} rows per result: add `take {n}` or a `where`, or raise the limit"
                )));
            }
        }
        Ok(frame)
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// How many calls are inside [`guarded`] now: while any is, a panic prints nothing (it
/// becomes a diagnostic instead).
static GUARDED: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();
/// Where the silenced panic hook leaves the place of the last panic, for the diagnostic.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs `f`, turning a panic inside it (in polars, or a planq bug) into an internal
/// diagnostic: no panic text or backtrace reaches the user. The last line of defence —
/// the checker is meant to refuse or type everything that could panic.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.load(Ordering::SeqCst) == 0 {
                previous(info);
            } else if let Ok(mut last) = LAST_PANIC.lock() {
                *last = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
            }
        }));
    });
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|_| {
        let place = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
        Err(Error::new(
            ErrorKind::Query,
            Code::Internal,
            "internal error: the query engine failed on this statement",
        )
        .with_help(format!(
            "this is a bug in planq; please report the query{}",
            place
                .map(|p| format!(" (failed at {p})"))
                .unwrap_or_default()
        )))
    })
}

/// A polars failure while running a statement, as a diagnostic on the statement.
fn runtime_error(source: &Source, span: Span, e: &PolarsError) -> Error {
    let msg = e.to_string();
    let first = msg.lines().next().unwrap_or("query failed").to_string();
    if let Some(at) = first.find(compile::OVERFLOW) {
        return Error::new(ErrorKind::Query, Code::ExecuteOverflow, first[at..].to_string())
            .at(source, span, "while running this statement")
            .with_help("integers are 64-bit and overflow is an error, as in SQL; for larger values compute with floats: to_float(x)");
    }
    Error::new(ErrorKind::Query, Code::Execute, format!("the query failed while running: {first}"))
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
