//! `io.confluent.connect.jdbc.JdbcSourceConnector`: rows of tables (or of a query) become
//! records of `topic.prefix` + table, with Confluent's schemas and offsets.

pub mod config;
pub mod connector;
pub mod offset;
pub mod querier;
pub mod task;

use kaskade_connect::connectors::{Plugin, TaskFactory};

/// The version the JDBC plugins report: Confluent's connector whose behaviour they follow.
pub const VERSION: &str = "10.9.7";

pub const PLUGIN: Plugin = Plugin {
    class: "io.confluent.connect.jdbc.JdbcSourceConnector",
    task_class: "io.confluent.connect.jdbc.source.JdbcSourceTask",
    version: VERSION,
    config_def: config::config_def,
    validate: Some(config::validate),
    connector: || Box::new(connector::JdbcSourceConnector::default()),
    tasks: TaskFactory::Source(|| Box::new(task::JdbcSourceTask::default())),
};
