//! Confluent's JDBC connectors, built into the worker: `io.confluent.connect.jdbc.JdbcSourceConnector`
//! and `io.confluent.connect.jdbc.JdbcSinkConnector`, with Confluent's configuration keys,
//! defaults, offsets and JsonConverter output, for MariaDB/MySQL, PostgreSQL and SQLite through
//! sqlx. The binary registers [`plugins`] with the worker; nothing here knows of REST.

pub mod catalog;
pub mod connection_config;
pub mod db;
pub mod dialect;
pub mod sink;
pub mod source;
pub mod timezone;
pub mod types;
pub mod url;

/// The connector plugins of this crate, for `kaskade_connect::connectors::register`.
pub fn plugins() -> Vec<kaskade_connect::connectors::Plugin> {
    vec![source::PLUGIN, sink::PLUGIN]
}
