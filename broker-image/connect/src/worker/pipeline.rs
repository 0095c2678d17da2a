//! A connector's record pipeline: its transformation chain and its key, value and header
//! converters (the connector's own `key.converter`… when it sets them, else the worker's),
//! between Connect records and the bytes of Kafka records, each stage run under the task's
//! error handler ([`Operator`]) as Kafka's `WorkerSourceTask` and `WorkerSinkTask` run them:
//! source records go through the chain, then the header, key and value converters; consumed
//! records through the key, value and header converters, then the chain.

use std::collections::BTreeMap;

use rdkafka::message::{BorrowedMessage, Headers, Message};

use super::errors::{Context, Failure, Operator, Stage};
use crate::config::worker::with_prefix;
use crate::config::{ConverterConfig, WorkerConfig};
use crate::connectors::{ConnectError, Props};
use crate::converters::{new_converter, new_header_converter, Converter, HeaderConverter};
use crate::record::{ConnectRecord, Header, Origin};
use crate::transforms::Chain;

pub struct Pipeline {
    pub key: Box<dyn Converter>,
    pub value: Box<dyn Converter>,
    pub headers: Box<dyn HeaderConverter>,
    /// The converters' class names (what Connect's error context reports).
    pub key_class: String,
    pub value_class: String,
    pub header_class: String,
    pub chain: Chain,
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

/// The class a converter name means (its full name for an alias).
fn class_name(name: &str) -> String {
    crate::converters::resolve_class(name.trim())
        .map(str::to_string)
        .unwrap_or_else(|| name.trim().to_string())
}

impl Pipeline {
    /// The converters and the transformation chain `connector` (its resolved config)
    /// describes; a config error is the task's failure, with Kafka's message.
    pub fn build(worker: &WorkerConfig, connector: &Props) -> Result<Pipeline, ConnectError> {
        let k = converter_config(&worker.key_converter, connector, "key.converter");
        let v = converter_config(&worker.value_converter, connector, "value.converter");
        let h = converter_config(&worker.header_converter, connector, "header.converter");
        let fail = |what: &str, e: &dyn std::fmt::Display| ConnectError::new(format!("Failed to create the {what}: {e}"));
        Ok(Pipeline {
            key: new_converter(&k.class, &k.configs, true).map_err(|e| fail("key converter", &e))?,
            value: new_converter(&v.class, &v.configs, false).map_err(|e| fail("value converter", &e))?,
            headers: new_header_converter(&h.class, &h.configs).map_err(|e| fail("header converter", &e))?,
            key_class: class_name(&k.class),
            value_class: class_name(&v.class),
            header_class: class_name(&h.class),
            chain: Chain::from_config(connector).map_err(|e| ConnectError::new(e.to_string()))?,
        })
    }

    /// The transformation chain on one record (`TransformationChain.apply`): `Ok(None)` when a
    /// stage dropped it or failed with the failure tolerated.
    pub fn transform(
        &self,
        op: &mut Operator,
        ctx: &mut Context<'_>,
        record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, ConnectError> {
        if self.chain.is_empty() {
            return Ok(Some(record));
        }
        match self.chain.apply_staged(record) {
            Ok(r) => Ok(r),
            Err(e) => {
                let class = e.class.clone();
                op.execute::<()>(ctx, Stage::Transformation, &class, || Err(Failure::data(e.error.clone())))?;
                Ok(None)
            }
        }
    }

    /// A source record, transformed, to Kafka bytes (`convertTransformedRecord`): headers, then
    /// key, then value. `Ok(None)` when a tolerated stage failed.
    pub fn to_kafka(&self, op: &mut Operator, ctx: &mut Context<'_>, r: &ConnectRecord) -> Result<Option<KafkaRecord>, ConnectError> {
        let headers = op.execute(ctx, Stage::HeaderConverter, &self.header_class, || {
            r.headers
                .iter()
                .map(|h| {
                    Ok((
                        h.key.clone(),
                        self.headers.from_connect_header(&r.topic, &h.key, h.schema.as_ref(), &h.value)?,
                    ))
                })
                .collect::<Result<Vec<_>, crate::data::DataError>>()
                .map_err(Failure::data)
        })?;
        let key = op.execute(ctx, Stage::KeyConverter, &self.key_class, || {
            self.key
                .from_connect(&r.topic, r.key_schema.as_ref(), &r.key)
                .map_err(Failure::data)
        })?;
        let value = op.execute(ctx, Stage::ValueConverter, &self.value_class, || {
            self.value
                .from_connect(&r.topic, r.value_schema.as_ref(), &r.value)
                .map_err(Failure::data)
        })?;
        match (headers, key, value) {
            (Some(headers), Some(key), Some(value)) => Ok(Some(KafkaRecord { key, value, headers })),
            _ => Ok(None),
        }
    }

    /// A consumed record to a transformed sink record (`convertAndTransformRecord`): key, value,
    /// headers, then the chain. `Ok(None)` when a tolerated stage failed or the chain dropped it.
    pub fn from_kafka(
        &self,
        op: &mut Operator,
        ctx: &mut Context<'_>,
        m: &BorrowedMessage<'_>,
    ) -> Result<Option<ConnectRecord>, ConnectError> {
        let topic = m.topic();
        let key = op.execute(ctx, Stage::KeyConverter, &self.key_class, || {
            self.key.to_connect(topic, m.key()).map_err(Failure::data)
        })?;
        let value = op.execute(ctx, Stage::ValueConverter, &self.value_class, || {
            self.value.to_connect(topic, m.payload()).map_err(Failure::data)
        })?;
        let headers = op.execute(ctx, Stage::HeaderConverter, &self.header_class, || {
            let Some(hs) = m.headers() else { return Ok(Vec::new()) };
            hs.iter()
                .map(|h| {
                    let sv = self.headers.to_connect_header(topic, h.key, h.value).map_err(Failure::data)?;
                    Ok(Header {
                        key: h.key.to_string(),
                        schema: sv.schema,
                        value: sv.value,
                    })
                })
                .collect::<Result<Vec<_>, Failure>>()
        })?;
        let (Some(key), Some(value), Some(headers)) = (key, value, headers) else {
            return Ok(None);
        };
        let (timestamp, timestamp_type) = match m.timestamp() {
            rdkafka::Timestamp::NotAvailable => (None, "NoTimestampType"),
            rdkafka::Timestamp::CreateTime(t) => (Some(t), "CreateTime"),
            rdkafka::Timestamp::LogAppendTime(t) => (Some(t), "LogAppendTime"),
        };
        let record = ConnectRecord {
            topic: topic.to_string(),
            kafka_partition: Some(m.partition()),
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            timestamp,
            headers,
            origin: Origin::Sink {
                kafka_offset: m.offset(),
                timestamp_type,
                original_topic: topic.to_string(),
                original_partition: m.partition(),
            },
        };
        self.transform(op, ctx, record)
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
