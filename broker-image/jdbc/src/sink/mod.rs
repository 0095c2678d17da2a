//! `io.confluent.connect.jdbc.JdbcSinkConnector`: records of its topics become rows of the
//! tables `table.name.format` names, inserted, upserted, updated or deleted.

pub mod config;
pub mod fields;
pub mod sql;
pub mod task;
pub mod writer;

use kaskade_connect::connectors::{ConnectError, Connector, ConnectorContext, Plugin, Props, TaskFactory};

pub const PLUGIN: Plugin = Plugin {
    class: "io.confluent.connect.jdbc.JdbcSinkConnector",
    task_class: "io.confluent.connect.jdbc.sink.JdbcSinkTask",
    version: crate::source::VERSION,
    config_def: config::config_def,
    validate: Some(config::validate),
    connector: || Box::new(JdbcSinkConnector::default()),
    tasks: TaskFactory::Sink(|| Box::new(task::JdbcSinkTask::default())),
};

/// The connector only checks its config; every task gets the same one.
#[derive(Default)]
struct JdbcSinkConnector {
    props: Props,
}

impl Connector for JdbcSinkConnector {
    fn start(&mut self, config: &Props, _context: ConnectorContext) -> Result<(), ConnectError> {
        config::SinkConfig::parse(config)
            .map_err(|e| ConnectError::new(format!("Couldn't start JdbcSinkConnector due to configuration error: {e}")))?;
        self.props = config.clone();
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(vec![self.props.clone(); max_tasks.max(1)])
    }
}
