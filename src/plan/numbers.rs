//! Numerals in plan text: Arabic (`2000`, `1.5`), Chinese (`两`, `三十`, `一百二十`) and the
//! `万`/`亿` multipliers.

/// Value of a Chinese digit character, if it is one (`两` counts as 2, `〇`/`零` as 0).
pub fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' | '兩' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Value of a Chinese place-value character inside a section (`十`, `百`, `千`).
fn small_unit(c: char) -> Option<u32> {
    match c {
        '十' | '拾' => Some(10),
        '百' | '佰' => Some(100),
        '千' | '仟' => Some(1000),
        _ => None,
    }
}

/// Value of a large multiplier character (`万`, `亿`).
pub fn multiplier(c: char) -> Option<f64> {
    match c {
        '万' | '萬' => Some(1e4),
        '亿' | '億' => Some(1e8),
        _ => None,
    }
}

/// Whether `c` may appear inside a Chinese numeral.
pub fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || small_unit(c).is_some() || multiplier(c).is_some()
}

/// Parses a whole Chinese numeral such as `三十`, `一百二十`, `两`, `十二`, `三万五千`.
/// Returns `None` for strings that are not well-formed numerals.
pub fn parse_chinese(s: &str) -> Option<f64> {
    parse_chinese_chars(s.chars())
}

/// [`parse_chinese`] of chars (a slice of the text read, without a string made of it).
pub fn parse_chinese_chars(chars: impl Iterator<Item = char>) -> Option<f64> {
    let mut empty = true;
    let (mut total, mut section, mut digit): (f64, f64, Option<f64>) = (0.0, 0.0, None);
    for c in chars {
        empty = false;
        if let Some(d) = chinese_digit(c) {
            // Consecutive digits (二〇一〇, 零五) are read positionally.
            digit = Some(digit.map_or(0.0, |p| p * 10.0) + f64::from(d));
        } else if let Some(u) = small_unit(c) {
            section += digit.unwrap_or(1.0) * f64::from(u);
            digit = None;
        } else if let Some(m) = multiplier(c) {
            let part = section + digit.unwrap_or(0.0);
            total = (total + if part == 0.0 { 1.0 } else { part }) * m;
            section = 0.0;
            digit = None;
        } else {
            return None;
        }
    }
    if empty {
        return None;
    }
    Some(total + section + digit.unwrap_or(0.0))
}

/// `f` of `chars` as a string, when they are ASCII (digits, `.`): made on the stack for
/// the short runs numbers are, so that reading a number allocates nothing.
pub fn ascii_str<T>(chars: &[char], f: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    let mut buf = [0u8; 32];
    if chars.len() > buf.len() || !chars.iter().all(char::is_ascii) {
        let s: String = chars.iter().collect();
        return f(&s);
    }
    for (b, c) in buf.iter_mut().zip(chars) {
        *b = *c as u8;
    }
    f(std::str::from_utf8(&buf[..chars.len()]).ok()?)
}

/// A number found in text: its value and where it ends (char index, exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The value, multipliers applied.
    pub value: f64,
    /// Char index one past the number (multiplier included).
    pub end: usize,
    /// Whether a `万`/`亿` multiplier was applied.
    pub multiplied: bool,
    /// Whether the number was written in Chinese numerals.
    pub chinese: bool,
}

/// Reads a number starting at char index `i` of `chars`, if one starts there.
pub fn read_number(chars: &[char], i: usize) -> Option<Found> {
    let c = *chars.get(i)?;
    if c.is_ascii_digit() {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
            j += 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
        }
        let mut value: f64 = ascii_str(&chars[i..j], |s| s.parse().ok())?;
        let mut multiplied = false;
        while let Some(m) = chars.get(j).copied().and_then(multiplier) {
            value *= m;
            multiplied = true;
            j += 1;
        }
        return Some(Found {
            value,
            end: j,
            multiplied,
            chinese: false,
        });
    }
    // Chinese numerals must start with a digit or 十 (十二个); 百/千/万 alone start idioms
    // such as 千家万户, never a count.
    if chinese_digit(c).is_none() && c != '十' {
        return None;
    }
    let mut j = i;
    while j < chars.len() && is_chinese_numeral_char(chars[j]) {
        j += 1;
    }
    let value = parse_chinese_chars(chars[i..j].iter().copied())?;
    let multiplied = chars[i..j].iter().any(|&c| multiplier(c).is_some());
    Some(Found {
        value,
        end: j,
        multiplied,
        chinese: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_chinese("两"), Some(2.0));
        assert_eq!(parse_chinese("十"), Some(10.0));
        assert_eq!(parse_chinese("十二"), Some(12.0));
        assert_eq!(parse_chinese("三十"), Some(30.0));
        assert_eq!(parse_chinese("九十八"), Some(98.0));
        assert_eq!(parse_chinese("一百二十"), Some(120.0));
        assert_eq!(parse_chinese("一百零五"), Some(105.0));
        assert_eq!(parse_chinese("三万五千"), Some(35000.0));
        assert_eq!(parse_chinese("两亿"), Some(2e8));
        assert_eq!(parse_chinese("二〇一〇"), Some(2010.0));
        assert_eq!(parse_chinese("三个"), None);
    }

    #[test]
    fn arabic_with_multipliers() {
        let chars: Vec<char> = "为200万农民".chars().collect();
        let f = read_number(&chars, 1).unwrap();
        assert_eq!((f.value, f.end, f.multiplied), (2_000_000.0, 5, true));
        let chars: Vec<char> = "1.5万个".chars().collect();
        assert_eq!(read_number(&chars, 0).unwrap().value, 15000.0);
        let chars: Vec<char> = "千家万户".chars().collect();
        assert!(read_number(&chars, 0).is_none());
    }
}
