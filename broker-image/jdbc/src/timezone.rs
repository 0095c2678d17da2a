//! `db.timezone`: the zone in which zoneless date-times (`DATETIME`, `timestamp`) and times of
//! day (`TIME`) are read and written, as Confluent's connector passes a `Calendar` in that zone
//! to JDBC (dates are not: Confluent reads them in UTC). We accept `UTC`
//! (the default), `GMT`, `Z` and fixed offsets (`+02:00`, `-0530`, `UTC+2`, `GMT-03:00`).

use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use kaskade_connect::data::MILLIS_PER_DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbTimeZone {
    offset: FixedOffset,
}

impl Default for DbTimeZone {
    fn default() -> Self {
        DbTimeZone {
            offset: FixedOffset::east_opt(0).expect("zero offset"),
        }
    }
}

impl DbTimeZone {
    pub fn parse(s: &str) -> Result<DbTimeZone, String> {
        let t = s.trim();
        let rest = ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z", "UT"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(t);
        if rest.is_empty() {
            return Ok(DbTimeZone::default());
        }
        let invalid = || format!("Invalid time zone identifier {t}: kaskade accepts UTC and fixed offsets such as +02:00");
        let (sign, digits) = match rest.as_bytes()[0] {
            b'+' => (1, &rest[1..]),
            b'-' => (-1, &rest[1..]),
            _ => return Err(invalid()),
        };
        let (h, m) = match digits.split_once(':') {
            Some((h, m)) => (h, m),
            None if digits.len() == 4 => digits.split_at(2),
            None => (digits, "0"),
        };
        let (h, m): (i32, i32) = (h.parse().map_err(|_| invalid())?, m.parse().map_err(|_| invalid())?);
        if h > 18 || m > 59 {
            return Err(invalid());
        }
        let offset = FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(invalid)?;
        Ok(DbTimeZone { offset })
    }

    /// Seconds east of UTC.
    pub fn seconds_east(&self) -> i32 {
        self.offset.local_minus_utc()
    }

    /// The offset as MySQL's `time_zone` takes it: `+02:00`.
    pub fn mysql_offset(&self) -> String {
        let s = self.seconds_east();
        format!("{}{:02}:{:02}", if s < 0 { '-' } else { '+' }, s.abs() / 3600, s.abs() % 3600 / 60)
    }

    /// The zone as PostgreSQL's `TimeZone` takes it: `UTC`, or a POSIX zone (whose sign is
    /// west-positive: `<+02:00>-02:00` is two hours east).
    pub fn postgres_zone(&self) -> String {
        let s = self.seconds_east();
        if s == 0 {
            return "UTC".into();
        }
        let (h, m) = (s.abs() / 3600, s.abs() % 3600 / 60);
        format!(
            "<{}{h:02}{m:02}>{}{h:02}:{m:02}",
            if s < 0 { '-' } else { '+' },
            if s < 0 { '+' } else { '-' }
        )
    }

    /// Epoch milliseconds of a wall-clock date-time in this zone.
    pub fn to_epoch_ms(&self, t: &NaiveDateTime) -> i64 {
        t.and_utc().timestamp_millis() - i64::from(self.seconds_east()) * 1000
    }

    /// The time of day in UTC (milliseconds) of a wall-clock time of day in this zone, as
    /// Confluent reads a TIME (`getTime` with a `db.timezone` calendar), kept within the day
    /// (Connect's `Time` refuses others, where Confluent's task fails).
    pub fn time_to_utc(&self, ms: i64) -> i64 {
        (ms - i64::from(self.seconds_east()) * 1000).rem_euclid(MILLIS_PER_DAY)
    }

    /// The wall-clock time of day in this zone of a time of day in UTC (as Confluent's
    /// `setTime` with a `db.timezone` calendar writes it).
    pub fn time_from_utc(&self, ms: i64) -> i64 {
        (ms + i64::from(self.seconds_east()) * 1000).rem_euclid(MILLIS_PER_DAY)
    }

    /// The wall-clock date-time in this zone of an instant.
    pub fn wall_clock(&self, epoch_ms: i64, nanos: u32) -> Option<NaiveDateTime> {
        let secs = epoch_ms.div_euclid(1000);
        self.offset.timestamp_opt(secs, nanos).single().map(|t| t.naive_local())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(DbTimeZone::parse("UTC").unwrap().seconds_east(), 0);
        assert_eq!(DbTimeZone::parse("+02:00").unwrap().seconds_east(), 7200);
        assert_eq!(DbTimeZone::parse("GMT-05:30").unwrap().seconds_east(), -19800);
        assert_eq!(DbTimeZone::parse("UTC+3").unwrap().seconds_east(), 10800);
        assert_eq!(DbTimeZone::parse("-0400").unwrap().mysql_offset(), "-04:00");
        assert_eq!(DbTimeZone::parse("+02:00").unwrap().postgres_zone(), "<+0200>-02:00");
        assert!(DbTimeZone::parse("Mars/Olympus").is_err());
        let tz = DbTimeZone::parse("+01:00").unwrap();
        let t = NaiveDateTime::parse_from_str("2023-04-04 22:22:51", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(tz.to_epoch_ms(&t), 1680643371000);
        assert_eq!(tz.wall_clock(1680643371000, 0), Some(t));
        // 00:30 at +01:00 is 23:30 UTC; 12:34:56.789 at -05:00 is 17:34:56.789 UTC.
        assert_eq!(tz.time_to_utc(30 * 60_000), 23 * 3_600_000 + 30 * 60_000);
        assert_eq!(tz.time_from_utc(23 * 3_600_000 + 30 * 60_000), 30 * 60_000);
        let west = DbTimeZone::parse("-05:00").unwrap();
        assert_eq!(west.time_to_utc(45_296_789), 63_296_789);
        assert_eq!(west.time_from_utc(63_296_789), 45_296_789);
        assert_eq!(DbTimeZone::default().time_to_utc(45_296_789), 45_296_789);
    }
}
