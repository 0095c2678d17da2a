//! `org.apache.kafka.connect.file.FileStreamSourceConnector`: each line of a file becomes a
//! string record; the source offset is `{"position": bytes read}` under the partition
//! `{"filename": FILE}`, as Apache's connector writes them, so either worker resumes the
//! other's place. One task; it waits for the file to appear and for new lines to be appended.

use std::io::{Read, Seek, SeekFrom};
use std::time::Duration;

use serde_json::json;

use super::{BoxFuture, ConnectError, Connector, ConnectorContext, Plugin, Props, SourceContext, SourceTask, TaskFactory, APACHE_VERSION};
use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{Schema, Value};
use crate::record::ConnectRecord;

pub const PLUGIN: Plugin = Plugin {
    class: "org.apache.kafka.connect.file.FileStreamSourceConnector",
    task_class: "org.apache.kafka.connect.file.FileStreamSourceTask",
    version: APACHE_VERSION,
    config_def,
    validate: None,
    connector: || Box::new(FileSourceConnector::default()),
    tasks: TaskFactory::Source(|| Box::new(FileSourceTask::default())),
};

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(ConfigKey::new(
            "file",
            ConfigType::String,
            Default::Null,
            Importance::High,
            "Source filename. If not specified, the standard input will be used",
        ))
        .define(
            ConfigKey::new(
                "topic",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The topic to publish data to",
            )
            .validator(Validator::NonEmptyString),
        )
        .define(ConfigKey::new(
            "batch.size",
            ConfigType::Int,
            Default::Value("2000".into()),
            Importance::Low,
            "The maximum number of records the source task can read from the file each time it is polled",
        ))
}

#[derive(Default)]
struct FileSourceConnector {
    props: Props,
}

impl Connector for FileSourceConnector {
    fn start(&mut self, config: &Props, _context: ConnectorContext) -> Result<(), ConnectError> {
        config_def().parse(config).map_err(ConnectError::new)?;
        self.props = config.clone();
        Ok(())
    }

    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        // Only one reader of a file makes sense.
        Ok(vec![self.props.clone()])
    }
}

#[derive(Default)]
struct FileSourceTask {
    file: String,
    topic: String,
    batch_size: usize,
    reader: Option<std::fs::File>,
    /// Bytes read but not yet ending in a newline.
    pending: Vec<u8>,
    /// The file position just after the last line handed out.
    position: u64,
    context: Option<SourceContext>,
}

/// Up to this much is read from the file per poll.
const READ_CHUNK: usize = 1 << 20;
/// How long a poll waits when the file has nothing new (Kafka's task waits 1 s).
const IDLE_WAIT: Duration = Duration::from_millis(200);

impl FileSourceTask {
    fn open(&mut self) -> Result<bool, ConnectError> {
        let mut f = match std::fs::File::open(&self.file) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(
                    file = self.file,
                    "Couldn't find file for FileStreamSourceTask, sleeping to wait for it to be created"
                );
                return Ok(false);
            }
            Err(e) => return Err(ConnectError::new(format!("Error while trying to open file {}", self.file)).caused_by(e)),
        };
        let partition = json!({ "filename": self.file });
        let stored = self.context.as_ref().and_then(|c| c.offset(&partition));
        self.position = match stored.as_ref().and_then(|o| o.get("position")) {
            None | Some(serde_json::Value::Null) => 0,
            Some(p) => p
                .as_u64()
                .ok_or_else(|| ConnectError::new("Offset position is the incorrect type"))?,
        };
        f.seek(SeekFrom::Start(self.position))
            .map_err(|e| ConnectError::new(format!("Error while trying to seek to previous offset in file {}", self.file)).caused_by(e))?;
        self.reader = Some(f);
        Ok(true)
    }

    /// Lines complete in `pending`, as records, at most `batch_size`.
    fn lines(&mut self) -> Vec<ConnectRecord> {
        let mut records = Vec::new();
        let mut start = 0;
        let bytes = &self.pending;
        let mut i = 0;
        while i < bytes.len() && records.len() < self.batch_size {
            let (end, next) = match bytes[i] {
                b'\n' => (i, i + 1),
                b'\r' if i + 1 < bytes.len() => (i, if bytes[i + 1] == b'\n' { i + 2 } else { i + 1 }),
                b'\r' => break, // a \r at the end: wait to see whether \n follows
                _ => {
                    i += 1;
                    continue;
                }
            };
            let line = String::from_utf8_lossy(&bytes[start..end]).into_owned();
            self.position += (next - start) as u64;
            records.push(
                ConnectRecord::source(
                    json!({ "filename": self.file }),
                    json!({ "position": self.position }),
                    self.topic.clone(),
                    Some(Schema::string()),
                    Value::String(line),
                )
                .with_timestamp(crate::clock::now_ms()),
            );
            start = next;
            i = next;
        }
        self.pending.drain(..start);
        records
    }

    fn read_more(&mut self) -> Result<usize, ConnectError> {
        let Some(f) = self.reader.as_mut() else {
            return Ok(0);
        };
        let before = self.pending.len();
        self.pending.resize(before + READ_CHUNK, 0);
        let n = f
            .read(&mut self.pending[before..])
            .map_err(|e| ConnectError::new(format!("Error reading from file {}", self.file)).caused_by(e));
        let n = n.unwrap_or_else(|e| {
            self.pending.truncate(before);
            tracing::error!("{e}");
            0
        });
        self.pending.truncate(before + n);
        Ok(n)
    }
}

impl SourceTask for FileSourceTask {
    fn start(&mut self, config: &Props, context: SourceContext) -> Result<(), ConnectError> {
        let parsed = config_def().parse(config).map_err(ConnectError::new)?;
        self.file = parsed.string("file").filter(|f| !f.is_empty()).ok_or_else(|| {
            ConnectError::new("Reading from standard input is not supported by a worker that runs as a service; set file")
        })?;
        self.topic = parsed.string("topic").unwrap_or_default();
        self.batch_size = parsed.int("batch.size").max(1) as usize;
        self.context = Some(context);
        Ok(())
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<ConnectRecord>, ConnectError>> {
        Box::pin(async move {
            if self.reader.is_none() && !self.open()? {
                tokio::time::sleep(Duration::from_secs(1)).await;
                return Ok(Vec::new());
            }
            let records = self.lines();
            if !records.is_empty() {
                return Ok(records);
            }
            if self.read_more()? == 0 {
                tokio::time::sleep(IDLE_WAIT).await;
                return Ok(Vec::new());
            }
            Ok(self.lines())
        })
    }
}
