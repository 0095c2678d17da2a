//! `org.apache.kafka.connect.file.FileStreamSinkConnector`: each record's value is appended to
//! a file as a line (Java's `toString` of the value, `null` for a tombstone); `flush` makes the
//! lines durable before the worker commits the consumer offsets.

use std::io::Write;

use super::{BoxFuture, ConnectError, Connector, ConnectorContext, Plugin, Props, SinkTask, TaskFactory, APACHE_VERSION};
use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::converters::java::to_java_string;
use crate::data::Value;
use crate::record::ConnectRecord;

pub const PLUGIN: Plugin = Plugin {
    class: "org.apache.kafka.connect.file.FileStreamSinkConnector",
    task_class: "org.apache.kafka.connect.file.FileStreamSinkTask",
    version: APACHE_VERSION,
    config_def,
    validate: None,
    connector: || Box::new(FileSinkConnector::default()),
    tasks: TaskFactory::Sink(|| Box::new(FileSinkTask::default())),
};

pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(ConfigKey::new(
        "file",
        ConfigType::String,
        Default::Null,
        Importance::High,
        "Destination filename. If not specified, the standard output will be used",
    ))
}

#[derive(Default)]
struct FileSinkConnector {
    props: Props,
}

impl Connector for FileSinkConnector {
    fn start(&mut self, config: &Props, _context: ConnectorContext) -> Result<(), ConnectError> {
        config_def().parse(config).map_err(ConnectError::new)?;
        self.props = config.clone();
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(vec![self.props.clone(); max_tasks.max(1)])
    }
}

#[derive(Default)]
struct FileSinkTask {
    out: Option<std::io::BufWriter<std::fs::File>>,
    file: String,
    /// One line, reused for every record.
    line: Vec<u8>,
}

impl SinkTask for FileSinkTask {
    fn start(&mut self, config: &Props) -> Result<(), ConnectError> {
        let parsed = config_def().parse(config).map_err(ConnectError::new)?;
        self.file = parsed
            .string("file")
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ConnectError::new("Writing to standard output is not supported by a worker that runs as a service; set file"))?;
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .map_err(|e| ConnectError::new(format!("Couldn't find or create file '{}' for FileStreamSinkTask", self.file)).caused_by(e))?;
        self.out = Some(std::io::BufWriter::with_capacity(1 << 20, f));
        Ok(())
    }

    fn put(&mut self, records: Vec<ConnectRecord>) -> BoxFuture<'_, Result<(), ConnectError>> {
        Box::pin(async move {
            let out = self
                .out
                .as_mut()
                .ok_or_else(|| ConnectError::new("the sink task was not started"))?;
            for r in &records {
                // One write per line, newline included: the buffer then only ever reaches the
                // file in whole lines, so a worker killed mid-stream leaves no torn line (as
                // Apache's PrintStream, which writes each println through).
                // `println(record.value())`: a string as it is, anything else by its toString.
                self.line.clear();
                match &r.value {
                    Value::String(text) => self.line.extend_from_slice(text.as_bytes()),
                    other => self.line.extend_from_slice(to_java_string(other).as_bytes()),
                }
                self.line.push(b'\n');
                out.write_all(&self.line)
                    .map_err(|e| ConnectError::new(format!("Error writing to file {}", self.file)).caused_by(e))?;
            }
            // The batch goes to the file now (no fsync: `flush` syncs before a commit), as
            // Apache's PrintStream writes each line through; kept in the buffer, the last lines
            // would wait for the next offset commit (offset.flush.interval.ms, 60 s by default).
            out.flush()
                .map_err(|e| ConnectError::new(format!("Error writing to file {}", self.file)).caused_by(e))?;
            Ok(())
        })
    }

    fn flush(&mut self) -> BoxFuture<'_, Result<(), ConnectError>> {
        Box::pin(async move {
            if let Some(out) = self.out.as_mut() {
                out.flush()
                    .and_then(|_| out.get_ref().sync_data())
                    .map_err(|e| ConnectError::new(format!("Error flushing file {}", self.file)).caused_by(e))?;
            }
            Ok(())
        })
    }

    fn stop(&mut self) {
        if let Some(mut out) = self.out.take() {
            let _ = out.flush();
        }
    }
}
