//! Calendar dates: the `deadline` and `as_of` values, kept independent of polars.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    fn epoch_round_trip() {
        for days in [-800_000, -1, 0, 1, 14_974, 20_000, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::new(2010, 12, 31).unwrap().days_since_epoch(), 14_974);
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
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
