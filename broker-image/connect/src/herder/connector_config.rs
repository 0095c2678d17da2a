//! The keys every connector config has (`ConnectorConfig`, `SourceConnectorConfig`,
//! `SinkConnectorConfig`), with Kafka Connect 4.3's types, defaults, groups and documentation,
//! so `GET /connector-plugins/{p}/config` and `…/config/validate` answer as Apache's worker does.

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator, Width};
use crate::connectors::ConnectorType;

const CONVERTER_DOC: &str = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the {} in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.";

fn key(name: &str, ty: ConfigType, default: Default, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, default, importance, doc)
}

fn v(s: &str) -> Default {
    Default::Value(s.to_string())
}

/// `NonEmptyStringWithoutControlChars`.
fn connector_name(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::String(s) if s.is_empty() => Err("String may not be empty".into()),
        ConfigValue::String(s) => {
            let control: Vec<String> = s.chars().filter(|c| c.is_control()).map(|c| (c as u32).to_string()).collect();
            if control.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "String may not contain control sequences but had the following ASCII chars: {}",
                    control.join(", ")
                ))
            }
        }
        _ => Ok(()),
    }
}

/// `ConnectorConfig.configDef()` for a connector of `class` (named in the documentation of
/// `connector.class` as Kafka does, after the first sink connector it knows).
pub fn common() -> ConfigDef {
    use ConfigType::*;
    use Importance::*;
    ConfigDef::new()
        .define(
            key("name", String, Default::Required, High, "Globally unique name to use for this connector.")
                .validator(Validator::Custom(connector_name))
                .group("Common", 1, Width::Medium, "Connector name"),
        )
        .define(
            key("connector.class", String, Default::Required, High, "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter")
                .group("Common", 2, Width::Long, "Connector class"),
        )
        .define(key("connector.plugin.version", String, v(crate::connectors::APACHE_VERSION), Medium, "Version of the connector.").group("Common", 3, Width::Medium, "Connector version"))
        .define(
            key("tasks.max", Int, v("1"), High, "Maximum number of tasks to use for this connector.")
                .validator(Validator::AtLeast(1))
                .group("Common", 4, Width::Short, "Tasks max"),
        )
        .define(key("tasks.max.enforce", Boolean, v("true"), Low, "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.").group("Common", 5, Width::Short, "Enforce tasks max"))
        .define(key("key.converter", Class, Default::Null, Low, &CONVERTER_DOC.replace("{}", "keys")).group("Common", 6, Width::Short, "Key converter class"))
        .define(key("key.converter.plugin.version", String, Default::Null, Low, "Version of the key converter.").group("Common", 7, Width::Short, "Key converter version"))
        .define(key("value.converter", Class, Default::Null, Low, &CONVERTER_DOC.replace("{}", "values")).group("Common", 8, Width::Short, "Value converter class"))
        .define(key("value.converter.plugin.version", String, Default::Null, Low, "Version of the value converter.").group("Common", 9, Width::Short, "Value converter version"))
        .define(key("header.converter", Class, Default::Null, Low, "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.").group("Common", 10, Width::Short, "Header converter class"))
        .define(key("header.converter.plugin.version", String, Default::Null, Low, "Version of the header converter.").group("Common", 11, Width::Short, "Header converter version"))
        .define(key("transforms", List, v(""), Low, "Aliases for the transformations to be applied to records.").group("Transforms", 12, Width::Long, "Transforms"))
        .define(key("predicates", List, v(""), Low, "Aliases for the predicates used by transformations.").group("Predicates", 13, Width::Long, "Predicates"))
        .define(
            key("config.action.reload", String, v("restart"), Low, "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.")
                .validator(Validator::OneOf { values: &["none", "restart"], case_insensitive: false })
                .group("Common", 14, Width::Medium, "Reload Action"),
        )
        .define(key("errors.retry.timeout", Long, v("0"), Medium, "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.").group("Error Handling", 1, Width::Medium, "Retry Timeout for Errors"))
        .define(key("errors.retry.delay.max.ms", Long, v("60000"), Medium, "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.").group("Error Handling", 2, Width::Medium, "Maximum Delay Between Retries for Errors"))
        .define(
            key("errors.tolerance", String, v("none"), Medium, "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.")
                .validator(Validator::OneOf { values: &["none", "all"], case_insensitive: false })
                .group("Error Handling", 3, Width::Short, "Error Tolerance"),
        )
        .define(key("errors.log.enable", Boolean, v("false"), Medium, "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.").group("Error Handling", 4, Width::Short, "Log Errors"))
        .define(key("errors.log.include.messages", Boolean, v("false"), Medium, "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.").group("Error Handling", 5, Width::Short, "Log Error Details"))
}

/// The keys only source connectors have.
fn source_only() -> ConfigDef {
    use ConfigType::*;
    use Importance::*;
    ConfigDef::new()
        .define(key("topic.creation.groups", List, v(""), Low, "Groups of configurations for topics created by source connectors").group("Topic Creation", 1, Width::Long, "Topic Creation Groups"))
        .define(
            key("exactly.once.support", String, v("requested"), Medium, "Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.")
                .validator(Validator::OneOf { values: &["requested", "required"], case_insensitive: true })
                .group("Exactly Once Support", 2, Width::Short, "Exactly once support"),
        )
        .define(
            key("transaction.boundary", String, v("poll"), Medium, "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.")
                .validator(Validator::OneOf { values: &["poll", "interval", "connector"], case_insensitive: true })
                .group("Exactly Once Support", 3, Width::Short, "Transaction Boundary"),
        )
        .define(key("transaction.boundary.interval.ms", Long, Default::Null, Low, "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.").group("Exactly Once Support", 4, Width::Short, "Transaction boundary interval"))
        .define(key("offsets.storage.topic", String, Default::Null, Low, "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker\u{2019}s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.").group("offsets.topic", 1, Width::Long, "Offsets topic"))
}

/// The keys only sink connectors have.
fn sink_only() -> ConfigDef {
    use ConfigType::*;
    use Importance::*;
    ConfigDef::new()
        .define(key("topics", List, v(""), High, "List of topics to consume, separated by commas").group("Common", 4, Width::Long, "Topics"))
        .define(key("topics.regex", String, v(""), High, "Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.").group("Common", 4, Width::Long, "Topics regex"))
        .define(key("errors.deadletterqueue.topic.name", String, v(""), Medium, "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.").group("Error Handling", 6, Width::Medium, "Dead Letter Queue Topic Name"))
        .define(key("errors.deadletterqueue.topic.replication.factor", Short, v("3"), Medium, "Replication factor used to create the dead letter queue topic when it doesn't already exist.").group("Error Handling", 7, Width::Medium, "Dead Letter Queue Topic Replication Factor"))
        .define(key("errors.deadletterqueue.context.headers.enable", Boolean, v("false"), Medium, "If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>").group("Error Handling", 8, Width::Medium, "Enable Error Context Headers"))
}

/// Every runtime key of a connector of this type (common first, then the type's own).
pub fn for_type(kind: ConnectorType) -> ConfigDef {
    match kind {
        ConnectorType::Source => common().merge(&source_only()),
        ConnectorType::Sink => common().merge(&sink_only()),
    }
}
