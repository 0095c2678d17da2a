//! MariaDB and MySQL: binding and decoding over sqlx's MySQL driver (binary protocol).

use sqlx::mysql::{MySqlArguments, MySqlRow};
use sqlx::query::Query;
use sqlx::{MySql, MySqlPool, Row};

use super::{Cell, DbError, Decode, Param};

fn bind<'q>(mut q: Query<'q, MySql, MySqlArguments>, params: &'q [Param]) -> Query<'q, MySql, MySqlArguments> {
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
            Param::Decimal(d) => q.bind(d),
            Param::Date(d) => q.bind(*d),
            Param::Time(t) => q.bind(*t),
            Param::DateTime(t) => q.bind(*t),
        };
    }
    q
}

/// The type the server says column `i` holds (`YEAR`, `DATE` …).
fn raw_type(row: &MySqlRow, i: usize) -> Result<String, sqlx::Error> {
    use sqlx::{TypeInfo, ValueRef};
    Ok(row.try_get_raw(i)?.type_info().name().to_string())
}

fn cell(row: &MySqlRow, i: usize, d: Decode) -> Result<Cell, sqlx::Error> {
    use sqlx::ValueRef;
    if row.try_get_raw(i)?.is_null() {
        return Ok(Cell::Null);
    }
    Ok(match d {
        Decode::Bool => Cell::Bool(row.try_get_unchecked::<i64, _>(i)? != 0),
        Decode::Int => Cell::Int(row.try_get_unchecked::<i64, _>(i)?),
        Decode::UInt => Cell::UInt(row.try_get_unchecked::<u64, _>(i)?),
        Decode::Float => match row.try_get_unchecked::<f64, _>(i) {
            Ok(f) => Cell::Float(f),
            Err(_) => Cell::Float(f64::from(row.try_get_unchecked::<f32, _>(i)?)),
        },
        Decode::Decimal => Cell::Decimal(row.try_get_unchecked(i)?),
        Decode::Text => Cell::Text(match row.try_get_unchecked::<String, _>(i) {
            Ok(s) => s,
            Err(_) => String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i)?).into_owned(),
        }),
        Decode::Bytes => Cell::Bytes(row.try_get_unchecked(i)?),
        // YEAR comes as a number; the drivers' `yearIsDateType` makes it January 1st.
        Decode::Date if raw_type(row, i)? == "YEAR" => {
            let year = row.try_get_unchecked::<i64, _>(i)?;
            Cell::Date(
                i32::try_from(year)
                    .ok()
                    .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1))
                    .ok_or_else(|| sqlx::Error::Decode(format!("{year} is not a year").into()))?,
            )
        }
        Decode::Date => Cell::Date(row.try_get_unchecked(i)?),
        Decode::Time => {
            let t: sqlx::mysql::types::MySqlTime = row.try_get_unchecked(i)?;
            let ms = (i64::from(t.hours()) * 3600 + i64::from(t.minutes()) * 60 + i64::from(t.seconds())) * 1000
                + i64::from(t.microseconds()) / 1000;
            Cell::Time(if t.is_negative() { -ms } else { ms })
        }
        Decode::DateTime => Cell::DateTime(row.try_get_unchecked(i)?),
        Decode::Instant => Cell::Instant(row.try_get_unchecked::<chrono::NaiveDateTime, _>(i)?.and_utc()),
    })
}

queries!(MySqlPool);
