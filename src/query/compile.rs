//! The compiler: typed plan → polars lazy plans. The only stage that knows polars.
//!
//! It reads only the [typed plan](super::typed) the checker made — names resolved, types
//! known, functions identified — and never calls the checker. So it has no mistake of the
//! user's left to report: every failure it can still return is an [`Internal`] error, a
//! bug in planq (a plan the checker should not have made). It returns that rather than
//! assuming it away, so that no malformed plan can panic here.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::engine::Value;
use crate::error::{Code, Error, ErrorKind};
use crate::lang::ast::{BinOp, JoinKind, Order, UnOp};
use crate::plan::Date;

use super::functions::FnId;
use super::typed::{
    self, Expr as TExpr, ExprKind, Item, Literal, Pipeline, SortKey, Stage, StageKind,
};
use super::types::{Columns, Type};

/// A failure of the compiler, which is always a bug in planq: the checker accepted a plan
/// the compiler cannot build (a table or parameter gone between the two, a call without
/// its arguments). Never a mistake in the query — those are all the checker's — so a
/// diagnostic made from it says so, under one code ([`Code::CompileInternal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Internal(String);

impl Internal {
    /// An internal error: `message` says what the compiler did not find.
    pub fn new(message: impl Into<String>) -> Internal {
        Internal(message.into())
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl From<Internal> for Error {
    fn from(e: Internal) -> Error {
        Error::new(ErrorKind::Query, Code::CompileInternal, e.0)
            .with_help("this is a bug in planq; please report the query")
    }
}

/// Where compiled pipelines get their data from.
pub struct Env<'a> {
    /// Looks up a table or engine-level `let` binding by name (which the checker found).
    pub tables: &'a dyn Fn(&str) -> Result<Option<LazyFrame>, Internal>,
    /// Parameter values.
    pub params: &'a BTreeMap<String, Value>,
    /// `let` bindings made earlier in the script, in order: a plan's
    /// [`Source::Binding`](typed::Source::Binding) is an index into it. `None` for a
    /// binding no later statement reads, which the engine checks but does not compile.
    pub lets: Vec<(String, Option<LazyFrame>)>,
    /// When set, the result of every stage is checked against this flag before the next
    /// stage runs on it (see [`collect_watched`]): a cancelled or timed-out query stops at
    /// the next stage instead of running to its end — e.g. before the last, largest join of
    /// a chain of joins.
    pub stop: Option<Arc<AtomicBool>>,
}

/// A `let`'s plan run once, on its first use, behind an opaque scan ([`segment`]).
struct Segment {
    plan: LazyFrame,
    schema: SchemaRef,
    /// The result, or the error's message, once run.
    result: std::sync::OnceLock<Result<DataFrame, String>>,
}

impl AnonymousScan for Segment {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn schema(&self, _infer_schema_length: Option<usize>) -> PolarsResult<SchemaRef> {
        Ok(self.schema.clone())
    }

    fn scan(&self, args: AnonymousScanArgs) -> PolarsResult<DataFrame> {
        let result = self
            .result
            .get_or_init(|| self.plan.clone().collect().map_err(|e| e.to_string()));
        let df = match result {
            Ok(df) => df,
            Err(message) => return Err(polars_err!(ComputeError: "{message}")),
        };
        // polars pushes a slice and the columns its readers need into every scan, and
        // expects them honoured: the projection is not applied again above the scan.
        let df = match args.n_rows {
            Some(n) => df.head(Some(n)),
            None => df.clone(),
        };
        match args.with_columns {
            Some(columns) => df.select(columns.iter().cloned()),
            None => Ok(df),
        }
    }
}

/// `lf` as a leaf of the plans that read it: run once, on first use, and its rows shared
/// by every reader. polars plans a lazy frame that reads another twice (a `let` joined
/// with itself) by visiting it once per path, so a chain of such `let`s took time
/// doubling with each link (22 links: 7.7 s; 40 never finished). The engine cuts such a
/// chain into segments of bounded plan size with this; within a segment polars still
/// optimises as usual.
pub fn segment(lf: LazyFrame) -> Result<LazyFrame, Internal> {
    let mut probe = lf.clone();
    let schema = probe
        .collect_schema()
        .map_err(|e| internal(format!("a `let`'s schema: {e}")))?;
    let scan = Segment {
        plan: lf,
        schema,
        result: std::sync::OnceLock::new(),
    };
    LazyFrame::anonymous_scan(Arc::new(scan), Default::default())
        .map_err(|e| internal(format!("a `let` as a scan: {e}")))
}

/// The message of the error a [`Env::stop`] checkpoint raises.
pub const STOPPED: &str = "planq: query stopped";

/// Why a watched query stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// The caller's stop flag was set (Ctrl-C).
    Cancelled,
    /// The time budget ran out.
    TimedOut,
}

/// Runs `lf` — compiled with `Env::stop` set to `halt` — on this thread (so that a panic in
/// it can be caught by the caller), while a watchdog thread sets `halt` when `stop` becomes
/// true or `timeout` passes; the query then fails at its next stage. Returns the result, or
/// why it was stopped.
pub fn collect_watched(
    lf: LazyFrame,
    halt: &Arc<AtomicBool>,
    stop: Option<&AtomicBool>,
    timeout: Option<std::time::Duration>,
) -> Result<PolarsResult<DataFrame>, Halt> {
    use std::time::{Duration, Instant};
    /// Tells the watchdog to leave, even when the query panics.
    struct Done<'a>(&'a AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let done = AtomicBool::new(false);
    let why: std::sync::Mutex<Option<Halt>> = std::sync::Mutex::new(None);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = Instant::now();
            let mut pause = Duration::from_micros(200);
            while !done.load(Ordering::SeqCst) {
                let reason = if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                    Some(Halt::Cancelled)
                } else if timeout.is_some_and(|t| started.elapsed() >= t) {
                    Some(Halt::TimedOut)
                } else {
                    None
                };
                if let Some(r) = reason {
                    if let Ok(mut w) = why.lock() {
                        *w = Some(r);
                    }
                    halt.store(true, Ordering::SeqCst);
                    return;
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
        });
        let _done = Done(&done);
        lf.collect()
    });
    let why = why.lock().ok().and_then(|w| *w);
    match (&result, why) {
        (Err(e), Some(r)) if e.to_string().contains(STOPPED) => Err(r),
        // Stopped too late to matter: the answer is complete.
        _ => Ok(result),
    }
}

/// An identity step that fails once `env.stop` is set (nothing when it is not).
fn checkpoint(lf: LazyFrame, env: &Env) -> LazyFrame {
    let Some(flag) = &env.stop else {
        return lf;
    };
    let flag = Arc::clone(flag);
    lf.map(
        move |df| {
            if flag.load(Ordering::SeqCst) {
                Err(polars_err!(ComputeError: "{STOPPED}"))
            } else {
                Ok(df)
            }
        },
        AllowedOptimizations::default(),
        None,
        Some("planq checkpoint"),
    )
}

/// Compiles one checked pipeline into a lazy frame.
pub fn pipeline(env: &Env, p: &Pipeline) -> Result<LazyFrame, Internal> {
    let mut lf = source(env, &p.source)?;
    let mut stages = p.stages.iter().enumerate().peekable();
    while let Some((at, stage)) = stages.next() {
        let input = &stage.input;
        // `sort … | take N` is one top-k (see [`sort`]): compiled as two stages, the
        // checkpoint between them would keep polars from handing the limit to the sort.
        if let StageKind::Sort(keys) = &stage.kind {
            if let Some(&(
                _,
                Stage {
                    kind: StageKind::Take { n },
                    ..
                },
            )) = stages.peek()
            {
                let c = ExprCompiler::rows(env.params, input);
                lf = checkpoint(sort(&c, lf, keys, Some(*n))?, env);
                stages.next();
                continue;
            }
        }
        // A run of `where` stages is one filter on the conjunction of their predicates.
        // polars' optimiser would combine them anyway (so rows are filtered the same way),
        // but each plan node costs polars a walk of the nodes below it: a run of thousands
        // of filters would compile in time quadratic in their number.
        if let StageKind::Where(first) = &stage.kind {
            let c = ExprCompiler::rows(env.params, input);
            let mut predicates = vec![c.typed(c.expr(first)?, first, Type::Bool)];
            while let Some(&(
                _,
                Stage {
                    kind: StageKind::Where(next),
                    input: next_input,
                    ..
                },
            )) = stages.peek()
            {
                let c = ExprCompiler::rows(env.params, next_input);
                predicates.push(c.typed(c.expr(next)?, next, Type::Bool));
                stages.next();
            }
            let predicate = conjunction(predicates);
            lf = checkpoint(lf.filter(predicate), env);
            continue;
        }
        if let StageKind::Top { n, key, per } = &stage.kind {
            if !per.is_empty() {
                let c = ExprCompiler::rows(env.params, input);
                let rest = p.stages.get(at + 1..).unwrap_or(&[]);
                let keep = read_by(rest).map(|(mut used, first)| {
                    // Constants are broadcast through the first column (ExprCompiler::broadcast),
                    // and a whole-table count reads the first fixed-width column of its input
                    // (row_count) — after a `derive` replaces one, maybe any of them.
                    if first {
                        used.extend(input.0.first().map(|(c, _)| c.clone()));
                        used.extend(
                            input
                                .0
                                .iter()
                                .filter(|(_, t)| fixed_width(*t))
                                .map(|(c, _)| c.clone()),
                        );
                    }
                    used
                });
                lf = checkpoint(top_per(&c, lf, key, per, *n, keep.as_ref())?, env);
                continue;
            }
        }
        let next = stages.peek().map(|(_, s)| *s);
        lf = checkpoint(compile_stage(env, lf, stage, next)?, env);
    }
    Ok(lf)
}

/// `a and b and …` as a balanced tree, so its depth is the logarithm of the number of
/// predicates (a left-deep chain of thousands would nest as deep as it is long).
fn conjunction(mut predicates: Vec<Expr>) -> Expr {
    while predicates.len() > 1 {
        let mut next = Vec::with_capacity(predicates.len().div_ceil(2));
        let mut it = predicates.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => a.and(b),
                None => a,
            });
        }
        predicates = next;
    }
    predicates.pop().unwrap_or_else(|| lit(true))
}

/// The columns that `stages` (the rest of a pipeline) read from their input, or `None`
/// when they may read all of them (the pipeline's output, `join`, `rename`, `distinct`),
/// and whether they read columns implicitly (a constant is broadcast through the first
/// column, a whole-table count reads the first fixed-width one). An over-approximation: a column derived later and read
/// is listed too.
fn read_by(stages: &[Stage]) -> Option<(std::collections::BTreeSet<String>, bool)> {
    let mut used = std::collections::BTreeSet::new();
    let mut first = false;
    let mut read = |e: &TExpr, used: &mut std::collections::BTreeSet<String>| {
        e.for_each_column(&mut |name, _| {
            used.insert(name.to_string());
        });
        first |= broadcasts(e);
    };
    for stage in stages {
        match &stage.kind {
            StageKind::Where(e) => read(e, &mut used),
            StageKind::Sort(keys) => keys.iter().for_each(|k| read(&k.expr, &mut used)),
            StageKind::Take { .. } => {}
            StageKind::Top { key, per, .. } => {
                read(&key.expr, &mut used);
                used.extend(per.iter().cloned());
            }
            StageKind::Derive(list) => list.iter().for_each(|i| read(&i.expr, &mut used)),
            // These make their output from what they name: nothing else is read.
            StageKind::Select(list) => {
                list.iter().for_each(|i| read(&i.expr, &mut used));
                return Some((used, first));
            }
            StageKind::Count { by } => {
                by.iter().for_each(|i| read(&i.expr, &mut used));
                return Some((used, first || by.is_empty()));
            }
            StageKind::Summarize { aggs, by } => {
                aggs.iter().chain(by).for_each(|i| read(&i.expr, &mut used));
                return Some((used, first || by.is_empty()));
            }
            StageKind::Distinct(cols) if !cols.is_empty() => {
                used.extend(cols.iter().cloned());
                return Some((used, first));
            }
            StageKind::Distinct(_) | StageKind::Join { .. } | StageKind::Rename(_) => return None,
        }
    }
    None
}

/// Whether compiling `e` may broadcast a constant through the input's first column: `e`
/// is constant, or a call has a constant argument (an aggregate's argument is broadcast).
fn broadcasts(e: &TExpr) -> bool {
    fn constant_argument(e: &TExpr) -> bool {
        match &e.kind {
            ExprKind::Call { args, .. } => args.iter().any(|a| a.constant || constant_argument(a)),
            ExprKind::Paren(inner) => constant_argument(inner),
            ExprKind::IsNull { expr, .. } => constant_argument(expr),
            ExprKind::InList { expr, list, .. } => {
                constant_argument(expr) || list.iter().any(constant_argument)
            }
            ExprKind::Unary { operand, .. } => constant_argument(operand),
            ExprKind::Binary { left, right, .. } => {
                constant_argument(left) || constant_argument(right)
            }
            ExprKind::Lit(_) | ExprKind::Column(_) | ExprKind::Param(_) => false,
        }
    }
    e.constant || constant_argument(e)
}

/// Whether `next` sorts the groups of `stage` (a `summarize`/`count` with `by`) into one
/// order whatever order they come in: its keys name every grouping column, and groups
/// differ in at least one of them, so no two rows tie. The group-by then need not keep
/// first-appearance order (which costs polars a sort of the groups).
fn order_restored(stage: &Stage, next: Option<&Stage>) -> bool {
    let by = match &stage.kind {
        StageKind::Summarize { by, .. } | StageKind::Count { by } => by,
        _ => return false,
    };
    let keys: Vec<&TExpr> = match next.map(|s| &s.kind) {
        Some(StageKind::Sort(keys)) => keys.iter().map(|k| &k.expr).collect(),
        Some(StageKind::Top { key, per, .. }) if per.is_empty() => vec![&key.expr],
        _ => return false,
    };
    let sorted = |name: &str| {
        keys.iter()
            .any(|k| matches!(&k.kind, ExprKind::Column(c) if c == name))
    };
    !by.is_empty() && by.iter().all(|item| sorted(&item.name))
}

fn source(env: &Env, s: &typed::Source) -> Result<LazyFrame, Internal> {
    match s {
        typed::Source::Sub(p) => pipeline(env, p),
        typed::Source::Binding { name, index, .. } => match env.lets.get(*index) {
            Some((bound, Some(lf))) if bound == name => Ok(lf.clone()),
            _ => Err(internal(format!(
                "the `let` `{name}` vanished after checking"
            ))),
        },
        typed::Source::Table { name, .. } => (env.tables)(name)?
            .ok_or_else(|| internal(format!("table `{name}` vanished after checking"))),
    }
}

/// The dtype that holds values of a checker type (`None` for null and other types).
pub fn dtype(t: Type) -> Option<DataType> {
    Some(match t {
        Type::Int => DataType::Int64,
        Type::Float => DataType::Float64,
        Type::Str => DataType::String,
        Type::Bool => DataType::Boolean,
        Type::Date => DataType::Date,
        Type::Null | Type::Other => return None,
    })
}

fn internal(message: String) -> Internal {
    Internal::new(message)
}

fn compile_stage(
    env: &Env,
    lf: LazyFrame,
    stage: &Stage,
    next: Option<&Stage>,
) -> Result<LazyFrame, Internal> {
    let input = &stage.input;
    let stable = !order_restored(stage, next);
    let grouped = matches!(&stage.kind, StageKind::Summarize { by, .. } | StageKind::Count { by } if !by.is_empty());
    let c = ExprCompiler {
        params: env.params,
        cols: input,
        grouped,
        facts: if matches!(
            stage.kind,
            StageKind::Summarize { .. } | StageKind::Count { .. }
        ) {
            Facts::of(&lf)
        } else {
            Facts::default()
        },
        pre: Default::default(),
    };
    Ok(match &stage.kind {
        StageKind::Where(e) => lf.filter(c.typed(c.expr(e)?, e, Type::Bool)),
        StageKind::Select(items) => lf.select(c.items(items)?),
        StageKind::Derive(items) => {
            // One `with_column` per item so later items see earlier ones; polars merges
            // independent ones again when it optimises the plan.
            let mut lf = lf;
            let mut cols = Columns::clone(input);
            for item in items {
                let ec = ExprCompiler::rows(env.params, &cols);
                lf = lf.with_column(ec.expr(&item.expr)?.alias(item.name.as_str()));
                cols.set(&item.name, item.expr.ty);
            }
            lf
        }
        StageKind::Summarize { aggs, by } => {
            let keys = c.items(by)?;
            let aggs: Vec<Expr> = aggs
                .iter()
                .map(|item| Ok(c.aggregate(&item.expr)?.alias(item.name.as_str())))
                .collect::<Result<_, Internal>>()?;
            // Row-level columns some aggregates need first (see `grouped_corr`).
            let mut lf = lf;
            for step in c.pre.take() {
                lf = lf.with_columns(step);
            }
            group(lf, keys, aggs, stable)
        }
        StageKind::Count { by } => group(
            lf,
            c.items(by)?,
            vec![row_count(input, grouped).alias("count")],
            stable,
        ),
        StageKind::Sort(keys) => sort(&c, lf, keys, None)?,
        StageKind::Take { n } => lf.limit(idx(*n)),
        StageKind::Top { n, key, per } if per.is_empty() => {
            sort(&c, lf, std::slice::from_ref(key), Some(*n))?
        }
        StageKind::Top { n, key, per } => top_per(&c, lf, key, per, *n, None)?,
        StageKind::Distinct(cols) => {
            let lf = if cols.is_empty() {
                lf
            } else {
                lf.select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
            };
            lf.unique_stable(None, UniqueKeepStrategy::First)
        }
        StageKind::Join {
            kind,
            right,
            on,
            right_columns,
        } => join(env, lf, *kind, right, on, right_columns)?,
        StageKind::Rename(pairs) => {
            let old: Vec<&str> = pairs.iter().map(|(_, o)| o.as_str()).collect();
            let new: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
            lf.rename(old, new, true)
        }
    })
}

/// A join. The right side is reshaped first so that polars' own naming never applies:
/// its key columns get private names (they are dropped: the left keys stay), and its other
/// columns get the names the checker gave them (`right_columns`: the `_right` suffix rule).
/// Keys of different types are made equal first, as plain columns, so that polars can
/// merge them: an int key with a float key is compared as floats, a null key takes the
/// other side's type (the key's `key_type`).
fn join(
    env: &Env,
    lf: LazyFrame,
    kind: JoinKind,
    right: &typed::Source,
    on: &[typed::JoinKey],
    right_columns: &[(String, String)],
) -> Result<LazyFrame, Internal> {
    let mut right_lf = source(env, right)?;
    let mut lf = lf;
    let mut right_exprs: Vec<Expr> = Vec::new();
    let (mut left_on, mut right_on) = (Vec::new(), Vec::new());
    let filtering = matches!(kind, JoinKind::Semi | JoinKind::Anti);
    for (i, key) in on.iter().enumerate() {
        let private = format!("__planq_key_{i}");
        let mut re = col(key.right.as_str());
        let mut le = col(key.left.as_str());
        if let Some(d) = dtype(key.key_type) {
            if key.left_type != key.key_type {
                if filtering {
                    // The left rows come out as they are: compare a converted copy.
                    le = le.cast(d.clone());
                } else {
                    lf = lf.with_column(le.clone().cast(d.clone()));
                }
            }
            if key.right_type != key.key_type {
                re = re.cast(d);
            }
        }
        right_exprs.push(re.alias(private.as_str()));
        left_on.push(le);
        right_on.push(col(private.as_str()));
    }
    if !filtering {
        for (name, out) in right_columns {
            right_exprs.push(col(name.as_str()).alias(out.as_str()));
        }
    }
    right_lf = right_lf.select(right_exprs);
    let how = match kind {
        JoinKind::Inner => JoinType::Inner,
        JoinKind::Left => JoinType::Left,
        JoinKind::Semi => JoinType::Semi,
        JoinKind::Anti => JoinType::Anti,
    };
    let mut args = JoinArgs::new(how)
        .with_coalesce(JoinCoalesce::CoalesceColumns)
        .with_suffix(Some("_right".into()));
    // Deterministic output: left rows in their order, then right matches in theirs.
    args.maintain_order = MaintainOrderJoin::LeftRight;
    Ok(lf.join(right_lf, left_on, right_on, args))
}

/// The number of rows (of the group). In a group-by, polars' `len()`: the group sizes,
/// known without reading a value. Over a whole table it is read from a column of the
/// input: `len()` reads none there, so the optimiser may drop the stages before it and
/// count the rows of an earlier table (`owners | summarize n = count() | count` gave 55,
/// not 1); the grouping keys are read, so a group-by has no such hole.
///
/// The column read is a fixed-width one when there is one (a number, bool or date): the
/// rows it carries through a `where` are then a gather of 8 bytes each, not of strings —
/// `big_owners | where role == "lead" | count` through its first column, a string, was 2×
/// the hand-written `len()`.
fn row_count(input: &Columns, grouped: bool) -> Expr {
    let read = input
        .0
        .iter()
        .find(|(_, t)| fixed_width(*t))
        .or_else(|| input.0.first());
    match read {
        Some((c, _)) if !grouped => col(c.as_str()).is_null().count().cast(DataType::Int64),
        _ => len().cast(DataType::Int64),
    }
}

/// Whether values of a type are fixed-width (cheap to carry through a filter or gather).
fn fixed_width(t: Type) -> bool {
    matches!(t, Type::Int | Type::Float | Type::Bool | Type::Date)
}

fn idx(n: u64) -> IdxSize {
    IdxSize::try_from(n).unwrap_or(IdxSize::MAX)
}

/// `summarize`/`count`: grouped in first-appearance order (stable, so results are
/// reproducible) unless `stable` is false because the next stage sorts the groups totally
/// ([`order_restored`]), or one row for the whole table.
fn group(lf: LazyFrame, by: Vec<Expr>, aggs: Vec<Expr>, stable: bool) -> LazyFrame {
    if by.is_empty() {
        lf.select(aggs)
    } else if stable {
        lf.group_by_stable(by).agg(aggs)
    } else {
        lf.group_by(by).agg(aggs)
    }
}

/// `sort` (and `top`, and `sort … | take N`, with a limit): nulls last in both directions,
/// ties stable.
///
/// With a limit it is a top-k, not a full sort: polars keeps the best `n` rows with a
/// selection (O(rows)) only when the sort need not be stable — a stable one sorts every row
/// (a million strings: ~20× slower). So the row number becomes the last key, ascending:
/// with it no two rows tie, an unstable sort has one possible answer, and that answer is
/// the stable sort's.
fn sort(
    c: &ExprCompiler,
    lf: LazyFrame,
    keys: &[SortKey],
    limit: Option<u64>,
) -> Result<LazyFrame, Internal> {
    let mut exprs: Vec<Expr> = keys
        .iter()
        .map(|k| c.expr(&k.expr))
        .collect::<Result<_, _>>()?;
    let mut descending: Vec<bool> = keys.iter().map(|k| k.order == Order::Desc).collect();
    let Some(n) = limit else {
        let options = SortMultipleOptions {
            nulls_last: vec![true; descending.len()],
            descending,
            multithreaded: true,
            maintain_order: true,
            limit: None,
        };
        return Ok(lf.sort_by_exprs(exprs, options));
    };
    let row = unused_name(c.cols, "__planq_row");
    exprs.push(col(row.as_str()));
    descending.push(false);
    let options = SortMultipleOptions {
        nulls_last: vec![true; descending.len()],
        descending,
        multithreaded: true,
        maintain_order: false,
        limit: None,
    };
    Ok(lf
        .with_row_index(row.as_str(), None)
        .sort_by_exprs(exprs, options)
        .limit(idx(n))
        .drop(cols([row.as_str()])))
}

/// `top N by key per g, …`: the best `n` rows of each group, groups in first-appearance
/// order, each group's rows ranked as `top` ranks them (nulls last, ties in input order).
///
/// One grouping pass: every other column is gathered per group in the key's order, cut to
/// `n`, and exploded back into rows — what one writes by hand in polars without its
/// `top_k` feature. Only the columns in `keep` (all when `None`) come out, so
/// `… | select g, v` gathers `v` only. With no other column to gather, a hidden row number
/// goes through the grouping so that each kept row comes out once per row, not once.
fn top_per(
    c: &ExprCompiler,
    lf: LazyFrame,
    key: &SortKey,
    per: &[String],
    n: u64,
    keep: Option<&std::collections::BTreeSet<String>>,
) -> Result<LazyFrame, Internal> {
    let is_group = |name: &str| per.iter().any(|g| g == name);
    // Only the columns the rest of the pipeline reads (`keep`, see [`read_by`]) are
    // gathered: polars' projection pushdown does not reach through the explode.
    let order: Vec<String> = c
        .cols
        .names()
        .filter(|n| is_group(n) || keep.is_none_or(|k| k.contains(*n)))
        .map(str::to_string)
        .collect();
    let mut payload: Vec<String> = order.iter().filter(|n| !is_group(n)).cloned().collect();
    let mut lf = lf;
    if payload.is_empty() {
        let row = unused_name(c.cols, "__planq_row");
        lf = lf.with_row_index(row.as_str(), None);
        payload.push(row);
    }
    let key_expr = c.expr(&key.expr)?;
    let options = SortMultipleOptions {
        descending: vec![key.order == Order::Desc],
        nulls_last: vec![true],
        multithreaded: false,
        maintain_order: true,
        limit: None,
    };
    let length = usize::try_from(n).unwrap_or(usize::MAX);
    let aggs: Vec<Expr> = payload
        .iter()
        .map(|name| {
            col(name.as_str())
                .sort_by([key_expr.clone()], options.clone())
                .head(Some(length))
        })
        .collect();
    let groups: Vec<Expr> = per.iter().map(|g| col(g.as_str())).collect();
    let exploded = lf.group_by_stable(groups).agg(aggs).explode(
        cols(payload.iter().map(String::as_str)),
        ExplodeOptions {
            empty_as_null: false,
            keep_nulls: true,
        },
    );
    // The input's column order again (and without the hidden row number).
    Ok(exploded.select(order.iter().map(|n| col(n.as_str())).collect::<Vec<_>>()))
}

/// `base`, with underscores added until no column of `cols` has that name.
fn unused_name(cols: &Columns, base: &str) -> String {
    let mut name = base.to_string();
    while cols.get(&name).is_some() {
        name.push('_');
    }
    name
}

/// What the compiler knows of the data under a `summarize`: the table itself when the
/// stage reads an in-memory table directly or through `where`s only (which keep a subset
/// of its rows, so a bound that holds for the table holds for them). Bare-column
/// aggregates use it to drop checks polars would not need: a column without nulls needs
/// no "null when no values" test, and integers whose rows × largest magnitude stay below
/// 2^63 cannot overflow a sum. Any other input has no facts and keeps every check.
#[derive(Default)]
struct Facts(Option<Arc<DataFrame>>);

impl Facts {
    /// The facts of a stage's input plan.
    fn of(lf: &LazyFrame) -> Facts {
        let mut plan = &lf.logical_plan;
        loop {
            match plan {
                DslPlan::DataFrameScan { df, .. } => return Facts(Some(Arc::clone(df))),
                DslPlan::Filter { input, .. } => plan = input,
                _ => return Facts(None),
            }
        }
    }

    /// The table column an argument reads, when it is a bare column.
    fn column(&self, e: &TExpr) -> Option<&Column> {
        match &e.kind {
            ExprKind::Column(name) => self.0.as_ref()?.column(name).ok(),
            ExprKind::Paren(inner) => self.column(inner),
            _ => None,
        }
    }
}

/// Whether no sum of a subset of an Int64 column's values can overflow: rows × the
/// largest magnitude < 2^63. Asked of the same column by every query on an in-memory
/// table, so the answer is kept ([`SUM_FITS`]).
fn sum_fits(c: &Column) -> bool {
    let Ok(ca) = c.i64() else {
        return false;
    };
    let Ok(mut kept) = SUM_FITS.lock() else {
        return scan_sum_fits(ca);
    };
    if let Some((_, fits)) = kept.iter().find(|(k, _)| same_data(k, ca)) {
        return *fits;
    }
    let fits = scan_sum_fits(ca);
    if kept.len() == SUM_FITS_KEPT {
        kept.pop_front();
    }
    kept.push_back((ca.clone(), fits));
    fits
}

/// The last [`sum_fits`] answers, each with the column it is about. Scanning a column for
/// its bounds took ≈ 10% of the db-benchmark's `sum v1 by id1` (1e6 rows). Each entry
/// holds a clone of its column — its buffers shared, not copied — so the memory the
/// entry names cannot be freed and reused for other values while the entry lives:
/// a column whose chunks are at the same addresses, of the same lengths and validity, is
/// the same data. At most [`SUM_FITS_KEPT`] columns are held; [`forget_sum_fits`] lets
/// them go when tables are replaced.
static SUM_FITS: Mutex<VecDeque<(Int64Chunked, bool)>> = Mutex::new(VecDeque::new());
const SUM_FITS_KEPT: usize = 8;

/// Drops the kept [`sum_fits`] answers (and the columns they hold).
pub fn forget_sum_fits() {
    if let Ok(mut kept) = SUM_FITS.lock() {
        kept.clear();
    }
}

/// Whether two columns are the same memory: every chunk's values and validity at the
/// same address, offset and length.
fn same_data(a: &Int64Chunked, b: &Int64Chunked) -> bool {
    a.len() == b.len()
        && a.chunks().len() == b.chunks().len()
        && a.downcast_iter().zip(b.downcast_iter()).all(|(x, y)| {
            let (vx, vy) = (x.validity(), y.validity());
            x.len() == y.len()
                && std::ptr::eq(x.values().as_ptr(), y.values().as_ptr())
                && vx.is_some() == vy.is_some()
                && vx.zip(vy).is_none_or(|(p, q)| {
                    let ((pb, po, pl), (qb, qo, ql)) = (p.as_slice(), q.as_slice());
                    std::ptr::eq(pb.as_ptr(), qb.as_ptr()) && po == qo && pl == ql
                })
        })
}

fn scan_sum_fits(ca: &Int64Chunked) -> bool {
    let (Some(lo), Some(hi)) = (ca.min(), ca.max()) else {
        return true;
    };
    let largest = i128::from(lo).abs().max(i128::from(hi).abs());
    largest.saturating_mul(ca.len() as i128) < i128::from(i64::MAX)
}

/// Compiles expressions against one input schema.
struct ExprCompiler<'a> {
    params: &'a BTreeMap<String, Value>,
    cols: &'a Columns,
    /// Compiling the aggregates of a group-by (`summarize … by`, `count by`).
    grouped: bool,
    /// The data under a `summarize` (see [`Facts`]).
    facts: Facts,
    /// Columns to add before its group-by, in steps (see [`ExprCompiler::grouped_corr`]).
    pre: std::cell::RefCell<Vec<Vec<Expr>>>,
}

impl<'a> ExprCompiler<'a> {
    /// A compiler of row-level expressions (no group-by, no facts about the data).
    fn rows(params: &'a BTreeMap<String, Value>, cols: &'a Columns) -> Self {
        ExprCompiler {
            params,
            cols,
            grouped: false,
            facts: Facts::default(),
            pre: Default::default(),
        }
    }
}

/// The items of an `in` list as one series, when they are all non-null literals of the
/// tested column's type (text or integers); otherwise `None` and the list is compiled as
/// `x == a or x == b …`.
fn literal_series(list: &[TExpr], t: Type) -> Option<Series> {
    match t {
        Type::Str => {
            let v: Option<Vec<&str>> = list
                .iter()
                .map(|e| match &e.kind {
                    ExprKind::Lit(Literal::Str(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            Some(Series::new("in".into(), v?))
        }
        Type::Int => {
            let v: Option<Vec<i64>> = list
                .iter()
                .map(|e| match &e.kind {
                    ExprKind::Lit(Literal::Int(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            Some(Series::new("in".into(), v?))
        }
        _ => None,
    }
}

/// The text of a literal or parameter that has no letter case (so `~` needs no
/// lowercasing), if `e` is one.
fn caseless_literal(e: &TExpr, params: &BTreeMap<String, Value>) -> Option<String> {
    let text = match &e.kind {
        ExprKind::Lit(Literal::Str(s)) => s.clone(),
        ExprKind::Lit(Literal::Int(i)) => i.to_string(),
        ExprKind::Param(name) => match params.get(name)? {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            _ => return None,
        },
        ExprKind::Paren(inner) => return caseless_literal(inner, params),
        _ => return None,
    };
    (text.to_lowercase() == text && text.to_uppercase() == text).then_some(text)
}

fn null() -> Expr {
    lit(Null {})
}

fn date_lit(d: Date) -> Expr {
    lit(d.days_since_epoch()).cast(DataType::Date)
}

impl ExprCompiler<'_> {
    fn items(&self, items: &[Item]) -> Result<Vec<Expr>, Internal> {
        items
            .iter()
            .map(|item| Ok(self.expr(&item.expr)?.alias(item.name.as_str())))
            .collect()
    }

    fn literal(l: &Literal) -> Expr {
        match l {
            Literal::Int(i) => lit(*i),
            Literal::Float(f) => lit(*f),
            Literal::Str(s) => lit(s.as_str()),
            Literal::Bool(b) => lit(*b),
            Literal::Null => null(),
            Literal::Date(d) => date_lit(*d),
        }
    }

    fn value(v: &Value) -> Expr {
        match v {
            Value::Null => null(),
            Value::Bool(b) => lit(*b),
            Value::Int(i) => lit(*i),
            Value::Float(f) => lit(*f),
            Value::Date(d) => date_lit(*d),
            Value::Str(s) => lit(s.as_str()),
        }
    }

    /// A row-level expression, one value per row even when it reads no column.
    fn expr(&self, e: &TExpr) -> Result<Expr, Internal> {
        Ok(self.broadcast(e, self.expr_in(e)?))
    }

    /// `x` for every row: polars evaluates an expression that reads no column once, as a
    /// single value (so `select x = 1` gave one row and `sum(1)` gave 1); SQL evaluates it
    /// per row. A condition that is true on every row, taken from the first input column,
    /// gives it the rows' length — in a group, the group's.
    fn broadcast(&self, e: &TExpr, x: Expr) -> Expr {
        if !e.constant {
            return x;
        }
        match self.cols.0.first() {
            Some((c, _)) => {
                let every_row = col(c.as_str()).is_null().is_not_null();
                when(every_row).then(x.clone()).otherwise(x)
            }
            None => x,
        }
    }

    /// `x` (compiled from `e`) as a value of type `want` when the checker typed `e` as
    /// null: polars' Null dtype is refused by string, number, date and boolean operations,
    /// while `null` fits anywhere in the language.
    fn typed(&self, x: Expr, e: &TExpr, want: Type) -> Expr {
        match dtype(want) {
            Some(d) if e.ty == Type::Null => x.cast(d),
            _ => x,
        }
    }

    /// Compiles `e`, giving a null-typed value the type `want`.
    fn typed_expr(&self, e: &TExpr, want: Type) -> Result<Expr, Internal> {
        Ok(self.typed(self.expr_in(e)?, e, want))
    }

    /// A `summarize` item: an aggregate call, or a formula of them (`max(v1) - min(v2)`),
    /// whose operators apply to the groups' values.
    fn aggregate(&self, e: &TExpr) -> Result<Expr, Internal> {
        self.expr_in(e)
    }

    /// `corr(x, y)` per group of sides that may be null: the pairs are masked into
    /// columns before the group-by (`pre`), and the aggregation is [`corr_of_pairs`] of
    /// those — the same aggregation as for columns without nulls, and as one writes it
    /// by hand. Masking inside the aggregation (`when(…)` on every group) made the
    /// db-benchmark's q9 ~3× slower: polars gathers each group into a list for
    /// row-wise arithmetic inside an aggregation.
    fn grouped_corr(&self, x: Expr, y: Expr) -> Expr {
        let mut pre = self.pre.borrow_mut();
        let i = pre.len();
        let name = |what: &str| unused_name(self.cols, &format!("__planq_corr{i}_{what}"));
        let (px, py) = (name("x"), name("y"));
        let (mx, my) = only_pairs(x, y);
        pre.push(vec![mx.alias(px.as_str()), my.alias(py.as_str())]);
        corr_of_pairs(col(px.as_str()), col(py.as_str()))
    }

    fn text(&self, e: &TExpr) -> Result<Expr, Internal> {
        let x = self.expr_in(e)?;
        Ok(if e.ty == Type::Str {
            x
        } else {
            x.cast(DataType::String)
        })
    }

    #[recursive::recursive]
    fn expr_in(&self, e: &TExpr) -> Result<Expr, Internal> {
        Ok(match &e.kind {
            ExprKind::Lit(l) => Self::literal(l),
            ExprKind::Column(name) => col(name.as_str()),
            ExprKind::Param(name) => {
                self.params.get(name).map(Self::value).ok_or_else(|| {
                    internal(format!("parameter `{name}` vanished after checking"))
                })?
            }
            ExprKind::Paren(inner) => self.expr_in(inner)?,
            ExprKind::IsNull { expr, negated } => {
                let x = self.expr_in(expr)?;
                if *negated {
                    x.is_not_null()
                } else {
                    x.is_null()
                }
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let t = expr.ty;
                // A null tested value takes the type of the list's items.
                let item_type = list
                    .iter()
                    .map(|i| i.ty)
                    .try_fold(Type::Null, |acc, it| acc.unify(it))
                    .unwrap_or(Type::Null);
                let x = self.typed_expr(expr, item_type)?;
                if list.is_empty() {
                    // Nothing is in an empty list, not even null: false on every row.
                    let none = x.is_null().and(lit(false));
                    return Ok(if *negated { none.not() } else { none });
                }
                if let Some(values) = literal_series(list, t) {
                    // A list of plain literals: one hash lookup per row.
                    let test = x.is_in(lit(values).implode(false), false);
                    return Ok(if *negated { test.not() } else { test });
                }
                // `x in [a, b]` is `x == a or x == b`, with SQL's null logic.
                let mut acc: Option<Expr> = None;
                for item in list {
                    let v = self.typed(self.expr_in(item)?, item, t);
                    let test = x.clone().eq(v).cast(DataType::Boolean);
                    acc = Some(match acc {
                        Some(a) => a.or(test),
                        None => test,
                    });
                }
                let test = acc.unwrap_or_else(|| lit(false));
                if *negated {
                    test.not()
                } else {
                    test
                }
            }
            ExprKind::Unary { op, operand } => match op {
                UnOp::Not => self.typed_expr(operand, Type::Bool)?.not(),
                UnOp::Neg => match operand.ty {
                    Type::Float => -self.expr_in(operand)?,
                    _ => checked_unary("-", self.typed_expr(operand, Type::Int)?, i64::checked_neg),
                },
            },
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right)?,
            ExprKind::Call { id, args, .. } => self.call(*id, args)?,
        })
    }

    fn binary(&self, op: BinOp, left: &TExpr, right: &TExpr) -> Result<Expr, Internal> {
        let (lt, rt) = (left.ty, right.ty);
        // The type both operands take: a null side takes the other's (for arithmetic,
        // the result's), booleans for `and`/`or`.
        let want = match op {
            BinOp::And | BinOp::Or => Type::Bool,
            BinOp::Add if lt == Type::Str || rt == Type::Str => Type::Str,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Rem => {
                if lt == Type::Float || rt == Type::Float {
                    Type::Float
                } else {
                    Type::Int
                }
            }
            BinOp::Div => Type::Float,
            _ => lt.unify(rt).unwrap_or(Type::Null),
        };
        let l = self.typed(self.expr_in(left)?, left, want);
        let r = self.typed(self.expr_in(right)?, right, want);
        let compare = |x: Expr| {
            if lt == Type::Null || rt == Type::Null {
                x.cast(DataType::Boolean)
            } else {
                x
            }
        };
        Ok(match op {
            BinOp::Or => l.or(r),
            BinOp::And => l.and(r),
            BinOp::Eq => compare(l.eq(r)),
            BinOp::Ne => compare(l.neq(r)),
            BinOp::Lt => compare(l.lt(r)),
            BinOp::Le => compare(l.lt_eq(r)),
            BinOp::Gt => compare(l.gt(r)),
            BinOp::Ge => compare(l.gt_eq(r)),
            BinOp::Like | BinOp::NotLike => {
                let test = match caseless_literal(right, self.params) {
                    // `owner ~ "数字"`: a needle without letter case (CJK, digits) matches
                    // the same with or without lowercasing, so skip lowercasing every row.
                    Some(needle) => self.text(left)?.str().contains_literal(lit(needle)),
                    None => {
                        let hay = self.text(left)?.str().to_lowercase();
                        let needle = self.text(right)?.str().to_lowercase();
                        hay.str().contains_literal(needle)
                    }
                };
                if op == BinOp::NotLike {
                    test.not()
                } else {
                    test
                }
            }
            BinOp::Add if want == Type::Str => concat_str([l, r], "", false),
            BinOp::Add if want == Type::Float => l + r,
            BinOp::Sub if want == Type::Float => l - r,
            BinOp::Mul if want == Type::Float => l * r,
            BinOp::Rem if want == Type::Float => l % r,
            // Integers: overflow is an error, as in SQL, never a silent wrap.
            BinOp::Add => checked_binary("+", l, r, i64::checked_add),
            BinOp::Sub => checked_binary("-", l, r, i64::checked_sub),
            BinOp::Mul => checked_binary("*", l, r, i64::checked_mul),
            BinOp::Rem => checked_binary("%", l, r, floored_rem),
            BinOp::Div => {
                // True division; dividing by zero gives null rather than ±inf.
                let r = r.cast(DataType::Float64);
                when(r.clone().eq(lit(0.0)))
                    .then(null())
                    .otherwise(l.cast(DataType::Float64) / r)
            }
        })
    }

    fn call(&self, id: FnId, args: &[TExpr]) -> Result<Expr, Internal> {
        let f = id.function();
        codegen(
            &Gen {
                c: self,
                name: f.name,
                args,
            },
            id,
        )
    }
}

/// A call being compiled: what a function's codegen sees.
struct Gen<'g> {
    c: &'g ExprCompiler<'g>,
    name: &'static str,
    args: &'g [TExpr],
}

impl Gen<'_> {
    fn ast(&self, i: usize) -> Result<&TExpr, Internal> {
        self.args
            .get(i)
            .ok_or_else(|| internal(format!("`{}` lost an argument", self.name)))
    }

    /// Argument `i`.
    fn a(&self, i: usize) -> Result<Expr, Internal> {
        self.c.expr_in(self.ast(i)?)
    }

    /// Text argument `i`: a null one is a null text.
    fn s(&self, i: usize) -> Result<Expr, Internal> {
        self.c.typed_expr(self.ast(i)?, Type::Str)
    }

    /// Argument `i` of an aggregate, one value per row even when it reads no column.
    fn arg(&self, i: usize) -> Result<Expr, Internal> {
        let a = self.ast(i)?;
        Ok(self.c.broadcast(a, self.c.expr_in(a)?))
    }

    /// The checked type of argument `i` (null past the last).
    fn ty(&self, i: usize) -> Type {
        self.args.get(i).map_or(Type::Null, |a| a.ty)
    }

    /// What the source table tells about a bare-column argument (see [`Facts`]).
    fn column(&self, i: usize) -> Option<&Column> {
        self.args.get(i).and_then(|a| self.c.facts.column(a))
    }

    fn no_nulls(&self, i: usize) -> bool {
        self.column(i).is_some_and(|c| c.null_count() == 0)
    }

    /// A group has a row, so a column without nulls gives it a value; a whole table
    /// (no `by`) may have no rows at all after a `where`.
    fn has_value(&self, i: usize) -> bool {
        self.c.grouped && self.no_nulls(i)
    }

    /// The common type of the arguments from `from` on (the result of `if`, `coalesce`).
    fn common_type(&self, from: usize) -> Type {
        (from..self.args.len())
            .map(|i| self.ty(i))
            .try_fold(Type::Null, |acc, t| acc.unify(t))
            .unwrap_or(Type::Null)
    }
}

/// The polars code of each function of [`functions::FUNCTIONS`], by id: the half of a
/// function's entry that the polars-free front end cannot hold. An exhaustive `match`, so
/// a function without codegen does not compile, and a second arm for one is an
/// unreachable pattern (denied by clippy `-D warnings`).
fn codegen(g: &Gen, id: FnId) -> Result<Expr, Internal> {
    use FnId::*;
    Ok(match id {
        Lower => g.s(0)?.str().to_lowercase(),
        Upper => g.s(0)?.str().to_uppercase(),
        Len => g.s(0)?.str().len_chars().cast(DataType::Int64),
        Trim => g.s(0)?.str().strip_chars(null()),
        Contains => g.s(0)?.str().contains_literal(g.s(1)?),
        StartsWith => g.s(0)?.str().starts_with(g.s(1)?),
        EndsWith => g.s(0)?.str().ends_with(g.s(1)?),
        Matches => g.s(0)?.str().contains(g.s(1)?, true),
        // A null pattern or replacement replaces into null (polars refuses them).
        Replace if g.ty(1) == Type::Null || g.ty(2) == Type::Null => {
            let none = lit(Null {}).cast(DataType::String);
            // One null per row of the text.
            when(g.s(0)?.is_null()).then(none.clone()).otherwise(none)
        }
        Replace => g.s(0)?.str().replace_all(g.s(1)?, g.s(2)?, true),
        Round => {
            let digits = g.args.get(1).map_or(0, |e| match &e.kind {
                ExprKind::Lit(Literal::Int(d)) => u32::try_from(*d).unwrap_or(0),
                _ => 0,
            });
            if g.ty(0) == Type::Float {
                g.a(0)?.round(digits, RoundMode::HalfAwayFromZero)
            } else {
                g.a(0)?.cast(DataType::Int64)
            }
        }
        Abs if g.ty(0) == Type::Float => g.a(0)?.abs(),
        Abs => checked_unary("abs", g.a(0)?.cast(DataType::Int64), i64::checked_abs),
        Floor if g.ty(0) == Type::Float => g.a(0)?.floor(),
        Ceil if g.ty(0) == Type::Float => g.a(0)?.ceil(),
        Floor | Ceil => g.a(0)?.cast(DataType::Int64),
        // Floats (as SQL's `power`); an undefined power (a negative base to a fractional
        // exponent) is null, not NaN.
        Pow => nan_to_null(
            g.a(0)?
                .cast(DataType::Float64)
                .pow(g.a(1)?.cast(DataType::Float64)),
        ),
        Coalesce => {
            // Every argument as the result's type (ints and floats: floats).
            let target = dtype(g.common_type(0));
            let exprs: Vec<Expr> = (0..g.args.len())
                .map(|i| {
                    Ok(match &target {
                        Some(d) => g.a(i)?.cast(d.clone()),
                        None => g.a(i)?,
                    })
                })
                .collect::<Result<_, Internal>>()?;
            coalesce(&exprs)
        }
        If => {
            let target = dtype(g.common_type(1));
            let cast = |x: Expr| match &target {
                Some(d) => x.cast(d.clone()),
                None => x,
            };
            when(g.c.typed_expr(g.ast(0)?, Type::Bool)?)
                .then(cast(g.a(1)?))
                .otherwise(cast(g.a(2)?))
        }
        ToInt => g.a(0)?.cast(DataType::Int64),
        ToFloat => g.a(0)?.cast(DataType::Float64),
        ToStr => g.a(0)?.cast(DataType::String),
        Year => g
            .a(0)?
            .cast(DataType::Date)
            .dt()
            .year()
            .cast(DataType::Int64),
        Count if g.args.is_empty() => row_count(g.c.cols, g.c.grouped),
        Count if g.has_value(0) => len().cast(DataType::Int64),
        Count => g.arg(0)?.count().cast(DataType::Int64),
        CountDistinct => g.arg(0)?.drop_nulls().n_unique().cast(DataType::Int64),
        // Every group has a value: polars' sum is SQL's.
        Sum if g.ty(0) == Type::Float && g.has_value(0) => g.arg(0)?.sum(),
        Sum if g.ty(0) == Type::Float => {
            let x = g.arg(0)?;
            // SQL: the sum of no values is null, not 0.
            when(x.clone().count().eq(lit(0)))
                .then(null())
                .otherwise(x.sum())
        }
        // 64-bit integers that cannot overflow (rows × largest magnitude < 2^63) and are
        // never null: polars' own sum.
        Sum if g.has_value(0) && g.column(0).is_some_and(sum_fits) => g.arg(0)?.sum(),
        // Integers (and bools, and nulls): summed with an overflow check, null when there
        // is no value.
        Sum => int_sum(g.arg(0)?.cast(DataType::Int64)),
        // polars averages integers as floats already; only null needs a type.
        Avg if g.ty(0) == Type::Null => g.arg(0)?.cast(DataType::Float64).mean(),
        Avg => g.arg(0)?.mean(),
        Median if g.ty(0) == Type::Null => g.arg(0)?.cast(DataType::Float64).median(),
        Median => g.arg(0)?.median().cast(DataType::Float64),
        // The sample standard deviation (n − 1), as SQL's `stddev`: null with fewer than
        // two values, where it is undefined.
        Stddev => {
            let x = if g.ty(0) == Type::Float {
                g.arg(0)?
            } else {
                g.arg(0)?.cast(DataType::Float64)
            };
            let n = if g.has_value(0) {
                len()
            } else {
                x.clone().count()
            };
            when(n.lt(lit(2)))
                .then(null().cast(DataType::Float64))
                .otherwise(x.std(1))
        }
        // Without nulls on either side every row is a pair.
        Corr if g.no_nulls(0) && g.no_nulls(1) => corr_of_pairs(g.arg(0)?, g.arg(1)?),
        Corr if g.c.grouped => g.c.grouped_corr(g.arg(0)?, g.arg(1)?),
        Corr => corr(g.arg(0)?, g.arg(1)?),
        Min => g.arg(0)?.min(),
        Max => g.arg(0)?.max(),
        First => g.arg(0)?.first(),
        Last => g.arg(0)?.last(),
        Concat => {
            let sep = match g.args.get(1).map(|a| &a.kind) {
                Some(ExprKind::Lit(Literal::Str(s))) => s.as_str(),
                _ => ",",
            };
            g.arg(0)?.cast(DataType::String).str().join(sep, true)
        }
    })
}

/// Whether an error message is planq's integer overflow (raised inside polars).
pub const OVERFLOW: &str = "integer overflow";

/// Reads one value of an int column, a single value standing for every row.
fn int_at(ca: &Int64Chunked, i: usize) -> Option<i64> {
    if ca.len() == 1 {
        ca.get(0)
    } else {
        ca.get(i)
    }
}

/// `l op r` on integers, row by row, with `f` saying `None` on overflow: an overflow is an
/// error (as in SQL), never a wrapped value. Nulls give null.
fn checked_binary(op: &'static str, l: Expr, r: Expr, f: fn(i64, i64) -> Option<i64>) -> Expr {
    map_multiple(
        move |cols: &mut [Column]| {
            let name = cols[0].name().clone();
            let a = cols[0].cast(&DataType::Int64)?;
            let b = cols[1].cast(&DataType::Int64)?;
            let (a, b) = (a.i64()?, b.i64()?);
            let n = if a.is_empty() || b.is_empty() {
                0
            } else {
                a.len().max(b.len())
            };
            let mut out: Vec<Option<i64>> = Vec::with_capacity(n);
            for i in 0..n {
                out.push(match (int_at(a, i), int_at(b, i)) {
                    (Some(x), Some(y)) => match f(x, y) {
                        Some(v) => Some(v),
                        None if op == "%" => None,
                        None => {
                            return Err(polars_err!(ComputeError: "{OVERFLOW}: {x} {op} {y} does not fit in a 64-bit integer"))
                        }
                    },
                    _ => None,
                });
            }
            Ok(Int64Chunked::from_iter_options(name, out.into_iter()).into_column())
        },
        [l, r],
        |_, fields: &[Field]| Ok(Field::new(fields[0].name().clone(), DataType::Int64)),
    )
}

/// `op x` on integers with an overflow check (`-`, `abs` of the smallest integer).
fn checked_unary(op: &'static str, x: Expr, f: fn(i64) -> Option<i64>) -> Expr {
    x.map(
        move |c: Column| {
            let name = c.name().clone();
            let a = c.cast(&DataType::Int64)?;
            let mut out: Vec<Option<i64>> = Vec::with_capacity(a.len());
            for v in a.i64()?.iter() {
                out.push(match v {
                    Some(x) => Some(f(x).ok_or_else(|| {
                        polars_err!(ComputeError: "{OVERFLOW}: {op}({x}) does not fit in a 64-bit integer")
                    })?),
                    None => None,
                });
            }
            Ok(Int64Chunked::from_iter_options(name, out.into_iter()).into_column())
        },
        |_, field: &Field| Ok(Field::new(field.name().clone(), DataType::Int64)),
    )
}

/// `corr(x, y)`: Pearson's correlation coefficient of the pairs where both are non-null,
/// computed in two passes (deviations from the means, which a one-pass sum of squares
/// would lose to cancellation on large values). Null when it is undefined: fewer than two
/// pairs, or either side constant (SQL's `corr` gives null or NaN there, by engine).
/// Written with core expressions: polars' own `pearson_corr` needs its `cov` feature,
/// which would recompile polars.
fn corr(x: Expr, y: Expr) -> Expr {
    let (x, y) = only_pairs(x, y);
    corr_of_pairs(x, y)
}

/// `x` and `y` as floats, each null where either is (the pairs `corr` uses).
fn only_pairs(x: Expr, y: Expr) -> (Expr, Expr) {
    let both = x.clone().is_not_null().and(y.clone().is_not_null());
    let only = |v: Expr| {
        when(both.clone())
            .then(v.cast(DataType::Float64))
            .otherwise(null().cast(DataType::Float64))
    };
    (only(x), only(y))
}

/// [`corr`] of two sides null on the same rows (or never null).
fn corr_of_pairs(x: Expr, y: Expr) -> Expr {
    let (x, y) = (x.cast(DataType::Float64), y.cast(DataType::Float64));
    let dx = x.clone() - x.mean();
    let dy = y.clone() - y.mean();
    let sxy = (dx.clone() * dy.clone()).sum();
    let sxx = (dx.clone() * dx).sum();
    let syy = (dy.clone() * dy).sum();
    // Undefined (a constant side, fewer than two pairs) is 0 / 0: NaN, made null. Not a
    // `when(sxx > 0 …)` test: polars would compute the sums twice inside the aggregation.
    nan_to_null(sxy / (sxx * syy).sqrt())
}

/// NaN as null, evaluating `x` once (polars' `fill_nan` repeats `x` three times in a
/// `when`, so inside an aggregation the sums would be computed three times).
fn nan_to_null(x: Expr) -> Expr {
    x.map(
        |c: Column| {
            let name = c.name().clone();
            let f = c.cast(&DataType::Float64)?;
            let out: Float64Chunked = f.f64()?.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
            Ok(out.with_name(name).into_column())
        },
        |_, field: &Field| Ok(Field::new(field.name().clone(), DataType::Float64)),
    )
}

/// `%` on integers: the remainder takes the divisor's sign (floored, as polars and Python
/// do); `x % 0` is null.
fn floored_rem(x: i64, y: i64) -> Option<i64> {
    if y == 0 {
        return None;
    }
    let r = x.checked_rem(y).unwrap_or(0);
    Some(if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    })
}

/// `sum` of integers, exact: overflow is an error, no values give null (SQL) — with
/// polars' own sums, not a function called per group.
///
/// polars adds 64-bit integers with wrap-around, so next to the wrapped sum `w` each group
/// also gets its sum as floats `f`; the true sum `t` differs from `w` by a multiple of
/// 2^64 (zero unless it overflowed) and from `f` by the float rounding error `e`. So
/// `|w - f| >= 2^63` exactly when `t` overflowed, as long as `e < 2^63`. A sequential float
/// sum of `n` values of at most 2^63 errs by at most `n · 2^-53 · n · 2^63 = n² · 2^10`,
/// below 2^63 for groups of fewer than 2^26 rows; a larger group whose float sum is beyond
/// ±2^61 (where this bound could be reached) is reported as an overflow too rather than
/// guessed.
fn int_sum(x: Expr) -> Expr {
    let wrapped = x.clone().sum();
    let floats = x.clone().cast(DataType::Float64).sum();
    let n = x.count().cast(DataType::Int64);
    map_multiple(
        |cols: &mut [Column]| {
            let name = cols[0].name().clone();
            let w = cols[0].i64()?;
            let f = cols[1].f64()?;
            let n = cols[2].i64()?;
            let two63 = 2f64.powi(63);
            let out = w
                .iter()
                .zip(f.iter())
                .zip(n.iter())
                .map(|((w, f), n)| match (w, f, n) {
                    (_, _, Some(0) | None) => Ok(None),
                    (Some(w), Some(f), Some(n)) => {
                        let ambiguous = n >= 1 << 26 && f.abs() > 2f64.powi(61);
                        if (w as f64 - f).abs() >= two63 || ambiguous {
                            Err(polars_err!(ComputeError: "{OVERFLOW}: the sum does not fit in a 64-bit integer"))
                        } else {
                            Ok(Some(w))
                        }
                    }
                    _ => Ok(None),
                })
                .collect::<PolarsResult<Int64Chunked>>()?;
            Ok(out.with_name(name).into_column())
        },
        [wrapped, floats, n],
        |_, fields: &[Field]| Ok(Field::new(fields[0].name().clone(), DataType::Int64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::functions::FUNCTIONS;

    /// What the compiler can fail with is a bug, and says so: whatever the plan, the error
    /// has the internal code, never a user-facing one.
    #[test]
    fn the_compiler_fails_only_with_the_internal_error() {
        struct OneTable;
        impl crate::query::Catalog for OneTable {
            fn table(&self, name: &str) -> Option<Columns> {
                (name == "t").then(|| Columns(vec![("a".into(), Type::Int)]))
            }
            fn table_names(&self) -> Vec<String> {
                vec!["t".into()]
            }
            fn param(&self, name: &str) -> Option<Type> {
                (name == "p").then_some(Type::Int)
            }
            fn param_names(&self) -> Vec<String> {
                vec!["p".into()]
            }
        }
        let text = "t | where a > $p | join t on a";
        let source = crate::error::Source::new("<query>", text);
        let ast = crate::lang::parse_query(text).expect("parses");
        let plan = crate::query::Checker::new(&OneTable, &source)
            .pipeline(&ast)
            .expect("checks");
        // The checker found `t` and `$p`; the compiler is then handed a world without them.
        let no_tables = |_: &str| Ok(None);
        let no_params = BTreeMap::new();
        let env = Env {
            tables: &no_tables,
            params: &no_params,
            lets: Vec::new(),
            stop: None,
        };
        let Err(e) = pipeline(&env, &plan) else {
            panic!("compiled without its table");
        };
        assert!(e.message().contains("`t` vanished"), "{e:?}");
        let e = Error::from(e);
        assert_eq!(e.code(), Code::CompileInternal);
        assert!(e.help().is_some_and(|h| h.contains("bug")));
        let frame = |_: &str| Ok(Some(DataFrame::empty().lazy()));
        let env = Env {
            tables: &frame,
            ..env
        };
        let Err(e) = pipeline(&env, &plan) else {
            panic!("compiled without its parameter");
        };
        assert!(e.message().contains("`p` vanished"), "{e:?}");
    }

    /// Every function id has its codegen: [`super::codegen`]'s `match` is exhaustive, so
    /// that holds by construction; this shows each function's code building a plan from
    /// its example (`tests/grammar.rs` runs them and checks the values).
    #[test]
    fn every_function_compiles_its_example() {
        let engine = crate::Engine::seed().expect("seed");
        for f in FUNCTIONS {
            if let Err(e) = engine.compile(f.example.query) {
                panic!("{}: {}: {}", f.name, f.example.query, e.message());
            }
        }
    }
}
