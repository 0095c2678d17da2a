//! A connector's record pipeline: its key, value and header converters (the connector's own
//! `key.converter`… when it sets them, else the worker's) and its transforms, between Connect
//! records and the bytes of Kafka records.

use std::collections::BTreeMap;

use crate::config::worker::with_prefix;
use crate::config::{ConverterConfig, WorkerConfig};
use crate::connectors::{ConnectError, Props};
use crate::converters::{new_converter, new_header_converter, Converter, HeaderConverter};
use crate::data::DataError;
use crate::record::{ConnectRecord, Header};

pub struct Pipeline {
    pub key: Box<dyn Converter>,
    pub value: Box<dyn Converter>,
    pub headers: Box<dyn HeaderConverter>,
}

/// The bytes of one Kafka record.
pub struct KafkaRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

fn converter_config(worker: &ConverterConfig, connector: &Props, key: &str) -> ConverterConfig {
    match connector.get(key) {
        Some(class) => ConverterConfig {
            class: class.clone(),
            configs: with_prefix(connector, &format!("{key}.")),
        },
        None => worker.clone(),
    }
}

impl Pipeline {
    pub fn build(worker: &WorkerConfig, connector: &Props) -> Result<Pipeline, ConnectError> {
        let k = converter_config(&worker.key_converter, connector, "key.converter");
        let v = converter_config(&worker.value_converter, connector, "value.converter");
        let h = converter_config(&worker.header_converter, connector, "header.converter");
        let fail = |what: &str, e: &dyn std::fmt::Display| ConnectError::new(format!("Failed to create the {what}: {e}"));
        Ok(Pipeline {
            key: new_converter(&k.class, &k.configs, true).map_err(|e| fail("key converter", &e))?,
            value: new_converter(&v.class, &v.configs, false).map_err(|e| fail("value converter", &e))?,
            headers: new_header_converter(&h.class, &h.configs).map_err(|e| fail("header converter", &e))?,
        })
    }

    /// A source record to Kafka bytes.
    pub fn to_kafka(&self, r: &ConnectRecord) -> Result<KafkaRecord, DataError> {
        let headers = r
            .headers
            .iter()
            .map(|h| {
                Ok((
                    h.key.clone(),
                    self.headers.from_connect_header(&r.topic, &h.key, h.schema.as_ref(), &h.value)?,
                ))
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        Ok(KafkaRecord {
            key: self.key.from_connect(&r.topic, r.key_schema.as_ref(), &r.key)?,
            value: self.value.from_connect(&r.topic, r.value_schema.as_ref(), &r.value)?,
            headers,
        })
    }

    /// The headers of a Kafka record as Connect headers.
    pub fn headers_from_kafka(&self, topic: &str, headers: &[(String, Option<Vec<u8>>)]) -> Result<Vec<Header>, DataError> {
        headers
            .iter()
            .map(|(key, bytes)| {
                let sv = self.headers.to_connect_header(topic, key, bytes.as_deref())?;
                Ok(Header {
                    key: key.clone(),
                    schema: sv.schema,
                    value: sv.value,
                })
            })
            .collect()
    }
}

/// The connector's client overrides (`producer.override.*`, `consumer.override.*`) on top of
/// the worker's (`producer.*`, `consumer.*`), as Java client properties.
pub fn client_props(worker: &WorkerConfig, connector: &Props, role: &str) -> BTreeMap<String, String> {
    let mut props = worker.client_props(&format!("{role}."));
    if worker.client_config_override_policy != "None" {
        props.extend(with_prefix(connector, &format!("{role}.override.")));
    }
    props
}
