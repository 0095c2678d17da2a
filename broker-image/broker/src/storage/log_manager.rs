//! All partition logs of one log directory: opening them at start-up (and knowing whether the
//! last stop was clean), creating and deleting them as topics come and go, and the periodic
//! work on all of them (retention, time-based rolls, `flush.ms`).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::log::{LogError, PartitionLog};
use super::log_config::LogConfig;

const CLEAN_SHUTDOWN_FILE: &str = ".kaskade_cleanshutdown";

/// The partitions of one topic, indexed by partition number.
type TopicLogs = Vec<Arc<PartitionLog>>;

pub struct LogManager {
    root: PathBuf,
    /// The broker's log settings (static, then dynamic broker configs on top).
    defaults: RwLock<LogConfig>,
    logs: RwLock<HashMap<Arc<str>, TopicLogs>>,
    clean_start: bool,
}

impl LogManager {
    /// Prepares the log directory. Whether the previous stop was clean is read (and forgotten:
    /// a crash from now on must be detected as unclean).
    pub fn new(root: &Path, defaults: LogConfig) -> io::Result<Self> {
        fs::create_dir_all(root)?;
        let marker = root.join(CLEAN_SHUTDOWN_FILE);
        let clean_start = marker.exists();
        if clean_start {
            fs::remove_file(&marker)?;
            fs::File::open(root)?.sync_all()?;
        }
        // Directories left by a crash in the middle of a topic deletion.
        for entry in fs::read_dir(root)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().ends_with("-delete") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        Ok(LogManager {
            root: root.to_path_buf(),
            defaults: RwLock::new(defaults),
            logs: RwLock::new(HashMap::new()),
            clean_start,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn defaults(&self) -> LogConfig {
        self.defaults.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the broker's log settings (dynamic broker configs changed); callers re-apply
    /// each topic's config with `update_topic_config`.
    pub fn set_defaults(&self, defaults: LogConfig) {
        *self.defaults.write().unwrap_or_else(|e| e.into_inner()) = defaults;
    }

    pub fn clean_start(&self) -> bool {
        self.clean_start
    }

    fn partition_dir(&self, topic: &str, partition: i32) -> PathBuf {
        self.root.join(format!("{topic}-{partition}"))
    }

    /// Opens (creating when missing) the logs of a topic's partitions, one per leader epoch
    /// given: each is led from its log end at that epoch (this broker leads every partition it
    /// holds until brokers replicate).
    pub fn open_topic(
        &self,
        topic: &str,
        topic_id: uuid::Uuid,
        leader_epochs: &[i32],
        overrides: &BTreeMap<String, String>,
        now_ms: i64,
    ) -> Result<(), LogError> {
        let config = self.defaults().with_topic_overrides(overrides);
        let mut opened = Vec::with_capacity(leader_epochs.len());
        for (p, epoch) in (0i32..).zip(leader_epochs) {
            let dir = self.partition_dir(topic, p);
            let (log, report) = PartitionLog::open(&dir, topic, p, config.clone(), self.clean_start, now_ms)?;
            write_partition_metadata(&dir, topic_id)?;
            log.assign_leader_epoch(*epoch)?;
            if report.truncated {
                tracing::warn!(
                    topic,
                    partition = p,
                    end_offset = log.end_offset(),
                    "recovered log: truncated a torn or corrupt tail"
                );
            }
            opened.push(Arc::new(log));
        }
        self.logs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(Arc::from(topic), opened);
        Ok(())
    }

    /// Opens (creating) the logs of partitions added to an open topic (CreatePartitions); the
    /// epochs are those of all its partitions, the new ones last.
    pub fn add_partitions(
        &self,
        topic: &str,
        topic_id: uuid::Uuid,
        leader_epochs: &[i32],
        overrides: &BTreeMap<String, String>,
        now_ms: i64,
    ) -> Result<(), LogError> {
        let config = self.defaults().with_topic_overrides(overrides);
        let mut logs = self.logs.write().unwrap_or_else(|e| e.into_inner());
        let Some(open) = logs.get_mut(topic) else {
            return Err(LogError::Deleted(topic.to_string()));
        };
        for (p, epoch) in (0i32..).zip(leader_epochs).skip(open.len()) {
            let dir = self.partition_dir(topic, p);
            let (log, _) = PartitionLog::open(&dir, topic, p, config.clone(), true, now_ms)?;
            write_partition_metadata(&dir, topic_id)?;
            log.assign_leader_epoch(*epoch)?;
            open.push(Arc::new(log));
        }
        Ok(())
    }

    pub fn get(&self, topic: &str, partition: i32) -> Option<Arc<PartitionLog>> {
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        logs.get(topic)?.get(usize::try_from(partition).ok()?).cloned()
    }

    pub fn all(&self) -> Vec<Arc<PartitionLog>> {
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        logs.values().flatten().cloned().collect()
    }

    /// Applies new topic configs to its open logs.
    pub fn update_topic_config(&self, topic: &str, overrides: &BTreeMap<String, String>) {
        let config = self.defaults().with_topic_overrides(overrides);
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        for log in logs.get(topic).into_iter().flatten() {
            log.set_config(config.clone());
        }
    }

    /// Removes a topic's logs and their directories.
    pub fn delete_topic(&self, topic: &str) -> Result<(), LogError> {
        let removed = self.logs.write().unwrap_or_else(|e| e.into_inner()).remove(topic);
        for log in removed.into_iter().flatten() {
            log.delete()?;
        }
        Ok(())
    }

    /// Retention on every log (time-based rolling runs on every maintenance tick, in the server);
    /// returns how many segments were deleted.
    pub fn run_retention(&self, now_ms: i64) -> usize {
        let mut deleted = 0;
        for log in self.all() {
            match log.apply_retention(now_ms) {
                Ok(n) => deleted += n,
                Err(e) => tracing::warn!(topic = %log.topic, partition = log.partition, error = %e, "retention failed"),
            }
        }
        deleted
    }

    /// Flushes every log, writes the active segments' indexes and the clean-shutdown marker.
    pub fn shutdown(&self, now_ms: i64) -> Result<(), LogError> {
        for log in self.all() {
            log.flush(now_ms)?;
            log.checkpoint_indexes()?;
        }
        let mut f = fs::File::create(self.root.join(CLEAN_SHUTDOWN_FILE))?;
        f.write_all(b"clean\n")?;
        f.sync_all()?;
        fs::File::open(&self.root)?.sync_all()?;
        Ok(())
    }
}

/// Kafka's `partition.metadata` file: which topic id a partition directory belongs to.
fn write_partition_metadata(dir: &Path, topic_id: uuid::Uuid) -> io::Result<()> {
    let path = dir.join("partition.metadata");
    let content = format!("version: 0\ntopic_id: {}\n", kaskade_common::kafka_uuid::to_string(topic_id));
    if fs::read_to_string(&path).ok().as_deref() == Some(content.as_str()) {
        return Ok(());
    }
    fs::write(path, content)
}
