//! `DropHeaders`: removes headers by name, e.g. tracing or routing headers a sink should not
//! store.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::DataError;
use crate::record::ConnectRecord;

use super::util::parse_config;
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.DropHeaders";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            "headers",
            ConfigType::List,
            Default::Required,
            Importance::High,
            "The name of the headers to be removed.",
        )
        .validator(Validator::ValidList {
            values: &[],
            empty_allowed: false,
            null_allowed: false,
        }),
    )
}

pub(crate) struct DropHeaders {
    headers: Vec<String>,
}

impl DropHeaders {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(DropHeaders {
            headers: c.list("headers"),
        })
    }
}

impl Transformation for DropHeaders {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        record.headers.retain(|h| !self.headers.contains(&h.key));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::record::Header;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn drops_named_headers() {
        let t = DropHeaders::configure(&props(&[("headers", "a,b")])).unwrap();
        let mut rec = source_record("t", None, Value::Null);
        for k in ["a", "c", "b", "a"] {
            rec.headers.push(Header {
                key: k.into(),
                schema: None,
                value: Value::Null,
            });
        }
        let out = t.apply(rec).unwrap().unwrap();
        assert_eq!(out.headers.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), ["c"]);
        assert_eq!(
            DropHeaders::configure(&props(&[("headers", "")])).err().unwrap().to_string(),
            "Configuration 'headers' must not be empty. Valid values include: any non-empty value"
        );
    }
}
