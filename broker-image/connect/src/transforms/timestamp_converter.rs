//! `TimestampConverter$Key` / `TimestampConverter$Value`: converts a timestamp field (or the
//! whole key or value) between epoch numbers, formatted strings and Connect's Date, Time and
//! Timestamp types, so e.g. a string column becomes a real timestamp in the sink's table.
//! `format` takes Java `SimpleDateFormat` patterns (see `date_format` for the letters
//! implemented); times are in UTC as Kafka's converter sets them.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{date, time, timestamp, DataError, Schema, SchemaBuilder, SchemaRef, Struct, Type, Value, MILLIS_PER_DAY};
use crate::record::ConnectRecord;

use super::date_format::SimpleDateFormat;
use super::util::{
    class_of, copy_schema_basics, field_value, map_get, map_put, parse_config, replace_null_with_default_key, require_map,
    require_struct_or_null, schema_to_string, SchemaCache, Side,
};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.TimestampConverter";
const PURPOSE: &str = "converting timestamp formats";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(ConfigKey::new(
            "field",
            ConfigType::String,
            Default::Value(String::new()),
            Importance::High,
            "The field containing the timestamp, or empty if the entire value is a timestamp",
        ))
        .define(
            ConfigKey::new(
                "target.type",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
            )
            .validator(Validator::OneOf {
                values: &["string", "unix", "Date", "Time", "Timestamp"],
                case_insensitive: false,
            }),
        )
        .define(ConfigKey::new(
            "format",
            ConfigType::String,
            Default::Value(String::new()),
            Importance::Medium,
            "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.",
        ))
        .define(
            ConfigKey::new(
                "unix.precision",
                ConfigType::String,
                Default::Value("milliseconds".into()),
                Importance::Low,
                "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.",
            )
            .validator(Validator::OneOf {
                values: &["nanoseconds", "microseconds", "milliseconds", "seconds"],
                case_insensitive: false,
            }),
        )
        .define(replace_null_with_default_key())
}

/// A timestamp representation (`TimestampTranslator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "string" => Kind::String,
            "unix" => Kind::Unix,
            "Date" => Kind::Date,
            "Time" => Kind::Time,
            "Timestamp" => Kind::Timestamp,
            _ => return None,
        })
    }

    fn schema(self, optional: bool) -> SchemaRef {
        match self {
            Kind::String => Schema::of(Type::String, optional),
            Kind::Unix => Schema::of(Type::Int64, optional),
            Kind::Date => date().set_optional(optional).build(),
            Kind::Time => time().set_optional(optional).build(),
            Kind::Timestamp => timestamp().set_optional(optional).build(),
        }
    }

    /// `timestampTypeFromSchema`.
    fn of_schema(schema: &Schema) -> Result<Kind, DataError> {
        Ok(match (schema.name.as_deref(), schema.ty) {
            (Some(crate::data::TIMESTAMP_NAME), _) => Kind::Timestamp,
            (Some(crate::data::DATE_NAME), _) => Kind::Date,
            (Some(crate::data::TIME_NAME), _) => Kind::Time,
            (_, Type::String) => Kind::String,
            (_, Type::Int64) => Kind::Unix,
            _ => {
                return Err(DataError::new(format!(
                    "Schema {} does not correspond to a known timestamp type format",
                    schema_to_string(schema)
                )))
            }
        })
    }

    /// `inferTimestampType`.
    fn of_value(value: &Value) -> Result<Kind, DataError> {
        Ok(match value {
            Value::Date(_) => Kind::Timestamp,
            Value::Int64(_) => Kind::Unix,
            Value::String(_) => Kind::String,
            other => {
                return Err(DataError::new(format!(
                    "TimestampConverter does not support {} objects as timestamps",
                    class_of(other)
                )))
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

pub(crate) struct TimestampConverter {
    side: Side,
    field: String,
    target: Kind,
    format: Option<SimpleDateFormat>,
    precision: Precision,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

/// What Java throws when a string conversion has no `format` configured.
const NO_FORMAT: &str = "Cannot invoke \"java.text.SimpleDateFormat.parse(String)\" because \"config.format\" is null";

impl TimestampConverter {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let target = Kind::parse(&c.string("target.type").unwrap_or_default()).expect("validated");
        let pattern = c.string("format").unwrap_or_default();
        if target == Kind::String && pattern.trim().is_empty() {
            return Err(TransformError::Config(
                "TimestampConverter requires format option to be specified when using string timestamps".into(),
            ));
        }
        let format = if pattern.trim().is_empty() {
            None
        } else {
            // Kafka passes the pattern's exception as the ConfigException's value.
            Some(SimpleDateFormat::new(&pattern).map_err(|e| {
                TransformError::Config(format!(
                    "Invalid value java.lang.IllegalArgumentException: {e} for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern}"
                ))
            })?)
        };
        let precision = match c.string("unix.precision").as_deref() {
            Some("seconds") => Precision::Seconds,
            Some("microseconds") => Precision::Micros,
            Some("nanoseconds") => Precision::Nanos,
            _ => Precision::Millis,
        };
        Ok(TimestampConverter {
            side,
            field: c.string("field").unwrap_or_default(),
            target,
            format,
            precision,
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        })
    }

    /// `toRaw`: epoch milliseconds.
    fn to_raw(&self, kind: Kind, value: &Value) -> Result<i64, DataError> {
        match (kind, value) {
            (Kind::String, Value::String(s)) => {
                let format = self.format.as_ref().ok_or_else(|| DataError::new(NO_FORMAT))?;
                format.parse(s).ok_or_else(|| {
                    DataError::new(format!(
                        "Could not parse timestamp: value ({s}) does not match pattern ({})",
                        format.pattern()
                    ))
                })
            }
            (Kind::String, other) => Err(DataError::new(format!(
                "Expected string timestamp to be a String, but found {}",
                class_of(other)
            ))),
            (Kind::Unix, Value::Int64(n)) => Ok(match self.precision {
                Precision::Seconds => n.saturating_mul(1000),
                Precision::Millis => *n,
                Precision::Micros => n / 1000,
                Precision::Nanos => n / 1_000_000,
            }),
            (Kind::Unix, other) => Err(DataError::new(format!(
                "Expected Unix timestamp to be a Long, but found {}",
                class_of(other)
            ))),
            (_, Value::Date(ms)) => Ok(*ms),
            (kind, other) => Err(DataError::new(format!(
                "Expected {} to be a java.util.Date, but found {}",
                match kind {
                    Kind::Date => "Date",
                    Kind::Time => "Time",
                    _ => "Timestamp",
                },
                class_of(other)
            ))),
        }
    }

    /// `toType`.
    fn to_type(&self, ms: i64) -> Result<Value, DataError> {
        Ok(match self.target {
            Kind::String => {
                let format = self.format.as_ref().ok_or_else(|| {
                    DataError::new("Cannot invoke \"java.text.DateFormat.format(java.util.Date)\" because \"config.format\" is null")
                })?;
                Value::String(format.format(ms))
            }
            Kind::Unix => Value::Int64(match self.precision {
                Precision::Seconds => ms / 1000,
                Precision::Millis => ms,
                Precision::Micros => ms.saturating_mul(1000),
                Precision::Nanos => ms.saturating_mul(1_000_000),
            }),
            Kind::Date => Value::Date(ms.div_euclid(MILLIS_PER_DAY) * MILLIS_PER_DAY),
            Kind::Time => Value::Date(ms.rem_euclid(MILLIS_PER_DAY)),
            Kind::Timestamp => Value::Date(ms),
        })
    }

    /// `convertTimestamp(timestamp, format)`; the kind is inferred from the value when `None`.
    fn convert(&self, value: &Value, kind: Option<Kind>) -> Result<Value, DataError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let kind = match kind {
            Some(k) => k,
            None => Kind::of_value(value)?,
        };
        self.to_type(self.to_raw(kind, value)?)
    }

    fn convert_struct(&self, value: &Struct, schema: &SchemaRef) -> Result<Struct, DataError> {
        let mut updated = Struct::new(schema.clone())?;
        for f in &value.schema().fields {
            let orig = field_value(value, f.index, self.replace_null_with_default);
            let v = if f.name == self.field {
                self.convert(&orig, Some(Kind::of_schema(&f.schema)?))?
            } else {
                orig
            };
            updated.put(&f.name, v)?;
        }
        Ok(updated)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<SchemaRef, DataError> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in &schema.fields {
            let fs = if f.name == self.field {
                self.target.schema(f.schema.optional)
            } else {
                f.schema.clone()
            };
            b = b.field(f.name.clone(), fs)?;
        }
        if schema.optional {
            b = b.optional();
        }
        if let Some(Value::Struct(default)) = &schema.default {
            let without_default = b.clone().build();
            let updated = self.convert_struct(default, &without_default)?;
            b = b.set_default_unchecked(Some(Value::Struct(updated)));
        }
        Ok(b.build())
    }
}

impl Transformation for TimestampConverter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        match self.side.schema(&record).cloned() {
            None => {
                let updated = if value.is_null() || self.field.is_empty() {
                    self.convert(value, None)?
                } else {
                    let map = require_map(value, PURPOSE)?;
                    let mut updated = map.clone();
                    let v = self.convert(map_get(map, &self.field).unwrap_or(&Value::Null), None)?;
                    map_put(&mut updated, &self.field, v);
                    Value::Map(updated)
                };
                self.side.set(&mut record, None, updated);
            }
            Some(schema) if self.field.is_empty() => {
                let kind = Kind::of_schema(&schema)?;
                let updated = self.convert(value, Some(kind))?;
                self.side.set(&mut record, Some(self.target.schema(schema.optional)), updated);
            }
            Some(schema) => {
                let value = require_struct_or_null(value, PURPOSE)?;
                let updated_schema = self.cache.get_or_try_insert(&schema, || self.updated_schema(&schema))?;
                let updated = match value {
                    Some(s) => Value::Struct(self.convert_struct(s, &updated_schema)?),
                    None => Value::Null,
                };
                self.side.set(&mut record, Some(updated_schema), updated);
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::timestamp_schema;
    use crate::transforms::test_support::{props, source_record};

    const T: i64 = 1_709_211_909_007; // 2024-02-29T13:05:09.007Z

    fn conv(p: &[(&str, &str)]) -> TimestampConverter {
        TimestampConverter::configure(Side::Value, &props(p)).unwrap()
    }

    #[test]
    fn whole_value_conversions() {
        let t = conv(&[("target.type", "string"), ("format", "yyyy-MM-dd HH:mm:ss")]);
        let out = t
            .apply(source_record("t", Some(timestamp_schema(false)), Value::Date(T)))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::from("2024-02-29 13:05:09"));
        assert_eq!(out.value_schema, Some(Schema::string()));

        let t = conv(&[("target.type", "Timestamp"), ("format", "yyyy-MM-dd HH:mm:ss.SSS")]);
        let out = t
            .apply(source_record("t", None, Value::from("2024-02-29 13:05:09.007")))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Date(T));

        let t = conv(&[("target.type", "unix"), ("unix.precision", "seconds")]);
        let out = t.apply(source_record("t", None, Value::Date(T))).unwrap().unwrap();
        assert_eq!(out.value, Value::Int64(T / 1000));

        let t = conv(&[("target.type", "Date"), ("unix.precision", "microseconds")]);
        let out = t
            .apply(source_record("t", Some(Schema::optional_int64()), Value::Int64(T * 1000)))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Date(T - T % MILLIS_PER_DAY));
        assert_eq!(out.value_schema, Some(date().optional().build()));

        let t = conv(&[("target.type", "Time")]);
        let out = t.apply(source_record("t", None, Value::Int64(T))).unwrap().unwrap();
        assert_eq!(out.value, Value::Date(T % MILLIS_PER_DAY));
    }

    #[test]
    fn field_conversions() {
        let schema = SchemaBuilder::struct_()
            .name("row")
            .field("id", Schema::int32())
            .unwrap()
            .field("ts", Schema::optional_string())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", Value::Int32(1)).unwrap();
        s.put("ts", Value::from("2024-02-29T13:05:09.007Z")).unwrap();
        let t = conv(&[
            ("field", "ts"),
            ("target.type", "Timestamp"),
            ("format", "yyyy-MM-dd'T'HH:mm:ss.SSSX"),
        ]);
        let out = t.apply(source_record("t", Some(schema), Value::Struct(s))).unwrap().unwrap();
        let os = out.value_schema.unwrap();
        assert_eq!(os.field("ts").unwrap().schema, timestamp_schema(true));
        assert_eq!(os.name.as_deref(), Some("row"));
        assert_eq!(out.value.as_struct().unwrap().get("ts").unwrap(), &Value::Date(T));

        let t = conv(&[("field", "ts"), ("target.type", "unix")]);
        let map = Value::Map(vec![(Value::from("ts"), Value::Date(T))]);
        let out = t.apply(source_record("t", None, map)).unwrap().unwrap();
        assert_eq!(out.value.map_get("ts"), Some(&Value::Int64(T)));
    }

    #[test]
    fn errors() {
        let err = |p: &[(&str, &str)]| TimestampConverter::configure(Side::Value, &props(p)).err().unwrap().to_string();
        assert_eq!(
            err(&[("target.type", "string")]),
            "TimestampConverter requires format option to be specified when using string timestamps"
        );
        assert_eq!(
            err(&[("target.type", "string"), ("format", "yyyy-bb")]),
            "Invalid value java.lang.IllegalArgumentException: Illegal pattern character 'b' for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: yyyy-bb"
        );
        assert_eq!(
            err(&[("target.type", "foo")]),
            "Invalid value foo for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        let t = conv(&[("target.type", "unix"), ("format", "yyyy")]);
        assert_eq!(
            t.apply(source_record("t", None, Value::from("nope"))).unwrap_err().message,
            "Could not parse timestamp: value (nope) does not match pattern (yyyy)"
        );
        assert_eq!(
            t.apply(source_record("t", None, Value::Int32(5))).unwrap_err().message,
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        assert_eq!(
            t.apply(source_record("t", Some(Schema::int32()), Value::Int32(5)))
                .unwrap_err()
                .message,
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        let t = conv(&[("target.type", "unix"), ("field", "a")]);
        assert_eq!(
            t.apply(source_record("t", Some(Schema::int64()), Value::Int64(5)))
                .unwrap_err()
                .message,
            "Only Struct objects supported for [converting timestamp formats], found: java.lang.Long"
        );
        // A null whole value stays null.
        assert_eq!(t.apply(source_record("t", None, Value::Null)).unwrap().unwrap().value, Value::Null);
    }
}
