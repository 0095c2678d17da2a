//! `InsertHeader`: adds a header with a constant value to every record (read from
//! `value.literal` as Connect reads literals: numbers, booleans, dates and times get their
//! types), e.g. to tag records with their origin.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{DataError, SchemaRef, Value};
use crate::record::{ConnectRecord, Header};

use super::util::parse_config;
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.InsertHeader";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "header",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The name of the header.",
            )
            .validator(Validator::NonNull),
        )
        .define(
            ConfigKey::new(
                "value.literal",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The literal value that is to be set as the header value on all records.",
            )
            .validator(Validator::NonNull),
        )
}

pub(crate) struct InsertHeader {
    header: String,
    schema: Option<SchemaRef>,
    value: Value,
}

impl InsertHeader {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        // `Values.parseString`, shared with SimpleHeaderConverter; text it cannot parse stays a string.
        let literal = c.string("value.literal").unwrap_or_default();
        let (schema, value) = match crate::converters::header::parse_string(&literal) {
            Ok(Some(sv)) => (sv.schema, sv.value),
            Ok(None) => (None, Value::Null),
            Err(_) => (Some(crate::data::Schema::string()), Value::String(literal)),
        };
        Ok(InsertHeader {
            header: c.string("header").unwrap_or_default(),
            schema,
            value,
        })
    }
}

impl Transformation for InsertHeader {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        record.headers.push(Header {
            key: self.header.clone(),
            schema: self.schema.clone(),
            value: self.value.clone(),
        });
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Schema;
    use crate::transforms::test_support::{props, source_record};

    fn header(literal: &str) -> Header {
        let t = InsertHeader::configure(&props(&[("header", "h"), ("value.literal", literal)])).unwrap();
        let out = t.apply(source_record("t", None, Value::Null)).unwrap().unwrap();
        out.headers.last().unwrap().clone()
    }

    #[test]
    fn inserts_typed_literals() {
        assert_eq!(header("db1").value, Value::from("db1"));
        assert_eq!(header("db1").schema, Some(Schema::string()));
        assert_eq!(header("42").value, Value::Int8(42));
        assert_eq!(header("true").value, Value::Boolean(true));
        assert_eq!(header("null").value, Value::Null);
        assert_eq!(header("null").schema, None);
        assert_eq!(
            InsertHeader::configure(&props(&[("header", "h")])).err().unwrap().to_string(),
            "Missing required configuration \"value.literal\" which has no default value."
        );
    }
}
