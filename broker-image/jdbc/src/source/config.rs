//! `JdbcSourceConnectorConfig`: Confluent's keys, defaults and groups for the source, the checks
//! its `validate` adds, and the parsed form the connector and its tasks use.

use kaskade_connect::config_def::{parse_list, ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator, Width};
use kaskade_connect::connectors::Props;

use crate::connection_config::{self, ConnectionConfig};
use crate::types::NumericMapping;

pub const MODE_GROUP: &str = "Mode";
pub const CONNECTOR_GROUP: &str = "Connector";

/// The task config key listing a task's tables (Confluent's `JdbcSourceTaskConfig.TABLES_CONFIG`).
pub const TABLES: &str = "tables";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bulk,
    Incrementing,
    Timestamp,
    TimestampIncrementing,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s.trim() {
            "bulk" => Mode::Bulk,
            "incrementing" => Mode::Incrementing,
            "timestamp" => Mode::Timestamp,
            "timestamp+incrementing" => Mode::TimestampIncrementing,
            _ => return None,
        })
    }

    pub fn uses_incrementing(self) -> bool {
        matches!(self, Mode::Incrementing | Mode::TimestampIncrementing)
    }

    pub fn uses_timestamp(self) -> bool {
        matches!(self, Mode::Timestamp | Mode::TimestampIncrementing)
    }
}

fn key(name: &str, ty: ConfigType, default: Default, importance: Importance, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, default, importance, doc)
}

fn val(s: &str) -> Default {
    Default::Value(s.into())
}

pub fn config_def() -> ConfigDef {
    let db = connection_config::DATABASE_GROUP;
    connection_config::define(ConfigDef::new())
        .define(
            key("catalog.pattern", ConfigType::String, Default::Null, Importance::Medium,
                "Catalog pattern to fetch table metadata from the database.\n  * ``\"\"`` retrieves those without a catalog,\n  * null (default) indicates that the schema name is not used to narrow the search and that all table metadata is fetched, regardless of the catalog.")
                .group(db, 7, Width::Short, "Schema pattern"),
        )
        .define(
            key("table.whitelist", ConfigType::List, val(""), Importance::Medium,
                "List of tables to include in copying. If specified, ``table.blacklist`` may not be set. Use a comma-separated list to specify multiple tables (for example, ``table.whitelist: \"User, Address, Email\"``).")
                .group(db, 8, Width::Long, "Table Whitelist"),
        )
        .define(
            key("table.blacklist", ConfigType::List, val(""), Importance::Medium,
                "List of tables to exclude from copying. If specified, ``table.whitelist`` may not be set. Use a comma-separated list to specify multiple tables (for example, ``table.blacklist: \"User, Address, Email\"``).")
                .group(db, 9, Width::Long, "Table Blacklist"),
        )
        .define(
            key("table.include.list", ConfigType::List, val(""), Importance::Medium,
                "List of regular expressions matching fully-qualified table names to include in copying. If specified, ``table.exclude.list`` may not be set, nor ``table.whitelist`` or ``table.blacklist``.")
                .group(db, 10, Width::Long, "Table Include List"),
        )
        .define(
            key("table.exclude.list", ConfigType::List, val(""), Importance::Medium,
                "List of regular expressions matching fully-qualified table names to exclude from copying. If specified, ``table.include.list`` may not be set, nor ``table.whitelist`` or ``table.blacklist``.")
                .group(db, 11, Width::Long, "Table Exclude List"),
        )
        .define(
            key("schema.pattern", ConfigType::String, Default::Null, Importance::Medium,
                "Schema pattern to fetch table metadata from the database.\n  * ``\"\"`` retrieves those without a schema,\n  * null (default) indicates that the schema name is not used to narrow the search and that all table metadata is fetched, regardless of the schema.")
                .group(db, 12, Width::Short, "Schema pattern"),
        )
        .define(
            key("numeric.precision.mapping", ConfigType::Boolean, val("false"), Importance::Low,
                "Whether or not to attempt mapping NUMERIC values by precision to integral types. This option is now deprecated. A future version may remove it completely. Please use ``numeric.mapping`` instead.")
                .group(db, 13, Width::Short, "Map Numeric Values By Precision (deprecated)"),
        )
        .define(
            key("numeric.mapping", ConfigType::String, Default::Null, Importance::Low,
                "Map NUMERIC values by precision and optionally scale to integral or decimal types.\n  * Use ``none`` if all NUMERIC columns are to be represented by Connect's DECIMAL logical type.\n  * Use ``best_fit`` if NUMERIC columns should be cast to Connect's INT8, INT16, INT32, INT64, or FLOAT64 based upon the column's precision and scale. This option may still represent the NUMERIC value as Connect DECIMAL if it cannot be cast to a native type without losing precision. For example, a NUMERIC(20) type with precision 20 would not be able to fit in a native INT64 without overflowing and thus would be retained as DECIMAL.\n  * Use ``best_fit_eager_double`` if in addition to the properties of best_fit described above, it is desirable to always cast NUMERIC columns with scale to Connect FLOAT64 type, despite potential of loss in accuracy.\n  * Use ``precision_only`` to map NUMERIC columns based only on the column's precision assuming that column's scale is 0.\n  * The ``none`` option is the default, but may lead to serialization issues with Avro since Connect's DECIMAL type is mapped to its binary representation, and ``best_fit`` will often be preferred since it maps to the most appropriate primitive type.")
                .validator(Validator::Custom(|v| match v {
                    kaskade_connect::config_def::ConfigValue::String(s) if NumericMapping::parse(s).is_none() => {
                        Err(format!("String must be one of: {}", NumericMapping::NAMES.join(", ")))
                    }
                    _ => Ok(()),
                }))
                .group(db, 14, Width::Short, "Map Numeric Values, Integral or Decimal, By Precision and Scale"),
        )
        .define(
            key("mode", ConfigType::String, val(""), Importance::High,
                "The mode for updating a table each time it is polled. Options include:\n  * bulk: perform a bulk load of the entire table each time it is polled\n  * incrementing: use a strictly incrementing column on each table to detect only new rows. Note that this will not detect modifications or deletions of existing rows.\n  * timestamp: use a timestamp (or timestamp-like) column to detect new and modified rows. This assumes the column is updated with each write, and that values are monotonically incrementing, but not necessarily unique.\n  * timestamp+incrementing: use two columns, a timestamp column that detects new and modified rows and a strictly incrementing column which provides a globally unique ID for updates so each row can be assigned a unique stream offset.")
                .validator(Validator::OneOf { values: &["", "bulk", "timestamp", "incrementing", "timestamp+incrementing"], case_insensitive: false })
                .group(MODE_GROUP, 1, Width::Medium, "Table Loading Mode")
                .dependents(&["incrementing.column.name", "timestamp.column.name", "validate.non.null"]),
        )
        .define(
            key("incrementing.column.name", ConfigType::String, val(""), Importance::Medium,
                "The name of the strictly incrementing column to use to detect new rows. Any empty value indicates the column should be autodetected by looking for an auto-incrementing column. This column may not be nullable.")
                .group(MODE_GROUP, 2, Width::Medium, "Incrementing Column Name"),
        )
        .define(
            key("timestamp.column.name", ConfigType::List, val(""), Importance::Medium,
                "Comma separated list of one or more timestamp columns to detect new or modified rows using the COALESCE SQL function. Rows whose first non-null timestamp value is greater than the largest previous timestamp value seen will be discovered with each poll. At least one column should not be nullable.")
                .group(MODE_GROUP, 3, Width::Medium, "Timestamp Column Name"),
        )
        .define(
            key("timestamp.initial", ConfigType::Long, Default::Null, Importance::Low,
                "The epoch timestamp used for initial queries that use timestamp criteria. Use -1 to use the current time. If not specified, all data will be retrieved.")
                .group(MODE_GROUP, 4, Width::Medium, "Unix time value of initial timestamp"),
        )
        .define(
            key("validate.non.null", ConfigType::Boolean, val("true"), Importance::Low,
                "By default, the JDBC connector will validate that all incrementing and timestamp tables have NOT NULL set for the columns being used as their ID/timestamp. If the tables don't, JDBC connector will fail to start. Setting this to false will disable these checks.")
                .group(MODE_GROUP, 5, Width::Medium, "Validate Non Null"),
        )
        .define(
            key("query", ConfigType::String, val(""), Importance::Medium,
                "If specified, the query to perform to select new or updated rows. Use this setting if you want to join tables, select subsets of columns in a table, or filter data. If used, this connector will only copy data using this query -- whole-table copying will be disabled. Different query modes may still be used for incremental updates, but in order to properly construct the incremental query, it must be possible to append a WHERE clause to this query (i.e. no WHERE clauses may be used). If you use a WHERE clause, it must handle incremental queries itself.")
                .group(MODE_GROUP, 6, Width::Short, "Query"),
        )
        .define(connection_config::quote_key(MODE_GROUP, 7))
        .define(
            key("query.suffix", ConfigType::String, val(""), Importance::Low,
                "Suffix to append at the end of the generated query.")
                .group(MODE_GROUP, 8, Width::Medium, "Query suffix"),
        )
        .define(
            key("table.types", ConfigType::List, val("TABLE"), Importance::Low,
                "By default, the JDBC connector will only detect tables with type TABLE from the source Database. This config allows a command separated list of table types to extract. Options include:\n  * TABLE\n  * VIEW\n  * SYSTEM TABLE\n  * GLOBAL TEMPORARY\n  * LOCAL TEMPORARY\n  * ALIAS\n  * SYNONYM\n  In most cases it only makes sense to have either TABLE or VIEW.")
                .group(CONNECTOR_GROUP, 1, Width::Short, "Table Types"),
        )
        .define(
            key("poll.interval.ms", ConfigType::Int, val("5000"), Importance::High,
                "Frequency in ms to poll for new data in each table.")
                .group(CONNECTOR_GROUP, 2, Width::Short, "Poll Interval (ms)"),
        )
        .define(
            key("batch.max.rows", ConfigType::Int, val("1000"), Importance::Low,
                "Maximum number of rows to include in a single batch when polling for new data. This setting can be used to limit the amount of data buffered internally in the connector.")
                .validator(Validator::AtLeast(1))
                .group(CONNECTOR_GROUP, 3, Width::Short, "Max Rows Per Batch"),
        )
        .define(
            key("table.poll.interval.ms", ConfigType::Long, val("60000"), Importance::Low,
                "Frequency in ms to poll for new or removed tables, which may result in updated task configurations to start polling for data in added tables or stop polling for data in removed tables.")
                .group(CONNECTOR_GROUP, 4, Width::Short, "Metadata Change Monitoring Interval (ms)"),
        )
        .define(
            key("topic.prefix", ConfigType::String, Default::Required, Importance::High,
                "Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the case of a custom query, the full name of the topic to publish to.")
                .group(CONNECTOR_GROUP, 5, Width::Medium, "Topic Prefix"),
        )
        .define(
            key("timestamp.delay.interval.ms", ConfigType::Long, val("0"), Importance::High,
                "How long to wait after a row with certain timestamp appears before we include it in the result. You may choose to add some delay to allow transactions with earlier timestamp to complete. The first execution will fetch all available records (i.e. starting at timestamp 0) until current time minus the delay. Every following execution will get data from the last time we fetched until current time minus the delay.")
                .group(CONNECTOR_GROUP, 6, Width::Medium, "Delay Interval (ms)"),
        )
        .define(connection_config::db_timezone_key(CONNECTOR_GROUP, 7))
}

/// The checks `JdbcSourceConnectorConfig.validate` adds to each key's own: what a mode needs,
/// and the table filters that cannot go together.
pub fn validate(props: &Props) -> Vec<(&'static str, String)> {
    let mut errors = connection_config::validate(props);
    let get = |k: &str| props.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let list = |k: &str| parse_list(props.get(k).map(String::as_str).unwrap_or(""));
    let mode = get("mode");
    if mode.is_empty() {
        errors.push(("mode", "Query mode must be specified".to_string()));
    }
    if mode.starts_with("timestamp") && list("timestamp.column.name").is_empty() {
        errors.push((
            "timestamp.column.name",
            format!("Timestamp column name must be set when using mode {mode}"),
        ));
    }
    let lists = ["table.whitelist", "table.blacklist", "table.include.list", "table.exclude.list"];
    let set: Vec<&'static str> = lists.iter().copied().filter(|k| !list(k).is_empty()).collect();
    if set.len() > 1 {
        let msg = format!("Only one of {} may be set, but {} are", lists.join(", "), set.join(" and "));
        for k in &set {
            errors.push((*k, msg.clone()));
        }
    }
    for k in ["table.include.list", "table.exclude.list"] {
        for p in list(k) {
            if let Err(e) = regex::Regex::new(&format!("^(?:{p})$")) {
                errors.push((k, format!("Invalid regular expression {p}: {e}")));
            }
        }
    }
    if !get("query").is_empty() && !set.is_empty() {
        for k in &set {
            errors.push((*k, format!("{k} cannot be set together with query: a query replaces the tables")));
        }
    }
    errors
}

/// Which tables a connector copies.
#[derive(Debug, Clone)]
pub enum TableFilter {
    All,
    Whitelist(Vec<String>),
    Blacklist(Vec<String>),
    Include(Vec<regex::Regex>),
    Exclude(Vec<regex::Regex>),
}

impl TableFilter {
    pub fn accepts(&self, table: &crate::catalog::TableId) -> bool {
        let full = table.full_name();
        match self {
            TableFilter::All => true,
            TableFilter::Whitelist(w) => w.iter().any(|e| table.matches(e)),
            TableFilter::Blacklist(b) => !b.iter().any(|e| table.matches(e)),
            TableFilter::Include(r) => r.iter().any(|r| r.is_match(&full) || r.is_match(&table.table)),
            TableFilter::Exclude(r) => !r.iter().any(|r| r.is_match(&full) || r.is_match(&table.table)),
        }
    }
}

/// The parsed source config.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub connection: ConnectionConfig,
    pub mode: Mode,
    pub incrementing_column: String,
    pub timestamp_columns: Vec<String>,
    pub timestamp_initial: Option<i64>,
    pub validate_non_null: bool,
    pub query: String,
    pub query_suffix: String,
    pub filter: TableFilter,
    pub schema_pattern: Option<String>,
    pub table_types: Vec<String>,
    pub numeric: NumericMapping,
    pub poll_interval_ms: u64,
    pub batch_max_rows: usize,
    pub table_poll_interval_ms: u64,
    pub topic_prefix: String,
    pub timestamp_delay_ms: i64,
    /// A task's tables (full names), from its task config.
    pub tables: Vec<String>,
}

impl SourceConfig {
    pub fn parse(props: &Props) -> Result<SourceConfig, String> {
        let parsed = config_def().parse(props)?;
        if let Some((_, e)) = validate(props).into_iter().next() {
            return Err(e);
        }
        let mode = Mode::parse(&parsed.string("mode").unwrap_or_default()).ok_or("Query mode must be specified")?;
        let regexes = |k: &str| -> Result<Vec<regex::Regex>, String> {
            parsed
                .list(k)
                .iter()
                .map(|p| regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string()))
                .collect()
        };
        let filter = if !parsed.list("table.whitelist").is_empty() {
            TableFilter::Whitelist(parsed.list("table.whitelist"))
        } else if !parsed.list("table.blacklist").is_empty() {
            TableFilter::Blacklist(parsed.list("table.blacklist"))
        } else if !parsed.list("table.include.list").is_empty() {
            TableFilter::Include(regexes("table.include.list")?)
        } else if !parsed.list("table.exclude.list").is_empty() {
            TableFilter::Exclude(regexes("table.exclude.list")?)
        } else {
            TableFilter::All
        };
        let numeric = match parsed.string("numeric.mapping") {
            Some(m) => NumericMapping::parse(&m).unwrap_or_default(),
            None if parsed.boolean("numeric.precision.mapping") => NumericMapping::PrecisionOnly,
            None => NumericMapping::None,
        };
        Ok(SourceConfig {
            connection: ConnectionConfig::parse(&parsed)?,
            mode,
            incrementing_column: parsed.string("incrementing.column.name").unwrap_or_default(),
            timestamp_columns: parsed.list("timestamp.column.name"),
            timestamp_initial: props.get("timestamp.initial").and_then(|s| s.trim().parse::<i64>().ok()),
            validate_non_null: parsed.boolean("validate.non.null"),
            query: parsed.string("query").unwrap_or_default().trim().to_string(),
            query_suffix: parsed.string("query.suffix").unwrap_or_default(),
            filter,
            schema_pattern: parsed.string("schema.pattern").filter(|s| !s.is_empty()),
            table_types: parsed.list("table.types"),
            numeric,
            poll_interval_ms: parsed.int("poll.interval.ms").max(1) as u64,
            batch_max_rows: parsed.int("batch.max.rows").max(1) as usize,
            table_poll_interval_ms: parsed.long("table.poll.interval.ms").max(100) as u64,
            topic_prefix: parsed.string("topic.prefix").unwrap_or_default(),
            timestamp_delay_ms: parsed.long("timestamp.delay.interval.ms").max(0),
            tables: props.get(TABLES).map(|t| parse_list(t)).unwrap_or_default(),
        })
    }
}
