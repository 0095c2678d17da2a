//! `JdbcSinkConfig`: Confluent's keys, defaults and groups for the sink, the checks its
//! `validate` adds, and the parsed form the task uses.

use std::time::Duration;

use kaskade_connect::config_def::{parse_list, ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator, Width};
use kaskade_connect::connectors::Props;

use crate::connection_config::{self, ConnectionConfig};

const WRITES: &str = "Writes";
const DATA_MAPPING: &str = "Data Mapping";
const DDL: &str = "DDL Support";
const RETRIES: &str = "Retries";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertMode {
    Insert,
    Upsert,
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkMode {
    None,
    Kafka,
    RecordKey,
    RecordValue,
}

fn key(name: &str, ty: ConfigType, default: Default, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, default, importance, doc)
}

fn val(s: &str) -> Default {
    Default::Value(s.into())
}

pub fn config_def() -> ConfigDef {
    connection_config::define(ConfigDef::new())
        .define(
            key("insert.mode", ConfigType::String, val("insert"), Importance::High,
                "The insertion mode to use. Supported modes are:\n``insert``\n    Use standard SQL ``INSERT`` statements.\n``upsert``\n    Use the appropriate upsert semantics for the target database if it is supported by the connector, e.g. ``INSERT OR IGNORE``.\n``update``\n    Use the appropriate update semantics for the target database if it is supported by the connector, e.g. ``UPDATE``.")
                .validator(Validator::OneOf { values: &["insert", "upsert", "update"], case_insensitive: true })
                .group(WRITES, 1, Width::Medium, "Insert Mode"),
        )
        .define(
            key("batch.size", ConfigType::Int, val("3000"), Importance::Medium,
                "Specifies how many records to attempt to batch together for insertion into the destination table, when possible.")
                .validator(Validator::AtLeast(0))
                .group(WRITES, 2, Width::Short, "Batch Size"),
        )
        .define(
            key("delete.enabled", ConfigType::Boolean, val("false"), Importance::Medium,
                "Whether to treat ``null`` record values as deletes. Requires ``pk.mode`` to be ``record_key``.")
                .group(WRITES, 3, Width::Short, "Enable deletes"),
        )
        .define(connection_config::db_timezone_key(DATA_MAPPING, 5))
        .define(
            key("table.name.format", ConfigType::String, val("${topic}"), Importance::Medium,
                "A format string for the destination table name, which may contain '${topic}' as a placeholder for the originating topic name.\nFor example, ``kafka_${topic}`` for the topic 'orders' will map to the table name 'kafka_orders'.")
                .group(DATA_MAPPING, 1, Width::Long, "Table Name Format"),
        )
        .define(
            key("pk.mode", ConfigType::String, val("none"), Importance::High,
                "The primary key mode, also refer to ``pk.fields`` documentation for interplay. Supported modes are:\n``none``\n    No keys utilized.\n``kafka``\n    Apache Kafka coordinates are used as the PK.\n``record_key``\n    Field(s) from the record key are used, which may be a primitive or a struct.\n``record_value``\n    Field(s) from the record value are used, which must be a struct.")
                .validator(Validator::OneOf { values: &["none", "kafka", "record_key", "record_value"], case_insensitive: true })
                .group(DATA_MAPPING, 2, Width::Medium, "Primary Key Mode"),
        )
        .define(
            key("pk.fields", ConfigType::List, val(""), Importance::Medium,
                "List of comma-separated primary key field names. The runtime interpretation of this config depends on the ``pk.mode``:\n``none``\n    Ignored as no fields are used as primary key in this mode.\n``kafka``\n    Must be a trio representing the Kafka coordinates, defaults to ``__connect_topic,__connect_partition,__connect_offset`` if empty.\n``record_key``\n    If empty, all fields from the key struct will be used, otherwise used to extract the desired fields - for primitive key only a single field name must be configured.\n``record_value``\n    If empty, all fields from the value struct will be used, otherwise used to extract the desired fields.")
                .group(DATA_MAPPING, 3, Width::Long, "Primary Key Fields"),
        )
        .define(
            key("fields.whitelist", ConfigType::List, val(""), Importance::Medium,
                "List of comma-separated record value field names. If empty, all fields from the record value are utilized, otherwise used to filter to the desired fields.\nNote that ``pk.fields`` is applied independently in the context of which field(s) form the primary key columns in the destination database, while this configuration is applicable for the other columns.")
                .group(DATA_MAPPING, 4, Width::Long, "Fields Whitelist"),
        )
        .define(
            key("auto.create", ConfigType::Boolean, val("false"), Importance::Medium,
                "Whether to automatically create the destination table based on record schema if it is found to be missing by issuing ``CREATE``.")
                .group(DDL, 1, Width::Short, "Auto-Create"),
        )
        .define(
            key("auto.evolve", ConfigType::Boolean, val("false"), Importance::Medium,
                "Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ``ALTER``.")
                .group(DDL, 2, Width::Short, "Auto-Evolve"),
        )
        .define(connection_config::quote_key(DDL, 3))
        .define(
            key("table.types", ConfigType::List, val("TABLE"), Importance::Low,
                "The comma-separated types of database tables to which the sink connector can write. By default this is ``TABLE``, but any combination of ``TABLE`` and ``VIEW`` is allowed. Not all databases support writing to views, and when they do the sink connector will fail if the view definition does not match the records' schemas (regardless of ``auto.evolve``).")
                .group(DDL, 4, Width::Short, "Table Types"),
        )
        .define(
            key("max.retries", ConfigType::Int, val("10"), Importance::Medium,
                "The maximum number of times to retry on errors before failing the task.")
                .validator(Validator::AtLeast(0))
                .group(RETRIES, 1, Width::Short, "Maximum Retries"),
        )
        .define(
            key("retry.backoff.ms", ConfigType::Int, val("3000"), Importance::Medium,
                "The time in milliseconds to wait following an error before a retry attempt is made.")
                .validator(Validator::AtLeast(0))
                .group(RETRIES, 2, Width::Short, "Retry Backoff (millis)"),
        )
}

/// `JdbcSinkConnector.validate`'s own checks.
pub fn validate(props: &Props) -> Vec<(&'static str, String)> {
    let get = |k: &str| props.get(k).map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
    let mut errors = connection_config::validate(props);
    if get("delete.enabled") == "true" && get("pk.mode") != "record_key" {
        let msg = "Deletes are only supported for pk.mode record_key".to_string();
        errors.push(("delete.enabled", msg.clone()));
        errors.push(("pk.mode", msg));
    }
    let pk_mode = get("pk.mode");
    let pk_fields = parse_list(props.get("pk.fields").map(String::as_str).unwrap_or(""));
    if pk_mode == "kafka" && !pk_fields.is_empty() && pk_fields.len() != 3 {
        errors.push((
            "pk.fields",
            "PK mode for table is KAFKA so there should either be no field names defined for defaults __connect_topic, __connect_partition, __connect_offset to be applicable, or exactly 3".to_string(),
        ));
    }
    if matches!(get("insert.mode").as_str(), "upsert" | "update") && (pk_mode.is_empty() || pk_mode == "none") {
        errors.push((
            "pk.mode",
            format!(
                "insert.mode={} needs a primary key: set pk.mode to kafka, record_key or record_value",
                get("insert.mode")
            ),
        ));
    }
    errors
}

#[derive(Debug, Clone)]
pub struct SinkConfig {
    pub connection: ConnectionConfig,
    pub insert_mode: InsertMode,
    pub batch_size: usize,
    pub delete_enabled: bool,
    pub table_name_format: String,
    pub pk_mode: PkMode,
    pub pk_fields: Vec<String>,
    pub fields_whitelist: Vec<String>,
    pub auto_create: bool,
    pub auto_evolve: bool,
    pub table_types: Vec<String>,
    pub max_retries: u32,
    pub retry_backoff: Duration,
}

impl SinkConfig {
    pub fn parse(props: &Props) -> Result<SinkConfig, String> {
        let parsed = config_def().parse(props)?;
        if let Some((_, e)) = validate(props).into_iter().next() {
            return Err(e);
        }
        let lower = |k: &str| parsed.string(k).unwrap_or_default().to_ascii_lowercase();
        Ok(SinkConfig {
            connection: ConnectionConfig::parse(&parsed)?,
            insert_mode: match lower("insert.mode").as_str() {
                "upsert" => InsertMode::Upsert,
                "update" => InsertMode::Update,
                _ => InsertMode::Insert,
            },
            batch_size: parsed.int("batch.size").max(1) as usize,
            delete_enabled: parsed.boolean("delete.enabled"),
            table_name_format: parsed.string("table.name.format").unwrap_or_else(|| "${topic}".into()),
            pk_mode: match lower("pk.mode").as_str() {
                "kafka" => PkMode::Kafka,
                "record_key" => PkMode::RecordKey,
                "record_value" => PkMode::RecordValue,
                _ => PkMode::None,
            },
            pk_fields: parsed.list("pk.fields"),
            fields_whitelist: parsed.list("fields.whitelist"),
            auto_create: parsed.boolean("auto.create"),
            auto_evolve: parsed.boolean("auto.evolve"),
            table_types: parsed.list("table.types"),
            max_retries: parsed.int("max.retries").max(0) as u32,
            retry_backoff: Duration::from_millis(parsed.int("retry.backoff.ms").max(0) as u64),
        })
    }

    /// The destination table of a topic.
    pub fn table_name(&self, topic: &str) -> String {
        self.table_name_format.replace("${topic}", topic)
    }
}
