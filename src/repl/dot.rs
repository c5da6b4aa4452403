//! Dot commands (`.tables`, `.format csv`, `.chart owner count`, …), in the REPL and in
//! scripts alike. Every failure is a diagnostic pointing at the command; none panics.

use polars::prelude::*;

use crate::engine::{TableKind, Value};
use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::ast::Span;
use crate::lang::lexer::{is_name_continue, is_name_start};
use crate::lang::suggest::closest;
use crate::query::functions::{self, Function, Kind, FUNCTIONS};
use crate::render::{render_chart, ChartSpec, Format};

use super::session::{Flow, Session};

/// Every dot command: name, arguments, what it does.
pub const DOT_COMMANDS: &[(&str, &str, &str)] = &[
    (
        ".help",
        "[functions | FUNCTION]",
        "show this help; every function; one function with its example",
    ),
    (".tables", "", "list the tables and `let` names"),
    (
        ".plan",
        "",
        "the loaded plan: file, format, encoding, tasks",
    ),
    (
        ".plans",
        "",
        "the loaded plans: id, file, title, year, region, counts (the plans table)",
    ),
    (
        ".schema",
        "[TABLE]",
        "columns of a table (or of every table): type, non-null count, meaning",
    ),
    (
        ".format",
        "FMT",
        "table, line, csv, tsv, json, ndjson, markdown or xlsx (to a file)",
    ),
    (
        ".mode",
        "FMT",
        "the same as .format (.mode line: one column per line)",
    ),
    (
        ".pager",
        "on|off",
        "tall results through $PAGER (default less -SRFX)",
    ),
    (".maxrows", "N", "show at most N rows in tables (0 = all)"),
    (".timer", "on|off", "print each statement's run time"),
    (".chart", "[LABEL VALUE]", "bar chart of the last result"),
    (
        ".load",
        "[plan] FILE|DIR|GLOB | progress FILE",
        "add plan documents (a file, a directory, a glob) or load a progress file",
    ),
    (".read", "FILE", "run a script"),
    (
        ".import",
        "FILE[:schema=COL:TYPE] [as NAME]",
        "load a CSV, TSV, Parquet, JSON or NDJSON file as a table",
    ),
    (
        ".aliases",
        "[suggest | load FILE]",
        "the owner aliases applied; near-duplicate owner names; load an alias file",
    ),
    (
        ".save",
        "FILE [--force] [--bom]",
        "save the last result (.csv .tsv .json .ndjson .md .txt .xlsx); --bom for Excel",
    ),
    (
        ".once",
        "FILE [--force] [--bom]",
        "send only the next result to FILE (format from its extension)",
    ),
    (
        ".explain",
        "QUERY",
        "show the query's typed plan and polars plan",
    ),
    (".set", "NAME VALUE", "set the parameter $NAME"),
    (".unset", "NAME", "remove the parameter $NAME"),
    (".params", "", "list the parameters"),
    (".history", "", "list the REPL history"),
    (".quit", "", "leave (also .exit or Ctrl-D)"),
];

/// The dot commands that read or write files: disabled by `--safe`.
pub const FILE_COMMANDS: &[&str] = &[".load", ".read", ".save", ".once", ".import"];

/// Names of the dot commands (with the aliases), for completion and suggestions.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = DOT_COMMANDS.iter().map(|(n, _, _)| *n).collect();
    v.push(".exit");
    v
}

/// An example query shown by the banner and `.help`.
pub const EXAMPLE: &str =
    r#"owners | where role == "lead" | count by owner | sort count desc | take 5"#;

/// The text of `.help`.
pub fn help_text() -> String {
    let mut s = String::from(
        "Queries start from a table and pass its rows through stages separated by `|`:\n\n",
    );
    s.push_str(&format!("    {EXAMPLE}\n\n"));
    s.push_str(
        "End a line with `|` to continue on the next (prompt `…>`), or start one with `|` to\n\
         add a stage to the last statement; Tab completes tables, verbs, columns and values\n\
         (inside quotes after `owner ==`); Ctrl-C cancels, Ctrl-D leaves.\n\n",
    );
    let width = DOT_COMMANDS
        .iter()
        .map(|(n, a, _)| n.len() + a.len() + 1)
        .max()
        .unwrap_or(0);
    for (name, args, what) in DOT_COMMANDS {
        let usage = format!("{name} {args}");
        s.push_str(&format!("  {usage:<width$}  {what}\n"));
    }
    s.push_str("\nThe language: grammar/README.md in the planq repository.\n");
    s
}

/// The text of `.help functions`: every function and aggregate of the function table,
/// with how it is written and what it gives.
pub fn functions_help() -> String {
    let width = FUNCTIONS.iter().map(|f| f.usage.len()).max().unwrap_or(0);
    let mut s = String::new();
    for (kind, title) in [
        (Kind::Scalar, "Functions, applied row by row:"),
        (Kind::Aggregate, "Aggregates, used in `summarize`:"),
    ] {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(title);
        s.push('\n');
        for f in FUNCTIONS.iter().filter(|f| f.kind == kind) {
            s.push_str(&format!("  {:<width$}  {}\n", f.usage, f.doc));
        }
    }
    s.push_str("\n.help NAME shows one with an example.\n");
    s
}

/// The text of `.help NAME` for a function: usage, doc, other names and its example.
pub fn function_help(f: &Function) -> String {
    let kind = match f.kind {
        Kind::Scalar => "function",
        Kind::Aggregate => "aggregate (in `summarize`)",
    };
    let mut s = format!("{}  — {kind}\n  {}\n", f.usage, f.doc);
    if !f.aliases.is_empty() {
        s.push_str(&format!(
            "  other languages' names (not accepted): {}\n",
            f.aliases.join(", ")
        ));
    }
    s.push_str(&format!(
        "  for example:\n    {}\n    → {}\n",
        f.example.query, f.example.result
    ));
    s
}

fn strip_quotes(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The frame of a list of string columns.
fn text_frame(columns: Vec<(&str, Vec<Option<String>>)>) -> Result<DataFrame, Error> {
    let height = columns.first().map_or(0, |(_, v)| v.len());
    DataFrame::new(
        height,
        columns
            .into_iter()
            .map(|(n, v)| Column::new(n.into(), v))
            .collect(),
    )
    .map_err(|e| Error::new(ErrorKind::Query, Code::Internal, e.to_string()))
}

impl Session {
    /// Runs the dot command at `span` of `source`.
    pub(super) fn dot(&mut self, source: &Source, span: Span) -> Result<Flow, Error> {
        let line = source.text.get(span.start..span.end).unwrap_or("");
        let (name, args) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        // Where the arguments start in the source, for diagnostics pointing into them.
        let args_at = span.start + line.len() - line.trim_start_matches(name).trim_start().len();
        let fail = |code: Code, message: String, label: &str| {
            Error::new(ErrorKind::Query, code, message).at(source, span, label)
        };
        let need = |what: &str| {
            fail(
                Code::DotMissingArgument,
                format!("{name} needs {what}"),
                "argument missing",
            )
            .with_help(usage(name))
        };
        if self.settings.safe && FILE_COMMANDS.contains(&name) {
            return Err(fail(
                Code::DotUnsafe,
                format!("`{name}` is disabled by --safe"),
                "touches files",
            )
            .with_help(
                "--safe disables .load, .read, .save and .once; run planq without it to use them",
            ));
        }
        match name {
            ".help" if args.is_empty() => self.emit(&help_text())?,
            ".help" if args == "functions" => self.emit(&functions_help())?,
            ".help" => {
                let wanted = strip_quotes(args).trim_end_matches("()");
                let f = functions::lookup(wanted)
                    .or_else(|| functions::alias_of(wanted).and_then(functions::lookup));
                match f {
                    Some(f) => self.emit(&function_help(f))?,
                    None => {
                        let names = FUNCTIONS.iter().map(|f| f.name);
                        let help = match closest(wanted, names) {
                            Some(c) => {
                                format!("did you mean `.help {c}`? (.help functions lists them)")
                            }
                            None => ".help functions lists the functions; .help alone the commands"
                                .to_string(),
                        };
                        return Err(fail(
                            Code::DotUnknownFunction,
                            format!("no function `{wanted}`"),
                            "not a function",
                        )
                        .with_help(help));
                    }
                }
            }
            ".plan" => self.emit(&format!("{}\n", self.engine().dataset().describe()))?,
            ".plans" => {
                let df = self
                    .engine()
                    .dataset()
                    .table("plans")
                    .cloned()
                    .unwrap_or_default();
                self.show(&df)?;
            }
            ".tables" => {
                let df = self.tables_frame()?;
                self.show(&df)?;
            }
            ".schema" => {
                let df = self.schema_frame(strip_quotes(args), source, span)?;
                self.show(&df)?;
            }
            ".format" | ".mode" => {
                if args.is_empty() {
                    let f = self.settings.format.name().to_string();
                    self.emit(&format!("{f}\n"))?;
                } else {
                    let Some(f) = Format::parse(args) else {
                        return Err(fail(
                            Code::DotBadArgument,
                            format!("unknown format `{args}`"),
                            "not a format",
                        )
                        .with_help(format!("formats: {}", Format::NAMES.join(", "))));
                    };
                    if f.is_binary() && self.settings.stdout_tty && self.output.collect.is_none() {
                        return Err(fail(
                            Code::DotBadArgument,
                            format!("{} is not shown on a terminal", f.name()),
                            "a binary format",
                        )
                        .with_help(
                            "write it to a file: `.once out.xlsx` before a query, or                              `.save out.xlsx` after it",
                        ));
                    }
                    self.settings.format = f;
                }
            }
            ".maxrows" => {
                if args.is_empty() {
                    let n = self.settings.max_rows;
                    self.emit(&format!(
                        "{}\n",
                        if n == 0 { "all".into() } else { n.to_string() }
                    ))?;
                } else if args == "all" {
                    self.settings.max_rows = 0;
                } else {
                    self.settings.max_rows = args.parse().map_err(|_| {
                        fail(
                            Code::DotBadArgument,
                            format!("`{args}` is not a number of rows"),
                            "expected a whole number",
                        )
                        .with_help(".maxrows 100 shows up to 100 rows; .maxrows 0 shows all")
                    })?;
                }
            }
            ".timer" => {
                self.settings.timer = match args {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    "" => !self.settings.timer,
                    _ => {
                        return Err(fail(
                            Code::DotBadArgument,
                            format!("`{args}` is not on or off"),
                            "expected on or off",
                        ))
                    }
                };
                let state = if self.settings.timer { "on" } else { "off" };
                self.note(&format!("timer {state}\n"));
            }
            ".pager" => {
                self.settings.pager = match args {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    "" => !self.settings.pager,
                    _ => {
                        return Err(fail(
                            Code::DotBadArgument,
                            format!("`{args}` is not on or off"),
                            "expected on or off",
                        ))
                    }
                };
                let state = if self.settings.pager { "on" } else { "off" };
                let tty = if self.settings.stdout_tty {
                    ""
                } else {
                    " (but stdout is not a terminal: no pager)"
                };
                self.note(&format!("pager {state}{tty}\n"));
            }
            ".chart" => {
                let Some(df) = self.last.clone() else {
                    return Err(fail(
                        Code::DotNoResult,
                        "there is no result to chart yet".into(),
                        "run a query first",
                    )
                    .with_help("e.g. `owners | count by owner` then `.chart`"));
                };
                let text = render_chart(&df, &ChartSpec::parse(args), &self.chart_options())
                    .map_err(|e| e.at(source, span, "in this chart"))?;
                if self.settings.format.is_machine() || self.output.collect.is_some() {
                    // A chart in a csv or json stream would corrupt it: people see it on
                    // stderr instead.
                    self.note(&text);
                } else {
                    self.emit(&text)?;
                }
            }
            ".load" => {
                let (what, path) = match args.find(char::is_whitespace) {
                    Some(i) => (&args[..i], strip_quotes(&args[i..])),
                    None => (args, ""),
                };
                if args.is_empty() || (matches!(what, "plan" | "progress") && path.is_empty()) {
                    return Err(need(
                        "what to load: a plan FILE, DIR or GLOB, or progress FILE",
                    ));
                }
                // `.load FILE|DIR|GLOB` without a word loads plans.
                let (what, path) = if matches!(what, "plan" | "progress") {
                    (what, path)
                } else {
                    ("plan", strip_quotes(args))
                };
                match what {
                    "plan" => self.load_plans(path)?,
                    "progress" => {
                        self.engine_mut()?.add_progress_file(path)?;
                        self.note(&format!("loaded progress {path}\n"));
                    }
                    _ => {
                        return Err(fail(
                            Code::DotBadArgument,
                            format!("cannot load `{what}`"),
                            "expected plan or progress",
                        )
                        .with_help(usage(name)))
                    }
                }
            }
            ".read" => {
                if args.is_empty() {
                    return Err(need("a script file"));
                }
                return self.run_nested(strip_quotes(args));
            }
            ".save" | ".once" => {
                let (file, force, bom) = file_flags(args);
                if file.is_empty() {
                    return Err(need("a file name"));
                }
                let path = strip_quotes(file);
                if name == ".save" {
                    self.save_last(path, force, bom)
                        .map_err(|e| e.at(source, span, "while saving"))?;
                } else {
                    self.once(path, force, bom)
                        .map_err(|e| e.at(source, span, "not a file for results"))?;
                }
            }
            ".explain" => {
                if args.is_empty() {
                    return Err(need("a query"));
                }
                let result = self.engine().explain(args);
                let plan = result.map_err(|e| match (&e.source(), e.span()) {
                    (Some(s), Some(_)) if &*s.text == args => e.rebase(source, args_at),
                    _ => e,
                })?;
                let plan = if plan.ends_with('\n') {
                    plan
                } else {
                    plan + "\n"
                };
                self.emit(&plan)?;
            }
            ".set" => {
                let (param, value) = match args.find(char::is_whitespace) {
                    Some(i) => (&args[..i], args[i..].trim()),
                    None => (args, ""),
                };
                let param = param.strip_prefix('$').unwrap_or(param);
                if param.is_empty() || value.is_empty() {
                    return Err(need("a name and a value, e.g. .set section 3."));
                }
                if !is_param_name(param) {
                    return Err(fail(
                        Code::DotBadArgument,
                        format!("`{param}` is not a parameter name"),
                        "not a name",
                    )
                    .with_help("parameter names are letters, digits and `_`"));
                }
                self.engine_mut()?.set_param(param, Value::parse_cli(value));
            }
            ".unset" => {
                let param = args.strip_prefix('$').unwrap_or(args);
                if param.is_empty() {
                    return Err(need("a parameter name"));
                }
                if self.engine_mut()?.unset_param(param).is_none() {
                    return Err(fail(
                        Code::DotUnknownParam,
                        format!("no parameter `${param}`"),
                        "not set",
                    ));
                }
            }
            ".params" => {
                let params: Vec<(String, String)> = self
                    .engine()
                    .params()
                    .iter()
                    .map(|(k, v)| (format!("${k}"), v.to_string()))
                    .collect();
                let df = text_frame(vec![
                    (
                        "name",
                        params.iter().map(|(k, _)| Some(k.clone())).collect(),
                    ),
                    (
                        "value",
                        params.iter().map(|(_, v)| Some(v.clone())).collect(),
                    ),
                ])?;
                self.show(&df)?;
            }
            ".history" => {
                let lines: String = self
                    .history
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{:>5}  {}\n", i + 1, h.replace('\n', "\n       ")))
                    .collect();
                self.emit(&lines)?;
            }
            ".import" => {
                if args.is_empty() {
                    return Err(need("a file, e.g. .import examples/departments.csv"));
                }
                self.import(args).map_err(|e| {
                    if e.source().is_some() {
                        e
                    } else {
                        e.at(source, span, "while importing")
                    }
                })?;
            }
            ".aliases" => self.aliases(args).map_err(|e| {
                if e.source().is_some() {
                    e
                } else {
                    e.at(source, span, "here")
                }
            })?,
            ".quit" | ".exit" => return Ok(Flow::Quit),
            _ => {
                let all = names();
                let help = match closest(name, all.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`? (.help lists the commands)"),
                    None => ".help lists the commands".to_string(),
                };
                return Err(fail(
                    Code::DotUnknownCommand,
                    format!("unknown command `{name}`"),
                    "not a command",
                )
                .with_help(help));
            }
        }
        Ok(Flow::Done)
    }

    fn tables_frame(&self) -> Result<DataFrame, Error> {
        let engine = self.engine();
        let tables = engine.tables();
        let rows: Vec<Option<String>> = tables
            .iter()
            .map(|t| t.rows.map(|n| n.to_string()))
            .collect();
        let kind = |k: TableKind| match k {
            TableKind::Plan => "plan",
            TableKind::Registered => "registered",
            TableKind::Let => "let",
            TableKind::File => "file",
        };
        let df = text_frame(vec![
            (
                "table",
                tables.iter().map(|t| Some(t.name.clone())).collect(),
            ),
            (
                "kind",
                tables.iter().map(|t| Some(kind(t.kind).into())).collect(),
            ),
            ("rows", rows),
            (
                "columns",
                tables
                    .iter()
                    .map(|t| {
                        Some(
                            t.columns
                                .iter()
                                .map(|(c, _)| c.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        )
                    })
                    .collect(),
            ),
        ])?;
        // Row counts are numbers: show them right-aligned.
        let mut df = df;
        if let Ok(c) = df.column("rows").and_then(|c| c.cast(&DataType::Int64)) {
            let _ = df.with_column(c);
        }
        Ok(df)
    }

    fn schema_frame(&self, table: &str, source: &Source, span: Span) -> Result<DataFrame, Error> {
        let engine = self.engine();
        let tables = engine.tables();
        let chosen: Vec<_> = if table.is_empty() {
            tables.iter().collect()
        } else {
            let found: Vec<_> = tables.iter().filter(|t| t.name == table).collect();
            if found.is_empty() {
                let help = match closest(table, tables.iter().map(|t| t.name.as_str())) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "tables: {}",
                        tables
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(Error::new(
                    ErrorKind::Query,
                    Code::DotUnknownTable,
                    format!("no table named `{table}`"),
                )
                .at(source, span, "not a table")
                .with_help(help));
            }
            found
        };
        let mut names = Vec::new();
        let mut cols = Vec::new();
        let mut types = Vec::new();
        let mut non_null: Vec<Option<u64>> = Vec::new();
        let mut described = Vec::new();
        for t in chosen {
            // How many values each column really has: a column that is null in every row
            // (`deadline` of a plan without dates) shows 0 here.
            let counts = engine.non_null_counts(&t.name);
            for (i, (c, ty)) in t.columns.iter().enumerate() {
                names.push(Some(t.name.clone()));
                cols.push(Some(c.clone()));
                types.push(Some(ty.clone()));
                non_null.push(counts.as_ref().and_then(|n| n.get(i).copied()));
                let plan_table = t.kind == TableKind::Plan;
                described.push(
                    plan_table
                        .then(|| crate::frames::describe(&t.name, c))
                        .flatten()
                        .map(str::to_string),
                );
            }
        }
        let mut df = if table.is_empty() {
            text_frame(vec![("table", names), ("column", cols), ("type", types)])?
        } else {
            text_frame(vec![("column", cols), ("type", types)])?
        };
        let extra = [
            Column::new("non_null".into(), non_null),
            Column::new("description".into(), described),
        ];
        for c in extra {
            df.with_column(c)
                .map_err(|e| Error::new(ErrorKind::Query, Code::Internal, e.to_string()))?;
        }
        Ok(df)
    }
}

/// The file of `.save`/`.once` and its flags: `--force` and `--bom`, before or after it.
fn file_flags(args: &str) -> (&str, bool, bool) {
    let (mut rest, mut force, mut bom) = (args.trim(), false, false);
    loop {
        let before = rest;
        for (flag, set) in [("--force", &mut force), ("--bom", &mut bom)] {
            if let Some(r) = rest.strip_prefix(flag) {
                if r.is_empty() || r.starts_with(char::is_whitespace) {
                    *set = true;
                    rest = r.trim();
                }
            }
            if let Some(r) = rest.strip_suffix(flag) {
                if r.is_empty() || r.ends_with(char::is_whitespace) {
                    *set = true;
                    rest = r.trim();
                }
            }
        }
        if rest == before {
            return (rest, force, bom);
        }
    }
}

fn usage(name: &str) -> String {
    DOT_COMMANDS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or_else(String::new, |(n, a, w)| format!("usage: {n} {a} — {w}"))
}

/// Whether `name` can follow `$` in a query.
pub fn is_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_help_comes_from_the_table() {
        let all = functions_help();
        for f in FUNCTIONS {
            assert!(all.contains(f.usage) && all.contains(f.doc), "{}", f.name);
        }
        let concat = functions::lookup("concat").expect("concat");
        let one = function_help(concat);
        assert!(one.starts_with("concat(x) or concat(x, separator)  — aggregate"));
        assert!(one.contains("(not accepted): string_agg, group_concat, join, implode"));
        assert!(one.contains(concat.example.query) && one.contains(concat.example.result));
        // `.help` names the argument that lists them.
        assert!(help_text().contains(".help [functions | FUNCTION]"));
    }
}
