//! `org.apache.kafka.connect.file.FileStreamSinkConnector`: each record's value is appended to
//! a file as a line (Java's `toString` of the value, `null` for a tombstone); `flush` makes the
//! lines durable before the worker commits the consumer offsets. A torn last line, left by a
//! worker killed mid-write, is cut when the task starts (its records are redelivered).

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

/// Removes a torn last line: a worker killed while a write was going to the file leaves only
/// the pages the kernel had copied (a fatal signal stops a write at a page boundary). The
/// records of that write were not committed, so they come again and lose nothing.
fn cut_torn_line(f: &std::fs::File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut reader = f;
    let mut at = len;
    let mut chunk = vec![0u8; 64 << 10];
    while at > 0 {
        let n = chunk.len().min(at as usize);
        at -= n as u64;
        reader.seek(SeekFrom::Start(at))?;
        reader.read_exact(&mut chunk[..n])?;
        if let Some(i) = chunk[..n].iter().rposition(|b| *b == b'\n') {
            let end = at + i as u64 + 1;
            if end < len {
                tracing::warn!(
                    cut = len - end,
                    "the sink file ended in a torn line; it is cut (its records come again)"
                );
                f.set_len(end)?;
            }
            return Ok(());
        }
    }
    tracing::warn!(cut = len, "the sink file held one torn line; it is cut (its records come again)");
    f.set_len(0)
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
            .read(true)
            .open(&self.file)
            .map_err(|e| ConnectError::new(format!("Couldn't find or create file '{}' for FileStreamSinkTask", self.file)).caused_by(e))?;
        cut_torn_line(&f).map_err(|e| ConnectError::new(format!("Error reading file {}", self.file)).caused_by(e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_and_whole_lines_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        for (before, after) in [("a\nb\npart", "a\nb\n"), ("a\nb\n", "a\nb\n"), ("part", ""), ("", "")] {
            std::fs::write(&path, before).unwrap();
            let f = std::fs::OpenOptions::new().append(true).read(true).open(&path).unwrap();
            cut_torn_line(&f).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), after, "{before:?}");
        }
    }
}
