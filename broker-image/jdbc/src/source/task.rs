//! `JdbcSourceTask`: polls its tables (or the query) in turn, each no more often than
//! `poll.interval.ms` unless its last read was a full batch, over one connection. A failed query
//! while the database is unreachable is retried (Confluent's `query.retry.attempts` defaults to
//! forever); one the database refuses fails the task with the SQL error as its cause.

use std::sync::Arc;
use std::time::Duration;

use kaskade_connect::connectors::{BoxFuture, ConnectError, Props, SourceContext, SourceTask};
use kaskade_connect::record::ConnectRecord;
use tokio::time::Instant;

use super::config::SourceConfig;
use super::querier::{Querier, Source};
use crate::catalog::TableId;
use crate::db::{Db, Decode};
use crate::dialect::Dialect;
use crate::url::Engine;

/// A poll waits at most this long for a table to be due, so a stop is seen soon.
const MAX_IDLE: Duration = Duration::from_millis(500);

struct Scheduled {
    querier: Querier,
    due: Instant,
    /// The next read starts a round (the schema is read again).
    fresh: bool,
}

#[derive(Default)]
pub struct JdbcSourceTask {
    config: Option<Arc<SourceConfig>>,
    context: Option<SourceContext>,
    db: Option<Db>,
    queriers: Vec<Scheduled>,
}

/// A full name from a task config back into its parts, as the engine qualifies tables.
pub fn table_id(engine: Engine, full: &str) -> TableId {
    let parts: Vec<&str> = full.split('.').collect();
    let s = |x: &str| Some(x.to_string());
    match (engine, parts.as_slice()) {
        (Engine::Postgres, [_, sc, t]) => TableId {
            catalog: None,
            schema: s(sc),
            table: t.to_string(),
        },
        (Engine::Postgres, [sc, t]) => TableId {
            catalog: None,
            schema: s(sc),
            table: t.to_string(),
        },
        (Engine::MySql, [c, t]) => TableId {
            catalog: s(c),
            schema: None,
            table: t.to_string(),
        },
        _ => TableId {
            catalog: None,
            schema: None,
            table: full.to_string(),
        },
    }
}

impl JdbcSourceTask {
    async fn connect(&mut self) -> Result<(), ConnectError> {
        let config = self.config.clone().ok_or_else(|| ConnectError::new("task not started"))?;
        let db = Db::connect(&config.connection.spec).await.map_err(|e| {
            ConnectError::new(format!(
                "Could not connect to database {} after {} attempts",
                config.connection.spec.url.redacted(),
                config.connection.spec.attempts
            ))
            .caused_by(format!("java.sql.SQLException: {e}"))
        })?;
        if self.queriers.is_empty() {
            let dialect = Dialect::new(db.engine(), config.connection.quote);
            let sources: Vec<Source> = if config.query.is_empty() {
                config.tables.iter().map(|t| Source::Table(table_id(db.engine(), t))).collect()
            } else {
                vec![Source::Query(config.query.clone())]
            };
            let now = Instant::now();
            for source in sources {
                let stored = self
                    .context
                    .as_ref()
                    .and_then(|c| Querier::partitions(&source).iter().find_map(|p| c.offset(p)));
                if let Some(o) = &stored {
                    tracing::info!("resuming {source:?} from offset {o}");
                }
                self.queriers.push(Scheduled {
                    querier: Querier::new(source, config.clone(), dialect, stored),
                    due: now,
                    fresh: true,
                });
            }
        }
        self.db = Some(db);
        Ok(())
    }

    async fn reachable(db: &Db) -> bool {
        db.fetch("SELECT 1", &[], &[Decode::Int]).await.is_ok()
    }
}

impl SourceTask for JdbcSourceTask {
    fn start(&mut self, config: &Props, context: SourceContext) -> Result<(), ConnectError> {
        let parsed = SourceConfig::parse(config)
            .map_err(|e| ConnectError::new(format!("Couldn't start JdbcSourceTask due to configuration error: {e}")))?;
        if parsed.query.is_empty() && parsed.tables.is_empty() {
            return Err(ConnectError::new(
                "Invalid configuration: each JdbcSourceTask must have at least one table assigned to it or one query specified",
            ));
        }
        self.config = Some(Arc::new(parsed));
        self.context = Some(context);
        Ok(())
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<ConnectRecord>, ConnectError>> {
        Box::pin(async move {
            let config = self.config.clone().ok_or_else(|| ConnectError::new("task not started"))?;
            if self.db.is_none() {
                self.connect().await?;
            }
            let Some(db) = self.db.clone() else { return Ok(Vec::new()) };
            let Some(next) = (0..self.queriers.len()).min_by_key(|i| self.queriers[*i].due) else {
                tokio::time::sleep(MAX_IDLE).await;
                return Ok(Vec::new());
            };
            let now = Instant::now();
            let due = self.queriers[next].due;
            if due > now {
                tokio::time::sleep((due - now).min(MAX_IDLE)).await;
                return Ok(Vec::new());
            }
            let s = &mut self.queriers[next];
            match s.querier.poll(&db, s.fresh).await {
                Ok((records, more)) => {
                    s.fresh = !more;
                    s.due = if more {
                        Instant::now()
                    } else {
                        Instant::now() + Duration::from_millis(config.poll_interval_ms)
                    };
                    Ok(records)
                }
                Err(e) => {
                    if Self::reachable(&db).await {
                        return Err(e);
                    }
                    // The database went away: retry the same read after a backoff.
                    tracing::warn!("database unreachable, retrying in {:?}: {e}", config.connection.spec.backoff);
                    s.fresh = true;
                    s.due = Instant::now() + config.connection.spec.backoff.min(Duration::from_secs(1));
                    Ok(Vec::new())
                }
            }
        })
    }

    fn stop(&mut self) {
        self.db = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_split_by_engine() {
        assert_eq!(table_id(Engine::MySql, "shop.users").catalog.as_deref(), Some("shop"));
        let pg = table_id(Engine::Postgres, "public.users");
        assert_eq!((pg.schema.as_deref(), pg.table.as_str()), (Some("public"), "users"));
        assert_eq!(table_id(Engine::Sqlite, "users").table, "users");
    }
}
