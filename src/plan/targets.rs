//! Numeric targets in task text: `建成2000个民生信息化社区`, `宽带率达到96%`,
//! `为200万农民提供…`, `百分之九十八`. Years, plan periods (`十二五`), `3G`, hotline and
//! system numbers (`12345热线`, `211海峡…系统`), phases (`二期`) and levels (`三级`) are not
//! targets: a count needs a counter word, a percent sign or a `万`/`亿` multiplier.

use super::char_set::CharSet;
use super::numbers::{read_number, Found};
use super::{Direction, Target};

/// A target found in text, before it is given an id and a line.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTarget {
    /// What is counted.
    pub metric: String,
    /// The normalised value.
    pub value: f64,
    /// Unit or counter.
    pub unit: String,
    /// `以上`, `超`, `不少于`, `达到`, `以内`, `不超过`, `控制在`, `下降到`, `左右` or empty.
    pub qualifier: String,
    /// Which side of the value meets the target.
    pub direction: Direction,
    /// The source phrase.
    pub text: String,
    /// Char index of the number in the scanned text.
    pub at: usize,
}

impl RawTarget {
    /// The target as the plan model keeps it: the `n`th (1-based) target of task `task_id`,
    /// on source line `line`.
    pub fn into_target(self, task_id: &str, n: usize, line: u32) -> Target {
        Target {
            id: target_id(task_id, n),
            metric: self.metric,
            value: self.value,
            unit: self.unit,
            qualifier: self.qualifier,
            direction: self.direction,
            text: self.text,
            line,
        }
    }
}

/// `<task_id>#<n>`, made without the formatting machinery (a plan has a target id per
/// target, millions in a large one).
fn target_id(task_id: &str, n: usize) -> String {
    use std::fmt::Write;
    let mut id = String::with_capacity(task_id.len() + 3);
    id.push_str(task_id);
    id.push('#');
    if n < 10 {
        id.push(char::from(b'0' + n as u8));
    } else {
        let _ = write!(id, "{n}");
    }
    id
}

/// Counter words and units, longest first so that `平方公里` wins over `公里`: the list
/// that [`counter_at`] reads by first char, kept for its test.
#[cfg(test)]
const COUNTERS: &[&str] = &[
    "平方公里",
    "平方米",
    "人次",
    "万元",
    "亿元",
    "萬元",
    "億元",
    "個",
    "項",
    "戶",
    "條",
    "臺",
    "張",
    "輛",
    "棟",
    "種",
    "類",
    "處",
    "盏",
    "盞",
    "公里",
    "千米",
    "兆",
    "个",
    "所",
    "家",
    "户",
    "人",
    "名",
    "座",
    "条",
    "项",
    "套",
    "台",
    "件",
    "张",
    "部",
    "本",
    "辆",
    "栋",
    "间",
    "亩",
    "吨",
    "元",
    "次",
    "处",
    "种",
    "类",
    "支",
    "批",
];

/// Characters that end a metric phrase after the unit, or start a target phrase before it
/// (a table lookup: it runs for every char of every phrase, see [`CharSet`]; the unit
/// test `char_tables_hold_their_lists` checks the table against this list).
fn is_stop(c: char) -> bool {
    STOPS.contains(c)
}

/// The chars of [`is_stop`].
const STOP_CHARS: &[char] = &[
    '，', '。', '；', '、', ',', '.', ';', '：', ':', '（', '(', '）', ')', '“', '”', '"', '\n',
    ' ', '\u{3000}', '！', '？', '和', '与', '及', '或', '的', '等',
];

/// [`STOP_CHARS`] as a table.
const STOPS: CharSet = CharSet::new(false, STOP_CHARS);

/// Verbs that end a metric phrase (`200万农民提供…` → `农民`).
const METRIC_STOP_WORDS: &[&str] = &[
    "提供", "实现", "完成", "建设", "开展", "覆盖", "接入", "使用", "开通", "达到", "参加", "参与",
    "享受", "获得", "纳入", "以上", "左右", "以内",
];

/// Whether `c` is the first character of one of [`METRIC_STOP_WORDS`], to skip the full
/// comparison quickly (a table lookup, asked of every char of a metric).
fn may_start_metric_stop(c: char) -> bool {
    METRIC_STOP_STARTS.contains(c)
}

/// The first chars of [`METRIC_STOP_WORDS`] (`first_char_tests_cover_their_lists` checks
/// that every word starts with one).
const METRIC_STOP_STARTS: CharSet = CharSet::new(
    false,
    &[
        '提', '实', '完', '建', '开', '覆', '接', '使', '达', '参', '享', '获', '纳', '以', '左',
    ],
);

/// The word of [`COUNTERS`] at `at`: the one its linear search finds (the longest), found
/// by the first char instead. Only the words that share a first char compete, and most
/// counters are one char, given as the text's own char. The search went through up to 50
/// words, decoding each, after every number (`counter_at_is_the_first_counter_listed`
/// checks the two against each other).
fn counter_at<'a>(chars: &[char], src: &Source<'a>, at: usize) -> Option<&'a str> {
    let c = *chars.get(at)?;
    let longer: &[&'static str] = match c {
        '平' => &["平方公里", "平方米"],
        '人' => &["人次"],
        '万' => &["万元"],
        '亿' => &["亿元"],
        '萬' => &["萬元"],
        '億' => &["億元"],
        '公' => &["公里"],
        '千' => &["千米"],
        _ => &[],
    };
    if let Some(&word) = longer.iter().find(|w| starts_with_at(chars, at, w)) {
        return Some(word);
    }
    ONE_CHAR_COUNTERS.contains(c).then(|| src.str(at, at + 1))
}

/// The [`COUNTERS`] of one char.
const ONE_CHAR_COUNTERS: CharSet = CharSet::new(
    false,
    &[
        '個', '項', '戶', '條', '臺', '張', '輛', '棟', '種', '類', '處', '盏', '盞', '兆', '个',
        '所', '家', '户', '人', '名', '座', '条', '项', '套', '台', '件', '张', '部', '本', '辆',
        '栋', '间', '亩', '吨', '元', '次', '处', '种', '类', '支', '批',
    ],
);

/// Leading verbs dropped from a metric read before its number (`新建5G基站1.5万个`).
const LEADING_VERBS: &[&str] = &[
    "新建", "新增", "建成", "建设", "完成", "实现", "推动", "推进", "开通", "累计", "培训", "发展",
    "打造", "培育", "认定", "引进",
];

/// Quotes may sit inside a metric (`20项“一件事”集成服务`); they are dropped from it.
fn is_quote(c: char) -> bool {
    QUOTES.contains(c)
}

/// The chars of [`is_quote`].
const QUOTE_CHARS: &[char] = &['“', '”', '"', '《', '》', '‘', '’'];

/// [`QUOTE_CHARS`] as a table.
const QUOTES: CharSet = CharSet::new(false, QUOTE_CHARS);

/// Leading scope words dropped from metrics (`全省建制村宽带率` → `建制村宽带率`).
const SCOPES: &[&str] = &["全省", "全市", "全国", "全县", "全区", "全面", "省级"];

/// Latin units written straight after a number (`62Tbps`, `5EFLOPS`, `1000M宽带`,
/// `100PB`), longest first. `G` is not among them: `5G` and `10G-PON` are names.
const LATIN_UNITS: &[&str] = &[
    "EFLOPS", "PFLOPS", "TFLOPS", "Tbps", "Gbps", "Mbps", "Kbps", "kbps", "EB", "PB", "TB", "GB",
    "GW", "MW", "kW", "KW", "km", "M",
];

/// Prefix qualifiers, longest first, mapped to the canonical form.
const PREFIX_QUALIFIERS: &[(&str, &str)] = &[
    ("不超过", "不超过"),
    ("不高于", "不超过"),
    ("控制在", "控制在"),
    ("下降到", "下降到"),
    ("降低到", "下降到"),
    ("降至", "下降到"),
    ("压减到", "下降到"),
    ("压缩到", "下降到"),
    ("不超過", "不超过"),
    ("不少于", "不少于"),
    ("不少於", "不少于"),
    ("不低于", "不少于"),
    ("不低於", "不少于"),
    ("至少", "不少于"),
    ("超过", "超"),
    ("突破", "超"),
    ("超", "超"),
    ("达到", "达到"),
    ("達到", "达到"),
    ("超過", "超"),
    ("提高到", "达到"),
    ("提升到", "达到"),
    ("增加到", "达到"),
    ("达", "达到"),
];

/// Person nouns: a multiplied count without a counter (`200万农民`) is counted in `人`.
const PERSON_ENDINGS: &[char] = &['民', '人', '员', '者', '生', '户', '众'];

/// Suffix qualifiers after the number (and unit), with the direction they give.
const SUFFIX_QUALIFIERS: &[(&str, Direction)] = &[
    ("以上", Direction::AtLeast),
    ("以内", Direction::AtMost),
    ("以下", Direction::AtMost),
    ("左右", Direction::About),
];

/// The direction of a target from its qualifiers: `左右` is about, `以内`/`以下` and the
/// bounding prefixes (`不超过`, `控制在`, `下降到`) are at most, anything else at least.
fn direction(prefix: &str, suffix: Option<Direction>) -> Direction {
    match suffix {
        Some(d) if d != Direction::AtLeast => d,
        _ if matches!(prefix, "不超过" | "控制在" | "下降到") => Direction::AtMost,
        _ => Direction::AtLeast,
    }
}

/// The suffix qualifier at `at`, if any: (word, direction).
fn suffix_at(chars: &[char], at: usize) -> Option<(&'static str, Direction)> {
    // Every suffix starts with `以` or `左`.
    if !matches!(chars.get(at), Some('以' | '左')) {
        return None;
    }
    SUFFIX_QUALIFIERS
        .iter()
        .find(|(w, _)| starts_with_at(chars, at, w))
        .copied()
}

/// The text a run of chars was read from, with the byte where each char starts in it: a
/// part of the chars as a string is then a slice of the text, copied at once, not the
/// chars encoded one by one (that encoding was 9% of a 10k-task export's instructions,
/// most of it here).
pub struct Source<'a> {
    text: &'a str,
    starts: &'a [usize],
}

impl<'a> Source<'a> {
    /// `starts[i]` is where the `i`th char starts in `text`.
    pub fn new(text: &'a str, starts: &'a [usize]) -> Source<'a> {
        Source { text, starts }
    }

    /// The source of the chars from `from` on (as `&chars[from..]` is of the chars).
    pub fn from(&self, from: usize) -> Source<'a> {
        Source {
            text: self.text,
            starts: self.starts.get(from..).unwrap_or_default(),
        }
    }

    /// Chars `from..to` as the text has them.
    pub fn str(&self, from: usize, to: usize) -> &'a str {
        let at = |i: usize| self.starts.get(i).copied().unwrap_or(self.text.len());
        self.text.get(at(from)..at(to)).unwrap_or_default()
    }
}

/// Calls `f` with the chars of `text` and their [`Source`].
pub fn with_source<R>(text: &str, f: impl FnOnce(&[char], &Source) -> R) -> R {
    let (chars, starts): (Vec<char>, Vec<usize>) = text.char_indices().map(|(i, c)| (c, i)).unzip();
    f(&chars, &Source::new(text, &starts))
}

/// [`find_targets`] of a whole text, nothing masked.
pub fn targets_in(text: &str) -> Vec<RawTarget> {
    with_source(text, |chars, src| {
        find_targets(chars, src, &vec![false; chars.len()])
    })
}

/// Finds the targets in `chars`, read from `src`. `masked` marks chars to skip (owner
/// clauses). Numbers inside quotes or book titles (`“两张网”`, `“六个一”`) are slogans,
/// never targets.
pub fn find_targets(chars: &[char], src: &Source, masked: &[bool]) -> Vec<RawTarget> {
    let mut out = Vec::new();
    let mut i = 0;
    // Quote depth at `i`, kept by a second cursor so that chars skipped over by a target
    // still open and close quotes.
    let mut quoted = 0u32;
    let mut q = 0;
    while i < chars.len() {
        // Only a digit (Arabic or Chinese), `十` or the `百` of `百分之` starts a target:
        // every other char is passed over at once (the quote cursor catches up below).
        if !may_start_target(chars[i]) {
            i += 1;
            continue;
        }
        while q <= i {
            match chars[q] {
                '“' | '《' | '「' => quoted += 1,
                '”' | '》' | '」' => quoted = quoted.saturating_sub(1),
                '\n' | '。' => quoted = 0,
                _ => {}
            }
            q += 1;
        }
        if quoted > 0 || masked.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        if let Some((t, end)) = percent_words(chars, src, i) {
            out.push(t);
            i = end;
            continue;
        }
        match candidate(chars, i) {
            Some(found) => match classify(chars, src, i, found) {
                Some((t, end)) => {
                    out.push(t);
                    i = end;
                }
                None => i = found.end.max(i + 1),
            },
            None => i += 1,
        }
    }
    out
}

/// Whether a target may start at `c`: what [`read_number`] or [`percent_words`] reads
/// (asked of every char of every task: a table lookup, see [`CharSet`]).
#[inline]
fn may_start_target(c: char) -> bool {
    MAY_START_TARGET.contains(c)
}

/// The chars [`may_start_target`] accepts: ASCII digits, `十`, `百`, and every char
/// [`chinese_digit`](super::numbers::chinese_digit) reads (the unit test
/// `may_start_target_is_digits_ten_hundred` checks that the two agree).
const MAY_START_TARGET: CharSet = CharSet::new(
    true,
    &[
        '十', '百', '零', '〇', '一', '壹', '二', '两', '贰', '兩', '三', '叁', '四', '肆', '五',
        '伍', '六', '陆', '陸', '七', '柒', '八', '捌', '九', '玖',
    ],
);

/// A number starting at `i` that is not glued to letters, digits or an ordinal `第`.
fn candidate(chars: &[char], i: usize) -> Option<Found> {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    // `等三类`: an enumeration count, not a target.
    if prev.is_some_and(|p| p.is_ascii_alphanumeric() || matches!(p, '第' | '.' | '等' | '-')) {
        return None;
    }
    let found = read_number(chars, i)?;
    // 3G, 4G, 12345 followed by letters: technology names, not counts — unless the
    // letters are a unit (`62Tbps`, `1000M宽带`).
    if chars
        .get(found.end)
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && latin_unit(chars, found.end).is_none()
    {
        return None;
    }
    Some(found)
}

/// A Latin unit at `at` that ends there (not followed by more letters, digits or `-`).
fn latin_unit(chars: &[char], at: usize) -> Option<&'static str> {
    // Every Latin unit starts with an ASCII letter.
    if !chars.get(at).is_some_and(char::is_ascii_alphabetic) {
        return None;
    }
    LATIN_UNITS.iter().copied().find(|u| {
        let end = at + u.len();
        starts_with_at(chars, at, u)
            && !chars
                .get(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-')
    })
}

/// Decides whether the number at `start` is a target, and builds it.
fn classify(
    chars: &[char],
    src: &Source,
    start: usize,
    found: Found,
) -> Option<(RawTarget, usize)> {
    let after = found.end;
    if matches!(chars.get(after), Some('%' | '％')) {
        return Some(percent_target(chars, src, start, found.value, after + 1));
    }
    if let Some(unit) = latin_unit(chars, after) {
        let unit_end = after + unit.chars().count();
        return Some(count_target(chars, src, start, found.value, unit, unit_end));
    }
    if let Some(unit) = counter_at(chars, src, after) {
        let unit_end = after + unit.chars().count();
        // 一 with a counter is an idiom or an article (一件事, 一批, 一个平台), never a
        // measurable target; 两个, 三所 are.
        if found.chinese && found.value == 1.0 {
            return None;
        }
        return Some(count_target(chars, src, start, found.value, unit, unit_end));
    }
    if found.multiplied && !found.chinese {
        // `200万农民`: the noun is the counter; `用户突破1.6亿`: the noun stands before.
        let (mut metric, end) = metric_after(chars, src, after);
        if metric.is_empty() {
            let phrase_start = phrase_start(chars, start);
            let before = src.str(phrase_start, start);
            let (head, prefix) = strip_qualifier_suffix(before);
            // Only with a qualifier (`突破`, `达到`): a bare `2亿` is too often a remark.
            if prefix.is_empty() || head.is_empty() {
                return None;
            }
            metric = strip_scope(head);
        }
        let unit = if metric.ends_with(PERSON_ENDINGS) {
            "人"
        } else {
            ""
        };
        let phrase_start = phrase_start(chars, start);
        let qualifier = qualifier_before(src, phrase_start, start);
        let t = RawTarget {
            direction: direction(&qualifier, None),
            metric,
            value: found.value,
            unit: unit.to_string(),
            qualifier,
            text: src.str(phrase_start, end).to_string(),
            at: start,
        };
        return Some((t, end));
    }
    index_target(chars, src, start, found)
}

/// An index without a unit, bounded on both sides so that years and codes never qualify:
/// `居民消费价格涨幅控制在103左右` — a bounding verb before, `左右`/`以内`/`以上` after.
fn index_target(
    chars: &[char],
    src: &Source,
    start: usize,
    found: Found,
) -> Option<(RawTarget, usize)> {
    let (word, suffix) = suffix_at(chars, found.end)?;
    let phrase_start = phrase_start(chars, start);
    let before = src.str(phrase_start, start);
    let (metric, prefix) = strip_qualifier_suffix(before);
    if !matches!(prefix, "控制在" | "达到" | "不超过" | "下降到") && !before.ends_with("保持在")
    {
        return None;
    }
    let metric = strip_scope(metric.strip_suffix("保持在").unwrap_or(metric));
    let end = found.end + word.chars().count();
    let t = RawTarget {
        direction: direction(prefix, Some(suffix)),
        metric,
        value: found.value,
        unit: String::new(),
        qualifier: if suffix == Direction::AtLeast && !prefix.is_empty() {
            prefix.to_string()
        } else {
            word.to_string()
        },
        text: src.str(phrase_start, end).to_string(),
        at: start,
    };
    Some((t, end))
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(j, w)| chars.get(j) == Some(&w))
}

/// `百分之九十八` (or `百分之98`).
fn percent_words(chars: &[char], src: &Source, i: usize) -> Option<(RawTarget, usize)> {
    if !starts_with_at(chars, i, "百分之") {
        return None;
    }
    let found = read_number(chars, i + 3)?;
    Some(percent_target(chars, src, i, found.value, found.end))
}

fn percent_target(
    chars: &[char],
    src: &Source,
    start: usize,
    value: f64,
    end: usize,
) -> (RawTarget, usize) {
    let mut end = end;
    let mut qualifier = String::new();
    let suffix = suffix_at(chars, end);
    if let Some((word, _)) = suffix {
        qualifier = word.into();
        end += word.chars().count();
    }
    let phrase_start = phrase_start(chars, start);
    let before = src.str(phrase_start, start);
    let (head, prefix_q) = strip_qualifier_suffix(before);
    let direction = direction(prefix_q, suffix.map(|(_, d)| d));
    if qualifier.is_empty() {
        qualifier = prefix_q.to_string();
    }
    let metric = strip_scope(head);
    let t = RawTarget {
        direction,
        metric,
        value,
        unit: "%".into(),
        qualifier,
        text: src.str(phrase_start, end).to_string(),
        at: start,
    };
    (t, end)
}

fn count_target(
    chars: &[char],
    src: &Source,
    start: usize,
    value: f64,
    unit: &str,
    unit_end: usize,
) -> (RawTarget, usize) {
    let mut suffix = suffix_at(chars, unit_end);
    let mut m_start = unit_end;
    if let Some((w, _)) = suffix {
        m_start += w.chars().count();
    }
    let (mut metric, mut end) = metric_after(chars, src, m_start);
    if suffix.is_none() {
        suffix = suffix_at(chars, end);
        if let Some((w, _)) = suffix {
            end += w.chars().count();
        }
    }
    let phrase_start = phrase_start(chars, start);
    if metric.is_empty() {
        // `社区达到2000个`: the metric stands before the number; `设备　８００套` (a label,
        // a space, its count): before the space.
        let mut to = start;
        if phrase_start == start {
            while to > 0 && matches!(chars[to - 1], ' ' | '\u{3000}') {
                to -= 1;
            }
        }
        let from = if to < start {
            self::phrase_start(chars, to)
        } else {
            phrase_start
        };
        let before = src.str(from, to);
        metric = strip_scope(strip_qualifier_suffix(before).0);
    }
    let prefix = qualifier_before(src, phrase_start, start);
    let direction = direction(&prefix, suffix.map(|(_, d)| d));
    let qualifier = match suffix {
        Some((w, _)) => w.to_string(),
        None => prefix,
    };
    let t = RawTarget {
        direction,
        metric,
        value,
        unit: unit.to_string(),
        qualifier,
        text: src.str(phrase_start, end).to_string(),
        at: start,
    };
    (t, end)
}

/// The noun phrase after a unit, up to a stop character or stop word (at most 20 chars).
fn metric_after(chars: &[char], src: &Source, from: usize) -> (String, usize) {
    let mut j = from;
    let mut quoted = false;
    while j < chars.len() && j - from < 20 && (is_quote(chars[j]) || !is_stop(chars[j])) {
        quoted |= is_quote(chars[j]);
        if j > from
            && may_start_metric_stop(chars[j])
            && METRIC_STOP_WORDS
                .iter()
                .any(|w| starts_with_at(chars, j, w))
        {
            break;
        }
        if chars[j].is_ascii_digit() {
            break;
        }
        j += 1;
    }
    let mut metric = src.str(from, j).to_string();
    // Most metrics hold no quote: not rewritten char by char for none.
    if quoted {
        metric.retain(|c| !is_quote(c));
    }
    (metric, j)
}

/// Where the phrase holding the number at `at` begins: after the previous stop character.
fn phrase_start(chars: &[char], at: usize) -> usize {
    let mut j = at;
    while j > 0 && !is_stop(chars[j - 1]) {
        j -= 1;
    }
    j
}

/// The qualifier written just before the number (`超过100万户` → `超`).
fn qualifier_before(src: &Source, phrase_start: usize, at: usize) -> String {
    let before = src.str(phrase_start, at);
    strip_qualifier_suffix(before).1.to_string()
}

/// Splits a trailing qualifier off `before`: (`宽带率`, `达到`) from `宽带率达到`.
fn strip_qualifier_suffix(before: &str) -> (&str, &'static str) {
    // Every qualifier ends with one of these: any other last char skips the list (asked
    // before every number).
    let may_end_qualifier = before.chars().next_back().is_some_and(|c| {
        matches!(
            c,
            '过' | '于' | '在' | '到' | '至' | '於' | '少' | '破' | '超' | '過' | '达'
        )
    });
    for (word, canonical) in PREFIX_QUALIFIERS.iter().filter(|_| may_end_qualifier) {
        if let Some(head) = before.strip_suffix(word) {
            return (head, canonical);
        }
    }
    let head = before
        .strip_suffix('为')
        .or_else(|| before.strip_suffix('是'))
        .unwrap_or(before);
    (head, "")
}

/// Drops leading scope words and verbs that are not part of what is counted.
fn strip_scope(metric: &str) -> String {
    let mut m = metric;
    // Every word dropped starts with one of these; a metric that starts with none keeps
    // its start through the whole list (asked of every target).
    let may_strip = m.chars().next().is_some_and(|c| {
        matches!(
            c,
            '全' | '省'
                | '新'
                | '建'
                | '完'
                | '实'
                | '推'
                | '开'
                | '累'
                | '培'
                | '发'
                | '打'
                | '认'
                | '引'
        )
    });
    for s in SCOPES.iter().chain(LEADING_VERBS).filter(|_| may_strip) {
        if let Some(rest) = m.strip_prefix(s) {
            if !rest.is_empty() {
                m = rest;
            }
        }
    }
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::numbers::chinese_digit;

    #[test]
    fn may_start_target_is_digits_ten_hundred() {
        // Every char, against the predicate the table replaced.
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let expected =
                c.is_ascii_digit() || matches!(c, '十' | '百') || chinese_digit(c).is_some();
            assert_eq!(may_start_target(c), expected, "{c:?}");
        }
    }

    /// The counter found by the first char is the one the list's linear search finds:
    /// after every char of the plane, alone and followed by each char of a counter word
    /// (which makes every word and every prefix of one).
    #[test]
    fn counter_at_is_the_first_counter_listed() {
        let mut follow: Vec<char> = COUNTERS.iter().flat_map(|w| w.chars()).collect();
        follow.extend(['x', '。']);
        follow.sort_unstable();
        follow.dedup();
        let linear = |chars: &[char]| {
            COUNTERS
                .iter()
                .find(|u| starts_with_at(chars, 0, u))
                .map(|u| u.to_string())
        };
        let check = |text: &str| {
            with_source(text, |chars, src| {
                let found = counter_at(chars, src, 0).map(str::to_string);
                assert_eq!(found, linear(chars), "{text:?}");
            })
        };
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            check(&c.to_string());
        }
        for w in COUNTERS {
            let first: String = w.chars().take(1).collect();
            for k in 1..=w.chars().count() {
                let prefix: String = w.chars().take(k).collect();
                for &f in &follow {
                    check(&format!("{prefix}{f}"));
                    check(&format!("{first}{f}"));
                }
            }
        }
    }

    /// The qualifier split and the scope strip skip their lists by a char: the result is
    /// the lists' own, for every word of them in every place, and for text around them.
    #[test]
    fn qualifier_and_scope_fast_paths_agree_with_the_lists() {
        let slow_qualifier = |before: &str| -> (String, String) {
            for (word, canonical) in PREFIX_QUALIFIERS {
                if let Some(head) = before.strip_suffix(word) {
                    return (head.to_string(), canonical.to_string());
                }
            }
            let head = before
                .strip_suffix('为')
                .or_else(|| before.strip_suffix('是'))
                .unwrap_or(before);
            (head.to_string(), String::new())
        };
        let slow_scope = |metric: &str| -> String {
            let mut m = metric;
            for s in SCOPES.iter().chain(LEADING_VERBS) {
                if let Some(rest) = m.strip_prefix(s) {
                    if !rest.is_empty() {
                        m = rest;
                    }
                }
            }
            m.to_string()
        };
        let mut words: Vec<&str> = PREFIX_QUALIFIERS.iter().map(|(w, _)| *w).collect();
        words.extend(SCOPES.iter().chain(LEADING_VERBS));
        words.extend(["", "为", "是", "宽带率", "x"]);
        for a in &words {
            for b in &words {
                for c in ["", "社区", "全"] {
                    let text = format!("{c}{a}{b}");
                    let (head, q) = strip_qualifier_suffix(&text);
                    assert_eq!(
                        (head.to_string(), q.to_string()),
                        slow_qualifier(&text),
                        "{text:?}"
                    );
                    assert_eq!(strip_scope(&text), slow_scope(&text), "{text:?}");
                    let text = format!("{a}{b}{c}");
                    assert_eq!(strip_scope(&text), slow_scope(&text), "{text:?}");
                }
            }
        }
    }

    /// The tables hold their lists' chars and no other, over every char.
    #[test]
    fn char_tables_hold_their_lists() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_stop(c), STOP_CHARS.contains(&c), "{c:?}");
            assert_eq!(is_quote(c), QUOTE_CHARS.contains(&c), "{c:?}");
            let starts_stop_word = METRIC_STOP_WORDS.iter().any(|w| w.starts_with(c));
            if starts_stop_word {
                assert!(may_start_metric_stop(c), "{c:?}");
            }
        }
    }

    /// A run of chars from a [`Source`] is the string those chars make: chars of one to
    /// four bytes, every run, from every start (`from`).
    #[test]
    fn source_runs_are_the_strings_of_their_chars() {
        let text = "é中𝄞x建成2000个\n（省数字办牵头）";
        with_source(text, |chars, src| {
            let string = |run: &[char]| run.iter().collect::<String>();
            for a in 0..=chars.len() {
                for b in a..=chars.len() {
                    assert_eq!(src.str(a, b), string(&chars[a..b]), "{a}..{b}");
                }
                let rest = src.from(a);
                for b in 0..=chars.len() - a {
                    assert_eq!(rest.str(0, b), string(&chars[a..a + b]), "from {a}, ..{b}");
                }
            }
        });
    }

    fn targets(text: &str) -> Vec<(String, f64, String, String, String)> {
        targets_in(text)
            .into_iter()
            .map(|t| (t.metric, t.value, t.unit, t.qualifier, t.text))
            .collect()
    }

    fn t(m: &str, v: f64, u: &str, q: &str, text: &str) -> (String, f64, String, String, String) {
        (m.into(), v, u.into(), q.into(), text.into())
    }

    #[test]
    fn first_char_tests_cover_their_lists() {
        for w in METRIC_STOP_WORDS {
            assert!(may_start_metric_stop(w.chars().next().unwrap()), "{w}");
        }
        for (w, _) in SUFFIX_QUALIFIERS {
            assert!(matches!(w.chars().next(), Some('以' | '左')), "{w}");
        }
        for w in LATIN_UNITS {
            assert!(w.chars().next().unwrap().is_ascii_alphabetic(), "{w}");
        }
    }

    #[test]
    fn counts_and_percents() {
        assert_eq!(
            targets("建成2000个民生信息化社区，建设社区信息服务站"),
            vec![t(
                "民生信息化社区",
                2000.0,
                "个",
                "",
                "建成2000个民生信息化社区"
            )]
        );
        assert_eq!(
            targets("完成438个建制村通宽带，全省建制村宽带率达到96%；"),
            vec![
                t("建制村通宽带", 438.0, "个", "", "完成438个建制村通宽带"),
                t("建制村宽带率", 96.0, "%", "达到", "全省建制村宽带率达到96%"),
            ]
        );
        assert_eq!(
            targets("为200万农民提供移动手机报"),
            vec![t("农民", 2e6, "人", "", "为200万农民")]
        );
        assert_eq!(
            targets("入网率百分之九十八以上"),
            vec![t("入网率", 98.0, "%", "以上", "入网率百分之九十八以上")]
        );
        assert_eq!(
            targets("新增1.5万个基站和超过100万户"),
            vec![
                t("基站", 15000.0, "个", "", "新增1.5万个基站"),
                t("", 1e6, "户", "超", "超过100万户"),
            ]
        );
        assert_eq!(
            targets("建设全省海峡旅游超市与WAP手机两个网站"),
            vec![t("网站", 2.0, "个", "", "WAP手机两个网站")]
        );
    }

    #[test]
    fn non_targets() {
        for text in [
            "2010年是实施“十一五”规划的最后一年",
            "利用3G等技术手段，推进4G和5G",
            "建立福建12301旅游服务热线等系统，推广12345政府服务热线",
            "建设211海峡旅游服务系统",
            "开展“金土工程”二期、金盾工程(二期)、推动福州第二期拓展项目",
            "构建省、市、县三级联网的保密监控管理体系",
            "实现全省就诊一卡通，五险合一，进一步统一",
            "千家万户，一批示范项目",
        ] {
            assert_eq!(targets(text), vec![], "{text}");
        }
    }

    fn dirs(text: &str) -> Vec<(String, f64, String, String, &'static str)> {
        targets_in(text)
            .into_iter()
            .map(|t| (t.metric, t.value, t.unit, t.qualifier, t.direction.as_str()))
            .collect()
    }

    fn d(
        m: &str,
        v: f64,
        u: &str,
        q: &str,
        dir: &'static str,
    ) -> (String, f64, String, String, &'static str) {
        (m.into(), v, u.into(), q.into(), dir)
    }

    #[test]
    fn directions() {
        assert_eq!(
            dirs("地区生产总值增长6.2%左右，居民消费价格涨幅控制在103左右，能耗下降3%，失业率控制在5.5%以内，债务率不超过120%"),
            vec![
                d("地区生产总值增长", 6.2, "%", "左右", "about"),
                d("居民消费价格涨幅", 103.0, "", "左右", "about"),
                d("能耗下降", 3.0, "%", "", "at_least"),
                d("失业率", 5.5, "%", "以内", "at_most"),
                d("债务率", 120.0, "%", "不超过", "at_most"),
            ]
        );
        assert_eq!(
            dirs("开办时间压减到1个工作日以内"),
            vec![d("工作日", 1.0, "个", "以内", "at_most")]
        );
    }

    #[test]
    fn a_label_then_a_space_then_its_count() {
        // `设备　８００套` as a form or table cell writes it (NFKC gives `设备 800套`): the
        // metric is the label before the space, never empty.
        for text in ["设备 800套", "设备\u{3000}800套", "新增设备  800套"] {
            let t = targets_in(text);
            assert_eq!(t.len(), 1, "{text}");
            assert_eq!(
                (t[0].metric.as_str(), t[0].value, t[0].unit.as_str()),
                ("设备", 800.0, "套"),
                "{text}"
            );
        }
        // Through the extractor, with the full-width forms.
        let plan = crate::plan::extract(
            "2023年工作要点\n一、装备\n（一）更新终端。设备　８００套。（省数字办负责）\n",
            crate::plan::ExtractOptions::default(),
        );
        let t = &plan.tasks[0].targets;
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].metric.as_str(), t[0].value), ("设备", 800.0));
    }

    #[test]
    fn latin_units_and_traditional_counters() {
        assert_eq!(
            dirs("骨干网带宽达到62Tbps，算力规模达到5EFLOPS，推广1000M宽带，存储规模达到100PB"),
            vec![
                d("骨干网带宽", 62.0, "Tbps", "达到", "at_least"),
                d("算力规模", 5.0, "EFLOPS", "达到", "at_least"),
                d("宽带", 1000.0, "M", "", "at_least"),
                d("存储规模", 100.0, "PB", "达到", "at_least"),
            ]
        );
        assert_eq!(
            dirs("建成30個站點，新增120項服務，覆蓋5000戶，用戶達到6500萬戶，調用2億元"),
            vec![
                d("站點", 30.0, "個", "", "at_least"),
                d("服務", 120.0, "項", "", "at_least"),
                d("覆蓋", 5000.0, "戶", "", "at_least"),
                d("用戶", 6.5e7, "戶", "达到", "at_least"),
                d("調用", 2e8, "元", "", "at_least"),
            ]
        );
    }

    #[test]
    fn slogans_enumerations_and_generations_are_not_targets() {
        for text in [
            "推动“两张网”融合，打造“六个一”服务体系，实现“三个全覆盖”",
            "开展定向式、半定向式、开放式等三类试点",
            "推进5G和4G网络协同，部署10G-PON设备",
            "落实《“十四五”数字经济发展规划》",
        ] {
            assert_eq!(targets(text), vec![], "{text}");
        }
        // A count next to a quoted slogan is still a target.
        assert_eq!(
            targets("新增20项“一件事”集成服务"),
            vec![t(
                "一件事集成服务",
                20.0,
                "项",
                "",
                "新增20项“一件事”集成服务"
            )]
        );
    }
}
