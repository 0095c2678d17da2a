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

/// The partitions of one topic this broker holds, by partition number.
type TopicLogs = BTreeMap<i32, Arc<PartitionLog>>;

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
    /// given, each led from its log end at that epoch (a broker alone, and tests).
    pub fn open_topic(
        &self,
        topic: &str,
        topic_id: uuid::Uuid,
        leader_epochs: &[i32],
        overrides: &BTreeMap<String, String>,
        now_ms: i64,
    ) -> Result<(), LogError> {
        for (p, epoch) in (0i32..).zip(leader_epochs) {
            self.open_partition(topic, topic_id, p, overrides, now_ms)?
                .assign_leader_epoch(*epoch)?;
        }
        Ok(())
    }

    /// The log of one partition, opened (created when missing) if it is not open yet.
    pub fn open_partition(
        &self,
        topic: &str,
        topic_id: uuid::Uuid,
        partition: i32,
        overrides: &BTreeMap<String, String>,
        now_ms: i64,
    ) -> Result<Arc<PartitionLog>, LogError> {
        if let Some(log) = self.get(topic, partition) {
            return Ok(log);
        }
        let config = self.defaults().with_topic_overrides(overrides);
        let dir = self.partition_dir(topic, partition);
        let mut logs = self.logs.write().unwrap_or_else(|e| e.into_inner());
        if let Some(log) = logs.get(topic).and_then(|t| t.get(&partition)) {
            return Ok(Arc::clone(log));
        }
        let (log, report) = PartitionLog::open(&dir, topic, partition, config, self.clean_start, now_ms)?;
        write_partition_metadata(&dir, topic_id)?;
        if report.truncated {
            tracing::warn!(
                topic,
                partition,
                end_offset = log.end_offset(),
                "recovered log: truncated a torn or corrupt tail"
            );
        }
        let log = Arc::new(log);
        logs.entry(Arc::from(topic)).or_default().insert(partition, Arc::clone(&log));
        Ok(log)
    }

    /// Removes one partition's log and its directory (this broker no longer holds a replica).
    pub fn delete_partition(&self, topic: &str, partition: i32) -> Result<(), LogError> {
        let removed = {
            let mut logs = self.logs.write().unwrap_or_else(|e| e.into_inner());
            let removed = logs.get_mut(topic).and_then(|t| t.remove(&partition));
            if logs.get(topic).is_some_and(|t| t.is_empty()) {
                logs.remove(topic);
            }
            removed
        };
        match removed {
            Some(log) => log.delete(),
            None => Ok(()),
        }
    }

    pub fn get(&self, topic: &str, partition: i32) -> Option<Arc<PartitionLog>> {
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        logs.get(topic)?.get(&partition).cloned()
    }

    pub fn all(&self) -> Vec<Arc<PartitionLog>> {
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        logs.values().flat_map(|t| t.values()).cloned().collect()
    }

    /// Applies new topic configs to its open logs.
    pub fn update_topic_config(&self, topic: &str, overrides: &BTreeMap<String, String>) {
        let config = self.defaults().with_topic_overrides(overrides);
        let logs = self.logs.read().unwrap_or_else(|e| e.into_inner());
        for log in logs.get(topic).into_iter().flat_map(|t| t.values()) {
            log.set_config(config.clone());
        }
    }

    /// Removes a topic's logs and their directories.
    pub fn delete_topic(&self, topic: &str) -> Result<(), LogError> {
        let removed = self.logs.write().unwrap_or_else(|e| e.into_inner()).remove(topic);
        for log in removed.into_iter().flat_map(|t| t.into_values()) {
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
