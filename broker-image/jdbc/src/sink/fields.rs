//! Which columns a record writes, and where each value comes from (Confluent's
//! `FieldsMetadata`): the primary key by `pk.mode` and `pk.fields` — Kafka's coordinates, the
//! record key (a primitive or fields of a struct) or fields of the value — then the value's
//! other fields, filtered by `fields.whitelist`. Pure: laid out once per schema, applied to
//! every record with it.

use std::collections::HashSet;

use kaskade_connect::connectors::ConnectError;
use kaskade_connect::data::{Logical, Schema, SchemaRef, Type, Value, MILLIS_PER_DAY};
use kaskade_connect::record::{ConnectRecord, Origin};

use super::config::{PkMode, SinkConfig};
use crate::db::{Decode, Param};
use crate::timezone::DbTimeZone;

/// Where a column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFrom {
    Topic,
    Partition,
    Offset,
    /// The whole (primitive) key.
    Key,
    /// A field of the key struct, by index.
    KeyField(usize),
    /// A field of the value struct, by index.
    ValueField(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SinkField {
    pub name: String,
    pub schema: SchemaRef,
    pub is_key: bool,
    pub from: ValueFrom,
}

/// The columns of records with one key schema and value schema: keys first.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub fields: Vec<SinkField>,
    pub key_count: usize,
}

impl Layout {
    pub fn keys(&self) -> &[SinkField] {
        &self.fields[..self.key_count]
    }

    pub fn non_keys(&self) -> &[SinkField] {
        &self.fields[self.key_count..]
    }
}

fn mode_name(m: PkMode) -> &'static str {
    match m {
        PkMode::None => "NONE",
        PkMode::Kafka => "KAFKA",
        PkMode::RecordKey => "RECORD_KEY",
        PkMode::RecordValue => "RECORD_VALUE",
    }
}

/// `FieldsMetadata.extract`.
pub fn layout(
    cfg: &SinkConfig,
    table: &str,
    key_schema: Option<&SchemaRef>,
    value_schema: Option<&SchemaRef>,
) -> Result<Layout, ConnectError> {
    let value_schema = match value_schema {
        Some(s) if s.ty == Type::Struct => Some(s),
        Some(_) => return Err(ConnectError::new("Value schema must be of type Struct")),
        None => None,
    };
    let mut fields = Vec::new();
    let pk = &cfg.pk_fields;
    let mode = mode_name(cfg.pk_mode);
    match cfg.pk_mode {
        PkMode::None => {}
        PkMode::Kafka => {
            let names: Vec<String> = if pk.is_empty() {
                vec!["__connect_topic".into(), "__connect_partition".into(), "__connect_offset".into()]
            } else if pk.len() == 3 {
                pk.clone()
            } else {
                return Err(ConnectError::new(format!(
                    "PK mode for table '{table}' is {mode} so there should either be no field names defined for defaults __connect_topic, __connect_partition, __connect_offset to be applicable, or exactly 3, defined fields are: {}",
                    pk.join(", ")
                )));
            };
            for (name, (schema, from)) in names.into_iter().zip([
                (Schema::string(), ValueFrom::Topic),
                (Schema::int32(), ValueFrom::Partition),
                (Schema::int64(), ValueFrom::Offset),
            ]) {
                fields.push(SinkField {
                    name,
                    schema,
                    is_key: true,
                    from,
                });
            }
        }
        PkMode::RecordKey => {
            let ks = key_schema
                .ok_or_else(|| ConnectError::new(format!("PK mode for table '{table}' is {mode}, but record key schema is missing")))?;
            if ks.ty.is_primitive() {
                if pk.len() != 1 {
                    return Err(ConnectError::new(format!(
                        "Need exactly one PK column defined since the key schema for records is a primitive type, defined columns are: {}",
                        pk.join(", ")
                    )));
                }
                let name = pk[0].clone();
                fields.push(SinkField {
                    name,
                    schema: ks.clone(),
                    is_key: true,
                    from: ValueFrom::Key,
                });
            } else if ks.ty == Type::Struct {
                let chosen: Vec<String> = if pk.is_empty() {
                    ks.fields.iter().map(|f| f.name.clone()).collect()
                } else {
                    pk.clone()
                };
                for name in chosen {
                    let i = ks.fields.iter().position(|f| f.name == name).ok_or_else(|| {
                        ConnectError::new(format!(
                            "PK mode for table '{table}' is {mode} with configured PK fields [{}], but record key schema does not contain field: {name}",
                            pk.join(", ")
                        ))
                    })?;
                    fields.push(SinkField {
                        name,
                        schema: ks.fields[i].schema.clone(),
                        is_key: true,
                        from: ValueFrom::KeyField(i),
                    });
                }
            } else {
                return Err(ConnectError::new(format!(
                    "Key schema must be primitive type or Struct, but is of type: {}",
                    ks.ty.name()
                )));
            }
        }
        PkMode::RecordValue => {
            let vs = value_schema
                .ok_or_else(|| ConnectError::new(format!("PK mode for table '{table}' is {mode}, but record value schema is missing")))?;
            let chosen: Vec<String> = if pk.is_empty() {
                vs.fields.iter().map(|f| f.name.clone()).collect()
            } else {
                pk.clone()
            };
            for name in chosen {
                let i = vs.fields.iter().position(|f| f.name == name).ok_or_else(|| {
                    ConnectError::new(format!(
                        "PK mode for table '{table}' is {mode} with configured PK fields [{}], but record value schema does not contain field: {name}",
                        pk.join(", ")
                    ))
                })?;
                fields.push(SinkField {
                    name,
                    schema: vs.fields[i].schema.clone(),
                    is_key: true,
                    from: ValueFrom::ValueField(i),
                });
            }
        }
    }
    let key_count = fields.len();
    if let Some(vs) = value_schema {
        let keys: HashSet<String> = fields.iter().map(|f| f.name.clone()).collect();
        let whitelist: HashSet<&str> = cfg.fields_whitelist.iter().map(String::as_str).collect();
        for (i, f) in vs.fields.iter().enumerate() {
            if keys.contains(&f.name) || (!whitelist.is_empty() && !whitelist.contains(f.name.as_str())) {
                continue;
            }
            fields.push(SinkField {
                name: f.name.clone(),
                schema: f.schema.clone(),
                is_key: false,
                from: ValueFrom::ValueField(i),
            });
        }
    }
    for f in &fields {
        if !f.schema.ty.is_primitive() {
            return Err(ConnectError::new(format!(
                "Unsupported source data type in field '{}': {} (the JDBC sink writes primitive and logical types only)",
                f.name,
                f.schema.ty.name().to_uppercase()
            )));
        }
    }
    Ok(Layout { fields, key_count })
}

/// How a NULL of this schema is bound.
pub fn null_kind(schema: &Schema) -> Decode {
    match (Logical::of(schema), schema.ty) {
        (Some(Logical::Decimal { .. }), _) => Decode::Decimal,
        (Some(Logical::Date), _) => Decode::Date,
        (Some(Logical::Time), _) => Decode::Time,
        (Some(Logical::Timestamp), _) => Decode::DateTime,
        (_, Type::Boolean) => Decode::Bool,
        (_, Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64) => Decode::Int,
        (_, Type::Float32 | Type::Float64) => Decode::Float,
        (_, Type::Bytes) => Decode::Bytes,
        _ => Decode::Text,
    }
}

/// The parameter for one value of a field.
pub fn param(value: &Value, schema: &Schema, tz: &DbTimeZone, field: &str) -> Result<Param, ConnectError> {
    let bad = || {
        ConnectError::new(format!(
            "Value {value:?} of field '{field}' does not match its schema {}",
            schema.ty.name()
        ))
    };
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    Ok(match (value, Logical::of(schema)) {
        (Value::Null, _) => match &schema.default {
            Some(d) if !d.is_null() => return param(d, schema, tz, field),
            _ => Param::TypedNull(null_kind(schema)),
        },
        (Value::Decimal(d), _) => Param::Decimal(d.clone()),
        (Value::Date(ms), Some(Logical::Date)) => Param::Date(epoch + chrono::Duration::days(ms.div_euclid(MILLIS_PER_DAY))),
        (Value::Date(ms), Some(Logical::Time)) => {
            let ms = tz.time_from_utc(*ms);
            Param::Time(
                chrono::NaiveTime::from_num_seconds_from_midnight_opt((ms / 1000) as u32, ((ms % 1000) * 1_000_000) as u32)
                    .ok_or_else(bad)?,
            )
        }
        (Value::Date(ms), _) => Param::DateTime(tz.wall_clock(*ms, (ms.rem_euclid(1000) * 1_000_000) as u32).ok_or_else(bad)?),
        (Value::Int8(i), _) => Param::I64(i64::from(*i)),
        (Value::Int16(i), _) => Param::I64(i64::from(*i)),
        (Value::Int32(i), _) => Param::I64(i64::from(*i)),
        (Value::Int64(i), _) => Param::I64(*i),
        (Value::Float32(f), _) => Param::F32(*f),
        (Value::Float64(f), _) => Param::F64(*f),
        (Value::Boolean(b), _) => Param::Bool(*b),
        (Value::String(s), _) => Param::Text(s.clone()),
        (Value::Bytes(b), _) => Param::Bytes(b.clone()),
        _ => return Err(bad()),
    })
}

/// The row a record writes: one parameter per field of `layout`.
pub fn row(record: &ConnectRecord, layout: &Layout, tz: &DbTimeZone) -> Result<Vec<Param>, ConnectError> {
    let (partition, offset) = match &record.origin {
        Origin::Sink { kafka_offset, .. } => (record.kafka_partition.unwrap_or(0), *kafka_offset),
        Origin::Source { .. } => (record.kafka_partition.unwrap_or(0), 0),
    };
    let value_struct = record.value.as_struct();
    let key_struct = record.key.as_struct();
    layout
        .fields
        .iter()
        .map(|f| match f.from {
            ValueFrom::Topic => Ok(Param::Text(record.topic.clone())),
            ValueFrom::Partition => Ok(Param::I64(i64::from(partition))),
            ValueFrom::Offset => Ok(Param::I64(offset)),
            ValueFrom::Key => param(&record.key, &f.schema, tz, &f.name),
            ValueFrom::KeyField(i) => match key_struct {
                Some(s) => param(s.get_index(i), &f.schema, tz, &f.name),
                None => Err(ConnectError::new(format!("Record key of {} is not a struct", record.topic))),
            },
            ValueFrom::ValueField(i) => match value_struct {
                Some(s) => param(s.get_index(i), &f.schema, tz, &f.name),
                None => Err(ConnectError::new(format!("Record value of {} is not a struct", record.topic))),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaskade_connect::data;

    #[test]
    fn times_of_day_are_written_in_db_timezone_and_dates_are_not() {
        let west = DbTimeZone::parse("-05:00").expect("zone");
        let time = data::time().build();
        let t = chrono::NaiveTime::from_hms_milli_opt(12, 34, 56, 789).expect("time");
        assert_eq!(param(&Value::Date(63_296_789), &time, &west, "t").ok(), Some(Param::Time(t)));
        let date = data::date().build();
        let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 3).expect("date");
        assert_eq!(
            param(&Value::Date(2 * MILLIS_PER_DAY), &date, &west, "d").ok(),
            Some(Param::Date(d))
        );
    }
}
