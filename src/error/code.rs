//! Every stable error code planq reports, in one table.
//!
//! A code names a kind of failure for machines (`planq::check::unknown_column`): it is
//! printed in diagnostics, serialised in JSON errors and stored in the `warnings` table,
//! and scripts and tests match on it, so its string never changes once published. In the
//! code it is a [`Code`] value: the compiler checks every use, the session matches on
//! variants instead of comparing strings, and [`Code::ALL`] lists them for docs and tests.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`Code`] from `Variant = "planq::…"` rows: the enum, its strings and `ALL`.
macro_rules! codes {
    ($($(#[$group:meta])* $variant:ident = $code:literal,)*) => {
        /// A stable error or warning code; its string is what users see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$group])* #[doc = concat!("`", $code, "`")] $variant,)*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable string, e.g. `planq::check::unknown_column`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }
        }
    };
}

codes! {
    Cancelled = "planq::cancelled",
    Execute = "planq::execute",
    Frames = "planq::frames",
    Internal = "planq::internal",
    Io = "planq::io",
    More = "planq::more",
    AliasesApplied = "planq::aliases::applied",
    AliasesApply = "planq::aliases::apply",
    AliasesConflict = "planq::aliases::conflict",
    AliasesCycle = "planq::aliases::cycle",
    AliasesEmpty = "planq::aliases::empty",
    AliasesHeader = "planq::aliases::header",
    AliasesMissing = "planq::aliases::missing",
    AliasesNoYear = "planq::aliases::no_year",
    AliasesSelf = "planq::aliases::self",
    AliasesSyntax = "planq::aliases::syntax",
    AliasesYear = "planq::aliases::year",
    ChartEmpty = "planq::chart::empty",
    ChartNoNumericColumn = "planq::chart::no_numeric_column",
    ChartNotNumeric = "planq::chart::not_numeric",
    ChartUnknownColumn = "planq::chart::unknown_column",
    CheckAggregateOutside = "planq::check::aggregate_outside",
    CheckArity = "planq::check::arity",
    CheckBadRegex = "planq::check::bad_regex",
    CheckDuplicateColumn = "planq::check::duplicate_column",
    CheckExpectedAggregate = "planq::check::expected_aggregate",
    CheckNestedAggregate = "planq::check::nested_aggregate",
    CheckNotACondition = "planq::check::not_a_condition",
    CheckTypeMismatch = "planq::check::type_mismatch",
    CheckUnknownColumn = "planq::check::unknown_column",
    CheckUnknownFunction = "planq::check::unknown_function",
    CheckUnknownParam = "planq::check::unknown_param",
    CheckUnknownTable = "planq::check::unknown_table",
    CompileInternal = "planq::compile::internal",
    CorpusAlreadyLoaded = "planq::corpus::already_loaded",
    CorpusBadFiles = "planq::corpus::bad_files",
    CorpusEmpty = "planq::corpus::empty",
    CorpusEmptyDirectory = "planq::corpus::empty_directory",
    CorpusNoMatch = "planq::corpus::no_match",
    CorpusWarnings = "planq::corpus::warnings",
    DotBadArgument = "planq::dot::bad_argument",
    DotExists = "planq::dot::exists",
    DotMissingArgument = "planq::dot::missing_argument",
    DotNoResult = "planq::dot::no_result",
    DotSaveAfterFailure = "planq::dot::save_after_failure",
    DotTooDeep = "planq::dot::too_deep",
    DotUnknownCommand = "planq::dot::unknown_command",
    DotUnknownExtension = "planq::dot::unknown_extension",
    DotUnknownFunction = "planq::dot::unknown_function",
    DotUnknownParam = "planq::dot::unknown_param",
    DotUnknownTable = "planq::dot::unknown_table",
    DotUnsafe = "planq::dot::unsafe",
    EngineNoQuery = "planq::engine::no_query",
    EngineStaleLet = "planq::engine::stale_let",
    EngineTableExists = "planq::engine::table_exists",
    /// A chain of `let`s builds a plan with more stages than planq accepts.
    EngineTooManyStages = "planq::engine::too_many_stages",
    ExecuteOverflow = "planq::execute::overflow",
    ExportExists = "planq::export::exists",
    ExportUnknownTable = "planq::export::unknown_table",
    ExportUsage = "planq::export::usage",
    HintAllNull = "planq::hint::all_null",
    HintJoinWithoutPlan = "planq::hint::join_without_plan",
    HintNoMatch = "planq::hint::no_match",
    HintNoRows = "planq::hint::no_rows",
    IoStdoutClosed = "planq::io::stdout_closed",
    LimitRows = "planq::limit::rows",
    LimitTime = "planq::limit::time",
    OutputBinaryToTerminal = "planq::output::binary_to_terminal",
    OutputExists = "planq::output::exists",
    OutputFormat = "planq::output::format",
    /// A malformed or impossible date.
    ParseBadDate = "planq::parse::bad_date",
    /// An unknown `\` escape in a string.
    ParseBadEscape = "planq::parse::bad_escape",
    /// A malformed or out-of-range number.
    ParseBadNumber = "planq::parse::bad_number",
    /// `a < b < c`.
    ParseChainedComparison = "planq::parse::chained_comparison",
    /// [`parse_query`](super::super::parse_query) on empty input.
    ParseEmpty = "planq::parse::empty",
    /// ``` `` ``` — a name must not be empty.
    ParseEmptyName = "planq::parse::empty_name",
    /// Something else was expected here.
    ParseExpected = "planq::parse::expected",
    /// `summarize` item without any call (`summarize value`).
    ParseExpectedAggregate = "planq::parse::expected_aggregate",
    /// `derive` item without a name.
    ParseMissingAlias = "planq::parse::missing_alias",
    /// [`parse_query`](super::super::parse_query) on a `let` statement.
    ParseNotAQuery = "planq::parse::not_a_query",
    /// A reserved word used as a name.
    ParseReservedWord = "planq::parse::reserved_word",
    /// `=` used to compare.
    ParseSingleEquals = "planq::parse::single_equals",
    /// Brackets, prefix operators or sub-pipelines nested too deeply.
    ParseTooDeep = "planq::parse::too_deep",
    /// A pipeline with more stages than planq accepts.
    ParseTooManyStages = "planq::parse::too_many_stages",
    /// Text left over after a complete statement or expression.
    ParseTrailingInput = "planq::parse::trailing_input",
    /// `(` or `[` never closed.
    ParseUnclosedBracket = "planq::parse::unclosed_bracket",
    /// A backtick name without its closing backtick.
    ParseUnclosedName = "planq::parse::unclosed_name",
    /// A string or date literal without its closing quote.
    ParseUnclosedString = "planq::parse::unclosed_string",
    /// A character that starts no token.
    ParseUnexpectedChar = "planq::parse::unexpected_char",
    /// A word after `|` that is not a stage verb.
    ParseUnknownVerb = "planq::parse::unknown_verb",
    /// `)` or `]` with nothing to close.
    ParseUnmatchedBracket = "planq::parse::unmatched_bracket",
    /// `&&`, `||`, `!`, `&` or `<>` instead of `and`, `or`, `not`, `!=`.
    ParseWrongOperator = "planq::parse::wrong_operator",
    PlanBadDocx = "planq::plan::bad_docx",
    PlanBadSpreadsheet = "planq::plan::bad_spreadsheet",
    PlanBadZip = "planq::plan::bad_zip",
    PlanBareNumeral = "planq::plan::bare_numeral",
    PlanCsvQuote = "planq::plan::csv_quote",
    PlanDamaged = "planq::plan::damaged",
    PlanDeadline = "planq::plan::deadline",
    PlanDeadlineYear = "planq::plan::deadline_year",
    PlanDebris = "planq::plan::debris",
    PlanDocxNoDocument = "planq::plan::docx_no_document",
    PlanEncoding = "planq::plan::encoding",
    PlanEncrypted = "planq::plan::encrypted",
    PlanFormatNotBuilt = "planq::plan::format_not_built",
    PlanItemBeforeHeading = "planq::plan::item_before_heading",
    PlanLegacyDoc = "planq::plan::legacy_doc",
    PlanLostNumeral = "planq::plan::lost_numeral",
    PlanNoTaskTable = "planq::plan::no_task_table",
    PlanNoTasks = "planq::plan::no_tasks",
    PlanNumbering = "planq::plan::numbering",
    PlanOdt = "planq::plan::odt",
    PlanOwnerClause = "planq::plan::owner_clause",
    PlanOwnerLabel = "planq::plan::owner_label",
    PlanOwnerName = "planq::plan::owner_name",
    PlanPdf = "planq::plan::pdf",
    PlanSheetSkipped = "planq::plan::sheet_skipped",
    PlanSheetTooLarge = "planq::plan::sheet_too_large",
    PlanStrict = "planq::plan::strict",
    PlanTableRow = "planq::plan::table_row",
    PlanUnknownZip = "planq::plan::unknown_zip",
    PlanUnplacedOwners = "planq::plan::unplaced_owners",
    PlanUnplacedText = "planq::plan::unplaced_text",
    PlanWrapped = "planq::plan::wrapped",
    ProgressAmbiguousTarget = "planq::progress::ambiguous_target",
    ProgressBadDate = "planq::progress::bad_date",
    ProgressBadJson = "planq::progress::bad_json",
    ProgressBadNumber = "planq::progress::bad_number",
    ProgressBadRow = "planq::progress::bad_row",
    ProgressDuplicate = "planq::progress::duplicate",
    ProgressDuplicateColumn = "planq::progress::duplicate_column",
    ProgressDuplicateField = "planq::progress::duplicate_field",
    ProgressEmpty = "planq::progress::empty",
    ProgressEncoding = "planq::progress::encoding",
    ProgressExtraFields = "planq::progress::extra_fields",
    ProgressInvalid = "planq::progress::invalid",
    ProgressMissingColumn = "planq::progress::missing_column",
    ProgressMissingValue = "planq::progress::missing_value",
    ProgressStrayLineBreak = "planq::progress::stray_line_break",
    ProgressUnclosedQuote = "planq::progress::unclosed_quote",
    ProgressUnknownColumn = "planq::progress::unknown_column",
    ProgressUnknownPlan = "planq::progress::unknown_plan",
    ProgressUnknownTarget = "planq::progress::unknown_target",
    TableBadName = "planq::table::bad_name",
    TableBlankLine = "planq::table::blank_line",
    TableCellType = "planq::table::cell_type",
    TableDatetime = "planq::table::datetime",
    TableDirectory = "planq::table::directory",
    TableDuplicateName = "planq::table::duplicate_name",
    TableEmpty = "planq::table::empty",
    TableEncoding = "planq::table::encoding",
    TableHeader = "planq::table::header",
    TableMalformedJson = "planq::table::malformed_json",
    TableMalformedRow = "planq::table::malformed_row",
    TableNested = "planq::table::nested",
    TableNoRows = "planq::table::no_rows",
    TableNotAnArray = "planq::table::not_an_array",
    TableNotAnObject = "planq::table::not_an_object",
    TableOtherType = "planq::table::other_type",
    TablePlanTable = "planq::table::plan_table",
    TableSchema = "planq::table::schema",
    TableSeparator = "planq::table::separator",
    TableSpec = "planq::table::spec",
    TableUnclosedQuote = "planq::table::unclosed_quote",
    TableUnknownColumn = "planq::table::unknown_column",
    TableUnknownFormat = "planq::table::unknown_format",
    TableUnreadable = "planq::table::unreadable",
    TableWrongFormat = "planq::table::wrong_format",
}

impl Code {
    /// The code whose string is `s`, if there is one (for codes read back from JSON).
    pub fn from_str_opt(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        Code::from_str_opt(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{s}`")))
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes are unique, all under `planq::`, lower snake case: they are published names.
    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.starts_with("planq::"), "{s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase()
                    || ch.is_ascii_digit()
                    || ch == '_'
                    || ch == ':'),
                "{s}"
            );
            assert_eq!(Code::from_str_opt(s), Some(*c));
        }
        assert_eq!(
            Code::CheckUnknownColumn.to_string(),
            "planq::check::unknown_column"
        );
    }

    /// Every `planq::…` the docs name is a code that exists (or one of the library paths
    /// they name), so a renamed or removed code cannot live on in the docs.
    #[test]
    fn the_docs_name_only_real_codes() {
        let docs = [
            include_str!("../../README.md"),
            include_str!("../../grammar/README.md"),
            include_str!("../../ARCHITECTURE.md"),
        ];
        let rust_paths = ["cli", "diagnostics", "polars", "render"];
        let mut named = 0;
        for doc in docs {
            for (at, _) in doc.match_indices("planq::") {
                let end = doc[at..]
                    .find(|c: char| {
                        !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
                    })
                    .map_or(doc.len(), |n| at + n);
                let path = doc[at..end].trim_end_matches(':');
                // `planq::Engine`, `planq::{…}`: Rust paths, not codes.
                let Some(area) = path.split("::").nth(1) else {
                    continue;
                };
                if rust_paths.contains(&area) {
                    continue;
                }
                assert!(
                    Code::from_str_opt(path).is_some(),
                    "the docs name `{path}`, which is no code"
                );
                named += 1;
            }
        }
        assert!(named > 30, "only {named} codes found in the docs");
    }
}
