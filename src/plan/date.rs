//! Calendar dates: the `deadline` and `as_of` values, kept independent of polars, and the
//! one reader of deadline phrases (`年内完成`, `6月底前`, `2025年12月31日前`, `上半年`, `三季度`)
//! that prose tasks, `完成时限：` lines and deadline columns of task tables all share.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::char_set::CharSet;
use super::numbers::{chinese_digit, is_chinese_numeral_char, parse_chinese_chars};
use super::string_of;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2010.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl Date {
    /// A date if `year-month-day` exists in the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// The last day of a month.
    pub fn end_of_month(year: i32, month: u32) -> Option<Date> {
        Date::new(year, month, days_in_month(year, month))
    }

    /// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`): the one date grammar of every input
    /// (progress files, query text, parameters, plan dates). Exactly four ASCII digits of
    /// year, one or two of month and day, one separator used twice; the calendar check is
    /// chrono's. Signs and wider years (`+201-01-01`, `12010-01-01`) are not dates.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let s = s.trim();
        let sep = *s.as_bytes().get(4)?;
        if sep != b'-' && sep != b'/' {
            return None;
        }
        let mut parts = s.split(sep as char);
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |t: &str, lo: usize, hi: usize| {
            (lo..=hi).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
        };
        if parts.next().is_some() || !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
            return None;
        }
        let date = chrono::NaiveDate::parse_from_str(&format!("{y}-{m}-{d}"), "%Y-%m-%d").ok()?;
        use chrono::Datelike;
        Date::new(date.year(), date.month(), date.day())
    }

    /// Days since 1970-01-01 (polars' Date representation).
    pub fn days_since_epoch(self) -> i32 {
        // Howard Hinnant's days_from_civil.
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i32) -> Date {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        Date { year, month, day }
    }
}

/// A deadline phrase found in plan text (`年内完成`, `6月底前`, `2025年12月31日前`, `上半年`,
/// `三季度`) and the date it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// Where the phrase starts (a char index of the text scanned).
    pub at: usize,
    /// The phrase as written, with its `前`/`完成` tail.
    pub text: String,
    /// The last day it allows; `None` when it is relative (`6月底前`) and no plan year is
    /// known.
    pub date: Option<Date>,
    /// Written without a year: resolved against the plan's year.
    pub relative: bool,
}

/// The plan's year from its title (`2023年…工作要点` → 2023): the year relative deadlines
/// (`6月底前`, `年内`) refer to. A notice that publishes the plan names it after `印发`
/// (`…办公厅关于印发2011年数字福建工作要点的通知` → 2011, also with `《…》`); no other year
/// inside a title counts.
pub fn plan_year(title: Option<&str>) -> Option<i32> {
    let t = title?.trim_start();
    leading_year(t).or_else(|| {
        let (_, after) = t.split_once("印发")?;
        leading_year(after.strip_prefix('《').unwrap_or(after))
    })
}

/// `YYYY年…` at the start of `t` → YYYY (1900–2200).
fn leading_year(t: &str) -> Option<i32> {
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let y: i32 = digits.parse().ok()?;
    (digits.len() == 4 && t[digits.len()..].starts_with('年') && (1900..=2200).contains(&y))
        .then_some(y)
}

/// Every deadline phrase of a task's text, in order. Only phrases that say "by when" count:
/// a month needs `底`/`末`/`前` (`6月底前`) unless a year is written with it (`2026年6月`),
/// a bare year (`2025年`) is not a deadline, and durations (`三年内`), recurring dates
/// (`每月底前`), other years (`明年底`) and start dates (`2025年1月1日起`) are not read.
pub fn find_deadlines(chars: &[char], year: Option<i32>) -> Vec<Deadline> {
    scan(chars, year, false)
}

/// A deadline cell or label value (`完成时限：2025年6月`): the latest date it names. Here
/// the whole text is about time, so a bare year (`2025年`), a bare month (`6月`, with the
/// plan's year) and an ISO date (`2025-06-30`) count too. `None` when it names no date
/// (`长期坚持`) — or only a relative one and there is no plan year (then the phrase is
/// still returned, dateless).
pub fn parse_deadline(s: &str, year: Option<i32>) -> Option<Deadline> {
    let s = s.trim();
    if let Some(d) = Date::parse_iso(s.get(..10.min(s.len())).unwrap_or(s)) {
        return Some(Deadline {
            at: 0,
            text: s.to_string(),
            date: Some(d),
            relative: false,
        });
    }
    let chars: Vec<char> = s.chars().collect();
    latest(scan(&chars, year, true))
}

/// The deadline of several (a task with sub-deadlines): the latest dated one, else the
/// first phrase (dateless: relative without a plan year).
pub fn latest(found: Vec<Deadline>) -> Option<Deadline> {
    let mut best: Option<Deadline> = None;
    for d in found {
        best = match best {
            None => Some(d),
            Some(b) if b.date < d.date => Some(d),
            keep => keep,
        };
    }
    best
}

/// What a phrase names before the year is known: month and day (none: the month's end).
#[derive(Debug, Clone, Copy)]
struct Spec {
    year: Option<i32>,
    month: u32,
    day: Option<u32>,
}

/// Characters a deadline phrase may start with.
#[inline]
fn may_start(c: char) -> bool {
    MAY_START.contains(c)
}

/// The chars [`may_start`] accepts: ASCII digits, every char [`chinese_digit`] reads, and
/// `十`, `年`, `上`, `下`, `第` (a table lookup for every char of every task, see
/// [`CharSet`]; the unit test `may_start_is_digits_and_date_words` checks the list).
const MAY_START: CharSet = CharSet::new(
    true,
    &[
        '十', '年', '上', '下', '第', '零', '〇', '一', '壹', '二', '两', '贰', '兩', '三', '叁',
        '四', '肆', '五', '伍', '六', '陆', '陸', '七', '柒', '八', '捌', '九', '玖',
    ],
);

/// Characters before `年`/`季度`/a month that make it not this plan year's date: a number
/// (`三年内` is a duration), `每` (recurring), another year (`明年底`, `上年底`), a date
/// separator.
fn blocks_relative(c: Option<char>) -> bool {
    c.is_some_and(|c| {
        c.is_ascii_digit()
            || is_chinese_numeral_char(c)
            || matches!(
                c,
                '每' | '几'
                    | '多'
                    | '半'
                    | '明'
                    | '后'
                    | '次'
                    | '去'
                    | '前'
                    | '上'
                    | '下'
                    | '个'
                    | '／'
                    | '/'
                    | '-'
                    | '.'
            )
    })
}

fn scan(chars: &[char], year: Option<i32>, lenient: bool) -> Vec<Deadline> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !may_start(chars[i]) {
            i += 1;
            continue;
        }
        match phrase_at(chars, i, lenient) {
            Some((end, spec)) => {
                let end = tail(chars, end);
                let y = spec.year.or(year);
                let date = y.and_then(|y| match spec.day {
                    Some(d) => Date::new(y, spec.month, d),
                    None => Date::end_of_month(y, spec.month),
                });
                // A date that does not exist (`2月30日`) is not a deadline.
                if y.is_none() || date.is_some() {
                    out.push(Deadline {
                        at: i,
                        text: string_of(&chars[i..end]),
                        date,
                        relative: spec.year.is_none(),
                    });
                }
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// `前`/`之前`/`以前` and then `完成` after a phrase's date: part of the phrase as shown.
fn tail(chars: &[char], mut end: usize) -> usize {
    for t in [&['之', '前'][..], &['以', '前'], &['前']] {
        if starts(chars, end, t) {
            end += t.len();
            break;
        }
    }
    if starts(chars, end, &['完', '成']) {
        end += 2;
    }
    end
}

fn starts(chars: &[char], at: usize, word: &[char]) -> bool {
    chars.get(at..at + word.len()) == Some(word)
}

/// A start date or the start of a range, not a deadline: `2025年1月1日起`, `…开始`, `…以来`,
/// `2021年1月至…`.
fn is_start(chars: &[char], end: usize) -> bool {
    matches!(
        chars.get(end),
        Some('起' | '至' | '到' | '—' | '－' | '~' | '～')
    ) || starts(chars, end, &['开', '始'])
        || starts(chars, end, &['以', '来'])
}

/// A number (Arabic or Chinese) at `at`: its value and where it ends.
fn number_at(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let mut j = at;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    if j > at {
        // As `str::parse::<u32>` reads them: `None` when the digits overflow.
        let v = chars[at..j].iter().try_fold(0u32, |v, &c| {
            v.checked_mul(10)?.checked_add(c.to_digit(10)?)
        })?;
        return Some((v, j));
    }
    while j < chars.len() && (chinese_digit(chars[j]).is_some() || chars[j] == '十') {
        j += 1;
    }
    let v = parse_chinese_chars(chars[at..j].iter().copied())?;
    (v <= 10_000.0).then_some((v as u32, j))
}

/// The quarter of `一季度`, `第三季度`, `4季度` at `at`.
fn quarter_at(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let at = if chars.get(at) == Some(&'第') {
        at + 1
    } else {
        at
    };
    let q = match chars.get(at)? {
        '一' | '1' => 1,
        '二' | '2' => 2,
        '三' | '3' => 3,
        '四' | '4' => 4,
        _ => return None,
    };
    starts(chars, at + 1, &['季', '度']).then_some((q, at + 3))
}

/// The date part of a phrase starting at `i`: its end and what it names.
fn phrase_at(chars: &[char], i: usize, lenient: bool) -> Option<(usize, Spec)> {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    // An explicit year: `2025年…`.
    if chars[i].is_ascii_digit() && !prev.is_some_and(|p| p.is_ascii_digit()) {
        let (y, j) = number_at(chars, i)?;
        if j - i == 4 && chars.get(j) == Some(&'年') {
            if !(1900..=2200).contains(&y) {
                return None;
            }
            let (end, mut spec) = after_year(chars, j + 1, lenient)?;
            spec.year = Some(y as i32);
            return (!is_start(chars, end)).then_some((end, spec));
        }
    }
    if blocks_relative(prev) {
        return None;
    }
    // Relative to the plan year: `年内`, `年底`, `上半年`, `三季度`, `6月底前`.
    let (end, spec) = match chars[i] {
        '年' => match chars.get(i + 1) {
            Some('内' | '底' | '末') => (i + 2, end_of_year()),
            _ => return None,
        },
        _ => relative_at(chars, i, lenient)?,
    };
    (!is_start(chars, end)).then_some((end, spec))
}

fn end_of_year() -> Spec {
    Spec {
        year: None,
        month: 12,
        day: None,
    }
}

/// What follows `YYYY年`: `底`, `年底`, `末`, `内`, `上半年`, a quarter, a month (and day).
fn after_year(chars: &[char], k: usize, lenient: bool) -> Option<(usize, Spec)> {
    for word in [&['年', '底'][..], &['年', '末'], &['底'], &['末'], &['内']] {
        if starts(chars, k, word) {
            return Some((k + word.len(), end_of_year()));
        }
    }
    if let Some(found) = relative_at(chars, k, true) {
        return Some(found);
    }
    // A month that is not one (`2025年13月`) is no date at all.
    if chars
        .get(k)
        .is_some_and(|&c| c.is_ascii_digit() || chinese_digit(c).is_some() || c == '十')
    {
        return None;
    }
    // A bare year: a deadline only where the text is about time (a deadline cell), or
    // with `前` (`2025年前完成`).
    (lenient || starts(chars, k, &['前'])).then_some((k, end_of_year()))
}

/// `上半年`, `下半年`, a quarter, or a month with its day and `底`/`末`; without a written
/// year a month needs `底`, `末` or `前` (`6月` alone may be a meeting's date).
fn relative_at(chars: &[char], k: usize, lenient: bool) -> Option<(usize, Spec)> {
    let spec = |month, day| Spec {
        year: None,
        month,
        day,
    };
    if starts(chars, k, &['上', '半', '年']) {
        return Some((k + 3, spec(6, None)));
    }
    if starts(chars, k, &['下', '半', '年']) {
        return Some((k + 3, spec(12, None)));
    }
    if let Some((q, end)) = quarter_at(chars, k) {
        let end = if matches!(chars.get(end), Some('末' | '底')) {
            end + 1
        } else {
            end
        };
        return Some((end, spec(q * 3, None)));
    }
    let (month, j) = number_at(chars, k)?;
    if chars.get(j) != Some(&'月') || !(1..=12).contains(&month) {
        return None;
    }
    let mut end = j + 1;
    if chars.get(end) == Some(&'份') {
        end += 1;
    }
    let mut day = None;
    if let Some((d, e)) = number_at(chars, end) {
        if matches!(chars.get(e), Some('日' | '号')) && (1..=31).contains(&d) {
            day = Some(d);
            end = e + 1;
        }
    }
    let mut cue = false;
    if day.is_none() && matches!(chars.get(end), Some('底' | '末')) {
        end += 1;
        cue = true;
    }
    cue |= matches!(chars.get(end), Some('前'))
        || starts(chars, end, &['之', '前'])
        || starts(chars, end, &['以', '前']);
    (lenient || cue).then_some((end, spec(month, day)))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a date (YYYY-MM-DD)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_start_is_digits_and_date_words() {
        // Every char, against the predicate the table replaced.
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let expected = c.is_ascii_digit()
                || chinese_digit(c).is_some()
                || matches!(c, '十' | '年' | '上' | '下' | '第');
            assert_eq!(may_start(c), expected, "{c:?}");
        }
    }

    #[test]
    fn epoch_round_trip() {
        for days in [-800_000, -1, 0, 1, 14_974, 20_000, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::new(2010, 12, 31).unwrap().days_since_epoch(), 14_974);
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
    }

    fn found(text: &str, year: Option<i32>) -> Vec<(String, Option<String>)> {
        let chars: Vec<char> = text.chars().collect();
        find_deadlines(&chars, year)
            .into_iter()
            .map(|d| (d.text, d.date.map(|d| d.to_string())))
            .collect()
    }

    fn one(text: &str) -> (String, String) {
        let f = found(text, Some(2010));
        assert_eq!(f.len(), 1, "{text}: {f:?}");
        let (t, d) = f.into_iter().next().unwrap();
        (t, d.unwrap_or_default())
    }

    #[test]
    fn deadline_phrases_in_text() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            one("莆田、泉州、福州年内完成平台建设"),
            s("年内完成", "2010-12-31")
        );
        assert_eq!(one("6月底前完成方案编制"), s("6月底前完成", "2010-06-30"));
        assert_eq!(one("六月底前"), s("六月底前", "2010-06-30"));
        assert_eq!(one("于3月15日前报送"), s("3月15日前", "2010-03-15"));
        assert_eq!(
            one("2025年12月31日前建成"),
            s("2025年12月31日前", "2025-12-31")
        );
        assert_eq!(one("上半年完成改造"), s("上半年完成", "2010-06-30"));
        assert_eq!(one("下半年启动"), s("下半年", "2010-12-31"));
        assert_eq!(one("三季度推出"), s("三季度", "2010-09-30"));
        assert_eq!(one("第一季度末前"), s("第一季度末前", "2010-03-31"));
        assert_eq!(one("今年底前实现"), s("年底前", "2010-12-31"));
        assert_eq!(one("到2026年6月建成"), s("2026年6月", "2026-06-30"));
        assert_eq!(one("2010年底前完成"), s("2010年底前完成", "2010-12-31"));
        assert_eq!(one("2025年前完成"), s("2025年前完成", "2025-12-31"));
        assert_eq!(one("2025年上半年"), s("2025年上半年", "2025-06-30"));
        assert_eq!(one("2025年三季度"), s("2025年三季度", "2025-09-30"));
        assert_eq!(one("11月份前"), s("11月份前", "2010-11-30"));
    }

    #[test]
    fn what_is_not_a_deadline() {
        for text in [
            "三年内实现全覆盖",
            "每月底前通报",
            "每季度报送",
            "明年底前形成机制",
            "上年底已建成",
            "自2024年1月1日起施行",
            "2021年1月至2022年",
            "2010年是实施“十一五”规划的最后一年",
            "建成2000个社区",
            "3个月内完成",
            "6月召开现场会",
            "12345热线",
            "2月30日前",
            "全年",
        ] {
            assert_eq!(found(text, Some(2010)), vec![], "{text}");
        }
    }

    #[test]
    fn the_latest_of_several_and_no_year() {
        let chars: Vec<char> = "6月底前完成方案，年底前全面建成，9月底前试运行"
            .chars()
            .collect();
        let d = latest(find_deadlines(&chars, Some(2024))).unwrap();
        assert_eq!(
            (d.text.as_str(), d.date.map(|d| d.to_string())),
            ("年底前", Some("2024-12-31".into()))
        );
        // Without the plan's year a relative phrase is found but not dated.
        let d = latest(find_deadlines(&chars, None)).unwrap();
        assert_eq!(
            (d.text.as_str(), d.date, d.relative),
            ("6月底前完成", None, true)
        );
        // A written year needs none.
        let chars: Vec<char> = "2025年6月底前完成".chars().collect();
        let d = latest(find_deadlines(&chars, None)).unwrap();
        assert_eq!(d.date.map(|d| d.to_string()).as_deref(), Some("2025-06-30"));
    }

    #[test]
    fn deadline_cells() {
        let d = |s, y| {
            parse_deadline(s, y)
                .and_then(|d| d.date)
                .map(|d| d.to_string())
        };
        assert_eq!(d("2025年12月底", None).as_deref(), Some("2025-12-31"));
        assert_eq!(d("2025年6月30日前", None).as_deref(), Some("2025-06-30"));
        assert_eq!(d("2010年底前完成", None).as_deref(), Some("2010-12-31"));
        assert_eq!(d("2025年2月", None).as_deref(), Some("2025-02-28"));
        assert_eq!(d("2025年上半年", None).as_deref(), Some("2025-06-30"));
        assert_eq!(d("2025-03-01", None).as_deref(), Some("2025-03-01"));
        assert_eq!(d("2025年", None).as_deref(), Some("2025-12-31"));
        assert_eq!(d("6月", Some(2024)).as_deref(), Some("2024-06-30"));
        assert_eq!(d("6月", None), None);
        assert!(parse_deadline("6月", None).is_some_and(|d| d.relative));
        assert_eq!(d("长期坚持", Some(2024)), None);
        assert!(parse_deadline("长期坚持", Some(2024)).is_none());
        assert!(parse_deadline("2025年13月", None).is_none());
        assert_eq!(plan_year(Some("2010年数字福建工作要点")), Some(2010));
        assert_eq!(plan_year(Some("数字福建工作要点")), None);
        assert_eq!(
            plan_year(Some(
                "福建省人民政府办公厅关于印发2011年数字福建工作要点的通知"
            )),
            Some(2011)
        );
        assert_eq!(
            plan_year(Some("关于印发《2022年数字乡村建设工作要点》的通知")),
            Some(2022)
        );
        // Only the published plan's year: not a year elsewhere in a title.
        assert_eq!(plan_year(Some("关于2011年工作的通知")), None);
    }

    #[test]
    fn validates_calendar() {
        assert!(Date::new(2010, 2, 29).is_none());
        assert!(Date::new(2012, 2, 29).is_some());
        assert_eq!(
            Date::parse_iso("2010-06-30").unwrap().to_string(),
            "2010-06-30"
        );
        assert!(Date::parse_iso("2010-13-01").is_none());
        assert!(Date::parse_iso("20100630").is_none());
        assert!(Date::parse_iso("2010-06-30-1").is_none());
        // One strict grammar: no signs, no wider years, no mixed separators.
        for bad in [
            "+201-01-01",
            "-201-01-01",
            "+2010-01-01",
            "12010-01-01",
            "2010-06/30",
            "２０１０-06-30",
            "2010-+6-30",
            "2010-02-29",
        ] {
            assert!(Date::parse_iso(bad).is_none(), "{bad}");
        }
        assert_eq!(
            Date::parse_iso("2010/6/3").unwrap().to_string(),
            "2010-06-03"
        );
    }
}
