//! `TimestampRouter`: renames the topic from the original name and the record's timestamp
//! (`${topic}-${timestamp}` with `yyyyMMdd` by default), so a sink writes into per-day tables
//! or indices.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::data::DataError;
use crate::record::ConnectRecord;

use super::date_format::SimpleDateFormat;
use super::util::parse_config;
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.TimestampRouter";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(ConfigKey::new(
            "topic.format",
            ConfigType::String,
            Default::Value("${topic}-${timestamp}".into()),
            Importance::High,
            "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.",
        ))
        .define(ConfigKey::new(
            "timestamp.format",
            ConfigType::String,
            Default::Value("yyyyMMdd".into()),
            Importance::High,
            "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.",
        ))
}

pub(crate) struct TimestampRouter {
    topic_format: String,
    /// Kafka builds the `SimpleDateFormat` lazily, so a bad pattern fails the first record,
    /// not the configuration.
    timestamp_format: Result<SimpleDateFormat, String>,
}

impl TimestampRouter {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(TimestampRouter {
            topic_format: c.string("topic.format").unwrap_or_default(),
            timestamp_format: SimpleDateFormat::new(&c.string("timestamp.format").unwrap_or_default()),
        })
    }
}

impl Transformation for TimestampRouter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let Some(ts) = record.timestamp else {
            return Err(DataError::new(format!(
                "Timestamp missing on record: {}",
                super::util::record_to_string(&record)
            )));
        };
        let format = self.timestamp_format.as_ref().map_err(|e| DataError::new(e.clone()))?;
        let formatted = format.format(ts);
        let topic = self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &formatted);
        record.topic = topic;
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn routes_by_timestamp() {
        let t = TimestampRouter::configure(&props(&[])).unwrap();
        let mut rec = source_record("orders", None, Value::Null);
        rec.timestamp = Some(1_709_211_909_007);
        assert_eq!(t.apply(rec.clone()).unwrap().unwrap().topic, "orders-20240229");
        let t = TimestampRouter::configure(&props(&[
            ("topic.format", "${timestamp}_${topic}_${topic}"),
            ("timestamp.format", "yyyy-MM"),
        ]))
        .unwrap();
        assert_eq!(t.apply(rec).unwrap().unwrap().topic, "2024-02_orders_orders");
        let e = t.apply(source_record("orders", None, Value::Null)).unwrap_err();
        assert!(e.message.starts_with("Timestamp missing on record: SourceRecord{"), "{}", e.message);
        let t = TimestampRouter::configure(&props(&[("timestamp.format", "bb")])).unwrap();
        let mut rec = source_record("orders", None, Value::Null);
        rec.timestamp = Some(0);
        assert_eq!(t.apply(rec).unwrap_err().message, "Illegal pattern character 'b'");
    }
}
