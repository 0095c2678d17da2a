//! Time as `--to-datetime` and `--by-duration` take it, parsed the way Kafka's tool parses it so
//! the same arguments mean the same instants and fail with the same messages:
//! `Utils.getDateTime` (`yyyy-MM-dd'T'HH:mm:ss.SSS`, then `Z`, `±HH:mm` or `±HH`; no zone means
//! UTC) and `java.time.Duration.parse` (`PnDTnHnMn.nS`). Also the timestamp of the log-style
//! WARN lines Kafka's resetter prints.

use std::time::{SystemTime, UNIX_EPOCH};

use kaskade_common::java;

/// Days from 1970-01-01 to `y-m-d` in the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A cursor over the text, as `SimpleDateFormat.parse` walks it.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// A run of at least one and at most `max` ASCII digits.
    fn number(&mut self, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() && self.i - start < max {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }

    fn literal(&mut self, c: u8) -> Option<()> {
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// Two digits exactly.
    fn two(&mut self) -> Option<i64> {
        let start = self.i;
        let n = self.number(2)?;
        (self.i - start == 2).then_some(n)
    }

    /// ISO 8601 zone: `Z`, or a sign and two-digit hours, then (`with_minutes`) `:mm`.
    fn zone(&mut self, with_minutes: bool) -> Option<i64> {
        match self.s.get(self.i)? {
            b'Z' => {
                self.i += 1;
                Some(0)
            }
            sign @ (b'+' | b'-') => {
                let sign = if *sign == b'-' { -1 } else { 1 };
                self.i += 1;
                let h = self.two().filter(|h| *h <= 23)?;
                let m = if with_minutes {
                    self.literal(b':')?;
                    self.two().filter(|m| *m <= 59)?
                } else {
                    0
                };
                Some(sign * (h * 60 + m) * 60_000)
            }
            _ => None,
        }
    }
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS` then a zone, non-lenient; text after the zone is ignored, as
/// `DateFormat.parse(String)` ignores it.
fn parse_pattern(text: &str, zone_minutes: bool) -> Option<i64> {
    let mut c = Cursor { s: text.as_bytes(), i: 0 };
    let year = c.number(9).filter(|y| *y >= 1)?;
    c.literal(b'-')?;
    let month = c.number(9).filter(|m| (1..=12).contains(m))?;
    c.literal(b'-')?;
    let day = c.number(9).filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
    c.literal(b'T')?;
    let hour = c.number(9).filter(|h| *h <= 23)?;
    c.literal(b':')?;
    let minute = c.number(9).filter(|m| *m <= 59)?;
    c.literal(b':')?;
    let second = c.number(9).filter(|s| *s <= 59)?;
    c.literal(b'.')?;
    let millis = c.number(9).filter(|ms| *ms <= 999)?;
    let offset = c.zone(zone_minutes)?;
    let local = days_from_civil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
    Some(local - offset)
}

/// Kafka's `Utils.getDateTime`: epoch milliseconds, or the text of the exception Kafka's tool
/// reports (`java.text.ParseException: …`).
pub fn parse_datetime(timestamp: &str) -> Result<i64, String> {
    let parts = java::split(timestamp, 'T');
    if parts.len() < 2 {
        return Err("java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format".into());
    }
    let second = parts[1];
    let text = if second.contains(['+', '-', 'Z']) {
        timestamp.to_string()
    } else {
        format!("{timestamp}Z")
    };
    parse_pattern(&text, true)
        .or_else(|| parse_pattern(&text, false))
        .ok_or_else(|| format!("java.text.ParseException: Unparseable date: \"{text}\""))
}

/// `java.time.Duration.parse` (`[-+]P[nD][T[nH][nM][n[.f]S]]`, case-insensitive) as signed
/// nanoseconds, or Java's `DateTimeParseException` message.
pub fn parse_duration(text: &str) -> Result<i128, String> {
    const BAD: &str = "Text cannot be parsed to a Duration";
    let upper = text.to_ascii_uppercase();
    let s = upper.as_bytes();
    let mut i = 0;
    let negate = match s.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    if s.get(i) != Some(&b'P') {
        return Err(BAD.into());
    }
    i += 1;
    // One `[-+]digits` followed by `unit`, if present at `i`.
    let signed = |i: &mut usize, units: &[u8]| -> Option<i128> {
        let start = *i;
        let mut j = *i;
        let neg = matches!(s.get(j), Some(b'-'));
        if matches!(s.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let digits = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j == digits {
            *i = start;
            return None;
        }
        let unit = *s.get(j)?;
        if !units.contains(&unit) {
            return None;
        }
        let n: i128 = std::str::from_utf8(&s[digits..j]).ok()?.parse().ok()?;
        *i = j + 1;
        Some(if neg { -n } else { n })
    };
    let mut total: i128 = 0;
    let mut parts = 0;
    let mut j = i;
    if let Some(days) = signed(&mut j, b"D") {
        total += days * 86_400 * 1_000_000_000;
        parts += 1;
        i = j;
    }
    if s.get(i) == Some(&b'T') {
        i += 1;
        let mut time_parts = 0;
        for (unit, secs) in [(b'H', 3600i128), (b'M', 60)] {
            let mut j = i;
            if let Some(n) = signed(&mut j, &[unit]) {
                total += n * secs * 1_000_000_000;
                time_parts += 1;
                i = j;
            }
        }
        // Seconds, with an optional fraction of up to nine digits: `[-+]n[.,f]S`.
        let start = i;
        let mut j = i;
        let neg = matches!(s.get(j), Some(b'-'));
        if matches!(s.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let digits = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j > digits {
            let whole: i128 = std::str::from_utf8(&s[digits..j]).ok().and_then(|d| d.parse().ok()).ok_or(BAD)?;
            let mut nanos: i128 = 0;
            if matches!(s.get(j), Some(b'.' | b',')) {
                j += 1;
                let f = j;
                while j < s.len() && s[j].is_ascii_digit() {
                    j += 1;
                }
                if j - f > 9 {
                    return Err(BAD.into());
                }
                let frac = std::str::from_utf8(&s[f..j]).unwrap_or("");
                if !frac.is_empty() {
                    nanos = format!("{frac:0<9}").parse().map_err(|_| BAD)?;
                }
            }
            if s.get(j) == Some(&b'S') {
                let secs = if neg { -whole } else { whole };
                total += secs * 1_000_000_000 + if neg { -nanos } else { nanos };
                time_parts += 1;
                i = j + 1;
            } else {
                i = start;
            }
        }
        if time_parts == 0 {
            return Err(BAD.into());
        }
        parts += time_parts;
    }
    if i != s.len() || parts == 0 {
        return Err(BAD.into());
    }
    Ok(if negate { -total } else { total })
}

/// Now, in epoch nanoseconds.
pub fn now_nanos() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// `[yyyy-MM-dd HH:mm:ss,SSS]` (UTC) for log-style lines, as Kafka's tools' log4j pattern
/// starts them.
pub fn log_timestamp() -> String {
    let ms = (now_nanos() / 1_000_000) as i64;
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    format!(
        "[{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}]",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_parse_as_kafka_parses_them() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00.000"), Ok(0));
        assert_eq!(parse_datetime("2020-01-01T00:00:00.000"), Ok(1_577_836_800_000));
        assert_eq!(parse_datetime("2020-01-01T00:00:00.000Z"), Ok(1_577_836_800_000));
        assert_eq!(parse_datetime("2020-01-01T01:00:00.000+01:00"), Ok(1_577_836_800_000));
        assert_eq!(parse_datetime("2019-12-31T19:00:00.000-05:00"), Ok(1_577_836_800_000));
        assert_eq!(parse_datetime("2020-01-01T01:00:00.000+01"), Ok(1_577_836_800_000));
        assert_eq!(parse_datetime("2024-02-29T12:34:56.789"), Ok(1_709_210_096_789));
        // Single digits and trailing text are accepted, as SimpleDateFormat accepts them.
        assert_eq!(parse_datetime("2020-1-1T0:0:0.5Z"), Ok(1_577_836_800_005));
        assert_eq!(parse_datetime("2020-01-01T00:00:00.000Zjunk"), Ok(1_577_836_800_000));
    }

    #[test]
    fn bad_datetimes_fail_with_kafkas_messages() {
        assert_eq!(
            parse_datetime("bad"),
            Err("java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format".into())
        );
        assert_eq!(
            parse_datetime("2020-13-01T00:00:00.000"),
            Err("java.text.ParseException: Unparseable date: \"2020-13-01T00:00:00.000Z\"".into())
        );
        assert!(parse_datetime("2023-02-29T00:00:00.000").is_err(), "not a leap year");
        assert!(parse_datetime("2020-01-01T00:00:00").is_err(), "milliseconds are required");
        assert!(parse_datetime("2020-01-01T24:00:00.000").is_err());
        assert!(parse_datetime("T").is_err());
    }

    #[test]
    fn durations_parse_as_java_parses_them() {
        let s = 1_000_000_000i128;
        assert_eq!(parse_duration("PT1H"), Ok(3600 * s));
        assert_eq!(parse_duration("P1D"), Ok(86_400 * s));
        assert_eq!(parse_duration("P1DT2H3M4S"), Ok((86_400 + 7200 + 180 + 4) * s));
        assert_eq!(parse_duration("pt15m"), Ok(900 * s));
        assert_eq!(parse_duration("PT0.5S"), Ok(s / 2));
        assert_eq!(parse_duration("PT-0.5S"), Ok(-s / 2));
        assert_eq!(parse_duration("-PT1M"), Ok(-60 * s));
        assert_eq!(parse_duration("PT-1H30M"), Ok(-1800 * s));
        for bad in ["xx", "P", "PT", "P1H", "PT1D", "PT1.1234567891S", "1H", "PT1H ", "P1DT"] {
            assert_eq!(parse_duration(bad), Err("Text cannot be parsed to a Duration".into()), "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 18_000, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert!(log_timestamp().starts_with("[20"));
    }
}
