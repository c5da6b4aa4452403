//! A corpus of plans: which files `--plan` and `.load` name (files, directories, globs),
//! loading them in parallel, their ids, and the `plans` table.
//!
//! Files load on rayon's pool, each with its own diagnostics; results come back in the
//! order of the sorted file list, so every run reports the same thing in the same order
//! whatever finished first. A file that cannot be read or yields no tasks is a *bad file*:
//! the caller decides (see `cli::DataArgs::load`) whether the others load anyway.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::*;
use rayon::prelude::*;

use crate::dataset::PlanDoc;
use crate::error::{Code, Error, ErrorKind};
use crate::plan::source::ReadOptions;

/// Extensions of the files a directory is searched for (lower case): every format planq
/// reads, plus PDF and `.doc`, which are reported with the command that converts them
/// rather than skipped silently.
pub const PLAN_EXTENSIONS: &[&str] = &[
    "txt", "text", "htm", "html", "docx", "xlsx", "xls", "ods", "csv", "tsv", "pdf", "doc",
];

/// The files named by `--plan` arguments, sorted by path and without duplicates, and a
/// diagnostic for each argument that names no file.
///
/// An argument is a file (taken whatever its extension: the format is read from its
/// content), a directory (every file with a [`PLAN_EXTENSIONS`] extension below it,
/// recursively; hidden files and directories are skipped) or a glob (`*`, `?`, `[abc]`,
/// `**` for any depth; expanded here, so a quoted `'plans/*.html'` works the same as one
/// the shell expanded). A path that exists is never read as a glob.
pub fn expand(specs: &[String]) -> (Vec<String>, Vec<Error>) {
    let mut files: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for spec in specs {
        let path = Path::new(spec);
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files, &mut HashSet::new());
            if files.len() == before {
                problems.push(
                    Error::new(
                        ErrorKind::Data,
                        Code::CorpusEmptyDirectory,
                        format!("the directory `{spec}` holds no plan file"),
                    )
                    .with_help(format!(
                        "planq looks for files ending in {} (hidden files are skipped)",
                        PLAN_EXTENSIONS
                            .iter()
                            .map(|e| format!(".{e}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    )),
                );
            }
        } else if path.exists() || !is_glob(spec) {
            // A missing file is reported when it is read, with the reader's message.
            files.push(spec.clone());
        } else {
            let before = files.len();
            for found in glob(spec) {
                if found.is_dir() {
                    walk(&found, &mut files, &mut HashSet::new());
                } else {
                    files.push(found.to_string_lossy().into_owned());
                }
            }
            if files.len() == before {
                problems.push(
                    Error::new(
                        ErrorKind::Data,
                        Code::CorpusNoMatch,
                        format!("no file matches `{spec}`"),
                    )
                    .with_help(
                        "a glob matches names within directories: `plans/*.html`, \
                         `plans/**/*.docx`; hidden files match only a pattern that starts with `.`",
                    ),
                );
            }
        }
    }
    files.sort();
    // The same file named twice (`--plan a.txt --plan ./a.txt`, or by a file and a
    // directory) loads once.
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| PathBuf::from(f))));
    (files, problems)
}

/// Whether a name is hidden (`.git`, `.DS_Store`, `.~lock.x.docx#`, `~$x.docx`: editors'
/// lock files are not plans either).
fn hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

/// Every plan file under `dir`, in sorted order; `visited` stops symlink loops.
fn walk(dir: &Path, files: &mut Vec<String>, visited: &mut HashSet<PathBuf>) {
    let Ok(real) = std::fs::canonicalize(dir) else {
        return;
    };
    if !visited.insert(real) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if hidden(name) {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, visited);
        } else if has_plan_extension(&path) {
            files.push(path.to_string_lossy().into_owned());
        }
    }
}

fn has_plan_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| PLAN_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether `s` holds a glob wildcard.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The paths matching a glob, in sorted order.
fn glob(pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let base = if absolute {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    };
    let mut out = Vec::new();
    glob_from(&base, &parts, &mut out);
    out.sort();
    out.dedup();
    out
}

fn glob_from(base: &Path, parts: &[&str], out: &mut Vec<PathBuf>) {
    let Some((first, rest)) = parts.split_first() else {
        out.push(base.to_path_buf());
        return;
    };
    let dir = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    if *first == "**" {
        // Zero directories, then one more level and `**` again.
        glob_from(base, rest, out);
        for (name, path) in children(dir, base) {
            if !hidden(&name) && path.is_dir() {
                glob_from(&path, parts, out);
            }
        }
    } else if is_glob(first) {
        for (name, path) in children(dir, base) {
            let visible = first.starts_with('.') || !hidden(&name);
            if visible && wildcard(first, &name) && (rest.is_empty() || path.is_dir()) {
                glob_from(&path, rest, out);
            }
        }
    } else {
        let path = base.join(first);
        if rest.is_empty() {
            if path.exists() {
                out.push(path);
            }
        } else if path.is_dir() {
            glob_from(&path, rest, out);
        }
    }
}

/// The entries of `dir` as (name, `base`/name).
fn children(dir: &Path, base: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_str()?.to_string();
            let path = base.join(&name);
            Some((name, path))
        })
        .collect();
    out.sort();
    out
}

/// Whether `name` matches one path component of a glob: `*` any run of characters, `?`
/// one character, `[abc]`/`[a-z]`/`[!abc]` one of (or none of) a set.
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with one backtrack point for the last `*`: linear in practice.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, len)) = class(&p[pi..], n[ni]) {
                        if matched {
                            pi += len;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        // An unclosed `[` is a literal.
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A `[...]` class at the start of `p`: whether `c` is in it, and the class's length.
/// `None` when the bracket is never closed.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            hit |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            hit |= p[i] == c;
            i += 1;
        }
    }
    None
}

/// What loading a list of files gave: the plans that loaded (in file order) and, for each
/// bad file, its diagnostic.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Plans that loaded, in file order, ids not yet made unique.
    pub docs: Vec<PlanDoc>,
    /// Files that failed, each with its diagnostic, in file order.
    pub failed: Vec<(String, Error)>,
}

/// Loads `files` in parallel (rayon), each file on its own; a counter on stderr when it
/// is a terminal and loading takes more than a moment.
pub fn load(files: &[String], options: ReadOptions) -> Loaded {
    let counter = Counter::start(files.len());
    let results: Vec<(String, Result<PlanDoc, Error>)> = files
        .par_iter()
        .map(|f| {
            let r = PlanDoc::from_file(f, options);
            counter.tick();
            (f.clone(), r)
        })
        .collect();
    counter.finish();
    let mut out = Loaded::default();
    for (file, r) in results {
        match r {
            Ok(doc) => out.docs.push(doc),
            Err(e) => out.failed.push((file, e)),
        }
    }
    out
}

/// Plans read from `--plan`/`.load` arguments: the ones that loaded, ids made unique
/// against `taken`, and a diagnostic for every bad file or argument that named none.
#[derive(Debug, Default)]
pub struct Gathered {
    /// Plans that loaded, in sorted file order, with unique ids.
    pub docs: Vec<PlanDoc>,
    /// Files (or arguments) that gave no plan, each a diagnostic naming its file.
    pub bad: Vec<Error>,
    /// How many files were tried.
    pub files: usize,
}

/// Expands `specs`, loads every file (in parallel) and gives the plans unique ids.
/// `skip` holds files already loaded (canonical paths): they are refused with a hint
/// instead of being loaded twice.
pub fn gather(
    specs: &[String],
    options: ReadOptions,
    taken: &HashSet<String>,
    skip: &HashSet<PathBuf>,
) -> Gathered {
    let (files, mut bad) = expand(specs);
    let mut fresh = Vec::new();
    for f in files {
        let real = std::fs::canonicalize(&f).unwrap_or_else(|_| PathBuf::from(&f));
        if skip.contains(&real) {
            bad.push(
                Error::new(
                    ErrorKind::Usage,
                    Code::CorpusAlreadyLoaded,
                    format!("`{f}` is already loaded"),
                )
                .with_help("`.plans` lists the loaded plans; a file is loaded once"),
            );
        } else {
            fresh.push(f);
        }
    }
    let loaded = load(&fresh, options);
    for (file, mut e) in loaded.failed {
        // Every diagnostic of a corpus names its file.
        if !e.message().contains(&file) {
            let message = format!("`{file}`: {}", e.message());
            e = e.with_message(message);
        }
        bad.push(e);
    }
    let mut docs = loaded.docs;
    assign_ids(&mut docs, taken);
    Gathered {
        docs,
        bad,
        files: fresh.len(),
    }
}

/// The id of a plan file: its stem (`plans/2021年福州市数字政府工作要点.docx` →
/// `2021年福州市数字政府工作要点`).
pub fn stem_id(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("plan")
        .to_string()
}

/// Makes the ids of `docs` unique among themselves and the ids in `taken`: the file's
/// stem, then `~2`, `~3`… for later files of the same stem. `docs` are in sorted file
/// order, so the same set of files gets the same ids whatever order they were named in;
/// plans added later keep the ids already given and take the next free suffix.
pub fn assign_ids(docs: &mut [PlanDoc], taken: &HashSet<String>) {
    let mut used: HashSet<String> = taken.clone();
    for doc in docs.iter_mut() {
        let base = stem_id(&doc.source.name);
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}~{n}");
            n += 1;
        }
        used.insert(id.clone());
        doc.id = id;
    }
}

/// The `plans` table: one row per plan.
pub fn plans_frame(docs: &[PlanDoc]) -> Result<DataFrame, Error> {
    let counts: Vec<PlanCounts> = docs.iter().map(|d| PlanCounts::of(&d.plan)).collect();
    plans_frame_counted(docs, &counts)
}

/// What the `plans` table counts of one plan: its tasks, owner rows, targets and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    /// Rows of `tasks`.
    pub tasks: usize,
    /// Rows of `owners`.
    pub owners: usize,
    /// Rows of `targets`.
    pub targets: usize,
    /// Rows of `warnings`.
    pub warnings: usize,
}

impl PlanCounts {
    /// The counts of a whole plan.
    pub fn of(plan: &crate::plan::Plan) -> Self {
        let mut counts = PlanCounts {
            warnings: plan.warnings.len(),
            ..PlanCounts::default()
        };
        counts.add_tasks(&plan.tasks);
        counts
    }

    /// Counts `tasks` (a batch of the plan's tasks), their owners and targets.
    pub fn add_tasks(&mut self, tasks: &[crate::plan::Task]) {
        self.tasks += tasks.len();
        for t in tasks {
            self.owners += t.owners.len();
            self.targets += t.targets.len();
        }
    }
}

/// The `plans` table of `docs`, with the counts of each given (a plan whose tasks were
/// written batch by batch no longer holds them: see `planq export --out`).
pub fn plans_frame_counted(docs: &[PlanDoc], counts: &[PlanCounts]) -> Result<DataFrame, Error> {
    let ints = |f: &dyn Fn(&PlanCounts) -> usize| -> Vec<i64> {
        counts.iter().map(|c| f(c) as i64).collect()
    };
    let columns = vec![
        StringChunked::from_iter_values("plan".into(), docs.iter().map(|d| d.id.as_str()))
            .into_column(),
        StringChunked::from_iter_values("file".into(), docs.iter().map(|d| d.source.name.as_str()))
            .into_column(),
        StringChunked::from_iter_values("format".into(), docs.iter().map(|d| d.format.as_str()))
            .into_column(),
        StringChunked::from_iter_options(
            "title".into(),
            docs.iter().map(|d| d.plan.title.as_deref()),
        )
        .into_column(),
        Column::new(
            "year".into(),
            docs.iter()
                .map(|d| d.year().map(i64::from))
                .collect::<Vec<_>>(),
        ),
        StringChunked::from_iter_options(
            "region".into(),
            docs.iter()
                .map(|d| d.plan.title.as_deref().and_then(region)),
        )
        .into_column(),
        StringChunked::from_iter_options(
            "issuer".into(),
            docs.iter()
                .map(|d| issuer(d.plan.title.as_deref(), &d.plan.preamble)),
        )
        .into_column(),
        Column::new("tasks".into(), ints(&|c| c.tasks)),
        Column::new("owners".into(), ints(&|c| c.owners)),
        Column::new("targets".into(), ints(&|c| c.targets)),
        Column::new("warnings".into(), ints(&|c| c.warnings)),
    ];
    DataFrame::new(docs.len(), columns).map_err(|e| {
        Error::new(
            ErrorKind::Data,
            Code::Frames,
            format!("could not build table `plans`: {e}"),
        )
    })
}

/// What each column of `plans` holds (`.schema plans`).
pub fn describe(column: &str) -> Option<&'static str> {
    Some(match column {
        "file" => "the file the plan was read from, as named on the command line",
        "format" => "what the file was read as (text, html, docx, xlsx, csv, …)",
        "title" => "the document's title line",
        "year" => "the plan's year: from its title (2010年…), else from the file name",
        "region" => "the place its title names (数字福建 → 福建; 福州市 → 福州), if any",
        "issuer" => "the body that issued it, when the title (X关于印发…的通知) or a line right under it (发文机关：X, or X alone) names one; else null",
        "tasks" => "number of tasks (rows of tasks)",
        "owners" => "number of owner rows (rows of owners)",
        "targets" => "number of targets (rows of targets)",
        "warnings" => "number of extraction warnings (rows of warnings)",
        _ => return None,
    })
}

/// The place a title names (`2010年数字福建工作要点` → `福建`, `2021年福州市数字政府工作要点`
/// → `福州`): the first place name in the title after its year, the longest at that
/// position, as the gazetteer the owner rules use shows it: provinces and prefectures by
/// their short name (`福建省` → `福建`), counties named in full.
pub fn region(title: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    for (k, &(start, _)) in chars.iter().enumerate() {
        let mut best = None;
        for &(i, c) in chars.iter().skip(k).take(12) {
            let end = i + c.len_utf8();
            if let Some(shown) = crate::plan::place_shown_name(&title[start..end]) {
                best = Some(shown);
            }
        }
        if let Some(b) = best {
            return Some(b.to_string());
        }
    }
    None
}

/// The body that issued a plan, when the document says so where notices do: the title
/// starts with it (`福建省人民政府办公厅关于印发…的通知` → `福建省人民政府办公厅`), or one of
/// the lines right under the title names it — `发文机关：X` (or `发文单位`, `发布机构`,
/// `印发机关`), or a line that is a body's name and nothing else (`福州市数字办`); a
/// document number (`闽政办〔2010〕12号`) or a date line between them is passed over.
/// Joint issuers (`中共X市委办公室 X市人民政府办公室`) are joined with `、`. Only a name
/// that ends like a body (`…人民政府`, `…办公厅`, `…局`, `…委员会`, `…办`) counts: anything
/// else gives `None`, never a guess.
pub fn issuer(title: Option<&str>, preamble: &str) -> Option<String> {
    let mut lines = preamble
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .peekable();
    // A notice's title longer than a title line may be (joint issuers) stays the first
    // line of the preamble: still the title when it reads as a notice's.
    let title = title.or_else(|| lines.next_if(|l| l.ends_with("通知")));
    if let Some(t) = title {
        for about in ["关于", "關於", "关於"] {
            if let Some(at) = t.find(about) {
                return body_names(&t[..at]);
            }
        }
    }
    for line in lines.take(3) {
        let labelled = ISSUER_LABELS.iter().find_map(|label| {
            let rest = line.strip_prefix(label)?.trim_start();
            rest.strip_prefix(['：', ':'])
        });
        if let Some(rest) = labelled {
            return body_names(rest);
        }
        if let Some(names) = body_names(line) {
            return Some(names);
        }
        if !is_document_number(line) && !is_date_line(line) {
            break;
        }
    }
    None
}

/// Labels of an issuer line under a title.
const ISSUER_LABELS: &[&str] = &[
    "发文机关",
    "发文单位",
    "发布机构",
    "发布单位",
    "印发机关",
    "制发机关",
    "發文機關",
];

/// How the name of a government body ends.
const BODY_ENDINGS: &[&str] = &[
    "人民政府",
    "政府",
    "办公厅",
    "办公室",
    "委员会",
    "领导小组",
    "小组",
    "局",
    "厅",
    "委",
    "办",
    "院",
    "部",
    "署",
    "中心",
    "辦公廳",
    "辦公室",
    "委員會",
    "廳",
    "辦",
];

/// `s` as the names of one or more bodies (separated by spaces), joined with `、`; `None`
/// when any part is not a body's name.
fn body_names(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    (!parts.is_empty() && parts.iter().all(|p| is_body_name(p))).then(|| parts.join("、"))
}

/// A body's name: 3–30 characters of CJK text (no punctuation, no digits — a year or a
/// number makes it a title or a sentence), ending like a body's name.
fn is_body_name(s: &str) -> bool {
    let n = s.chars().count();
    (3..=30).contains(&n)
        && s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && BODY_ENDINGS.iter().any(|e| s.ends_with(e))
        && !["关于", "印发", "通知", "工作要点", "方案"]
            .iter()
            .any(|w| s.contains(w))
}

/// `闽政办〔2010〕12号`, `榕数字办[2021]3号`: a document number.
fn is_document_number(l: &str) -> bool {
    l.chars().count() <= 30
        && (l.ends_with('号') || l.ends_with('號'))
        && l.contains(['〔', '[', '［', '【'])
}

/// `2021年3月1日`, `（2021年3月1日）`: a date line.
fn is_date_line(l: &str) -> bool {
    let inner = l.trim_matches(['(', ')', '（', '）']);
    inner.chars().count() <= 12
        && inner.ends_with('日')
        && inner.contains('年')
        && inner.contains('月')
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || "年月日〇一二三四五六七八九十".contains(c))
}

/// A hand-written counter on stderr (`loading plans 120/2000`), shown only when stderr is
/// a terminal and only once loading has taken more than a moment; cleared at the end.
/// (indicatif would add crates; this is all a load needs.)
struct Counter {
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How long a load runs before the counter shows.
const COUNTER_DELAY: Duration = Duration::from_millis(400);

impl Counter {
    fn start(total: usize) -> Counter {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        // Tests set PLANQ_TEST_COUNTER_MS to see the counter without a terminal, at once.
        let forced: Option<u64> = std::env::var("PLANQ_TEST_COUNTER_MS")
            .ok()
            .and_then(|v| v.parse().ok());
        let delay = forced.map_or(COUNTER_DELAY, Duration::from_millis);
        let show = total > 1 && (forced.is_some() || std::io::stderr().is_terminal());
        let thread = show.then(|| {
            let (done, stop) = (done.clone(), stop.clone());
            std::thread::spawn(move || {
                let start = Instant::now();
                let mut shown = false;
                loop {
                    if start.elapsed() >= delay {
                        shown = true;
                        let n = done.load(Ordering::Relaxed);
                        eprint!("\rloading plans {n}/{total}");
                        let _ = std::io::stderr().flush();
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                if shown {
                    eprint!("\r\x1b[K");
                    let _ = std::io::stderr().flush();
                }
            })
        });
        Counter { done, stop, thread }
    }

    fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.html", "a.html"));
        assert!(!wildcard("*.html", "a.htm"));
        assert!(wildcard("20??年*", "2021年数字福建"));
        assert!(wildcard("[0-9]*", "2021"));
        assert!(!wildcard("[!0-9]*", "2021"));
        assert!(wildcard("*a*b*", "xxaxxbxx"));
        assert!(!wildcard("*a*b", "xxaxxbxx"));
        assert!(wildcard("a[", "a["));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn issuers_named_by_the_title_or_the_lines_under_it() {
        let t = |title: &str| issuer(Some(title), "");
        assert_eq!(
            t("福建省人民政府办公厅关于印发2010年数字福建工作要点的通知").as_deref(),
            Some("福建省人民政府办公厅")
        );
        assert_eq!(
            t("中共福州市委办公室 福州市人民政府办公厅关于印发数字福州建设工作要点的通知")
                .as_deref(),
            Some("中共福州市委办公室、福州市人民政府办公厅")
        );
        // No body before 关于, or no 关于 at all: nothing is guessed.
        assert_eq!(t("关于印发2021年数字福州建设工作要点的通知"), None);
        assert_eq!(t("2010年数字福建工作要点"), None);
        assert_eq!(t("2021年关于数字经济的工作要点"), None);
        // Lines right under the title.
        let under = |pre: &str| issuer(Some("2021年数字福州建设工作要点"), pre);
        assert_eq!(
            under("福州市数字办\n为加快建设数字福州，现提出如下要点。").as_deref(),
            Some("福州市数字办")
        );
        assert_eq!(
            under("榕数字办〔2021〕3号\n发文机关：福州市数字福州建设领导小组办公室").as_deref(),
            Some("福州市数字福州建设领导小组办公室")
        );
        assert_eq!(
            under("（2021年3月1日）\n福州市大数据委").as_deref(),
            Some("福州市大数据委")
        );
        // A sentence, or a body named only further down, is not the issuer.
        assert_eq!(
            under("为加快建设数字福州，现提出如下要点。\n福州市数字办"),
            None
        );
        assert_eq!(
            under("根据市委、市政府工作部署，现提出2021年工作要点如下。"),
            None
        );
        assert_eq!(under("发文机关：见附件"), None);
        assert_eq!(issuer(None, ""), None);
    }

    #[test]
    fn regions_from_titles() {
        assert_eq!(region("2010年数字福建工作要点").as_deref(), Some("福建"));
        assert_eq!(
            region("2021年福州市数字政府工作要点").as_deref(),
            Some("福州")
        );
        assert_eq!(
            region("2022年广东省数字政府改革建设工作要点").as_deref(),
            Some("广东")
        );
        assert_eq!(region("数字政府建设工作要点"), None);
    }

    #[test]
    fn ids_are_stems_made_unique() {
        let mut docs: Vec<PlanDoc> = ["a/x.txt", "b/x.html", "c/y.txt"]
            .iter()
            .map(|n| PlanDoc::from_text(n, "一、甲\n（一）乙。").expect("plan"))
            .collect();
        assign_ids(&mut docs, &HashSet::from(["y".to_string()]));
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["x", "x~2", "y~2"]);
    }
}
