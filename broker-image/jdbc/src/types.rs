//! Confluent's SQL → Connect type mapping (`GenericDatabaseDialect.addFieldToSchema` and its
//! MySQL, PostgreSQL and SQLite overrides): each column, as its JDBC driver would report it
//! (a `java.sql.Types` kind, signedness, precision, scale, nullability), becomes a field of the
//! row's struct, and each decoded [`Cell`] its Connect value. Pure: catalogs are read elsewhere.

use bigdecimal::BigDecimal;
use kaskade_connect::data::{self, Schema, SchemaRef, Type, Value, MILLIS_PER_DAY};

use crate::db::{Cell, Decode};
use crate::timezone::DbTimeZone;
use crate::url::Engine;

/// The `java.sql.Types` kinds Confluent's mapping distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JdbcType {
    Bit,
    Boolean,
    TinyInt,
    SmallInt,
    Integer,
    BigInt,
    Real,
    Float,
    Double,
    Numeric,
    Decimal,
    /// CHAR, VARCHAR, LONGVARCHAR, NCHAR, CLOB …: all strings.
    Char,
    /// BINARY, VARBINARY, BLOB …: all bytes.
    Binary,
    Date,
    Time,
    Timestamp,
    /// TIMESTAMP WITH TIME ZONE (PostgreSQL `timestamptz`).
    TimestampTz,
    /// What Confluent does not map (arrays, intervals, geometry …): the column is left out.
    Other,
}

/// One result column as the connector sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The database's own type name (upper case, without arguments), for messages.
    pub type_name: String,
    pub jdbc: JdbcType,
    pub signed: bool,
    pub precision: i32,
    pub scale: i32,
    pub nullable: bool,
    pub auto_increment: bool,
}

/// `numeric.mapping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumericMapping {
    #[default]
    None,
    PrecisionOnly,
    BestFit,
    BestFitEagerDouble,
}

impl NumericMapping {
    pub const NAMES: [&'static str; 4] = ["none", "precision_only", "best_fit", "best_fit_eager_double"];

    pub fn parse(s: &str) -> Option<NumericMapping> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "none" => NumericMapping::None,
            "precision_only" => NumericMapping::PrecisionOnly,
            "best_fit" => NumericMapping::BestFit,
            "best_fit_eager_double" => NumericMapping::BestFitEagerDouble,
            _ => return None,
        })
    }
}

/// How a column's cell becomes its field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convert {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal { scale: i32 },
    String,
    Bytes,
    Date,
    Time,
    Timestamp,
}

/// A mapped column: its field schema, how to read the cell and how to convert it.
#[derive(Debug, Clone)]
pub struct FieldMapping {
    pub name: String,
    pub schema: SchemaRef,
    pub decode: Decode,
    pub convert: Convert,
}

/// Confluent's `NUMERIC_TYPE_SCALE_LOW`.
const SCALE_LOW: i32 = -84;

/// `addFieldToSchema`: the field for `column`, `None` when Confluent leaves the type out.
pub fn map_column(column: &Column, numeric: NumericMapping) -> Option<FieldMapping> {
    let optional = column.nullable;
    let prim = |ty: Type, convert: Convert, decode: Decode| (Schema::of(ty, optional), decode, convert);
    let int_decode = if column.signed { Decode::Int } else { Decode::UInt };
    let (schema, decode, convert) = match column.jdbc {
        JdbcType::Boolean => prim(Type::Boolean, Convert::Boolean, Decode::Bool),
        // Generic `Types.BIT` (MySQL's TINYINT(1), BOOLEAN and BIT(1)) is an INT8 of 0 or 1.
        JdbcType::Bit => prim(Type::Int8, Convert::Int8, Decode::Int),
        JdbcType::TinyInt if column.signed => prim(Type::Int8, Convert::Int8, int_decode),
        JdbcType::TinyInt => prim(Type::Int16, Convert::Int16, int_decode),
        JdbcType::SmallInt if column.signed => prim(Type::Int16, Convert::Int16, int_decode),
        JdbcType::SmallInt => prim(Type::Int32, Convert::Int32, int_decode),
        JdbcType::Integer if column.signed => prim(Type::Int32, Convert::Int32, int_decode),
        JdbcType::Integer => prim(Type::Int64, Convert::Int64, int_decode),
        JdbcType::BigInt => prim(Type::Int64, Convert::Int64, int_decode),
        JdbcType::Real => prim(Type::Float32, Convert::Float32, Decode::Float),
        JdbcType::Float | JdbcType::Double => prim(Type::Float64, Convert::Float64, Decode::Float),
        JdbcType::Numeric | JdbcType::Decimal => {
            let (p, s) = (column.precision, column.scale);
            let int_for = |p: i32| {
                if p < 3 {
                    prim(Type::Int8, Convert::Int8, Decode::Int)
                } else if p < 5 {
                    prim(Type::Int16, Convert::Int16, Decode::Int)
                } else if p < 10 {
                    prim(Type::Int32, Convert::Int32, Decode::Int)
                } else {
                    prim(Type::Int64, Convert::Int64, Decode::Int)
                }
            };
            let decimal = || {
                let scale = if s == -127 { 127 } else { s };
                let b = data::decimal(scale).parameter("connect.decimal.precision", p.to_string());
                let b = if optional { b.optional() } else { b };
                (b.build(), Decode::Decimal, Convert::Decimal { scale })
            };
            match numeric {
                NumericMapping::PrecisionOnly if column.jdbc == JdbcType::Numeric && s == 0 && p < 19 && p > 0 => int_for(p),
                NumericMapping::BestFit | NumericMapping::BestFitEagerDouble if column.jdbc == JdbcType::Numeric => {
                    if p < 19 && p > 0 && s < 1 && s > SCALE_LOW {
                        int_for(p)
                    } else if s > 0 && (p < 19 || numeric == NumericMapping::BestFitEagerDouble) {
                        prim(Type::Float64, Convert::Float64, Decode::Float)
                    } else {
                        decimal()
                    }
                }
                _ => decimal(),
            }
        }
        JdbcType::Char => prim(Type::String, Convert::String, Decode::Text),
        JdbcType::Binary => prim(Type::Bytes, Convert::Bytes, Decode::Bytes),
        JdbcType::Date => {
            let b = data::date();
            ((if optional { b.optional() } else { b }).build(), Decode::Date, Convert::Date)
        }
        JdbcType::Time => {
            let b = data::time();
            ((if optional { b.optional() } else { b }).build(), Decode::Time, Convert::Time)
        }
        JdbcType::Timestamp | JdbcType::TimestampTz => (
            data::timestamp_schema(optional),
            if column.jdbc == JdbcType::TimestampTz {
                Decode::Instant
            } else {
                Decode::DateTime
            },
            Convert::Timestamp,
        ),
        JdbcType::Other => return None,
    };
    Some(FieldMapping {
        name: column.name.clone(),
        schema,
        decode,
        convert,
    })
}

/// A value that does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ConvertError {
    pub column: String,
    pub message: String,
}

/// The Connect value of `cell` for a field converted by `convert`; zoneless date-times are read
/// in `tz`.
pub fn to_value(cell: Cell, convert: Convert, tz: &DbTimeZone, column: &str) -> Result<Value, ConvertError> {
    let err = |message: String| ConvertError {
        column: column.to_string(),
        message,
    };
    if cell == Cell::Null {
        return Ok(Value::Null);
    }
    let int = |cell: &Cell| -> Result<i64, ConvertError> {
        match cell {
            Cell::Int(i) => Ok(*i),
            Cell::UInt(u) => i64::try_from(*u).map_err(|_| err(format!("{u} does not fit a 64-bit integer"))),
            Cell::Bool(b) => Ok(i64::from(*b)),
            Cell::Float(f) => Ok(*f as i64),
            Cell::Decimal(d) => d.to_string().parse().map_err(|_| err(format!("{d} is not an integer"))),
            c => c.as_i64().ok_or_else(|| err(format!("{c:?} is not an integer"))),
        }
    };
    let narrow = |v: i64, bits: u32| -> Result<i64, ConvertError> {
        let (min, max) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
        if v < min || v > max {
            Err(err(format!("{v} does not fit a {bits}-bit integer")))
        } else {
            Ok(v)
        }
    };
    Ok(match convert {
        Convert::Boolean => Value::Boolean(match cell {
            Cell::Bool(b) => b,
            c => int(&c)? != 0,
        }),
        Convert::Int8 => Value::Int8(narrow(int(&cell)?, 8)? as i8),
        Convert::Int16 => Value::Int16(narrow(int(&cell)?, 16)? as i16),
        Convert::Int32 => Value::Int32(narrow(int(&cell)?, 32)? as i32),
        Convert::Int64 => Value::Int64(int(&cell)?),
        Convert::Float32 => Value::Float32(match cell {
            Cell::Float(f) => f as f32,
            c => int(&c)? as f32,
        }),
        Convert::Float64 => Value::Float64(match cell {
            Cell::Float(f) => f,
            Cell::Decimal(d) => d.to_string().parse().map_err(|_| err(format!("{d} is not a number")))?,
            c => int(&c)? as f64,
        }),
        Convert::Decimal { scale } => {
            let d = match cell {
                Cell::Decimal(d) => d,
                Cell::Int(i) => BigDecimal::from(i),
                Cell::UInt(u) => BigDecimal::from(u),
                Cell::Float(f) => f.to_string().parse().map_err(|_| err(format!("{f} is not a decimal")))?,
                Cell::Text(t) => t.trim().parse().map_err(|_| err(format!("{t} is not a decimal")))?,
                c => return Err(err(format!("{c:?} is not a decimal"))),
            };
            Value::Decimal(d.with_scale(i64::from(scale)))
        }
        Convert::String => Value::String(match cell {
            Cell::Text(s) => s,
            Cell::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::UInt(u) => u.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Bool(b) => b.to_string(),
            c => format!("{c:?}"),
        }),
        Convert::Bytes => Value::Bytes(match cell {
            Cell::Bytes(b) => b,
            Cell::Text(s) => s.into_bytes(),
            c => return Err(err(format!("{c:?} is not bytes"))),
        }),
        Convert::Date => Value::Date(match cell {
            Cell::Date(d) => d.signed_duration_since(epoch_day()).num_days() * MILLIS_PER_DAY,
            Cell::DateTime(t) => t.date().signed_duration_since(epoch_day()).num_days() * MILLIS_PER_DAY,
            c => return Err(err(format!("{c:?} is not a date"))),
        }),
        Convert::Time => Value::Date(match cell {
            // A time of day is a wall clock in `db.timezone`; MySQL's durations beyond a day
            // are left as they are.
            Cell::Time(ms) if (0..MILLIS_PER_DAY).contains(&ms) => tz.time_to_utc(ms),
            Cell::Time(ms) => ms,
            c => return Err(err(format!("{c:?} is not a time"))),
        }),
        Convert::Timestamp => Value::Date(match cell {
            Cell::DateTime(t) => tz.to_epoch_ms(&t),
            Cell::Instant(t) => t.timestamp_millis(),
            Cell::Date(d) => tz.to_epoch_ms(&d.and_hms_opt(0, 0, 0).unwrap_or_default()),
            c => return Err(err(format!("{c:?} is not a timestamp"))),
        }),
    })
}

fn epoch_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The JDBC kind a driver reports for a column, from the catalog's type name (`int unsigned`,
/// `tinyint(1)`, `varchar(20)`, `timestamptz`, SQLite's declared type …).
pub fn jdbc_type(engine: Engine, type_name: &str) -> (JdbcType, bool) {
    let lower = type_name.trim().to_ascii_lowercase();
    let unsigned = lower.contains("unsigned");
    let base = lower.split(['(', ' ']).next().unwrap_or("").to_string();
    let arg = lower
        .split_once('(')
        .and_then(|(_, r)| r.split(')').next())
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    let signed = !unsigned;
    use JdbcType::*;
    let t = match engine {
        Engine::MySql => match base.as_str() {
            // MariaDB Connector/J and Connector/J report TINYINT(1) and BIT(1) as BIT
            // (`tinyInt1isBit`), YEAR as DATE (`yearIsDateType`).
            "tinyint" if arg == "1" => Bit,
            "bit" if arg.is_empty() || arg == "1" => Bit,
            "bit" => Binary,
            "bool" | "boolean" => Bit,
            "tinyint" => TinyInt,
            "smallint" => SmallInt,
            "mediumint" | "int" | "integer" => Integer,
            "bigint" => BigInt,
            "float" => Real,
            "double" | "real" => Double,
            "decimal" | "dec" | "numeric" | "fixed" => Decimal,
            "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set" | "json" | "nchar" | "nvarchar" => Char,
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => Binary,
            "date" | "year" => Date,
            "time" => Time,
            "datetime" | "timestamp" => Timestamp,
            _ => Other,
        },
        Engine::Postgres => match base.as_str() {
            // pgjdbc says BIT for bool, and Confluent's PostgreSQL dialect makes it a BOOLEAN.
            "bool" | "boolean" => Boolean,
            "int2" | "smallint" | "smallserial" => SmallInt,
            "int4" | "integer" | "int" | "serial" => Integer,
            "int8" | "bigint" | "bigserial" | "oid" => BigInt,
            "float4" | "real" => Real,
            "float8" | "double" | "money" => Double,
            "numeric" | "decimal" => Numeric,
            "varchar" | "character" | "bpchar" | "char" | "text" | "name" | "uuid" | "json" | "jsonb" | "xml" | "citext" => Char,
            "bytea" => Binary,
            "date" => Date,
            "time" | "timetz" => Time,
            "timestamp" => Timestamp,
            "timestamptz" => TimestampTz,
            _ if lower.starts_with("timestamp") && lower.contains("with time zone") && !lower.contains("without") => TimestampTz,
            _ if lower.starts_with("timestamp") => Timestamp,
            _ if lower.starts_with("time") => Time,
            _ if lower.starts_with("character") => Char,
            _ if lower.starts_with("double") => Double,
            _ => Other,
        },
        // sqlite-jdbc reports a column by its declared type's name; we read date-times as
        // TIMESTAMP (sqlite-jdbc says DATE for DATETIME, which would drop the time of day).
        Engine::Sqlite => match base.as_str() {
            "boolean" | "bool" => Boolean,
            "tinyint" => TinyInt,
            "smallint" | "int2" => SmallInt,
            "bigint" | "int8" => BigInt,
            "int" | "integer" | "mediumint" => Integer,
            "real" => Real,
            "float" => Float,
            "double" => Double,
            "decimal" => Decimal,
            "numeric" => Numeric,
            "date" => Date,
            "time" => Time,
            "datetime" | "timestamp" => Timestamp,
            "blob" | "binary" | "varbinary" => Binary,
            _ if base.contains("int") => Integer,
            _ if base.contains("char") || base.contains("clob") || base.contains("text") || base.is_empty() => Char,
            _ if base.contains("real") || base.contains("floa") || base.contains("doub") => Double,
            _ => Numeric,
        },
    };
    (t, signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(engine: Engine, ty: &str, nullable: bool) -> Column {
        let (jdbc, signed) = jdbc_type(engine, ty);
        Column {
            name: "c".into(),
            type_name: ty.to_uppercase(),
            jdbc,
            signed,
            precision: 10,
            scale: 2,
            nullable,
            auto_increment: false,
        }
    }

    fn ty(engine: Engine, t: &str) -> (Type, Option<String>) {
        let m = map_column(&col(engine, t, true), NumericMapping::None).expect("mapped");
        (m.schema.ty, m.schema.name.clone())
    }

    #[test]
    fn mysql_types_map_as_confluent() {
        let e = Engine::MySql;
        assert_eq!(ty(e, "int(11)").0, Type::Int32);
        assert_eq!(ty(e, "int(10) unsigned").0, Type::Int64);
        assert_eq!(ty(e, "tinyint(1)").0, Type::Int8);
        assert_eq!(ty(Engine::Postgres, "bool").0, Type::Boolean);
        assert_eq!(ty(e, "tinyint(4)").0, Type::Int8);
        assert_eq!(ty(e, "tinyint(3) unsigned").0, Type::Int16);
        assert_eq!(ty(e, "smallint unsigned").0, Type::Int32);
        assert_eq!(ty(e, "bigint(20)").0, Type::Int64);
        assert_eq!(ty(e, "float").0, Type::Float32);
        assert_eq!(ty(e, "double").0, Type::Float64);
        assert_eq!(ty(e, "varchar(20)").0, Type::String);
        assert_eq!(ty(e, "longblob").0, Type::Bytes);
        assert_eq!(ty(e, "decimal(10,2)"), (Type::Bytes, Some(data::DECIMAL_NAME.into())));
        assert_eq!(ty(e, "datetime(3)"), (Type::Int64, Some(data::TIMESTAMP_NAME.into())));
        assert_eq!(ty(e, "date"), (Type::Int32, Some(data::DATE_NAME.into())));
        assert_eq!(ty(e, "time"), (Type::Int32, Some(data::TIME_NAME.into())));
        assert!(map_column(&col(e, "geometry", true), NumericMapping::None).is_none());
    }

    #[test]
    fn numeric_mapping_best_fit() {
        let mut c = col(Engine::Postgres, "numeric", false);
        (c.precision, c.scale) = (5, 0);
        assert_eq!(map_column(&c, NumericMapping::BestFit).unwrap().schema.ty, Type::Int32);
        assert_eq!(map_column(&c, NumericMapping::PrecisionOnly).unwrap().schema.ty, Type::Int32);
        assert_eq!(map_column(&c, NumericMapping::None).unwrap().schema.ty, Type::Bytes);
        (c.precision, c.scale) = (10, 2);
        assert_eq!(map_column(&c, NumericMapping::BestFit).unwrap().schema.ty, Type::Float64);
        assert_eq!(map_column(&c, NumericMapping::PrecisionOnly).unwrap().schema.ty, Type::Bytes);
        (c.precision, c.scale) = (30, 2);
        assert_eq!(map_column(&c, NumericMapping::BestFit).unwrap().schema.ty, Type::Bytes);
        assert_eq!(map_column(&c, NumericMapping::BestFitEagerDouble).unwrap().schema.ty, Type::Float64);
    }

    #[test]
    fn values_convert() {
        let tz = DbTimeZone::default();
        let t = chrono::NaiveDateTime::parse_from_str("2023-04-04 21:22:51", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            to_value(Cell::DateTime(t), Convert::Timestamp, &tz, "c"),
            Ok(Value::Date(1680643371000))
        );
        assert_eq!(to_value(Cell::Int(7), Convert::Int32, &tz, "c"), Ok(Value::Int32(7)));
        assert!(to_value(Cell::Int(1 << 40), Convert::Int32, &tz, "c").is_err());
        assert_eq!(to_value(Cell::Null, Convert::String, &tz, "c"), Ok(Value::Null));
        let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 3).unwrap();
        assert_eq!(
            to_value(Cell::Date(d), Convert::Date, &tz, "c"),
            Ok(Value::Date(2 * MILLIS_PER_DAY))
        );
        // db.timezone moves times of day (as Confluent's calendar does), not dates.
        let west = DbTimeZone::parse("-05:00").unwrap();
        assert_eq!(
            to_value(Cell::Time(45_296_789), Convert::Time, &west, "c"),
            Ok(Value::Date(63_296_789))
        );
        assert_eq!(
            to_value(Cell::Date(d), Convert::Date, &west, "c"),
            Ok(Value::Date(2 * MILLIS_PER_DAY))
        );
    }
}
