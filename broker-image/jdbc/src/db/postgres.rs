//! PostgreSQL: binding and decoding over sqlx's Postgres driver.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgPool, Postgres, Row};

use super::{time_ms, Cell, DbError, Decode, Param};

fn bind<'q>(mut q: Query<'q, Postgres, PgArguments>, params: &'q [Param]) -> Query<'q, Postgres, PgArguments> {
    for p in params {
        q = match p {
            Param::Null => q.bind(None::<String>),
            Param::TypedNull(d) => match d {
                Decode::Bool => q.bind(None::<bool>),
                Decode::Int | Decode::UInt => q.bind(None::<i64>),
                Decode::Float => q.bind(None::<f64>),
                Decode::Decimal => q.bind(None::<bigdecimal::BigDecimal>),
                Decode::Text => q.bind(None::<String>),
                Decode::Bytes => q.bind(None::<Vec<u8>>),
                Decode::Date => q.bind(None::<chrono::NaiveDate>),
                Decode::Time => q.bind(None::<chrono::NaiveTime>),
                Decode::DateTime => q.bind(None::<chrono::NaiveDateTime>),
                Decode::Instant => q.bind(None::<chrono::DateTime<chrono::Utc>>),
            },
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

fn cell(row: &PgRow, i: usize, d: Decode) -> Result<Cell, sqlx::Error> {
    use sqlx::{TypeInfo, ValueRef};
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let ty = raw.type_info().name().to_string();
    Ok(match d {
        Decode::Bool => Cell::Bool(row.try_get_unchecked(i)?),
        Decode::Int | Decode::UInt => Cell::Int(match ty.as_str() {
            "INT2" => i64::from(row.try_get_unchecked::<i16, _>(i)?),
            "INT4" => i64::from(row.try_get_unchecked::<i32, _>(i)?),
            "OID" => i64::from(row.try_get_unchecked::<sqlx::postgres::types::Oid, _>(i)?.0),
            _ => row.try_get_unchecked::<i64, _>(i)?,
        }),
        Decode::Float => Cell::Float(match ty.as_str() {
            "FLOAT4" => f64::from(row.try_get_unchecked::<f32, _>(i)?),
            _ => row.try_get_unchecked::<f64, _>(i)?,
        }),
        Decode::Decimal => Cell::Decimal(row.try_get_unchecked(i)?),
        // Text types; others (uuid, json …) are cast to text in the SELECT.
        Decode::Text => Cell::Text(row.try_get_unchecked(i)?),
        Decode::Bytes => Cell::Bytes(row.try_get_unchecked(i)?),
        Decode::Date => Cell::Date(row.try_get_unchecked(i)?),
        Decode::Time => Cell::Time(time_ms(row.try_get_unchecked(i)?)),
        Decode::DateTime => Cell::DateTime(row.try_get_unchecked(i)?),
        Decode::Instant => Cell::Instant(row.try_get_unchecked(i)?),
    })
}

queries!(PgPool);
