//! Java's `java.text.SimpleDateFormat` in the UTC time zone, for TimestampConverter's `format`,
//! TimestampRouter's `timestamp.format` and Connect's ISO-8601 literals: users write Java
//! patterns in connector configs, and the topic names and strings they get must be the ones
//! Kafka Connect produces.
//!
//! Pattern letters implemented: `G y M L d H k K h m s S E D u a z Z X` and quoting with `'`
//! (`''` is a quote). Kafka's other letters (`Y` week year, `w`/`W` week of year/month, `F`
//! day-of-week-in-month) are refused as unsupported; letters Java does not know are refused
//! with Java's message. Differences from Java: the calendar is proleptic Gregorian (Java
//! switches to the Julian calendar before 1582-10-15); parsing a zone (`z`, `Z`) accepts UTC,
//! GMT, UT, `Z` and numeric offsets, not every zone abbreviation Java knows; a day-of-week
//! (`E`) is read and ignored.

use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MILLIS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (any month number: it is normalized).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let total_months = year * 12 + (month - 1);
    let y = total_months.div_euclid(12);
    let m = total_months.rem_euclid(12) + 1;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (day - 1)
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The calendar fields of an instant in UTC.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    /// 0 = Monday.
    weekday: i64,
    day_of_year: i64,
}

fn fields(epoch_millis: i64) -> Fields {
    let days = epoch_millis.div_euclid(MILLIS_PER_DAY);
    let ms = epoch_millis.rem_euclid(MILLIS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    Fields {
        year,
        month,
        day,
        hour: ms / 3_600_000,
        minute: ms / 60_000 % 60,
        second: ms / 1000 % 60,
        millis: ms % 1000,
        weekday: (days + 3).rem_euclid(7),
        day_of_year: days - days_from_civil(year, 1, 1) + 1,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Literal(String),
    Field { letter: char, count: usize },
}

/// A compiled `SimpleDateFormat` pattern, in UTC.
#[derive(Debug, Clone)]
pub(crate) struct SimpleDateFormat {
    pattern: String,
    items: Vec<Item>,
}

/// Letters Java's `SimpleDateFormat` knows.
const JAVA_LETTERS: &str = "GyMdkHmsSEDFwWahKzZYuXL";
/// Of those, the ones this implementation formats and parses.
const SUPPORTED: &str = "GyMdkHmsSEDahKzZuXL";

impl SimpleDateFormat {
    /// `new SimpleDateFormat(pattern)`; the error is the `IllegalArgumentException` message.
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items: Vec<Item> = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        let mut in_quote = false;
        let flush = |literal: &mut String, items: &mut Vec<Item>| {
            if !literal.is_empty() {
                items.push(Item::Literal(std::mem::take(literal)));
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                in_quote = !in_quote;
                i += 1;
                continue;
            }
            if in_quote || !c.is_ascii_alphabetic() {
                literal.push(c);
                i += 1;
                continue;
            }
            if !JAVA_LETTERS.contains(c) {
                return Err(format!("Illegal pattern character '{c}'"));
            }
            if !SUPPORTED.contains(c) {
                return Err(format!(
                    "Pattern letter '{c}' is not supported by Kaskade's SimpleDateFormat (supported: {SUPPORTED})"
                ));
            }
            let mut count = 1;
            while chars.get(i + count) == Some(&c) {
                count += 1;
            }
            if c == 'X' && count > 3 {
                return Err(format!("invalid ISO 8601 format: length={count}"));
            }
            flush(&mut literal, &mut items);
            items.push(Item::Field { letter: c, count });
            i += count;
        }
        if in_quote {
            return Err("Unterminated quote".into());
        }
        flush(&mut literal, &mut items);
        Ok(SimpleDateFormat {
            pattern: pattern.to_string(),
            items,
        })
    }

    /// `toPattern()`.
    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// `format(new Date(epochMillis))`.
    pub(crate) fn format(&self, epoch_millis: i64) -> String {
        let f = fields(epoch_millis);
        let mut out = String::new();
        let pad = |out: &mut String, v: i64, count: usize| {
            let s = v.abs().to_string();
            if v < 0 {
                out.push('-');
            }
            for _ in s.len()..count {
                out.push('0');
            }
            out.push_str(&s);
        };
        for item in &self.items {
            match item {
                Item::Literal(s) => out.push_str(s),
                Item::Field { letter, count } => {
                    let count = *count;
                    let year_of_era = if f.year > 0 { f.year } else { 1 - f.year };
                    match letter {
                        'G' => out.push_str(if f.year > 0 { "AD" } else { "BC" }),
                        'y' => {
                            if count == 2 {
                                pad(&mut out, year_of_era % 100, 2)
                            } else {
                                pad(&mut out, year_of_era, count)
                            }
                        }
                        'M' | 'L' => match count {
                            1 | 2 => pad(&mut out, f.month, count),
                            3 => out.push_str(&MONTHS[f.month as usize - 1][..3]),
                            _ => out.push_str(MONTHS[f.month as usize - 1]),
                        },
                        'd' => pad(&mut out, f.day, count),
                        'H' => pad(&mut out, f.hour, count),
                        'k' => pad(&mut out, if f.hour == 0 { 24 } else { f.hour }, count),
                        'K' => pad(&mut out, f.hour % 12, count),
                        'h' => pad(&mut out, if f.hour % 12 == 0 { 12 } else { f.hour % 12 }, count),
                        'm' => pad(&mut out, f.minute, count),
                        's' => pad(&mut out, f.second, count),
                        'S' => pad(&mut out, f.millis, count),
                        'E' => {
                            let name = WEEKDAYS[f.weekday as usize];
                            out.push_str(if count >= 4 { name } else { &name[..3] })
                        }
                        'D' => pad(&mut out, f.day_of_year, count),
                        'u' => pad(&mut out, f.weekday + 1, count),
                        'a' => out.push_str(if f.hour < 12 { "AM" } else { "PM" }),
                        'z' => out.push_str(if count >= 4 { "Coordinated Universal Time" } else { "UTC" }),
                        'Z' => out.push_str("+0000"),
                        'X' => out.push('Z'),
                        _ => {}
                    }
                }
            }
        }
        out
    }

    /// `parse(text)` as `DateFormat.parse(String)` does it: leniently, from the start of the
    /// text (what follows the pattern is ignored). `None` is Java's `ParseException`.
    pub(crate) fn parse(&self, text: &str) -> Option<i64> {
        let text: Vec<char> = text.chars().collect();
        let mut pos = 0usize;
        let mut year: Option<i64> = None;
        let mut bc = false;
        let mut month: i64 = 1;
        let mut day: Option<i64> = None;
        let mut day_of_year: Option<i64> = None;
        let mut hour24: Option<i64> = None;
        let mut hour12: Option<i64> = None;
        let mut pm = false;
        let (mut minute, mut second, mut millis) = (0i64, 0i64, 0i64);
        let mut offset_minutes: i64 = 0;

        for (idx, item) in self.items.iter().enumerate() {
            match item {
                Item::Literal(lit) => {
                    for c in lit.chars() {
                        if text.get(pos) != Some(&c) {
                            return None;
                        }
                        pos += 1;
                    }
                }
                Item::Field { letter, count } => {
                    let count = *count;
                    // Abutting numeric fields take at most `count` digits.
                    let obey_count =
                        matches!(self.items.get(idx + 1), Some(Item::Field { letter: next, count: n }) if is_numeric(*next, *n));
                    while matches!(text.get(pos), Some(' ' | '\t')) {
                        pos += 1;
                    }
                    if pos >= text.len() {
                        return None;
                    }
                    match letter {
                        'G' => {
                            let (i, n) = match_names(&text, pos, &["AD", "BC"])?;
                            bc = i == 1;
                            pos += n;
                        }
                        'M' | 'L' if count >= 3 => {
                            let (i, n) = match_names(&text, pos, &MONTHS).or_else(|| {
                                let short: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
                                match_names(&text, pos, &short)
                            })?;
                            month = i as i64 + 1;
                            pos += n;
                        }
                        'E' => {
                            let (_, n) = match_names(&text, pos, &WEEKDAYS).or_else(|| {
                                let short: Vec<&str> = WEEKDAYS.iter().map(|d| &d[..3]).collect();
                                match_names(&text, pos, &short)
                            })?;
                            pos += n;
                        }
                        'a' => {
                            let (i, n) = match_names(&text, pos, &["AM", "PM"])?;
                            pm = i == 1;
                            pos += n;
                        }
                        'z' | 'Z' => {
                            let (off, n) = parse_zone(&text, pos)?;
                            offset_minutes = off;
                            pos += n;
                        }
                        'X' => {
                            let (off, n) = parse_iso_zone(&text, pos, count)?;
                            offset_minutes = off;
                            pos += n;
                        }
                        _ => {
                            let start = pos;
                            let limit = if obey_count { (pos + count).min(text.len()) } else { text.len() };
                            let (value, n) = parse_number(&text[..limit], pos)?;
                            pos += n;
                            match letter {
                                'y' => {
                                    let digits = pos - start;
                                    let two_digit =
                                        count <= 2 && digits == 2 && text[start].is_ascii_digit() && text[start + 1].is_ascii_digit();
                                    year = Some(if two_digit { resolve_two_digit_year(value) } else { value });
                                }
                                'M' | 'L' => month = value,
                                'd' => day = Some(value),
                                'D' => day_of_year = Some(value),
                                'H' => {
                                    hour24 = Some(value);
                                    hour12 = None;
                                }
                                'k' => {
                                    hour24 = Some(if value == 24 { 0 } else { value });
                                    hour12 = None;
                                }
                                'h' => {
                                    hour12 = Some(if value == 12 { 0 } else { value });
                                    hour24 = None;
                                }
                                'K' => {
                                    hour12 = Some(value);
                                    hour24 = None;
                                }
                                'm' => minute = value,
                                's' => second = value,
                                'S' => millis = value,
                                _ => {} // 'u': the day of the week, ignored as for 'E'
                            }
                        }
                    }
                }
            }
        }
        if pos == 0 {
            return None;
        }
        let mut year = year.unwrap_or(1970);
        if bc {
            year = 1 - year;
        }
        let days = match (day, day_of_year) {
            (None, Some(doy)) => days_from_civil(year, 1, 1) + doy - 1,
            (d, _) => days_from_civil(year, month, d.unwrap_or(1)),
        };
        let hour = match (hour24, hour12) {
            (Some(h), _) => h,
            (None, Some(h)) => h + if pm { 12 } else { 0 },
            (None, None) => {
                if pm {
                    12
                } else {
                    0
                }
            }
        };
        Some(days * MILLIS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset_minutes * 60_000)
    }
}

fn is_numeric(letter: char, count: usize) -> bool {
    match letter {
        'y' | 'd' | 'H' | 'k' | 'K' | 'h' | 'm' | 's' | 'S' | 'D' | 'u' => true,
        'M' | 'L' => count <= 2,
        _ => false,
    }
}

/// Java's two-digit-year window: within 80 years before and 20 after now.
fn resolve_two_digit_year(value: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let start_year = civil_from_days(now.div_euclid(MILLIS_PER_DAY)).0 - 80;
    let ambiguous = start_year % 100;
    value + (start_year / 100) * 100 + if value < ambiguous { 100 } else { 0 }
}

/// An optionally negative integer (as `DecimalFormat` reads one): (value, chars used).
fn parse_number(text: &[char], pos: usize) -> Option<(i64, usize)> {
    let mut i = pos;
    let negative = text.get(i) == Some(&'-');
    if negative {
        i += 1;
    }
    let digits_start = i;
    let mut value: i64 = 0;
    while let Some(c) = text.get(i).and_then(|c| c.to_digit(10)) {
        value = value.checked_mul(10)?.checked_add(i64::from(c))?;
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    Some((if negative { -value } else { value }, i - pos))
}

/// The longest of `names` the text starts with, case-insensitively: (index, length).
fn match_names(text: &[char], pos: usize, names: &[&str]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, name) in names.iter().enumerate() {
        let n = name.chars().count();
        if pos + n > text.len() {
            continue;
        }
        let candidate: String = text[pos..pos + n].iter().collect();
        if candidate.eq_ignore_ascii_case(name) && best.is_none_or(|(_, len)| n > len) {
            best = Some((i, n));
        }
    }
    best
}

/// `z`/`Z` in parsing: `GMT`/`UTC`/`UT` (optionally followed by an offset), `Z`, or an RFC 822
/// offset `+hhmm` / `+hh:mm`: (offset in minutes, chars used).
fn parse_zone(text: &[char], pos: usize) -> Option<(i64, usize)> {
    let rest: String = text[pos..].iter().collect();
    for prefix in ["GMT", "UTC", "UT"] {
        if rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix) {
            let after = pos + prefix.len();
            if let Some((off, n)) = parse_offset(text, after, false) {
                return Some((off, prefix.len() + n));
            }
            return Some((0, prefix.len()));
        }
    }
    if text.get(pos) == Some(&'Z') {
        return Some((0, 1));
    }
    parse_offset(text, pos, false)
}

/// `X`: `Z` or `±hh`, `±hhmm`, `±hh:mm` by pattern length.
fn parse_iso_zone(text: &[char], pos: usize, count: usize) -> Option<(i64, usize)> {
    if text.get(pos) == Some(&'Z') {
        return Some((0, 1));
    }
    let (off, n) = parse_offset(text, pos, count == 3)?;
    Some((off, n))
}

/// `±h[h][[:]mm]`: (offset in minutes, chars used).
fn parse_offset(text: &[char], pos: usize, colon_required: bool) -> Option<(i64, usize)> {
    let sign = match text.get(pos) {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    let mut i = pos + 1;
    let mut hours = 0i64;
    let start = i;
    while i < start + 2 {
        match text.get(i).and_then(|c| c.to_digit(10)) {
            Some(d) => hours = hours * 10 + i64::from(d),
            None => break,
        }
        i += 1;
    }
    if i == start || hours > 23 {
        return None;
    }
    let mut minutes = 0i64;
    let colon = text.get(i) == Some(&':');
    if colon || (!colon_required && text.get(i).is_some_and(|c| c.is_ascii_digit())) {
        let j = if colon { i + 1 } else { i };
        let m: Option<i64> = (0..2)
            .map(|k| text.get(j + k).and_then(|c| c.to_digit(10)).map(i64::from))
            .try_fold(0i64, |acc, d| d.map(|d| acc * 10 + d));
        if let Some(m) = m.filter(|m| *m < 60) {
            minutes = m;
            i = j + 2;
        } else if colon_required {
            return None;
        }
    } else if colon_required && i - start != 2 {
        return None;
    }
    Some((sign * (hours * 60 + minutes), i - pos))
}

/// Connect's ISO-8601 patterns (`Values`): a Date, a Time and a Timestamp.
pub(crate) const ISO_DATE: &str = "yyyy-MM-dd";
pub(crate) const ISO_TIME: &str = "HH:mm:ss.SSS'Z'";
pub(crate) const ISO_TIMESTAMP: &str = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

/// `Values.dateFormatFor(date).format(date)`: a time of day, a whole day, or a timestamp.
pub(crate) fn iso_format(epoch_millis: i64) -> String {
    let pattern = if epoch_millis < MILLIS_PER_DAY {
        ISO_TIME
    } else if epoch_millis % MILLIS_PER_DAY == 0 {
        ISO_DATE
    } else {
        ISO_TIMESTAMP
    };
    SimpleDateFormat::new(pattern).map(|f| f.format(epoch_millis)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(p: &str, ms: i64) -> String {
        SimpleDateFormat::new(p).unwrap().format(ms)
    }

    fn parse(p: &str, s: &str) -> Option<i64> {
        SimpleDateFormat::new(p).unwrap().parse(s)
    }

    // 2024-02-29T13:05:09.007Z
    const T: i64 = 1_709_211_909_007;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 59, 60, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2024, 13, 1), days_from_civil(2025, 1, 1));
    }

    #[test]
    fn formats_like_java() {
        assert_eq!(fmt("yyyyMMdd", T), "20240229");
        assert_eq!(fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", T), "2024-02-29T13:05:09.007Z");
        assert_eq!(fmt("yy-M-d h:m:s a", T), "24-2-29 1:5:9 PM");
        assert_eq!(fmt("EEE, dd MMM yyyy HH:mm:ss Z", T), "Thu, 29 Feb 2024 13:05:09 +0000");
        assert_eq!(fmt("EEEE MMMM D u G z", T), "Thursday February 60 4 AD UTC");
        assert_eq!(fmt("'It''s' k K S", T), "It's 13 1 7");
        assert_eq!(fmt("HH:mm:ss.SSS'Z'", 0), "00:00:00.000Z");
    }

    #[test]
    fn refuses_bad_patterns() {
        assert_eq!(SimpleDateFormat::new("yyyy-bb").unwrap_err(), "Illegal pattern character 'b'");
        assert_eq!(SimpleDateFormat::new("yyyy 'x").unwrap_err(), "Unterminated quote");
        assert!(SimpleDateFormat::new("YYYY-ww").unwrap_err().contains("not supported"));
        assert_eq!(SimpleDateFormat::new("XXXX").unwrap_err(), "invalid ISO 8601 format: length=4");
    }

    #[test]
    fn parses_like_java() {
        assert_eq!(parse("yyyyMMdd", "20240229"), Some(T - T % MILLIS_PER_DAY));
        assert_eq!(parse("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-02-29T13:05:09.007Z"), Some(T));
        assert_eq!(parse("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-02-29T15:05:09.007+02:00"), Some(T));
        assert_eq!(parse("yyyy-MM-dd HH:mm:ss Z", "2024-02-29 05:05:09 -0800"), Some(T - 7));
        assert_eq!(parse("dd MMM yyyy hh:mm a", "29 feb 2024 01:05 pm"), Some(T - 9007));
        // Lenient: trailing text ignored, month 13 rolls over, spaces before fields skipped.
        assert_eq!(parse("yyyy-MM-dd", "2024-02-29 extra"), Some(T - T % MILLIS_PER_DAY));
        assert_eq!(parse("yyyy-MM", "2023-14"), parse("yyyy-MM", "2024-02"));
        assert_eq!(parse("yyyy-MM-dd", "2024- 2-29"), Some(T - T % MILLIS_PER_DAY));
        assert_eq!(parse("yyyy-MM-dd", "2024/02/29"), None);
        assert_eq!(parse("yyyy-MM-dd", ""), None);
        // Abutting numeric fields take their width; others take all digits.
        assert_eq!(parse("HHmm", "1305"), Some(13 * 3_600_000 + 5 * 60_000));
        assert_eq!(parse("S", "1234"), Some(1234));
    }

    #[test]
    fn iso_forms() {
        assert_eq!(iso_format(1000), "00:00:01.000Z");
        assert_eq!(iso_format(MILLIS_PER_DAY * 3), "1970-01-04");
        assert_eq!(iso_format(T), "2024-02-29T13:05:09.007Z");
    }
}
