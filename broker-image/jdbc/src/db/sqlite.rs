//! SQLite: binding and decoding over sqlx's SQLite driver. SQLite stores by affinity, so a
//! column's value is read by what it holds (a DATETIME column may hold text or a number).

use bigdecimal::BigDecimal;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqlitePool};

use super::{time_ms, Cell, DbError, Decode, Param};

fn bind<'q>(mut q: Query<'q, Sqlite, SqliteArguments>, params: &'q [Param]) -> Query<'q, Sqlite, SqliteArguments> {
    for p in params {
        q = match p {
            Param::Null => q.bind(None::<String>),
            Param::TypedNull(_) => q.bind(None::<String>),
            Param::Bool(b) => q.bind(*b),
            Param::I64(i) => q.bind(*i),
            Param::F32(f) => q.bind(*f),
            Param::F64(f) => q.bind(*f),
            Param::Text(s) => q.bind(s.as_str()),
            Param::Bytes(b) => q.bind(b.as_slice()),
            // SQLite has no decimal type: the exact text keeps every digit (NUMERIC affinity
            // stores it as a number when it fits).
            Param::Decimal(d) => q.bind(d.to_string()),
            Param::Date(d) => q.bind(d.format("%Y-%m-%d").to_string()),
            Param::Time(t) => q.bind(t.format("%H:%M:%S%.3f").to_string()),
            Param::DateTime(t) => q.bind(t.format("%Y-%m-%d %H:%M:%S%.3f").to_string()),
        };
    }
    q
}

/// A date-time as SQLite stores them: ISO text, or a number of seconds (or ms) since the epoch.
fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn cell(row: &SqliteRow, i: usize, d: Decode) -> Result<Cell, sqlx::Error> {
    use sqlx::{TypeInfo, ValueRef};
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    // The storage class of this value: INTEGER, REAL, TEXT or BLOB.
    let stored = raw.type_info().name().to_string();
    let text = |row: &SqliteRow| -> Result<String, sqlx::Error> {
        match stored.as_str() {
            "INTEGER" => Ok(row.try_get_unchecked::<i64, _>(i)?.to_string()),
            "REAL" => Ok(row.try_get_unchecked::<f64, _>(i)?.to_string()),
            "BLOB" => Ok(String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i)?).into_owned()),
            _ => row.try_get_unchecked::<String, _>(i),
        }
    };
    let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("cannot read {v:?} as {what}").into());
    Ok(match d {
        Decode::Bool => Cell::Bool(match stored.as_str() {
            "TEXT" => matches!(text(row)?.trim().to_ascii_lowercase().as_str(), "1" | "true"),
            _ => row.try_get_unchecked::<i64, _>(i)? != 0,
        }),
        Decode::Int | Decode::UInt => Cell::Int(match stored.as_str() {
            "INTEGER" => row.try_get_unchecked(i)?,
            "REAL" => row.try_get_unchecked::<f64, _>(i)? as i64,
            _ => {
                let t = text(row)?;
                t.trim().parse().map_err(|_| bad("an integer", &t))?
            }
        }),
        Decode::Float => Cell::Float(match stored.as_str() {
            "INTEGER" => row.try_get_unchecked::<i64, _>(i)? as f64,
            "REAL" => row.try_get_unchecked(i)?,
            _ => {
                let t = text(row)?;
                t.trim().parse().map_err(|_| bad("a number", &t))?
            }
        }),
        Decode::Decimal => {
            let t = text(row)?;
            Cell::Decimal(t.trim().parse::<BigDecimal>().map_err(|_| bad("a decimal", &t))?)
        }
        Decode::Text => Cell::Text(text(row)?),
        Decode::Bytes => Cell::Bytes(match stored.as_str() {
            "BLOB" => row.try_get_unchecked(i)?,
            _ => text(row)?.into_bytes(),
        }),
        Decode::Date => match stored.as_str() {
            "INTEGER" | "REAL" => Cell::Date(epoch_ms(row, i, &stored)?.date()),
            _ => {
                let t = text(row)?;
                Cell::Date(parse_datetime(&t).map(|d| d.date()).ok_or_else(|| bad("a date", &t))?)
            }
        },
        Decode::Time => match stored.as_str() {
            "INTEGER" | "REAL" => Cell::Time(time_ms(epoch_ms(row, i, &stored)?.time())),
            _ => {
                let t = text(row)?;
                let parsed = NaiveTime::parse_from_str(t.trim(), "%H:%M:%S%.f")
                    .ok()
                    .or_else(|| parse_datetime(&t).map(|d| d.time()));
                Cell::Time(time_ms(parsed.ok_or_else(|| bad("a time", &t))?))
            }
        },
        Decode::DateTime | Decode::Instant => {
            let t = match stored.as_str() {
                "INTEGER" | "REAL" => epoch_ms(row, i, &stored)?,
                _ => {
                    let t = text(row)?;
                    parse_datetime(&t).ok_or_else(|| bad("a date and time", &t))?
                }
            };
            if d == Decode::Instant {
                Cell::Instant(t.and_utc())
            } else {
                Cell::DateTime(t)
            }
        }
    })
}

/// A number stored in a date column: milliseconds since the epoch (sqlite-jdbc's default).
fn epoch_ms(row: &SqliteRow, i: usize, stored: &str) -> Result<NaiveDateTime, sqlx::Error> {
    let ms = if stored == "REAL" {
        row.try_get_unchecked::<f64, _>(i)? as i64
    } else {
        row.try_get_unchecked::<i64, _>(i)?
    };
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.naive_utc())
        .ok_or_else(|| sqlx::Error::Decode(format!("{ms} is out of range for a timestamp").into()))
}

queries!(SqlitePool);
