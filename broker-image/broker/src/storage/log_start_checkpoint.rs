//! The log start offset of a partition, checkpointed in its directory so that DeleteRecords
//! survives a restart (Kafka keeps the same fact in `log-start-offset-checkpoint`). Retention
//! needs no checkpoint: it deletes whole segments, so the first segment's base says it all.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

const FILE_NAME: &str = "log-start-offset.checkpoint";

/// The checkpointed log start offset, if there is a readable one.
pub fn read(dir: &Path) -> Option<i64> {
    fs::read_to_string(dir.join(FILE_NAME)).ok()?.trim().parse().ok()
}

/// Writes the checkpoint atomically (write, fsync, rename, fsync the directory).
pub fn write(dir: &Path, log_start_offset: i64) -> io::Result<()> {
    let tmp = dir.join(format!("{FILE_NAME}.tmp"));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(format!("{log_start_offset}\n").as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(FILE_NAME))?;
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use crate::storage::batch::{tests::make_batch, validate_produce};
    use crate::storage::{LogConfig, LogError, PartitionLog};

    /// DeleteRecords through the partition log: whole segments below the new start go, the
    /// start survives a restart (clean or not), and reads below it are out of range.
    #[test]
    fn delete_records_moves_the_start_and_survives_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t-0");
        let config = LogConfig {
            segment_bytes: 300,
            ..LogConfig::default()
        };
        let (log, _) = PartitionLog::open(&path, "t", 0, config.clone(), false, 0).unwrap();
        for _ in 0..20 {
            let b = make_batch(2, 1_000, b"payload-bytes");
            let h = validate_produce(&b, 1 << 20).unwrap();
            log.append(&b, &h, 0, 1_000).unwrap();
        }
        let segments = |p: &std::path::Path| {
            std::fs::read_dir(p)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "log"))
                .count()
        };
        let before = segments(&path);
        assert!(matches!(log.delete_records_before(41), Err(LogError::OffsetOutOfRange { .. })));
        assert!(matches!(log.delete_records_before(-2), Err(LogError::OffsetOutOfRange { .. })));
        assert_eq!(log.delete_records_before(25).unwrap(), 25);
        assert_eq!(log.delete_records_before(3).unwrap(), 25, "never moves back");
        assert!(segments(&path) < before, "whole segments below the start are deleted");
        assert!(matches!(log.read(24, 1 << 20, true), Err(LogError::OffsetOutOfRange { .. })));
        assert!(!log.read(25, 1 << 20, true).unwrap().records.is_empty());
        drop(log);
        for clean in [false, true] {
            let (log, _) = PartitionLog::open(&path, "t", 0, config.clone(), clean, 0).unwrap();
            assert_eq!(log.log_start_offset(), 25);
            assert_eq!(log.end_offset(), 40);
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(super::read(dir.path()), None);
        super::write(dir.path(), 42).unwrap();
        assert_eq!(super::read(dir.path()), Some(42));
    }
}
