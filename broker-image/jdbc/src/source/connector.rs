//! `JdbcSourceConnector`: watches the database's tables (every `table.poll.interval.ms`, in the
//! background) and spreads those the filters accept over at most `tasks.max` tasks, each task
//! config naming its tables under `tables`. A new or dropped table asks the runtime for new task
//! configs; a database that cannot be reached at start fails the connector.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kaskade_connect::connectors::{ConnectError, Connector, ConnectorContext, Props};

use super::config::{SourceConfig, TABLES};
use crate::catalog::{self, TableId};
use crate::db::Db;

#[derive(Default)]
pub struct JdbcSourceConnector {
    props: Props,
    config: Option<Arc<SourceConfig>>,
    /// The tables found by the monitor; `None` until its first listing.
    tables: Arc<Mutex<Option<Vec<TableId>>>>,
    monitor: Option<tokio::task::JoinHandle<()>>,
}

async fn monitor(config: Arc<SourceConfig>, tables: Arc<Mutex<Option<Vec<TableId>>>>, context: ConnectorContext) {
    let mut db: Option<Db> = None;
    let mut first = true;
    loop {
        if db.is_none() {
            match Db::connect(&config.connection.spec).await {
                Ok(d) => db = Some(d),
                Err(e) if first => {
                    context.raise_error(
                        ConnectError::new(format!("Could not connect to database {}", config.connection.spec.url.redacted()))
                            .caused_by(format!("java.sql.SQLException: {e}")),
                    );
                    return;
                }
                Err(e) => tracing::warn!("table monitor cannot reach the database: {e}"),
            }
        }
        if let Some(d) = &db {
            match catalog::tables(d, &config.table_types, config.schema_pattern.as_deref()).await {
                Ok(found) => {
                    let accepted: Vec<TableId> = found.into_iter().filter(|t| config.filter.accepts(t)).collect();
                    let changed = {
                        let mut known = tables.lock().unwrap_or_else(|p| p.into_inner());
                        let changed = known.as_ref() != Some(&accepted);
                        if changed {
                            if accepted.is_empty() {
                                tracing::warn!("No tables were found so there's no work to be done.");
                            } else {
                                tracing::info!(
                                    "tables to copy: {}",
                                    accepted.iter().map(TableId::full_name).collect::<Vec<_>>().join(", ")
                                );
                            }
                            *known = Some(accepted);
                        }
                        changed
                    };
                    if changed {
                        context.request_task_reconfiguration();
                    }
                }
                Err(e) => {
                    tracing::warn!("listing tables failed: {e}");
                    if e.is_transient() {
                        db = None;
                    }
                }
            }
        }
        first = false;
        tokio::time::sleep(Duration::from_millis(config.table_poll_interval_ms)).await;
    }
}

/// Splits `items` into at most `groups` contiguous, nearly equal runs (Kafka's
/// `ConnectorUtils.groupPartitions`).
pub fn group<T: Clone>(items: &[T], groups: usize) -> Vec<Vec<T>> {
    let groups = groups.min(items.len()).max(1);
    let (per, extra) = (items.len() / groups, items.len() % groups);
    let mut out = Vec::with_capacity(groups);
    let mut start = 0;
    for g in 0..groups {
        let len = per + usize::from(g < extra);
        out.push(items[start..start + len].to_vec());
        start += len;
    }
    out
}

impl Connector for JdbcSourceConnector {
    fn start(&mut self, config: &Props, context: ConnectorContext) -> Result<(), ConnectError> {
        let parsed = SourceConfig::parse(config)
            .map_err(|e| ConnectError::new(format!("Couldn't start JdbcSourceConnector due to configuration error: {e}")))?;
        let parsed = Arc::new(parsed);
        self.props = config.clone();
        self.config = Some(parsed.clone());
        if parsed.query.is_empty() {
            self.monitor = Some(tokio::spawn(monitor(parsed, self.tables.clone(), context)));
        }
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let Some(config) = &self.config else { return Ok(Vec::new()) };
        if !config.query.is_empty() {
            // A query is one stream: one task.
            return Ok(vec![self.props.clone()]);
        }
        let tables = self.tables.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(tables) = tables.filter(|t| !t.is_empty()) else {
            return Ok(Vec::new());
        };
        Ok(group(&tables, max_tasks)
            .into_iter()
            .map(|g| {
                let mut p = self.props.clone();
                p.insert(TABLES.into(), g.iter().map(TableId::full_name).collect::<Vec<_>>().join(","));
                p
            })
            .collect())
    }

    fn stop(&mut self) {
        if let Some(m) = self.monitor.take() {
            m.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_like_kafka() {
        assert_eq!(group(&[1, 2, 3, 4, 5], 2), vec![vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(group(&[1, 2], 5), vec![vec![1], vec![2]]);
        assert_eq!(group(&[1, 2, 3], 1), vec![vec![1, 2, 3]]);
    }
}
