//! The configuration keys both connectors share — where the database is and how to reach it
//! (`connection.*`, `dialect.name`, `db.timezone`, `quote.sql.identifiers`) — with Confluent's
//! names and defaults, and their parsed form.

use std::time::Duration;

use kaskade_connect::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Parsed, Validator, Width};

use crate::db::ConnectSpec;
use crate::timezone::DbTimeZone;
use crate::url::{DbUrl, Engine};

pub const DATABASE_GROUP: &str = "Database";

/// The `Database` group's keys, for either connector.
pub fn define(def: ConfigDef) -> ConfigDef {
    def.define(
        ConfigKey::new(
            "connection.url",
            ConfigType::String,
            Default::Required,
            Importance::High,
            "JDBC connection URL.\nFor example: ``jdbc:mysql://localhost/db_name``, ``jdbc:mariadb://localhost:3306/db_name``, ``jdbc:postgresql://localhost/db_name``, ``jdbc:sqlite:/path/to/file.db``",
        )
        .group(DATABASE_GROUP, 1, Width::Long, "JDBC URL"),
    )
    .define(
        ConfigKey::new("connection.user", ConfigType::String, Default::Null, Importance::High, "JDBC connection user.")
            .group(DATABASE_GROUP, 2, Width::Long, "JDBC User"),
    )
    .define(
        ConfigKey::new(
            "connection.password",
            ConfigType::Password,
            Default::Null,
            Importance::High,
            "JDBC connection password.",
        )
        .group(DATABASE_GROUP, 3, Width::Short, "JDBC Password"),
    )
    .define(
        ConfigKey::new(
            "connection.attempts",
            ConfigType::Int,
            Default::Value("3".into()),
            Importance::Low,
            "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.",
        )
        .validator(Validator::AtLeast(1))
        .group(DATABASE_GROUP, 4, Width::Short, "JDBC connection attempts"),
    )
    .define(
        ConfigKey::new(
            "connection.backoff.ms",
            ConfigType::Long,
            Default::Value("10000".into()),
            Importance::Low,
            "Backoff time in milliseconds between connection attempts.",
        )
        .group(DATABASE_GROUP, 5, Width::Short, "JDBC connection backoff in milliseconds"),
    )
    .define(
        ConfigKey::new(
            "dialect.name",
            ConfigType::String,
            Default::Value(String::new()),
            Importance::Low,
            "The name of the database dialect that should be used for this connector. By default this is empty, and the connector automatically determines the dialect based upon the JDBC connection URL. Use this if you want to override that behavior and use a specific dialect. All properly-packaged dialects in the JDBC connector plugin can be used.",
        )
        .validator(Validator::OneOf {
            values: &["", "MySqlDatabaseDialect", "PostgreSqlDatabaseDialect", "SqliteDatabaseDialect"],
            case_insensitive: false,
        })
        .group(DATABASE_GROUP, 6, Width::Long, "Database Dialect"),
    )
}

/// `db.timezone` (defined in each connector's own group, as Confluent does).
pub fn db_timezone_key(group: &str, order: i32) -> ConfigKey {
    ConfigKey::new(
        "db.timezone",
        ConfigType::String,
        Default::Value("UTC".into()),
        Importance::Medium,
        "Name of the JDBC timezone used in the connector when querying with time-based criteria. Defaults to UTC.",
    )
    .validator(Validator::Custom(|v| match v {
        kaskade_connect::config_def::ConfigValue::String(s) => DbTimeZone::parse(s).map(|_| ()),
        _ => Ok(()),
    }))
    .group(group, order, Width::Medium, "DB time zone")
}

/// `quote.sql.identifiers`.
pub fn quote_key(group: &str, order: i32) -> ConfigKey {
    ConfigKey::new(
        "quote.sql.identifiers",
        ConfigType::String,
        Default::Value("always".into()),
        Importance::Medium,
        "When to quote table names, column names, and other identifiers in SQL statements. For backward compatibility, the default is ``always``.",
    )
    .validator(Validator::OneOf {
        values: &["always", "never"],
        case_insensitive: true,
    })
    .group(group, order, Width::Medium, "Quote Identifiers")
}

/// The checks of the connection keys both connectors' `validate` adds: a URL of a database we
/// speak to.
pub fn validate(props: &kaskade_connect::connectors::Props) -> Vec<(&'static str, String)> {
    match props.get("connection.url").map(|u| u.trim()).filter(|u| !u.is_empty()) {
        Some(url) => match DbUrl::parse(url) {
            Ok(_) => Vec::new(),
            Err(e) => vec![("connection.url", e.0)],
        },
        None => Vec::new(), // a missing URL is the key's own error
    }
}

/// The session time zone a connection to `engine` is opened with, for `tz`.
pub fn session_zone(tz: &DbTimeZone, engine: Engine) -> String {
    match engine {
        Engine::Postgres => tz.postgres_zone(),
        _ => tz.mysql_offset(),
    }
}

/// Where and how to connect, parsed.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    pub spec: ConnectSpec,
    pub timezone: DbTimeZone,
    pub quote: bool,
}

impl ConnectionConfig {
    pub fn parse(parsed: &Parsed) -> Result<ConnectionConfig, String> {
        let raw_url = parsed.string("connection.url").unwrap_or_default();
        let mut url = DbUrl::parse(&raw_url).map_err(|e| e.0)?;
        if let Some(forced) = parsed.string("dialect.name").filter(|d| !d.is_empty()) {
            match Engine::from_dialect_name(&forced) {
                Some(e) if e == url.engine => {}
                Some(e) => url.engine = e,
                None => return Err(format!("Invalid dialect.name {forced}")),
            }
        }
        let timezone = DbTimeZone::parse(&parsed.string("db.timezone").unwrap_or_else(|| "UTC".into()))?;
        let session_offset = session_zone(&timezone, url.engine);
        Ok(ConnectionConfig {
            spec: ConnectSpec {
                url,
                user: parsed.string("connection.user").filter(|u| !u.is_empty()),
                password: parsed.string("connection.password").filter(|p| !p.is_empty()),
                attempts: parsed.int("connection.attempts").max(1) as u32,
                backoff: Duration::from_millis(parsed.long("connection.backoff.ms").max(0) as u64),
                session_offset,
            },
            timezone,
            quote: parsed
                .string("quote.sql.identifiers")
                .is_none_or(|q| !q.eq_ignore_ascii_case("never")),
        })
    }
}
