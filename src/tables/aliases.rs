//! Departments that change names: an alias file maps the names owners are written with to
//! one canonical name, so that counts per owner add up across plans of different years.
//!
//! The file (`--aliases FILE`) is CSV with a header naming `alias` and `canonical`, and
//! optionally `from` and `to`: the years in which the alias stands for the canonical name
//! (either may be empty: open-ended). Lines starting with `#` are comments. A mapping
//! applies to a plan when the plan's year falls in its years; mappings chain
//! (`省数字办 → 省大数据局 → 省数据管理局`). One alias mapped to two names in overlapping
//! years, and a chain that comes back to its start, are errors naming the rows.
//!
//! [`suggest`] finds owner names that are probably one unit written two ways (an
//! abbreviation, one character apart, the same core with another unit word); it only
//! suggests: nothing is applied without a row in the alias file.

use std::collections::{BTreeSet, HashMap};

use miette::Severity;
use polars::prelude::*;

use crate::error::{Code, Error, ErrorKind, Source};
use crate::lang::suggest::edit_distance;
use crate::progress::csv;

/// One row of an alias file.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRow {
    /// The name as written in plans.
    pub alias: String,
    /// The name it stands for.
    pub canonical: String,
    /// First year the alias stands for `canonical` (`None`: always before `to`).
    pub from: Option<i32>,
    /// Last year (`None`: ever since `from`).
    pub to: Option<i32>,
    /// 1-based line in the file.
    pub line: usize,
}

impl AliasRow {
    /// Whether the row applies to a plan of year `year` (a plan without a year gets only
    /// the rows without years).
    pub fn applies(&self, year: Option<i32>) -> bool {
        match year {
            Some(y) => self.from.is_none_or(|f| f <= y) && self.to.is_none_or(|t| y <= t),
            None => self.from.is_none() && self.to.is_none(),
        }
    }

    fn overlaps(&self, other: &AliasRow) -> bool {
        let lo = self
            .from
            .unwrap_or(i32::MIN)
            .max(other.from.unwrap_or(i32::MIN));
        let hi = self
            .to
            .unwrap_or(i32::MAX)
            .min(other.to.unwrap_or(i32::MAX));
        lo <= hi
    }

    fn years(&self) -> String {
        match (self.from, self.to) {
            (None, None) => "all years".into(),
            (Some(f), None) => format!("{f} on"),
            (None, Some(t)) => format!("up to {t}"),
            (Some(f), Some(t)) => format!("{f}–{t}"),
        }
    }
}

/// A checked alias file.
#[derive(Debug, Clone)]
pub struct Aliases {
    /// Its rows, in file order.
    pub rows: Vec<AliasRow>,
    source: Source,
}

fn data_error(code: Code, message: String) -> Error {
    Error::new(ErrorKind::Data, code, message)
}

impl Aliases {
    /// Reads and checks an alias file.
    pub fn load_file(path: &str) -> Result<Aliases, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        Aliases::parse(&Source::new(path, text))
    }

    /// Checks alias text (`source.name` names it in diagnostics).
    pub fn parse(source: &Source) -> Result<Aliases, Error> {
        let name = source.name.clone();
        let text = source
            .text
            .strip_prefix('\u{feff}')
            .unwrap_or(&source.text[..]);
        let source = Source::new(name.clone(), text);
        let (records, problems) = csv::read(&source.text);
        if let Some(p) = problems.first() {
            let (span, what) = match p {
                csv::Problem::Unclosed(s) => (*s, "a quoted field is never closed"),
                csv::Problem::StrayCr(s, _) | csv::Problem::StrayLf(s, _) => {
                    (*s, "a line break inside an unquoted field")
                }
            };
            return Err(data_error(Code::AliasesSyntax, format!("`{name}`: {what}"))
                .at(&source, span, "here")
                .with_help("the alias file is CSV: alias,canonical[,from,to]"));
        }
        let mut records = records.into_iter();
        let Some(header) = records.next() else {
            return Err(
                data_error(Code::AliasesEmpty, format!("`{name}` has no header row"))
                    .with_help("start the file with the header alias,canonical,from,to"),
            );
        };
        let col = |n: &str| header.fields.iter().position(|f| f.text == n);
        let (Some(ia), Some(ic)) = (col("alias"), col("canonical")) else {
            return Err(data_error(
                Code::AliasesHeader,
                format!("`{name}`: the header must name the columns `alias` and `canonical`"),
            )
            .at(&source, header.span, "this header")
            .with_help(
                "write the header alias,canonical,from,to (from and to are optional years)",
            ));
        };
        let (ifrom, ito) = (col("from"), col("to"));
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for r in records {
            let get = |i: Option<usize>| i.and_then(|i| r.fields.get(i));
            let text = |i: Option<usize>| get(i).map_or("", |f| f.text.as_str());
            let (alias, canonical) = (text(Some(ia)), text(Some(ic)));
            if alias.is_empty() || canonical.is_empty() {
                errors.push(
                    data_error(
                        Code::AliasesMissing,
                        format!(
                            "`{name}` line {}: a row needs an alias and a canonical name",
                            r.line
                        ),
                    )
                    .at(&source, r.span, "incomplete row")
                    .with_help("write alias,canonical[,from,to]"),
                );
                continue;
            }
            if alias == canonical {
                errors.push(
                    data_error(
                        Code::AliasesSelf,
                        format!("`{name}` line {}: `{alias}` is mapped to itself", r.line),
                    )
                    .at(&source, r.span, "alias and canonical are the same")
                    .with_help("remove the row"),
                );
                continue;
            }
            let mut year = |i: Option<usize>, what: &str| -> Option<i32> {
                let f = get(i)?;
                if f.text.is_empty() {
                    return None;
                }
                match f.text.parse::<i32>() {
                    Ok(y) if f.text.len() == 4 && (1900..=2200).contains(&y) => Some(y),
                    _ => {
                        errors.push(
                            data_error(
                                Code::AliasesYear,
                                format!(
                                    "`{name}` line {}: `{}` is not a year ({what})",
                                    r.line, f.text
                                ),
                            )
                            .at(&source, f.span, "expected a four-digit year")
                            .with_help(
                                "from and to are years such as 2018, or empty for open-ended",
                            ),
                        );
                        None
                    }
                }
            };
            let (from, to) = (year(ifrom, "from"), year(ito, "to"));
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    errors.push(
                        data_error(
                            Code::AliasesYear,
                            format!("`{name}` line {}: from {f} is after to {t}", r.line),
                        )
                        .at(&source, r.span, "years the wrong way round")
                        .with_help("from is the first year the alias is used, to the last"),
                    );
                    continue;
                }
            }
            rows.push(AliasRow {
                alias: alias.to_string(),
                canonical: canonical.to_string(),
                from,
                to,
                line: r.line,
            });
        }
        let aliases = Aliases { rows, source };
        errors.extend(aliases.conflicts());
        errors.extend(aliases.cycles());
        match errors.len() {
            0 => Ok(aliases),
            1 => Err(errors.remove(0)),
            n => {
                let code = errors[0].code();
                Err(data_error(
                    code,
                    format!("`{name}` has {n} problems; no alias was applied"),
                )
                .with_help("fix them and load the file again")
                .with_related(errors))
            }
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.source.name
    }

    fn row_span(&self, line: usize) -> crate::lang::ast::Span {
        self.source.line_span(line)
    }

    /// One alias mapped to two canonical names in overlapping years.
    fn conflicts(&self) -> Vec<Error> {
        let mut out = Vec::new();
        for (j, b) in self.rows.iter().enumerate() {
            if let Some(a) = self.rows[..j]
                .iter()
                .find(|a| a.alias == b.alias && a.canonical != b.canonical && a.overlaps(b))
            {
                out.push(
                    data_error(
                        Code::AliasesConflict,
                        format!(
                            "`{}` line {}: `{}` is mapped to `{}` here and to `{}` on line {}, in overlapping years",
                            self.name(), b.line, b.alias, b.canonical, a.canonical, a.line
                        ),
                    )
                    .at(&self.source, self.row_span(b.line), format!("conflicts with line {}", a.line))
                    .with_help(format!(
                        "give the two rows years that do not overlap (line {}: {}; line {}: {}), or remove one",
                        a.line,
                        a.years(),
                        b.line,
                        b.years()
                    )),
                );
            }
        }
        out
    }

    /// Chains that come back to their start, in some year. The rows in force only change
    /// where one starts, so checking each `from` year (and the open past) finds them all.
    fn cycles(&self) -> Vec<Error> {
        let mut years: BTreeSet<Option<i32>> = self.rows.iter().map(|r| r.from).collect();
        years.insert(None);
        let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
        let mut out = Vec::new();
        for y in years {
            let live: Vec<&AliasRow> = self
                .rows
                .iter()
                .filter(|r| match y {
                    Some(y) => r.applies(Some(y)),
                    None => r.from.is_none(),
                })
                .collect();
            let next: HashMap<&str, &AliasRow> =
                live.iter().map(|r| (r.alias.as_str(), *r)).collect();
            for start in &live {
                let mut path = vec![*start];
                let mut at = start.canonical.as_str();
                while let Some(r) = next.get(at) {
                    if r.alias == start.alias {
                        let mut key: Vec<usize> = path.iter().map(|p| p.line).collect();
                        key.sort_unstable();
                        if seen.insert(key) {
                            out.push(self.cycle_error(start, &path));
                        }
                        break;
                    }
                    if path.len() > live.len() {
                        break;
                    }
                    path.push(r);
                    at = r.canonical.as_str();
                }
            }
        }
        out
    }

    fn cycle_error(&self, start: &AliasRow, path: &[&AliasRow]) -> Error {
        let chain: Vec<&str> = path
            .iter()
            .map(|p| p.alias.as_str())
            .chain([start.alias.as_str()])
            .collect();
        let lines: Vec<String> = path.iter().map(|p| p.line.to_string()).collect();
        data_error(
            Code::AliasesCycle,
            format!(
                "`{}` line {}: the aliases go round in a circle: {}",
                self.name(),
                start.line,
                chain.join(" → ")
            ),
        )
        .at(
            &self.source,
            self.row_span(start.line),
            "the circle starts here",
        )
        .with_help(format!(
            "lines {} lead back to the first name; a chain of aliases must end in a canonical name",
            lines.join(", ")
        ))
    }

    /// The name each alias stands for in a plan of `year`, chains followed to their end.
    pub fn mapping(&self, year: Option<i32>) -> HashMap<String, String> {
        let live: HashMap<&str, &str> = self
            .rows
            .iter()
            .filter(|r| r.applies(year))
            .map(|r| (r.alias.as_str(), r.canonical.as_str()))
            .collect();
        live.keys()
            .map(|&a| {
                let mut at = a;
                let mut steps = 0;
                while let Some(&c) = live.get(at) {
                    at = c;
                    steps += 1;
                    if steps > live.len() {
                        break; // a cycle (refused when the file was read)
                    }
                }
                (a.to_string(), at.to_string())
            })
            .collect()
    }

    /// `owners` with `owner` made canonical and `owner_raw` (the text as written) after
    /// it, and notes about what was done.
    pub(crate) fn apply(
        &self,
        owners: &DataFrame,
        year: Option<i32>,
    ) -> Result<(DataFrame, Vec<Error>), Error> {
        let map = self.mapping(year);
        let failed = |e: PolarsError| {
            data_error(
                Code::AliasesApply,
                format!("could not apply the aliases: {e}"),
            )
        };
        let raw = owners.column("owner").map_err(failed)?;
        let texts = raw.str().map_err(failed)?;
        let mut renamed = 0usize;
        let canonical: Vec<Option<String>> = texts
            .iter()
            .map(|o| {
                o.map(|s| match map.get(s) {
                    Some(c) => {
                        renamed += 1;
                        c.clone()
                    }
                    None => s.to_string(),
                })
            })
            .collect();
        let mut columns: Vec<Column> = Vec::with_capacity(owners.width() + 1);
        for c in owners.columns() {
            if c.name().as_str() == "owner" {
                columns.push(Column::new("owner".into(), canonical.clone()));
                columns.push(c.clone().with_name("owner_raw".into()));
            } else {
                columns.push(c.clone());
            }
        }
        let df = DataFrame::new(owners.height(), columns).map_err(failed)?;
        let mut notes = Vec::new();
        let skipped = self
            .rows
            .iter()
            .filter(|r| year.is_none() && !r.applies(None))
            .count();
        if skipped > 0 {
            notes.push(
                data_error(
                    Code::AliasesNoYear,
                    format!(
                        "the plan has no year, so the {skipped} alias row(s) of `{}` with years were not applied",
                        self.name()
                    ),
                )
                .with_help("plans state their year in the title (`2010年…工作要点`) or the file name")
                .with_severity(Severity::Warning),
            );
        }
        notes.push(
            data_error(
                Code::AliasesApplied,
                format!(
                    "aliases from `{}`: {renamed} owner row(s) renamed{} (owner_raw keeps the names as written)",
                    self.name(),
                    year.map(|y| format!(" for {y}")).unwrap_or_default()
                ),
            )
            .with_severity(Severity::Advice),
        );
        Ok((df, notes))
    }
}

/// Two owner names that are probably one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The name to map (the abbreviation, or the rarer spelling).
    pub alias: String,
    /// The name to map it to.
    pub canonical: String,
    /// Why they look alike.
    pub why: String,
    /// Owner rows written `alias`.
    pub alias_rows: usize,
    /// Owner rows written `canonical`.
    pub canonical_rows: usize,
}

/// Administrative prefixes: names at different levels are different units.
const PREFIXES: &[&str] = &[
    "各设区市",
    "各市县区",
    "各县市区",
    "福建省",
    "各地",
    "各级",
    "省级",
    "省",
    "市",
    "县",
    "区",
];

/// Unit words at the end of a name, longest first, with the character an abbreviation
/// keeps of them (`委员会` → `委`).
const UNIT_WORDS: &[(&str, char)] = &[
    ("委员会", '委'),
    ("办公室", '办'),
    ("办公厅", '厅'),
    ("管理局", '局'),
    ("领导小组", '组'),
    ("中心", '心'),
    ("公司", '司'),
    ("厅", '厅'),
    ("局", '局'),
    ("委", '委'),
    ("办", '办'),
    ("院", '院'),
    ("会", '会'),
    ("部", '部'),
    ("处", '处'),
    ("所", '所'),
    ("站", '站'),
    ("社", '社'),
];

fn split_prefix(name: &str) -> (&str, &str) {
    PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p).map(|rest| (*p, rest)))
        .unwrap_or(("", name))
}

/// (core, unit word, the unit's abbreviation character).
fn split_unit(rest: &str) -> (&str, &str, Option<char>) {
    UNIT_WORDS
        .iter()
        .find_map(|(w, c)| {
            rest.strip_suffix(w)
                .filter(|core| !core.is_empty())
                .map(|core| (core, *w, Some(*c)))
        })
        .unwrap_or((rest, "", None))
}

/// Whether `short` can be read as an abbreviation of `long` (both without their
/// administrative prefix): its characters appear in order in `long`, it starts with the
/// same character, and it ends with the character that abbreviates `long`'s unit word
/// (`经信委` / `经济和信息化委员会`, `空间中心` / `空间信息工程研究中心`).
fn abbreviates(short: &str, long: &str) -> bool {
    let (s, l): (Vec<char>, Vec<char>) = (short.chars().collect(), long.chars().collect());
    if s.len() < 2 || l.len() <= s.len() || s.first() != l.first() {
        return false;
    }
    let (_, _, unit) = split_unit(long);
    let last = s.last().copied();
    if unit.is_none() || !(last == unit || last == l.last().copied()) {
        return false;
    }
    let mut rest = l.iter();
    s.iter().all(|c| rest.any(|x| x == c))
}

/// Owner names (with their row counts) that are probably one unit written two ways,
/// best reasons first. Names at different administrative levels (`省…` and `市…`) are
/// never paired.
pub fn suggest(names: &[(String, usize)]) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for (i, (a, na)) in names.iter().enumerate() {
        for (b, nb) in &names[i + 1..] {
            let ((pa, ra), (pb, rb)) = (split_prefix(a), split_prefix(b));
            if pa != pb || ra.is_empty() || rb.is_empty() {
                continue;
            }
            let (short, long, ns, nl) = if ra.chars().count() <= rb.chars().count() {
                (a, b, *na, *nb)
            } else {
                (b, a, *nb, *na)
            };
            let (rs, rl) = (split_prefix(short).1, split_prefix(long).1);
            let (cs, us, _) = split_unit(rs);
            let (cl, ul, _) = split_unit(rl);
            let why = if abbreviates(rs, rl) {
                Some(format!("`{short}` abbreviates `{long}`"))
            } else if cs == cl && cs.chars().count() >= 2 && us != ul {
                Some(format!("same core `{cs}`, unit `{us}` / `{ul}`"))
            } else {
                let d = edit_distance(a, b);
                let len = a.chars().count().min(b.chars().count());
                let close = (len >= 4 && d == 1) || (len >= 8 && d == 2);
                close.then(|| format!("{d} character(s) apart"))
            };
            if let Some(why) = why {
                // The rarer spelling is the alias, unless one abbreviates the other.
                let abbreviation = why.contains("abbreviates");
                let (alias, canonical, alias_rows, canonical_rows) = if abbreviation || ns < nl {
                    (short, long, ns, nl)
                } else {
                    (long, short, nl, ns)
                };
                out.push(Suggestion {
                    alias: alias.clone(),
                    canonical: canonical.clone(),
                    why,
                    alias_rows,
                    canonical_rows,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        let rank = |s: &Suggestion| {
            if s.why.contains("abbreviates") {
                0
            } else if s.why.starts_with("same core") {
                1
            } else {
                2
            }
        };
        rank(x)
            .cmp(&rank(y))
            .then_with(|| x.alias.cmp(&y.alias))
            .then_with(|| x.canonical.cmp(&y.canonical))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Aliases, Error> {
        Aliases::parse(&Source::new("aliases.csv", text))
    }

    #[test]
    fn chains_and_years_resolve() {
        let a = parse(
            "# illustrative\nalias,canonical,from,to\n省数字办,省大数据局,2000,2018\n省大数据局,省数据管理局,,\n省经信委,省经济和信息化委员会,,\n",
        )
        .unwrap();
        let m = a.mapping(Some(2010));
        assert_eq!(m["省数字办"], "省数据管理局");
        assert_eq!(m["省经信委"], "省经济和信息化委员会");
        let m = a.mapping(Some(2020));
        assert!(!m.contains_key("省数字办"));
        let m = a.mapping(None);
        assert!(!m.contains_key("省数字办"));
        assert_eq!(m["省大数据局"], "省数据管理局");
    }

    #[test]
    fn conflicts_and_cycles_name_their_rows() {
        let e = parse("alias,canonical,from,to\nA,B,2000,2010\nA,C,2010,2020\n").unwrap_err();
        assert_eq!(e.code(), Code::AliasesConflict);
        assert_eq!(e.line_col().map(|l| l.0), Some(3));
        assert!(parse("alias,canonical,from,to\nA,B,2000,2009\nA,C,2010,2020\n").is_ok());
        let e = parse("alias,canonical\nA,B\nB,C\nC,A\n").unwrap_err();
        assert_eq!(e.code(), Code::AliasesCycle);
        assert!(e.message().contains("A → B → C → A"), "{}", e.message());
        // A circle only in some years is still one.
        let e = parse("alias,canonical,from,to\nA,B,2015,\nB,A,,2016\n").unwrap_err();
        assert_eq!(e.code(), Code::AliasesCycle);
        assert!(parse("alias,canonical,from,to\nA,B,2017,\nB,A,,2016\n").is_ok());
        let e = parse("alias,canonical,from,to\nA,B,20x0,\n").unwrap_err();
        assert_eq!(e.code(), Code::AliasesYear);
        let e = parse("name,target\nA,B\n").unwrap_err();
        assert_eq!(e.code(), Code::AliasesHeader);
    }

    #[test]
    fn near_duplicates_are_suggested() {
        let names: Vec<(String, usize)> = [
            ("省经信委", 3),
            ("省经济和信息化委员会", 1),
            ("省空间中心", 1),
            ("省空间信息工程研究中心", 1),
            ("省卫生厅", 2),
            ("市卫生厅", 1),
            ("省经信厅", 1),
            ("省数字办", 5),
        ]
        .iter()
        .map(|(n, c)| (n.to_string(), *c))
        .collect();
        let s = suggest(&names);
        let pairs: Vec<(&str, &str)> = s
            .iter()
            .map(|s| (s.alias.as_str(), s.canonical.as_str()))
            .collect();
        assert!(
            pairs.contains(&("省经信委", "省经济和信息化委员会")),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("省空间中心", "省空间信息工程研究中心")),
            "{pairs:?}"
        );
        assert!(pairs.contains(&("省经信厅", "省经信委")), "{pairs:?}");
        assert!(!pairs
            .iter()
            .any(|(a, b)| a.contains("市卫生") || b.contains("市卫生")));
        assert!(!pairs
            .iter()
            .any(|(a, b)| *a == "省数字办" || *b == "省数字办"));
    }
}
