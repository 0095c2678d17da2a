//! `JdbcSinkTask`: each `put` is written in one transaction, so the worker commits the records'
//! offsets only after the rows are in the database. A database that is away is waited for:
//! the same batch is retried `max.retries` times `retry.backoff.ms` apart; an error in the data
//! or the statement fails the task at once with the SQL error in its trace.

use std::sync::Arc;

use kaskade_connect::connectors::{BoxFuture, ConnectError, Props, SinkTask};
use kaskade_connect::record::ConnectRecord;

use super::config::SinkConfig;
use super::writer::{WriteError, Writer};

#[derive(Default)]
pub struct JdbcSinkTask {
    config: Option<Arc<SinkConfig>>,
    writer: Option<Writer>,
}

impl SinkTask for JdbcSinkTask {
    fn start(&mut self, config: &Props) -> Result<(), ConnectError> {
        let parsed = Arc::new(
            SinkConfig::parse(config)
                .map_err(|e| ConnectError::new(format!("Couldn't start JdbcSinkTask due to configuration error: {e}")))?,
        );
        let name = config.get("name").cloned().unwrap_or_default();
        self.writer = Some(Writer::new(parsed.clone(), name));
        self.config = Some(parsed);
        Ok(())
    }

    fn put(&mut self, records: Vec<ConnectRecord>) -> BoxFuture<'_, Result<(), ConnectError>> {
        Box::pin(async move {
            let (Some(cfg), Some(writer)) = (self.config.clone(), self.writer.as_mut()) else {
                return Err(ConnectError::new("task not started"));
            };
            let mut attempt = 0;
            loop {
                match writer.write(&records).await {
                    Ok(()) => return Ok(()),
                    Err(WriteError::Fatal(e)) => return Err(e),
                    Err(WriteError::Transient(e)) if attempt < cfg.max_retries => {
                        attempt += 1;
                        tracing::warn!(
                            "Write of {} records failed, remainingRetries={}: {e}",
                            records.len(),
                            cfg.max_retries - attempt + 1
                        );
                        writer.reset();
                        tokio::time::sleep(cfg.retry_backoff).await;
                    }
                    Err(WriteError::Transient(e)) => return Err(e),
                }
            }
        })
    }

    fn flush(&mut self) -> BoxFuture<'_, Result<(), ConnectError>> {
        // Every put committed its own transaction.
        Box::pin(async { Ok(()) })
    }

    fn stop(&mut self) {
        self.writer = None;
    }
}
